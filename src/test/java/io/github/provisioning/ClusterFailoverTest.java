package io.github.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.provisioning.sandbox.scim.RecordedRequest;
import io.github.provisioning.state.TestDatabase;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20's failover test: two engine processes with {@code provisioning.cluster.enabled=true} share one job, its
 * state in one PostgreSQL, its tenant a 3,000-user Graph simulator, its target one SCIM sandbox. The node that runs
 * the initial cycle is killed with SIGKILL in the middle of it. The other node must take the job over within the
 * failover timeout, finish with exactly the accounts one uninterrupted run makes, never POST a userName twice nor
 * have a POST answered 409, and never send a request while the first node still could. Paused instead (SIGSTOP), the
 * first node loses the job to the second within the failover timeout, and when it wakes up it stops its cycle.
 */
class ClusterFailoverTest extends EngineTest {

    private static final int USERS = 3_000;
    private static final Duration FAILOVER = Duration.ofSeconds(15);
    /** Generous: a whole initial cycle of the tenant on a loaded 2-core machine. */
    private static final Duration FULL_RUN = Duration.ofMinutes(5);

    @TempDir
    Path secondDataDir;

    @TempDir
    Path referenceDir;

    @Test
    void theOtherNodeTakesOverAKilledNodesInitialCycleAndCreatesNothingTwice() throws Exception {
        tenant.populateSample(USERS, 7);
        try (TestDatabase database = TestDatabase.create(TestDatabase.Kind.POSTGRESQL)) {
            Instant killed;
            try (TwoNodes nodes = new TwoNodes(database)) {
                assertThat(creates("node-a")).as("creates before the kill").isLessThan(USERS / 2);
                assertThat(requestsBy("node-b")).as("requests of the standby node b").isEmpty();
                // A standby refuses what would write for the job, and names the engine that runs it.
                HttpResponse<String> restart = nodes.adminB.post("/api/job/restart");
                assertThat(restart.statusCode()).as(restart.body()).isEqualTo(409);
                assertThat(restart.body()).contains("engine node-a does");
                nodes.a.kill();
                killed = Instant.now();

                awaitOrShow(() -> !nodes.b.isAlive() || !requestsBy("node-b").isEmpty(), nodes.b);
                Instant takenOver = requestsBy("node-b").get(0).time();
                assertThat(Duration.between(killed, takenOver)).as("from the kill to node b's first request\n%s",
                        nodes.b.output()).isLessThan(FAILOVER);
                JsonNode active = nodes.adminB.ok(nodes.adminB.get("/api/status"));
                assertThat(active.path("node").path("active").asBoolean()).as("%s", active).isTrue();
                assertThat(active.path("runsOn").asText()).isEqualTo("node-b");
                nodes.awaitCycleOfBCompleted();
            }

            // Never both: every request of node b came after the last one of node a.
            List<RecordedRequest> ofA = requestsBy("node-a");
            Instant lastOfA = ofA.get(ofA.size() - 1).time();
            assertThat(lastOfA).isBefore(killed);
            assertThat(requestsBy("node-b")).allSatisfy(r -> assertThat(r.time()).isAfter(lastOfA));

            assertThat(userNamesPostedTwice()).as("userNames POSTed more than once").isEmpty();
            assertThat(scim.requests()).filteredOn(r -> isUserCreate(r) && r.status() == 409)
                    .extracting(RecordedRequest::line).as("creates answered 409").isEmpty();

            assertTheAccountsOfOneUninterruptedRun();
        }
    }

    @Test
    void aPausedNodeStopsWritingOnceTheOtherTookTheJobOver() throws Exception {
        tenant.populateSample(USERS, 7);
        try (TestDatabase database = TestDatabase.create(TestDatabase.Kind.POSTGRESQL)) {
            Instant resumed;
            try (TwoNodes nodes = new TwoNodes(database)) {
                // Frozen, as by a long pause or a network cut: its lease session goes quiet.
                nodes.a.signal("STOP");
                Instant frozen = Instant.now();
                awaitOrShow(() -> !nodes.b.isAlive() || !requestsBy("node-b").isEmpty(), nodes.b);
                assertThat(Duration.between(frozen, requestsBy("node-b").get(0).time()))
                        .as("from the pause to node b's first request\n%s", nodes.b.output()).isLessThan(FAILOVER);
                long createdByB = creates("node-b");
                awaitOrShow(() -> !nodes.b.isAlive() || creates("node-b") >= createdByB + 100, nodes.b);

                // It wakes up in the middle of b's cycle, finds its lease gone, and stops its cycle.
                nodes.a.signal("CONT");
                resumed = Instant.now();
                awaitOrShow(() -> nodes.a.output().contains("lost the lease on job default")
                        && nodes.a.output().contains("handed over"), nodes.a);
                AdminClient adminA = new AdminClient(nodes.first.get("admin.port"), null);
                JsonNode status = adminA.ok(adminA.get("/api/status"));
                assertThat(status.path("node").path("active").asBoolean()).as("%s", status).isFalse();
                assertThat(status.path("runsOn").asText()).as("%s", status).isEqualTo("node-b");
                nodes.awaitCycleOfBCompleted();
            }

            // Only a write that had passed its lease check before the pause may leave a after it: at most one per
            // SCIM connection (scim.concurrency, 8). Any create it sent twice is one of those.
            List<RecordedRequest> late = requestsBy("node-a").stream()
                    .filter(r -> !r.method().equals("GET") && r.time().isAfter(resumed)).toList();
            assertThat(late).as("writes of node a after it woke up").hasSizeLessThanOrEqualTo(8);
            List<String> lateCreates = late.stream().filter(EngineTest::isUserCreate)
                    .map(r -> r.json().path("userName").asText().toLowerCase(Locale.ROOT)).toList();
            assertThat(userNamesPostedTwice()).as("userNames POSTed more than once").isSubsetOf(lateCreates);
            assertTheAccountsOfOneUninterruptedRun();
        }
    }

