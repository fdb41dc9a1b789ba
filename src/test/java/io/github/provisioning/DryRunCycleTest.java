package io.github.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.provisioning.cycle.CycleReport;
import io.github.provisioning.sandbox.graph.Contoso;
import io.github.provisioning.sandbox.scim.RecordedRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A dry run plans the cycle the engine would run and sends no SCIM write; it leaves the state so that the real cycle
 * after it does all it would have done, and its counts are that real cycle's.
 */
class DryRunCycleTest extends EngineTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, String> ids = new HashMap<>();
    private Map<String, String> settings;

    @BeforeEach
    void populateTenant() {
        for (String name : List.of("adele", "brian", "chen", "dora", "emil")) {
            ids.put(name, tenant.addUser(Contoso.employee(name, "Sales", "Buyer")));
            tenant.assign(ids.get(name));
        }
        settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
    }

    @Test
    void anInitialDryRunWithOnceCountsWhatTheInitialCycleThenDoes() throws Exception {
        // A group too: its members' accounts are the dry run's own made-up ones.
        String buyers = tenant.addGroup("Buyers");
        tenant.addMember(buyers, ids.get("adele"));
        tenant.addMember(buyers, ids.get("brian"));
        tenant.assign(buyers);
        settings.put("provisioning.mapping", "classpath:mappings/generic-scim.yaml");
        settings.put("provisioning.once", "true");
        settings.put("provisioning.dry-run", "true");
        engine = EngineUnderTest.start(settings, dataDir);
        CycleReport dryRun = engine.awaitInitialCycle();
        engine.close();
        engine = null;

        assertThat(dryRun.dryRun()).isTrue();
        assertThat(dryRun.type()).isEqualTo("initial");
        assertThat(dryRun.counts()).containsEntry("created", 5).containsEntry("failed", 0)
                .containsEntry("groups.created", 1);
        assertNoWrite();
        assertThat(scim.users()).isEmpty();
        assertThat(scim.groups()).isEmpty();
        JsonNode report = JSON.readTree(dataDir.resolve("cycles").resolve(dryRun.cycleId() + ".json").toFile());
        assertThat(report.path("dryRun").asBoolean()).isTrue();

        settings.put("provisioning.dry-run", "false");
        engine = EngineUnderTest.start(settings, dataDir);
        CycleReport real = engine.awaitInitialCycle();
        assertThat(real.dryRun()).isNull();
        assertThat(JSON.readTree(dataDir.resolve("cycles").resolve(real.cycleId() + ".json").toFile()).has("dryRun"))
                .isFalse();
        assertThat(real.type()).isEqualTo("initial");
        assertThat(real.counts()).isEqualTo(dryRun.counts());
        assertThat(scim.users()).hasSize(5);
        assertThat(scim.groups()).singleElement().satisfies(g -> assertThat(g.path("members")).hasSize(2));
    }

    @Test
    void aDryRunAboveTheDeletionThresholdCountsThemStagedButHoldsNothing() throws Exception {
        settings.put("provisioning.deletion-threshold", "1");
        AdminClient admin = startRunningEngine();
        scim.clearRequests();
        tenant.hardDeleteUser(ids.get("adele"));
        tenant.unassign(ids.get("brian"));

        CycleReport dryRun = engine.runDryRun();
        assertThat(dryRun.counts()).containsEntry("staged", 2).containsEntry("deleted", 0)
                .containsEntry("disabled", 0);
        assertNoWrite();
        JsonNode status = admin.ok(admin.get("/api/status"));
        assertThat(status.path("state").asText()).isEqualTo("running");
        assertThat(status.path("deletions").path("held").asInt()).isZero();

        CycleReport real = engine.runCycle();
        assertThat(real.counts()).isEqualTo(dryRun.counts());
        assertThat(admin.ok(admin.get("/api/status")).path("deletions").path("held").asInt()).isEqualTo(2);
    }

    @Test
    void incrementalDryRunsCountWhatTheNextCyclesDoAndLeaveThemEveryChange() throws Exception {
        AdminClient admin = startRunningEngine();
        String adeleTargetId = scim.userByUserName(Contoso.upn("adele")).orElseThrow().path("id").asText();
        scim.clearRequests();

        // An update, a disable and a delete, then a dry run from the admin API.
        tenant.updateUser(ids.get("adele"), Map.of("jobTitle", "Lead Buyer"));
        tenant.updateUser(ids.get("brian"), Map.of("accountEnabled", false));
        tenant.hardDeleteUser(ids.get("chen"));
        HttpResponse<String> asked = admin.post("/api/job/dry-run");
        assertThat(asked.statusCode()).isEqualTo(202);
        CycleReport dryRun = engine.awaitNextReport();

        assertThat(dryRun.dryRun()).isTrue();
        assertThat(dryRun.type()).isEqualTo("incremental");
        assertThat(dryRun.counts()).containsEntry("updated", 1).containsEntry("disabled", 1)
                .containsEntry("deleted", 1).containsEntry("failed", 0);
        assertNoWrite();
        // Its planned lines count in no metric: only the real cycle's disable does.
        assertThat(admin.get("/observe/metrics").body()).doesNotContain("action=\"disable\"");
        List<JsonNode> planned = engine.logLines().stream()
                .filter(l -> l.path("cycleId").asText().equals(dryRun.cycleId())).toList();
        assertThat(planned).isNotEmpty().allMatch(l -> l.path("dryRun").asBoolean());
        JsonNode update = planned.stream().filter(l -> l.path("action").asText().equals("update")).findFirst()
                .orElseThrow();
        assertThat(update.path("targetId").asText()).isEqualTo(adeleTargetId);
        assertThat(update.path("modifiedProperties")).anySatisfy(p -> {
            assertThat(p.path("name").asText()).isEqualTo("title");
            assertThat(p.path("old").asText()).isEqualTo("Buyer");
            assertThat(p.path("new").asText()).isEqualTo("Lead Buyer");
        });

        CycleReport real = engine.runCycle();
        assertThat(real.type()).isEqualTo("incremental");
        assertThat(scim.requests()).extracting(r -> r.method() + " " + r.path()).contains(
                "PATCH /Users/" + adeleTargetId);
        assertThat(real.counts()).isEqualTo(dryRun.counts());
        assertThat(engine.logLines()).filteredOn(l -> l.path("cycleId").asText().equals(real.cycleId()))
                .noneMatch(l -> l.has("dryRun"));
        assertThat(scim.user(adeleTargetId).orElseThrow().path("title").asText()).isEqualTo("Lead Buyer");
        assertThat(scim.userByUserName(Contoso.upn("brian")).orElseThrow().path("active").asBoolean()).isFalse();
        assertThat(scim.userByUserName(Contoso.upn("chen"))).isEmpty();
        assertThat(admin.get("/observe/metrics").body()).contains("action=\"disable\"");

        // A second step: a new user (created, and linked by the real cycle only) and one who left the scope.
        scim.clearRequests();
        ids.put("fritz", tenant.addUser(Contoso.employee("fritz", "Sales", "Buyer")));
        tenant.assign(ids.get("fritz"));
        tenant.unassign(ids.get("dora"));
        CycleReport secondDryRun = engine.runDryRun();
        assertThat(secondDryRun.counts()).containsEntry("created", 1).containsEntry("disabled", 1)
                .containsEntry("failed", 0);
        assertNoWrite();
        CycleReport secondReal = engine.runCycle();
        assertThat(secondReal.counts()).isEqualTo(secondDryRun.counts());
        assertThat(scim.userByUserName(Contoso.upn("fritz"))).isPresent();
        assertThat(scim.userByUserName(Contoso.upn("dora")).orElseThrow().path("active").asBoolean()).isFalse();

        // Nothing left over: a cycle after them has nothing to do.
        assertThat(engine.runCycle().counts()).containsEntry("created", 0).containsEntry("updated", 0)
                .containsEntry("disabled", 0).containsEntry("deleted", 0);
    }

    @Test
    void aDryRunIsRefusedWhileACycleRuns() throws Exception {
        AdminClient admin = startRunningEngine();
        try (CycleHold hold = CycleHold.install(engine.context())) {
            admin.ok(admin.post("/api/job/start"));
            hold.awaitHeldCycle();
            HttpResponse<String> refused = admin.post("/api/job/dry-run");
            assertThat(refused.statusCode()).isEqualTo(409);
            assertThat(AdminClient.json(refused).path("error").path("message").asText())
                    .contains("cycle is running");
            hold.release();
        }
        assertThat(engine.awaitNextReport().dryRun()).isNull();
    }

    @Test
    void theStatusSaysACycleInProgressIsADryRun() throws Exception {
        AdminClient admin = startRunningEngine();
        try (CycleHold hold = CycleHold.install(engine.context())) {
            assertThat(admin.post("/api/job/dry-run").statusCode()).isEqualTo(202);
            hold.awaitHeldCycle();
            JsonNode cycle = admin.ok(admin.get("/api/status")).path("cycle");
            assertThat(cycle.path("dryRun").asBoolean()).isTrue();
            assertThat(cycle.path("type").asText()).isEqualTo("incremental");
            hold.release();
        }
        assertThat(engine.awaitNextReport().dryRun()).isTrue();
    }

    @Test
    void dryRunAloneWithoutOnceIsRefused() {
        settings.put("provisioning.dry-run", "true");
        assertThatThrownBy(() -> engine = EngineUnderTest.start(settings, dataDir))
                .hasStackTraceContaining("provisioning.dry-run=true needs provisioning.once=true");
    }

    /** An engine whose schedule runs (its initial cycle done) and waits an hour for the next cycle. */
    private AdminClient startRunningEngine() throws Exception {
        settings.put("provisioning.interval", "1h");
        engine = EngineUnderTest.start(settings, dataDir);
        engine.awaitInitialCycle();
        return new AdminClient(settings.get("admin.port"), null);
    }

    private void assertNoWrite() {
        // An incremental dry run may send no request at all: its links say where each account is.
        assertThat(scim.requests()).extracting(RecordedRequest::method).doesNotContain("POST", "PUT", "PATCH", "DELETE");
    }

}
