package io.github.provisioning.graph;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URISyntaxException;
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
 * {@code expires_in}. Graph issues no refresh token: a new one is simply requested. The client secret or the signed
 * client assertion only ever leaves through {@link #requestForm(String)}, the body of the token request.
 */
public final class GraphToken {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String clientId;
    private final GraphCredential credential;
    private final String scope;
    private final Duration renewBefore;
    private final Clock clock;
    private volatile String accessToken;
    private volatile Instant renewAt = Instant.MIN;

    /**
     * @param renewBefore renew this long before expiry, so that a token never expires while a request is sent, or
     *                    sent again after Retry-After or a back-off (a request takes the token it starts with)
     */
    public GraphToken(String clientId, GraphCredential credential, String scope, Duration renewBefore, Clock clock) {
        this.clientId = clientId;
        this.credential = credential;
        this.scope = scope;
        this.renewBefore = renewBefore;
        this.clock = clock;
    }

    public boolean needsRefresh() {
        return accessToken == null || !clock.instant().isBefore(renewAt);
    }

    /**
     * The token request's body for {@code tokenUrl} (a certificate's assertion names it as its audience): built
     * for each attempt, so that an assertion is fresh however long the retries took.
     */
    public String requestForm(String tokenUrl) {
        return "grant_type=client_credentials"
                + "&client_id=" + encode(clientId)
                + "&" + credential.authentication(clientId, tokenUrl)
                + "&scope=" + encode(scope);
    }

    /** The settings of the credential, to name when the token endpoint rejects it. */
    public String credentialSettings() {
        return credential.settings();
    }

    /**
     * The {@code .default} scope of the Microsoft Graph at {@code graphUrl}: its scheme and host, as every national
     * cloud names its Graph ({@code https://graph.microsoft.us/v1.0} asks for {@code https://graph.microsoft.us/.default}).
     *
     * @throws IllegalArgumentException when {@code graphUrl} is not an http(s) URL
     */
    public static String scopeFor(String graphUrl) {
        URI uri;
        try {
            uri = new URI(graphUrl.trim());
        } catch (URISyntaxException e) {
            uri = null;
        }
        if (uri == null || uri.getHost() == null
                || !("https".equalsIgnoreCase(uri.getScheme()) || "http".equalsIgnoreCase(uri.getScheme()))) {
            throw new IllegalArgumentException("Setting graph.url must be an http(s) URL such as"
                    + " https://graph.microsoft.com/v1.0, not '" + graphUrl + "'");
        }
        return uri.getScheme().toLowerCase(java.util.Locale.ROOT) + "://" + uri.getRawAuthority() + "/.default";
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
