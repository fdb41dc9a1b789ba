package io.github.provisioning.scim;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.provisioning.graph.GraphCredentialsException;
import io.github.provisioning.graph.GraphException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import javax.net.ssl.SSLException;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;

/**
 * Test Connection as Entra does it: ask the target for the user whose matching attribute is a random GUID, and
 * expect 200 with an empty ListResponse. Anything else is diagnosed: no connection (refused, unknown host,
 * timeout), a TLS failure, rejected credentials, a base URL that is not a SCIM endpoint, an answer that is not a
 * ListResponse, or a filter the target ignores. Nothing is written to the target.
 *
 * <p>Entra requires filter support; this engine also provisions a target whose {@code /ServiceProviderConfig} says
 * {@code filter.supported=false}, matching through a listing of its users. That document is read first (when the
 * target has one), and such a target is asked for the first page of its users instead
 * ({@code GET /Users?startIndex=1&count=1}), which must be a ListResponse.
 */
public final class ConnectionCheck {

    /** The exchange property holding the probe while it is sent. */
    public static final String PROBE = "connectionProbe";
    private static final String LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
    /** The probe of a target without filters: the first page of its users. */
    private static final ScimRequest LISTING_PROBE = ScimRequest.get("/Users", "startIndex=1&count=1");

    private final String baseUrl;
    private final String matchingAttribute;
    private final String credentialSettings;
    private final boolean renewableToken;
    private final String graphCredentialSettings;

    /**
     * @param matchingAttribute       the SCIM attribute users are matched on (the mapping's first matching rule)
     * @param credentialSettings      the settings to check when the target rejects the credentials
     * @param renewableToken          whether the token is obtained from a token endpoint (and so was renewed once
     *                                before a 401 stands)
     * @param graphCredentialSettings the settings of the engine's Graph credential, to check when Graph refuses a
     *                                token
     */
    public ConnectionCheck(String baseUrl, String matchingAttribute, String credentialSettings, boolean renewableToken,
                           String graphCredentialSettings) {
        this.baseUrl = baseUrl.replaceAll("/+$", "");
        this.matchingAttribute = matchingAttribute;
        this.credentialSettings = credentialSettings;
        this.renewableToken = renewableToken;
        this.graphCredentialSettings = graphCredentialSettings;
    }

    /** {@code GET /Users?filter=<matching attribute> eq "<random GUID>"}: no account can match it. */
    public ScimRequest probe() {
        return ScimRequest.get("/Users", UserResources.matchQuery(matchingAttribute, UUID.randomUUID().toString()));
    }

    /** Read before the probe: whether the target says it can filter. */
    public ScimRequest capabilitiesRequest() {
        return ScimRequest.get("/ServiceProviderConfig", null);
    }

    /** Whether any answer came to the request (else it is diagnosed as it is, and no probe is sent). */
    public boolean answered(@Body ScimResponse response) {
        return !response.isNoAnswer();
    }

    /**
     * The probe for the target's {@code /ServiceProviderConfig} answer: the filter probe, or the first page of its
     * users when it says {@code filter.supported=false}. A target without the document (or that refuses it) gets
     * the filter probe, as Entra sends it.
     */
    public ScimRequest probeFor(@Body ScimResponse serviceProviderConfig, @ExchangeProperty(PROBE) ScimRequest probe) {
        return serviceProviderConfig.isSuccess() && !TargetCapabilities.filterSupported(serviceProviderConfig.body())
                ? LISTING_PROBE : probe;
    }

    /**
     * Reads the answer to the probe.
     *
     * @param caught the transport failure when no answer came, or null
     */
    public ConnectionDiagnosis diagnose(@Body ScimResponse response, @ExchangeProperty(PROBE) ScimRequest probe,
                                        @ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception caught) {
        String request = describe(probe);
        int status = response.status();
        if (response.isNoAnswer()) {
            return failed(noAnswer(response, caught), request, 0);
        }
        JsonNode body = response.body();
        String detail = body.path("detail").asText("");
        String because = detail.isEmpty() ? "" : ": " + detail;
        if (status == 401) {
            return failed(renewableToken
                    ? "The target rejected the access token (401" + because + "), and a freshly obtained one too:"
                    + " check " + credentialSettings + " and that the token endpoint issues tokens for this target"
                    : "The target rejected the credentials (401" + because + "): check " + credentialSettings, request, status);
        }
        if (status == 403) {
            return failed("The target refused access (403" + because + "): the credentials were accepted but may not"
                    + " read /Users; check the permissions of " + credentialSettings + " in the target", request, status);
        }
        if (status == 404) {
            return failed(baseUrl + "/Users does not exist (404): scim.url is not the target's SCIM base URL (the"
                    + " URL that /Users is under, e.g. https://scim.workplace.com)", request, status);
        }
        if (status != 200) {
            return failed("Unexpected answer: " + response.errorReason(), request, status);
        }
        if (!isListResponse(body)) {
            return failed("The target answered 200, but not with a SCIM ListResponse (no totalResults in the body):"
                    + " scim.url may point at a web page or at an API that is not SCIM", request, status);
        }
        if (LISTING_PROBE.equals(probe)) {
            return new ConnectionDiagnosis(true, "Connected to " + baseUrl + ": the target accepted the credentials and"
                    + " answered a ListResponse for the first page of its users. Its /ServiceProviderConfig says it"
                    + " supports no filtering, so users and groups are matched through a listing of them (Entra's own"
                    + " Test Connection would fail here: it requires filtering)", request, status);
        }
        int found = Math.max(body.path("totalResults").asInt(), body.path("Resources").size());
        if (found > 0) {
            return failed("The target answered " + found + " user" + (found == 1 ? "" : "s") + " for a random "
                    + matchingAttribute + ", so it ignores the filter: matching would link users to the wrong"
                    + " accounts", request, status);
        }
        return new ConnectionDiagnosis(true, "Connected to " + baseUrl + ": the target accepted the credentials and"
                + " answered an empty ListResponse for a random " + matchingAttribute, request, status);
    }

