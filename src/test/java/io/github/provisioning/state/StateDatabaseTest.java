package io.github.provisioning.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The state database's schema migrations and dry-run copy, on embedded H2 and on PostgreSQL. */
class StateDatabaseTest {

    @RegisterExtension
    final TestStores stores = new TestStores();

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aDryRunReadsTheStoredStateAndLeavesItAsItWas(TestDatabase.Kind kind) {
        Stores store = stores.state(stores.database(kind));
        store.links().save(ObjectType.USER,
                new Link("u1", "scim-1", "ada@contoso.com", true, Map.of(), "c1", null, null));
        store.jobState().putWatermark("users-delta", "https://graph/delta?token=1");

        store.database().beginDryRun(store.job());
        assertThat(store.links().link(ObjectType.USER, "u1")).get().extracting(Link::targetId).isEqualTo("scim-1");
        assertThat(store.jobState().watermark("users-delta")).contains("https://graph/delta?token=1");
        store.links().save(ObjectType.USER, new Link("u1", null, null, false, Map.of(), "dry", null, null));
        store.links().save(ObjectType.USER,
                new Link("u2", "dry-run-x", "bo@contoso.com", true, Map.of(), "dry", null, null));
        store.jobState().putWatermark("users-delta", "https://graph/delta?token=2");
        assertThat(store.links().link(ObjectType.USER, "u2")).isPresent();
        store.database().endDryRun();

        assertThat(store.links().link(ObjectType.USER, "u1")).get().satisfies(link -> {
            assertThat(link.targetId()).isEqualTo("scim-1");
            assertThat(link.lastCycle()).isEqualTo("c1");
        });
        assertThat(store.links().link(ObjectType.USER, "u2")).isEmpty();
        assertThat(store.jobState().watermark("users-delta")).contains("https://graph/delta?token=1");
        // Saves after it go to the stored state again.
        store.links().save(ObjectType.USER,
                new Link("u3", "scim-3", "cy@contoso.com", true, Map.of(), "c2", null, null));
        assertThat(store.links().link(ObjectType.USER, "u3")).isPresent();
    }

