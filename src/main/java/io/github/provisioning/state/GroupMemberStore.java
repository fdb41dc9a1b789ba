package io.github.provisioning.state;

import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Groups' direct members ({@code prov_member}): what Graph lists ({@code in_source}, staged from the groups delta)
 * and what the target group holds ({@code in_target}), hence the members a PATCH adds or removes. Memberships live
 * here, never whole in memory; {@link GroupStore} keeps the groups themselves. Every statement reads and writes the
 * rows of one job only.
 */
public final class GroupMemberStore {

    private final StateDatabase database;
    private final JobId job;

    public GroupMemberStore(StateDatabase database, JobId job) {
        this.database = database;
        this.job = Objects.requireNonNull(job, "job");
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
