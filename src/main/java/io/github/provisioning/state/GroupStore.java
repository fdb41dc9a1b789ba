package io.github.provisioning.state;

import static io.github.provisioning.state.LinkStore.HAS_INTENT;
import static io.github.provisioning.state.LinkStore.HAS_RETRY;
import static io.github.provisioning.state.LinkStore.RETRY_DUE;
import static io.github.provisioning.state.LinkStore.bindRetryDue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Groups: what Graph says of each ({@code prov_group_source}), the end of a full groups round, and which groups a
 * cycle must provision; their links are {@code prov_object} rows of type group ({@link LinkStore}), their members
 * are in {@link GroupMemberStore}. Every statement reads and writes the rows of one job only.
 */
public final class GroupStore {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final StateDatabase database;
    private final JobId job;
    private final ScopeStore scope;

    /** @param scope the job's group scope a cycle reads, for {@link #groupsToProvision} with the assigned scope */
    public GroupStore(StateDatabase database, JobId job, ScopeStore scope) {
        this.database = database;
        this.job = job;
        this.scope = ScopeStore.ofJob(scope, job);
    }

    /** A group as the last groups delta left it: present, soft-deleted or deleted, and its Graph properties. */
    public record GroupSource(String groupId, String state, ObjectNode properties) {
        public static final String PRESENT = "present";
        public static final String SOFT_DELETED = "soft-deleted";
        public static final String DELETED = "deleted";

        public boolean present() {
            return PRESENT.equals(state);
        }
    }

    /**
     * Records a group from a groups delta page of round {@code roundId}; it is provisioned (or removed) later in the
     * cycle.
     */
    public void stageGroup(String groupId, String sourceState, ObjectNode properties, String roundId) {
        database.transaction(c -> {
            String json = properties == null ? null : properties.toString();
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE prov_group_source SET source_state = ?, properties = COALESCE(?, properties), dirty = ?,
                      seen_cycle = ?, updated_at = ? WHERE job_id = ? AND group_id = ?""")) {
                ps.setString(1, sourceState);
                ps.setString(2, json);
                ps.setBoolean(3, true);
                ps.setString(4, roundId);
                ps.setTimestamp(5, Timestamp.from(Instant.now()));
                ps.setString(6, job.value());
                ps.setString(7, groupId);
                if (ps.executeUpdate() > 0) {
                    return null;
                }
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO prov_group_source (source_state, properties, dirty, seen_cycle, updated_at, job_id,
                      group_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?)""")) {
                ps.setString(1, sourceState);
                ps.setString(2, json);
                ps.setBoolean(3, true);
                ps.setString(4, roundId);
                ps.setTimestamp(5, Timestamp.from(Instant.now()));
                ps.setString(6, job.value());
                ps.setString(7, groupId);
                ps.executeUpdate();
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
        database.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE prov_group_source SET source_state = ?, dirty = ?
                    WHERE job_id = ? AND source_state <> ? AND (seen_cycle IS NULL OR seen_cycle <> ?)""")) {
                ps.setString(1, GroupSource.DELETED);
                ps.setBoolean(2, true);
                ps.setString(3, job.value());
                ps.setString(4, GroupSource.DELETED);
                ps.setString(5, roundId);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE prov_member SET in_source = ?
                    WHERE job_id = ? AND in_source = ? AND (seen_cycle IS NULL OR seen_cycle <> ?)""")) {
                ps.setBoolean(1, false);
                ps.setString(2, job.value());
                ps.setBoolean(3, true);
                ps.setString(4, roundId);
                ps.executeUpdate();
            }
            return null;
        });
    }

    public Optional<GroupSource> groupSource(String groupId) {
        return database.query("SELECT source_state, properties FROM prov_group_source"
                + " WHERE job_id = ? AND group_id = ?", ps -> {
                    ps.setString(1, job.value());
                    ps.setString(2, groupId);
                }, rs -> {
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
        database.update("UPDATE prov_group_source SET dirty = ? WHERE job_id = ? AND group_id = ?", ps -> {
            ps.setBoolean(1, false);
            ps.setString(2, job.value());
            ps.setString(3, groupId);
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
                  SELECT group_id AS id FROM prov_group_source WHERE job_id = ? AND dirty = ?
                  UNION SELECT source_id AS id FROM prov_object WHERE job_id = ? AND object_type = 'group'
                    AND\s""" + HAS_RETRY + " AND " + RETRY_DUE + """
                  UNION SELECT source_id AS id FROM prov_object WHERE job_id = ? AND object_type = 'group'
                    AND\s""" + HAS_INTENT + """
                  UNION SELECT m.group_id AS id FROM prov_member m
                    JOIN prov_object g ON g.job_id = m.job_id AND g.object_type = 'group' AND g.source_id = m.group_id
                                        AND g.target_id IS NOT NULL
                    WHERE m.job_id = ?
                      AND ((m.in_source = ? AND m.in_target = ? AND m.member_type = 'user'
                            AND EXISTS (SELECT 1 FROM prov_object u WHERE u.job_id = m.job_id
                                        AND u.object_type = 'user' AND u.source_id = m.member_id
                                        AND u.target_id IS NOT NULL))
                           OR (m.in_source = ? AND m.in_target = ?))
                """ + (assignedScope ? """
                  UNION SELECT s.object_id AS id FROM prov_scope_member s WHERE s.job_id = ?
                    AND s.scope_type = 'group' AND s.entered > ? AND s.left_in IS NULL
                  UNION SELECT s.object_id AS id FROM prov_scope_member s WHERE s.job_id = ?
                    AND s.scope_type = 'group' AND s.left_in = ? AND s.entered <= ?
                """ : "") + ") x ORDER BY x.id";
        RunningScope running = assignedScope ? scope.recordedScope() : null;
        return database.query(sql, ps -> {
            ps.setString(1, job.value());
            ps.setBoolean(2, true);
            ps.setString(3, job.value());
            bindRetryDue(ps, 4, now);
            ps.setString(6, job.value());
            ps.setString(7, job.value());
            ps.setBoolean(8, true);
            ps.setBoolean(9, false);
            ps.setBoolean(10, false);
            ps.setBoolean(11, true);
            if (assignedScope) {
                // Entered the scope, and left it, since the completed generation.
                ps.setString(12, job.value());
                ps.setLong(13, running.completed);
                ps.setString(14, job.value());
                ps.setLong(15, running.running);
                ps.setLong(16, running.completed);
            }
        }, StateDatabase::strings);
    }
}
