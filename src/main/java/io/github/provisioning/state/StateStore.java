package io.github.provisioning.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The engine's durable state over JDBC: links and last provisioned values, the assignment scope of the last
 * completed cycle, delta watermarks and cycle records. Every write is its own transaction, except the end of a
 * cycle, which stores the watermark and the new scope together: the watermark moves only after the changes it
 * covers are applied, so a crash never skips a change.
 */
public final class StateStore {

    public static final String USER = "user";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SCOPE_CURRENT = "current";
    private static final String SCOPE_NEXT = "next";

    private final DataSource dataSource;

    public StateStore(DataSource dataSource) {
        this.dataSource = dataSource;
        migrate();
    }

    private void migrate() {
        execute("""
                CREATE TABLE IF NOT EXISTS prov_object (
                  object_type VARCHAR(16) NOT NULL,
                  source_id VARCHAR(128) NOT NULL,
                  target_id VARCHAR(512),
                  match_value VARCHAR(1024),
                  active BOOLEAN NOT NULL,
                  provisioned_values CLOB,
                  last_cycle VARCHAR(64),
                  retry_action VARCHAR(16),
                  last_error VARCHAR(2000),
                  updated_at TIMESTAMP NOT NULL,
                  PRIMARY KEY (object_type, source_id))""");
        execute("CREATE INDEX IF NOT EXISTS prov_object_retry ON prov_object (object_type, retry_action)");
        execute("""
                CREATE TABLE IF NOT EXISTS prov_scope (
                  generation VARCHAR(8) NOT NULL,
                  source_id VARCHAR(128) NOT NULL,
                  PRIMARY KEY (generation, source_id))""");
        execute("""
                CREATE TABLE IF NOT EXISTS prov_watermark (
                  name VARCHAR(64) PRIMARY KEY,
                  wm_value CLOB,
                  updated_at TIMESTAMP NOT NULL)""");
        execute("""
                CREATE TABLE IF NOT EXISTS prov_cycle (
                  cycle_id VARCHAR(64) PRIMARY KEY,
                  cycle_type VARCHAR(16) NOT NULL,
                  started_at TIMESTAMP NOT NULL,
                  ended_at TIMESTAMP,
                  state VARCHAR(16) NOT NULL,
                  report CLOB)""");
    }

    public Optional<Link> link(String objectType, String sourceId) {
        return query("SELECT * FROM prov_object WHERE object_type = ? AND source_id = ?",
                ps -> {
                    ps.setString(1, objectType);
                    ps.setString(2, sourceId);
                },
                rs -> rs.next() ? Optional.of(link(rs)) : Optional.empty());
    }

    /** Stores a successful outcome: the link, the values now in the target, and no pending retry. */
    public void save(String objectType, Link link) {
        upsert(objectType, link);
    }
    public Optional<String> watermark(String name) {
        return query("SELECT wm_value FROM prov_watermark WHERE name = ?", ps -> ps.setString(1, name),
                rs -> rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty());
    }
    // ---- assignment scope

    public void startNextScope() {
        update("DELETE FROM prov_scope WHERE generation = ?", ps -> ps.setString(1, SCOPE_NEXT));
    }

