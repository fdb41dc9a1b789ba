package io.github.provisioning.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiPredicate;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's durable state over JDBC: links and last provisioned values, the assignment scope of the last
 * completed cycle, delta watermarks and cycle records. Every write is its own transaction, except the end of a
 * cycle, which stores the watermark and the new scope together: the watermark moves only after the changes it
 * covers are applied, so a crash never skips a change; and {@link #save}s from concurrent threads, which share one
 * (each returns only once it is committed).
 *
 * <p>The saves keep a connection of the pool for themselves once the first one is written ({@link #close} gives it
 * back); every other read and write borrows one from the pool as it goes.
 */
public final class StateStore implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StateStore.class);

    public static final String USER = "user";
    public static final String GROUP = "group";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SCOPE_CURRENT = "current";
    private static final String SCOPE_NEXT = "next";
    /** prov_watermark entries: the last completed scope generation, and the last one a cycle started reading. */
    private static final String SCOPE_COMPLETED = "scope-completed";
    private static final String SCOPE_RUNNING = "scope-running";

    private final DataSource dataSource;
    /** The database reads and writes go to: {@link #dataSource}, or a dry run's copy of it (see {@link DryRunCopy}). */
    private volatile DataSource active;
    private DryRunCopy dryRun;
    private RunningScope runningBeforeDryRun;
    private RunningScope completedBeforeDryRun;
    /** H2 may write a commit to its file after it returns; {@link #putWatermarkDurably} makes sure it is written. */
    private final boolean embeddedH2;
    /** {@link #save}s from concurrent threads, written together in one transaction. */
    private final GroupCommit<Save> saves = new GroupCommit<>(this::upsert, true);
    /**
     * The saves' own connection (autocommit off) and its prepared {@link #SAVE}, kept from one batch to the next:
     * preparing the MERGE on a pooled connection for every batch was a tenth of an initial cycle's CPU (H2 parses it
     * again each time; its query cache does not keep it). Only the group commit's leader uses them, one batch at a
     * time, so they need no other guard than {@link #writerLock}, which only {@link #close} ever waits for.
     */
    private final Object writerLock = new Object();
    private Connection writer;
    private PreparedStatement writerSave;
    private boolean closed;
    /** The scope generation being read since {@link #startNextScope()}; null before. */
    private volatile RunningScope runningScope;
    /**
     * The scope the last cycle this store completed left in the store: its rows are exactly these ids, none gone.
     * The next cycle compares with it instead of reading the rows back (a third of a no-change cycle at 100,000
     * users). Null when the rows may differ: none completed since the store opened, or a cycle recorded its scope
     * and did not complete. Only this store writes the scope rows of its database.
     */
    private final AtomicReference<RunningScope> completedScope = new AtomicReference<>();

    public StateStore(DataSource dataSource) {
        this.dataSource = dataSource;
        this.active = dataSource;
        migrate();
        this.embeddedH2 = productName().startsWith("H2");
    }

    private String productName() {
        try (Connection c = dataSource.getConnection()) {
            return c.getMetaData().getDatabaseProductName();
        } catch (SQLException e) {
            throw new StateStoreException(e);
        }
    }

    /**
     * Brings the schema to the newest version with the scripts in {@code db/state} (Flyway, history table
     * {@code prov_schema_history}). A database written before versioned migrations existed holds version 1's
     * tables without a history: it is recorded as version 1, and later scripts apply to it.
     */
    /** Flyway over the store's scripts and history table: the store's own schema, and a dry run's copy of it. */
    static FluentConfiguration flyway(DataSource dataSource) {
        return Flyway.configure().dataSource(dataSource).locations("classpath:db/state").table("prov_schema_history");
    }

    private void migrate() {
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
    }

    /**
     * Asks the catalogue rather than querying the table: on a new H2 database the failed query would be written to
     * a {@code provisioning.trace.db} file next to it (H2 traces every SQL exception there).
     */
    private boolean tableExists(String table) {
        try (Connection c = dataSource.getConnection();
             ResultSet tables = c.getMetaData().getTables(c.getCatalog(), c.getSchema(), null, new String[] {"TABLE"})) {
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

    public Optional<Link> link(String objectType, String sourceId) {
        return query("SELECT * FROM prov_object WHERE object_type = ? AND source_id = ?",
                ps -> {
                    ps.setString(1, objectType);
                    ps.setString(2, sourceId);
                },
                rs -> rs.next() ? Optional.of(link(rs)) : Optional.empty());
    }

    /**
     * The links of many objects of one type at once (those without a link are absent from the answer): one
     * {@code IN} query per {@value #IN_CHUNK} ids instead of one query each, for a page of users read together.
     */
    public Map<String, Link> links(String objectType, Collection<String> sourceIds) {
        Map<String, Link> links = new LinkedHashMap<>();
        for (List<String> chunk : chunks(sourceIds)) {
            query("SELECT * FROM prov_object WHERE (object_type, source_id) IN (" + keyList(chunk.size()) + ")",
                    ps -> bindKeys(ps, 1, objectType, chunk), rs -> {
                        while (rs.next()) {
                            Link link = link(rs);
                            links.put(link.sourceId(), link);
                        }
                        return null;
                    });
        }
        return links;
    }

    /**
     * Stores an object's outcome: its link, the values now in the target, and its retry if it failed. Returns once
     * the row is committed; saves from concurrent threads share one transaction ({@link GroupCommit}), and a row that
     * cannot be stored fails only its own caller.
     */
    public void save(String objectType, Link link) {
        saves.submit(new Save(objectType, link));
    }

    public Optional<String> watermark(String name) {
        return query("SELECT wm_value FROM prov_watermark WHERE name = ?", ps -> ps.setString(1, name),
                rs -> rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty());
    }
    // ---- assignment scope

    /**
     * Starts reading the user and group scopes into a new generation. Every call (a cycle, a provision on demand)
     * takes a number of its own, so rows a cycle that did not complete wrote are never taken for this one's.
     */
    public void startNextScope() {
        startNextScope(null);
    }

    /**
     * {@link #startNextScope()} for the cycle {@code cycleId}, which has saved nothing yet: the store then also keeps
     * in memory which users of the scope that cycle saves, so that {@link #toRefresh} need not look up each user
     * that entered the scope (in an initial cycle, every user in it).
     */
    public void startNextScope(String cycleId) {
        runningScope = transaction(c -> {
            long completed = Long.parseLong(watermark(c, SCOPE_COMPLETED).orElse("0"));
            long running = Math.max(completed, Long.parseLong(watermark(c, SCOPE_RUNNING).orElse("0"))) + 1;
            putWatermark(c, SCOPE_RUNNING, Long.toString(running));
            return new RunningScope(completed, running, cycleId);
        });
    }

    public void addToNextScope(Collection<String> sourceIds) {
        addToNext(USER, sourceIds);
    }

    /**
     * Adds ids to the running generation of a scope, in memory: an object can be assigned directly and through one
     * or more groups, and is held once. The store learns the generation when a query needs it ({@link
     * #recordedScope()}).
     */
    private void addToNext(String scopeType, Collection<String> ids) {
        RunningScope scope = runningScope();
        synchronized (scope) {
            if (scope.recorded) {
                throw new IllegalStateException("the running scope is already recorded: it is read before its use");
            }
            ids.forEach(scope.ids(scopeType)::add);
        }
    }

    /** How many users the running generation of the scope holds. */
    public int nextScopeSize() {
        return runningScope().users.size();
    }

    public boolean inNextScope(String sourceId) {
        return runningScope().users.contains(sourceId);
    }

    /** Which of these users the running generation of the scope has read: {@link #inNextScope(String)} for many. */
    public Set<String> inNextScope(Collection<String> sourceIds) {
        ScopeIds users = runningScope().users;
        Set<String> in = new LinkedHashSet<>();
        for (String id : sourceIds) {
            if (users.contains(id)) {
                in.add(id);
            }
        }
        return in;
    }

    /** Whether a user was in the assignment scope of the last completed cycle. */
    public boolean inCurrentScope(String sourceId) {
        long completed = Long.parseLong(watermark(SCOPE_COMPLETED).orElse("0"));
        // Completing a cycle deletes the rows that left; the rows entered since are not in it yet.
        return query("SELECT 1 FROM prov_scope_member WHERE scope_type = ? AND object_id = ? AND entered <= ?",
                ps -> {
                    ps.setString(1, USER);
                    ps.setString(2, sourceId);
                    ps.setLong(3, completed);
                }, ResultSet::next);
    }

    /**
     * Users that left the scope and that this cycle has not processed yet: the rows of the completed scope the
     * running generation found gone (an index range, empty when nothing left), and the rows gone that entered in a
     * generation that never completed, when their user is linked to an active account (a cycle cut short after
     * creating it: no completed scope ever held the user, yet the account exists).
     */
    public List<String> leftScope(String cycleId) {
        RunningScope scope = recordedScope();
        // Rows that entered after the completed generation are judged here, not in the query: given
        // "entered <= ?", H2 may walk the whole scope by it rather than take the few rows gone.
        return query("""
                SELECT s.object_id, s.entered, o.target_id, o.active FROM prov_scope_member s
                LEFT JOIN prov_object o ON o.object_type = 'user' AND o.source_id = s.object_id
                WHERE s.scope_type = 'user' AND s.left_in = ? AND (o.last_cycle IS NULL OR o.last_cycle <> ?)
                ORDER BY s.object_id""", ps -> {
                    ps.setLong(1, scope.running);
                    ps.setString(2, cycleId);
                }, rs -> {
                    List<String> ids = new ArrayList<>();
                    while (rs.next()) {
                        boolean linkedActive = rs.getString(3) != null && rs.getBoolean(4);
                        if (rs.getLong(2) <= scope.completed || linkedActive) {
                            ids.add(rs.getString(1));
                        }
                    }
                    return ids;
                });
    }

    /** The ids (column 1) of the rows that pass the test with their column 2, a generation or null. */
    private static List<String> idsWhere(ResultSet rs, BiPredicate<String, Long> keep) throws SQLException {
        List<String> ids = new ArrayList<>();
        while (rs.next()) {
            String id = rs.getString(1);
            long value = rs.getLong(2);
            if (keep.test(id, rs.wasNull() ? null : value)) {
                ids.add(id);
            }
        }
        return ids;
    }

    /** The scope since {@link #startNextScope()}. */
    private RunningScope runningScope() {
        RunningScope scope = runningScope;
        if (scope == null) {
            throw new IllegalStateException("no scope is being read: startNextScope() first");
        }
        return scope;
    }

    /**
     * The running scope, written to the store where it differs from the stored one, once, before the first query
     * that reads it: a row for each id that entered (entered = the running generation), {@code left_in} set on
     * each row the generation did not read, and cleared on each it read again. A cycle in which nothing changed
     * writes nothing; it reads the stored ids of the scope once. Each chunk is its own transaction: a cycle that
     * stops halfway leaves rows the next one compares again.
     */
    private RunningScope recordedScope() {
        RunningScope scope = runningScope();
        synchronized (scope) {
            if (!scope.recorded) {
                // Taken once: if this cycle does not complete, the stored rows differ from it.
                RunningScope completed = completedScope.getAndSet(null);
                recordScope(USER, scope.users, scope.running, completed == null ? null : completed.users);
                recordScope(GROUP, scope.groups, scope.running, completed == null ? null : completed.groups);
                scope.recorded = true;
            }
        }
        return scope;
    }

    /**
     * @param completed the ids of the scope as the last cycle this store completed left its rows (none gone), or
     *                  null: the rows are read
     */
    private void recordScope(String scopeType, ScopeIds read, long running, ScopeIds completed) {
        List<String> readAgain = new ArrayList<>();
        List<String> gone = new ArrayList<>();
        ScopeIds stored = completed;
        if (completed != null) {
            completed.forEachInOrder(id -> {
                if (!read.contains(id)) {
                    gone.add(id);
                }
            });
        } else {
            stored = readScope(scopeType, read, running, readAgain, gone);
        }
        writeScope("UPDATE prov_scope_member SET left_in = NULL WHERE scope_type = ? AND object_id = ?", readAgain,
                (ps, id) -> {
                    ps.setString(1, scopeType);
                    ps.setString(2, id);
                });
        writeScope("UPDATE prov_scope_member SET left_in = ? WHERE scope_type = ? AND object_id = ?", gone,
                (ps, id) -> {
                    ps.setLong(1, running);
                    ps.setString(2, scopeType);
                    ps.setString(3, id);
                });
        List<String> entered = new ArrayList<>();
        Runnable insert = () -> writeScope("INSERT INTO prov_scope_member (scope_type, object_id, entered) "
                + "VALUES (?, ?, ?)", entered, (ps, id) -> {
                    ps.setString(1, scopeType);
                    ps.setString(2, id);
                    ps.setLong(3, running);
                });
        ScopeIds known = stored;
        // In the order of the primary key: rows in random order rewrite pages all over the table's B-trees.
        read.forEachInOrder(id -> {
            if (!known.contains(id)) {
                entered.add(id);
                if (entered.size() == WRITE_CHUNK) {
                    insert.run();
                    entered.clear();
                }
            }
        });
        insert.run();
    }

    /** The stored ids of a scope; adds those the running generation read again, and those it found gone. */
    private ScopeIds readScope(String scopeType, ScopeIds read, long running, List<String> readAgain,
                               List<String> gone) {
        ScopeIds stored = new ScopeIds();
        // In a transaction: PostgreSQL streams a result by its fetch size only there.
        transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT object_id, left_in FROM prov_scope_member WHERE scope_type = ?")) {
                ps.setFetchSize(WRITE_CHUNK);
                ps.setString(1, scopeType);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String id = rs.getString(1);
                        long leftIn = rs.getLong(2);
                        boolean inScope = rs.wasNull();
                        stored.add(id);
                        if (read.contains(id)) {
                            if (!inScope) {
                                readAgain.add(id);
                            }
                        } else if (inScope || leftIn != running) {
                            gone.add(id);
                        }
                    }
                }
            }
            return null;
        });
        return stored;
    }

    private interface IdBinder {
        void bind(PreparedStatement ps, String id) throws SQLException;
    }

    /** The statement once per id, {@value #WRITE_CHUNK} ids a batch and a transaction. */
    private void writeScope(String sql, List<String> ids, IdBinder binder) {
        for (int from = 0; from < ids.size(); from += WRITE_CHUNK) {
            List<String> chunk = ids.subList(from, Math.min(ids.size(), from + WRITE_CHUNK));
            transaction(c -> {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    for (String id : chunk) {
                        binder.bind(ps, id);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                return null;
            });
        }
    }

    /** Rows a scope write sends in one batch and one transaction, and the fetch size of its read. */
    private static final int WRITE_CHUNK = 1000;

    /** The generations a cycle reads the scope with, and the ids it read, until it is recorded in the store. */
    private static final class RunningScope {
        final long completed;
        final long running;
        final ScopeIds users = new ScopeIds();
        final ScopeIds groups = new ScopeIds();
        /** The cycle reading this scope, or null. */
        final String cycleId;
        /** The users of this scope that {@link #cycleId} saved: its saves' rows that are committed. */
        final ScopeIds saved = new ScopeIds();
        /** Written to the store; guarded by this. */
        boolean recorded;

        RunningScope(long completed, long running, String cycleId) {
            this.completed = completed;
            this.running = running;
            this.cycleId = cycleId;
        }

        ScopeIds ids(String scopeType) {
            return USER.equals(scopeType) ? users : groups;
        }
    }

    /**
     * How many objects of this type wait for a retry (the escrow, permanent failures left out): an index range
     * count on {@code prov_object_retry}, cheap enough for every metrics scrape.
     */
    public long awaitingRetry(String objectType) {
        return query("SELECT COUNT(*) FROM prov_object WHERE object_type = ? AND " + HAS_RETRY
                        + " AND retry_permanent = ?",
                ps -> {
                    ps.setString(1, objectType);
                    ps.setBoolean(2, false);
                }, rs -> rs.next() ? rs.getLong(1) : 0L);
    }

    /**
     * Users this cycle must read by id because the delta did not bring them: newly assigned ones, failed ones
     * whose retry is due now, and those with an open create intent.
     */
    public List<String> toRefresh(String cycleId, boolean assignedScope) {
        return toRefresh(cycleId, assignedScope, false, Instant.now());
    }

    public List<String> toRefresh(String cycleId, boolean assignedScope, boolean rolesTracked) {
        return toRefresh(cycleId, assignedScope, rolesTracked, Instant.now());
    }

    /**
     * As {@link #toRefresh(String, boolean)} with the retries due at {@code now}, and with {@code rolesTracked}
     * also the users whose app role assignments changed since the last completed cycle (a role added, removed or
     * renamed) while the user itself did not: Entra re-evaluates them as it does a scope change.
     */
    public List<String> toRefresh(String cycleId, boolean assignedScope, boolean rolesTracked, Instant now) {
        return toRefresh(cycleId, null, assignedScope, rolesTracked, now);
    }

    /**
     * As {@link #toRefresh(String, boolean, boolean, Instant)} for a cycle that resumed the full round
     * {@code resumedRoundId} (null otherwise): the users that round's pages listed before the cycle began were
     * brought by the round, and are not read again.
     */
    public List<String> toRefresh(String cycleId, String resumedRoundId, boolean assignedScope, boolean rolesTracked,
                                  Instant now) {
        Set<String> ids = new LinkedHashSet<>();
        if (assignedScope) {
            // Entered since the completed generation (an index range) and not gone again. The rows gone are
            // skipped here, not in the query: given "left_in IS NULL", a planner may walk the whole scope by it.
            RunningScope scope = recordedScope();
            // The users the cycle reading this scope saved are in memory: no lookup in prov_object for each row
            // (in an initial cycle, every user in scope). Another cycle's are looked up.
            boolean savedInMemory = cycleId.equals(scope.cycleId);
            String notSavedByTheCycle = savedInMemory ? "" : " AND NOT EXISTS (SELECT 1 FROM prov_object o"
                    + " WHERE o.object_type = 'user' AND o.source_id = s.object_id AND o.last_cycle = ?)";
            String notListedByTheRound = resumedRoundId == null ? "" : " AND NOT EXISTS (SELECT 1 FROM prov_object l"
                    + " WHERE l.object_type = 'user' AND l.source_id = s.object_id AND l.listed_round = ?)";
            ids.addAll(query("SELECT s.object_id, s.left_in FROM prov_scope_member s WHERE s.scope_type = 'user'"
                    + " AND s.entered > ?" + notSavedByTheCycle + notListedByTheRound + " ORDER BY s.object_id",
                    ps -> {
                        int i = 1;
                        ps.setLong(i++, scope.completed);
                        if (!savedInMemory) {
                            ps.setString(i++, cycleId);
                        }
                        if (resumedRoundId != null) {
                            ps.setString(i, resumedRoundId);
                        }
                    }, rs -> idsWhere(rs, (id, leftIn) -> leftIn == null
                            && !(savedInMemory && scope.saved.contains(id)))));
        }
        ids.addAll(query("""
                SELECT source_id FROM prov_object
                WHERE object_type = 'user' AND (last_cycle IS NULL OR last_cycle <> ?)
                  AND\s""" + HAS_RETRY + " AND " + RETRY_DUE + " ORDER BY source_id", ps -> {
                    ps.setString(1, cycleId);
                    bindRetryDue(ps, 2, now);
                }, StateStore::strings));
        ids.addAll(openIntents(USER, cycleId));
        if (rolesTracked) {
            ids.addAll(ids("""
                    SELECT DISTINCT d.source_id FROM (
                      SELECT n.source_id FROM prov_app_role n WHERE n.generation = 'next' AND NOT EXISTS (
                        SELECT 1 FROM prov_app_role c WHERE c.generation = 'current' AND c.source_id = n.source_id
                          AND c.app_role_id = n.app_role_id
                          AND (c.display_name = n.display_name OR (c.display_name IS NULL AND n.display_name IS NULL))
                          AND (c.role_value = n.role_value OR (c.role_value IS NULL AND n.role_value IS NULL)))
                      UNION
                      SELECT c.source_id FROM prov_app_role c WHERE c.generation = 'current' AND NOT EXISTS (
                        SELECT 1 FROM prov_app_role n WHERE n.generation = 'next' AND n.source_id = c.source_id
                          AND n.app_role_id = c.app_role_id)) d
                    WHERE NOT EXISTS (SELECT 1 FROM prov_object o WHERE o.object_type = 'user'
                                      AND o.source_id = d.source_id AND o.last_cycle = ?)
                    ORDER BY d.source_id""", cycleId));
        }
        return new ArrayList<>(ids);
    }

    // ---- full rounds: every linked account is reconciled at the end of each

    /**
     * Marks users as listed by the full round {@code roundId}: one statement for a page (per {@value #IN_CHUNK}
     * ids), by primary key. Users without a row are left out; every user of a page has one once the page is done.
     */
    public void markListed(String roundId, Collection<String> userIds) {
        for (List<String> chunk : chunks(userIds)) {
            update("UPDATE prov_object SET listed_round = ? WHERE (object_type, source_id) IN ("
                    + keyList(chunk.size()) + ")", ps -> {
                        ps.setString(1, roundId);
                        bindKeys(ps, 2, USER, chunk);
                    });
        }
    }

    /**
     * The linked, active users that the completed full round {@code roundId} did not list or, with
     * {@code assignedScope}, that are outside the running scope, and that the cycle {@code cycleId} has not
     * processed: one pass over the user rows (a scope row is probed by its primary key), once per full round.
     */
    public List<String> unlistedAccounts(String roundId, String cycleId, boolean assignedScope) {
        if (assignedScope) {
            recordedScope();
        }
        String outOfScope = assignedScope ? " OR NOT EXISTS (SELECT 1 FROM prov_scope_member s"
                + " WHERE s.scope_type = 'user' AND s.object_id = o.source_id AND s.left_in IS NULL)" : "";
        return query("""
                SELECT o.source_id FROM prov_object o
                WHERE o.object_type = 'user' AND o.target_id IS NOT NULL AND o.active = ?
                  AND (o.last_cycle IS NULL OR o.last_cycle <> ?)
                  AND (o.listed_round IS NULL OR o.listed_round <> ?%s)
                ORDER BY o.source_id""".formatted(outOfScope),
                ps -> {
                    ps.setBoolean(1, true);
                    ps.setString(2, cycleId);
                    ps.setString(3, roundId);
                }, StateStore::strings);
    }

    /**
     * Objects of a type whose row holds a create intent that the cycle {@code cycleId} has not processed (a range of
     * the index {@code prov_object_intent}; empty unless a run was cut between a POST and the save of its link).
     */
    private List<String> openIntents(String objectType, String cycleId) {
        return query("SELECT source_id FROM prov_object WHERE object_type = ? AND " + HAS_INTENT
                + " AND (last_cycle IS NULL OR last_cycle <> ?) ORDER BY source_id", ps -> {
                    ps.setString(1, objectType);
                    ps.setString(2, cycleId);
                }, StateStore::strings);
    }

    // ---- app role assignments

    /** One app role a user holds, resolved against the service principal's appRoles. */
    public record RoleAssignment(String sourceId, String appRoleId, String displayName, String value) {
    }

    public void startNextRoles() {
        update("DELETE FROM prov_app_role WHERE generation = ?", ps -> ps.setString(1, SCOPE_NEXT));
    }

    /** Records role assignments for the running cycle; a role held directly and through a group counts once. */
    public void addToNextRoles(Collection<RoleAssignment> assignments) {
        if (assignments.isEmpty()) {
            return;
        }
        transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "MERGE INTO prov_app_role t USING (VALUES (CAST(? AS VARCHAR(8)), CAST(? AS VARCHAR(128)), "
                            + "CAST(? AS VARCHAR(64)), CAST(? AS VARCHAR(1024)), CAST(? AS VARCHAR(1024)))) "
                            + "s(g, id, role, dn, rv) "
                            + "ON t.generation = s.g AND t.source_id = s.id AND t.app_role_id = s.role "
                            + "WHEN NOT MATCHED THEN INSERT (generation, source_id, app_role_id, display_name, "
                            + "role_value) VALUES (s.g, s.id, s.role, s.dn, s.rv)")) {
                for (RoleAssignment a : assignments) {
                    ps.setString(1, SCOPE_NEXT);
                    ps.setString(2, a.sourceId());
                    ps.setString(3, a.appRoleId());
                    ps.setString(4, a.displayName());
                    ps.setString(5, a.value());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    /**
     * A user's app role assignments as expressions read them ({@code {id, displayName, value}}, in app role id
     * order): those of the running cycle, or with {@code lastCompleted} those of the last completed one.
     */
    public List<Map<String, String>> appRoleAssignments(String sourceId, boolean lastCompleted) {
        return query("""
                SELECT app_role_id, display_name, role_value FROM prov_app_role
                WHERE generation = ? AND source_id = ? ORDER BY app_role_id""", ps -> {
            ps.setString(1, lastCompleted ? SCOPE_CURRENT : SCOPE_NEXT);
            ps.setString(2, sourceId);
        }, rs -> {
            List<Map<String, String>> roles = new ArrayList<>();
            while (rs.next()) {
                Map<String, String> role = new LinkedHashMap<>();
                role.put("id", rs.getString(1));
                role.put("displayName", rs.getString(2));
                role.put("value", rs.getString(3));
                roles.add(Collections.unmodifiableMap(role));
            }
            return List.copyOf(roles);
        });
    }

    /**
     * Ends a cycle durably: every watermark it moves (name → value; a null value removes that watermark) and, for
     * the assigned scope, the user and group scopes it was computed with, and with {@code promoteRoles} the users'
     * app role assignments, in one transaction.
     */
    public void completeCycle(Map<String, String> watermarks, boolean promoteScope, boolean promoteRoles) {
        RunningScope scope = promoteScope ? recordedScope() : null;
        transaction(c -> {
            if (promoteScope) {
                // What the running generation found gone left the scope (and was handled); the rest stays.
                try (PreparedStatement ps = c.prepareStatement(
                        "DELETE FROM prov_scope_member WHERE scope_type = ? AND left_in = ?")) {
                    for (String scopeType : List.of(USER, GROUP)) {
                        ps.setString(1, scopeType);
                        ps.setLong(2, scope.running);
                        ps.executeUpdate();
                    }
                }
                putWatermark(c, SCOPE_COMPLETED, Long.toString(scope.running));
            }
            for (Map.Entry<String, String> watermark : watermarks.entrySet()) {
                putWatermark(c, watermark.getKey(), watermark.getValue());
            }
            if (promoteRoles) {
                try (Statement s = c.createStatement()) {
                    s.executeUpdate("DELETE FROM prov_app_role WHERE generation = 'current'");
                    s.executeUpdate("UPDATE prov_app_role SET generation = 'current' WHERE generation = 'next'");
                }
            }
            return null;
        });
        if (promoteScope) {
            // The next cycle compares its scope with these ids; what this cycle saved is of no more use.
            scope.saved.clear();
            completedScope.set(scope);
        }
    }

    public void putWatermark(String name, String value) {
        transaction(c -> {
            putWatermark(c, name, value);
            return null;
        });
    }

    /**
     * {@link #putWatermark(String, String)}, and written to the database's files before this returns, so that a
     * process killed right after it keeps the value. PostgreSQL's commit is that already; an H2 commit that raced
     * another thread's write to the file waits for the next one, so H2 is made to write now (CHECKPOINT).
     */
    public void putWatermarkDurably(String name, String value) {
        transaction(c -> {
            putWatermark(c, name, value);
            return null;
        });
        if (embeddedH2 && active == dataSource) {
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                s.execute("CHECKPOINT");
            } catch (SQLException e) {
                throw new StateStoreException(e);
            }
        }
    }

    // ---- groups: what Graph says (prov_group_source, prov_member.in_source) and what the target holds
    // (prov_object links of type group, prov_member.in_target). Memberships live here, never whole in memory.

    /** A group as the last groups delta left it: present, soft-deleted or deleted, and its Graph properties. */
    public record GroupSource(String groupId, String state, ObjectNode properties) {
        public static final String PRESENT = "present";
        public static final String SOFT_DELETED = "soft-deleted";
        public static final String DELETED = "deleted";

        public boolean present() {
            return PRESENT.equals(state);
        }
    }

    /** One direct member as a groups delta reports it: joined ({@code present}) or left. */
    public record MemberChange(String memberId, String memberType, boolean present) {
    }

    /** A member to write to the target group: its Graph id and its id in the target. */
    public record GroupMember(String memberId, String targetId) {
    }

    /** Members counted, with the first few ids (for the provisioning log). */
    public record CountedMembers(int count, List<String> ids) {
    }

    /**
     * Records a group from a groups delta page of round {@code roundId}; it is provisioned (or removed) later in the
     * cycle.
     */
    public void stageGroup(String groupId, String sourceState, ObjectNode properties, String roundId) {
        transaction(c -> {
            String json = properties == null ? null : properties.toString();
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE prov_group_source SET source_state = ?, properties = COALESCE(?, properties), dirty = ?,
                      seen_cycle = ?, updated_at = ? WHERE group_id = ?""")) {
                ps.setString(1, sourceState);
                ps.setString(2, json);
                ps.setBoolean(3, true);
                ps.setString(4, roundId);
                ps.setTimestamp(5, Timestamp.from(Instant.now()));
                ps.setString(6, groupId);
                if (ps.executeUpdate() > 0) {
                    return null;
                }
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO prov_group_source (source_state, properties, dirty, seen_cycle, updated_at, group_id)
                    VALUES (?, ?, ?, ?, ?, ?)""")) {
                ps.setString(1, sourceState);
                ps.setString(2, json);
                ps.setBoolean(3, true);
                ps.setString(4, roundId);
                ps.setTimestamp(5, Timestamp.from(Instant.now()));
                ps.setString(6, groupId);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /**
     * Applies members@delta entries to a group's source membership: one batch of updates, then one batch of
     * inserts for the members not known yet (standard SQL, no vendor upsert).
     */
    public void stageMembers(String groupId, List<MemberChange> changes, String roundId) {
        if (changes.isEmpty()) {
            return;
        }
        transaction(c -> {
            List<MemberChange> unknown = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE prov_member SET in_source = ?, member_type = ?, seen_cycle = ?
                    WHERE group_id = ? AND member_id = ?""")) {
                for (MemberChange change : changes) {
                    ps.setBoolean(1, change.present());
                    ps.setString(2, change.memberType());
                    ps.setString(3, roundId);
                    ps.setString(4, groupId);
                    ps.setString(5, change.memberId());
                    ps.addBatch();
                }
                int[] counts = ps.executeBatch();
                for (int i = 0; i < counts.length; i++) {
                    if (counts[i] == 0) {
                        unknown.add(changes.get(i));
                    }
                }
            }
            if (unknown.isEmpty()) {
                return null;
            }
            java.util.Set<String> inserted = new java.util.HashSet<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO prov_member (group_id, member_id, member_type, in_source, in_target, seen_cycle)
                    VALUES (?, ?, ?, ?, ?, ?)""")) {
                // The same member twice in one batch: the last entry is the newest state.
                java.util.Map<String, MemberChange> last = new LinkedHashMap<>();
                unknown.forEach(m -> last.put(m.memberId(), m));
                for (MemberChange change : last.values()) {
                    if (!inserted.add(change.memberId())) {
                        continue;
                    }
                    ps.setString(1, groupId);
                    ps.setString(2, change.memberId());
                    ps.setString(3, change.memberType());
                    ps.setBoolean(4, change.present());
                    ps.setBoolean(5, false);
                    ps.setString(6, roundId);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    /**
     * The end of a full groups round (no watermark, or an expired one): what it did not list is gone. Groups it
     * did not see are deleted, memberships it did not see have ended. A round resumed after a stop lists with the
     * same {@code roundId} over every cycle that read it.
     */
    public void finishFullGroupRound(String roundId) {
        transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE prov_group_source SET source_state = ?, dirty = ?
                    WHERE source_state <> ? AND (seen_cycle IS NULL OR seen_cycle <> ?)""")) {
                ps.setString(1, GroupSource.DELETED);
                ps.setBoolean(2, true);
                ps.setString(3, GroupSource.DELETED);
                ps.setString(4, roundId);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE prov_member SET in_source = ?
                    WHERE in_source = ? AND (seen_cycle IS NULL OR seen_cycle <> ?)""")) {
                ps.setBoolean(1, false);
                ps.setBoolean(2, true);
                ps.setString(3, roundId);
                ps.executeUpdate();
            }
            return null;
        });
    }

    public Optional<GroupSource> groupSource(String groupId) {
        return query("SELECT source_state, properties FROM prov_group_source WHERE group_id = ?",
                ps -> ps.setString(1, groupId), rs -> {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    String json = rs.getString(2);
                    ObjectNode properties;
                    try {
                        properties = json == null ? JSON.createObjectNode() : (ObjectNode) JSON.readTree(json);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    return Optional.of(new GroupSource(groupId, rs.getString(1), properties));
                });
    }

    /** The group has been provisioned (or failed, and waits for its retry): it is no longer changed. */
    public void groupProcessed(String groupId) {
        update("UPDATE prov_group_source SET dirty = ? WHERE group_id = ?", ps -> {
            ps.setBoolean(1, false);
            ps.setString(2, groupId);
        });
    }

    public List<String> groupsToProvision(boolean assignedScope) {
        return groupsToProvision(assignedScope, Instant.now());
    }

    /**
     * The groups this cycle must provision: changed in Graph, whose retry is due at {@code now}, with an open create
     * intent, with members to add (whose users now exist in the target) or to remove, and for the assigned scope
     * those assigned or unassigned.
     */
    public List<String> groupsToProvision(boolean assignedScope, Instant now) {
        String sql = """
                SELECT x.id FROM (
                  SELECT group_id AS id FROM prov_group_source WHERE dirty = ?
                  UNION SELECT source_id AS id FROM prov_object WHERE object_type = 'group'
                    AND\s""" + HAS_RETRY + " AND " + RETRY_DUE + """
                  UNION SELECT source_id AS id FROM prov_object WHERE object_type = 'group' AND\s""" + HAS_INTENT + """
                  UNION SELECT m.group_id AS id FROM prov_member m
                    JOIN prov_object g ON g.object_type = 'group' AND g.source_id = m.group_id AND g.target_id IS NOT NULL
                    WHERE (m.in_source = ? AND m.in_target = ? AND m.member_type = 'user'
                           AND EXISTS (SELECT 1 FROM prov_object u WHERE u.object_type = 'user'
                                       AND u.source_id = m.member_id AND u.target_id IS NOT NULL))
                       OR (m.in_source = ? AND m.in_target = ?)
                """ + (assignedScope ? """
                  UNION SELECT s.object_id AS id FROM prov_scope_member s WHERE s.scope_type = 'group'
                    AND s.entered > ? AND s.left_in IS NULL
                  UNION SELECT s.object_id AS id FROM prov_scope_member s WHERE s.scope_type = 'group'
                    AND s.left_in = ? AND s.entered <= ?
                """ : "") + ") x ORDER BY x.id";
        RunningScope scope = assignedScope ? recordedScope() : null;
        return query(sql, ps -> {
            ps.setBoolean(1, true);
            bindRetryDue(ps, 2, now);
            ps.setBoolean(4, true);
            ps.setBoolean(5, false);
            ps.setBoolean(6, false);
            ps.setBoolean(7, true);
            if (assignedScope) {
                // Entered the scope, and left it, since the completed generation.
                ps.setLong(8, scope.completed);
                ps.setLong(9, scope.running);
                ps.setLong(10, scope.completed);
            }
        }, StateStore::strings);
    }

    public void addToNextGroupScope(Collection<String> groupIds) {
        addToNext(GROUP, groupIds);
    }

    public boolean inNextGroupScope(String groupId) {
        return runningScope().groups.contains(groupId);
    }

    /**
     * Members the target group holds that Graph no longer lists, at most {@code limit}. Those whose account is
     * already gone from the target (deleted users) are forgotten first: the target dropped them with the account.
     */
    public List<GroupMember> memberRemovals(String groupId, int limit) {
        update("""
                UPDATE prov_member SET in_target = ?, target_member_id = NULL
                WHERE group_id = ? AND in_target = ? AND in_source = ? AND member_type = 'user'
                  AND NOT EXISTS (SELECT 1 FROM prov_object u WHERE u.object_type = 'user'
                                  AND u.source_id = prov_member.member_id AND u.target_id IS NOT NULL)""", ps -> {
            ps.setBoolean(1, false);
            ps.setString(2, groupId);
            ps.setBoolean(3, true);
            ps.setBoolean(4, false);
        });
        return members("""
                SELECT member_id, target_member_id FROM prov_member
                WHERE group_id = ? AND in_target = ? AND in_source = ? ORDER BY member_id""", groupId, true, false, limit);
    }

    /** Direct members Graph lists whose users exist in the target and are not in the target group yet. */
    public List<GroupMember> memberAdditions(String groupId, int limit) {
        return members("""
                SELECT m.member_id, u.target_id FROM prov_member m
                JOIN prov_object u ON u.object_type = 'user' AND u.source_id = m.member_id AND u.target_id IS NOT NULL
                WHERE m.group_id = ? AND m.in_source = ? AND m.in_target = ? AND m.member_type = 'user'
                ORDER BY m.member_id""", groupId, true, false, limit);
    }

    /**
     * Direct members that cannot be written yet: users not provisioned (out of scope, failed) and nested groups.
     */
    public CountedMembers skippedMembers(String groupId, int maxIds) {
        String where = """
                FROM prov_member m WHERE m.group_id = ? AND m.in_source = ? AND m.in_target = ?
                  AND (m.member_type <> 'user' OR NOT EXISTS (SELECT 1 FROM prov_object u WHERE u.object_type = 'user'
                       AND u.source_id = m.member_id AND u.target_id IS NOT NULL))""";
        Binder bind = ps -> {
            ps.setString(1, groupId);
            ps.setBoolean(2, true);
            ps.setBoolean(3, false);
        };
        int count = query("SELECT COUNT(*) " + where, bind, rs -> rs.next() ? rs.getInt(1) : 0);
        if (count == 0) {
            return new CountedMembers(0, List.of());
        }
        List<String> ids = query("SELECT m.member_id " + where + " ORDER BY m.member_id", ps -> {
            bind.bind(ps);
            ps.setMaxRows(maxIds);
        }, StateStore::strings);
        return new CountedMembers(count, ids);
    }

    /** Records members written to (or removed from) the target group, after the target accepted the PATCH. */
    public void markMembers(String groupId, List<GroupMember> members, boolean inTarget) {
        if (members.isEmpty()) {
            return;
        }
        transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE prov_member SET in_target = ?, target_member_id = ? WHERE group_id = ? AND member_id = ?")) {
                for (GroupMember member : members) {
                    ps.setBoolean(1, inTarget);
                    ps.setString(2, inTarget ? member.targetId() : null);
                    ps.setString(3, groupId);
                    ps.setString(4, member.memberId());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    /**
     * The members the store has the group's source holding now (as the last read of Graph left them), each as a
     * present {@link MemberChange} with its type.
     */
    public List<MemberChange> sourceMembers(String groupId) {
        return query("SELECT member_id, member_type FROM prov_member WHERE group_id = ? AND in_source = ?"
                + " ORDER BY member_id", ps -> {
                    ps.setString(1, groupId);
                    ps.setBoolean(2, true);
                }, rs -> {
                    List<MemberChange> members = new ArrayList<>();
                    while (rs.next()) {
                        members.add(new MemberChange(rs.getString(1), rs.getString(2), true));
                    }
                    return members;
                });
    }

    /** The target group is gone (deleted by us or by someone else): it holds no members. */
    public void forgetTargetMembers(String groupId) {
        update("UPDATE prov_member SET in_target = ?, target_member_id = NULL WHERE group_id = ?", ps -> {
            ps.setBoolean(1, false);
            ps.setString(2, groupId);
        });
    }

    /** A group deleted for good in Entra ID: its memberships go, rows that no-one will read again. */
    public void dropMembers(String groupId) {
        update("DELETE FROM prov_member WHERE group_id = ?", ps -> ps.setString(1, groupId));
    }

    private List<GroupMember> members(String sql, String groupId, boolean first, boolean second, int limit) {
        return query(sql, ps -> {
            ps.setString(1, groupId);
            ps.setBoolean(2, first);
            ps.setBoolean(3, second);
            ps.setMaxRows(limit);
        }, rs -> {
            List<GroupMember> members = new ArrayList<>();
            while (rs.next()) {
                members.add(new GroupMember(rs.getString(1), rs.getString(2)));
            }
            return members;
        });
    }

    /** Ids per {@code IN} list: well below every driver's limit on parameters, and one page of users fits in one. */
    private static final int IN_CHUNK = 512;

    private static List<List<String>> chunks(Collection<String> ids) {
        List<String> distinct = new ArrayList<>(new LinkedHashSet<>(ids));
        List<List<String>> chunks = new ArrayList<>();
        for (int from = 0; from < distinct.size(); from += IN_CHUNK) {
            chunks.add(distinct.subList(from, Math.min(distinct.size(), from + IN_CHUNK)));
        }
        return chunks;
    }

    /**
     * {@code (?, ?), (?, ?), ...} for {@code (type column, id column) IN (...)}: a row value, because H2 uses only the
     * first column of the primary key for {@code type = ? AND id IN (...)} and reads every row of the type. The
     * list is as long as the next power of two (8 at least), so that a few statements serve every page and stay in
     * the database's statement cache; {@link #bindKeys} repeats the last id to fill it.
     */
    private static String keyList(int ids) {
        return String.join(", ", Collections.nCopies(keySlots(ids), "(?, ?)"));
    }

    private static int keySlots(int ids) {
        return Math.max(8, Integer.highestOneBit(Math.max(1, ids - 1)) << 1);
    }

    private static void bindKeys(PreparedStatement ps, int first, String type, List<String> ids) throws SQLException {
        int slots = keySlots(ids.size());
        for (int i = 0; i < slots; i++) {
            ps.setString(first + 2 * i, type);
            ps.setString(first + 2 * i + 1, ids.get(Math.min(i, ids.size() - 1)));
        }
    }

    private static List<String> strings(ResultSet rs) throws SQLException {
        List<String> ids = new ArrayList<>();
        while (rs.next()) {
            ids.add(rs.getString(1));
        }
        return ids;
    }

    // ---- cycles

    public void cycleStarted(String cycleId, String type, Instant start) {
        update("INSERT INTO prov_cycle (cycle_id, cycle_type, started_at, state) VALUES (?, ?, ?, 'running')", ps -> {
            ps.setString(1, cycleId);
            ps.setString(2, type);
            ps.setTimestamp(3, Timestamp.from(start));
        });
    }

    public void cycleEnded(String cycleId, String state, Instant end, String report) {
        update("UPDATE prov_cycle SET state = ?, ended_at = ?, report = ? WHERE cycle_id = ?", ps -> {
            ps.setString(1, state);
            ps.setTimestamp(2, Timestamp.from(end));
            ps.setString(3, report);
            ps.setString(4, cycleId);
        });
    }
    // ---- the accidental-deletion guard: disables and deletes staged instead of sent, users and groups alike (Entra
    // counts every object it would disable or delete)

    /**
     * Stages a user's disable or delete, or a group's delete. MERGE keyed by (object type, source id), so a cycle
     * replayed after a crash stages it again without a duplicate; a row already there takes the newer action and
     * cycle and keeps whether it is held or approved.
     */
    public void stageDeletion(StagedDeletion d) {
        update("""
                MERGE INTO prov_staged_deletion t USING (VALUES (CAST(? AS VARCHAR(16)), CAST(? AS VARCHAR(128)),
                  CAST(? AS VARCHAR(16)), CAST(? AS VARCHAR(16)), CAST(? AS VARCHAR(1024)), CAST(? AS VARCHAR(1024)),
                  CAST(? AS VARCHAR(512)), CAST(? AS VARCHAR(64)), CAST(? AS TIMESTAMP)))
                  s(ot, id, act, kind, why, who, tid, cyc, at)
                ON t.object_type = s.ot AND t.source_id = s.id
                WHEN MATCHED THEN UPDATE SET action = s.act, change_kind = s.kind, reason = s.why,
                  source_identity = s.who, target_id = s.tid, cycle_id = s.cyc
                WHEN NOT MATCHED THEN INSERT (object_type, source_id, action, change_kind, reason, source_identity,
                  target_id, cycle_id, staged_at, held, approved)
                  VALUES (s.ot, s.id, s.act, s.kind, s.why, s.who, s.tid, s.cyc, s.at, FALSE, FALSE)""", ps -> {
            ps.setString(1, d.objectType());
            ps.setString(2, d.sourceId());
            ps.setString(3, d.action());
            ps.setString(4, d.changeKind());
            ps.setString(5, d.reason() == null ? null : d.reason().substring(0, Math.min(1024, d.reason().length())));
            ps.setString(6, d.sourceIdentity() == null ? null
                    : d.sourceIdentity().substring(0, Math.min(1024, d.sourceIdentity().length())));
            ps.setString(7, d.targetId());
            ps.setString(8, d.cycleId());
            ps.setTimestamp(9, Timestamp.from(d.stagedAt()));
        });
    }

    /** Staged deletions of every type neither held nor approved: what the running cycle would send. */
    public int pendingDeletions() {
        return query("SELECT COUNT(*) FROM prov_staged_deletion WHERE held = ? AND approved = ?", ps -> {
            ps.setBoolean(1, false);
            ps.setBoolean(2, false);
        }, rs -> rs.next() ? rs.getInt(1) : 0);
    }

    /**
     * One page of one type's staged deletions in source id order, after {@code afterSourceId} (null: from the
     * start): the held ones, or the others (with {@code unapprovedOnly}, only those not approved either). Pages, so
     * that no caller holds 100,000 rows at once.
     */
    public List<StagedDeletion> stagedDeletions(String objectType, boolean held, boolean unapprovedOnly,
                                                String afterSourceId, int limit) {
        return query("SELECT * FROM prov_staged_deletion WHERE object_type = ? AND held = ?"
                + (unapprovedOnly ? " AND approved = ?" : "") + " AND source_id > ? ORDER BY source_id", ps -> {
                    ps.setString(1, objectType);
                    ps.setBoolean(2, held);
                    int next = 3;
                    if (unapprovedOnly) {
                        ps.setBoolean(next++, false);
                    }
                    ps.setString(next, afterSourceId == null ? "" : afterSourceId);
                    ps.setMaxRows(limit);
                }, rs -> {
                    List<StagedDeletion> rows = new ArrayList<>();
                    while (rs.next()) {
                        Timestamp at = rs.getTimestamp("staged_at");
                        rows.add(new StagedDeletion(rs.getString("object_type"), rs.getString("source_id"),
                                rs.getString("action"), rs.getString("change_kind"), rs.getString("reason"),
                                rs.getString("source_identity"), rs.getString("target_id"), rs.getString("cycle_id"),
                                at.toInstant(), rs.getBoolean("held"), rs.getBoolean("approved")));
                    }
                    return rows;
                });
    }

    /** Holds every staged deletion neither held nor approved, of every type; answers how many. */
    public int holdPendingDeletions() {
        return updated("UPDATE prov_staged_deletion SET held = ? WHERE held = ? AND approved = ?", ps -> {
            ps.setBoolean(1, true);
            ps.setBoolean(2, false);
            ps.setBoolean(3, false);
        });
    }

    /** An admin's approval: every held deletion is approved and no longer held; answers how many. */
    public int approveHeldDeletions() {
        return updated("UPDATE prov_staged_deletion SET held = ?, approved = ? WHERE held = ?", ps -> {
            ps.setBoolean(1, false);
            ps.setBoolean(2, true);
            ps.setBoolean(3, true);
        });
    }

    /** An admin's rejection: every held deletion goes, unsent; answers how many. */
    public int rejectHeldDeletions() {
        return updated("DELETE FROM prov_staged_deletion WHERE held = ?", ps -> ps.setBoolean(1, true));
    }

    /** The object's staged deletion is done with: sent (or failed into escrow), or superseded. */
    public void dropStagedDeletion(String objectType, String sourceId) {
        update("DELETE FROM prov_staged_deletion WHERE object_type = ? AND source_id = ?", ps -> {
            ps.setString(1, objectType);
            ps.setString(2, sourceId);
        });
    }

    /** How many deletions are held (users and groups), and since when the oldest waits: cheap for every status call. */
    public StagedDeletion.Held heldDeletions() {
        return query("SELECT COUNT(*), MIN(staged_at) FROM prov_staged_deletion WHERE held = ?",
                ps -> ps.setBoolean(1, true), rs -> {
                    rs.next();
                    Timestamp since = rs.getTimestamp(2);
                    return new StagedDeletion.Held(rs.getInt(1), since == null ? null : since.toInstant());
                });
    }

    // ---- admin controls

    /** What a restart cleared: pending retries, and with a full restart the links (object rows) removed. */
    public record Restart(int retriesCleared, int linksRemoved) {
    }

    /**
     * Entra's restart: clears the watermarks (the next cycle is initial) and the escrows (pending retries). A full
     * restart also removes the links, so every object is matched again.
     */
    public Restart restart(Collection<String> watermarkNames, boolean breakLinks) {
        return transaction(c -> {
            for (String name : watermarkNames) {
                putWatermark(c, name, null);
            }
            int retries;
            try (Statement s = c.createStatement()) {
                retries = s.executeUpdate("UPDATE prov_object SET retry_action = NULL, last_error = NULL, "
                        + "retry_attempts = 0, retry_due = NULL, retry_permanent = FALSE "
                        + "WHERE object_type IN ('user', 'group') AND " + HAS_RETRY);
            }
            int links = 0;
            if (breakLinks) {
                try (Statement s = c.createStatement()) {
                    links = s.executeUpdate("DELETE FROM prov_object");
                }
            }
            return new Restart(retries, links);
        });
    }

    /** Objects in escrow, users and groups: waiting for a retry, and failed permanently (until they change). */
    public record EscrowCounts(int waiting, int permanent) {
        public int total() {
            return waiting + permanent;
        }
    }

    public EscrowCounts escrowCounts() {
        return query("SELECT retry_permanent, COUNT(*) FROM prov_object WHERE object_type IN ('user', 'group') AND "
                + HAS_RETRY + " GROUP BY retry_permanent", ps -> { }, rs -> {
                    int waiting = 0;
                    int permanent = 0;
                    while (rs.next()) {
                        if (rs.getBoolean(1)) {
                            permanent = rs.getInt(2);
                        } else {
                            waiting = rs.getInt(2);
                        }
                    }
                    return new EscrowCounts(waiting, permanent);
                });
    }

    /**
     * An object in escrow as the admin API lists it: its link (retry action, last error, escrow; the escrow is null
     * for a retry that follows no failure, such as a pending manager reference) and when its row last changed.
     */
    public record Escrowed(String objectType, Link link, Instant updatedAt) {
    }

    /**
     * The first {@code limit} objects in escrow, users and groups: those waiting for a retry, the soonest due first
     * (a retry with no time is due in the next cycle), then the permanent failures, the latest first.
     */
    public List<Escrowed> escrowed(int limit) {
        return query("SELECT * FROM prov_object WHERE object_type IN ('user', 'group') AND " + HAS_RETRY
                + " ORDER BY retry_permanent, CASE WHEN retry_permanent THEN NULL ELSE retry_due END NULLS FIRST,"
                + " updated_at DESC, object_type DESC, source_id", ps -> ps.setMaxRows(limit), rs -> {
                    List<Escrowed> rows = new ArrayList<>();
                    while (rs.next()) {
                        rows.add(new Escrowed(rs.getString("object_type"), link(rs),
                                rs.getTimestamp("updated_at").toInstant()));
                    }
                    return rows;
                });
    }

    /** The report (JSON) of the last cycle that ended, if any. */
    public Optional<String> lastCycleReport() {
        return query("SELECT report FROM prov_cycle WHERE ended_at IS NOT NULL AND report IS NOT NULL "
                + "ORDER BY ended_at DESC", ps -> ps.setMaxRows(1),
                rs -> rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty());
    }

    // ---- quarantine

    private static final String QUARANTINE_KEY = "job";

    /** The job's quarantine, if it is quarantined. */
    public Optional<QuarantineState> quarantine() {
        return query("SELECT reason, detail, since, retries, next_attempt, stopped FROM prov_quarantine "
                + "WHERE job_key = ?", ps -> ps.setString(1, QUARANTINE_KEY),
                rs -> rs.next() ? Optional.of(new QuarantineState(rs.getString(1), rs.getString(2),
                        rs.getTimestamp(3).toInstant(), rs.getInt(4), rs.getTimestamp(5).toInstant(),
                        rs.getBoolean(6))) : Optional.empty());
    }

    /** Enters quarantine, or records the next step of the one the job is in. */
    public void putQuarantine(QuarantineState quarantine) {
        transaction(c -> {
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM prov_quarantine WHERE job_key = ?");
                 PreparedStatement insert = c.prepareStatement("INSERT INTO prov_quarantine (job_key, reason, "
                         + "detail, since, retries, next_attempt, stopped) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                delete.setString(1, QUARANTINE_KEY);
                delete.executeUpdate();
                String detail = quarantine.detail();
                insert.setString(1, QUARANTINE_KEY);
                insert.setString(2, quarantine.reason());
                insert.setString(3, detail == null ? null : detail.substring(0, Math.min(2000, detail.length())));
                insert.setTimestamp(4, Timestamp.from(quarantine.since()));
                insert.setInt(5, quarantine.retries());
                insert.setTimestamp(6, Timestamp.from(quarantine.nextAttempt()));
                insert.setBoolean(7, quarantine.stopped());
                insert.executeUpdate();
            }
            return null;
        });
    }

    /** Leaves quarantine; true when the job was quarantined. */
    public boolean clearQuarantine() {
        return transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM prov_quarantine WHERE job_key = ?")) {
                ps.setString(1, QUARANTINE_KEY);
                return ps.executeUpdate() > 0;
            }
        });
    }

    // ---- plumbing

    /** One {@link #save}: a link of an object type. */
    private record Save(String objectType, Link link) {
    }

    /**
     * Saves links in one transaction, one MERGE each in a JDBC batch (one statement, where an update and then an
     * insert took two; the form {@link #stageDeletion} uses, which H2 and PostgreSQL share). The casts have no
     * length: a sized cast would cut a value PostgreSQL must refuse for its column.
     */
    private static final String SAVE = """
            MERGE INTO prov_object t USING (VALUES (CAST(? AS VARCHAR), CAST(? AS VARCHAR), CAST(? AS BOOLEAN),
              CAST(? AS VARCHAR), CAST(? AS VARCHAR), CAST(? AS VARCHAR), CAST(? AS VARCHAR),
              CAST(? AS TIMESTAMP), CAST(? AS INTEGER), CAST(? AS TIMESTAMP), CAST(? AS BOOLEAN),
              CAST(? AS VARCHAR), CAST(? AS VARCHAR), CAST(? AS VARCHAR), CAST(? AS TIMESTAMP),
              CAST(? AS VARCHAR), CAST(? AS VARCHAR)))
              s(tid, mv, act, pv, cyc, ra, err, at, att, due, perm, ia, iv, ic, iat, ot, id)
            ON t.object_type = s.ot AND t.source_id = s.id
            WHEN MATCHED THEN UPDATE SET target_id = s.tid, match_value = s.mv, active = s.act,
              provisioned_values = s.pv, last_cycle = s.cyc, retry_action = s.ra, last_error = s.err,
              updated_at = s.at, retry_attempts = s.att, retry_due = s.due, retry_permanent = s.perm,
              intent_attribute = s.ia, intent_value = s.iv, intent_cycle = s.ic, intent_at = s.iat
            WHEN NOT MATCHED THEN INSERT (target_id, match_value, active, provisioned_values, last_cycle,
              retry_action, last_error, updated_at, retry_attempts, retry_due, retry_permanent, intent_attribute,
              intent_value, intent_cycle, intent_at, object_type, source_id)
              VALUES (s.tid, s.mv, s.act, s.pv, s.cyc, s.ra, s.err, s.at, s.att, s.due, s.perm, s.ia, s.iv, s.ic,
                s.iat, s.ot, s.id)""";

    /**
     * Writes a batch of saves on the writer connection, all or nothing. A connection that broke under it (a server
     * restarted, an idle connection cut) is replaced and the batch written once more: the MERGE is an upsert, so
     * writing again a batch whose commit did reach the database only writes the same rows again. A batch that fails
     * on a sound connection (a row the table refuses) throws, and the group commit writes its rows one by one.
     */
    private void upsert(List<Save> batch) {
        synchronized (writerLock) {
            try {
                writeSaves(batch);
            } catch (SQLException e) {
                if (!discardBrokenWriter()) {
                    throw new StateStoreException(e);
                }
                try {
                    writeSaves(batch);
                } catch (SQLException again) {
                    discardBrokenWriter();
                    again.addSuppressed(e);
                    throw new StateStoreException(again);
                }
            }
        }
    }

    /** Keeps, once they are committed, the users of the running scope that its cycle saved ({@link #toRefresh}). */
    private void noteSaved(List<Save> batch) {
        RunningScope scope = runningScope;
        if (scope == null || scope.cycleId == null) {
            return;
        }
        for (Save save : batch) {
            String id = save.link().sourceId();
            if (USER.equals(save.objectType()) && scope.cycleId.equals(save.link().lastCycle())
                    && scope.users.contains(id)) {
                scope.saved.add(id);
            }
        }
    }

    private void writeSaves(List<Save> batch) throws SQLException {
        if (closed) {
            throw new IllegalStateException("The state store is closed");
        }
        if (writer == null) {
            Connection c = active.getConnection();
            try {
                c.setAutoCommit(false);
                writerSave = c.prepareStatement(SAVE);
            } catch (SQLException | RuntimeException e) {
                closeQuietly(c);
                throw e;
            }
            writer = c;
        }
        try {
            for (Save save : batch) {
                bindSave(writerSave, save, toJson(save.link().values()));
                writerSave.addBatch();
            }
            writerSave.executeBatch();
            writer.commit();
        } catch (SQLException | RuntimeException e) {
            try {
                writerSave.clearBatch();
                writer.rollback();
            } catch (SQLException rollback) {
                e.addSuppressed(rollback);
            }
            throw e;
        }
        noteSaved(batch);
    }

    /** Closes the writer connection if it is broken (the next batch opens another); true when it was. */
    private boolean discardBrokenWriter() {
        boolean broken;
        try {
            broken = writer != null && (writer.isClosed() || !writer.isValid(5));
        } catch (SQLException e) {
            broken = true;
        }
        if (broken) {
            closeWriter();
        }
        return broken;
    }

    /** Gives the writer connection back to the pool (a broken one, the pool drops). */
    private void closeWriter() {
        if (writer != null) {
            closeQuietly(writerSave);
            closeQuietly(writer);
        }
        writer = null;
        writerSave = null;
    }

    /** Nothing to do about a statement or connection that cannot even be closed: it was broken already. */
    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // let go
        }
    }

    /**
     * Gives back the saves' connection: before the pool is closed, or the pool would hold it open (H2 keeps the
     * database file open for it; Hikari waits for it, then aborts it). Saves after this fail.
     */
    @Override
    public void close() {
        synchronized (writerLock) {
            closed = true;
            closeWriter();
        }
    }

    /**
     * A dry run from here on: every read and write goes to a copy of the database ({@link DryRunCopy}) until
     * {@link #endDryRun()} drops it, so the stored state is left as it was. Called as a cycle begins, with no save
     * in flight.
     */
    public void beginDryRun() {
        synchronized (writerLock) {
            if (dryRun != null) {
                throw new IllegalStateException("A dry run is already in progress");
            }
            DryRunCopy copy = DryRunCopy.of(dataSource);
            closeWriter();
            runningBeforeDryRun = runningScope;
            completedBeforeDryRun = completedScope.get();
            dryRun = copy;
            active = copy.dataSource();
        }
    }

    /** Back to the stored state, with what this store remembered of the scope before the dry run; the copy goes. */
    public void endDryRun() {
        synchronized (writerLock) {
            if (dryRun == null) {
                return;
            }
            closeWriter();
            active = dataSource;
            runningScope = runningBeforeDryRun;
            completedScope.set(completedBeforeDryRun);
            // Forgotten before it is closed: a copy that fails to close must not block every later dry run.
            DryRunCopy copy = dryRun;
            dryRun = null;
            copy.close();
        }
    }

    /** Saves queued behind the batch being written: for tests that need a batch to form. */
    int savesQueued() {
        return saves.queued();
    }

    /** The writer connection, null before the first save: for tests that break it behind the store's back. */
    Connection writerConnection() {
        synchronized (writerLock) {
            return writer;
        }
    }

    private static void bindSave(PreparedStatement ps, Save save, String values) throws SQLException {
        bindLink(ps, save.link(), values);
        ps.setString(16, save.objectType());
        ps.setString(17, save.link().sourceId());
    }

    private static void bindLink(PreparedStatement ps, Link link, String values) throws SQLException {
        ps.setString(1, link.targetId());
        ps.setString(2, link.matchValue());
        ps.setBoolean(3, link.active());
        ps.setString(4, values);
        ps.setString(5, link.lastCycle());
        ps.setString(6, link.retryAction());
        ps.setString(7, link.lastError() == null ? null
                : link.lastError().substring(0, Math.min(2000, link.lastError().length())));
        ps.setTimestamp(8, Timestamp.from(Instant.now()));
        Escrow escrow = link.escrow();
        ps.setInt(9, escrow == null ? 0 : escrow.attempts());
        ps.setTimestamp(10, escrow == null || escrow.nextRetry() == null ? null : Timestamp.from(escrow.nextRetry()));
        ps.setBoolean(11, escrow != null && escrow.permanent());
        CreateIntent intent = link.intent();
        ps.setString(12, intent == null ? null : intent.attribute());
        ps.setString(13, intent == null ? null : intent.value());
        ps.setString(14, intent == null ? null : intent.cycleId());
        ps.setTimestamp(15, intent == null ? null : Timestamp.from(intent.at()));
    }

    /**
     * An object waits for a retry ({@code retry_action IS NOT NULL}), written as a range of the index
     * {@code prov_object_retry} (object type, retry action): H2 answers {@code IS NOT NULL} by reading every row of
     * the type, 54 % of a no-change cycle at 100,000 users.
     */
    static final String HAS_RETRY = "retry_action > ''";

    /**
     * An object's row holds an open create intent, written as a range of the index {@code prov_object_intent}
     * (object type, intent cycle), as {@link #HAS_RETRY} is.
     */
    static final String HAS_INTENT = "intent_cycle > ''";

    /** A retry is due when it is not permanent and its time has come; null: due in the next cycle. */
    private static final String RETRY_DUE = "retry_permanent = ? AND (retry_due IS NULL OR retry_due <= ?)";

    private static void bindRetryDue(PreparedStatement ps, int index, Instant now) throws SQLException {
        ps.setBoolean(index, false);
        ps.setTimestamp(index + 1, Timestamp.from(now));
    }

    private static Link link(ResultSet rs) throws SQLException {
        return new Link(rs.getString("source_id"), rs.getString("target_id"), rs.getString("match_value"),
                rs.getBoolean("active"), fromJson(rs.getString("provisioned_values")), rs.getString("last_cycle"),
                rs.getString("retry_action"), rs.getString("last_error"), escrow(rs), intent(rs));
    }

    private static CreateIntent intent(ResultSet rs) throws SQLException {
        String cycle = rs.getString("intent_cycle");
        if (cycle == null) {
            return null;
        }
        Timestamp at = rs.getTimestamp("intent_at");
        return new CreateIntent(rs.getString("intent_attribute"), rs.getString("intent_value"), cycle,
                at == null ? Instant.EPOCH : at.toInstant());
    }

    private static Escrow escrow(ResultSet rs) throws SQLException {
        int attempts = rs.getInt("retry_attempts");
        if (attempts == 0 || rs.getString("retry_action") == null) {
            return null;
        }
        Timestamp due = rs.getTimestamp("retry_due");
        boolean permanent = rs.getBoolean("retry_permanent");
        return new Escrow(attempts, permanent ? null : due == null ? Instant.EPOCH : due.toInstant(), permanent);
    }

    private static Optional<String> watermark(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT wm_value FROM prov_watermark WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
            }
        }
    }

    private static void putWatermark(Connection c, String name, String value) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM prov_watermark WHERE name = ?")) {
            ps.setString(1, name);
            ps.executeUpdate();
        }
        if (value != null) {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO prov_watermark (name, wm_value, updated_at) VALUES (?, ?, ?)")) {
                ps.setString(1, name);
                ps.setString(2, value);
                ps.setTimestamp(3, Timestamp.from(Instant.now()));
                ps.executeUpdate();
            }
        }
    }

    private static String toJson(Map<String, JsonNode> values) {
        ObjectNode node = JSON.createObjectNode();
        values.forEach(node::set);
        return node.toString();
    }

    private static Map<String, JsonNode> fromJson(String json) {
        Map<String, JsonNode> values = new LinkedHashMap<>();
        if (json != null) {
            try {
                JSON.readTree(json).properties().forEach(e -> values.put(e.getKey(), e.getValue()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return values;
    }

    private List<String> ids(String sql, String cycleId) {
        return query(sql, ps -> ps.setString(1, cycleId), rs -> {
            List<String> ids = new ArrayList<>();
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
            return ids;
        });
    }

    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private interface Reader<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T query(String sql, Binder binder, Reader<T> reader) {
        try (Connection c = active.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            try (ResultSet rs = ps.executeQuery()) {
                return reader.read(rs);
            }
        } catch (SQLException e) {
            throw new StateStoreException(e);
        }
    }

    private void update(String sql, Binder binder) {
        updated(sql, binder);
    }

    /** One statement in its own transaction; answers the rows it changed. */
    private int updated(String sql, Binder binder) {
        return transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                binder.bind(ps);
                return ps.executeUpdate();
            }
        });
    }

    private <T> T transaction(Work<T> work) {
        try (Connection c = active.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StateStoreException(e);
        }
    }

    public static class StateStoreException extends RuntimeException {
        StateStoreException(SQLException cause) {
            super("State store: " + cause.getMessage(), cause);
        }
    }
}
