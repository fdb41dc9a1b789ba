package io.github.provisioning.state;

import static io.github.provisioning.state.LinkStore.HAS_RETRY;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The escrow as the admin API and the metrics read it: the users and groups whose link ({@code prov_object}, kept
 * by {@link LinkStore}) waits for a retry or failed permanently, counted and listed; and an admin's restart clearing
 * it. Every statement reads and writes the rows of one job only.
 */
public final class EscrowStore {

    private final StateDatabase database;
    private final JobId job;

    public EscrowStore(StateDatabase database, JobId job) {
        this.database = database;
        this.job = Objects.requireNonNull(job, "job");
    }

    /**
     * How many objects of this type wait for a retry (the escrow, permanent failures left out): an index range
     * count on {@code prov_object_retry}, cheap enough for every metrics scrape.
     */
    public long awaitingRetry(String objectType) {
        return database.query("SELECT COUNT(*) FROM prov_object WHERE job_id = ? AND object_type = ? AND "
                        + HAS_RETRY + " AND retry_permanent = ?",
                ps -> {
                    ps.setString(1, job.value());
                    ps.setString(2, objectType);
                    ps.setBoolean(3, false);
                }, rs -> rs.next() ? rs.getLong(1) : 0L);
    }

    /** Objects in escrow, users and groups: waiting for a retry, and failed permanently (until they change). */
    public record EscrowCounts(int waiting, int permanent) {
        public int total() {
            return waiting + permanent;
        }
    }

    public EscrowCounts escrowCounts() {
        return database.query("SELECT retry_permanent, COUNT(*) FROM prov_object WHERE job_id = ? AND object_type IN"
                + " ('user', 'group') AND " + HAS_RETRY + " GROUP BY retry_permanent",
                ps -> ps.setString(1, job.value()), rs -> {
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
        return database.query("SELECT * FROM prov_object WHERE job_id = ? AND object_type IN ('user', 'group') AND "
                + HAS_RETRY + " ORDER BY retry_permanent, CASE WHEN retry_permanent THEN NULL ELSE retry_due END"
                + " NULLS FIRST, updated_at DESC, object_type DESC, source_id", ps -> {
                    ps.setString(1, job.value());
                    ps.setMaxRows(limit);
                }, rs -> {
                    List<Escrowed> rows = new ArrayList<>();
                    while (rs.next()) {
                        rows.add(new Escrowed(rs.getString("object_type"), LinkStore.link(rs),
                                rs.getTimestamp("updated_at").toInstant()));
                    }
                    return rows;
                });
    }

    // ---- an admin's restart, in the transaction of JobStateStore#restart

    /** Clears every pending retry (the escrows) of the job; answers how many. */
    static int clearRetries(Connection c, JobId job) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE prov_object SET retry_action = NULL, "
                + "last_error = NULL, retry_attempts = 0, retry_due = NULL, retry_permanent = FALSE "
                + "WHERE job_id = ? AND object_type IN ('user', 'group') AND " + HAS_RETRY)) {
            ps.setString(1, job.value());
            return ps.executeUpdate();
        }
    }
}
