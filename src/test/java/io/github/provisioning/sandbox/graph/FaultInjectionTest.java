package io.github.provisioning.sandbox.graph;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FaultInjectionTest extends SimulatedGraphTest {

    @BeforeEach
    void startWithSampleAndToken() {
        start(GraphSimulatorConfig.defaults()).populateSample(10, 4);
        client.token();
    }

    @Test
    void failNextAnswersTooManyRequestsWithRetryAfterThenRecovers() {
        graph.failNext(2, 429, "2.128");
        String url = graph.graphUrl() + "/users/delta?$select=displayName";

        GraphTestClient.Reply first = client.get(url);
        GraphTestClient.Reply second = client.get(url);
        GraphTestClient.Reply third = client.get(url);

        assertThat(first.status()).isEqualTo(429);
        assertThat(first.headers().firstValue("Retry-After")).hasValue("2.128");
        assertThat(first.body().at("/error/code").asText()).isEqualTo("TooManyRequests");
        assertThat(first.body().at("/error/innerError/request-id").asText()).isNotBlank();
        assertThat(second.status()).isEqualTo(429);
        assertThat(third.status()).isEqualTo(200);
    }

    @Test
    void failNextAnswersServiceUnavailableWithoutRetryAfterWhenNoneIsGiven() {
        graph.failNext(1, 503, null);

        GraphTestClient.Reply reply = client.get(graph.graphUrl() + "/users/delta");

        assertThat(reply.status()).isEqualTo(503);
        assertThat(reply.headers().firstValue("Retry-After")).isEmpty();
        assertThat(reply.body().at("/error/code").asText()).isEqualTo("serviceNotAvailable");
    }

    @Test
    void injectedFailuresComeBeforeAuthenticationAndSpareTheTokenEndpoint() {
        graph.failNext(1, 429, "1");

        GraphTestClient.Reply token = client.postForm(graph.tokenUrl(),
                GraphTestClient.clientCredentials(graph));
        GraphTestClient.Reply unauthenticated = client.get(graph.graphUrl() + "/users/delta", null);

        assertThat(token.status()).isEqualTo(200);
        assertThat(unauthenticated.status()).isEqualTo(429);
    }

    @Test
    void everyRequestIsRecordedWithMethodPathQueryHeadersAndStatus() throws Exception {
        graph.clearRequests();
        graph.failNext(1, 429, "1");
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String url = graph.graphUrl() + "/users/delta?$select=displayName,mail";
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + client.token())
                .header("client-request-id", "cafe-0001")
                .header("ConsistencyLevel", "eventual")
                .GET().build();

        http.send(request, HttpResponse.BodyHandlers.discarding());
        HttpResponse<String> ok = http.send(request, HttpResponse.BodyHandlers.ofString());

        List<GraphRequest> requests = graph.requests();
        assertThat(requests).extracting(GraphRequest::status).containsExactly(429, 200);
        GraphRequest recorded = requests.get(1);
        assertThat(recorded.method()).isEqualTo("GET");
        assertThat(recorded.path()).isEqualTo("/v1.0/users/delta");
        assertThat(recorded.query()).isEqualTo("$select=displayName,mail");
        assertThat(recorded.header("authorization")).hasValue("Bearer " + client.token());
        assertThat(recorded.header("consistencylevel")).hasValue("eventual");
        assertThat(recorded.receivedAt()).isAfterOrEqualTo(requests.get(0).receivedAt());
        assertThat(ok.headers().firstValue("client-request-id")).hasValue("cafe-0001");
        assertThat(ok.headers().firstValue("request-id")).isPresent();

        graph.clearRequests();
        assertThat(graph.requests()).isEmpty();
    }

    @Test
    void failNextOnTheTokenPathThrottlesTheTokenEndpointInEntrasShape() {
        graph.failNext(1, 429, "1", "/oauth2/v2.0/token$");

        GraphTestClient.Reply users = client.get(graph.graphUrl() + "/users/delta");
        GraphTestClient.Reply throttled = client.postForm(graph.tokenUrl(),
                GraphTestClient.clientCredentials(graph));
        GraphTestClient.Reply granted = client.postForm(graph.tokenUrl(),
                GraphTestClient.clientCredentials(graph));

        assertThat(users.status()).isEqualTo(200);
        assertThat(throttled.status()).isEqualTo(429);
        assertThat(throttled.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(throttled.body().path("error").asText()).isEqualTo("temporarily_unavailable");
        assertThat(throttled.body().path("error_description").asText()).startsWith("AADSTS50196: ");
        assertThat(throttled.body().path("error_codes").get(0).asInt()).isEqualTo(50196);
        assertThat(throttled.body().has("access_token")).isFalse();
        assertThat(granted.status()).isEqualTo(200);
        assertThat(granted.body().path("access_token").asText()).isNotBlank();
    }

    @Test
    void anOutageOfTheTokenEndpointAnswersATransientEntraError() {
        graph.failNext(1, 503, null, "/oauth2/v2.0/token$");

        GraphTestClient.Reply reply = client.postForm(graph.tokenUrl(),
                GraphTestClient.clientCredentials(graph));

        assertThat(reply.status()).isEqualTo(503);
        assertThat(reply.headers().firstValue("Retry-After")).isEmpty();
        assertThat(reply.body().path("error").asText()).isEqualTo("temporarily_unavailable");
        assertThat(reply.body().path("error_description").asText()).startsWith("AADSTS90033: ");
    }

    @Test
    void faultsOnPathsWaitTheirTurnAndLeaveOtherPathsAlone() {
        String group = graph.tenant().addGroup("Sales");
        graph.failNext(1, 503, "2", "/members$");
        graph.failNext(1, 429, "1", "/users/delta");
        graph.failNext(1, 504, null, "/users/delta");
        String members = graph.graphUrl() + "/groups/" + group + "/members";
        String delta = graph.graphUrl() + "/users/delta";
        String roles = graph.graphUrl() + "/servicePrincipals/" + graph.config().appId() + "/appRoleAssignedTo";

        List<Integer> statuses = List.of(client.get(roles).status(), client.get(delta).status(),
                client.get(members).status(), client.get(delta).status(), client.get(members).status(),
                client.get(delta).status());

        assertThat(statuses).containsExactly(200, 429, 503, 504, 200, 200);
        assertThat(graph.requests()).filteredOn(r -> r.status() == 503).singleElement()
                .satisfies(r -> assertThat(r.path()).endsWith("/members"));
    }

    @Test
    void slowNextAnswersNormallyButLateEnoughForAClientTimeout() throws Exception {
        graph.slowNext(1, Duration.ofSeconds(5), "/users/delta");
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(graph.graphUrl() + "/users/delta"))
                .header("Authorization", "Bearer " + client.token()).timeout(Duration.ofMillis(300)).GET().build();

        assertThatThrownBy(() -> http.send(request, HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(HttpTimeoutException.class);
        HttpResponse<String> next = http.send(request, HttpResponse.BodyHandlers.ofString());

        assertThat(next.statusCode()).isEqualTo(200);
        assertThat(graph.requests()).filteredOn(r -> r.path().endsWith("/users/delta")).hasSize(1);
    }

    @Test
    void aRandomProfileFaultsItsShareOfTheMatchingRequestsAndRepeatsItselfForTheSameSeed() {
        GraphFaults profile = GraphFaults.none().withSeed(11).withThrottling(0.2, "1").withUnavailable(0.1, null)
                .onPaths("/users/delta");
        String delta = graph.graphUrl() + "/users/delta?$select=displayName";
        String roles = graph.graphUrl() + "/servicePrincipals/" + graph.config().appId() + "/appRoleAssignedTo";

        graph.faults(profile);
        List<Integer> first = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            first.add(client.get(delta).status());
            assertThat(client.get(roles).status()).isEqualTo(200);
        }
        graph.faults(profile);
        List<Integer> second = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            second.add(client.get(delta).status());
        }

        assertThat(first).containsOnly(200, 429, 503).isEqualTo(second);
        assertThat(first.stream().filter(s -> s == 429).count()).isBetween(20L, 60L);
        assertThat(first.stream().filter(s -> s == 503).count()).isBetween(5L, 35L);
        GraphTestClient.Reply throttled = null;
        GraphTestClient.Reply unavailable = null;
        graph.faults(profile);
        while (throttled == null || unavailable == null) {
            GraphTestClient.Reply reply = client.get(delta);
            throttled = reply.status() == 429 ? reply : throttled;
            unavailable = reply.status() == 503 ? reply : unavailable;
        }
        assertThat(throttled.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(throttled.body().at("/error/code").asText()).isEqualTo("TooManyRequests");
        assertThat(unavailable.headers().firstValue("Retry-After")).isEmpty();
        assertThat(unavailable.body().at("/error/code").asText()).isEqualTo("serviceNotAvailable");

        graph.clearFaults();
        assertThat(client.get(delta).status()).isEqualTo(200);
    }
}
