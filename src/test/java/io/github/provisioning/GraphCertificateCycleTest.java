package io.github.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.provisioning.cycle.CycleReport;
import io.github.provisioning.graph.ClientCertificate;
import io.github.provisioning.graph.TestCertificate;
import io.github.provisioning.sandbox.graph.Contoso;
import io.github.provisioning.sandbox.graph.GraphRequest;
import io.github.provisioning.sandbox.graph.GraphSimulatorConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The engine authenticated to Graph by a certificate instead of a secret, end to end: the simulator's app
 * registration holds one uploaded certificate; the engine signs its client assertions with that one's key, or with
 * another's. A rejected certificate is a rejected credential, as a rejected secret is.
 */
class GraphCertificateCycleTest extends EngineTest {

    private static final String TOKEN = "/oauth2/v2.0/token";

    private static final TestCertificate uploaded = TestCertificate.named("uploaded");
    private static final TestCertificate other = TestCertificate.named("other");

    private Map<String, String> settings;
    private AdminClient admin;

    @Override
    GraphSimulatorConfig graphConfig() {
        return super.graphConfig().withClientCertificate(uploaded.certificate());
    }

    @BeforeEach
    void assignUsersAndUseACertificate() {
        for (String name : List.of("adele", "brian", "chen")) {
            tenant.assign(tenant.addUser(Contoso.employee(name, "Sales", "Buyer")));
        }
        settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        settings.remove("graph.client-secret");
        admin = new AdminClient(settings.get("admin.port"), null);
    }

    @ParameterizedTest
    @ValueSource(strings = {"PKCS#12", "PEM"})
    void aRunWithACertificateInsteadOfASecretProvisionsTheTenant(String format) throws Exception {
        if (format.equals("PEM")) {
            settings.put("graph.client-certificate", uploaded.pem().toString());
        } else {
            settings.put("graph.client-certificate", uploaded.pkcs12().toString());
            settings.put("graph.client-certificate-password", uploaded.password());
        }
        engine = EngineUnderTest.start(settings, dataDir);

        CycleReport initial = engine.awaitInitialCycle();

        assertThat(initial.state()).as(String.valueOf(initial.error())).isEqualTo("completed");
        assertThat(scim.users()).extracting(u -> u.path("userName").asText())
                .containsExactlyInAnyOrder(Contoso.upn("adele"), Contoso.upn("brian"), Contoso.upn("chen"));
        assertThat(tokenRequests()).extracting(GraphRequest::status).containsExactly(200);
        // Neither the PKCS#12 password nor a client assertion (a JWT: base64url JSON, "eyJ...") reaches the log.
        String log = Files.readString(Path.of("target/test-logs/tests.log"));
        assertThat(log).doesNotContain(uploaded.password()).doesNotContain("client_assertion=");
    }

    @Test
    void aWrongCertificateFailsTheCycleWithTheAadstsReasonQuarantinesTheJobAndTestConnectionNamesIt()
            throws Exception {
        settings.put("graph.client-certificate", other.pem().toString());
        engine = EngineUnderTest.start(settings, dataDir);

        CycleReport initial = engine.awaitInitialCycle();

        assertThat(initial.state()).isEqualTo("failed");
        assertThat(initial.error()).contains("Graph answered 401 invalid_client: AADSTS700027: Client assertion"
                + " contains an invalid signature. [Reason - The key was not found.");
        // A rejected credential is not sent again, and quarantines the job as a rejected secret does (the
        // quarantine is decided just after the cycle's report is recorded).
        assertThat(tokenRequests()).extracting(GraphRequest::status).containsExactly(401);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(admin.ok(admin.get("/api/status"))
                .path("quarantine").path("reason").asText()).isEqualTo("credentials"));
        assertThat(scim.users()).isEmpty();

        scim.clearRequests();
        JsonNode tested = admin.ok(admin.post("/api/test-connection"));

        String thumbprint = ClientCertificate.read(other.pem(), null, Clock.systemUTC()).thumbprint();
        assertThat(tested.path("ok").asBoolean()).isFalse();
        assertThat(tested.path("diagnosis").asText())
                .startsWith("Microsoft Graph refused the engine a token (Graph answered 401 invalid_client:"
                        + " AADSTS700027: Client assertion contains an invalid signature.")
                .endsWith("): check graph.tenant-id, graph.client-id and graph.client-certificate (x5t#S256 "
                        + thumbprint + ")");
        assertThat(tested.path("status").asInt()).isZero();
        assertThat(tokenRequests()).extracting(GraphRequest::status).containsExactly(401, 401);
        assertThat(userRequests()).isEmpty();
    }

    @Test
    void aTokenScopeOfAnotherCloudFailsTheCycleWithTheAadstsReason() throws Exception {
        settings.put("graph.client-certificate", uploaded.pem().toString());
        settings.put("graph.scope", "https://graph.microsoft.us/.default");
        engine = EngineUnderTest.start(settings, dataDir);

        CycleReport initial = engine.awaitInitialCycle();

        assertThat(initial.state()).isEqualTo("failed");
        assertThat(initial.error()).contains("Graph answered 400 invalid_resource: AADSTS500011: The resource"
                + " principal named https://graph.microsoft.us was not found in the tenant named "
                + graph.config().tenantId());
    }

    private List<GraphRequest> tokenRequests() {
        return graph.requests().stream().filter(r -> r.path().endsWith(TOKEN)).toList();
    }
}
