package io.github.provisioning.cluster;

import io.github.provisioning.state.JobId;
import java.io.Closeable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A job's lease in a cluster of engines: a PostgreSQL session advisory lock, held by a session of its own. The lock
 * dies with its session: at once when the process dies (its socket closes), and after {@link #idleTimeout} when the
 * process stops answering (paused, or cut off), because the server ends a session idle that long
 * ({@code idle_session_timeout}). The holder confirms its session every {@link #heartbeat}, and writes only within
 * {@link #fence} of its last confirmation: well before the server could free the lock. A node that takes the lock
 * waits {@link #fence} before it runs the job, so that a holder whose session the server ended early (a restart,
 * {@code pg_terminate_backend}) has stopped writing by then. The leases of one node share a {@link ClusterNode}:
 * a standby asks for its lock only while its node holds fewer jobs than its share, and a holder gives its job up,
 * between cycles, while its node holds more. docs/deploy.md has the timeline and the balancing.
 */
public final class PostgresLease implements JobLease, Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresLease.class);

    /**
     * Each session's application_name: this prefix, a short hash of the schema (the deployment), and the node id, so
     * that any node can tell who holds a lock and which nodes its cluster has: {@code provisioning:1a2b3c4d:node-a}.
     */
    static final String APPLICATION_PREFIX = "provisioning:";
    /** PostgreSQL keeps this many bytes of an application_name. */
    private static final int APPLICATION_NAME_LENGTH = 63;

    private static final String HOLDER = "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a"
            + " ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1"
            + " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            + " AND ((l.classid::bigint << 32) | l.objid::bigint) = ?";
    /** The live nodes of this deployment (every node with a lease session) and how many jobs' locks each holds. */
    private static final String SPREAD = "SELECT a.application_name, count(l.pid) FROM pg_stat_activity a"
            + " LEFT JOIN pg_locks l ON l.pid = a.pid AND l.locktype = 'advisory' AND l.granted AND l.objsubid = 1"
            + " WHERE a.datname = current_database() AND starts_with(a.application_name, ?)"
            + " GROUP BY a.application_name";

    private final String jdbcUrl;
    private final String username;
    private final String password;
    private final String nodeId;
    private final ClusterNode node;
    private final IdleJob idle;
    private final JobId job;
    private final Duration heartbeat;
    private final Duration idleTimeout;
    private final Duration fence;

    private Connection session;
    private long key;
    /** This deployment's application_name prefix, and this session's name: both from the schema. */
    private String deployment;
    private String applicationName;
    /** System.nanoTime() when the lock was taken; 0 while this node does not hold it. */
    private long takenAt;
    /** Whether the wait after taking the lock is over: this node runs the job. */
    private volatile boolean running;
    /** System.nanoTime() at the start of the last heartbeat that confirmed the session holding the lock. */
    private volatile long confirmedAt;
    /** A write was refused while this node still held the lock (a late heartbeat): its next cycle is asked for. */
    private volatile boolean refusedWhileHeld;
    private boolean unreachable;

    /**
     * How long a lease's session may stay quiet before the server ends it: 0.4 of the failover timeout. The state
     * store's transactions in a cluster get the same limit, so that a frozen node's row locks go with its lease.
     */
    public static Duration quietLimit(Duration failoverTimeout) {
        return Duration.ofMillis(failoverTimeout.toMillis() * 4 / 10);
    }

    /**
     * Opens the lease's session (failing start-up when PostgreSQL cannot serve a cluster) without taking the lock.
     *
     * @param node            this node, shared by the leases of its jobs
     * @param failoverTimeout how long a job may stay without a running node after its node stopped answering
     * @param idle            the job, which this lease gives up to another node only between cycles
     */
    public PostgresLease(String jdbcUrl, String username, String password, ClusterNode node, JobId job,
                         Duration failoverTimeout, IdleJob idle) {
        this.jdbcUrl = jdbcUrl;
        this.username = username;
        this.password = password;
        this.nodeId = node.id();
        this.node = node;
        this.idle = idle;
        this.job = job;
        long millis = failoverTimeout.toMillis();
        this.heartbeat = Duration.ofMillis(millis / 10);
        this.idleTimeout = quietLimit(failoverTimeout);
        this.fence = Duration.ofMillis(millis * 3 / 10);
        synchronized (this) {
            try {
                open();
            } catch (SQLException e) {
                throw new IllegalStateException("Cannot open the cluster's lease session on the state database: "
                        + e.getMessage(), e);
            }
        }
    }

    /** How often the lease is confirmed or, by a node without it, asked for. */
    public Duration heartbeat() {
        return heartbeat;
    }

    @Override
    public String nodeId() {
        return nodeId;
    }

    @Override
    public synchronized Change keep() {
        if (takenAt != 0) {
            long start = System.nanoTime();
            try (Statement s = session.createStatement()) {
                s.execute("SELECT 1");
                confirmedAt = start;
                reachable();
            } catch (SQLException e) {
                lose("its lease session failed: " + e.getMessage());
                return Change.LOST;
            }
            if (gaveUp()) {
                return Change.STANDBY;
            }
            if (!running && start - takenAt >= fence.toNanos()) {
                running = true;
                refusedWhileHeld = false;
                LOG.info("Node {} runs job {} from now on", nodeId, job);
                return Change.TAKEN;
            }
            if (running && refusedWhileHeld) {
                refusedWhileHeld = false;
                return Change.TAKEN;
            }
            return Change.KEPT;
        }
        long start = System.nanoTime();
        try {
            // One lease of this node at a time, so that they count what the others took.
            synchronized (node) {
                ClusterNode.Spread spread = spread();
                reachable();
                if (!spread.mayTake() || !tryLock()) {
                    return Change.STANDBY;
                }
            }
        } catch (SQLException e) {
            if (!unreachable) {
                LOG.warn("Node {} cannot ask for the lease on job {}: {}", nodeId, job, e.getMessage());
                unreachable = true;
            }
            closeSession();
            return Change.STANDBY;
        }
        takenAt = start;
        confirmedAt = start;
        LOG.info("Node {} took the lease on job {}; it runs the job after {} ms, when a node that held it before "
                + "has stopped writing", nodeId, job, fence.toMillis());
        return Change.STANDBY;
    }

    private boolean tryLock() throws SQLException {
        try (PreparedStatement ps = session().prepareStatement("SELECT pg_try_advisory_lock(?)")) {
            ps.setLong(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** How the cluster's jobs are spread now, as this deployment's lease sessions show it. */
    private ClusterNode.Spread spread() throws SQLException {
        Map<String, Integer> held = new HashMap<>();
        try (PreparedStatement ps = session().prepareStatement(SPREAD)) {
            ps.setString(1, deployment);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    held.put(rs.getString(1), rs.getInt(2));
                }
            }
        }
        return node.spread(held, applicationName);
    }

    /**
     * Gives the job up while this node holds more than its share (a node joined the cluster), only between cycles:
     * the node that takes it waits {@link #fence} before it runs the job, as for any take-over.
     */
    private boolean gaveUp() {
        synchronized (node) {
            ClusterNode.Spread spread;
            try {
                spread = spread();
            } catch (SQLException e) {
                LOG.debug("Node {} cannot see how the jobs are spread: {}", nodeId, e.getMessage());
                return false;
            }
            return spread.givesUp() && idle.whileIdle(() -> release(spread));
        }
    }

    /** Stops writing for the job first, then frees its lock. */
    private void release(ClusterNode.Spread spread) {
        running = false;
        takenAt = 0;
        refusedWhileHeld = false;
        try (PreparedStatement ps = session.prepareStatement("SELECT pg_advisory_unlock(?)")) {
            ps.setLong(1, key);
            ps.execute();
            LOG.info("Node {} gives job {} up to another node of the cluster ({})", nodeId, job, spread);
        } catch (SQLException e) {
            lose("giving it up failed: " + e.getMessage());
        }
    }

    @Override
    public boolean held() {
        return running && System.nanoTime() - confirmedAt < fence.toNanos();
    }

    @Override
    public void checkWrite() {
        if (held()) {
            return;
        }
        if (running) {
            refusedWhileHeld = true;
        }
        throw new LeaseLostException("Node " + nodeId + " does not hold the lease on job " + job + " (the node that "
                + "runs it writes for it): no write");
    }

    @Override
    public synchronized Optional<String> holder() {
        try {
            return queryHolder();
        } catch (SQLException e) {
            if (takenAt != 0) {
                lose("its lease session failed: " + e.getMessage());
                return Optional.empty();
            }
            // A standby's session the server ended (quiet before the first heartbeat): once more on a new one.
            closeSession();
            try {
                return queryHolder();
            } catch (SQLException again) {
                closeSession();
                return Optional.empty();
            }
        }
    }

    private Optional<String> queryHolder() throws SQLException {
        try (PreparedStatement ps = session().prepareStatement(HOLDER)) {
            ps.setLong(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    String name = rs.getString(1);
                    return Optional.of(name.startsWith(deployment) ? name.substring(deployment.length()) : name);
                }
                return Optional.empty();
            }
        }
    }

    @Override
    public synchronized void close() {
        if (takenAt != 0) {
            LOG.info("Node {} gives up the lease on job {}", nodeId, job);
        }
        takenAt = 0;
        running = false;
        closeSession();
    }

    private void lose(String why) {
        LOG.warn("Node {} lost the lease on job {} ({}); it stops writing for the job", nodeId, job, why);
        takenAt = 0;
        running = false;
        closeSession();
    }

    private void reachable() {
        if (unreachable) {
            LOG.info("Node {} reaches PostgreSQL for the lease on job {} again", nodeId, job);
            unreachable = false;
        }
    }

    private Connection session() throws SQLException {
        if (session == null) {
            open();
        }
        return session;
    }

    /**
     * A session of its own: ended by the server when idle longer than {@link #idleTimeout}, and with socket
     * timeouts shorter than a heartbeat, so that no call of the lease hangs.
     */
    private void open() throws SQLException {
        Properties properties = new Properties();
        if (username != null && !username.isBlank()) {
            properties.setProperty("user", username);
        }
        if (password != null && !password.isEmpty()) {
            properties.setProperty("password", password);
        }
        properties.setProperty("ApplicationName", APPLICATION_PREFIX);
        String seconds = String.valueOf(Math.max(1, (heartbeat.toMillis() + 999) / 1000));
        properties.setProperty("connectTimeout", seconds);
        properties.setProperty("socketTimeout", seconds);
        properties.setProperty("tcpKeepAlive", "true");
        Connection c = DriverManager.getConnection(jdbcUrl, properties);
        try (Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT current_setting('server_version_num')::int, current_schema()")) {
                rs.next();
                if (rs.getInt(1) < 140000) {
                    throw new IllegalStateException("A cluster of engines needs PostgreSQL 14 or newer (its "
                            + "idle_session_timeout frees a lease whose node stopped answering); this one is "
                            + rs.getInt(1));
                }
                key = key(rs.getString(2), job.value());
                deployment = deployment(rs.getString(2));
            }
            s.execute("SET idle_session_timeout = " + idleTimeout.toMillis());
            applicationName = applicationName(deployment, nodeId);
            try (PreparedStatement ps = c.prepareStatement("SELECT set_config('application_name', ?, false)")) {
                ps.setString(1, applicationName);
                ps.execute();
            }
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
        session = c;
    }

    private void closeSession() {
        if (session != null) {
            try {
                session.close();
            } catch (SQLException e) {
                LOG.debug("Closing the lease session failed", e);
            }
            session = null;
        }
    }

    /**
     * The lock's key: the schema and the job, hashed, so that engines with their state in different schemas of one
     * database never share a lock. Not negative, so that pg_locks' two halves give it back.
     */
    static long key(String schema, String job) {
        byte[] hash = sha256("camel-entra-provisioning:" + schema + ":" + job);
        long key = 0;
        for (int i = 0; i < 8; i++) {
            key = key << 8 | (hash[i] & 0xff);
        }
        return key & Long.MAX_VALUE;
    }

    /** The application_name prefix of the deployment whose state is in that schema. */
    static String deployment(String schema) {
        return APPLICATION_PREFIX + shortHash("schema:" + schema) + ":";
    }

    /**
     * The session's name: the deployment's prefix and the node id, which a too long id leaves with its start and a
     * hash of the whole, so that two nodes never share a name.
     */
    static String applicationName(String deployment, String nodeId) {
        int room = APPLICATION_NAME_LENGTH - deployment.length();
        if (nodeId.getBytes(StandardCharsets.UTF_8).length <= room) {
            return deployment + nodeId;
        }
        String start = nodeId.substring(0, Math.min(nodeId.length(), room - 9));
        while (start.getBytes(StandardCharsets.UTF_8).length > room - 9) {
            start = start.substring(0, start.length() - 1);
        }
        return deployment + start + "~" + shortHash(nodeId);
    }

    private static String shortHash(String text) {
        return HexFormat.of().formatHex(sha256(text), 0, 4);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
