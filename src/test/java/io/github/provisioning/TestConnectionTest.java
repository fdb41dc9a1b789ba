package io.github.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import io.github.provisioning.sandbox.http.LoopbackHttpServer;
import io.github.provisioning.sandbox.scim.ScimSandboxConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /api/test-connection} on the running engine, against the SCIM sandbox and small stubs on loopback:
 * one test per diagnosis. The tenant assigns nobody, so the engine's own cycles send nothing to the target.
 */
class TestConnectionTest extends EngineTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Pattern PROBE =
            Pattern.compile("GET /Users\\?filter=userName eq \"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\"");

    private final String token = "t-" + UUID.randomUUID();
    private LoopbackHttpServer stub;
    private Map<String, String> settings;

    /** A known static token, and the token endpoints for the OAuth2 tests. */
    @Override
    ScimSandboxConfig scimConfig() {
        return ScimSandboxConfig.defaults().withBearerToken(token)
                .withTokenClient("provisioning-app", "client-secret-" + UUID.randomUUID());
    }

    @BeforeEach
    void collectSettings() {
        settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
    }

    @AfterEach
    void stopStub() throws Exception {
        if (stub != null) {
            stub.close();
        }
    }

    @Test
    void aScimEndpointThatAcceptsTheTokenAndHonoursTheFilterPasses() throws Exception {
        JsonNode result = testConnection();

        assertThat(result.path("ok").asBoolean()).isTrue();
        assertThat(result.path("status").asInt()).isEqualTo(200);
        assertThat(result.path("request").asText()).matches(PROBE);
        assertThat(result.path("diagnosis").asText()).isEqualTo("Connected to " + scim.baseUrl()
                + ": the target accepted the credentials and answered an empty ListResponse for a random userName");
        assertThat(userRequests()).hasSize(1).allSatisfy(r -> {
            assertThat(r.line()).isEqualTo(result.path("request").asText());
            assertThat(r.header("authorization")).isEqualTo("Bearer " + token);
        });
        assertThat(scim.users()).isEmpty();
    }

    @Test
    void aTargetWithoutFiltersIsCheckedWithAListingAndTheDiagnosisSaysSo() throws Exception {
        scim.close();
        scim = io.github.provisioning.sandbox.scim.ScimSandbox.start(scimConfig().withoutFilter());
        scim.seedUser(seededAccount("adele@contoso.example"));
        settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        settings.put("scim.token", token);

        JsonNode result = testConnection();

        assertThat(result.path("ok").asBoolean()).as(result.toString()).isTrue();
        assertThat(result.path("status").asInt()).isEqualTo(200);
        assertThat(result.path("request").asText()).isEqualTo("GET /Users?startIndex=1&count=1");
        assertThat(result.path("diagnosis").asText()).isEqualTo("Connected to " + scim.baseUrl() + ": the target"
                + " accepted the credentials and answered a ListResponse for the first page of its users. Its"
                + " /ServiceProviderConfig says it supports no filtering, so users and groups are matched through a"
                + " listing of them (Entra's own Test Connection would fail here: it requires filtering)");
        assertThat(scim.requests()).extracting(r -> r.line()).containsExactly("GET /ServiceProviderConfig",
                "GET /Users?startIndex=1&count=1");
        assertThat(scim.requests()).noneMatch(r -> r.status() == 501);
    }

    @Test
    void aTargetWithoutFiltersThatRejectsTheTokenIsStillDiagnosedAs401() throws Exception {
        scim.close();
        scim = io.github.provisioning.sandbox.scim.ScimSandbox.start(scimConfig().withoutFilter());
        settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        settings.put("scim.token", "not-the-token");

        JsonNode result = testConnection();

        assertThat(result.path("ok").asBoolean()).isFalse();
        assertThat(result.path("status").asInt()).isEqualTo(401);
        assertThat(result.path("diagnosis").asText()).startsWith("The target rejected the credentials (401");
    }

    @Test
    void aTargetWhoseServiceProviderConfigSaysItFiltersGetsTheFilterProbe() throws Exception {
        JsonNode result = testConnection();

        assertThat(result.path("ok").asBoolean()).isTrue();
        assertThat(scim.requests()).extracting(r -> r.line()).hasSize(2).first()
                .isEqualTo("GET /ServiceProviderConfig");
        assertThat(userRequests()).singleElement().satisfies(r -> assertThat(r.line()).matches(PROBE));
    }

    @Test
    void anOAuth2TokenIsObtainedAndUsedAsForProvisioning() throws Exception {
        settings.remove("scim.token");
        settings.put("scim.oauth2.token-url", scim.tokenUrl());
        settings.put("scim.oauth2.client-id", "provisioning-app");
        settings.put("scim.oauth2.client-secret", scim.config().tokenClient().clientSecret());

        JsonNode result = testConnection();

        assertThat(result.path("ok").asBoolean()).as(result.toString()).isTrue();
        assertThat(scim.tokenRequests()).hasSize(1);
        String issued = scim.tokenRequests().get(0).responseJson().path("access_token").asText();
        assertThat(userRequests()).singleElement()
                .satisfies(r -> assertThat(r.header("authorization")).isEqualTo("Bearer " + issued));
    }

    @Test
    void aTokenEndpointThatRejectsTheClientIsDiagnosedWithoutSendingTheProbe() throws Exception {
        settings.remove("scim.token");
        settings.put("scim.oauth2.token-url", scim.tokenUrl());
        settings.put("scim.oauth2.client-id", "provisioning-app");
        settings.put("scim.oauth2.client-secret", "wrong");

        JsonNode result = testConnection();

        assertThat(result.path("ok").asBoolean()).isFalse();
        assertThat(result.path("status").asInt()).isZero();
        assertThat(result.path("diagnosis").asText()).isEqualTo("Could not obtain a SCIM access token: the token"
                + " endpoint " + scim.tokenUrl() + " answered 401 invalid_client: Client authentication failed; check"
                + " scim.oauth2.client-id, scim.oauth2.client-secret and scim.oauth2.token-url");
        assertThat(userRequests()).isEmpty();
    }

    @Test
    void anUnreachablePortIsDiagnosedAsNoConnection() throws Exception {
        int port = EngineUnderTest.freePort();
        settings.put("scim.url", "http://127.0.0.1:" + port + "/scim/v2");

        JsonNode result = testConnection();

        assertThat(result.path("ok").asBoolean()).isFalse();
        assertThat(result.path("status").asInt()).isZero();
        assertThat(result.path("request").asText()).matches(PROBE);
        assertThat(result.path("diagnosis").asText()).isEqualTo("Cannot connect to 127.0.0.1:" + port
                + " (Connection refused): check scim.url and that the target is up and reachable from here"
                + " (firewall, proxy)");
    }

    @Test
    void anHttpsUrlToAPlainHttpServerThatAnswersIsDiagnosedAsATlsFailure() throws Exception {
        try (PlainHttpPort plain = new PlainHttpPort()) {
            settings.put("scim.url", "https://127.0.0.1:" + plain.port() + "/scim/v2");

            JsonNode result = testConnection();

            assertThat(result.path("ok").asBoolean()).isFalse();
            assertThat(result.path("status").asInt()).isZero();
            assertThat(result.path("diagnosis").asText())
                    .startsWith("TLS handshake with 127.0.0.1:" + plain.port() + " failed (")
                    .endsWith("): check that the target speaks HTTPS there, and that its certificate is trusted by"
                            + " this JVM and matches the host name");
        }
    }

    @Test
    void anHttpsUrlToAPlainHttpServerThatWaitsIsDiagnosedAsAnUnansweredTlsHandshake() throws Exception {
        String https = scim.baseUrl().replace("http://", "https://");
        settings.put("scim.url", https);
        settings.put("scim.connect-timeout", "1s");

        JsonNode result = testConnection();

        assertThat(result.path("ok").asBoolean()).isFalse();
        assertThat(result.path("status").asInt()).isZero();
        assertThat(result.path("diagnosis").asText()).isEqualTo("TLS handshake with 127.0.0.1:"
                + URI.create(https).getPort() + " got no answer (Read timed out): the target may not speak HTTPS on"
                + " that port; check scim.url");
    }

    @Test
    void aRejectedTokenIsDiagnosedAs401NamingTheSetting() throws Exception {
        settings.put("scim.token", "not-the-token");

        JsonNode result = testConnection();

        assertThat(result.path("ok").asBoolean()).isFalse();
        assertThat(result.path("status").asInt()).isEqualTo(401);
        assertThat(result.path("diagnosis").asText()).isEqualTo("The target rejected the credentials (401: A valid"
                + " bearer token is required): check scim.token");
    }

    @Test
    void aForbiddenAnswerIsDiagnosedAs403() throws Exception {
        engine = startEngine();
        scim.failNext(1, 403, null, "/Users");

        JsonNode result = post();

        assertThat(result.path("ok").asBoolean()).isFalse();
        assertThat(result.path("status").asInt()).isEqualTo(403);
        assertThat(result.path("diagnosis").asText()).isEqualTo("The target refused access (403: Injected failure"
                + " (failNext)): the credentials were accepted but may not read /Users; check the permissions of"
                + " scim.token in the target");
    }

    @Test
    void aBaseUrlWithoutScimBehindItIsDiagnosedAs404() throws Exception {
        String root = scim.baseUrl().replace("/scim/v2", "");
        settings.put("scim.url", root);

        JsonNode result = testConnection();

        assertThat(result.path("ok").asBoolean()).isFalse();
        assertThat(result.path("status").asInt()).isEqualTo(404);
        assertThat(result.path("diagnosis").asText()).isEqualTo(root + "/Users does not exist (404): scim.url is not"
                + " the target's SCIM base URL (the URL that /Users is under, e.g. https://scim.workplace.com)");
    }

    @Test
    void aWebPageAnsweringWith200IsDiagnosedAsNotAListResponse() throws Exception {
        stub(200, "text/html", "<html><body>Welcome to Contoso</body></html>");

        JsonNode result = testConnection();

        assertThat(result.path("ok").asBoolean()).isFalse();
        assertThat(result.path("status").asInt()).isEqualTo(200);
        assertThat(result.path("diagnosis").asText()).isEqualTo("The target answered 200, but not with a SCIM"
                + " ListResponse (no totalResults in the body): scim.url may point at a web page or at an API that"
                + " is not SCIM");
    }

    @Test
    void aTargetThatReturnsUsersForARandomValueIsDiagnosedAsIgnoringTheFilter() throws Exception {
        stub(200, "application/scim+json", """
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":2,
                 "Resources":[{"id":"1","userName":"adele@contoso.example"},{"id":"2","userName":"alex@contoso.example"}]}""");

        JsonNode result = testConnection();

        assertThat(result.path("ok").asBoolean()).isFalse();
        assertThat(result.path("status").asInt()).isEqualTo(200);
        assertThat(result.path("diagnosis").asText()).isEqualTo("The target answered 2 users for a random userName,"
                + " so it ignores the filter: matching would link users to the wrong accounts");
    }

    @Test
    void anyOtherStatusIsReportedWithTheScimDetail() throws Exception {
        stub(500, "application/scim+json", """
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"500",
                 "detail":"Directory backend is down"}""");

        JsonNode result = testConnection();

        assertThat(result.path("ok").asBoolean()).isFalse();
        assertThat(result.path("status").asInt()).isEqualTo(500);
        assertThat(result.path("diagnosis").asText())
                .isEqualTo("Unexpected answer: SCIM target answered 500: Directory backend is down");
    }

    @Test
    void getIsNotAllowed() throws Exception {
        engine = startEngine();

        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(adminUrl() + "/api/test-connection"))
                .GET().build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(userRequests()).isEmpty();
    }

    // ---- helpers

    /** Starts the engine with the settings, waits out its first (empty) cycle, and posts a Test Connection. */
    private JsonNode testConnection() throws Exception {
        engine = startEngine();
        return post();
    }

    private EngineUnderTest startEngine() throws Exception {
        EngineUnderTest started = EngineUnderTest.start(settings, dataDir);
        started.awaitInitialCycle();
        // The initial cycle lists the target's users (its match index); only Test Connection's requests count.
        scim.clearRequests();
        return started;
    }

    private JsonNode post() throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(adminUrl() + "/api/test-connection"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        JsonNode result = JSON.readTree(response.body());
        assertThat(result.fieldNames()).toIterable().containsExactly("ok", "diagnosis", "request", "status");
        assertThat(Files.readString(Path.of("target/test-logs/tests.log"))).doesNotContain(token);
        return result;
    }

    private String adminUrl() {
        return "http://127.0.0.1:" + settings.get("admin.port");
    }

    /**
     * A plain HTTP port that answers every connection at once with a 400, before reading anything, as some
     * servers do: a TLS client reads that as a record that is not TLS.
     */
    private static final class PlainHttpPort implements AutoCloseable {

        private final ServerSocket socket;

        PlainHttpPort() throws IOException {
            socket = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
            Thread acceptor = new Thread(this::answerAll, "plain-http-port");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        private void answerAll() {
            while (!socket.isClosed()) {
                try (Socket connection = socket.accept()) {
                    connection.getOutputStream().write(("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"
                            + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    // closed, or the client went away
                }
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** A target that answers every request the same way; scim.url points at it. */
    private void stub(int status, String contentType, String body) throws IOException {
        stub = LoopbackHttpServer.bind(0, 16, 2, "stub-target");
        stub.start(exchange -> answer(exchange, status, contentType, body));
        settings.put("scim.url", stub.url() + "/scim/v2");
    }

    private static void answer(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", contentType);
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
        }
    }
}
