package io.github.provisioning.sandbox.graph;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

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
                GraphTestClient.clientCredentials(graph.config()));
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
}
