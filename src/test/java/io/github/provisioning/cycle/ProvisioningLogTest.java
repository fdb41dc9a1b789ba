package io.github.provisioning.cycle;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProvisioningLogTest {

    @TempDir
    Path dataDir;

    @Test
    void everyLineNamesItsJob() throws Exception {
        LogFiles files = new LogFiles(dataDir, Duration.ofDays(30), Clock.systemUTC());
        try (ProvisioningLog log = new ProvisioningLog("hr", files, 1_000_000)) {
            log.write(new LogEntry(Instant.parse("2026-01-05T10:00:00Z"), "c1", "ch1", "user", "create", "success",
                    "s1", "ann@contoso.example", "t1", null, List.of(), null, 12, List.of()));
        }

        List<String> lines = Files.readAllLines(files.current());
        assertThat(lines).hasSize(1);
        JsonNode line = new ObjectMapper().readTree(lines.get(0));
        assertThat(line.path("jobId").asText()).isEqualTo("hr");
        assertThat(line.path("cycleId").asText()).isEqualTo("c1");
        assertThat(line.fieldNames()).toIterable().startsWith("time", "jobId", "cycleId");
    }
}
