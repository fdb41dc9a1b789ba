package io.github.provisioning.state;

import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;

/**
 * The job's own state: delta watermarks ({@code prov_watermark}), cycle records and reports ({@code prov_cycle}),
 * the quarantine ({@code prov_quarantine}) and an admin's restart. The end of a cycle stores its watermarks with the
 * scope and app roles it promotes in one transaction: a watermark moves only after the changes it covers are
 * applied, so a crash never skips a change. Every statement reads and writes the rows of one job only.
 */
public final class JobStateStore {

    private final StateDatabase database;
    private final JobId job;
    private final ScopeStore scope;

    /** @param scope the job's scope {@link #completeCycle} promotes */
    public JobStateStore(StateDatabase database, JobId job, ScopeStore scope) {
        this.database = database;
        this.job = job;
        this.scope = ScopeStore.ofJob(scope, job);
    }

    public JobId job() {
        return job;
    }

    public Optional<String> watermark(String name) {
        return Watermarks.read(database, job, name);
    }

    /**
     * Ends a cycle durably: every watermark it moves (name → value; a null value removes that watermark) and, for
     * the assigned scope, the user and group scopes it was computed with, and with {@code promoteRoles} the users'
     * app role assignments ({@link AppRoleStore}), in one transaction.
     */
    public void completeCycle(Map<String, String> watermarks, boolean promoteScope, boolean promoteRoles) {
        RunningScope promoted = promoteScope ? scope.recordedScope() : null;
        database.transaction(c -> {
            if (promoteScope) {
                scope.promote(c, promoted);
            }
            for (Map.Entry<String, String> watermark : watermarks.entrySet()) {
                Watermarks.write(c, job, watermark.getKey(), watermark.getValue());
            }
            if (promoteRoles) {
                AppRoleStore.promote(c, job);
            }
            return null;
        });
        if (promoteScope) {
            scope.promoted(promoted);
        }
    }

    public void putWatermark(String name, String value) {
        database.transaction(c -> {
            Watermarks.write(c, job, name, value);
            return null;
        });
    }

    /**
     * {@link #putWatermark(String, String)}, and written to the database's files before this returns, so that a
     * process killed right after it keeps the value ({@link StateDatabase#checkpoint()}).
     */
    public void putWatermarkDurably(String name, String value) {
        putWatermark(name, value);
        database.checkpoint();
    }

    // ---- cycles

    public void cycleStarted(String cycleId, String type, Instant start) {
        database.update("INSERT INTO prov_cycle (job_id, cycle_id, cycle_type, started_at, state)"
                + " VALUES (?, ?, ?, ?, 'running')", ps -> {
            ps.setString(1, job.value());
            ps.setString(2, cycleId);
            ps.setString(3, type);
            ps.setTimestamp(4, Timestamp.from(start));
        });
    }

    public void cycleEnded(String cycleId, String state, Instant end, String report) {
        database.update("UPDATE prov_cycle SET state = ?, ended_at = ?, report = ? WHERE job_id = ? AND cycle_id = ?",
                ps -> {
                    ps.setString(1, state);
                    ps.setTimestamp(2, Timestamp.from(end));
                    ps.setString(3, report);
                    ps.setString(4, job.value());
                    ps.setString(5, cycleId);
                });
    }

    /** The report (JSON) of the last cycle that ended, if any. */
    public Optional<String> lastCycleReport() {
        return database.query("SELECT report FROM prov_cycle WHERE job_id = ? AND ended_at IS NOT NULL"
                + " AND report IS NOT NULL ORDER BY ended_at DESC", ps -> {
                    ps.setString(1, job.value());
                    ps.setMaxRows(1);
                },
                rs -> rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty());
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
        return database.transaction(c -> {
            for (String name : watermarkNames) {
                Watermarks.write(c, job, name, null);
            }
            int retries = EscrowStore.clearRetries(c, job);
            int links = breakLinks ? LinkStore.removeLinks(c, job) : 0;
            return new Restart(retries, links);
        });
    }

    // ---- quarantine

    private static final String QUARANTINE_KEY = "job";

    /** The job's quarantine, if it is quarantined. */
    public Optional<QuarantineState> quarantine() {
        return database.query("SELECT reason, detail, since, retries, next_attempt, stopped FROM prov_quarantine "
                + "WHERE job_id = ? AND job_key = ?", ps -> {
                    ps.setString(1, job.value());
                    ps.setString(2, QUARANTINE_KEY);
                },
                rs -> rs.next() ? Optional.of(new QuarantineState(rs.getString(1), rs.getString(2),
                        rs.getTimestamp(3).toInstant(), rs.getInt(4), rs.getTimestamp(5).toInstant(),
                        rs.getBoolean(6))) : Optional.empty());
    }

    /** Enters quarantine, or records the next step of the one the job is in. */
    public void putQuarantine(QuarantineState quarantine) {
        database.transaction(c -> {
            try (PreparedStatement delete = c.prepareStatement(
                         "DELETE FROM prov_quarantine WHERE job_id = ? AND job_key = ?");
                 PreparedStatement insert = c.prepareStatement("INSERT INTO prov_quarantine (job_id, job_key, "
                         + "reason, detail, since, retries, next_attempt, stopped) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                delete.setString(1, job.value());
                delete.setString(2, QUARANTINE_KEY);
                delete.executeUpdate();
                String detail = quarantine.detail();
                insert.setString(1, job.value());
                insert.setString(2, QUARANTINE_KEY);
                insert.setString(3, quarantine.reason());
                insert.setString(4, detail == null ? null : detail.substring(0, Math.min(2000, detail.length())));
                insert.setTimestamp(5, Timestamp.from(quarantine.since()));
                insert.setInt(6, quarantine.retries());
                insert.setTimestamp(7, Timestamp.from(quarantine.nextAttempt()));
                insert.setBoolean(8, quarantine.stopped());
                insert.executeUpdate();
            }
            return null;
        });
    }

    /** Leaves quarantine; true when the job was quarantined. */
    public boolean clearQuarantine() {
        return database.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM prov_quarantine WHERE job_id = ? AND job_key = ?")) {
                ps.setString(1, job.value());
                ps.setString(2, QUARANTINE_KEY);
                return ps.executeUpdate() > 0;
            }
        });
    }
}
