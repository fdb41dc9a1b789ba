package io.github.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.provisioning.sandbox.graph.GraphSimulator;
import io.github.provisioning.sandbox.graph.GraphSimulatorConfig;
import io.github.provisioning.sandbox.scim.RecordedRequest;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar provisioning.jar --test-connection} as its users run it: a separate JVM that probes the target
 * once, prints one line and exits 0 when the test passed, 1 otherwise, without running a cycle.
 */
class TestConnectionProcessTest {

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
    void aPassingTestExitsZeroWithOneLineAndRunsNoCycle() throws Exception {
        Result result = run(EngineUnderTest.settingsFor(graph, scim, dataDir));

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.lastLine()).isEqualTo("Test Connection succeeded: Connected to " + scim.baseUrl()
                + ": the target accepted the credentials and answered an empty ListResponse for a random userName");
        assertThat(scim.requests()).extracting(RecordedRequest::line).singleElement().asString()
                .matches("GET /Users\\?filter=userName eq \"[0-9a-f-]{36}\"");
        assertThat(graph.requests()).isEmpty();
        assertThat(dataDir.resolve("state")).doesNotExist();
        assertThat(dataDir.resolve("cycles")).doesNotExist();
        assertThat(result.output()).doesNotContain(graph.config().clientSecret(), scim.config().bearerToken());
    }

    @Test
    void aFailingTestExitsOneWithTheDiagnosis() throws Exception {
        Map<String, String> settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        settings.put("scim.token", "wrong-" + UUID.randomUUID());

        Result result = run(settings);

        assertThat(result.exitCode()).as(result.output()).isEqualTo(1);
        assertThat(result.lastLine()).isEqualTo("Test Connection failed: The target rejected the credentials (401: A"
                + " valid bearer token is required): check scim.token");
        assertThat(result.output()).doesNotContain(settings.get("scim.token"), scim.config().bearerToken());
        assertThat(graph.requests()).isEmpty();
    }

    @Test
    void anUnreachableTargetExitsOne() throws Exception {
        Map<String, String> settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        int port = EngineUnderTest.freePort();
        settings.put("scim.url", "http://127.0.0.1:" + port + "/scim/v2");

        Result result = run(settings);

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.lastLine()).startsWith("Test Connection failed: Cannot connect to 127.0.0.1:" + port);
    }

    @Test
    void aHalfConfiguredModeExitsOneNamingTheMissingSettings() throws Exception {
        Map<String, String> settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        settings.remove("scim.token");
        settings.put("scim.meta.app-id", "1234");

        Result result = run(settings);

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.lastLine()).isEqualTo("Test Connection failed: provisioning could not start: Missing required"
                + " setting: scim.meta.app-secret (needed by Meta work_get_token authentication to the SCIM target)."
                + " Set them in application.properties or with -Dname=value.");
        assertThat(scim.requests()).isEmpty();
    }

    @Test
    void itRunsBesideARunningEngineOnTheSameDataDirAndAdminPort() throws Exception {
        Map<String, String> settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        try (EngineUnderTest engine = EngineUnderTest.start(settings, dataDir)) {
            engine.awaitInitialCycle();
            scim.clearRequests();

            Result result = run(settings);

            assertThat(result.exitCode()).as(result.output()).isZero();
            assertThat(scim.requests()).hasSize(1);
        }
    }

    private record Result(int exitCode, String output) {
        String lastLine() {
            List<String> lines = output.lines().filter(l -> !l.isBlank()).toList();
            return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
        }
    }

    private static Result run(Map<String, String> settings) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        settings.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(ProvisioningApplication.class.getName());
        command.add("--test-connection");
        Path output = Files.createTempFile("test-connection", ".log");
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
