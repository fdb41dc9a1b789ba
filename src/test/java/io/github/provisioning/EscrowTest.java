package io.github.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.provisioning.sandbox.graph.Contoso;
import com.fasterxml.jackson.databind.JsonNode;
import io.github.provisioning.cycle.CycleReport;
import io.github.provisioning.state.Escrow;
import io.github.provisioning.state.Link;
import io.github.provisioning.state.ObjectType;
import io.github.provisioning.state.StateDatabase;
import io.github.provisioning.state.Stores;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 6, escrow: a failed user is retried in later cycles with back-off until it succeeds, or until the failure
 * is permanent; then it waits for a change in Entra ID. Visible in the provisioning log and the status.
 */
class EscrowTest extends EngineTest {

    private AdminClient admin;
    private Map<String, String> settings;

    private void startEngine() throws Exception {
        tenant.assign(tenant.addUser(Contoso.employee("adele", "Sales", "Buyer")));
        settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        // The second retry waits an hour: the immediate next cycle skips it, whatever the machine's speed.
        settings.put("provisioning.escrow.base-delay", "1h");
        settings.put("scim.max-attempts", "2");
        admin = new AdminClient(settings.get("admin.port"), null);
        engine = EngineUnderTest.start(settings, dataDir);
        assertThat(engine.awaitInitialCycle().counts()).containsEntry("created", 1).containsEntry("failed", 0);
    }

    @Test
    void aUserFailingWithServerErrorsIsRetriedWithBackOffUntilItSucceeds() throws Exception {
        startEngine();
        String id = tenant.addUser(Contoso.employee("brian", "Sales", "Buyer"));
        tenant.assign(id);

        scim.failNext(2, 500, null, "/Users");
        CycleReport first = engine.runCycle();
        assertThat(first.counts()).containsEntry("failed", 1).containsEntry("permanent", 0);
        JsonNode firstFailure = failureOf(id, first);
        assertThat(firstFailure.path("error").path("code").asText()).isEqualTo("ScimRetriesExhausted");
        assertThat(firstFailure.path("escrow").path("attempt").asInt()).isEqualTo(1);
        assertThat(firstFailure.path("escrow").path("permanent").asBoolean()).isFalse();
        // The first retry is in the next cycle.
        Instant firstRetry = Instant.parse(firstFailure.path("escrow").path("nextRetry").asText());
        assertThat(firstRetry).isBeforeOrEqualTo(Instant.now());
        assertThat(status().path("escrow").path("waiting").asInt()).isEqualTo(1);

        scim.failNext(2, 500, null, "/Users");
        CycleReport second = engine.runCycle();
        JsonNode secondFailure = failureOf(id, second);
        assertThat(secondFailure.path("escrow").path("attempt").asInt()).isEqualTo(2);
        Instant secondRetry = Instant.parse(secondFailure.path("escrow").path("nextRetry").asText());
        assertThat(secondRetry).isAfter(Instant.parse(secondFailure.path("time").asText()).plusSeconds(3500));

        scim.clearRequests();
        CycleReport skipped = engine.runCycle();
        assertThat(userRequests()).isEmpty();
        assertThat(linesOf(id, skipped)).isEmpty();
        assertThat(skipped.counts()).containsEntry("failed", 0).containsEntry("created", 0);
        assertThat(status().path("escrow").path("waiting").asInt()).isEqualTo(1);

        engine.close();
        backOffElapsed(id);
        engine = restartEngine();
        CycleReport due = engine.awaitInitialCycle();

        assertThat(due.counts()).containsEntry("created", 1).containsEntry("failed", 0);
        assertThat(linesOf(id, due)).singleElement().satisfies(line -> {
            assertThat(line.path("status").asText()).isEqualTo("success");
            assertThat(line.has("escrow")).isFalse();
        });
        assertThat(scim.users()).hasSize(2);
        JsonNode status = status();
        assertThat(status.path("escrows").asInt()).isZero();
        assertThat(status.path("escrow").path("waiting").asInt()).isZero();
    }

    @Test
    void aRejectedWriteIsPermanentUntilTheUserChangesInEntra() throws Exception {
        startEngine();
        String id = tenant.users().get(0).path("id").asText();
        tenant.updateUser(id, Map.of("jobTitle", "Head Buyer"));

        scim.failNext(1, 400, null, "/Users/");
        CycleReport rejected = engine.runCycle();

        assertThat(rejected.counts()).containsEntry("failed", 1).containsEntry("permanent", 1);
        JsonNode failure = failureOf(id, rejected);
        assertThat(failure.path("error").path("code").asText()).isEqualTo("ScimError400");
        assertThat(failure.path("reason").asText()).contains("permanent").contains("1 failed attempt");
        assertThat(failure.path("escrow").path("attempt").asInt()).isEqualTo(1);
        assertThat(failure.path("escrow").path("permanent").asBoolean()).isTrue();
        assertThat(failure.path("escrow").path("nextRetry").isNull()).isTrue();
        JsonNode status = status();
        assertThat(status.path("escrow").path("permanent").asInt()).isEqualTo(1);
        assertThat(status.path("escrow").path("waiting").asInt()).isZero();

        scim.clearRequests();
        CycleReport next = engine.runCycle();
        assertThat(writes()).isEmpty();
        assertThat(linesOf(id, next)).isEmpty();

        tenant.updateUser(id, Map.of("jobTitle", "Chief Buyer"));
        CycleReport changed = engine.runCycle();

        assertThat(changed.counts()).containsEntry("updated", 1).containsEntry("failed", 0);
        assertThat(scim.users()).singleElement()
                .satisfies(user -> assertThat(user.path("title").asText()).isEqualTo("Chief Buyer"));
        assertThat(status().path("escrow").path("permanent").asInt()).isZero();
    }

