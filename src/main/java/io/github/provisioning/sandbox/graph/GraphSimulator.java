package io.github.provisioning.sandbox.graph;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.github.provisioning.sandbox.http.LoopbackHttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An in-process fake of the Microsoft identity platform token endpoint and the Microsoft Graph v1.0 endpoints the
 * provisioning engine reads, served over HTTP on 127.0.0.1. The directory behind it is {@link #tenant()}.
 *
 * <pre>{@code
 * try (GraphSimulator graph = GraphSimulator.start(GraphSimulatorConfig.defaults())) {
 *     graph.tenant().populateSample(50, 42);
 *     // token: POST graph.loginUrl() + "/" + tenantId + "/oauth2/v2.0/token"
 *     // users: GET  graph.graphUrl() + "/users/delta?$select=displayName,mail"
 * }
 * }</pre>
 */
public final class GraphSimulator implements AutoCloseable {

    /** Enough for any test; a sandbox left running for days keeps only the latest requests. */
    static final int RECORDED_REQUESTS_LIMIT = 10_000;
    private static final Pattern TOKEN_PATH = Pattern.compile("^/([^/]+)/oauth2/v2\\.0/token/?$");
    private static final String GRAPH_CONTENT_TYPE =
            "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Reply(int status, ObjectNode body, Map<String, String> headers) {
    }

    private final GraphSimulatorConfig config;
    private final LoopbackHttpServer server;
    private final String loginUrl;
    private final String graphUrl;
    private final Tenant tenant = new Tenant();
    private final TokenEndpoint tokens;
    private final GraphApi api;
    private final Deque<GraphRequest> recorded = new ArrayDeque<>();
    private final InjectedFaults faults = new InjectedFaults();

    private GraphSimulator(GraphSimulatorConfig config, LoopbackHttpServer server) {
        this.config = config;
        this.server = server;
        this.loginUrl = server.url();
        this.graphUrl = loginUrl + "/v1.0";
        this.tokens = new TokenEndpoint(config, loginUrl);
        this.api = new GraphApi(tenant, config, tokens, graphUrl, loginUrl);
        server.start(this::exchange);
    }

    /**
     * Runs a sandbox Graph until the process is stopped:
     * {@code java -cp provisioning.jar io.github.provisioning.sandbox.graph.GraphSimulator [port] [users] [seed]}
     * (defaults: a free port, 50 users, seed 42).
     */
    public static void main(String[] args) throws InterruptedException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        int users = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        long seed = args.length > 2 ? Long.parseLong(args[2]) : 42;
        GraphSimulatorConfig config = GraphSimulatorConfig.defaults().withPort(port);
        GraphSimulator graph = start(config);
        graph.tenant().populateSample(users, seed);
        Runtime.getRuntime().addShutdownHook(new Thread(graph::close, "graph-simulator-shutdown"));
        System.out.printf("Graph simulator with %d sample users%n  token URL     %s%n  Graph URL     %s%n"
                        + "  scope         %s%n  client id     %s%n  client secret %s%n  app (SP) id   %s%n",
                users, graph.tokenUrl(), graph.graphUrl(), graph.loginUrl() + "/.default", config.clientId(),
                config.clientSecret(), config.appId());
        new CountDownLatch(1).await();
    }

    /** Binds 127.0.0.1:{@code config.port()} (0 picks a free port) and starts answering. */
    public static GraphSimulator start(GraphSimulatorConfig config) {
        try {
            // Threads enough for a client's parallel requests while some of them are answered slowly.
            return new GraphSimulator(config, LoopbackHttpServer.bind(config.port(), 64, 16, "graph-simulator"));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot bind 127.0.0.1:" + config.port(), e);
        }
    }

    /** "http://127.0.0.1:PORT"; the token endpoint is {@code loginUrl() + "/" + tenantId + "/oauth2/v2.0/token"}. */
    public String loginUrl() {
        return loginUrl;
    }

    /** "http://127.0.0.1:PORT/v1.0". */
    public String graphUrl() {
        return graphUrl;
    }

    public String tokenUrl() {
        return loginUrl + "/" + config.tenantId() + "/oauth2/v2.0/token";
    }

    public int port() {
        return server.port();
    }

    public GraphSimulatorConfig config() {
        return config;
    }

    /** The mutable directory behind the endpoints. */
    public Tenant tenant() {
        return tenant;
    }

    /** The requests answered so far, oldest first (at most the latest 10,000). */
    public List<GraphRequest> requests() {
        synchronized (recorded) {
            return List.copyOf(recorded);
        }
    }

    public void clearRequests() {
        synchronized (recorded) {
            recorded.clear();
        }
    }

    /**
     * The next {@code count} requests to /v1.0 answer {@code status} with a Graph error body (TooManyRequests for
     * 429, serviceNotAvailable for 503...) before authentication or any other handling.
     *
     * @param retryAfterOrNull the Retry-After header value, e.g. "2" or "2.128"; null sends none
     */
    public void failNext(int count, int status, String retryAfterOrNull) {
        failNext(count, status, retryAfterOrNull, "^/v1\\.0(/|$)");
    }

    /**
     * As {@link #failNext(int, int, String)}, for the next {@code count} requests to any endpoint whose raw path
     * {@code pathPattern} finds (a regular expression): {@code "/users/delta"}, {@code "/members$"}, or
     * {@code "/oauth2/v2.0/token$"} for the token endpoint, which answers in Entra's shape
     * ({@code {"error":"temporarily_unavailable","error_description":"AADSTS…"}}). Faults asked for one after the
     * other wait their turn: each request takes the first one whose pattern it matches.
     */
    public void failNext(int count, int status, String retryAfterOrNull, String pathPattern) {
        if (count < 0 || status < 400 || status > 599) {
            throw new IllegalArgumentException("count must be >= 0 and status an error status");
        }
        faults.next(count, Pattern.compile(pathPattern), InjectedFaults.Fault.error(status, retryAfterOrNull));
    }

    /**
     * The next {@code count} requests whose raw path {@code pathPattern} finds are handled as usual, but answered
     * only after {@code delay}: long enough, a client's response timeout ends the wait first.
     */
    public void slowNext(int count, Duration delay, String pathPattern) {
        if (count < 0 || delay.isNegative()) {
            throw new IllegalArgumentException("count and delay must not be negative");
        }
        faults.next(count, Pattern.compile(pathPattern), InjectedFaults.Fault.slow(delay));
    }

    /**
     * Applies a random fault profile to every later request, after any {@link #failNext} or {@link #slowNext}
     * faults; the profile's random decisions start again from its seed.
     */
    public void faults(GraphFaults profile) {
        if (profile == null) {
            throw new IllegalArgumentException("faults must not be null; use GraphFaults.none()");
        }
        faults.profile(profile);
    }

    public GraphFaults faults() {
        return faults.profile();
    }

    /** Forgets every fault asked for: the next requests are answered at once. */
    public void clearFaults() {
        faults.clear();
    }

    /**
     * Forgets every sync state: delta links and skip tokens issued so far answer 400 syncStateNotFound, as
     * they do in Graph after seven days. Lets tests drive a full resync.
     */
    public void invalidateDeltaTokens() {
        api.invalidateTokens();
    }

    @Override
    public void close() {
        server.close();
    }

    // --- HTTP -----------------------------------------------------------------------------------------------

    private void exchange(HttpExchange exchange) {
        Instant receivedAt = Instant.now();
        String requestId = UUID.randomUUID().toString();
        String clientRequestId = exchange.getRequestHeaders().getFirst("client-request-id");
        String path = exchange.getRequestURI().getRawPath();
        String query = exchange.getRequestURI().getRawQuery();
        InjectedFaults.Fault fault = faults.take(path);
        Reply reply;
        try {
            if (fault != null && fault.slow()) {
                // A simulator thread waits; the pool is sized so that slow answers do not starve the others.
                TimeUnit.NANOSECONDS.sleep(fault.delay().toNanos());
            }
            reply = fault != null && !fault.slow() ? injected(fault, path, requestId, clientRequestId)
                    : route(exchange, path, query, requestId, clientRequestId);
        } catch (InterruptedException closing) {
            // The simulator is closing while a slow answer waits; the connection closes unanswered.
            Thread.currentThread().interrupt();
            exchange.close();
            return;
        } catch (GraphError error) {
            reply = new Reply(error.status, error.body(requestId, clientRequestIdOr(clientRequestId, requestId)),
                    error.headers);
        } catch (RuntimeException unexpected) {
            GraphError error = new GraphError(500, "generalException", String.valueOf(unexpected));
            reply = new Reply(500, error.body(requestId, clientRequestIdOr(clientRequestId, requestId)), Map.of());
        }
        record(exchange, path, query, reply.status(), receivedAt);
        try {
            send(exchange, reply, path, requestId, clientRequestIdOr(clientRequestId, requestId));
        } catch (IOException clientWentAway) {
            // nothing to answer to
        } finally {
            exchange.close();
        }
    }

    private Reply route(HttpExchange exchange, String path, String query, String requestId,
                        String clientRequestId) throws GraphError {
        String method = exchange.getRequestMethod();
        if (path.equals("/v1.0") || path.startsWith("/v1.0/")) {
            List<String> segments = new ArrayList<>();
            for (String segment : path.substring("/v1.0".length()).split("/")) {
                if (!segment.isEmpty()) {
                    segments.add(URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8));
                }
            }
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            return new Reply(200, api.handle(method, segments, query, authorization), Map.of());
        }
        Matcher token = TOKEN_PATH.matcher(path);
        if (token.matches()) {
            String tenantSegment = URLDecoder.decode(token.group(1), StandardCharsets.UTF_8);
            TokenEndpoint.Outcome outcome = tokens.issue(method, tenantSegment, form(exchange));
            return new Reply(outcome.status(), outcome.body(), Map.of());
        }
        throw new GraphError(404, "NotFound", "The Graph simulator serves /v1.0/... and /{tenant}/oauth2/v2.0/token"
                + " only, not " + path + ".");
    }

    /**
     * An injected error, before authentication or any other handling: in Entra's shape from the token endpoint,
     * in Graph's from everywhere else.
     */
    private Reply injected(InjectedFaults.Fault fault, String path, String requestId, String clientRequestId) {
        if (TOKEN_PATH.matcher(path).matches()) {
            TokenEndpoint.Outcome outcome = tokens.injected(fault.status());
            return new Reply(outcome.status(), outcome.body(),
                    fault.retryAfter() == null ? Map.of() : Map.of("Retry-After", fault.retryAfter()));
        }
        GraphError error = GraphError.injected(fault.status(), fault.retryAfter());
        return new Reply(error.status, error.body(requestId, clientRequestIdOr(clientRequestId, requestId)),
                error.headers);
    }

    private static Map<String, String> form(HttpExchange exchange) {
        String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
        String body;
        try (InputStream in = exchange.getRequestBody()) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> form = new HashMap<>();
        if (contentType == null || !contentType.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
            return form; // Entra reads parameters from a form body only
        }
        for (String pair : body.split("&")) {
            if (!pair.isEmpty()) {
                String[] parts = pair.split("=", 2);
                form.putIfAbsent(URLDecoder.decode(parts[0], StandardCharsets.UTF_8),
                        parts.length == 2 ? URLDecoder.decode(parts[1], StandardCharsets.UTF_8) : "");
            }
        }
        return form;
    }

    private void record(HttpExchange exchange, String path, String query, int status, Instant receivedAt) {
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        exchange.getRequestHeaders().forEach((name, values) -> headers.put(name, List.copyOf(values)));
        GraphRequest request = new GraphRequest(exchange.getRequestMethod(), path, query == null ? "" : query,
                Collections.unmodifiableMap(headers), status, receivedAt);
        synchronized (recorded) {
            if (recorded.size() == RECORDED_REQUESTS_LIMIT) {
                recorded.removeFirst();
            }
            recorded.addLast(request);
        }
    }

    private static void send(HttpExchange exchange, Reply reply, String path, String requestId,
                             String clientRequestId) throws IOException {
        byte[] body = JSON.writeValueAsBytes(reply.body() == null ? JsonNodeFactory.instance.objectNode()
                : reply.body());
        var headers = exchange.getResponseHeaders();
        reply.headers().forEach(headers::set);
        if (path.startsWith("/v1.0")) {
            headers.set("Content-Type", GRAPH_CONTENT_TYPE);
            headers.set("request-id", requestId);
            headers.set("client-request-id", clientRequestId);
            headers.set("OData-Version", "4.0");
        } else {
            headers.set("Content-Type", "application/json; charset=utf-8");
            headers.set("Cache-Control", "no-store, no-cache");
            headers.set("Pragma", "no-cache");
            headers.set("x-ms-request-id", requestId);
        }
        exchange.sendResponseHeaders(reply.status(), body.length);
        exchange.getResponseBody().write(body);
    }

    private static String clientRequestIdOr(String clientRequestId, String requestId) {
        return clientRequestId != null ? clientRequestId : requestId;
    }
}
