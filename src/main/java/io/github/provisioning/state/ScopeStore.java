package io.github.provisioning.state;

import static io.github.provisioning.state.ObjectType.GROUP;
import static io.github.provisioning.state.ObjectType.USER;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The assignment scope ({@code prov_scope_member}: who is assigned, by generation); the app roles the assignments
 * give are in {@link AppRoleStore}. A cycle reads the scope into memory and writes it to the store once, where it
 * differs, before the first query that needs it; completing the cycle promotes it
 * ({@link JobStateStore#completeCycle}). Every statement reads and writes the rows of one job only.
 */
public final class ScopeStore {

    /** prov_watermark entries: the last completed scope generation, and the last one a cycle started reading. */
    private static final String SCOPE_COMPLETED = "scope-completed";
    private static final String SCOPE_RUNNING = "scope-running";
    /** Rows a scope write sends in one batch and one transaction, and the fetch size of its read. */
    private static final int WRITE_CHUNK = 1000;

    private final StateDatabase database;
    private final JobId job;
    /** The scope generation being read since {@link #startNextScope()}; null before. */
    private volatile RunningScope runningScope;
    /**
     * The scope the last cycle this store completed left in the store: its rows are exactly these ids, none gone.
     * The next cycle compares with it instead of reading the rows back. Null when the rows may differ: none
     * completed since the store opened, or a cycle recorded its scope and did not complete. Only this store writes
     * the scope rows of its job.
     */
    private final AtomicReference<RunningScope> completedScope = new AtomicReference<>();

    public ScopeStore(StateDatabase database, JobId job) {
        this.database = database;
        this.job = Objects.requireNonNull(job, "job");
        // A dry run reads and writes a copy: what this store remembers of the stored scope is kept for its end.
        database.onDryRun(new StateDatabase.DryRunListener() {
            private RunningScope runningBefore;
            private RunningScope completedBefore;

            @Override
            public void dryRunBegins() {
                runningBefore = runningScope;
                completedBefore = completedScope.get();
            }

            @Override
            public void dryRunEnds() {
                runningScope = runningBefore;
                completedScope.set(completedBefore);
            }
        });
    }

    public JobId job() {
        return job;
    }

    /** The scope store, which a store of the job {@code job} is built with: it must be that job's. */
    static ScopeStore ofJob(ScopeStore scope, JobId job) {
        if (!scope.job.equals(job)) {
            throw new IllegalArgumentException("the scope store of job " + scope.job + " given to a store of job "
                    + job);
        }
        return scope;
    }

    /**
     * Starts reading the user and group scopes into a new generation. Every call (a cycle, a provision on demand)
     * takes a number of its own, so rows a cycle that did not complete wrote are never taken for this one's.
     */
    public void startNextScope() {
        startNextScope(null);
    }

    /**
     * {@link #startNextScope()} for the cycle {@code cycleId}, which has saved nothing yet: the store then also keeps
     * in memory which users of the scope that cycle saves, so that {@link LinkStore#toRefresh} need not look up each
     * user that entered the scope (in an initial cycle, every user in it).
     */
    public void startNextScope(String cycleId) {
        runningScope = database.transaction(c -> {
            long completed = Long.parseLong(Watermarks.read(c, job, SCOPE_COMPLETED).orElse("0"));
            long running = Math.max(completed, Long.parseLong(Watermarks.read(c, job, SCOPE_RUNNING).orElse("0")))
                    + 1;
            Watermarks.write(c, job, SCOPE_RUNNING, Long.toString(running));
            return new RunningScope(completed, running, cycleId);
        });
    }

    public void addToNextScope(Collection<String> sourceIds) {
        addToNext(USER, sourceIds);
    }

    public void addToNextGroupScope(Collection<String> groupIds) {
        addToNext(GROUP, groupIds);
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

    public boolean inNextGroupScope(String groupId) {
        return runningScope().groups.contains(groupId);
    }

    /** Whether a user was in the assignment scope of the last completed cycle. */
    public boolean inCurrentScope(String sourceId) {
        long completed = Long.parseLong(Watermarks.read(database, job, SCOPE_COMPLETED).orElse("0"));
        // Completing a cycle deletes the rows that left; the rows entered since are not in it yet.
        return database.query("SELECT 1 FROM prov_scope_member WHERE job_id = ? AND scope_type = ? AND object_id = ?"
                + " AND entered <= ?", ps -> {
                    ps.setString(1, job.value());
                    ps.setString(2, USER);
                    ps.setString(3, sourceId);
                    ps.setLong(4, completed);
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
        return database.query("""
                SELECT s.object_id, s.entered, o.target_id, o.active FROM prov_scope_member s
                LEFT JOIN prov_object o ON o.job_id = s.job_id AND o.object_type = 'user' AND o.source_id = s.object_id
                WHERE s.job_id = ? AND s.scope_type = 'user' AND s.left_in = ?
                  AND (o.last_cycle IS NULL OR o.last_cycle <> ?)
                ORDER BY s.object_id""", ps -> {
                    ps.setString(1, job.value());
                    ps.setLong(2, scope.running);
                    ps.setString(3, cycleId);
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
    RunningScope recordedScope() {
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
        writeScope("UPDATE prov_scope_member SET left_in = NULL WHERE job_id = ? AND scope_type = ? AND object_id = ?",
                readAgain, (ps, id) -> {
                    ps.setString(1, job.value());
                    ps.setString(2, scopeType);
                    ps.setString(3, id);
                });
        writeScope("UPDATE prov_scope_member SET left_in = ? WHERE job_id = ? AND scope_type = ? AND object_id = ?",
                gone, (ps, id) -> {
                    ps.setLong(1, running);
                    ps.setString(2, job.value());
                    ps.setString(3, scopeType);
                    ps.setString(4, id);
                });
        List<String> entered = new ArrayList<>();
        Runnable insert = () -> writeScope("INSERT INTO prov_scope_member (job_id, scope_type, object_id, entered) "
                + "VALUES (?, ?, ?, ?)", entered, (ps, id) -> {
                    ps.setString(1, job.value());
                    ps.setString(2, scopeType);
                    ps.setString(3, id);
                    ps.setLong(4, running);
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
        database.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT object_id, left_in FROM prov_scope_member WHERE job_id = ? AND scope_type = ?")) {
                ps.setFetchSize(WRITE_CHUNK);
                ps.setString(1, job.value());
                ps.setString(2, scopeType);
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
            database.transaction(c -> {
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

    /** Keeps the users of the running scope that its cycle saved, once committed ({@link LinkStore#toRefresh}). */
    void noteSaved(List<LinkWriter.Save> batch) {
        RunningScope scope = runningScope;
        if (scope != null) {
            scope.noteSaved(batch);
        }
    }

    // ---- the end of a cycle, in the transaction of JobStateStore#completeCycle

    /** What the running generation found gone left the scope (and was handled); the rest stays. */
    void promote(Connection c, RunningScope scope) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "DELETE FROM prov_scope_member WHERE job_id = ? AND scope_type = ? AND left_in = ?")) {
            for (String scopeType : List.of(USER, GROUP)) {
                ps.setString(1, job.value());
                ps.setString(2, scopeType);
                ps.setLong(3, scope.running);
                ps.executeUpdate();
            }
        }
        Watermarks.write(c, job, SCOPE_COMPLETED, Long.toString(scope.running));
    }

    /** After the commit: the next cycle compares its scope with these ids; what this cycle saved is of no more use. */
    void promoted(RunningScope scope) {
        scope.saved.clear();
        completedScope.set(scope);
    }
}