    @Test
    void theEscrowListNamesEachObjectWithItsAttemptsNextRetryAndLastError() throws Exception {
        startEngine();
        String adele = tenant.users().get(0).path("id").asText();
        tenant.updateUser(adele, Map.of("jobTitle", "Head Buyer"));
        scim.failNext(1, 400, null, "/Users/");
        assertThat(engine.runCycle().counts()).containsEntry("permanent", 1);
        String brian = tenant.addUser(Contoso.employee("brian", "Sales", "Buyer"));
        tenant.assign(brian);
        scim.failNext(2, 500, null, "/Users");
        assertThat(engine.runCycle().counts()).containsEntry("failed", 1).containsEntry("permanent", 0);

        JsonNode escrow = admin.ok(admin.get("/api/escrow"));

        assertThat(escrow.path("escrows").asInt()).isEqualTo(2);
        assertThat(escrow.path("waiting").asInt()).isEqualTo(1);
        assertThat(escrow.path("permanent").asInt()).isEqualTo(1);
        assertThat(escrow.path("count").asInt()).isEqualTo(2);
        assertThat(escrow.path("more").asBoolean()).isFalse();
        // The one waiting for a retry comes first, the permanent failure last.
        JsonNode waiting = escrow.path("objects").get(0);
        assertThat(waiting.path("objectType").asText()).isEqualTo("user");
        assertThat(waiting.path("sourceId").asText()).isEqualTo(brian);
        assertThat(waiting.path("action").asText()).isEqualTo("refresh");
        assertThat(waiting.path("attempts").asInt()).isEqualTo(1);
        assertThat(waiting.path("permanent").asBoolean()).isFalse();
        assertThat(Instant.parse(waiting.path("nextRetry").asText())).isBeforeOrEqualTo(Instant.now());
        assertThat(waiting.path("lastError").asText()).isNotBlank();
        JsonNode permanent = escrow.path("objects").get(1);
        assertThat(permanent.path("sourceId").asText()).isEqualTo(adele);
        assertThat(permanent.path("matchValue").asText()).isEqualTo(scim.users().get(0).path("userName").asText());
        assertThat(permanent.path("targetId").asText()).isEqualTo(scim.users().get(0).path("id").asText());
        assertThat(permanent.path("attempts").asInt()).isEqualTo(1);
        assertThat(permanent.path("permanent").asBoolean()).isTrue();
        assertThat(permanent.path("nextRetry").isNull()).isTrue();
        assertThat(permanent.path("lastError").asText()).contains("400");

        JsonNode first = admin.ok(admin.get("/api/escrow?limit=1"));
        assertThat(first.path("objects")).hasSize(1);
        assertThat(first.path("objects").get(0).path("sourceId").asText()).isEqualTo(brian);
        assertThat(first.path("more").asBoolean()).isTrue();
        assertThat(admin.get("/api/escrow?limit=0").statusCode()).isEqualTo(400);
    }

    /**
     * The hour of back-off passes while the engine is down: the stored retry time is moved into the past (the
     * engine has no clock to set).
     */
    private void backOffElapsed(String id) {
        try (StateDatabase database = StateDatabase.open(settings.get("provisioning.state.jdbc-url"),
                settings.get("provisioning.state.username"), "", dataDir, 4);
             Stores store = Stores.on(database)) {
            Link link = store.links().link(ObjectType.USER, id).orElseThrow();
            assertThat(link.escrow().nextRetry()).isAfter(Instant.now());
            store.links().save(ObjectType.USER, new Link(link.sourceId(), link.targetId(), link.matchValue(),
                    link.active(), link.values(), link.lastCycle(), link.retryAction(), link.lastError(),
                    new Escrow(link.escrow().attempts(), Instant.now().minusSeconds(1), false)));
        }
    }

    /** Starts the engine again on the same state; its start-up cycle is the next one. */
    private EngineUnderTest restartEngine() throws Exception {
        settings.put("admin.port", String.valueOf(EngineUnderTest.freePort()));
        admin = new AdminClient(settings.get("admin.port"), null);
        return EngineUnderTest.start(settings, dataDir);
    }

    private JsonNode status() {
        return admin.ok(admin.get("/api/status"));
    }

    private List<JsonNode> linesOf(String id, CycleReport cycle) {
        return engine.logLines().stream().filter(l -> l.path("cycleId").asText().equals(cycle.cycleId())
                && l.path("sourceId").asText().equals(id)).toList();
    }

    private JsonNode failureOf(String id, CycleReport cycle) {
        return linesOf(id, cycle).stream().filter(l -> l.path("status").asText().equals("failure"))
                .reduce((a, b) -> b).orElseThrow(() -> new AssertionError("no failure of " + id + " in " + cycle));
    }
}
