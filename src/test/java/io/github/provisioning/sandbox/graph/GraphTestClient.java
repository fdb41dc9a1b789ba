package io.github.provisioning.sandbox.graph;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** Talks to a simulator over real HTTP, as the engine will. */
final class GraphTestClient {

    static final ObjectMapper JSON = new ObjectMapper();

    record Reply(int status, HttpHeaders headers, JsonNode body) {
    }

    /** The pages of one delta round, followed from the first URL to the deltaLink. */
    record DeltaRound(List<JsonNode> pages, String deltaLink) {

        List<JsonNode> entries() {
            List<JsonNode> entries = new ArrayList<>();
            pages.forEach(page -> page.get("value").forEach(entries::add));
            return entries;
        }

        List<String> ids() {
            return entries().stream().map(entry -> entry.get("id").asText()).toList();
        }
    }

    private final GraphSimulator graph;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private String token;

    GraphTestClient(GraphSimulator graph) {
        this.graph = graph;
    }

    /** The client-credentials form for {@code graph}: its app registration's secret, the scope of its Graph. */
    static Map<String, String> clientCredentials(GraphSimulator graph) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "client_credentials");
        form.put("client_id", graph.config().clientId());
        form.put("client_secret", graph.config().clientSecret());
        form.put("scope", graph.loginUrl() + "/.default");
        return form;
    }

    Reply postForm(String url, Map<String, String> form) {
        String body = form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    String token() {
        if (token == null) {
            Reply reply = postForm(graph.tokenUrl(), clientCredentials(graph));
            assertThat(reply.status()).isEqualTo(200);
            token = reply.body().get("access_token").asText();
        }
        return token;
    }

    Reply get(String url) {
        return get(url, "Bearer " + token());
    }

    Reply get(String url, String authorization) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return send(request.build());
    }

    /** Follows nextLinks until the deltaLink, checking the shape of every page on the way. */
    DeltaRound round(String url) {
        return round(url, () -> { });
    }

    DeltaRound round(String url, Runnable afterEachPage) {
        List<JsonNode> pages = new ArrayList<>();
        String next = url;
        while (true) {
            String current = next;
            Reply reply = get(current);
            assertThat(reply.status()).as(() -> "status of " + current + ": " + reply.body()).isEqualTo(200);
            JsonNode page = reply.body();
            assertThat(page.has("@odata.context")).isTrue();
            assertThat(page.get("value").isArray()).isTrue();
            pages.add(page);
            afterEachPage.run();
            assertThat(page.has("@odata.nextLink") ^ page.has("@odata.deltaLink"))
                    .as("exactly one of nextLink and deltaLink").isTrue();
            if (page.has("@odata.deltaLink")) {
                return new DeltaRound(pages, page.get("@odata.deltaLink").asText());
            }
            next = page.get("@odata.nextLink").asText();
            assertThat(pages).as("a round that never ends").hasSizeLessThan(100_000);
        }
    }

    private Reply send(HttpRequest request) {
        try {
            HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            JsonNode body = response.body().length == 0 ? null : JSON.readTree(response.body());
            return new Reply(response.statusCode(), response.headers(), body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
