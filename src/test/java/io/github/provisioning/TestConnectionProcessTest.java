package io.github.provisioning;

import static io.github.provisioning.ApplicationProcess.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.provisioning.ApplicationProcess.Result;
import io.github.provisioning.sandbox.Sandbox;
import io.github.provisioning.sandbox.graph.GraphRequest;
import io.github.provisioning.sandbox.scim.RecordedRequest;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code java -jar provisioning.jar --test-connection} as its users run it: a separate JVM that gets a Graph token,
 * probes the target once, prints one line and exits 0 when the test passed, 1 otherwise, without running a cycle.
 */
class TestConnectionProcessTest extends EngineTest {

    @BeforeEach
    void populateTenant() {
        tenant.populateSample(20, 7);
    }

    @Test
    void aPassingTestExitsZeroWithOneLineAndRunsNoCycle() throws Exception {
        Result result = testConnection(EngineUnderTest.settingsFor(graph, scim, dataDir));

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.lastLine()).isEqualTo("Test Connection succeeded: Connected to " + scim.baseUrl()
                + ": the target accepted the credentials and answered an empty ListResponse for a random userName");
        // What the target supports, then the probe.
        assertThat(scim.requests()).extracting(RecordedRequest::line).hasSize(2)
                .first().asString().isEqualTo("GET /ServiceProviderConfig");
        assertThat(scim.requests()).extracting(RecordedRequest::line).last().asString()
                .matches("GET /Users\\?filter=userName eq \"[0-9a-f-]{36}\"");
        assertThat(graph.requests()).extracting(r -> r.method() + " " + r.path() + " " + r.status())
                .containsExactly("POST /" + graph.config().tenantId() + "/oauth2/v2.0/token 200");
        assertThat(dataDir.resolve("state")).doesNotExist();
        assertThat(dataDir.resolve("cycles")).doesNotExist();
        assertThat(result.output()).doesNotContain(graph.config().clientSecret(), scim.config().bearerToken());
    }

    @Test
    void aFailingTestExitsOneWithTheDiagnosis() throws Exception {
        Map<String, String> settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        settings.put("scim.token", "wrong-" + UUID.randomUUID());

        Result result = testConnection(settings);

        assertThat(result.exitCode()).as(result.output()).isEqualTo(1);
        assertThat(result.lastLine()).isEqualTo("Test Connection failed: The target rejected the credentials (401: A"
                + " valid bearer token is required): check scim.token");
        assertThat(result.output()).doesNotContain(settings.get("scim.token"), scim.config().bearerToken());
        assertThat(graph.requests()).extracting(GraphRequest::status).containsExactly(200);
    }

    @Test
    void aGraphCredentialTheTokenEndpointRejectsExitsOneNamingItsAadstsReasonWithoutProbingTheTarget()
            throws Exception {
        Map<String, String> settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        settings.put("graph.client-secret", "wrong-" + UUID.randomUUID());

        Result result = testConnection(settings);

        assertThat(result.exitCode()).as(result.output()).isEqualTo(1);
        assertThat(result.lastLine()).startsWith("Test Connection failed: Microsoft Graph refused the engine a token"
                + " (Graph answered 401 invalid_client: AADSTS7000215: Invalid client secret provided.")
                .endsWith("): check graph.tenant-id, graph.client-id and graph.client-secret");
        assertThat(result.output()).doesNotContain(settings.get("graph.client-secret"));
        assertThat(scim.requests()).isEmpty();
    }

    @Test
    void anUnreachableTargetExitsOne() throws Exception {
        Map<String, String> settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        int port = EngineUnderTest.freePort();
        settings.put("scim.url", "http://127.0.0.1:" + port + "/scim/v2");

        Result result = testConnection(settings);

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.lastLine()).startsWith("Test Connection failed: Cannot connect to 127.0.0.1:" + port);
    }

    @Test
    void aHalfConfiguredModeExitsOneNamingTheMissingSettings() throws Exception {
        Map<String, String> settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        settings.remove("scim.token");
        settings.put("scim.meta.app-id", "1234");

        Result result = testConnection(settings);

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.lastLine()).isEqualTo("Test Connection failed: provisioning could not start: Missing required"
                + " setting: scim.meta.app-secret (needed by Meta work_get_token authentication to the SCIM target)."
                + " Set them in application.properties or with -Dname=value.");
        assertThat(scim.requests()).isEmpty();
    }

    @Test
    void itRunsBesideARunningEngineOnTheSameDataDirAndAdminPort() throws Exception {
        Map<String, String> settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        engine = EngineUnderTest.start(settings, dataDir);
        engine.awaitInitialCycle();
        scim.clearRequests();

        Result result = testConnection(settings);

        assertThat(result.exitCode()).as(result.output()).isZero();
        // /ServiceProviderConfig and the probe: the running engine sent nothing meanwhile.
        assertThat(scim.requests()).extracting(RecordedRequest::path)
                .containsExactly("/ServiceProviderConfig", "/Users");
    }

    @Test
    void withSeveralJobsEachJobIsTestedOnItsOwnLine() throws Exception {
        Map<String, String> settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        // A second job on the same tenant and target, with a token the target rejects.
        Sandbox.connectionSettings(graph, scim).forEach((name, value) -> settings.put("provisioning.jobs.hr." + name,
                name.equals("scim.token") ? "wrong-" + UUID.randomUUID() : value));

        Result result = testConnection(settings);

        assertThat(result.exitCode()).as(result.output()).isEqualTo(1);
        assertThat(result.output()).contains("Job default: Test Connection succeeded: Connected to " + scim.baseUrl())
                .contains("Job hr: Test Connection failed: The target rejected the credentials (401: A valid bearer"
                        + " token is required): check scim.token")
                .doesNotContain(settings.get("provisioning.jobs.hr.scim.token"), scim.config().bearerToken());
        assertThat(dataDir.resolve("jobs")).doesNotExist();
    }

    /** {@code --test-connection}: probe the target once and exit, without a cycle. */
    private static Result testConnection(Map<String, String> settings) throws Exception {
        return run(settings, "--test-connection");
    }
}
