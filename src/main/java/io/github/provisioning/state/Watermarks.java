package io.github.provisioning.state;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;

/** Rows of {@code prov_watermark}: the job's delta watermarks and the scope's generations, by name. */
final class Watermarks {

    private static final String READ = "SELECT wm_value FROM prov_watermark WHERE name = ?";

    private Watermarks() {
    }

    static Optional<String> read(StateDatabase database, String name) {
        return database.query(READ, ps -> ps.setString(1, name),
                rs -> rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty());
    }

    static Optional<String> read(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(READ)) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
            }
        }
    }

    /** Replaces the watermark; a null value removes it. */
    static void write(Connection c, String name, String value) throws SQLException {
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
}
