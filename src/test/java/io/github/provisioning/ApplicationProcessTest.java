package io.github.provisioning;

import static io.github.provisioning.ApplicationProcess.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.provisioning.ApplicationProcess.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The application as its users start it: a separate JVM with -D settings, judged by its exit code and output. */
class ApplicationProcessTest extends EngineTest {

    @BeforeEach
    void populateTenant() {
        tenant.populateSample(20, 7);
    }

    @Test
    void onceExitsZeroAfterACompletedCycle() throws Exception {
        Result result = runOnce(EngineUnderTest.settingsFor(graph, scim, dataDir));

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).containsPattern("Cycle [0-9a-f-]+ \\(initial\\) completed");
        assertThat(scim.users()).isNotEmpty();
        try (Stream<Path> reports = Files.list(dataDir.resolve("cycles"))) {
            assertThat(reports).hasSize(1);
        }
        assertThat(result.output()).doesNotContain(graph.config().clientSecret(), scim.config().bearerToken());
    }

    @Test
    void onceExitsNonZeroWithTheReasonWhenGraphRejectsTheCredentials() throws Exception {
        Map<String, String> settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        settings.put("graph.client-secret", "wrong-secret");

        Result result = runOnce(settings);

        assertThat(result.exitCode()).isNotZero();
        assertThat(result.lastLine()).contains("provisioning cycle failed").contains("AADSTS7000215");
        assertThat(result.output()).doesNotContain("wrong-secret");
        assertThat(scim.requests()).isEmpty();
    }

    @Test
    void aMissingRequiredSettingIsNamedAtStartUp() throws Exception {
        Map<String, String> settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        settings.remove("scim.url");
        settings.remove("graph.app-id");

        Result result = runOnce(settings);

        assertThat(result.exitCode()).isNotZero();
        assertThat(result.output()).contains("Missing required settings: scim.url, graph.app-id");
        assertThat(graph.requests()).isEmpty();
    }

    @Test
    void aMalformedMappingFileStopsStartUpNamingTheFileAndLine() throws Exception {
        Path mapping = dataDir.resolve("broken.yaml");
        Files.writeString(mapping, """
                user:
                  mappings:
                    - {target: userName, source: userPrincipalName, match: 1}
                    - {target: title, expression: 'Join(" ", [jobTitle]'}
                """);
        Map<String, String> settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        settings.put("provisioning.mapping", mapping.toString());

        Result result = runOnce(settings);

        assertThat(result.exitCode()).isNotZero();
        assertThat(result.lastLine()).isEqualTo("Provisioning could not start: " + mapping
                + ":4: invalid expression: ')' expected to close Join at position 20");
        assertThat(scim.requests()).isEmpty();
    }

    @Test
    void withNoSettingsTheSandboxProvisionsTheSampleTenantTwice() throws Exception {
        Result result = run(Map.of("provisioning.data-dir", dataDir.toString(),
                "admin.port", String.valueOf(EngineUnderTest.freePort())));

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("Sandbox: Graph simulator at http://127.0.0.1:")
                .containsPattern("Cycle [0-9a-f-]+ \\(initial\\) completed in [0-9.]+s: created=[1-9]")
                .containsPattern("Sandbox: changed .* disabled .* deleted ")
                .containsPattern("Cycle [0-9a-f-]+ \\(incremental\\) completed in [0-9.]+s: created=0 updated=1 disabled=1 deleted=1 skipped=0 failed=0");
        Path sandboxData = dataDir.resolve("sandbox").toAbsolutePath().normalize();
        assertThat(result.output())
                .contains("Sandbox demo done. Provisioning log: " + sandboxData.resolve("provisioning-log.jsonl")
                        + ", cycle reports: " + sandboxData.resolve("cycles"))
                .contains("java -Dsandbox.keep-running=true -jar target/provisioning.jar");
        assertThat(sandboxData.resolve("provisioning-log.jsonl")).isNotEmptyFile();
        // H2 writes a *.trace.db next to the database for every SQL exception it sees; a clean run has none.
        try (Stream<Path> files = Files.walk(dataDir)) {
            assertThat(files.filter(f -> f.getFileName().toString().endsWith(".trace.db"))).isEmpty();
        }
    }

    @Test
    void keepRunningLeavesTheEngineAndItsAdminApiUpAfterTheDemoUntilStopped() throws Exception {
        String port = String.valueOf(EngineUnderTest.freePort());
        Map<String, String> settings = Map.of("provisioning.data-dir", dataDir.toString(), "admin.port", port,
                "sandbox.keep-running", "true");
        try (ApplicationProcess.Running running = ApplicationProcess.start(settings)) {
            await().atMost(Duration.ofSeconds(120)).until(() -> !running.isAlive()
                    || running.output().contains("Ctrl-C stops them"));
            assertThat(running.isAlive()).as(running.output()).isTrue();
            assertThat(running.output()).contains("Admin API at http://127.0.0.1:" + port)
                    .containsPattern("Cycle [0-9a-f-]+ \\(incremental\\) completed");

            AdminClient admin = new AdminClient(port, null);
            assertThat(admin.ok(admin.get("/api/status")).path("lastCycle").path("type").asText())
                    .isEqualTo("incremental");
            assertThat(admin.ok(admin.post("/api/expressions/evaluate", """
                    {"expression": "Join(\\" \\", [givenName], [surname])",
                     "user": {"givenName": "Adele", "surname": "Vance"}}""")).path("value").asText())
                    .isEqualTo("Adele Vance");
            assertThat(running.isAlive()).isTrue();

            running.stop(Duration.ofSeconds(60));
        }
    }

    /** {@code -Dprovisioning.once=true}: one cycle, then exit with its outcome, as a scheduler such as cron runs it. */
    private static Result runOnce(Map<String, String> settings) throws Exception {
        Map<String, String> once = new LinkedHashMap<>(settings);
        once.put("provisioning.once", "true");
        return run(once);
    }
}
