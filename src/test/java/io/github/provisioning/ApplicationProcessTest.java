package io.github.provisioning;

import static io.github.provisioning.ApplicationProcess.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.provisioning.ApplicationProcess.Result;
import java.nio.file.Files;
import java.nio.file.Path;
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
    }

    /** {@code -Dprovisioning.once=true}: one cycle, then exit with its outcome, as a scheduler such as cron runs it. */
    private static Result runOnce(Map<String, String> settings) throws Exception {
        Map<String, String> once = new LinkedHashMap<>(settings);
        once.put("provisioning.once", "true");
        return run(once);
    }
}
