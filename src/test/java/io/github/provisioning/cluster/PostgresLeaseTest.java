package io.github.provisioning.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.provisioning.state.JobId;
import io.github.provisioning.state.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The job's lease on a real PostgreSQL, two nodes in one JVM: who takes it, when it may write, and what a node finds
 * when it gave the lease up or when the server ended its quiet session. A failover timeout of 10 s: a heartbeat
 * every 1 s, writes within 3 s of a confirmation, the server ending a session quiet for 4 s.
 */
class PostgresLeaseTest {

    private static final Duration FAILOVER = Duration.ofSeconds(10);

    private TestDatabase database;
    private final List<PostgresLease> leases = new ArrayList<>();

    @BeforeEach
    void createSchema() {
        database = TestDatabase.create(TestDatabase.Kind.POSTGRESQL);
    }

    @AfterEach
    void closeLeasesAndDropSchema() {
        leases.forEach(PostgresLease::close);
        database.close();
    }

    @Test
    void theFirstNodeRunsTheJobAfterItsWaitAndTheOtherTakesItOverWhenItStops() {
        PostgresLease a = lease("node-a");
        PostgresLease b = lease("node-b");

        assertThat(a.keep()).as("took the lock, waits").isEqualTo(JobLease.Change.STANDBY);
        assertThat(b.keep()).isEqualTo(JobLease.Change.STANDBY);
        assertThat(b.holder()).contains("node-a");
        assertThat(a.held()).as("during the wait").isFalse();
        assertThatThrownBy(a::checkWrite).isInstanceOf(LeaseLostException.class).hasMessageContaining("node-a");

        awaitChange(a, JobLease.Change.TAKEN);
        assertThat(a.held()).isTrue();
        a.checkWrite();
        assertThat(a.keep()).isEqualTo(JobLease.Change.KEPT);
        assertThat(b.keep()).isEqualTo(JobLease.Change.STANDBY);
        assertThat(b.held()).isFalse();
        assertThatThrownBy(b::checkWrite).isInstanceOf(LeaseLostException.class);

        a.close();
        awaitChange(b, JobLease.Change.TAKEN);
        assertThat(b.held()).isTrue();
        assertThat(b.holder()).contains("node-b");
    }

    @Test
    void aLateHeartbeatRefusesWritesThenAsksForTheCycleAgain() {
        PostgresLease a = lease("node-a");
        a.keep();
        awaitChange(a, JobLease.Change.TAKEN);

        // No heartbeat for longer than the fence (the timer thread starved), the session still alive.
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> !a.held());
        assertThatThrownBy(a::checkWrite).isInstanceOf(LeaseLostException.class);
        assertThat(a.keep()).as("its refused cycle is asked for again").isEqualTo(JobLease.Change.TAKEN);
        a.checkWrite();
        assertThat(a.keep()).isEqualTo(JobLease.Change.KEPT);
    }

    @Test
    void aQuietSessionIsEndedByTheServerAndItsNodeFindsTheLeaseLost() {
        PostgresLease a = lease("node-a");
        PostgresLease b = lease("node-b");
        a.keep();
        awaitChange(a, JobLease.Change.TAKEN);

        // Node a goes quiet (paused, cut off): the server ends its session, and node b takes the lock.
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                .until(() -> b.keep() != JobLease.Change.STANDBY || b.holder().equals(Optional.of("node-b")));
        assertThat(a.held()).as("a stopped writing before b took the lock").isFalse();
        assertThatThrownBy(a::checkWrite).isInstanceOf(LeaseLostException.class);
        assertThat(a.keep()).isEqualTo(JobLease.Change.LOST);
        assertThat(a.keep()).as("then asks for it again, as a standby").isEqualTo(JobLease.Change.STANDBY);
        awaitChange(b, JobLease.Change.TAKEN);
        assertThat(a.holder()).contains("node-b");
    }

    @Test
    void aStandbyWhoseQuietSessionTheServerEndedStillSaysWhoHoldsTheJob() throws Exception {
        PostgresLease a = lease("node-a");
        PostgresLease b = lease("node-b");
        a.keep();
        awaitChange(a, JobLease.Change.TAKEN);

        // Node b has not sent a heartbeat yet (a slow start): the server ends its quiet session.
        try (Connection c = DriverManager.getConnection(database.jdbcUrl(), database.username(), "")) {
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).until(() -> {
                a.keep();
                return sessionsOf(c, "node-b") == 0;
            });
        }
        assertThat(b.holder()).contains("node-a");
    }

    @Test
    void enginesOnOtherSchemasOfOneDatabaseHoldOtherLocks() {
        long one = PostgresLease.key("entra", JobId.DEFAULT.value());
        assertThat(one).isNotNegative().isNotEqualTo(PostgresLease.key("staging", JobId.DEFAULT.value()))
                .isNotEqualTo(PostgresLease.key("entra", "hr"));
        assertThat(PostgresLease.key("entra", JobId.DEFAULT.value())).isEqualTo(one);
    }

    private PostgresLease lease(String node) {
        PostgresLease lease = new PostgresLease(database.jdbcUrl(), database.username(), "",
                new ClusterNode(node, 1), JobId.DEFAULT, FAILOVER, IdleJob.always());
        leases.add(lease);
        return lease;
    }

    private static int sessionsOf(Connection c, String node) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE application_name "
                + "LIKE 'provisioning:%:' || ?")) {
            ps.setString(1, node);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** Heartbeats as the timer does, until the lease changes so. */
    private static void awaitChange(PostgresLease lease, JobLease.Change change) {
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).until(lease::keep, change::equals);
    }
}