    /** No token, so no probe was sent: the token endpoint refused or did not answer. */
    public ConnectionDiagnosis noToken(@ExchangeProperty(PROBE) ScimRequest probe,
                                       @ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception caught) {
        String reason = caught == null || caught.getMessage() == null ? "could not obtain a SCIM access token"
                : caught.getMessage();
        return failed(Character.toUpperCase(reason.charAt(0)) + reason.substring(1), describe(probe), 0);
    }

    /**
     * Microsoft Graph's token endpoint refused the engine's own credential (its AADSTS reason is in the message), or
     * did not answer: nothing can be provisioned, so the probe is not sent.
     */
    public ConnectionDiagnosis graphRefused(@ExchangeProperty(PROBE) ScimRequest probe,
                                            @ExchangeProperty(Exchange.EXCEPTION_CAUGHT) GraphException caught) {
        String diagnosis = caught instanceof GraphCredentialsException
                ? "Microsoft Graph refused the engine a token (" + caught.getMessage() + "): check graph.tenant-id,"
                + " graph.client-id and " + graphCredentialSettings
                : "Microsoft Graph gave the engine no token (" + caught.getMessage() + "): check graph.login-url and"
                + " that the token endpoint is reachable from here";
        return failed(diagnosis, describe(probe), 0);
    }

    private String noAnswer(ScimResponse response, Throwable caught) {
        URI uri = URI.create(baseUrl);
        String host = uri.getHost();
        String hostAndPort = host + ":" + (uri.getPort() >= 0 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80);
        Throwable cause = transportCause(caught);
        String message = cause == null ? response.transportError() : cause.getMessage();
        String kind = cause == null ? String.valueOf(response.transportError()) : cause.getClass().getSimpleName();
        if (cause instanceof UnknownHostException || cause == null && kind.startsWith("UnknownHostException")) {
            return "Unknown host " + host + ": the name in scim.url does not resolve; check scim.url (" + baseUrl + ")";
        }
        if (cause instanceof SSLException || cause == null && kind.startsWith("SSL")) {
            return "TLS handshake with " + hostAndPort + " failed (" + message + "): check that the target speaks"
                    + " HTTPS there, and that its certificate is trusted by this JVM and matches the host name";
        }
        if (cause instanceof ConnectException || cause instanceof NoRouteToHostException
                || cause == null && kind.contains("ConnectException")) {
            return "Cannot connect to " + hostAndPort + " (" + lastPart(message) + "): check scim.url and that the"
                    + " target is up and reachable from here (firewall, proxy)";
        }
        if (cause instanceof InterruptedIOException && "https".equals(uri.getScheme()) && message != null
                && message.startsWith("Connect to ")) {
            // The connection was made, but the TLS handshake got no answer: a plain HTTP port waits for a request.
            return "TLS handshake with " + hostAndPort + " got no answer (" + lastPart(message) + "): the target may"
                    + " not speak HTTPS on that port; check scim.url";
        }
        if (cause instanceof InterruptedIOException) {
            return "No answer from " + hostAndPort + " in time (" + message + "): check scim.url, firewalls and"
                    + " proxies, or raise scim.connect-timeout and scim.response-timeout";
        }
        return "No answer from the target at " + hostAndPort + " (" + response.transportError() + ")";
    }

    /** "Connect to http://… failed: Connection refused" says the address twice; the reason is the last part. */
    private static String lastPart(String message) {
        if (message == null) {
            return "refused";
        }
        int colon = message.lastIndexOf(": ");
        return colon < 0 ? message : message.substring(colon + 2);
    }

    private static Throwable transportCause(Throwable caught) {
        Throwable found = null;
        for (Throwable t = caught; t != null; t = t.getCause()) {
            if (t instanceof java.io.IOException) {
                found = t;
                if (t instanceof SSLException || t instanceof UnknownHostException || t instanceof ConnectException) {
                    return t;
                }
            }
        }
        return found;
    }

    /** RFC 7644 §3.4.2: a ListResponse carries totalResults; the schema is checked when one is named. */
    private static boolean isListResponse(JsonNode body) {
        if (!body.isObject() || !body.path("totalResults").isNumber()) {
            return false;
        }
        JsonNode schemas = body.path("schemas");
        if (schemas.isArray() && !schemas.isEmpty()) {
            for (JsonNode schema : schemas) {
                if (LIST_RESPONSE.equals(schema.asText())) {
                    return true;
                }
            }
            return false;
        }
        return true;
    }

    private static String describe(ScimRequest probe) {
        if (probe == null) {
            return null;
        }
        String query = probe.query() == null ? "" : "?" + URLDecoder.decode(probe.query(), StandardCharsets.UTF_8);
        return probe.method() + " " + probe.path() + query;
    }

    private static ConnectionDiagnosis failed(String diagnosis, String request, int status) {
        return new ConnectionDiagnosis(false, diagnosis, request, status);
    }
}
