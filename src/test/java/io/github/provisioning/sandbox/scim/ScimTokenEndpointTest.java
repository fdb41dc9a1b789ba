package io.github.provisioning.sandbox.scim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The sandbox's OAuth2 and Meta token endpoints, and that the target accepts exactly the live tokens they issued. */
class ScimTokenEndpointTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final ScimSandbox scim = ScimSandbox.start(ScimSandboxConfig.defaults().withTokenClient("app", "s&cret"));

    @AfterEach
    void stop() {
        scim.close();
    }

    @Test
    void clientCredentialsInTheFormGetATokenTheTargetAccepts() throws Exception {
        HttpResponse<String> issued = form(scim.tokenUrl(),
                "grant_type=client_credentials&client_id=app&client_secret=" + encode("s&cret") + "&scope=scim", null);

        assertThat(issued.statusCode()).isEqualTo(200);
        assertThat(issued.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode json = JSON.readTree(issued.body());
        assertThat(json.path("token_type").asText()).isEqualTo("Bearer");
        assertThat(json.path("expires_in").asInt()).isEqualTo(3600);
        assertThat(json.path("scope").asText()).isEqualTo("scim");
        assertThat(usersWith(json.path("access_token").asText())).isEqualTo(200);
        assertThat(usersWith("made-up")).isEqualTo(401);
        assertThat(scim.tokenRequests()).singleElement().satisfies(r -> assertThat(r.line()).isEqualTo("POST /oauth2/token"));
        assertThat(scim.requests()).extracting(RecordedRequest::status).containsExactly(200, 401);
    }

    @Test
    void httpBasicClientAuthenticationWorksToo() throws Exception {
        String basic = Base64.getEncoder().encodeToString(("app:" + encode("s&cret")).getBytes(StandardCharsets.UTF_8));

        HttpResponse<String> issued = form(scim.tokenUrl(), "grant_type=client_credentials", "Basic " + basic);

        assertThat(issued.statusCode()).isEqualTo(200);
    }

    @Test
    void aWrongSecretOrGrantIsRefusedTheOAuth2Way() throws Exception {
        HttpResponse<String> wrongSecret = form(scim.tokenUrl(),
                "grant_type=client_credentials&client_id=app&client_secret=nope", null);
        HttpResponse<String> wrongGrant = form(scim.tokenUrl(), "grant_type=password&client_id=app", null);

        assertThat(wrongSecret.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(wrongSecret.body()).path("error").asText()).isEqualTo("invalid_client");
        assertThat(wrongGrant.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(wrongGrant.body()).path("error").asText()).isEqualTo("unsupported_grant_type");
    }

    @Test
    void revokedTokensAreRejected() throws Exception {
        String token = JSON.readTree(form(scim.tokenUrl(),
                "grant_type=client_credentials&client_id=app&client_secret=" + encode("s&cret"), null).body())
                .path("access_token").asText();

        scim.revokeIssuedTokens();

        assertThat(usersWith(token)).isEqualTo(401);
    }

    @Test
    void metaIssuesOneActiveTokenWithoutExpiryForTheAppIdAndSecret() throws Exception {
        String formBody = "access_token=" + encode("app|s&cret") + "&grant_type=client_credentials";

        JsonNode first = JSON.readTree(form(scim.metaTokenUrl(), formBody, null).body());
        JsonNode second = JSON.readTree(form(scim.metaTokenUrl(), formBody, null).body());
        HttpResponse<String> wrong = form(scim.metaTokenUrl(),
                "access_token=" + encode("app|nope") + "&grant_type=client_credentials", null);

        assertThat(first.has("expires_in")).isFalse();
        assertThat(usersWith(first.path("access_token").asText())).isEqualTo(401);
        assertThat(usersWith(second.path("access_token").asText())).isEqualTo(200);
        assertThat(wrong.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(wrong.body()).path("error").path("type").asText()).isEqualTo("OAuthException");
    }

    @Test
    void withoutATokenClientThereAreNoTokenEndpoints() throws Exception {
        try (ScimSandbox plain = ScimSandbox.start(ScimSandboxConfig.defaults())) {
            assertThat(form(plain.tokenUrl(), "grant_type=client_credentials", null).statusCode()).isEqualTo(404);
            assertThat(plain.tokenRequests()).isEmpty();
        }
    }

    private int usersWith(String token) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(scim.baseUrl() + "/Users"))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private static HttpResponse<String> form(String url, String body, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
