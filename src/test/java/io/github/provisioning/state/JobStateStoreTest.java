package io.github.provisioning.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The job's cycle records (the job-state store), on embedded H2 and on PostgreSQL. */
class JobStateStoreTest {

    @RegisterExtension
    final TestStores stores = new TestStores();

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void cyclesAreRecorded(TestDatabase.Kind kind) throws Exception {
        TestDatabase database = stores.database(kind);
        try (StateDatabase db = database.open(stores.dataDir()); Stores store = Stores.on(db)) {
            store.jobState().cycleStarted("c1", "initial", Instant.parse("2026-11-26T10:00:00Z"));
            store.jobState().cycleEnded("c1", "completed", Instant.parse("2026-11-26T10:01:00Z"), "{\"created\": 3}");
            try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT state, report FROM prov_cycle WHERE cycle_id = 'c1'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("completed");
                assertThat(rs.getString(2)).isEqualTo("{\"created\": 3}");
            }
        }
    }
}
