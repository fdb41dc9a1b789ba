package io.github.provisioning.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cluster node frozen inside a transaction (SIGSTOP, a long pause) holds its row locks; with a stuck-transaction
 * limit the server ends its session, and another node's write to the same row goes through instead of waiting for it.
 */
class StuckTransactionTest {

    @TempDir
    Path dataDir;

    @Test
    void theServerEndsAFrozenNodesTransactionSoThatAnotherNodesWriteGoesThrough() throws Exception {
        try (TestDatabase database = TestDatabase.create(TestDatabase.Kind.POSTGRESQL);
             StateDatabase frozen = StateDatabase.open(database.jdbcUrl(), database.username(), "", dataDir, 2,
                     Duration.ofSeconds(2));
             StateDatabase other = StateDatabase.open(database.jdbcUrl(), database.username(), "", dataDir, 2)) {
            try (Connection c = other.dataSource().getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE stuck (id INT PRIMARY KEY, v INT)");
                s.execute("INSERT INTO stuck VALUES (1, 0)");
            }
            Connection held = frozen.dataSource().getConnection();
            held.setAutoCommit(false);
            try (Statement s = held.createStatement()) {
                s.executeUpdate("UPDATE stuck SET v = 1 WHERE id = 1");
            }
            // Frozen here: no commit, no further statement.

            CompletableFuture<Integer> write = CompletableFuture.supplyAsync(() -> {
                try (Connection c = other.dataSource().getConnection(); Statement s = c.createStatement()) {
                    return s.executeUpdate("UPDATE stuck SET v = 2 WHERE id = 1");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });

            assertThat(write.get(20, TimeUnit.SECONDS)).as("the other node's write").isEqualTo(1);
            // Woken, the frozen node finds its session ended (closing it says so): its update is gone.
            assertThatThrownBy(held::close).isInstanceOf(SQLException.class)
                    .hasMessageContaining("idle-in-transaction");
            try (Connection c = other.dataSource().getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT v FROM stuck WHERE id = 1")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(2);
            }
        }
    }
}
