package io.github.provisioning.sandbox.scim;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.unboundid.scim2.common.exceptions.ScimException;
import io.github.provisioning.sandbox.http.LoopbackHttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import io.github.provisioning.sandbox.scim.ScimExchange.Request;
import io.github.provisioning.sandbox.scim.ScimExchange.Response;

/**
 * An in-memory SCIM 2.0 service provider (RFC 7643/7644) on real HTTP, bound to 127.0.0.1. Users point the
 * provisioning bundle at {@link #baseUrl()} to try it; tests assert on {@link #requests()} and on the stored
 * resources. Filters, attribute paths and PATCH are handled by the UnboundID SCIM 2 SDK. {@link #failNext} and
 * {@link #faults(ScimFaults)} make it throttle, fail, answer slowly or lose replies, like a real target on a bad day;
 * {@link #holdReply} holds one answer back while a test kills its client; {@link #latency(Duration)} makes it answer
 * like a target across a network.
 *
 * <pre>{@code
 * try (ScimSandbox scim = ScimSandbox.start(ScimSandboxConfig.defaults().withBearerToken("secret"))) {
 *     // provision against scim.baseUrl(), then:
 *     assertThat(scim.userByUserName("adele@contoso.com")).isPresent();
 * }
 * }</pre>
 */
public final class ScimSandbox implements AutoCloseable {

