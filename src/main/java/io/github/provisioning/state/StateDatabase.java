package io.github.provisioning.state;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.Closeable;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.output.MigrateResult;
import org.h2.jdbcx.JdbcConnectionPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the state store lives: an embedded H2 database in the data directory unless
 * {@code provisioning.state.jdbc-url} names another database (PostgreSQL), reached through a connection pool. It
 * migrates the schema, runs the stores' statements and transactions, and during a dry run sends them all to a copy
 * of the database ({@link DryRunCopy}). Every write is its own transaction unless a store runs several in one.
 */
public final class StateDatabase implements Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(StateDatabase.class);

    private final DataSource dataSource;
    private final String description;
    /** Whether {@link #close()} closes the pool: false for a data source a test wraps. */
    private final boolean ownsPool;
    /** The database reads and writes go to: {@link #dataSource}, or a dry run's copy of it. */
    private volatile DataSource active;
    private DryRunCopy dryRun;
    /** Stores that keep something of the active database beyond one statement: told when a dry run switches it. */
    private final List<DryRunListener> dryRunListeners = new CopyOnWriteArrayList<>();
    /** Writes what a store deferred; run before each statement that is not inside a transaction of this thread. */
    private final List<Runnable> deferredWrites = new CopyOnWriteArrayList<>();
    private final ThreadLocal<Boolean> inTransaction = ThreadLocal.withInitial(() -> false);
    private volatile Runnable writeFence = () -> { };
    /** H2 may write a commit to its file after it returns; {@link #checkpoint()} makes sure it is written. */
    private volatile boolean embeddedH2;

    private StateDatabase(DataSource dataSource, String description, boolean ownsPool) {
        this.dataSource = dataSource;
        this.description = description;
        this.ownsPool = ownsPool;
        this.active = dataSource;
    }

    /**
     * @param jdbcUrl  empty or null for the embedded H2 database under {@code dataDir/state}
     * @param poolSize connections of the pool; the provisioning threads share them
     */
    public static StateDatabase open(String jdbcUrl, String username, String password, Path dataDir, int poolSize) {
        return open(jdbcUrl, username, password, dataDir, poolSize, null);
    }

    /**
     * @param stuckTransaction on PostgreSQL, how long a transaction may wait for its next statement before the server
     *                         ends its session (null: as long as it likes). In a cluster, a node frozen inside a
     *                         transaction would otherwise keep its row locks, and the node that took its jobs over
     *                         would wait on them until it wakes.
     */
    public static StateDatabase open(String jdbcUrl, String username, String password, Path dataDir, int poolSize,
                                     Duration stuckTransaction) {
        if (jdbcUrl == null || jdbcUrl.isBlank()) {
            String url = "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("state").resolve("provisioning");
            // H2 gives up on a lock after a second or two by default; on a loaded machine a concurrent commit can take
            // longer, and the object would fail for nothing. PostgreSQL waits as long as it takes.
            // WRITE_DELAY=0: H2 writes each commit to its file as the commit ends (one that races another thread's
            // write goes with the next). By default it writes them every 500 ms, and a killed process loses the last
            // ones: a link, or the create intent written before a POST (crash safety rests on both).
            JdbcConnectionPool pool = JdbcConnectionPool.create(url + ";LOCK_TIMEOUT=10000;WRITE_DELAY=0", "sa", "");
            pool.setMaxConnections(poolSize);
            return new StateDatabase(pool, url, true);
        }
        HikariConfig config = new HikariConfig();
        config.setPoolName("provisioning-state");
        config.setJdbcUrl(jdbcUrl);
        if (username != null && !username.isBlank()) {
            config.setUsername(username);
        }
        if (password != null && !password.isEmpty()) {
            config.setPassword(password);
        }
        config.setMaximumPoolSize(poolSize);
        if (stuckTransaction != null) {
            config.setConnectionInitSql("SET idle_in_transaction_session_timeout = " + stuckTransaction.toMillis());
        }
        return new StateDatabase(new HikariDataSource(config), withoutParameters(jdbcUrl), true);
    }

    /** The state database on a data source someone else closes (a test's, to watch the statements sent). */
    static StateDatabase on(DataSource dataSource) {
        return new StateDatabase(dataSource, dataSource.toString(), false);
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /** The URL without its query part, which may carry credentials: safe to log. */
    public String description() {
        return description;
    }

    private static String withoutParameters(String jdbcUrl) {
        int query = jdbcUrl.indexOf('?');
        return query < 0 ? jdbcUrl : jdbcUrl.substring(0, query);
    }

    // ---- schema

    /** Flyway over the store's scripts and history table: the store's own schema, and a dry run's copy of it. */
    static FluentConfiguration flyway(DataSource dataSource) {
        return Flyway.configure().dataSource(dataSource).locations("classpath:db/state").table("prov_schema_history");
    }

    /**
     * Brings the schema to the newest version with the scripts in {@code db/state} (Flyway, history table
     * {@code prov_schema_history}). A database written before versioned migrations existed holds version 1's
     * tables without a history: it is recorded as version 1, and later scripts apply to it.
     */
    public StateDatabase migrate() {
        Flyway flyway = flyway(dataSource)
                .baselineVersion("1")
                .baselineDescription("schema created before versioned migrations")
                .load();
        // Asked of the catalogue: Flyway's info() would scan and validate every script once more before migrate().
        if (!tableExists("prov_schema_history") && tableExists("prov_object")) {
            flyway.baseline();
        }
        MigrateResult result = flyway.migrate();
        // Flyway's own lines (a dozen for a new database) are left to its WARN level in logback.xml; this says it all.
        if (result.migrationsExecuted > 0) {
            LOG.info("State store schema migrated to version {} ({} migrations applied)", result.targetSchemaVersion,
                    result.migrationsExecuted);
        }
        try (Connection c = dataSource.getConnection()) {
            embeddedH2 = c.getMetaData().getDatabaseProductName().startsWith("H2");
        } catch (SQLException e) {
            throw new StateStoreException(e);
        }
        return this;
    }

    /**
     * Asks the catalogue rather than querying the table: on a new H2 database the failed query would be written to
     * a {@code provisioning.trace.db} file next to it (H2 traces every SQL exception there).
     */
    private boolean tableExists(String table) {
        try (Connection c = dataSource.getConnection();
             ResultSet tables = c.getMetaData().getTables(c.getCatalog(), c.getSchema(), null,
                     new String[] {"TABLE"})) {
            while (tables.next()) {
                if (table.equalsIgnoreCase(tables.getString("TABLE_NAME"))) {
                    return true;
                }
            }
            return false;
        } catch (SQLException e) {
            throw new StateStoreException(e);
        }
    }

    /**
     * Makes the stored database write its commits to its files now. PostgreSQL's commit is that already; an H2
     * commit that raced another thread's write to the file waits for the next one (CHECKPOINT writes it). A dry
     * run's copy is thrown away, so it needs none.
     */
    void checkpoint() {
        if (embeddedH2 && active == dataSource) {
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                s.execute("CHECKPOINT");
            } catch (SQLException e) {
                throw new StateStoreException(e);
            }
        }
    }

    // ---- dry run

    /** A store that keeps a connection or a memory of the database: it lets go of them as a dry run switches. */
    interface DryRunListener {
        void dryRunBegins();

        void dryRunEnds();
    }

    void onDryRun(DryRunListener listener) {
        dryRunListeners.add(listener);
    }

    /**
     * A dry run of the job from here on: every read and write goes to a copy of the job's rows ({@link DryRunCopy})
     * until {@link #endDryRun()} drops it, so the stored state is left as it was. Called as a cycle begins, with no
     * save in flight. The switch is the whole database's: the stores of other jobs must not run meanwhile.
     */
    public synchronized void beginDryRun(JobId job) {
        if (dryRun != null) {
            throw new IllegalStateException("A dry run is already in progress");
        }
        writeDeferred();
        DryRunCopy copy = DryRunCopy.of(dataSource, job);
        dryRunListeners.forEach(DryRunListener::dryRunBegins);
        dryRun = copy;
        active = copy.dataSource();
    }

    /** Back to the stored state, with what the stores remembered of it before the dry run; the copy goes. */
    public synchronized void endDryRun() {
        if (dryRun == null) {
            return;
        }
        dryRunListeners.forEach(DryRunListener::dryRunEnds);
        active = dataSource;
        // Forgotten before it is closed: a copy that fails to close must not block every later dry run.
        DryRunCopy copy = dryRun;
        dryRun = null;
        copy.close();
    }

    // ---- statements

    interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    interface Reader<T> {
        T read(ResultSet rs) throws SQLException;
    }

    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /**
     * A store that defers writes (and so makes them durable late) names here what writes them: it runs before every
     * later statement, so that no statement reads the database without them, and no commit is durable before them.
     */
    void writeDeferredFirst(Runnable write) {
        deferredWrites.add(write);
    }

    private void writeDeferred() {
        if (!inTransaction.get()) {
            deferredWrites.forEach(Runnable::run);
        }
    }

    /**
     * Checked before every commit to the stored state (not to a dry run's copy): in a cluster, a node that does not
     * hold the job's lease commits nothing for it. It throws to refuse.
     */
    public void fenceWrites(Runnable check) {
        writeFence = check;
    }

    /** Throws when this node may not write the job's state now ({@link #fenceWrites}). */
    void checkWriteFence() {
        if (active == dataSource) {
            writeFence.run();
        }
    }

    /** A connection of the active database, for a store that keeps one (the caller closes it). */
    Connection connection() throws SQLException {
        return active.getConnection();
    }

    <T> T query(String sql, Binder binder, Reader<T> reader) {
        writeDeferred();
        try (Connection c = active.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            try (ResultSet rs = ps.executeQuery()) {
                return reader.read(rs);
            }
        } catch (SQLException e) {
            throw new StateStoreException(e);
        }
    }

    void update(String sql, Binder binder) {
        updated(sql, binder);
    }

    /** One statement in its own transaction; answers the rows it changed. */
    int updated(String sql, Binder binder) {
        return transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                binder.bind(ps);
                return ps.executeUpdate();
            }
        });
    }

    <T> T transaction(Work<T> work) {
        writeDeferred();
        boolean outermost = !inTransaction.get();
        if (outermost) {
            inTransaction.set(true);
        }
        try (Connection c = active.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                checkWriteFence();
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw afterLeaseCheck(e);
        } finally {
            if (outermost) {
                inTransaction.remove();
            }
        }
    }

    /**
     * The error of a failed transaction. A node that lost the job's lease meanwhile (a frozen node whose session the
     * server ended) gets the fence's refusal, the database's error beside it: the job was handed over, not failed.
     */
    RuntimeException afterLeaseCheck(SQLException e) {
        try {
            checkWriteFence();
        } catch (RuntimeException lost) {
            lost.addSuppressed(e);
            return lost;
        }
        return new StateStoreException(e);
    }

    /** The first column of every row, as strings. */
    static List<String> strings(ResultSet rs) throws SQLException {
        List<String> ids = new ArrayList<>();
        while (rs.next()) {
            ids.add(rs.getString(1));
        }
        return ids;
    }

    // ---- IN lists of (job, object type, id) keys

    /** Ids per {@code IN} list: well below every driver's limit on parameters, and one page of users fits in one. */
    static final int IN_CHUNK = 512;

    static List<List<String>> chunks(Collection<String> ids) {
        List<String> distinct = new ArrayList<>(new LinkedHashSet<>(ids));
        List<List<String>> chunks = new ArrayList<>();
        for (int from = 0; from < distinct.size(); from += IN_CHUNK) {
            chunks.add(distinct.subList(from, Math.min(distinct.size(), from + IN_CHUNK)));
        }
        return chunks;
    }

    /**
     * {@code (?, ?, ?), (?, ?, ?), ...} for {@code (job column, type column, id column) IN (...)}: a row value of the
     * whole primary key, because H2 uses only the columns given by {@code =} for {@code job = ? AND (type, id) IN
     * (...)} and reads every row of the job. The list is as long as the next power of two (8 at least), so that a
     * few statements serve every page and stay in the database's statement cache; {@link #bindKeys} repeats the last
     * id to fill it.
     */
    static String keyList(int ids) {
        return String.join(", ", Collections.nCopies(keySlots(ids), "(?, ?, ?)"));
    }

    private static int keySlots(int ids) {
        return Math.max(8, Integer.highestOneBit(Math.max(1, ids - 1)) << 1);
    }

    static void bindKeys(PreparedStatement ps, int first, JobId job, String type, List<String> ids)
            throws SQLException {
        int slots = keySlots(ids.size());
        for (int i = 0; i < slots; i++) {
            ps.setString(first + 3 * i, job.value());
            ps.setString(first + 3 * i + 1, type);
            ps.setString(first + 3 * i + 2, ids.get(Math.min(i, ids.size() - 1)));
        }
    }

    @Override
    public void close() {
        if (!ownsPool) {
            return;
        }
        if (dataSource instanceof HikariDataSource hikari) {
            hikari.close();
        } else if (dataSource instanceof JdbcConnectionPool pool) {
            pool.dispose();
        }
    }
}
