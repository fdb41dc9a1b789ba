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

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String clientId;
    private final String clientSecret;
    private final String scope;
    private final Duration renewBefore;
    private final Clock clock;
    private volatile String accessToken;
    private volatile Instant renewAt = Instant.MIN;

    /**
     * @param renewBefore renew this long before expiry, so that a token never expires while a request is sent, or
     *                    sent again after Retry-After or a back-off (a request takes the token it starts with)
     */
    public GraphToken(String clientId, String clientSecret, String scope, Duration renewBefore, Clock clock) {
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        this.scope = scope;
        this.renewBefore = renewBefore;
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
            String description = reason(json.path("error_description").asText(null));
            throw new GraphCredentialsException(status, code,
                    description != null ? description : "the token endpoint rejected the client credentials");
        }
        long expiresIn = json.path("expires_in").asLong(3599);
        Duration lifetime = Duration.ofSeconds(expiresIn);
        Duration margin = lifetime.compareTo(renewBefore.multipliedBy(2)) > 0 ? renewBefore : lifetime.dividedBy(2);
        accessToken = json.get("access_token").asText();
        renewAt = clock.instant().plus(lifetime).minus(margin);
    }

    /**
     * The reason in an {@code error_description}, or null: AADSTS descriptions carry trace ids and timestamps on
     * further lines, or after " Trace ID:"; the first line before them is the reason.
     */
    static String reason(String description) {
        if (description == null) {
            return null;
        }
        String line = description.lines().findFirst().orElse(description);
        int trace = line.indexOf(" Trace ID:");
        return trace > 0 ? line.substring(0, trace) : line;
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
