package io.github.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.provisioning.sandbox.graph.Contoso;
import com.fasterxml.jackson.databind.JsonNode;
import io.github.provisioning.cycle.CycleReport;
import io.github.provisioning.sandbox.scim.RecordedRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.Test;

/** Start, stop, restart and status of the scheduled job, over HTTP on the admin port of the running engine. */
class JobControlApiTest extends EngineTest {

    private AdminClient admin;
    private List<String> ids;

    private void startEngine(String interval) throws Exception {
        ids = List.of("adele", "brian", "chen").stream().map(name -> {
            String id = tenant.addUser(Contoso.employee(name, "Sales", "Buyer"));
            tenant.assign(id);
            return id;
        }).toList();
        Map<String, String> settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        settings.put("provisioning.interval", interval);
        admin = new AdminClient(settings.get("admin.port"), null);
        engine = EngineUnderTest.start(settings, dataDir);
        engine.awaitInitialCycle();
    }

    @Test
    void stopLetsTheRunningCycleEndAndSchedulesNoOtherUntilStart() throws Exception {
        startEngine("1s");
        JsonNode stopped = admin.ok(admin.post("/api/job/stop"));
        assertThat(stopped.path("state").asText()).isEqualTo("stopped");
        await().atMost(Duration.ofSeconds(30)).until(() -> admin.ok(admin.get("/api/status")).path("cycle").isNull());
        tenant.addUser(Contoso.employee("dora", "Sales", "Buyer"));

        try (CycleHold hold = CycleHold.install(engine.context())) {
            // Start resumes the schedule and runs a cycle at once, as Entra's "Start provisioning" does.
            assertThat(admin.ok(admin.post("/api/job/start")).path("state").asText()).isEqualTo("running");
            hold.awaitHeldCycle();

            JsonNode during = admin.ok(admin.get("/api/status"));
            assertThat(during.path("state").asText()).isEqualTo("running");
            JsonNode cycle = during.path("cycle");
            assertThat(cycle.path("type").asText()).isEqualTo("incremental");
            assertThat(cycle.path("pagesRead").asInt()).isGreaterThanOrEqualTo(1);
            assertThat(cycle.path("counts").path("skipped").asInt()).isEqualTo(1);
            String heldCycle = cycle.path("cycleId").asText();

            JsonNode stopping = admin.ok(admin.post("/api/job/stop"));
            assertThat(stopping.path("state").asText()).isEqualTo("stopped");
            assertThat(stopping.path("cycle").path("cycleId").asText()).isEqualTo(heldCycle);
            assertThat(engine.context().getRouteController().getRouteStatus("default.cycle-schedule"))
                    .isEqualTo(ServiceStatus.Stopped);
            // Idempotent: a second stop changes nothing.
            assertThat(admin.ok(admin.post("/api/job/stop")).path("state").asText()).isEqualTo("stopped");

            hold.release();
            await().atMost(Duration.ofSeconds(30)).until(() -> admin.ok(admin.get("/api/status")).path("cycle").isNull());
            JsonNode after = admin.ok(admin.get("/api/status"));
            assertThat(after.path("lastCycle").path("cycleId").asText()).isEqualTo(heldCycle);
            assertThat(after.path("lastCycle").path("state").asText()).isEqualTo("completed");

            // With a one-second interval, a schedule that still ran would start cycles during these seconds.
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> {
                JsonNode status = admin.ok(admin.get("/api/status"));
                return status.path("cycle").isNull() && status.path("lastCycle").path("cycleId").asText().equals(heldCycle);
            });

            JsonNode started = admin.ok(admin.post("/api/job/start"));
            assertThat(started.path("state").asText()).isEqualTo("running");
            assertThat(admin.ok(admin.post("/api/job/start")).path("state").asText()).isEqualTo("running");
            await().atMost(Duration.ofSeconds(30)).until(() -> !admin.ok(admin.get("/api/status"))
                    .path("lastCycle").path("cycleId").asText().equals(heldCycle));
        }
    }

    @Test
    void startRunsACycleAtOnceAlsoWhenTheIntervalIsLong() throws Exception {
        startEngine("24h");
        String first = admin.ok(admin.get("/api/status")).path("lastCycle").path("cycleId").asText();
        admin.ok(admin.post("/api/job/stop"));
        String dora = tenant.addUser(Contoso.employee("dora", "Sales", "Buyer"));
        tenant.assign(dora);

        assertThat(admin.ok(admin.post("/api/job/start")).path("state").asText()).isEqualTo("running");

        // Not at the schedule's next tick, a day later: now.
        await().atMost(Duration.ofSeconds(30)).until(() -> scim.userByUserName("dora@contoso.example").isPresent());
        // The cycle's report follows its last request by a moment.
        await().atMost(Duration.ofSeconds(30)).until(() -> !admin.ok(admin.get("/api/status")).path("lastCycle")
                .path("cycleId").asText().equals(first));
    }

    @Test
    void restartKeepsTheLinksClearsTheEscrowsAndMakesTheNextCycleInitial() throws Exception {
        startEngine("24h");
        tenant.updateUser(ids.get(0), Map.of("jobTitle", "Head Buyer"));
        scim.failNext(1, 400, null, "/Users/");
        CycleReport failing = engine.runCycle();
        assertThat(failing.counts().get("failed")).isEqualTo(1);
        assertThat(admin.ok(admin.get("/api/status")).path("escrows").asInt()).isEqualTo(1);

        JsonNode restarted = admin.ok(admin.post("/api/job/restart"));

        assertThat(restarted.path("full").asBoolean()).isFalse();
        assertThat(restarted.path("retriesCleared").asInt()).isEqualTo(1);
        assertThat(restarted.path("linksRemoved").asInt()).isZero();
        assertThat(admin.ok(admin.get("/api/status")).path("escrows").asInt()).isZero();
        scim.clearRequests();
        CycleReport next = engine.runCycle();
        assertThat(next.type()).isEqualTo("initial");
        assertThat(next.counts().get("updated")).isEqualTo(1);
        // Links kept: no account is looked up or created again (the initial cycle lists the target, nothing more).
        assertThat(userRequests()).noneMatch(r -> r.method().equals("POST") || isMatchQuery(r));
    }

    @Test
    void fullRestartMatchesEveryAccountAgainAndCreatesNothingTwice() throws Exception {
        startEngine("24h");

        JsonNode restarted = admin.ok(admin.post("/api/job/restart?full=true"));

        assertThat(restarted.path("full").asBoolean()).isTrue();
        assertThat(restarted.path("linksRemoved").asInt()).isEqualTo(3);
        scim.clearRequests();
        CycleReport next = engine.runCycle();
        assertThat(next.type()).isEqualTo("initial");
        // The target's listing holds all three values, so each is matched with a query and linked.
        List<RecordedRequest> matches = userRequests().stream().filter(JobControlApiTest::isMatchQuery).toList();
        assertThat(matches).hasSize(3);
        assertThat(writes()).noneMatch(r -> r.method().equals("POST"));
        assertThat(scim.users()).hasSize(3);
        // Linked again: the cycle after that sends nothing.
        scim.clearRequests();
        engine.runCycle();
        assertThat(userRequests()).isEmpty();
    }

    @Test
    void restartAndProvisionOnDemandAreRefusedWhileACycleRuns() throws Exception {
        startEngine("24h");
        try (CycleHold hold = CycleHold.install(engine.context())) {
            engine.context().createProducerTemplate().asyncSendBody("direct:default.run-cycle", null);
            hold.awaitHeldCycle();

            HttpResponse<String> restart = admin.post("/api/job/restart?full=true");
            HttpResponse<String> onDemand = admin.post("/api/provision/users/" + ids.get(0));

            assertThat(restart.statusCode()).isEqualTo(409);
            assertThat(AdminClient.json(restart).path("error").path("message").asText()).contains("cycle is running");
            assertThat(onDemand.statusCode()).isEqualTo(409);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> admin.ok(admin.get("/api/status")).path("cycle").isNull());
        assertThat(admin.post("/api/job/restart").statusCode()).isEqualTo(200);
    }

    @Test
    void restartRejectsAFullValueThatIsNotABoolean() throws Exception {
        startEngine("24h");

        HttpResponse<String> response = admin.post("/api/job/restart?full=yes");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(AdminClient.json(response).path("error").path("message").asText()).contains("full must be true or false");
    }

    @Test
    void statusAfterACycleCarriesItsReportAndNoQuarantine() throws Exception {
        startEngine("24h");

        JsonNode status = admin.ok(admin.get("/api/status"));

        assertThat(status.path("state").asText()).isEqualTo("running");
        assertThat(status.path("cycle").isNull()).isTrue();
        assertThat(status.path("lastCycle").path("type").asText()).isEqualTo("initial");
        assertThat(status.path("lastCycle").path("counts").path("created").asInt()).isEqualTo(3);
        assertThat(status.path("escrows").asInt()).isZero();
        assertThat(status.has("quarantine")).isTrue();
        assertThat(status.path("quarantine").isNull()).isTrue();
    }

    private static boolean isMatchQuery(RecordedRequest request) {
        return request.method().equals("GET") && request.path().equals("/Users") && request.query() != null
                && request.query().startsWith("filter=");
    }
}
