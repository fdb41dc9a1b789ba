package io.github.provisioning.sandbox.graph;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class TokenEndpointTest extends SimulatedGraphTest {

    @Test
    void clientCredentialsGrantReturnsABearerTokenWithItsLifetime() {
        start(GraphSimulatorConfig.defaults().withTokenLifetimeSeconds(3599));

        GraphTestClient.Reply reply = client.postForm(graph.tokenUrl(),
                GraphTestClient.clientCredentials(graph));

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body().get("token_type").asText()).isEqualTo("Bearer");
        assertThat(reply.body().get("expires_in").asInt()).isEqualTo(3599);
        assertThat(reply.body().get("ext_expires_in").asInt()).isEqualTo(3599);
        assertThat(reply.body().get("access_token").asText()).hasSizeGreaterThan(40);
        assertThat(reply.headers().firstValue("Cache-Control")).hasValueSatisfying(v -> assertThat(v).contains("no-store"));
    }

    @Test
    void tokenUrlIsTheLoginUrlFollowedByTheTenant() {
        start(GraphSimulatorConfig.defaults());

        assertThat(graph.tokenUrl()).isEqualTo(graph.loginUrl() + "/" + graph.config().tenantId()
                + "/oauth2/v2.0/token");
        assertThat(graph.loginUrl()).matches("http://127\\.0\\.0\\.1:\\d+");
        assertThat(graph.graphUrl()).isEqualTo(graph.loginUrl() + "/v1.0");
    }

    @Test
    void wrongSecretIsRejectedAsInvalidClientWithAadstsDetails() {
        start(GraphSimulatorConfig.defaults());
        Map<String, String> form = GraphTestClient.clientCredentials(graph);
        form.put("client_secret", "not-the-secret");

        GraphTestClient.Reply reply = client.postForm(graph.tokenUrl(), form);

        assertThat(reply.status()).isEqualTo(401);
        JsonNode body = reply.body();
        assertThat(body.get("error").asText()).isEqualTo("invalid_client");
        assertThat(body.get("error_description").asText()).startsWith("AADSTS7000215: Invalid client secret provided.");
        assertThat(body.get("error_codes").get(0).asInt()).isEqualTo(7000215);
        assertThat(body.has("timestamp")).isTrue();
        assertThat(body.has("trace_id")).isTrue();
        assertThat(body.has("correlation_id")).isTrue();
    }

    @Test
    void unknownClientIsAnUnauthorizedClient() {
        start(GraphSimulatorConfig.defaults());
        Map<String, String> form = GraphTestClient.clientCredentials(graph);
        form.put("client_id", "11111111-2222-3333-4444-555555555555");

        GraphTestClient.Reply reply = client.postForm(graph.tokenUrl(), form);

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.body().get("error").asText()).isEqualTo("unauthorized_client");
        assertThat(reply.body().get("error_codes").get(0).asInt()).isEqualTo(700016);
    }

    @Test
    void unknownTenantIsAnInvalidRequest() {
        start(GraphSimulatorConfig.defaults());

        GraphTestClient.Reply reply = client.postForm(graph.loginUrl() + "/not-our-tenant/oauth2/v2.0/token",
                GraphTestClient.clientCredentials(graph));

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.body().get("error").asText()).isEqualTo("invalid_request");
        assertThat(reply.body().get("error_description").asText()).startsWith("AADSTS90002:");
    }

    @Test
    void scopeWithoutDefaultSuffixIsAnInvalidScope() {
        start(GraphSimulatorConfig.defaults());
        Map<String, String> form = GraphTestClient.clientCredentials(graph);
        form.put("scope", "User.Read.All");

        GraphTestClient.Reply reply = client.postForm(graph.tokenUrl(), form);

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.body().get("error").asText()).isEqualTo("invalid_scope");
    }

    @Test
    void grantOtherThanClientCredentialsIsUnsupported() {
        start(GraphSimulatorConfig.defaults());
        Map<String, String> form = GraphTestClient.clientCredentials(graph);
        form.put("grant_type", "password");

        GraphTestClient.Reply reply = client.postForm(graph.tokenUrl(), form);

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.body().get("error").asText()).isEqualTo("unsupported_grant_type");
    }

    @Test
    void graphCallWithoutTokenIsUnauthenticated() {
        start(GraphSimulatorConfig.defaults());

        GraphTestClient.Reply reply = client.get(graph.graphUrl() + "/users/delta", null);

        assertThat(reply.status()).isEqualTo(401);
        JsonNode error = reply.body().get("error");
        assertThat(error.get("code").asText()).isEqualTo("InvalidAuthenticationToken");
        assertThat(error.get("message").asText()).isEqualTo("Access token is empty.");
        assertThat(error.get("innerError").has("date")).isTrue();
        assertThat(error.get("innerError").has("request-id")).isTrue();
        assertThat(error.get("innerError").has("client-request-id")).isTrue();
        assertThat(reply.headers().firstValue("WWW-Authenticate")).isPresent();
    }

    @Test
    void graphCallWithATokenNeverIssuedIsUnauthenticated() {
        start(GraphSimulatorConfig.defaults());

        GraphTestClient.Reply reply = client.get(graph.graphUrl() + "/users/delta", "Bearer made-up");

        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.body().at("/error/code").asText()).isEqualTo("InvalidAuthenticationToken");
    }

    @Test
    void expiredTokenIsUnauthenticatedUntilANewOneIsFetched() {
        start(GraphSimulatorConfig.defaults().withTokenLifetimeSeconds(1));
        String token = client.token();
        assertThat(client.get(graph.graphUrl() + "/users/delta", "Bearer " + token).status()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            GraphTestClient.Reply reply = client.get(graph.graphUrl() + "/users/delta", "Bearer " + token);
            assertThat(reply.status()).isEqualTo(401);
            assertThat(reply.body().at("/error/message").asText()).contains("token is expired");
        });

        GraphTestClient fresh = new GraphTestClient(graph);
        assertThat(fresh.get(graph.graphUrl() + "/users/delta").status()).isEqualTo(200);
    }
}
