package io.github.provisioning.scim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** Test Connection's diagnoses from the answer alone (the HTTP cases run end to end in TestConnectionTest). */
class ConnectionCheckTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final ConnectionCheck staticToken = new ConnectionCheck("https://scim.example.com/scim/v2/", "userName",
            "scim.token", false, "graph.client-secret");
    private final ConnectionCheck oauth2 = new ConnectionCheck("https://scim.example.com/scim/v2", "externalId",
            "scim.oauth2.client-id, scim.oauth2.client-secret", true, "graph.client-secret");

    private ConnectionDiagnosis diagnose(ConnectionCheck check, int status, String body) throws Exception {
        JsonNode json = body == null ? JSON.createObjectNode() : JSON.readTree(body);
        return check.diagnose(new ScimResponse(status, json, null), check.probe(), null);
    }

    private ConnectionDiagnosis noAnswer(Exception e) {
        ScimResponse response = new ScimResponse(0, JSON.createObjectNode(), null,
                e.getClass().getSimpleName() + ": " + e.getMessage());
        return staticToken.diagnose(response, staticToken.probe(), e);
    }

    @Test
    void theProbeFiltersTheMatchingAttributeOnARandomGuid() {
        ScimRequest first = oauth2.probe();

        assertThat(first.method()).isEqualTo("GET");
        assertThat(first.path()).isEqualTo("/Users");
        assertThat(first.query()).matches("filter=externalId%20eq%20%22[0-9a-f-]{36}%22");
        assertThat(oauth2.probe().query()).isNotEqualTo(first.query());
    }

    @Test
    void aServiceProviderConfigWithoutFiltersChoosesTheListingProbeAndAnyOtherAnswerTheFilterProbe()
            throws Exception {
        ScimRequest probe = staticToken.probe();
        ScimResponse noFilter = new ScimResponse(200, JSON.readTree("{\"filter\":{\"supported\":false}}"), null);
        ScimResponse filter = new ScimResponse(200, JSON.readTree("{\"filter\":{\"supported\":true}}"), null);
        ScimResponse missing = new ScimResponse(404, JSON.readTree("{\"filter\":{\"supported\":false}}"), null);

        ScimRequest listing = staticToken.probeFor(noFilter, probe);
        assertThat(listing.path() + "?" + listing.query()).isEqualTo("/Users?startIndex=1&count=1");
        assertThat(staticToken.probeFor(filter, probe)).isSameAs(probe);
        assertThat(staticToken.probeFor(missing, probe)).isSameAs(probe);
    }

    @Test
    void aListingProbeAnsweredWithAListResponsePassesWhateverItHolds() throws Exception {
        ScimRequest listing = staticToken.probeFor(
                new ScimResponse(200, JSON.readTree("{\"filter\":{\"supported\":false}}"), null), null);
        ConnectionDiagnosis d = staticToken.diagnose(new ScimResponse(200,
                JSON.readTree("{\"totalResults\":3,\"Resources\":[{\"id\":\"1\"}]}"), null), listing, null);

        assertThat(d.ok()).isTrue();
        assertThat(d.request()).isEqualTo("GET /Users?startIndex=1&count=1");
        assertThat(d.diagnosis()).contains("supports no filtering, so users and groups are matched through a listing");
        ConnectionDiagnosis page = staticToken.diagnose(new ScimResponse(200, JSON.readTree("{}"), null), listing,
                null);
        assertThat(page.ok()).isFalse();
        assertThat(page.diagnosis()).startsWith("The target answered 200, but not with a SCIM ListResponse");
    }

    @Test
    void anEmptyListResponsePassesWithOrWithoutItsSchema() throws Exception {
        ConnectionDiagnosis withSchema = diagnose(staticToken, 200,
                "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:ListResponse\"],\"totalResults\":0,\"Resources\":[]}");
        ConnectionDiagnosis bare = diagnose(staticToken, 200, "{\"totalResults\":0}");

        assertThat(withSchema.ok()).isTrue();
        assertThat(withSchema.request()).matches("GET /Users\\?filter=userName eq \"[0-9a-f-]{36}\"");
        assertThat(withSchema.diagnosis()).isEqualTo("Connected to https://scim.example.com/scim/v2: the target"
                + " accepted the credentials and answered an empty ListResponse for a random userName");
        assertThat(bare.ok()).isTrue();
        assertThat(withSchema.line()).startsWith("Test Connection succeeded: Connected to ");
    }

    @Test
    void aBodyNamingAnotherSchemaIsNoListResponse() throws Exception {
        ConnectionDiagnosis d = diagnose(staticToken, 200,
                "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"totalResults\":0}");

        assertThat(d.ok()).isFalse();
        assertThat(d.diagnosis()).startsWith("The target answered 200, but not with a SCIM ListResponse");
        assertThat(d.line()).startsWith("Test Connection failed: The target answered 200");
    }

    @Test
    void resourcesForARandomValueMeanTheFilterIsIgnoredEvenWhenTotalResultsSaysZero() throws Exception {
        ConnectionDiagnosis d = diagnose(oauth2, 200, "{\"totalResults\":0,\"Resources\":[{\"id\":\"1\"}]}");

        assertThat(d.ok()).isFalse();
        assertThat(d.diagnosis()).isEqualTo("The target answered 1 user for a random externalId, so it ignores the"
                + " filter: matching would link users to the wrong accounts");
    }

    @Test
    void a401AfterARenewedTokenSaysSoAndNamesTheSettings() throws Exception {
        ConnectionDiagnosis d = diagnose(oauth2, 401, null);

        assertThat(d.diagnosis()).isEqualTo("The target rejected the access token (401), and a freshly obtained one"
                + " too: check scim.oauth2.client-id, scim.oauth2.client-secret and that the token endpoint issues"
                + " tokens for this target");
        assertThat(d.status()).isEqualTo(401);
    }

    @Test
    void anotherStatusShowsTheScimTypeAndDetail() throws Exception {
        ConnectionDiagnosis d = diagnose(staticToken, 400,
                "{\"status\":\"400\",\"scimType\":\"invalidFilter\",\"detail\":\"filter not supported\"}");

        assertThat(d.diagnosis()).isEqualTo("Unexpected answer: SCIM target answered 400 (invalidFilter): filter not supported");
    }

    @Test
    void anUnknownHostIsNamed() {
        ConnectionDiagnosis d = noAnswer(new UnknownHostException("scim.example.com: Name or service not known"));

        assertThat(d.diagnosis()).isEqualTo("Unknown host scim.example.com: the name in scim.url does not resolve;"
                + " check scim.url (https://scim.example.com/scim/v2)");
        assertThat(d.status()).isZero();
    }

    @Test
    void anUntrustedCertificateIsATlsFailure() {
        ConnectionDiagnosis d = noAnswer(new IOException("wrapped",
                new SSLHandshakeException("PKIX path building failed")));

        assertThat(d.diagnosis()).isEqualTo("TLS handshake with scim.example.com:443 failed (PKIX path building"
                + " failed): check that the target speaks HTTPS there, and that its certificate is trusted by this JVM"
                + " and matches the host name");
    }

    @Test
    void aRefusedConnectionIsNamedWithHostAndPort() {
        ConnectionDiagnosis d = noAnswer(new ConnectException(
                "Connect to https://scim.example.com:443 [scim.example.com/10.0.0.1] failed: Connection refused"));

        assertThat(d.diagnosis()).isEqualTo("Cannot connect to scim.example.com:443 (Connection refused): check"
                + " scim.url and that the target is up and reachable from here (firewall, proxy)");
    }

    @Test
    void aTimeoutAfterTheHandshakeSuggestsTheTimeouts() {
        ConnectionDiagnosis d = noAnswer(new SocketTimeoutException("Read timed out"));

        assertThat(d.diagnosis()).isEqualTo("No answer from scim.example.com:443 in time (Read timed out): check"
                + " scim.url, firewalls and proxies, or raise scim.connect-timeout and scim.response-timeout");
    }

    @Test
    void withoutTheExceptionTheTransportErrorStillTellsTheKind() {
        ScimResponse response = new ScimResponse(0, JSON.createObjectNode(), null,
                "UnknownHostException: scim.example.com");

        assertThat(staticToken.diagnose(response, staticToken.probe(), null).diagnosis()).startsWith("Unknown host");
    }

    @Test
    void theJsonHasExactlyTheFourFields() throws Exception {
        // As the admin-reply route's Jackson data format writes it.
        String json = JSON.writeValueAsString(new ConnectionDiagnosis(false, "why", "GET /Users?filter=x", 0));

        assertThat(json).isEqualTo("{\"ok\":false,\"diagnosis\":\"why\",\"request\":\"GET /Users?filter=x\",\"status\":0}");
    }
}
