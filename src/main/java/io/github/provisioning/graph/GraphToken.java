package io.github.provisioning.graph;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Header;

/**
 * The Graph access token, obtained with the OAuth2 client-credentials grant and cached until shortly before
 * {@code expires_in}. Graph issues no refresh token: a new one is simply requested. The secret only ever leaves
 * through {@link #requestForm()}, the body of the token request.
 */
public final class GraphToken {

    /** Renew this long before expiry so that a token never expires in the middle of a page request. */
    private static final Duration RENEW_BEFORE = Duration.ofMinutes(5);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String clientId;
    private final String clientSecret;
    private final String scope;
    private final Clock clock;
    private volatile String accessToken;
    private volatile Instant renewAt = Instant.MIN;

    public GraphToken(String clientId, String clientSecret, String scope, Clock clock) {
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        this.scope = scope;
        this.clock = clock;
    }

    public boolean needsRefresh() {
        return accessToken == null || !clock.instant().isBefore(renewAt);
    }

    public String requestForm() {
        return "grant_type=client_credentials"
                + "&client_id=" + encode(clientId)
                + "&client_secret=" + encode(clientSecret)
                + "&scope=" + encode(scope);
    }

    /** Reads the token endpoint's answer; a rejection becomes a {@link GraphCredentialsException} with Entra's reason. */
    public void accept(@Header(Exchange.HTTP_RESPONSE_CODE) int status, @Body String body) {
        JsonNode json = parse(body);
        if (status != 200 || !json.hasNonNull("access_token")) {
            String code = json.path("error").asText(null);
            String description = json.path("error_description").asText(null);
            if (description != null) {
                // AADSTS descriptions carry trace ids and timestamps on further lines; the first line is the reason.
                description = description.lines().findFirst().orElse(description);
                int trace = description.indexOf(" Trace ID:");
                description = trace > 0 ? description.substring(0, trace) : description;
            }
            throw new GraphCredentialsException(status, code,
                    description != null ? description : "the token endpoint rejected the client credentials");
        }
        long expiresIn = json.path("expires_in").asLong(3599);
        Duration lifetime = Duration.ofSeconds(expiresIn);
        Duration margin = lifetime.compareTo(RENEW_BEFORE.multipliedBy(2)) > 0 ? RENEW_BEFORE : lifetime.dividedBy(2);
        accessToken = json.get("access_token").asText();
        renewAt = clock.instant().plus(lifetime).minus(margin);
    }

    public String authorization() {
        if (accessToken == null) {
            throw new IllegalStateException("No Graph token: the token route must run first");
        }
        return "Bearer " + accessToken;
    }

    private static JsonNode parse(String body) {
        try {
            return body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (Exception e) {
            return JSON.createObjectNode();
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value == null ? "" : value, StandardCharsets.UTF_8);
    }
}
