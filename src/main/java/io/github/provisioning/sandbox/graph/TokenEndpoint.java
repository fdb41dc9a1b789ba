package io.github.provisioning.sandbox.graph;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Microsoft identity platform's v2.0 token endpoint for the client credentials grant with a client secret or a
 * certificate's client assertion ({@link ClientAssertionCheck}), and the registry of the opaque access tokens it
 * issued.
 */
final class TokenEndpoint {
    private static final DateTimeFormatter ERROR_TIMESTAMP =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
    private static final int PURGE_EVERY = 1_000;

    enum Verdict { VALID, MISSING, UNKNOWN, EXPIRED }

    record Outcome(int status, ObjectNode body) {
    }

    private final GraphSimulatorConfig config;
    private final String loginUrl;
    /**
     * The scopes that name this Graph: by its own URL (the simulator serves Graph where it serves the login), as a
     * cloud's Graph is named by its URL, or by Graph's application id. Another cloud's Graph
     * ({@code https://graph.microsoft.com}, {@code https://graph.microsoft.us}) is not in this tenant's cloud, so a
     * client that does not derive its scope from the Graph it calls is refused, as it would be in a national cloud.
     */
    private final Set<String> graphScopes;
    private final ClientAssertionCheck assertions;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Long> expiryByToken = new ConcurrentHashMap<>();
    private int issuedSincePurge;

    TokenEndpoint(GraphSimulatorConfig config, String loginUrl) {
        this.config = config;
        this.loginUrl = loginUrl;
        this.graphScopes = Set.of(loginUrl + "/.default", "00000003-0000-0000-c000-000000000000/.default");
        this.assertions = new ClientAssertionCheck(config.clientCertificates());
    }

    Outcome issue(String method, String tenant, Map<String, String> form) {
        if (!method.equals("POST")) {
            return error(400, "invalid_request", 900561, "The endpoint only accepts POST requests. Received a "
                    + method + " request.");
        }
        if (!tenant.equalsIgnoreCase(config.tenantId())) {
            return error(400, "invalid_request", 90002, "Tenant '" + tenant + "' not found. Check to make sure you"
                    + " have the correct tenant ID and are signing into the correct cloud.");
        }
        String grantType = form.get("grant_type");
        if (grantType == null) {
            return missing("grant_type");
        }
        if (!grantType.equals("client_credentials")) {
            return error(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type '"
                    + grantType + "'. The Graph simulator supports only client_credentials.");
        }
        String clientId = form.get("client_id");
        if (clientId == null) {
            return missing("client_id");
        }
        String scope = form.get("scope");
        if (scope == null) {
            return missing("scope");
        }
        if (!graphScopes.contains(scope.trim())) {
            if (scope.trim().endsWith("/.default")) {
                return error(400, "invalid_resource", 500011, "The resource principal named "
                        + scope.trim().replace("/.default", "") + " was not found in the tenant named "
                        + config.tenantId() + ".");
            }
            return error(400, "invalid_scope", 1002012, "The provided value for scope " + scope + " is not valid."
                    + " Client credential flows must have a scope value with /.default suffixed to the resource"
                    + " identifier (application ID URI).");
        }
        // Entra answers an unknown client with 400 unauthorized_client, not with invalid_client.
        if (!clientId.equalsIgnoreCase(config.clientId())) {
            return error(400, "unauthorized_client", 700016, "Application with identifier '" + clientId
                    + "' was not found in the directory '" + config.tenantId() + "'. This can happen if the"
                    + " application has not been installed by the administrator of the tenant or consented to by"
                    + " any user in the tenant. You may have sent your authentication request to the wrong tenant.");
        }
        String assertion = form.get("client_assertion");
        if (assertion != null) {
            ClientAssertionCheck.Refusal refusal = assertions.check(form.get("client_assertion_type"), assertion,
                    config.clientId(), loginUrl + "/" + tenant + "/oauth2/v2.0/token", Instant.now());
            return refusal == null ? new Outcome(200, grant())
                    : error(refusal.status(), refusal.error(), refusal.code(), refusal.description());
        }
        String secret = form.get("client_secret");
        if (secret == null) {
            return error(401, "invalid_client", 7000216, "'client_assertion', 'client_secret' or 'request' is"
                    + " required for the 'client_credentials' grant type.");
        }
        if (!secret.equals(config.clientSecret())) {
            return error(401, "invalid_client", 7000215, "Invalid client secret provided. Ensure the secret being"
                    + " sent in the request is the client secret value, not the client secret ID, for a secret"
                    + " added to app '" + config.clientId() + "'.");
        }
        return new Outcome(200, grant());
    }

    /**
     * An injected failure in Entra's shape. Entra throttles a client-credentials caller with 429 and
     * {@code Retry-After} (MSAL: "Understanding client and server throttling"); its transient outages answer 5xx.
     */
    Outcome injected(int status) {
        if (status == 429) {
            return error(429, "temporarily_unavailable", 50196, "The server terminated an operation because it"
                    + " encountered a client request loop. Please contact your app vendor.");
        }
        if (status >= 500) {
            return error(status, "temporarily_unavailable", 90033, "A transient error has occurred. Please try"
                    + " again.");
        }
        return error(status, "invalid_request", 90000, "An error was injected by the Graph simulator.");
    }

    Verdict verify(String authorization) {
        if (authorization == null || authorization.isBlank()) {
            return Verdict.MISSING;
        }
        String[] parts = authorization.trim().split("\\s+", 2);
        if (parts.length != 2 || !parts[0].equalsIgnoreCase("Bearer")) {
            return Verdict.MISSING;
        }
        Long expiresAt = expiryByToken.get(parts[1]);
        if (expiresAt == null) {
            return Verdict.UNKNOWN;
        }
        return System.currentTimeMillis() < expiresAt ? Verdict.VALID : Verdict.EXPIRED;
    }

    private ObjectNode grant() {
        byte[] bytes = new byte[48];
        random.nextBytes(bytes);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        int lifetime = config.tokenLifetimeSeconds();
        expiryByToken.put(token, System.currentTimeMillis() + lifetime * 1000L);
        purgeNowAndThen();
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("token_type", "Bearer");
        body.put("expires_in", lifetime);
        body.put("ext_expires_in", lifetime);
        body.put("access_token", token);
        return body;
    }

    /** Long-running sandboxes ask for tokens for days; forget the expired ones now and then. */
    private synchronized void purgeNowAndThen() {
        if (++issuedSincePurge >= PURGE_EVERY) {
            issuedSincePurge = 0;
            long now = System.currentTimeMillis();
            expiryByToken.values().removeIf(expiresAt -> expiresAt <= now);
        }
    }

    private Outcome missing(String parameter) {
        return error(400, "invalid_request", 900144, "The request body must contain the following parameter: '"
                + parameter + "'.");
    }

    /** Entra's error shape: the AADSTS code leads the description, which ends with the trace details. */
    private Outcome error(int status, String error, int code, String description) {
        String traceId = UUID.randomUUID().toString();
        String correlationId = UUID.randomUUID().toString();
        String timestamp = ERROR_TIMESTAMP.format(Instant.now().truncatedTo(ChronoUnit.SECONDS));
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("error", error);
        body.put("error_description", "AADSTS" + code + ": " + description + " Trace ID: " + traceId
                + " Correlation ID: " + correlationId + " Timestamp: " + timestamp);
        body.putArray("error_codes").add(code);
        body.put("timestamp", timestamp);
        body.put("trace_id", traceId);
        body.put("correlation_id", correlationId);
        body.put("error_uri", loginUrl + "/error?code=" + code);
        return new Outcome(status, body);
    }
}
