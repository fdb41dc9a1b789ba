package io.github.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.provisioning.cycle.CycleReport;
import io.github.provisioning.sandbox.scim.RecordedRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How the engine answers a SCIM target's failures, one user at a time so that the injected faults hit a known
 * request: throttling and server errors are retried (Retry-After first), rejected credentials stop the cycle, a
 * stale link is matched again, and a 409 never leads to a second POST.
 */
class ScimFailureRecoveryTest extends EngineTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private String userId;
    private final Map<String, String> settings = new HashMap<>();

    @BeforeEach
    void assignOneUser() {
        Map<String, Object> user = new HashMap<>();
        user.put("userPrincipalName", "ann@contoso.example");
        user.put("mailNickname", "ann");
        user.put("jobTitle", "Buyer");
        user.put("accountEnabled", true);
        userId = graph.tenant().addUser(user);
        graph.tenant().assign(userId);
        settings.putAll(EngineUnderTest.settingsFor(graph, scim, dataDir));
    }

    @Test
    void throttlingIsRetriedAfterRetryAfterAndShowsInTheLog() throws Exception {
        // The user's own requests are throttled: its match query comes first (no listing of the target).
        settings.put("scim.match-index", "off");
        scim.failNext(2, 429, "0.2", "/Users");
        engine = EngineUnderTest.start(settings, dataDir);

        CycleReport report = engine.awaitInitialCycle();

        assertThat(report.counts()).containsEntry("created", 1).containsEntry("failed", 0);
        assertThat(userRequests()).extracting(RecordedRequest::status).containsExactly(429, 429, 200, 201);
        JsonNode line = engine.logLines().get(0);
        assertThat(line.path("action").asText()).isEqualTo("create");
        assertThat(line.path("retries")).hasSize(2);
        assertThat(line.path("retries").get(0).path("status").asInt()).isEqualTo(429);
        assertThat(line.path("retries").get(0).path("delayMs").asLong()).isEqualTo(200);
        assertThat(line.path("retries").get(0).path("request").asText()).isEqualTo("GET /Users");
    }

    @Test
    void aThrottledListingOfTheTargetIsAskedForAgainAndTheUserCreatedWithoutAQuery() throws Exception {
        scim.failNext(2, 429, "0.2", "/Users");
        engine = EngineUnderTest.start(settings, dataDir);

        CycleReport report = engine.awaitInitialCycle();

        assertThat(report.counts()).containsEntry("created", 1).containsEntry("failed", 0);
        assertThat(userRequests()).extracting(RecordedRequest::line).containsExactly(
                "GET /Users?attributes=userName&startIndex=1&count=500",
                "GET /Users?attributes=userName&startIndex=1&count=500",
                "GET /Users?attributes=userName&startIndex=1&count=500", "POST /Users");
        assertThat(userRequests()).extracting(RecordedRequest::status).containsExactly(429, 429, 200, 201);
        assertThat(engine.logLines().get(0).path("retries")).isEmpty();
    }

    @Test
    void serverErrorsAreRetriedWithBackOffUntilMaxAttemptsThenTheUserFails() throws Exception {
        settings.put("scim.max-attempts", "3");
        settings.put("scim.match-index", "off");
        scim.failNext(3, 503, null, "/Users");
        engine = EngineUnderTest.start(settings, dataDir);

        CycleReport report = engine.awaitInitialCycle();

        assertThat(report.completed()).isTrue();
        assertThat(report.counts()).containsEntry("failed", 1).containsEntry("created", 0);
        assertThat(userRequests()).hasSize(3).allSatisfy(r -> assertThat(r.status()).isEqualTo(503));
        JsonNode line = engine.logLines().get(0);
        assertThat(line.path("status").asText()).isEqualTo("failure");
        assertThat(line.path("error").path("code").asText()).isEqualTo("ScimRetriesExhausted");
        assertThat(line.path("error").path("reason").asText()).startsWith("gave up after 3 attempts");
        assertThat(line.path("retries")).hasSize(2);

        CycleReport next = engine.runCycle();
        assertThat(next.counts()).containsEntry("created", 1).containsEntry("failed", 0);
    }

    @Test
    void rejectedCredentialsStopTheCycleAndKeepTheWatermark() throws Exception {
        scim.failNext(1, 401, null, "/Users");
        engine = EngineUnderTest.start(settings, dataDir);

        CycleReport report = engine.awaitInitialCycle();

        assertThat(report.completed()).isFalse();
        assertThat(report.error()).startsWith("the SCIM target rejected the credentials (SCIM target answered 401");
        assertThat(scim.users()).isEmpty();
        CycleReport next = engine.runCycle();
        assertThat(next.type()).isEqualTo("initial");
        assertThat(next.counts()).containsEntry("created", 1);
    }

    @Test
    void aStaleLinkIsMatchedAgainAndTheAccountCreatedWhenItIsGone() throws Exception {
        engine = EngineUnderTest.start(settings, dataDir);
        engine.awaitInitialCycle();
        String oldId = scim.userByUserName("ann@contoso.example").orElseThrow().path("id").asText();
        deleteInTarget(oldId);
        graph.tenant().updateUser(userId, Map.of("jobTitle", "Head buyer"));
        scim.clearRequests();

        CycleReport report = engine.runCycle();

        assertThat(report.counts()).containsEntry("created", 1).containsEntry("failed", 0);
        assertThat(userRequests()).extracting(RecordedRequest::line)
                .containsExactly("PATCH /Users/" + oldId, "GET /Users?filter=userName eq \"ann@contoso.example\"",
                        "POST /Users");
        assertThat(scim.userByUserName("ann@contoso.example").orElseThrow().path("title").asText()).isEqualTo("Head buyer");
        scim.clearRequests();
        graph.tenant().updateUser(userId, Map.of("jobTitle", "Buyer"));
        engine.runCycle();
        assertThat(userRequests()).extracting(RecordedRequest::line).containsExactly(
                "PATCH /Users/" + scim.userByUserName("ann@contoso.example").orElseThrow().path("id").asText());
    }

    @Test
    void disablingAnAccountThatIsGoneCountsAsDone() throws Exception {
        engine = EngineUnderTest.start(settings, dataDir);
        engine.awaitInitialCycle();
        deleteInTarget(scim.userByUserName("ann@contoso.example").orElseThrow().path("id").asText());
        graph.tenant().unassign(userId);

        CycleReport report = engine.runCycle();

        assertThat(report.counts()).containsEntry("disabled", 1).containsEntry("failed", 0);
        assertThat(engine.logLines().get(engine.logLines().size() - 1).path("reason").asText())
                .contains("no longer exists in the target");
    }

    @Test
    void aConflictOnCreateIsMatchedAgainAndNeverPostedTwice() throws Exception {
        Path mapping = dataDir.resolve("by-external-id.yaml");
        Files.createDirectories(dataDir);
        Files.writeString(mapping, """
                user:
                  mappings:
                    - {target: externalId, source: mailNickname, match: 1}
                    - {target: userName, source: userPrincipalName}
                """);
        settings.put("provisioning.mapping", mapping.toString());
        ObjectNode taken = JSON.createObjectNode();
        taken.putArray("schemas").add("urn:ietf:params:scim:schemas:core:2.0:User");
        taken.put("userName", "ann@contoso.example");
        taken.put("externalId", "someone-else");
        scim.seedUser(taken);
        engine = EngineUnderTest.start(settings, dataDir);

        CycleReport report = engine.awaitInitialCycle();

        assertThat(report.counts()).containsEntry("failed", 1);
        // The listing shows no externalId "ann", so the user is posted without a query; the 409 makes it match.
        assertThat(userRequests()).extracting(RecordedRequest::line)
                .containsExactly("GET /Users?attributes=externalId&startIndex=1&count=500", "POST /Users",
                        "GET /Users?filter=externalId eq \"ann\"");
        JsonNode line = engine.logLines().get(0);
        assertThat(line.path("action").asText()).isEqualTo("create");
        assertThat(line.path("error").path("reason").asText()).contains("409").contains("externalId eq \"ann\"");
    }

    @Test
    void anUnreachableTargetFailsTheUsersNotTheEngine() throws Exception {
        settings.put("scim.url", "http://127.0.0.1:" + EngineUnderTest.freePort() + "/scim/v2");
        settings.put("scim.max-attempts", "2");
        engine = EngineUnderTest.start(settings, dataDir);

        CycleReport report = engine.awaitInitialCycle();

        assertThat(report.completed()).isTrue();
        assertThat(report.counts()).containsEntry("failed", 1);
        JsonNode line = engine.logLines().get(0);
        assertThat(line.path("error").path("reason").asText()).contains("no answer from the SCIM target");
    }

    private void deleteInTarget(String id) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(scim.baseUrl() + "/Users/" + id))
                .header("Authorization", "Bearer " + scim.config().bearerToken()).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(204);
    }
}
