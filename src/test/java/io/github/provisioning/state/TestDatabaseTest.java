package io.github.provisioning.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * The PostgreSQL the state tests use: the server -Dtest.postgres.url names, else the embedded one this JVM started,
 * so that {@code mvn verify} needs no server of the machine's.
 */
class TestDatabaseTest {

    @Test
    void thePostgresqlTestsUseTheNamedServerOrElseAnEmbeddedOneInTheTempFolder() throws Exception {
        String named = System.getProperty("test.postgres.url", "");
        TestDatabase.PostgresServer server = TestDatabase.postgres();

        try (TestDatabase database = TestDatabase.create(TestDatabase.Kind.POSTGRESQL);
             Connection c = DriverManager.getConnection(database.jdbcUrl(), database.username(), "");
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT current_setting('data_directory'), current_schema()")) {
            assertThat(rs.next()).isTrue();
            assertThat(database.jdbcUrl()).startsWith(server.url() + "?currentSchema=");
            assertThat(rs.getString(2)).startsWith("test_");
            if (named.isBlank()) {
                assertThat(server.embedded()).isTrue();
                assertThat(server.url()).startsWith("jdbc:postgresql://127.0.0.1:").doesNotContain(":5432/");
                assertThat(Path.of(rs.getString(1)))
                        .startsWith(Path.of(System.getProperty("java.io.tmpdir")).toRealPath());
            } else {
                assertThat(server.embedded()).isFalse();
                assertThat(server.url()).isEqualTo(named);
            }
        }
    }
}
