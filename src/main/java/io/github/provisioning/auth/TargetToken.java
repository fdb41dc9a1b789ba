package io.github.provisioning.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.provisioning.auth.TargetCredentials.BearerToken;
import io.github.provisioning.auth.TargetCredentials.MetaApp;
import io.github.provisioning.auth.TargetCredentials.TokenGrant;
import io.github.provisioning.scim.ScimResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.apache.camel.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code Authorization} header of every SCIM request: the static token, or an access token obtained from the
 * token endpoint and cached until shortly before its {@code expires_in} (Meta's tokens carry none: they are kept
 * until the target rejects them). One thread asks the token endpoint; the others wait for its answer, which
 * matters for Meta, where a new token revokes the one before. The token never reaches a log line.
 */
public final class TargetToken {

    /** The exchange property that marks the one resend after a rejected token. */
    public static final String RESENT = "scimResentWithNewToken";

    /** Renew this long before expiry so that a token never expires in the middle of a request. */
    private static final Duration RENEW_BEFORE = Duration.ofMinutes(5);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = LoggerFactory.getLogger(TargetToken.class);

    /** POSTs a token request form to the token endpoint. */
    @FunctionalInterface
    public interface Endpoint {
        /**
         * @return the endpoint's answer, whatever its status
         * @throws TokenException when no answer came
         */
        Reply post(String form);
    }

    /** The token endpoint's answer: its HTTP status and body ({@code null} when there was none). */
    public record Reply(int status, String body) {
    }

    private final TargetCredentials credentials;
    private final Endpoint endpoint;
    private final Clock clock;
    private String accessToken;
    /** When to ask for a new token; {@code null}: not before the target rejects this one. */
    private Instant renewAt;

    public TargetToken(TargetCredentials credentials, Endpoint endpoint, Clock clock) {
        this.credentials = credentials;
        this.endpoint = endpoint;
        this.clock = clock;
    }

    public TargetCredentials credentials() {
        return credentials;
    }

    /** Whether a rejected token can be replaced by a fresh one (not so a static token). */
    public boolean renewable() {
        return credentials instanceof TokenGrant;
    }

    /**
     * {@code Bearer <token>}, obtaining a token first when there is none or it is due for renewal.
     *
     * @throws TokenException when no token can be obtained
     */
    public synchronized String authorization() {
        if (credentials instanceof BearerToken bearer) {
            return "Bearer " + bearer.token();
        }
        if (accessToken == null || renewAt != null && !clock.instant().isBefore(renewAt)) {
            obtain((TokenGrant) credentials);
        }
        return "Bearer " + accessToken;
    }

    /**
     * After a SCIM answer: true when the target answered 401 to a token this engine obtained and the request was
     * not already the resend, having dropped the rejected token so that the resend obtains a new one. A second
     * 401 is then the answer that stands (a credentials failure).
     *
     * @param sent    the Authorization header that was sent, or null when unknown (then the current token goes)
     * @param resent  whether this answer is to the resend itself
     */
    public boolean renewAfterRejection(@Body ScimResponse response, @Header("Authorization") String sent,
                                       @ExchangeProperty(RESENT) Boolean resent) {
        if (response.status() != 401 || !renewable() || Boolean.TRUE.equals(resent)) {
            return false;
        }
        synchronized (this) {
            // Parallel requests rejected together drop the token once; a token obtained meanwhile stays.
            if (accessToken != null && (sent == null || sent.equals("Bearer " + accessToken))) {
                accessToken = null;
                LOG.info("The SCIM target rejected the access token (401); obtaining a new one and sending the request once more");
            }
        }
        return true;
    }

    /**
     * {@link #renewAfterRejection} as a route predicate (the ref language): it reads the answer, the Authorization
     * header sent and the resend mark from the exchange itself, where a method expression would bind them by
     * reflection on a copy of the exchange, for every request.
     */
    public Predicate rejectedAndRenewed() {
        return new Predicate() {
            @Override
            public boolean matches(Exchange exchange) {
                return renewAfterRejection(exchange.getMessage().getBody(ScimResponse.class),
                        exchange.getMessage().getHeader("Authorization", String.class),
                        exchange.getProperty(RESENT, Boolean.class));
            }

            @Override
            public String toString() {
                return "targetToken.renewAfterRejection";
            }
        };
    }

    private void obtain(TokenGrant grant) {
        Reply reply = endpoint.post(grant.requestForm());
        JsonNode json = parse(reply.body());
        String token = json.path("access_token").asText("");
        if (reply.status() != 200 || token.isBlank()) {
            throw new TokenException("could not obtain a SCIM access token: the token endpoint " + grant.tokenUrl()
                    + " answered " + reply.status() + reason(json)
                    + (reply.status() == 200 ? " without an access_token" : "")
                    + "; check " + grant.settings() + " and " + tokenUrlSetting(grant), null);
        }
        accessToken = token;
        JsonNode expiresIn = json.path("expires_in");
        if (expiresIn.canConvertToLong() || expiresIn.isTextual() && expiresIn.asText().matches("\\d+")) {
            Duration lifetime = Duration.ofSeconds(expiresIn.asLong());
            Duration margin = lifetime.compareTo(RENEW_BEFORE.multipliedBy(2)) > 0 ? RENEW_BEFORE : lifetime.dividedBy(2);
            renewAt = clock.instant().plus(lifetime).minus(margin);
            LOG.info("Obtained a SCIM access token from {}; it expires in {}s", grant.tokenUrl(), lifetime.toSeconds());
        } else {
            renewAt = null;
            LOG.info("Obtained a SCIM access token from {}; no expiry given, kept until the target rejects it",
                    grant.tokenUrl());
        }
    }

    private static String tokenUrlSetting(TokenGrant grant) {
        return grant instanceof MetaApp ? TargetCredentials.META_TOKEN_URL : TargetCredentials.OAUTH2_TOKEN_URL;
    }

    /** OAuth2's {@code error: error_description}, or Meta's (Graph API) {@code error.message}. */
    private static String reason(JsonNode json) {
        JsonNode error = json.path("error");
        if (error.isTextual()) {
            String description = json.path("error_description").asText("");
            return " " + error.asText() + (description.isEmpty() ? "" : ": " + firstLine(description));
        }
        if (error.path("message").isTextual()) {
            return ": " + firstLine(error.path("message").asText());
        }
        return "";
    }

    private static String firstLine(String text) {
        return text.lines().findFirst().orElse(text);
    }

    private static JsonNode parse(String body) {
        try {
            JsonNode json = body == null || body.isBlank() ? null : JSON.readTree(body);
            return json == null ? JSON.createObjectNode() : json;
        } catch (Exception e) {
            return JSON.createObjectNode();
        }
    }
}
