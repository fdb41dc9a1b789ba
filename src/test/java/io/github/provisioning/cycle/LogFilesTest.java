package io.github.provisioning.cycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The provisioning log's files: sizes, the names of rotated files, their order, and retention by age. */
class LogFilesTest {

    private static final Instant NOW = Instant.parse("2026-12-07T03:00:00Z");

    @TempDir
    Path dataDir;

    private LogFiles files() {
        return new LogFiles(dataDir, Duration.ofDays(30), Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @Test
    void sizesAreBytesOrUnitsOf1024() {
        assertThat(LogFiles.maxSize("100")).isEqualTo(100);
        assertThat(LogFiles.maxSize("10KB")).isEqualTo(10_240);
        assertThat(LogFiles.maxSize("100mb")).isEqualTo(100L << 20);
        assertThat(LogFiles.maxSize("1GB")).isEqualTo(1L << 30);
    }

    @Test
    void rotatedNamesSortByAgeEvenWithinOneMicrosecondAndAfterEarlierFiles() throws IOException {
        Path earlier = Files.writeString(dataDir.resolve("provisioning-log-20261207T030000.000000Z.jsonl"), "{}\n");
        LogFiles logFiles = files();

        Path first = logFiles.nextRotated();
        Path second = logFiles.nextRotated();

        assertThat(first.getFileName().toString()).isEqualTo("provisioning-log-20261207T030000.000001Z.jsonl")
                .isGreaterThan(earlier.getFileName().toString());
        assertThat(second.getFileName().toString()).isEqualTo("provisioning-log-20261207T030000.000002Z.jsonl");
    }

    @Test
    void retentionRemovesOldRotatedFilesAndReportsButNeverTheCurrentFile() throws IOException {
        Path current = write("provisioning-log.jsonl", 40);
        Path oldRotated = write("provisioning-log-20261101T000000.000000Z.jsonl", 31);
        Path newRotated = write("provisioning-log-20261120T000000.000000Z.jsonl", 29);
        Path newest = write("provisioning-log-20261125T000000.000000Z.jsonl", 10);
        Files.createDirectories(dataDir.resolve("cycles"));
        Path oldReport = write("cycles/old.json", 31);
        Path newReport = write("cycles/new.json", 1);
        Path other = write("notes-provisioning.txt", 90);
        LogFiles logFiles = files();

        assertThat(logFiles.newestFirst()).containsExactly(current, newest, newRotated);
        logFiles.prune();

        assertThat(oldRotated).doesNotExist();
        assertThat(oldReport).doesNotExist();
        assertThat(current).exists();
        assertThat(newRotated).exists();
        assertThat(newReport).exists();
        assertThat(other).exists();
    }

    private Path write(String name, int daysOld) throws IOException {
        Path file = Files.writeString(dataDir.resolve(name), "{}\n");
        Files.setLastModifiedTime(file, FileTime.from(NOW.minus(Duration.ofDays(daysOld))));
        return file;
    }
}
