package io.github.provisioning.state;

import static io.github.provisioning.state.ObjectType.USER;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiPredicate;

/**
 * Links ({@code prov_object}): for each user and group, the target object it is linked to, the values last
 * provisioned there, its escrow (a retry that waits; counted and listed by {@link EscrowStore}) and its create
 * intent. Saves from concurrent threads share one transaction ({@link LinkWriter}); every other read and write borrows
 * a connection of the pool as it goes. Every statement reads and writes the rows of one job only.
 */
public final class LinkStore implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * An object waits for a retry ({@code retry_action IS NOT NULL}), written as a range of the index
     * {@code prov_object_retry} (job, object type, retry action): H2 answers {@code IS NOT NULL} by reading every
     * row of the type.
     */
    static final String HAS_RETRY = "retry_action > ''";

    /**
     * An object's row holds an open create intent, written as a range of the index {@code prov_object_intent}
     * (job, object type, intent cycle), as {@link #HAS_RETRY} is.
     */
    static final String HAS_INTENT = "intent_cycle > ''";

    /** A retry is due when it is not permanent and its time has come; null: due in the next cycle. */
    static final String RETRY_DUE = "retry_permanent = ? AND (retry_due IS NULL OR retry_due <= ?)";

    private final StateDatabase database;
    private final JobId job;
    private final ScopeStore scope;
    private final LinkWriter writer;

    /** @param scope the job's scope a cycle reads: its saves are noted there, and {@link #toRefresh} reads it */
    public LinkStore(StateDatabase database, JobId job, ScopeStore scope) {
        this.database = database;
        this.job = job;
        this.scope = ScopeStore.ofJob(scope, job);
        this.writer = new LinkWriter(database, job, scope::noteSaved);
    }

    public JobId job() {
        return job;
    }

    public Optional<Link> link(String objectType, String sourceId) {
        return database.query("SELECT * FROM prov_object WHERE job_id = ? AND object_type = ? AND source_id = ?",
                ps -> {
                    ps.setString(1, job.value());
                    ps.setString(2, objectType);
                    ps.setString(3, sourceId);
                },
                rs -> rs.next() ? Optional.of(link(rs)) : Optional.empty());
    }

    /**
     * The links of many objects of one type at once (those without a link are absent from the answer): one
     * {@code IN} query per {@value StateDatabase#IN_CHUNK} ids instead of one query each, for a page of users.
     */
    public Map<String, Link> links(String objectType, Collection<String> sourceIds) {
        Map<String, Link> links = new LinkedHashMap<>();
        for (List<String> chunk : StateDatabase.chunks(sourceIds)) {
            database.query("SELECT * FROM prov_object WHERE (job_id, object_type, source_id) IN ("
                    + StateDatabase.keyList(chunk.size()) + ")",
                    ps -> StateDatabase.bindKeys(ps, 1, job, objectType, chunk), rs -> {
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
        writer.save(objectType, link);
    }

    /**
     * Stores several rows in one commit, as {@link #save} stores one: returns once they are committed, or throws the
     * first failure (the other rows may be stored).
     */
    public void saveAll(String objectType, List<Link> links) {
        writer.saveAll(objectType, links);
    }

    /**
     * Stores an object's outcome without waiting for the commit: it is committed with the next {@link #save}s (a
     * create intent, say), or before the next other statement on the state database, whichever comes first. So a
     * cycle's page of outcomes takes one commit, made before the page's place in the round is stored. A crash before
     * then loses the outcome, as a crash just before a {@link #save} would: the object's row stays as it was.
     */
    public void saveDeferred(String objectType, Link link) {
        writer.saveDeferred(objectType, link);
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
            RunningScope running = scope.recordedScope();
            // The users the cycle reading this scope saved are in memory: no lookup in prov_object for each row
            // (in an initial cycle, every user in scope). Another cycle's are looked up.
            boolean savedInMemory = cycleId.equals(running.cycleId);
            String notSavedByTheCycle = savedInMemory ? "" : " AND NOT EXISTS (SELECT 1 FROM prov_object o"
                    + " WHERE o.job_id = s.job_id AND o.object_type = 'user' AND o.source_id = s.object_id"
                    + " AND o.last_cycle = ?)";
            String notListedByTheRound = resumedRoundId == null ? "" : " AND NOT EXISTS (SELECT 1 FROM prov_object l"
                    + " WHERE l.job_id = s.job_id AND l.object_type = 'user' AND l.source_id = s.object_id"
                    + " AND l.listed_round = ?)";
            ids.addAll(database.query("SELECT s.object_id, s.left_in FROM prov_scope_member s"
                    + " WHERE s.job_id = ? AND s.scope_type = 'user' AND s.entered > ?" + notSavedByTheCycle
                    + notListedByTheRound + " ORDER BY s.object_id",
                    ps -> {
                        int i = 1;
                        ps.setString(i++, job.value());
                        ps.setLong(i++, running.completed);
                        if (!savedInMemory) {
                            ps.setString(i++, cycleId);
                        }
                        if (resumedRoundId != null) {
                            ps.setString(i, resumedRoundId);
                        }
                    }, rs -> idsWhere(rs, (id, leftIn) -> leftIn == null
                            && !(savedInMemory && running.saved.contains(id)))));
        }
        ids.addAll(database.query("""
                SELECT source_id FROM prov_object
                WHERE job_id = ? AND object_type = 'user' AND (last_cycle IS NULL OR last_cycle <> ?)
                  AND\s""" + HAS_RETRY + " AND " + RETRY_DUE + " ORDER BY source_id", ps -> {
                    ps.setString(1, job.value());
                    ps.setString(2, cycleId);
                    bindRetryDue(ps, 3, now);
                }, StateDatabase::strings));
        ids.addAll(openIntents(USER, cycleId));
        if (rolesTracked) {
            ids.addAll(database.query("""
                    SELECT DISTINCT d.source_id FROM (
                      SELECT n.source_id FROM prov_app_role n WHERE n.job_id = ? AND n.generation = 'next'
                      AND NOT EXISTS (
                        SELECT 1 FROM prov_app_role c WHERE c.job_id = n.job_id AND c.generation = 'current'
                          AND c.source_id = n.source_id AND c.app_role_id = n.app_role_id
                          AND (c.display_name = n.display_name OR (c.display_name IS NULL AND n.display_name IS NULL))
                          AND (c.role_value = n.role_value OR (c.role_value IS NULL AND n.role_value IS NULL)))
                      UNION
                      SELECT c.source_id FROM prov_app_role c WHERE c.job_id = ? AND c.generation = 'current'
                      AND NOT EXISTS (
                        SELECT 1 FROM prov_app_role n WHERE n.job_id = c.job_id AND n.generation = 'next'
                          AND n.source_id = c.source_id AND n.app_role_id = c.app_role_id)) d
                    WHERE NOT EXISTS (SELECT 1 FROM prov_object o WHERE o.job_id = ? AND o.object_type = 'user'
                                      AND o.source_id = d.source_id AND o.last_cycle = ?)
                    ORDER BY d.source_id""", ps -> {
                        ps.setString(1, job.value());
                        ps.setString(2, job.value());
                        ps.setString(3, job.value());
                        ps.setString(4, cycleId);
                    }, StateDatabase::strings));
        }
        return new ArrayList<>(ids);
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

    /**
     * Objects of a type whose row holds a create intent that the cycle {@code cycleId} has not processed (a range of
     * the index {@code prov_object_intent}; empty unless a run was cut between a POST and the save of its link).
     */
    private List<String> openIntents(String objectType, String cycleId) {
        return database.query("SELECT source_id FROM prov_object WHERE job_id = ? AND object_type = ? AND "
                + HAS_INTENT + " AND (last_cycle IS NULL OR last_cycle <> ?) ORDER BY source_id", ps -> {
                    ps.setString(1, job.value());
                    ps.setString(2, objectType);
                    ps.setString(3, cycleId);
                }, StateDatabase::strings);
    }

    // ---- full rounds: every linked account is reconciled at the end of each

    /**
     * Marks users as listed by the full round {@code roundId}: one statement for a page (per
     * {@value StateDatabase#IN_CHUNK} ids), by primary key. Users without a row are left out; every user of a page
     * has one once the page is done.
     */
    public void markListed(String roundId, Collection<String> userIds) {
        for (List<String> chunk : StateDatabase.chunks(userIds)) {
            database.update("UPDATE prov_object SET listed_round = ? WHERE (job_id, object_type, source_id) IN ("
                    + StateDatabase.keyList(chunk.size()) + ")", ps -> {
                        ps.setString(1, roundId);
                        StateDatabase.bindKeys(ps, 2, job, USER, chunk);
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
            scope.recordedScope();
        }
        String outOfScope = assignedScope ? " OR NOT EXISTS (SELECT 1 FROM prov_scope_member s"
                + " WHERE s.job_id = o.job_id AND s.scope_type = 'user' AND s.object_id = o.source_id"
                + " AND s.left_in IS NULL)" : "";
        return database.query("""
                SELECT o.source_id FROM prov_object o
                WHERE o.job_id = ? AND o.object_type = 'user' AND o.target_id IS NOT NULL AND o.active = ?
                  AND (o.last_cycle IS NULL OR o.last_cycle <> ?)
                  AND (o.listed_round IS NULL OR o.listed_round <> ?%s)
                ORDER BY o.source_id""".formatted(outOfScope),
                ps -> {
                    ps.setString(1, job.value());
                    ps.setBoolean(2, true);
                    ps.setString(3, cycleId);
                    ps.setString(4, roundId);
                }, StateDatabase::strings);
    }

    // ---- an admin's restart, in the transaction of JobStateStore#restart

    /** Removes every link of the job, so that every object is matched again; answers how many. */
    static int removeLinks(Connection c, JobId job) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM prov_object WHERE job_id = ?")) {
            ps.setString(1, job.value());
            return ps.executeUpdate();
        }
    }

    /** Gives back the saves' connection, before the pool closes; saves after this fail. */
    @Override
    public void close() {
        writer.close();
    }

    /** Saves queued behind the batch being written: for tests that need a batch to form. */
    int savesQueued() {
        return writer.queued();
    }

    /** The writer connection, null before the first save: for tests that break it behind the store's back. */
    Connection writerConnection() {
        return writer.connection();
    }

    static void bindRetryDue(PreparedStatement ps, int index, Instant now) throws SQLException {
        ps.setBoolean(index, false);
        ps.setTimestamp(index + 1, Timestamp.from(now));
    }

    /** The link a {@code SELECT *} row of {@code prov_object} holds. */
    static Link link(ResultSet rs) throws SQLException {
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
}
