package io.github.provisioning.state;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The users' app role assignments ({@code prov_app_role}), read with the scope while a mapping reads
 * {@code [appRoleAssignments]}: those of the running cycle ({@code next}) and of the last completed one
 * ({@code current}). Completing the cycle promotes them ({@link JobStateStore#completeCycle}). Every statement reads
 * and writes the rows of one job only.
 */
public final class AppRoleStore {

    private static final String CURRENT = "current";
    private static final String NEXT = "next";

    private final StateDatabase database;
    private final JobId job;

    public AppRoleStore(StateDatabase database, JobId job) {
        this.database = database;
        this.job = Objects.requireNonNull(job, "job");
    }

    /** One app role a user holds, resolved against the service principal's appRoles. */
    public record RoleAssignment(String sourceId, String appRoleId, String displayName, String value) {
    }

    public void startNextRoles() {
        database.update("DELETE FROM prov_app_role WHERE job_id = ? AND generation = ?", ps -> {
            ps.setString(1, job.value());
            ps.setString(2, NEXT);
        });
    }

    /** Records role assignments for the running cycle; a role held directly and through a group counts once. */
    public void addToNextRoles(Collection<RoleAssignment> assignments) {
        if (assignments.isEmpty()) {
            return;
        }
        database.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "MERGE INTO prov_app_role t USING (VALUES (CAST(? AS VARCHAR(64)), CAST(? AS VARCHAR(8)), "
                            + "CAST(? AS VARCHAR(128)), CAST(? AS VARCHAR(64)), CAST(? AS VARCHAR(1024)), "
                            + "CAST(? AS VARCHAR(1024)))) s(job, g, id, role, dn, rv) "
                            + "ON t.job_id = s.job AND t.generation = s.g AND t.source_id = s.id "
                            + "AND t.app_role_id = s.role "
                            + "WHEN NOT MATCHED THEN INSERT (job_id, generation, source_id, app_role_id, "
                            + "display_name, role_value) VALUES (s.job, s.g, s.id, s.role, s.dn, s.rv)")) {
                for (RoleAssignment a : assignments) {
                    ps.setString(1, job.value());
                    ps.setString(2, NEXT);
                    ps.setString(3, a.sourceId());
                    ps.setString(4, a.appRoleId());
                    ps.setString(5, a.displayName());
                    ps.setString(6, a.value());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    /**
     * A user's app role assignments as expressions read them ({@code {id, displayName, value}}, in app role id
     * order): those of the running cycle, or with {@code lastCompleted} those of the last completed one.
     */
    public List<Map<String, String>> appRoleAssignments(String sourceId, boolean lastCompleted) {
        return database.query("""
                SELECT app_role_id, display_name, role_value FROM prov_app_role
                WHERE job_id = ? AND generation = ? AND source_id = ? ORDER BY app_role_id""", ps -> {
            ps.setString(1, job.value());
            ps.setString(2, lastCompleted ? CURRENT : NEXT);
            ps.setString(3, sourceId);
        }, rs -> {
            List<Map<String, String>> roles = new ArrayList<>();
            while (rs.next()) {
                Map<String, String> role = new LinkedHashMap<>();
                role.put("id", rs.getString(1));
                role.put("displayName", rs.getString(2));
                role.put("value", rs.getString(3));
                roles.add(Collections.unmodifiableMap(role));
            }
            return List.copyOf(roles);
        });
    }

    // ---- the end of a cycle, in the transaction of JobStateStore#completeCycle

    /** The running cycle's assignments become the last completed cycle's. */
    static void promote(Connection c, JobId job) throws SQLException {
        try (PreparedStatement delete = c.prepareStatement(
                     "DELETE FROM prov_app_role WHERE job_id = ? AND generation = 'current'");
             PreparedStatement promote = c.prepareStatement(
                     "UPDATE prov_app_role SET generation = 'current' WHERE job_id = ? AND generation = 'next'")) {
            delete.setString(1, job.value());
            delete.executeUpdate();
            promote.setString(1, job.value());
            promote.executeUpdate();
        }
    }
}