    /**
     * Node a in the middle of the job's initial cycle, node b started after a took the job and standing by; closing
     * it kills whichever still runs.
     */
    private final class TwoNodes implements AutoCloseable {
        final Map<String, String> first;
        final Map<String, String> second;
        final ApplicationProcess.Running a;
        final ApplicationProcess.Running b;
        final AdminClient adminB;

        TwoNodes(TestDatabase database) throws Exception {
            first = node("node-a", dataDir, database);
            second = node("node-b", secondDataDir, database);
            a = ApplicationProcess.start(first);
            ApplicationProcess.Running started = null;
            try {
                // Node a takes the job and writes; node b, started then, stands by and says that a runs the job.
                awaitOrShow(() -> !a.isAlive() || creates("node-a") >= 100, a);
                assertThat(a.isAlive()).as("node a\n%s", a.output()).isTrue();
                started = ApplicationProcess.start(second);
                adminB = new AdminClient(second.get("admin.port"), null);
                assertStandsBy(adminB);
                // In the middle of the initial cycle: node a goes on while b stands by.
                long done = creates("node-a");
                ApplicationProcess.Running standby = started;
                awaitOrShow(() -> !a.isAlive() || creates("node-a") >= done + 200, a, standby);
                assertThat(a.isAlive()).as("node a\n%s", a.output()).isTrue();
            } catch (Exception | AssertionError e) {
                if (started != null) {
                    started.close();
                }
                a.close();
                throw e;
            }
            b = started;
        }

        void awaitCycleOfBCompleted() throws Exception {
            awaitOrShow(() -> !b.isAlive() || "completed".equals(
                    adminB.ok(adminB.get("/api/status")).path("lastCycle").path("state").asText()), b);
            assertThat(b.isAlive()).as("node b\n%s", b.output()).isTrue();
        }

        @Override
        public void close() throws Exception {
            try (a) {
                b.close();
            }
        }
    }

    /** Node b, up, says that it does not run the job and that node a does. */
    private static void assertStandsBy(AdminClient admin) {
        JsonNode standby = await().atMost(Duration.ofMinutes(2)).ignoreExceptions()
                .until(() -> admin.ok(admin.get("/api/status")), status -> status.has("node"));
        assertThat(standby.path("node").path("id").asText()).isEqualTo("node-b");
        assertThat(standby.path("node").path("active").asBoolean()).as("%s", standby).isFalse();
        assertThat(standby.path("runsOn").asText()).as("%s", standby).isEqualTo("node-a");
    }

    /** Exactly the accounts one uninterrupted run of the application makes. */
    private void assertTheAccountsOfOneUninterruptedRun() throws Exception {
        assertThat(accountsByUserName(scim.users()))
                .isEqualTo(accountsOfOneUninterruptedRun(referenceDir, FULL_RUN, USERS / 2));
    }

    /** Waits for the condition; when it does not come, fails with the output of the nodes. */
    private static void awaitOrShow(java.util.concurrent.Callable<Boolean> condition,
                                    ApplicationProcess.Running... nodes) throws Exception {
        try {
            await().atMost(FULL_RUN).ignoreExceptions().until(condition);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            StringBuilder outputs = new StringBuilder(e.getMessage());
            for (ApplicationProcess.Running node : nodes) {
                outputs.append("\n---- a node's output:\n").append(node.output());
            }
            throw new AssertionError(outputs.toString(), e);
        }
    }

    /** A node of the cluster: its own data directory, admin port and name (in its SCIM requests' User-Agent too). */
    private Map<String, String> node(String name, Path dir, TestDatabase database) {
        Map<String, String> settings = EngineUnderTest.settingsFor(graph, scim, dir);
        settings.put("provisioning.state.jdbc-url", database.jdbcUrl());
        settings.put("provisioning.state.username", database.username());
        settings.put("provisioning.cluster.enabled", "true");
        settings.put("provisioning.cluster.failover-timeout", FAILOVER.toSeconds() + "s");
        settings.put("provisioning.cluster.node-id", name);
        settings.put("scim.user-agent", "camel-entra-provisioning " + name);
        // Slow enough that the initial cycle lasts while the second node starts: about 30 s for the tenant.
        settings.put("scim.max-requests-per-second", "100");
        return settings;
    }

    private List<RecordedRequest> requestsBy(String node) {
        return scim.requests().stream()
                .filter(r -> r.headers().getOrDefault("user-agent", List.of()).stream().anyMatch(v -> v.endsWith(node)))
                .toList();
    }

    private long creates(String node) {
        return requestsBy(node).stream().filter(EngineTest::isUserCreate).count();
    }
}
