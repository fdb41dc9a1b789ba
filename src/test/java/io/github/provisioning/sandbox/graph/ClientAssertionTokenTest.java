package io.github.provisioning.sandbox.graph;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.provisioning.graph.ClientCertificate;
import io.github.provisioning.graph.TestCertificate;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The token endpoint's certificate credentials: a client assertion signed with the key of a certificate uploaded to
 * the app registration gets a token; a wrong, forged, expired or misaddressed one gets Entra's AADSTS error.
 */
class ClientAssertionTokenTest extends SimulatedGraphTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final TestCertificate registered = TestCertificate.named("uploaded");
    private static final TestCertificate unregistered = TestCertificate.named("other");

    @TempDir
    static Path dir;

    private void startWithTheRegisteredCertificate() {
        start(GraphSimulatorConfig.defaults().withClientCertificate(registered.certificate()));
    }

    @Test
    void anAssertionSignedWithTheRegisteredCertificateGetsAToken() {
        startWithTheRegisteredCertificate();

        GraphTestClient.Reply reply = client.postForm(graph.tokenUrl(), form(sign(registered, Clock.systemUTC())));

        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
        assertThat(reply.body().path("access_token").asText()).hasSizeGreaterThan(40);
    }

    @Test
    void anRs256AssertionNamingItsKeyByTheSha1ThumbprintIsAcceptedToo() throws Exception {
        startWithTheRegisteredCertificate();

        GraphTestClient.Reply reply = client.postForm(graph.tokenUrl(),
                form(rs256("x5t", thumbprint("SHA-1", registered), registered)));

        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
    }

    @Test
    void aCertificateNotUploadedToTheAppIsRefusedAsKeyNotFound() {
        startWithTheRegisteredCertificate();

        GraphTestClient.Reply reply = client.postForm(graph.tokenUrl(), form(sign(unregistered, Clock.systemUTC())));

        assertRefused(reply, 401, "invalid_client", 700027, "AADSTS700027: Client assertion contains an invalid"
                + " signature. [Reason - The key was not found., Thumbprint of key used by client: '"
                + thumbprint("SHA-256", unregistered) + "'");
    }

    @Test
    void anAssertionNamingTheRegisteredCertificateButSignedWithAnotherKeyIsRefused() throws Exception {
        startWithTheRegisteredCertificate();

        GraphTestClient.Reply reply = client.postForm(graph.tokenUrl(),
                form(rs256("x5t#S256", thumbprint("SHA-256", registered), unregistered)));

        assertRefused(reply, 401, "invalid_client", 700027, "AADSTS700027: Client assertion contains an invalid"
                + " signature. [Reason - The provided signature value did not match the expected signature value.");
    }

    @Test
    void anAssertionSignedWithAnExpiredUploadedCertificateIsRefusedForItsKey() {
        TestCertificate expired = TestCertificate.generate(dir, "expired", "-3d", 1);
        start(GraphSimulatorConfig.defaults().withClientCertificate(expired.certificate()));

        GraphTestClient.Reply reply = client.postForm(graph.tokenUrl(), form(sign(expired, Clock.systemUTC())));

        assertRefused(reply, 401, "invalid_client", 700027, "AADSTS700027: Client assertion contains an invalid"
                + " signature. [Reason - The key used is expired., Thumbprint of key used by client: '"
                + thumbprint("SHA-256", expired) + "', Found key 'Start=");
    }

    /** An hour ago, the assertion's ten minutes are over; an hour ahead, they have not begun. */
    @ParameterizedTest
    @ValueSource(ints = {-60, 60})
    void anAssertionSignedAnHourAwayIsNotWithinItsValidTimeRange(int minutes) {
        startWithTheRegisteredCertificate();
        Clock skewed = Clock.offset(Clock.systemUTC(), Duration.ofMinutes(minutes));

        GraphTestClient.Reply reply = client.postForm(graph.tokenUrl(), form(sign(registered, skewed)));

        assertRefused(reply, 401, "invalid_client", 700024, "AADSTS700024: Client assertion is not within its valid"
                + " time range. Current time: ");
    }

    @Test
    void anAssertionForAnotherTokenEndpointIsRefusedForItsAudience() {
        startWithTheRegisteredCertificate();
        String assertion = sign(graph.config().clientId(), "https://login.microsoftonline.com/common/oauth2/v2.0/token");

        assertRefused(client.postForm(graph.tokenUrl(), form(assertion)), 401, "invalid_client", 700023,
                "AADSTS700023: Client assertion audience claim does not match Realm issuer.");
    }

    @Test
    void anAssertionIssuedForAnotherClientIsRefused() {
        startWithTheRegisteredCertificate();
        String assertion = sign(UUID.randomUUID().toString(), graph.tokenUrl());

        assertRefused(client.postForm(graph.tokenUrl(), form(assertion)), 401, "invalid_client", 700021,
                "AADSTS700021: Client assertion application identifier doesn't match 'client_id' parameter.");
    }

    @Test
    void aMalformedAssertionIsAnInvalidRequest() {
        startWithTheRegisteredCertificate();

        GraphTestClient.Reply reply = client.postForm(graph.tokenUrl(), form("not-a-jwt"));

        assertRefused(reply, 400, "invalid_request", 50027, "AADSTS50027: JWT token is invalid or malformed.");
    }

    /** The simulator is the Graph at its own URL: a scope naming another cloud's Graph is not in its tenant. */
    @ParameterizedTest
    @ValueSource(strings = {"https://graph.microsoft.com", "https://graph.microsoft.us"})
    void onlyTheScopeOfThisGraphIsAccepted(String otherGraph) {
        startWithTheRegisteredCertificate();
        Map<String, String> byApplicationId = form(sign(registered, Clock.systemUTC()));
        byApplicationId.put("scope", "00000003-0000-0000-c000-000000000000/.default");
        Map<String, String> other = form(sign(registered, Clock.systemUTC()));
        other.put("scope", otherGraph + "/.default");

        assertThat(client.postForm(graph.tokenUrl(), form(sign(registered, Clock.systemUTC()))).status())
                .isEqualTo(200);
        assertThat(client.postForm(graph.tokenUrl(), byApplicationId).status()).isEqualTo(200);
        assertRefused(client.postForm(graph.tokenUrl(), other), 400, "invalid_resource", 500011,
                "AADSTS500011: The resource principal named " + otherGraph + " was not found in the tenant");
    }

    private static void assertRefused(GraphTestClient.Reply reply, int status, String error, int code, String start) {
        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(status);
        assertThat(reply.body().path("error").asText()).isEqualTo(error);
        assertThat(reply.body().path("error_codes").get(0).asInt()).isEqualTo(code);
        assertThat(reply.body().path("error_description").asText()).startsWith(start);
    }

    private String sign(TestCertificate certificate, Clock clock) {
        return new ClientCertificate(certificate.key(), certificate.certificate(), clock)
                .assertion(graph.config().clientId(), graph.tokenUrl());
    }

    /** Signed with the uploaded certificate, for another client or token endpoint. */
    private static String sign(String clientId, String audience) {
        return new ClientCertificate(registered.key(), registered.certificate(), Clock.systemUTC())
                .assertion(clientId, audience);
    }

    private Map<String, String> form(String assertion) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "client_credentials");
        form.put("client_id", graph.config().clientId());
        form.put("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
        form.put("client_assertion", assertion);
        form.put("scope", graph.loginUrl() + "/.default");
        return form;
    }

    /** An RS256 assertion for this client and token endpoint, naming its key by {@code header}, signed by {@code signer}. */
    private String rs256(String header, String thumbprint, TestCertificate signer) throws Exception {
        long now = Instant.now().getEpochSecond();
        ObjectNode claims = JSON.createObjectNode().put("aud", graph.tokenUrl()).put("iss", graph.config().clientId())
                .put("sub", graph.config().clientId()).put("jti", UUID.randomUUID().toString()).put("nbf", now)
                .put("iat", now).put("exp", now + 600);
        Base64.Encoder base64url = Base64.getUrlEncoder().withoutPadding();
        String input = base64url.encodeToString(JSON.writeValueAsBytes(JSON.createObjectNode().put("alg", "RS256")
                .put("typ", "JWT").put(header, thumbprint))) + "." + base64url.encodeToString(JSON.writeValueAsBytes(claims));
        Signature signature = Signature.getInstance("SHA256withRSA");
        signature.initSign(signer.key());
        signature.update(input.getBytes(StandardCharsets.US_ASCII));
        return input + "." + base64url.encodeToString(signature.sign());
    }

    private static String thumbprint(String digest, TestCertificate certificate) {
        try {
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(MessageDigest.getInstance(digest).digest(certificate.certificate().getEncoded()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
