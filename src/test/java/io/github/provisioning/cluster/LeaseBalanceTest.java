package io.github.provisioning.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.provisioning.state.JobId;
import io.github.provisioning.state.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Four jobs spread over the nodes of a cluster on a real PostgreSQL, the nodes' leases in one JVM, each heartbeat
 * driven by the test. A failover timeout of 5 s: a node runs a job 1.5 s after it took its lock. After every lease's
 * heartbeat, no job runs on two nodes at once, and no node has given up a job whose cycle runs.
 */
class LeaseBalanceTest {

    private static final Duration FAILOVER = Duration.ofSeconds(5);
    private static final List<JobId> JOBS = List.of(new JobId("hr"), new JobId("sales"), new JobId("it"),
            new JobId("contractors"));

    private TestDatabase database;
    private final List<TestDatabase> otherDatabases = new ArrayList<>();
    private final List<Node> nodes = new ArrayList<>();

    @BeforeEach
    void createSchema() {
        database = TestDatabase.create(TestDatabase.Kind.POSTGRESQL);
    }

    @AfterEach
    void closeLeasesAndDropSchemas() {
        nodes.forEach(Node::stop);
        database.close();
        otherDatabases.forEach(TestDatabase::close);
    }

    @Test
    void twoNodesStartedTogetherRunTwoJobsEach() {
        Node a = node("node-a", database);
        Node b = node("node-b", database);

        awaitRunning(Map.of(a, 2, b, 2), a, b);
        stays(Map.of(a, 2, b, 2), a, b);
    }

    @Test
    void aNodeThatJoinsTakesHalfTheJobsAndNoCycleIsCutShort() {
        Node a = node("node-a", database);
        awaitRunning(Map.of(a, 4), a);
        JobId busy = JOBS.get(0);
        a.busy.add(busy);

        Node b = node("node-b", database);
        awaitRunning(Map.of(a, 2, b, 2), a, b);
        stays(Map.of(a, 2, b, 2), a, b);
        assertThat(a.leases.get(busy).held()).as("the job whose cycle runs stays").isTrue();
    }

    @Test
    void whenANodeStopsTheOtherRunsAllTheJobsWithinTheFailoverTimeout() {
        Node a = node("node-a", database);
        Node b = node("node-b", database);
        awaitRunning(Map.of(a, 2, b, 2), a, b);

        b.stop();
        await().atMost(FAILOVER).pollInterval(Duration.ofMillis(100)).until(() -> {
            heartbeat(a);
            return a.running() == 4;
        });
    }

    @Test
    void nodesOfAnotherSchemaAreNotCounted() {
        TestDatabase other = TestDatabase.create(TestDatabase.Kind.POSTGRESQL);
        otherDatabases.add(other);
        Node a = node("node-a", database);
        Node c = node("node-c", other);
        Node d = node("node-d", other);

        // Counted with c and d, a would stop at its share of ceil(4 / 3) = 2 jobs.
        awaitRunning(Map.of(a, 4, c, 2, d, 2), a, c, d);
        stays(Map.of(a, 4, c, 2, d, 2), a, c, d);
    }

    @Test
    void aLongNodeIdKeepsItsSessionNameWithinPostgresqlsLimitAndApart() {
        String deployment = PostgresLease.deployment("entra");
        String one = PostgresLease.applicationName(deployment, "provisioning-engine-7d9f8c6b5-abcde".repeat(2));
        String two = PostgresLease.applicationName(deployment, "provisioning-engine-7d9f8c6b5-fghij".repeat(2));

        assertThat(one).hasSizeLessThanOrEqualTo(63).startsWith(deployment).isNotEqualTo(two);
        assertThat(PostgresLease.applicationName(deployment, "node-a")).isEqualTo(deployment + "node-a");
        assertThat(deployment).isNotEqualTo(PostgresLease.deployment("staging")).startsWith("provisioning:");
    }

    private Node node(String id, TestDatabase db) {
        Node node = new Node(id, db);
        nodes.add(node);
        return node;
    }

    private static void awaitRunning(Map<Node, Integer> expected, Node... cluster) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
            heartbeat(cluster);
            return expected.entrySet().stream().allMatch(e -> e.getKey().running() == e.getValue());
        });
    }

    /** For a failover timeout, the jobs stay where they are: no node gives one up to take it back. */
    private static void stays(Map<Node, Integer> expected, Node... cluster) {
        await().during(FAILOVER).atMost(FAILOVER.multipliedBy(2)).pollInterval(Duration.ofMillis(100)).until(() -> {
            heartbeat(cluster);
            return expected.entrySet().stream().allMatch(e -> e.getKey().running() == e.getValue());
        });
    }

    /** Every lease's heartbeat, as their timers send them. */
    private static void heartbeat(Node... cluster) {
        for (Node node : cluster) {
            for (JobId job : JOBS) {
                node.leases.get(job).keep();
                for (JobId each : JOBS) {
                    assertThat(List.of(cluster).stream().filter(n -> n.database == node.database
                            && n.leases.get(each).held()).count()).as("nodes running job " + each).isLessThanOrEqualTo(1);
                }
                node.busy.forEach(busy -> assertThat(node.leases.get(busy).held())
                        .as(node.id + " keeps job " + busy + " while its cycle runs").isTrue());
            }
        }
    }

    /** A node with the four jobs, whose leases share it; a job in {@code busy} runs a cycle. */
    private static final class Node {
        final String id;
        final TestDatabase database;
        final Map<JobId, PostgresLease> leases = new LinkedHashMap<>();
        final Set<JobId> busy = ConcurrentHashMap.newKeySet();

        Node(String id, TestDatabase database) {
            this.id = id;
            this.database = database;
            ClusterNode node = new ClusterNode(id, JOBS.size());
            for (JobId job : JOBS) {
                leases.put(job, new PostgresLease(database.jdbcUrl(), database.username(), "", node, job, FAILOVER,
                        work -> {
                            if (busy.contains(job)) {
                                return false;
                            }
                            work.run();
                            return true;
                        }));
            }
        }

        long running() {
            return leases.values().stream().filter(PostgresLease::held).count();
        }

        void stop() {
            leases.values().forEach(PostgresLease::close);
        }
    }
}
