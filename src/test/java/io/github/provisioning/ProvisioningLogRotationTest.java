package io.github.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.provisioning.cycle.CycleReport;
import io.github.provisioning.sandbox.graph.Contoso;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * provisioning.log.max-size: the provisioning log rotates while a real cycle's parallel work writes it, no line is
 * lost, repeated or split, /api/logs reads across the rotated files, and retention removes the old ones.
 */
class ProvisioningLogRotationTest extends EngineTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_SIZE = 2048;
    private static final int USERS = 40;

    @Test
    void rotatesUnderParallelWritesWithEveryLineOnceAndWhole() throws Exception {
        for (int i = 0; i < USERS; i++) {
            tenant.assign(tenant.addUser(Contoso.employee("user" + i, "Sales", "Buyer")));
        }
        Map<String, String> settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        settings.put("provisioning.log.max-size", "2KB");
        AdminClient admin = new AdminClient(settings.get("admin.port"), null);
        engine = EngineUnderTest.start(settings, dataDir);
        CycleReport initial = engine.awaitInitialCycle();

        List<Path> files = logFilesOldestFirst();
        assertThat(files).as("rotated files and the current one").hasSizeGreaterThan(5);
        assertThat(files.get(files.size() - 1).getFileName().toString()).isEqualTo("provisioning-log.jsonl");
        List<JsonNode> lines = new ArrayList<>();
        for (Path file : files) {
            List<String> text = Files.readAllLines(file);
            // A file goes past the maximum only with its first line.
            if (text.size() > 1) {
                assertThat(Files.size(file)).as(file.toString()).isLessThanOrEqualTo(MAX_SIZE);
            }
            for (String line : text) {
                lines.add(JSON.readTree(line));
            }
        }
        assertThat(lines).hasSize(USERS).allSatisfy(line -> {
            assertThat(line.path("cycleId").asText()).isEqualTo(initial.cycleId());
            assertThat(line.path("action").asText()).isEqualTo("create");
        });
        assertThat(lines).extracting(line -> line.path("sourceIdentity").asText()).doesNotHaveDuplicates();
        assertThat(lines).extracting(line -> line.path("changeId").asText()).doesNotHaveDuplicates();

        // /api/logs over HTTP: every line, newest first, across the files.
        List<String> newestFirst = new ArrayList<>(lines.stream().map(l -> l.path("changeId").asText()).toList());
        Collections.reverse(newestFirst);
        JsonNode all = admin.ok(admin.get("/api/logs?limit=1000"));
        List<String> served = new ArrayList<>();
        all.path("entries").forEach(entry -> served.add(entry.path("changeId").asText()));
        assertThat(served).containsExactlyElementsOf(newestFirst);
        JsonNode page = admin.ok(admin.get("/api/logs?limit=7"));
        assertThat(page.path("more").asBoolean()).isTrue();
        List<String> firstSeven = new ArrayList<>();
        page.path("entries").forEach(entry -> firstSeven.add(entry.path("changeId").asText()));
        assertThat(firstSeven).containsExactlyElementsOf(newestFirst.subList(0, 7));
        String oldestUser = lines.get(0).path("sourceId").asText();
        assertThat(admin.ok(admin.get("/api/logs?source-id=" + oldestUser)).path("entries")).hasSize(1);

        // The application log names the cycle on its lines (MDC cycleId), also on the summary written after the
        // parallel work.
        List<String> testLog = Files.readAllLines(Path.of("target/test-logs/tests.log"));
        assertThat(testLog.stream().filter(line -> line.contains("Cycle " + initial.cycleId())))
                .hasSizeGreaterThanOrEqualTo(2)
                .allSatisfy(line -> assertThat(line).contains("cycle=" + initial.cycleId() + " "));
        assertNoStaleCycleId(testLog);

        // Retention: a rotated file and a report whose time is past the 30 days go after the next cycle; the
        // current file and the newer ones stay, and /api/logs no longer serves the removed file's lines.
        Path oldest = files.get(0);
        Path report = dataDir.resolve("cycles").resolve(initial.cycleId() + ".json");
        FileTime longAgo = FileTime.from(Instant.now().minus(Duration.ofDays(31)));
        Files.setLastModifiedTime(oldest, longAgo);
        Files.setLastModifiedTime(report, longAgo);
        Files.setLastModifiedTime(files.get(1), FileTime.from(Instant.now().minus(Duration.ofDays(29))));
        CycleReport second = engine.runCycle();

        assertThat(oldest).doesNotExist();
        assertThat(report).doesNotExist();
        assertThat(files.get(1)).exists();
        assertThat(files.get(files.size() - 1)).exists();
        assertThat(dataDir.resolve("cycles").resolve(second.cycleId() + ".json")).exists();
        assertThat(admin.ok(admin.get("/api/logs?source-id=" + oldestUser)).path("entries")).isEmpty();
        assertThat(Files.readAllLines(Path.of("target/test-logs/tests.log")))
                .filteredOn(line -> line.contains("Cycle " + second.cycleId()) && line.contains("completed"))
                .singleElement().asString().contains("cycle=" + second.cycleId() + " ");
        assertNoStaleCycleId(Files.readAllLines(Path.of("target/test-logs/tests.log")));
    }

    /** A thread that ran a cycle's step keeps no id after it: a line naming a cycle shows that cycle's id. */
    private static void assertNoStaleCycleId(List<String> testLog) {
        Pattern naming = Pattern.compile("cycle=(\\S+) .* - Cycle ([0-9a-f-]+)");
        assertThat(testLog).allSatisfy(line -> {
            Matcher matcher = naming.matcher(line);
            if (matcher.find()) {
                assertThat(matcher.group(1)).as(line).isEqualTo(matcher.group(2));
            }
        });
        assertThat(testLog).filteredOn(line -> line.contains("Job default: provisioning assigned users"))
                .isNotEmpty().allSatisfy(line -> assertThat(line).doesNotContain("cycle="));
    }

    @Test
    void aRestartContinuesTheCurrentFileAndRotatesAfterTheFilesBefore() throws Exception {
        Path rotatedBefore = dataDir.resolve("provisioning-log-20991231T235959.000000Z.jsonl");
        Files.writeString(rotatedBefore, "{\"changeId\":\"earlier\"}\n");
        String kept = "{\"changeId\":\"current\",\"pad\":\"" + "x".repeat(1000) + "\"}\n";
        Files.writeString(dataDir.resolve("provisioning-log.jsonl"), kept);
        for (int i = 0; i < 3; i++) {
            tenant.assign(tenant.addUser(Contoso.employee("user" + i, "Sales", "Buyer")));
        }
        Map<String, String> settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        settings.put("provisioning.log.max-size", "1KB");
        engine = EngineUnderTest.start(settings, dataDir);
        engine.awaitInitialCycle();

        List<Path> files = logFilesOldestFirst();
        // The file of the earlier run went on until it was full; its rotation sorts after the rotated file that
        // was there (whose time is later than the clock's), so age order is kept.
        assertThat(files.get(0)).isEqualTo(rotatedBefore);
        assertThat(Files.readString(files.get(1))).startsWith(kept);
        assertThat(files).hasSizeGreaterThanOrEqualTo(3);
    }

    /** Rotated files by name (their age), then the current one. */
    private List<Path> logFilesOldestFirst() throws IOException {
        List<Path> files;
        try (Stream<Path> listed = Files.list(dataDir)) {
            files = new ArrayList<>(listed.filter(f -> f.getFileName().toString().startsWith("provisioning-log-"))
                    .sorted().toList());
        }
        files.add(dataDir.resolve("provisioning-log.jsonl"));
        return files;
    }
}