    public void addToNextScope(Collection<String> sourceIds) {
        if (sourceIds.isEmpty()) {
            return;
        }
        transaction(c -> {
            // MERGE: a user can be assigned directly and through one or more groups.
            try (PreparedStatement ps = c.prepareStatement(
                    "MERGE INTO prov_scope t USING (VALUES (CAST(? AS VARCHAR(8)), CAST(? AS VARCHAR(128)))) s(g, id) "
                            + "ON t.generation = s.g AND t.source_id = s.id "
                            + "WHEN NOT MATCHED THEN INSERT (generation, source_id) VALUES (s.g, s.id)")) {
                for (String id : sourceIds) {
                    ps.setString(1, SCOPE_NEXT);
                    ps.setString(2, id);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    public boolean inNextScope(String sourceId) {
        return query("SELECT 1 FROM prov_scope WHERE generation = ? AND source_id = ?", ps -> {
            ps.setString(1, SCOPE_NEXT);
            ps.setString(2, sourceId);
        }, ResultSet::next);
    }

    /** Whether a user was in the assignment scope of the last completed cycle. */
    public boolean inCurrentScope(String sourceId) {
        return query("SELECT 1 FROM prov_scope WHERE generation = ? AND source_id = ?", ps -> {
            ps.setString(1, SCOPE_CURRENT);
            ps.setString(2, sourceId);
        }, ResultSet::next);
    }

    /** Users assigned in the last completed cycle but no longer, that this cycle has not processed yet. */
    public List<String> leftScope(String cycleId) {
        return ids("""
                SELECT c.source_id FROM prov_scope c
                WHERE c.generation = 'current'
                  AND NOT EXISTS (SELECT 1 FROM prov_scope n WHERE n.generation = 'next' AND n.source_id = c.source_id)
                  AND NOT EXISTS (SELECT 1 FROM prov_object o WHERE o.object_type = 'user'
                                  AND o.source_id = c.source_id AND o.last_cycle = ?)
                ORDER BY c.source_id""", cycleId);
    }

    /**
     * Users this cycle must read by id because the delta did not bring them: newly assigned ones, and failed ones
     * waiting for a retry.
     */
    public List<String> toRefresh(String cycleId, boolean assignedScope) {
        List<String> ids = new ArrayList<>();
        if (assignedScope) {
            ids.addAll(ids("""
                    SELECT n.source_id FROM prov_scope n
                    WHERE n.generation = 'next'
                      AND NOT EXISTS (SELECT 1 FROM prov_scope c WHERE c.generation = 'current' AND c.source_id = n.source_id)
                      AND NOT EXISTS (SELECT 1 FROM prov_object o WHERE o.object_type = 'user'
                                      AND o.source_id = n.source_id AND o.last_cycle = ?)
                    ORDER BY n.source_id""", cycleId));
        }
        for (String id : ids("""
                SELECT source_id FROM prov_object
                WHERE object_type = 'user' AND retry_action IS NOT NULL AND (last_cycle IS NULL OR last_cycle <> ?)
                ORDER BY source_id""", cycleId)) {
            if (!ids.contains(id)) {
                ids.add(id);
            }
        }
        return ids;
    }

    /** Ends a cycle durably: the new watermark and, for the assigned scope, the scope it was computed with. */
    public void completeCycle(String watermarkName, String watermark, boolean promoteScope) {
        transaction(c -> {
            if (promoteScope) {
                try (Statement s = c.createStatement()) {
                    s.executeUpdate("DELETE FROM prov_scope WHERE generation = 'current'");
                    s.executeUpdate("UPDATE prov_scope SET generation = 'current' WHERE generation = 'next'");
                }
            }
            putWatermark(c, watermarkName, watermark);
            return null;
        });
    }

    public void putWatermark(String name, String value) {
        transaction(c -> {
            putWatermark(c, name, value);
            return null;
        });
    }

    // ---- cycles

    public void cycleStarted(String cycleId, String type, Instant start) {
        update("INSERT INTO prov_cycle (cycle_id, cycle_type, started_at, state) VALUES (?, ?, ?, 'running')", ps -> {
            ps.setString(1, cycleId);
            ps.setString(2, type);
            ps.setTimestamp(3, Timestamp.from(start));
        });
    }

    public void cycleEnded(String cycleId, String state, Instant end, String report) {
        update("UPDATE prov_cycle SET state = ?, ended_at = ?, report = ? WHERE cycle_id = ?", ps -> {
            ps.setString(1, state);
            ps.setTimestamp(2, Timestamp.from(end));
            ps.setString(3, report);
            ps.setString(4, cycleId);
        });
    }
    // ---- admin controls

    /** What a restart cleared: pending retries, and with a full restart the links (object rows) removed. */
    public record Restart(int retriesCleared, int linksRemoved) {
    }

    /**
     * Entra's restart: clears the watermark (the next cycle is initial) and the escrows (pending retries). A full
     * restart also removes the links, so every object is matched again.
     */
    public Restart restart(String watermarkName, boolean breakLinks) {
        return transaction(c -> {
            putWatermark(c, watermarkName, null);
            int retries;
            try (Statement s = c.createStatement()) {
                retries = s.executeUpdate("UPDATE prov_object SET retry_action = NULL, last_error = NULL "
                        + "WHERE retry_action IS NOT NULL");
            }
            int links = 0;
            if (breakLinks) {
                try (Statement s = c.createStatement()) {
                    links = s.executeUpdate("DELETE FROM prov_object");
                }
            }
            return new Restart(retries, links);
        });
    }

    /** Objects in escrow: a failed operation waits for a retry. */
    public int escrowCount() {
        return query("SELECT COUNT(*) FROM prov_object WHERE retry_action IS NOT NULL", ps -> { },
                rs -> rs.next() ? rs.getInt(1) : 0);
    }

    /** The report (JSON) of the last cycle that ended, if any. */
    public Optional<String> lastCycleReport() {
        return query("SELECT report FROM prov_cycle WHERE ended_at IS NOT NULL AND report IS NOT NULL "
                + "ORDER BY ended_at DESC", ps -> ps.setMaxRows(1),
                rs -> rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty());
    }

    // ---- plumbing

    private void upsert(String objectType, Link link) {
        transaction(c -> {
            String values = toJson(link.values());
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE prov_object SET target_id = ?, match_value = ?, active = ?, provisioned_values = ?,
                      last_cycle = ?, retry_action = ?, last_error = ?, updated_at = ?
                    WHERE object_type = ? AND source_id = ?""")) {
                bindLink(ps, link, values);
                ps.setString(9, objectType);
                ps.setString(10, link.sourceId());
                if (ps.executeUpdate() > 0) {
                    return null;
                }
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO prov_object (target_id, match_value, active, provisioned_values, last_cycle,
                      retry_action, last_error, updated_at, object_type, source_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
                bindLink(ps, link, values);
                ps.setString(9, objectType);
                ps.setString(10, link.sourceId());
                ps.executeUpdate();
            }
            return null;
        });
    }

    private static void bindLink(PreparedStatement ps, Link link, String values) throws SQLException {
        ps.setString(1, link.targetId());
        ps.setString(2, link.matchValue());
        ps.setBoolean(3, link.active());
        ps.setString(4, values);
        ps.setString(5, link.lastCycle());
        ps.setString(6, link.retryAction());
        ps.setString(7, link.lastError() == null ? null
                : link.lastError().substring(0, Math.min(2000, link.lastError().length())));
        ps.setTimestamp(8, Timestamp.from(Instant.now()));
    }

    private static Link link(ResultSet rs) throws SQLException {
        return new Link(rs.getString("source_id"), rs.getString("target_id"), rs.getString("match_value"),
                rs.getBoolean("active"), fromJson(rs.getString("provisioned_values")), rs.getString("last_cycle"),
                rs.getString("retry_action"), rs.getString("last_error"));
    }

    private static void putWatermark(Connection c, String name, String value) throws SQLException {
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

    private static String toJson(Map<String, JsonNode> values) {
        ObjectNode node = JSON.createObjectNode();
        values.forEach(node::set);
        return node.toString();
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

    private List<String> ids(String sql, String cycleId) {
        return query(sql, ps -> ps.setString(1, cycleId), rs -> {
            List<String> ids = new ArrayList<>();
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
            return ids;
        });
    }

    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private interface Reader<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T query(String sql, Binder binder, Reader<T> reader) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            try (ResultSet rs = ps.executeQuery()) {
                return reader.read(rs);
            }
        } catch (SQLException e) {
            throw new StateStoreException(e);
        }
    }

    private void update(String sql, Binder binder) {
        transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                binder.bind(ps);
                ps.executeUpdate();
            }
            return null;
        });
    }

    private void execute(String sql) {
        transaction(c -> {
            try (Statement s = c.createStatement()) {
                s.execute(sql);
            }
            return null;
        });
    }

    private <T> T transaction(Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StateStoreException(e);
        }
    }

    public static class StateStoreException extends RuntimeException {
        StateStoreException(SQLException cause) {
            super("State store: " + cause.getMessage(), cause);
        }
    }
}
