package io.github.provisioning.state;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;

/** Rows of {@code prov_watermark}: a job's delta watermarks and the scope's generations, by job and name. */
final class Watermarks {

    private static final String READ = "SELECT wm_value FROM prov_watermark WHERE job_id = ? AND name = ?";

    private Watermarks() {
    }

    static Optional<String> read(StateDatabase database, JobId job, String name) {
        return database.query(READ, ps -> {
                    ps.setString(1, job.value());
                    ps.setString(2, name);
                },
                rs -> rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty());
    }

    static Optional<String> read(Connection c, JobId job, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(READ)) {
            ps.setString(1, job.value());
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
            }
        }
    }

    /** Replaces the watermark; a null value removes it. */
    static void write(Connection c, JobId job, String name, String value) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM prov_watermark WHERE job_id = ? AND name = ?")) {
            ps.setString(1, job.value());
            ps.setString(2, name);
            ps.executeUpdate();
        }
        if (value != null) {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO prov_watermark (job_id, name, wm_value, updated_at) VALUES (?, ?, ?, ?)")) {
                ps.setString(1, job.value());
                ps.setString(2, name);
                ps.setString(3, value);
                ps.setTimestamp(4, Timestamp.from(Instant.now()));
                ps.executeUpdate();
            }
        }
    }
}
