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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Groups: what Graph says ({@code prov_group_source}, {@code prov_member.in_source}) and what the target holds
 * ({@code prov_object} links of type group, {@code prov_member.in_target}). Memberships live here, never whole in
 * memory. Every statement reads and writes the rows of one job only.
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
     * Applies members@delta entries to a group's source membership: one batch of updates, then one batch of
     * inserts for the members not known yet (standard SQL, no vendor upsert).
     */
    public void stageMembers(String groupId, List<MemberChange> changes, String roundId) {
        if (changes.isEmpty()) {
            return;
        }
        database.transaction(c -> {
            List<MemberChange> unknown = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE prov_member SET in_source = ?, member_type = ?, seen_cycle = ?
                    WHERE job_id = ? AND group_id = ? AND member_id = ?""")) {
                for (MemberChange change : changes) {
                    ps.setBoolean(1, change.present());
                    ps.setString(2, change.memberType());
                    ps.setString(3, roundId);
                    ps.setString(4, job.value());
                    ps.setString(5, groupId);
                    ps.setString(6, change.memberId());
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
            Set<String> inserted = new HashSet<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO prov_member (job_id, group_id, member_id, member_type, in_source, in_target,
                      seen_cycle)
                    VALUES (?, ?, ?, ?, ?, ?, ?)""")) {
                // The same member twice in one batch: the last entry is the newest state.
                Map<String, MemberChange> last = new LinkedHashMap<>();
                unknown.forEach(m -> last.put(m.memberId(), m));
                for (MemberChange change : last.values()) {
                    if (!inserted.add(change.memberId())) {
                        continue;
                    }
                    ps.setString(1, job.value());
                    ps.setString(2, groupId);
                    ps.setString(3, change.memberId());
                    ps.setString(4, change.memberType());
                    ps.setBoolean(5, change.present());
                    ps.setBoolean(6, false);
                    ps.setString(7, roundId);
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

    /**
     * Members the target group holds that Graph no longer lists, at most {@code limit}. Those whose account is
     * already gone from the target (deleted users) are forgotten first: the target dropped them with the account.
     */
    public List<GroupMember> memberRemovals(String groupId, int limit) {
        database.update("""
                UPDATE prov_member SET in_target = ?, target_member_id = NULL
                WHERE job_id = ? AND group_id = ? AND in_target = ? AND in_source = ? AND member_type = 'user'
                  AND NOT EXISTS (SELECT 1 FROM prov_object u WHERE u.job_id = prov_member.job_id
                                  AND u.object_type = 'user' AND u.source_id = prov_member.member_id
                                  AND u.target_id IS NOT NULL)""", ps -> {
            ps.setBoolean(1, false);
            ps.setString(2, job.value());
            ps.setString(3, groupId);
            ps.setBoolean(4, true);
            ps.setBoolean(5, false);
        });
        return members("""
                SELECT member_id, target_member_id FROM prov_member
                WHERE job_id = ? AND group_id = ? AND in_target = ? AND in_source = ? ORDER BY member_id""",
                groupId, true, false, limit);
    }

    /** Direct members Graph lists whose users exist in the target and are not in the target group yet. */
    public List<GroupMember> memberAdditions(String groupId, int limit) {
        return members("""
                SELECT m.member_id, u.target_id FROM prov_member m
                JOIN prov_object u ON u.job_id = m.job_id AND u.object_type = 'user' AND u.source_id = m.member_id
                                    AND u.target_id IS NOT NULL
                WHERE m.job_id = ? AND m.group_id = ? AND m.in_source = ? AND m.in_target = ? AND m.member_type = 'user'
                ORDER BY m.member_id""", groupId, true, false, limit);
    }

    /**
     * Direct members that cannot be written yet: users not provisioned (out of scope, failed) and nested groups.
     */
    public CountedMembers skippedMembers(String groupId, int maxIds) {
        String where = """
                FROM prov_member m WHERE m.job_id = ? AND m.group_id = ? AND m.in_source = ? AND m.in_target = ?
                  AND (m.member_type <> 'user' OR NOT EXISTS (SELECT 1 FROM prov_object u WHERE u.job_id = m.job_id
                       AND u.object_type = 'user' AND u.source_id = m.member_id AND u.target_id IS NOT NULL))""";
        StateDatabase.Binder bind = ps -> {
            ps.setString(1, job.value());
            ps.setString(2, groupId);
            ps.setBoolean(3, true);
            ps.setBoolean(4, false);
        };
        int count = database.query("SELECT COUNT(*) " + where, bind, rs -> rs.next() ? rs.getInt(1) : 0);
        if (count == 0) {
            return new CountedMembers(0, List.of());
        }
        List<String> ids = database.query("SELECT m.member_id " + where + " ORDER BY m.member_id", ps -> {
            bind.bind(ps);
            ps.setMaxRows(maxIds);
        }, StateDatabase::strings);
        return new CountedMembers(count, ids);
    }

    /** Records members written to (or removed from) the target group, after the target accepted the PATCH. */
    public void markMembers(String groupId, List<GroupMember> members, boolean inTarget) {
        if (members.isEmpty()) {
            return;
        }
        database.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE prov_member SET in_target = ?, target_member_id = ?"
                            + " WHERE job_id = ? AND group_id = ? AND member_id = ?")) {
                for (GroupMember member : members) {
                    ps.setBoolean(1, inTarget);
                    ps.setString(2, inTarget ? member.targetId() : null);
                    ps.setString(3, job.value());
                    ps.setString(4, groupId);
                    ps.setString(5, member.memberId());
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
        return database.query("SELECT member_id, member_type FROM prov_member WHERE job_id = ? AND group_id = ?"
                + " AND in_source = ? ORDER BY member_id", ps -> {
                    ps.setString(1, job.value());
                    ps.setString(2, groupId);
                    ps.setBoolean(3, true);
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
        database.update("UPDATE prov_member SET in_target = ?, target_member_id = NULL"
                + " WHERE job_id = ? AND group_id = ?", ps -> {
                    ps.setBoolean(1, false);
                    ps.setString(2, job.value());
                    ps.setString(3, groupId);
                });
    }

    /** A group deleted for good in Entra ID: its memberships go, rows that no-one will read again. */
    public void dropMembers(String groupId) {
        database.update("DELETE FROM prov_member WHERE job_id = ? AND group_id = ?", ps -> {
            ps.setString(1, job.value());
            ps.setString(2, groupId);
        });
    }

    private List<GroupMember> members(String sql, String groupId, boolean first, boolean second, int limit) {
        return database.query(sql, ps -> {
            ps.setString(1, job.value());
            ps.setString(2, groupId);
            ps.setBoolean(3, first);
            ps.setBoolean(4, second);
            ps.setMaxRows(limit);
        }, rs -> {
            List<GroupMember> members = new ArrayList<>();
            while (rs.next()) {
                members.add(new GroupMember(rs.getString(1), rs.getString(2)));
            }
            return members;
        });
    }
}
