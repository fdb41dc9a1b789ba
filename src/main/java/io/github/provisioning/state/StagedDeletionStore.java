package io.github.provisioning.state;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The accidental-deletion guard's staged deletions ({@code prov_staged_deletion}): disables and deletes staged
 * instead of sent, users and groups alike (Entra counts every object it would disable or delete), until the cycle
 * sends them or an admin approves or rejects those held. Every statement reads and writes the rows of one job only.
 */
public final class StagedDeletionStore {

    private final StateDatabase database;
    private final JobId job;

    public StagedDeletionStore(StateDatabase database, JobId job) {
        this.database = database;
        this.job = Objects.requireNonNull(job, "job");
    }

    /**
     * Stages a user's disable or delete, or a group's delete. MERGE keyed by (job, object type, source id), so a cycle
     * replayed after a crash stages it again without a duplicate; a row already there takes the newer action and
     * cycle and keeps whether it is held or approved.
     */
    public void stageDeletion(StagedDeletion d) {
        database.update("""
                MERGE INTO prov_staged_deletion t USING (VALUES (CAST(? AS VARCHAR(64)), CAST(? AS VARCHAR(16)),
                  CAST(? AS VARCHAR(128)), CAST(? AS VARCHAR(16)), CAST(? AS VARCHAR(16)), CAST(? AS VARCHAR(1024)),
                  CAST(? AS VARCHAR(1024)), CAST(? AS VARCHAR(512)), CAST(? AS VARCHAR(64)), CAST(? AS TIMESTAMP)))
                  s(job, ot, id, act, kind, why, who, tid, cyc, at)
                ON t.job_id = s.job AND t.object_type = s.ot AND t.source_id = s.id
                WHEN MATCHED THEN UPDATE SET action = s.act, change_kind = s.kind, reason = s.why,
                  source_identity = s.who, target_id = s.tid, cycle_id = s.cyc
                WHEN NOT MATCHED THEN INSERT (job_id, object_type, source_id, action, change_kind, reason,
                  source_identity, target_id, cycle_id, staged_at, held, approved)
                  VALUES (s.job, s.ot, s.id, s.act, s.kind, s.why, s.who, s.tid, s.cyc, s.at, FALSE, FALSE)""", ps -> {
            ps.setString(1, job.value());
            ps.setString(2, d.objectType());
            ps.setString(3, d.sourceId());
            ps.setString(4, d.action());
            ps.setString(5, d.changeKind());
            ps.setString(6, d.reason() == null ? null : d.reason().substring(0, Math.min(1024, d.reason().length())));
            ps.setString(7, d.sourceIdentity() == null ? null
                    : d.sourceIdentity().substring(0, Math.min(1024, d.sourceIdentity().length())));
            ps.setString(8, d.targetId());
            ps.setString(9, d.cycleId());
            ps.setTimestamp(10, Timestamp.from(d.stagedAt()));
        });
    }

    /** Staged deletions of every type neither held nor approved: what the running cycle would send. */
    public int pendingDeletions() {
        return database.query("SELECT COUNT(*) FROM prov_staged_deletion"
                + " WHERE job_id = ? AND held = ? AND approved = ?", ps -> {
                    ps.setString(1, job.value());
                    ps.setBoolean(2, false);
                    ps.setBoolean(3, false);
                }, rs -> rs.next() ? rs.getInt(1) : 0);
    }

    /**
     * One page of one type's staged deletions in source id order, after {@code afterSourceId} (null: from the
     * start): the held ones, or the others (with {@code unapprovedOnly}, only those not approved either). Pages, so
     * that no caller holds 100,000 rows at once.
     */
    public List<StagedDeletion> stagedDeletions(String objectType, boolean held, boolean unapprovedOnly,
                                                String afterSourceId, int limit) {
        return database.query("SELECT * FROM prov_staged_deletion WHERE job_id = ? AND object_type = ? AND held = ?"
                + (unapprovedOnly ? " AND approved = ?" : "") + " AND source_id > ? ORDER BY source_id", ps -> {
                    ps.setString(1, job.value());
                    ps.setString(2, objectType);
                    ps.setBoolean(3, held);
                    int next = 4;
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
        return database.updated("UPDATE prov_staged_deletion SET held = ?"
                + " WHERE job_id = ? AND held = ? AND approved = ?", ps -> {
                    ps.setBoolean(1, true);
                    ps.setString(2, job.value());
                    ps.setBoolean(3, false);
                    ps.setBoolean(4, false);
                });
    }

    /** An admin's approval: every held deletion is approved and no longer held; answers how many. */
    public int approveHeldDeletions() {
        return database.updated("UPDATE prov_staged_deletion SET held = ?, approved = ? WHERE job_id = ? AND held = ?",
                ps -> {
                    ps.setBoolean(1, false);
                    ps.setBoolean(2, true);
                    ps.setString(3, job.value());
                    ps.setBoolean(4, true);
                });
    }

    /** An admin's rejection: every held deletion goes, unsent; answers how many. */
    public int rejectHeldDeletions() {
        return database.updated("DELETE FROM prov_staged_deletion WHERE job_id = ? AND held = ?", ps -> {
            ps.setString(1, job.value());
            ps.setBoolean(2, true);
        });
    }

    /** The object's staged deletion is done with: sent (or failed into escrow), or superseded. */
    public void dropStagedDeletion(String objectType, String sourceId) {
        database.update("DELETE FROM prov_staged_deletion WHERE job_id = ? AND object_type = ? AND source_id = ?",
                ps -> {
                    ps.setString(1, job.value());
                    ps.setString(2, objectType);
                    ps.setString(3, sourceId);
                });
    }

    /** How many deletions are held (users and groups), and since when the oldest waits: cheap for every status call. */
    public StagedDeletion.Held heldDeletions() {
        return database.query("SELECT COUNT(*), MIN(staged_at) FROM prov_staged_deletion WHERE job_id = ? AND held = ?",
                ps -> {
                    ps.setString(1, job.value());
                    ps.setBoolean(2, true);
                }, rs -> {
                    rs.next();
                    Timestamp since = rs.getTimestamp(2);
                    return new StagedDeletion.Held(rs.getInt(1), since == null ? null : since.toInstant());
                });
    }
}