    static {
        // JDK HttpServer writes headers and body separately; with Nagle on, every keep-alive response can wait
        // for a delayed ACK (~40 ms). Read once when the server classes load, so set it before we create one.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private static final String BASE_PATH = "/scim/v2";

    /** An injected failure for the next {@code remaining} requests. */
    /** @param pathPrefix only requests whose path (below the base URL) starts with this count; "" for all */
    private record Fault(int remaining, int status, String retryAfter, String pathPrefix) {
    }

    private final ScimSandboxConfig config;
    private final LoopbackHttpServer server;
    private final String baseUrl;
    private final ScimService service;
    private final RequestJournal journal;
    private final TokenIssuer tokens;
    private final RequestJournal tokenJournal = new RequestJournal(RequestJournal.UNBOUNDED);
    private final AtomicReference<Fault> fault = new AtomicReference<>();
    private final AtomicReference<HeldReply> held = new AtomicReference<>();
    private volatile FaultSchedule schedule = new FaultSchedule(ScimFaults.none());
    private final AtomicLongArray injected = new AtomicLongArray(InjectedFault.values().length);
    private volatile Consumer<RecordedRequest> listener = request -> { };
    private volatile RateLimit rateLimit;
    private volatile Duration latency = Duration.ZERO;

    private ScimSandbox(ScimSandboxConfig config, LoopbackHttpServer server) {
        this.config = config;
        this.server = server;
        this.baseUrl = server.url() + BASE_PATH;
        this.service = new ScimService(baseUrl, config.groupsEnabled(), config.patchSupported(),
                config.filterSupported());
        this.journal = new RequestJournal(config.maxRecordedRequests());
        this.tokens = config.tokenClient() == null ? null : new TokenIssuer(config.tokenClient());
        server.start(this::exchange);
    }

    /** Starts serving on {@code 127.0.0.1:config.port()} (0 picks a free port). */
    public static ScimSandbox start(ScimSandboxConfig config) {
        try {
            return new ScimSandbox(config, LoopbackHttpServer.bind(config.port(), 1024, config.threads(),
                    "scim-sandbox"));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the SCIM sandbox on port " + config.port(), e);
        }
    }

    /** {@code http://127.0.0.1:PORT/scim/v2}, without a trailing slash. */
    public String baseUrl() {
        return baseUrl;
    }

    public ScimSandboxConfig config() {
        return config;
    }

    /**
     * The OAuth2 client-credentials token endpoint, {@code http://127.0.0.1:PORT/oauth2/token}; served only with
     * a {@link ScimSandboxConfig#withTokenClient token client}.
     */
    public String tokenUrl() {
        return server.url() + TokenIssuer.OAUTH2_PATH;
    }

    /** Meta's token endpoint, {@code http://127.0.0.1:PORT/work_get_token}; served only with a token client. */
    public String metaTokenUrl() {
        return server.url() + TokenIssuer.META_PATH;
    }

    /** Every request to the token endpoints, in order of arrival; they are not in {@link #requests()}. */
    public List<RecordedRequest> tokenRequests() {
        return tokenJournal.requests();
    }

    /** Every token the token endpoints issued so far is rejected from now on (401), as if it had expired. */
    public void revokeIssuedTokens() {
        if (tokens != null) {
            tokens.revokeAll();
        }
    }

    /** Every request so far, in order of arrival, including rejected ones. */
    public List<RecordedRequest> requests() {
        return journal.requests();
    }

    public void clearRequests() {
        journal.clear();
    }

    /**
     * Hands every request that {@link #requests()} would hold to {@code listener} once it is answered (token
     * requests excluded), on the thread that answered it. A long benchmark streams requests to a file this way
     * while the journal keeps none ({@link ScimSandboxConfig#withMaxRecordedRequests(int)} 0).
     */
    public void onRequest(Consumer<RecordedRequest> newListener) {
        listener = newListener == null ? request -> { } : newListener;
    }

    /**
     * Throttles like a target with a published rate limit: beyond {@code requestsPerSecond} (a token bucket
     * holding one second's worth), requests are answered 429 with {@code Retry-After: 1} and not applied. They count
     * as {@link InjectedFault#THROTTLED}. 0 turns the limit off.
     */
    public void rateLimit(double requestsPerSecond) {
        if (!(requestsPerSecond >= 0)) {
            throw new IllegalArgumentException("requestsPerSecond must be 0 or more but was " + requestsPerSecond);
        }
        rateLimit = requestsPerSecond == 0 ? null : new RateLimit(requestsPerSecond);
    }

    /**
     * Holds every answer back by {@code newLatency} after the request was applied, token requests and 429s
     * included, like a target across a network; {@link Duration#ZERO} (the default) answers at once. Unlike a
     * {@link ScimFaults#slowDelay() slow reply} this is no fault: requests are recorded, counted and rate-limited
     * as without it. Each waiting answer holds a pool thread, so {@link ScimSandboxConfig#threads()} should cover
     * the requests in flight.
     */
    public void latency(Duration newLatency) {
        if (newLatency == null || newLatency.isNegative()) {
            throw new IllegalArgumentException("latency must be zero or positive but was " + newLatency);
        }
        latency = newLatency;
    }

    /** How long every answer is held back, {@link Duration#ZERO} unless set. */
    public Duration latency() {
        return latency;
    }

    /** When each recorded request arrived, in order of arrival. */
    public List<Instant> requestTimes() {
        return journal.requests().stream().map(RecordedRequest::time).toList();
    }

    /**
     * How many times {@code POST /Users} created a user with this userName (matched case-insensitively), by the
     * journal: answered 201, or applied with a {@link InjectedFault#DROPPED_REPLY dropped} 201. More than one
     * means the same account was created twice. Requests dropped from a bounded journal are not counted.
     */
    public long countCreates(String userName) {
        return createsByUserName().getOrDefault(userName.toLowerCase(Locale.ROOT), 0L);
    }

    /** {@link #countCreates(String)} for every userName ever created, keyed by lower-case userName. */
    public Map<String, Long> createsByUserName() {
        Map<String, Long> creates = new LinkedHashMap<>();
        for (RecordedRequest r : journal.requests()) {
            // A 201 is only ever decided by normal handling, so injected 429/5xx answers never count here.
            if (r.method().equals("POST") && r.status() == 201 && isUsersEndpoint(r.path())) {
                String userName = r.json().path("userName").asText(null);
                if (userName != null) {
                    creates.merge(userName.toLowerCase(Locale.ROOT), 1L, Long::sum);
                }
            }
        }
        return creates;
    }

    private static boolean isUsersEndpoint(String path) {
        return Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toList().equals(List.of("Users"));
    }

    /** All users in creation order; copies, so changing them does not change the sandbox. */
    public List<ObjectNode> users() {
        return copies(service.users());
    }

    public Optional<ObjectNode> user(String id) {
        return copy(service.users().get(id));
    }

    /** The user whose userName matches case-insensitively (userName is caseExact=false in RFC 7643). */
    public Optional<ObjectNode> userByUserName(String userName) {
        return copy(service.users().byUniqueName(userName));
    }

    public List<ObjectNode> groups() {
        return copies(service.groups());
    }

    public Optional<ObjectNode> group(String id) {
        return copy(service.groups().get(id));
    }

    /** The group whose displayName matches case-insensitively. */
    public Optional<ObjectNode> groupByDisplayName(String displayName) {
        return copy(service.groups().byUniqueName(displayName));
    }

    /**
     * Stores a user that "already exists in the target", without recording a request. The same rules as
     * {@code POST /Users} apply. An {@code id} in the object is kept (to mirror a known account); otherwise one
     * is assigned.
     *
     * @return the user's id
     * @throws IllegalArgumentException when the user is invalid or its userName is taken
     */
    public String seedUser(ObjectNode user) {
        return seed(service.users(), user);
    }

    /** Like {@link #seedUser(ObjectNode)} for groups; members must reference existing users or groups. */
    public String seedGroup(ObjectNode group) {
        return seed(service.groups(), group);
    }

    private static String seed(ResourceStore store, ObjectNode resource) {
        // A fresh parse: our own copy, with the SDK's case-insensitive object nodes.
        ObjectNode copy = (ObjectNode) ScimJson.parse(resource.toString());
        String id = copy.hasNonNull("id") ? copy.get("id").asText() : null;
        try {
            return store.create(copy, id).id();
        } catch (ScimException e) {
            throw new IllegalArgumentException("Cannot seed " + store.type().resourceName() + ": "
                    + e.getScimError().getDetail(), e);
        }
    }

    /**
     * Answers the next {@code count} requests, whatever they are, with {@code status} and a SCIM error body
     * instead of handling them; e.g. {@code failNext(2, 429, "3")} throttles two requests with
     * {@code Retry-After: 3}. The requests are still recorded, with {@link InjectedFault#FAIL_NEXT}. These
     * faults come before any {@link #faults(ScimFaults)} profile.
     *
     * @param retryAfterOrNull the Retry-After header value, or {@code null} for none
     */
    /**
     * Makes the target drop these top-level user attributes silently on create, replace and patch (answering
     * success), as real targets do with attributes their schema lacks; none by default.
     */
    public void dropUserAttributes(String... names) {
        service.dropUserAttributes(Set.of(names));
    }

    public void failNext(int count, int status, String retryAfterOrNull) {
        failNext(count, status, retryAfterOrNull, "");
    }

    /** As {@link #failNext(int, int, String)}, for the next requests whose path starts with {@code pathPrefix}. */
    public void failNext(int count, int status, String retryAfterOrNull, String pathPrefix) {
        if (count < 0 || status < 100 || status > 599) {
            throw new IllegalArgumentException("count must be >= 0 and status an HTTP status");
        }
        fault.set(count == 0 ? null : new Fault(count, status, retryAfterOrNull, pathPrefix == null ? "" : pathPrefix));
    }

    /**
     * Holds back the answer to one request: the {@code letPass + 1}-th request from now with this method and path
     * (below the base URL, without the query; e.g. {@code "POST", "/Users"}) is applied and recorded as usual, with
     * {@link InjectedFault#HELD_REPLY}, and answered only at {@link HeldReply#release()} or when the sandbox
     * closes. Only requests that no other fault takes count. A later call replaces a hold not reached yet.
     */
    public HeldReply holdReply(String method, String path, int letPass) {
        HeldReply hold = new HeldReply(method.toUpperCase(Locale.ROOT), path, letPass);
        HeldReply replaced = held.getAndSet(hold);
        if (replaced != null) {
            replaced.release();
        }
        return hold;
    }

    /**
     * Applies a fault profile to every later request, after any {@link #failNext} faults; the profile's random
     * decisions start afresh from its seed. {@link ScimFaults#none()} turns injection off.
     */
    public void faults(ScimFaults faults) {
        if (faults == null) {
            throw new IllegalArgumentException("faults must not be null; use ScimFaults.none()");
        }
        schedule = new FaultSchedule(faults);
    }

    /** The current fault profile, {@link ScimFaults#none()} unless set. */
    public ScimFaults faults() {
        return schedule.faults();
    }

    /** How many of each fault were injected since start or {@link #reset()}; every kind is present. */
    public Map<InjectedFault, Long> faultCounts() {
        Map<InjectedFault, Long> counts = new EnumMap<>(InjectedFault.class);
        for (InjectedFault kind : InjectedFault.values()) {
            counts.put(kind, injected.get(kind.ordinal()));
        }
        return Collections.unmodifiableMap(counts);
    }

    /** Drops every resource, recorded request, pending fault, fault profile, rate limit, latency and fault count. */
    public void reset() {
        fault.set(null);
        releaseHold();
        rateLimit = null;
        latency = Duration.ZERO;
        schedule = new FaultSchedule(ScimFaults.none());
        for (int i = 0; i < injected.length(); i++) {
            injected.set(i, 0);
        }
        service.users().clear();
        service.groups().clear();
        journal.clear();
        tokenJournal.clear();
    }

    @Override
    public void close() {
        releaseHold();
        server.close();
    }

    private void releaseHold() {
        HeldReply hold = held.getAndSet(null);
        if (hold != null) {
            hold.release();
        }
    }

    private void exchange(HttpExchange http) {
        long arrival = journal.arrival();
        Instant time = Instant.now();
        try (http) {
            String method = http.getRequestMethod().toUpperCase(Locale.ROOT);
            URI uri = http.getRequestURI();
            String fullPath = uri.getPath() == null ? "" : uri.getPath();
            boolean underBase = fullPath.equals(BASE_PATH) || fullPath.startsWith(BASE_PATH + "/");
            String path = underBase ? fullPath.substring(BASE_PATH.length()) : fullPath;
            String rawQuery = uri.getRawQuery();
            Map<String, List<String>> headers = lowerCase(http.getRequestHeaders());
            byte[] bytes = http.getRequestBody().readAllBytes();
            String body = bytes.length == 0 ? null : new String(bytes, StandardCharsets.UTF_8);
            if (tokens != null && !underBase && TokenIssuer.isTokenPath(fullPath)) {
                // Token requests are neither faulted nor part of the SCIM journal.
                Response issued = tokens.issue(method, fullPath, headers, body);
                tokenJournal.record(tokenJournal.arrival(), new RecordedRequest(time, method, fullPath,
                        decode(rawQuery), headers, body, issued.status(),
                        new String(issued.body(), StandardCharsets.UTF_8)));
                awaitLatency();
                send(http, issued);
                return;
            }

            Fault once = takeFault(path);
            FaultSchedule profile = schedule;
            FaultSchedule.Decision planned = once == null && profile.active() ? profile.next(method) : null;
            RateLimit limit = rateLimit;
            boolean overLimit = once == null && planned == null && limit != null && !limit.tryAcquire();
            InjectedFault injectedFault = once != null ? InjectedFault.FAIL_NEXT
                    : overLimit ? InjectedFault.THROTTLED : planned == null ? null : planned.fault();
            HeldReply hold = injectedFault == null ? held.get() : null;
            if (hold != null && hold.takes(method, path)) {
                held.compareAndSet(hold, null);
                injectedFault = InjectedFault.HELD_REPLY;
            } else {
                hold = null;
            }

            Response response;
            if (once != null) {
                response = withRetryAfter(Response.error(once.status(), null, "Injected failure (failNext)"),
                        once.retryAfter());
            } else if (overLimit) {
                response = withRetryAfter(Response.error(429, null, "Rate limit exceeded"), "1");
            } else if (injectedFault == InjectedFault.THROTTLED) {
                response = withRetryAfter(Response.error(429, null, "Too many requests"),
                        profile.faults().retryAfter());
            } else if (injectedFault == InjectedFault.SERVER_ERROR) {
                Response failure = Response.error(planned.status(), null, "Injected server error");
                response = planned.status() == 503 ? withRetryAfter(failure, profile.faults().retryAfter()) : failure;
            } else {
                response = respond(method, underBase, path, rawQuery, headers, body);
            }
            String responseBody = response.body() == null ? null : new String(response.body(), StandardCharsets.UTF_8);
            RecordedRequest recorded = new RecordedRequest(time, method, path, decode(rawQuery), headers, body,
                    response.status(), responseBody, injectedFault);
            journal.record(arrival, recorded);
            listener.accept(recorded);
            if (injectedFault != null) {
                injected.incrementAndGet(injectedFault.ordinal());
            }
            if (injectedFault == InjectedFault.DROPPED_REPLY) {
                // Closing an exchange before sendResponseHeaders closes the connection: the client gets EOF or a
                // reset and not one byte of response, although the request was applied.
                return;
            }
            if (hold != null) {
                hold.hold(recorded);
            }
            if (injectedFault == InjectedFault.SLOW_REPLY) {
                // A simulator thread may wait; the pool is sized so slow replies do not starve the others.
                TimeUnit.NANOSECONDS.sleep(profile.faults().slowDelay().toNanos());
            }
            awaitLatency();
            send(http, response);
        } catch (IOException e) {
            // The client went away mid-exchange; nothing to answer.
        } catch (InterruptedException e) {
            // The sandbox is closing while a reply waits (slow, held or latency); the connection closes unanswered.
            Thread.currentThread().interrupt();
        }
    }

    private void awaitLatency() throws InterruptedException {
        Duration wait = latency;
        if (!wait.isZero()) {
            TimeUnit.NANOSECONDS.sleep(wait.toNanos());
        }
    }

    private static Response withRetryAfter(Response response, String retryAfterOrNull) {
        return retryAfterOrNull == null ? response : response.withHeader("Retry-After", retryAfterOrNull);
    }

    private Response respond(String method, boolean underBase, String path, String rawQuery,
                             Map<String, List<String>> headers, String body) {
        try {
            if (!authorised(headers)) {
                return Response.error(401, null, "A valid bearer token is required")
                        .withHeader("WWW-Authenticate", "Bearer realm=\"scim-sandbox\"");
            }
            if (!underBase) {
                return Response.error(404, null, "No SCIM endpoint at " + path + "; the base URL is " + baseUrl);
            }
            return service.handle(new Request(method, path, parameters(rawQuery), headers, body));
        } catch (IllegalArgumentException e) {
            return Response.error(400, "invalidSyntax", "Malformed request: " + e.getMessage());
        } catch (RuntimeException e) {
            return Response.error(500, null, "Sandbox failure: " + e);
        }
    }

    private Fault takeFault(String path) {
        while (true) {
            Fault current = fault.get();
            if (current == null || !path.startsWith(current.pathPrefix())) {
                return null;
            }
            Fault next = current.remaining() <= 1 ? null
                    : new Fault(current.remaining() - 1, current.status(), current.retryAfter(), current.pathPrefix());
            if (fault.compareAndSet(current, next)) {
                return current;
            }
        }
    }

    private boolean authorised(Map<String, List<String>> headers) {
        if (config.bearerToken() == null && tokens == null) {
            return true;
        }
        List<String> values = headers.get("authorization");
        if (values == null || values.isEmpty()) {
            return false;
        }
        String value = values.get(0).trim();
        if (!value.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        String token = value.substring(7).trim();
        return token.equals(config.bearerToken()) || tokens != null && tokens.accepts(token);
    }

    private static void send(HttpExchange http, Response response) throws IOException {
        Headers out = http.getResponseHeaders();
        response.headers().forEach(out::set);
        if (response.body() == null) {
            http.sendResponseHeaders(response.status(), -1);
            return;
        }
        if (!out.containsKey("Content-Type")) {
            out.set("Content-Type", ScimExchange.CONTENT_TYPE);
        }
        http.sendResponseHeaders(response.status(), response.body().length);
        try (OutputStream os = http.getResponseBody()) {
            os.write(response.body());
        }
    }

    private static Map<String, List<String>> lowerCase(Headers headers) {
        Map<String, List<String>> lower = new LinkedHashMap<>();
        headers.forEach((name, values) -> lower.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                .addAll(values));
        return lower;
    }

    /** Query parameters by lower-case name, form-decoded ({@code +} is a space, {@code %2B} a plus). */
    private static Map<String, String> parameters(String rawQuery) {
        Map<String, String> parameters = new HashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return parameters;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            parameters.putIfAbsent(name.toLowerCase(Locale.ROOT), value);
        }
        return parameters;
    }

    private static String decode(String rawQuery) {
        if (rawQuery == null) {
            return null;
        }
        try {
            return URLDecoder.decode(rawQuery, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return rawQuery;
        }
    }

    private static List<ObjectNode> copies(ResourceStore store) {
        List<ObjectNode> copies = new ArrayList<>();
        for (StoredResource r : store.all()) {
            copies.add(r.json().deepCopy());
        }
        return copies;
    }

    private static Optional<ObjectNode> copy(StoredResource r) {
        return r == null ? Optional.empty() : Optional.of(r.json().deepCopy());
    }
}
