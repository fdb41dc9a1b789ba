package io.github.provisioning.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EngineProcessTest {

    @TempDir
    Path dir;

    /** Regression: an empty report file read as a report of nothing (initial_s=0.000 created=0). */
    @Test
    void aReportNotWhollyWrittenIsNoReportYet() throws Exception {
        Path file = dir.resolve("c1.json");
        Files.writeString(file, "");
        assertThat(EngineProcess.readReport(file)).isNull();
        Files.writeString(file, "{\"cycleId\": \"c1\", \"counts\": {\"crea");
        assertThat(EngineProcess.readReport(file)).isNull();
        Files.writeString(file, "{\"cycleId\": \"c1\", \"counts\": {\"created\": 3}}");
        assertThat(EngineProcess.readReport(file).path("counts").path("created").asInt()).isEqualTo(3);
    }
}
