package io.github.provisioning.sandbox.scim;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.provisioning.sandbox.scim.ScimExchange.Response;
import io.github.provisioning.sandbox.scim.ScimSandboxConfig.TokenClient;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sandbox's token endpoints and the registry of the tokens they issued: {@code POST /oauth2/token} (RFC 6749
 * §4.4 client credentials, the client authenticated in the form or with HTTP Basic) and
 * {@code POST /work_get_token} (Meta Work Accounts: {@code access_token=<app id>|<app secret>}). Meta keeps one
 * active token per integration: issuing one revokes the one before.
 */
final class TokenIssuer {

    static final String OAUTH2_PATH = "/oauth2/token";
    static final String META_PATH = "/work_get_token";
    private static final String JSON_TYPE = "application/json";

    private final TokenClient client;
    private final SecureRandom random = new SecureRandom();
    /** Expiry in epoch millis by token; Meta's live until revoked. */
    private final Map<String, Long> expiryByToken = new ConcurrentHashMap<>();
    private String metaToken;

    TokenIssuer(TokenClient client) {
        this.client = client;
    }

    static boolean isTokenPath(String path) {
        return path.equals(OAUTH2_PATH) || path.equals(META_PATH);
    }

    Response issue(String method, String path, Map<String, List<String>> headers, String body) {
        if (!method.equals("POST")) {
            return oauthError(405, "invalid_request", "The token endpoint only accepts POST");
        }
        Map<String, String> form = form(body);
        if (!"client_credentials".equals(form.get("grant_type"))) {
            return path.equals(META_PATH) ? metaError("Unsupported grant_type: " + form.get("grant_type"))
                    : oauthError(400, "unsupported_grant_type", "Only client_credentials is supported");
        }
        return path.equals(META_PATH) ? issueMeta(form) : issueOAuth2(headers, form);
    }

    /** Whether a bearer token is one this issuer handed out and has neither expired nor been revoked. */
    boolean accepts(String token) {
        Long expiresAt = expiryByToken.get(token);
        return expiresAt != null && System.currentTimeMillis() < expiresAt;
    }

    void revokeAll() {
        expiryByToken.clear();
    }

    private Response issueOAuth2(Map<String, List<String>> headers, Map<String, String> form) {
        String id = form.get("client_id");
        String secret = form.get("client_secret");
        String basic = first(headers, "authorization");
        if (basic != null && basic.regionMatches(true, 0, "Basic ", 0, 6)) {
            String decoded = new String(Base64.getDecoder().decode(basic.substring(6).trim()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            // RFC 6749 §2.3.1: both halves are form-encoded before they are joined.
            id = colon < 0 ? decoded : URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8);
            secret = colon < 0 ? null : URLDecoder.decode(decoded.substring(colon + 1), StandardCharsets.UTF_8);
        }
        if (!client.clientId().equals(id) || !client.clientSecret().equals(secret)) {
            return oauthError(401, "invalid_client", "Client authentication failed");
        }
        String token = newToken(System.currentTimeMillis() + client.lifetimeSeconds() * 1000L);
        ObjectNode answer = ScimJson.object();
        answer.put("access_token", token);
        answer.put("token_type", "Bearer");
        answer.put("expires_in", client.lifetimeSeconds());
        if (form.containsKey("scope")) {
            answer.put("scope", form.get("scope"));
        }
        return json(200, answer);
    }

    private synchronized Response issueMeta(Map<String, String> form) {
        if (!(client.clientId() + "|" + client.clientSecret()).equals(form.get("access_token"))) {
            return metaError("Invalid OAuth access token signature.");
        }
        if (metaToken != null) {
            expiryByToken.remove(metaToken);
        }
        metaToken = newToken(Long.MAX_VALUE);
        ObjectNode answer = ScimJson.object();
        answer.put("access_token", metaToken);
        answer.put("token_type", "bearer");
        return json(200, answer);
    }

    private String newToken(long expiresAt) {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        expiryByToken.put(token, expiresAt);
        return token;
    }

    private static Response oauthError(int status, String error, String description) {
        ObjectNode answer = ScimJson.object();
        answer.put("error", error);
        answer.put("error_description", description);
        return json(status, answer);
    }

    /** Meta's Graph API error shape. */
    private static Response metaError(String message) {
        ObjectNode answer = ScimJson.object();
        ObjectNode error = answer.putObject("error");
        error.put("message", message);
        error.put("type", "OAuthException");
        error.put("code", 190);
        return json(400, answer);
    }

    private static Response json(int status, ObjectNode body) {
        return Response.json(status, body).withHeader("Content-Type", JSON_TYPE).withHeader("Cache-Control", "no-store");
    }

    private static String first(Map<String, List<String>> headers, String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static Map<String, String> form(String body) {
        Map<String, String> form = new HashMap<>();
        if (body == null) {
            return form;
        }
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                form.putIfAbsent(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return form;
    }
}
