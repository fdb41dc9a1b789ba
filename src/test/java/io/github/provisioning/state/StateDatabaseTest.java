package io.github.provisioning.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
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
