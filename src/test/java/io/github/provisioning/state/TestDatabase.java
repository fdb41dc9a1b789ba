package io.github.provisioning.state;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A state-store database for one test: embedded H2 in a folder, or a schema of its own in a PostgreSQL server. That
 * server is the one {@code -Dtest.postgres.url} (and {@code -Dtest.postgres.username}) names, else an embedded
 * PostgreSQL (zonky) that this test JVM starts on first use, on a free loopback port, and stops when it exits. A
 * schema is dropped on {@link #close()}.
 */
public final class TestDatabase implements AutoCloseable {

    public enum Kind { H2, POSTGRESQL }

    /** A PostgreSQL server and the superuser the tests connect as (trust auth: no password). */
    public record PostgresServer(String url, String username, boolean embedded) {
    }

    private final Kind kind;
    private final String jdbcUrl;
    private final String schema;

    /** The database engine tests keep their state in: -Dtest.state.database=postgresql, or embedded H2. */
    public static final Kind ENGINE_DATABASE =
            Kind.valueOf(System.getProperty("test.state.database", "h2").toUpperCase(Locale.ROOT));

    private static final Map<Path, TestDatabase> ENGINE_DATABASES = new ConcurrentHashMap<>();

    private static PostgresServer postgres;
    private static EmbeddedPostgres embedded;

    static {
        // One hook, so that the schemas are dropped before the embedded server stops (that one needs no drops).
        Runtime.getRuntime().addShutdownHook(new Thread(TestDatabase::cleanUp, "test-database-clean-up"));
    }

    /**
     * The PostgreSQL server of this test JVM: -Dtest.postgres.url, else the embedded one, started now if it is not
     * running yet (a few seconds; the first start on a machine also unpacks the binaries into the temp folder).
     */
    public static synchronized PostgresServer postgres() {
        if (postgres == null) {
            String url = System.getProperty("test.postgres.url", "");
            if (!url.isBlank()) {
                postgres = new PostgresServer(url, System.getProperty("test.postgres.username", "postgres"), false);
            } else {
                try {
                    // fsync off: a test server whose data dies with the JVM; the crash tests kill the engine, not it.
                    embedded = EmbeddedPostgres.builder().setRegisterShutdownHook(false)
                            .setServerConfig("fsync", "off").setServerConfig("full_page_writes", "off").start();
                } catch (IOException e) {
                    throw new UncheckedIOException("could not start the embedded PostgreSQL (or pass "
                            + "-Dtest.postgres.url=jdbc:postgresql://host:port/db; see docs/development.md)", e);
                }
                postgres = new PostgresServer("jdbc:postgresql://127.0.0.1:" + embedded.getPort() + "/postgres",
                        "postgres", true);
            }
        }
        return postgres;
    }

    private TestDatabase(Kind kind, String jdbcUrl, String schema) {
        this.kind = kind;
        this.jdbcUrl = jdbcUrl;
        this.schema = schema;
    }

    public static TestDatabase create(Kind kind) {
        if (kind == Kind.H2) {
            return new TestDatabase(kind, "", null);
        }
        String schema = "test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        admin("CREATE SCHEMA " + schema);
        return new TestDatabase(kind, postgres().url() + "?currentSchema=" + schema, schema);
    }

    /**
     * The state settings of an engine with this data directory: none for H2 (the engine's own default), else a
     * PostgreSQL schema of its own, the same one each time the engine restarts on that directory, dropped when
     * the test JVM ends.
     */
    public static Map<String, String> engineSettings(Path dataDir) {
        if (ENGINE_DATABASE == Kind.H2) {
            return Map.of();
        }
        TestDatabase database = ENGINE_DATABASES.computeIfAbsent(dataDir.toAbsolutePath(),
                dir -> create(ENGINE_DATABASE));
        return Map.of("provisioning.state.jdbc-url", database.jdbcUrl(),
                "provisioning.state.username", database.username());
    }

    public Kind kind() {
        return kind;
    }

    /** The provisioning.state.jdbc-url setting for this database: empty for the embedded H2 one. */
    public String jdbcUrl() {
        return jdbcUrl;
    }

    public String username() {
        return kind == Kind.H2 ? "" : postgres().username();
    }

    public StateDatabase open(Path dataDir) {
        return StateDatabase.open(jdbcUrl, username(), "", dataDir, 4);
    }

    @Override
    public void close() {
        if (schema != null) {
            admin("DROP SCHEMA " + schema + " CASCADE");
        }
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase(Locale.ROOT);
    }

    private static void admin(String sql) {
        PostgresServer server = postgres();
        try (Connection c = DriverManager.getConnection(server.url(), server.username(), "");
             Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL at " + server.url() + " is needed by this test "
                    + "(-Dtest.postgres.url, else an embedded one; see docs/development.md): " + e.getMessage(), e);
        }
    }

    private static synchronized void cleanUp() {
        if (embedded == null) {
            ENGINE_DATABASES.values().forEach(TestDatabase::close);
            return;
        }
        try {
            embedded.close();
        } catch (IOException e) {
            System.err.println("could not stop the embedded PostgreSQL: " + e);
        }
    }
}