    /**
     * A node frozen in a transaction wakes to find the server ended its session, and its lease with it: the failure
     * is the lost lease (so the cycle is handed over, not failed), with the database's error kept beside it.
     */
    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aStatementThatFailsAfterTheLeaseWasLostSaysTheLeaseWasLost(TestDatabase.Kind kind) {
        Stores store = stores.state(stores.database(kind));
        IllegalStateException lost = new IllegalStateException("this node no longer holds the lease");
        store.database().fenceWrites(() -> {
            throw lost;
        });

        assertThatThrownBy(() -> store.database().update("UPDATE no_such_table SET x = 1", ps -> { }))
                .isSameAs(lost);
        assertThat(lost.getSuppressed()).singleElement().isInstanceOf(java.sql.SQLException.class);

        // A node that holds the lease gets the database's error as before.
        store.database().fenceWrites(() -> { });
        assertThatThrownBy(() -> store.database().update("UPDATE no_such_table SET x = 1", ps -> { }))
                .isInstanceOf(StateStoreException.class);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void reopeningMigratesNothingTwiceAndKeepsTheData(TestDatabase.Kind kind) throws Exception {
        TestDatabase database = stores.database(kind);
        try (StateDatabase db = database.open(stores.dataDir()); Stores store = Stores.on(db)) {
            store.jobState().putWatermark("users-delta", "kept");
        }
        try (StateDatabase db = database.open(stores.dataDir()); Stores store = Stores.on(db)) {
            assertThat(store.jobState().watermark("users-delta")).contains("kept");
            assertThat(versions(db)).containsExactlyElementsOf(migrationVersions());
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aDatabaseFromBeforeVersionedMigrationsIsTakenAsVersionOne(TestDatabase.Kind kind) throws Exception {
        TestDatabase database = stores.database(kind);
        try (StateDatabase db = database.open(stores.dataDir());
             Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
            // The tables as the engine created them before Flyway, with a user in them.
            s.execute("CREATE TABLE prov_object (object_type VARCHAR(16) NOT NULL, source_id VARCHAR(128) NOT NULL, "
                    + "target_id VARCHAR(512), match_value VARCHAR(1024), active BOOLEAN NOT NULL, "
                    + "provisioned_values TEXT, last_cycle VARCHAR(64), retry_action VARCHAR(16), "
                    + "last_error VARCHAR(2000), updated_at TIMESTAMP NOT NULL, PRIMARY KEY (object_type, source_id))");
            s.execute("CREATE TABLE prov_scope (generation VARCHAR(8) NOT NULL, source_id VARCHAR(128) NOT NULL, "
                    + "PRIMARY KEY (generation, source_id))");
            s.execute("CREATE TABLE prov_watermark (name VARCHAR(64) PRIMARY KEY, wm_value TEXT, "
                    + "updated_at TIMESTAMP NOT NULL)");
            s.execute("CREATE TABLE prov_cycle (cycle_id VARCHAR(64) PRIMARY KEY, cycle_type VARCHAR(16) NOT NULL, "
                    + "started_at TIMESTAMP NOT NULL, ended_at TIMESTAMP, state VARCHAR(16) NOT NULL, report TEXT)");
            s.execute("INSERT INTO prov_object (object_type, source_id, target_id, active, updated_at) "
                    + "VALUES ('user', 'u1', 'scim-1', TRUE, CURRENT_TIMESTAMP)");
            // u1 in the completed scope, u2 read by a cycle that was running.
            s.execute("INSERT INTO prov_scope (generation, source_id) VALUES ('current', 'u1'), ('next', 'u2')");
        }
        try (StateDatabase db = database.open(stores.dataDir()); Stores store = Stores.on(db)) {
            assertThat(store.links().link(ObjectType.USER, "u1")).get().extracting(Link::targetId).isEqualTo("scim-1");
            // The scope survives the change to numbered generations (V7): the completed one, not the running one.
            assertThat(store.scope().inCurrentScope("u1")).isTrue();
            assertThat(store.scope().inCurrentScope("u2")).isFalse();
            store.scope().startNextScope();
            store.scope().addToNextScope(List.of("u2"));
            assertThat(store.scope().leftScope("c1")).containsExactly("u1");
            assertThat(store.links().toRefresh("c1", true)).containsExactly("u2");
            assertThat(versions(db)).first().isEqualTo("1");
            assertThat(versions(db)).containsExactlyElementsOf(migrationVersions());
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void stateStoredBeforeJobsExistedBelongsToTheDefaultJob(TestDatabase.Kind kind) throws Exception {
        TestDatabase database = stores.database(kind);
        StateDatabase db = stores.open(database);
        StateDatabase.flyway(db.dataSource()).target("10").load().migrate();
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
            // A row in every table, as version 10 keeps them.
            s.execute("INSERT INTO prov_object (object_type, source_id, target_id, match_value, active,"
                    + " provisioned_values, last_cycle, retry_action, last_error, updated_at, retry_attempts,"
                    + " retry_due, retry_permanent, listed_round, intent_attribute, intent_value, intent_cycle,"
                    + " intent_at) VALUES"
                    + " ('user', 'u1', 'scim-1', 'ada@contoso.com', TRUE, '{\"userName\":\"ada@contoso.com\"}', 'c1',"
                    + " 'refresh', '500', TIMESTAMP '2026-01-02 03:04:05', 2, TIMESTAMP '2026-01-02 04:00:00', FALSE,"
                    + " 'r1', 'userName', 'ada@contoso.com', 'c1', TIMESTAMP '2026-01-02 03:04:00'),"
                    + " ('group', 'g1', 'scim-g1', 'Engineers', TRUE, NULL, 'c1', NULL, NULL,"
                    + " TIMESTAMP '2026-01-02 03:04:05', 0, NULL, FALSE, NULL, NULL, NULL, NULL, NULL)");
            s.execute("UPDATE prov_watermark SET wm_value = '3' WHERE name = 'scope-completed'");
            s.execute("INSERT INTO prov_watermark (name, wm_value, updated_at)"
                    + " VALUES ('users-delta', 'https://graph/delta?token=1', CURRENT_TIMESTAMP)");
            s.execute("INSERT INTO prov_cycle (cycle_id, cycle_type, started_at, ended_at, state, report) VALUES"
                    + " ('c1', 'initial', TIMESTAMP '2026-01-02 03:00:00', TIMESTAMP '2026-01-02 03:05:00',"
                    + " 'completed', '{\"cycle\":\"c1\"}')");
            s.execute("INSERT INTO prov_app_role (generation, source_id, app_role_id, display_name, role_value)"
                    + " VALUES ('current', 'u1', 'r1', 'Admin', 'admin')");
            s.execute("INSERT INTO prov_group_source (group_id, source_state, properties, dirty, seen_cycle,"
                    + " updated_at) VALUES ('g1', 'present', '{\"displayName\":\"Engineers\"}', FALSE, 'r1',"
                    + " CURRENT_TIMESTAMP)");
            s.execute("INSERT INTO prov_member (group_id, member_id, member_type, in_source, in_target,"
                    + " target_member_id, seen_cycle) VALUES ('g1', 'u1', 'user', TRUE, TRUE, 'scim-1', 'r1')");
            s.execute("INSERT INTO prov_quarantine (job_key, reason, detail, since, retries, next_attempt, stopped)"
                    + " VALUES ('job', 'credentials', '401', TIMESTAMP '2026-01-02 03:00:00', 1,"
                    + " TIMESTAMP '2026-01-02 04:00:00', FALSE)");
            s.execute("INSERT INTO prov_staged_deletion (object_type, source_id, action, change_kind, reason,"
                    + " source_identity, target_id, cycle_id, staged_at, held, approved) VALUES ('user', 'u2',"
                    + " 'delete', 'HARD_DELETED', 'deleted', 'bo@contoso.com', 'scim-2', 'c1', CURRENT_TIMESTAMP,"
                    + " TRUE, FALSE)");
            s.execute("INSERT INTO prov_scope_member (scope_type, object_id, entered, left_in)"
                    + " VALUES ('user', 'u1', 3, NULL), ('group', 'g1', 2, NULL)");
        }

        Stores store = stores.state(db);
        assertThat(versions(db)).containsExactlyElementsOf(migrationVersions());
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
            for (String table : List.of("prov_object", "prov_watermark", "prov_cycle", "prov_app_role",
                    "prov_group_source", "prov_member", "prov_quarantine", "prov_staged_deletion",
                    "prov_scope_member")) {
                try (ResultSet rs = s.executeQuery("SELECT job_id, COUNT(*) FROM " + table + " GROUP BY job_id")) {
                    assertThat(rs.next()).as(table).isTrue();
                    assertThat(rs.getString(1)).as(table).isEqualTo("default");
                    assertThat(rs.next()).as(table + ": one job").isFalse();
                }
                // The key starts with the job, under a name both databases share.
                String name = c.getMetaData().storesUpperCaseIdentifiers() ? table.toUpperCase(Locale.ROOT) : table;
                try (ResultSet key = c.getMetaData().getPrimaryKeys(c.getCatalog(), c.getSchema(), name)) {
                    int columns = 0;
                    while (key.next()) {
                        columns++;
                        assertThat(key.getString("PK_NAME")).as(table).isEqualToIgnoringCase(table + "_pk");
                        if (key.getInt("KEY_SEQ") == 1) {
                            assertThat(key.getString("COLUMN_NAME")).as(table).isEqualToIgnoringCase("job_id");
                        }
                    }
                    assertThat(columns).as(table + ": key columns").isGreaterThan(1);
                }
            }
        }
        assertThat(store.links().link(ObjectType.USER, "u1")).get().satisfies(link -> {
            assertThat(link.targetId()).isEqualTo("scim-1");
            assertThat(link.values()).containsOnlyKeys("userName");
            assertThat(link.escrow().attempts()).isEqualTo(2);
            assertThat(link.intent().value()).isEqualTo("ada@contoso.com");
        });
        assertThat(store.links().links(ObjectType.GROUP, List.of("g1"))).containsOnlyKeys("g1");
        assertThat(store.escrows().escrowCounts()).isEqualTo(new EscrowStore.EscrowCounts(1, 0));
        assertThat(store.links().unlistedAccounts("r1", "c2", false)).isEmpty();
        assertThat(store.links().unlistedAccounts("r2", "c2", false)).containsExactly("u1");
        assertThat(store.jobState().watermark("users-delta")).contains("https://graph/delta?token=1");
        assertThat(store.jobState().lastCycleReport()).contains("{\"cycle\":\"c1\"}");
        assertThat(store.jobState().quarantine()).get().extracting(QuarantineState::reason).isEqualTo("credentials");
        assertThat(store.appRoles().appRoleAssignments("u1", true)).extracting(role -> role.get("value"))
                .containsExactly("admin");
        assertThat(store.groups().groupSource("g1")).get().extracting(GroupStore.GroupSource::present).isEqualTo(true);
        assertThat(store.memberships().sourceMembers("g1")).extracting(GroupMemberStore.MemberChange::memberId)
                .containsExactly("u1");
        assertThat(store.deletions().heldDeletions().count()).isEqualTo(1);
        assertThat(store.deletions().stagedDeletions(ObjectType.USER, true, false, null, 10))
                .extracting(StagedDeletion::sourceId).containsExactly("u2");
        assertThat(store.scope().inCurrentScope("u1")).isTrue();
        // The next cycle goes on from the stored scope generations: nothing entered or left.
        store.scope().startNextScope("c2");
        store.scope().addToNextScope(List.of("u1"));
        store.scope().addToNextGroupScope(List.of("g1"));
        assertThat(store.scope().leftScope("c2")).isEmpty();
        // u1 for its open create intent; it was in the stored scope already.
        assertThat(store.links().toRefresh("c2", true)).containsExactly("u1");

        // Another job on the database starts empty.
        Stores other = stores.state(db, new JobId("other"));
        assertThat(other.links().link(ObjectType.USER, "u1")).isEmpty();
        assertThat(other.jobState().watermark("users-delta")).isEmpty();
        assertThat(other.jobState().quarantine()).isEmpty();
        assertThat(other.deletions().heldDeletions().count()).isZero();
    }

    /** Every script in db/state, by version: the newest schema is what a fresh store has. */
    private static List<String> migrationVersions() throws Exception {
        try (var files = java.nio.file.Files.list(Path.of(StateDatabaseTest.class.getResource("/db/state").toURI()))) {
            return files.map(f -> f.getFileName().toString())
                    .filter(n -> n.matches("V\\d+__.+\\.sql"))
                    .map(n -> n.substring(1, n.indexOf("__")))
                    .sorted(java.util.Comparator.comparingInt(Integer::parseInt)).toList();
        }
    }

    private static List<String> versions(StateDatabase db) throws Exception {
        List<String> versions = new ArrayList<>();
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT \"version\" FROM \"prov_schema_history\""
                     + " WHERE \"success\" = TRUE AND \"version\" IS NOT NULL ORDER BY \"installed_rank\"")) {
            while (rs.next()) {
                versions.add(rs.getString(1));
            }
        }
        return versions;
    }
}
