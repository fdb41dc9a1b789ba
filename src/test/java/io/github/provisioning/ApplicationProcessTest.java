package io.github.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.provisioning.sandbox.graph.GraphSimulator;
import io.github.provisioning.sandbox.graph.GraphSimulatorConfig;
import io.github.provisioning.sandbox.scim.ScimSandbox;
import io.github.provisioning.sandbox.scim.ScimSandboxConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The application as its users start it: a separate JVM with -D settings, judged by its exit code and output. */
class ApplicationProcessTest {

    @TempDir
    Path dataDir;

    private GraphSimulator graph;
    private ScimSandbox scim;

    @BeforeEach
    void start() {
        graph = GraphSimulator.start(GraphSimulatorConfig.defaults().withClientSecret("s3cr3t-" + UUID.randomUUID()));
        graph.tenant().populateSample(20, 7);
        scim = ScimSandbox.start(ScimSandboxConfig.defaults().withBearerToken("tok-" + UUID.randomUUID()));
    }

    @AfterEach
    void stop() {
        scim.close();
        graph.close();
    }

    @Test
    void onceExitsZeroAfterACompletedCycle() throws Exception {
        Result result = run(EngineUnderTest.settingsFor(graph, scim, dataDir), "-Dprovisioning.once=true");

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

        Result result = run(settings, "-Dprovisioning.once=true");

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

        Result result = run(settings, "-Dprovisioning.once=true");

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

        Result result = run(settings, "-Dprovisioning.once=true");

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

    private record Result(int exitCode, String output) {
        String lastLine() {
            List<String> lines = output.lines().filter(l -> !l.isBlank()).toList();
            return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
        }
    }

    private static Result run(Map<String, String> settings, String... extra) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        settings.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.addAll(List.of(extra));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(ProvisioningApplication.class.getName());
        Path output = Files.createTempFile("provisioning-run", ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        boolean exited = process.waitFor(120, TimeUnit.SECONDS);
        if (!exited) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        String text = Files.readString(output, StandardCharsets.UTF_8);
        Files.delete(output);
        if (!exited) {
            throw new AssertionError("the application did not exit within 120 s:\n" + text);
        }
        return new Result(process.exitValue(), text);
    }
}
