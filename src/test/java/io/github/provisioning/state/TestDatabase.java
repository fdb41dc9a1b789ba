package io.github.provisioning.state;

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
 * A state-store database for one test: embedded H2 in a folder, or a schema of its own in the PostgreSQL server
 * the machine and CI run (127.0.0.1:5432, database test, trust auth; override with -Dtest.postgres.url,
 * -Dtest.postgres.username). The PostgreSQL schema is dropped on {@link #close()}.
 */
public final class TestDatabase implements AutoCloseable {

    public enum Kind { H2, POSTGRESQL }

    public static final String POSTGRES_URL =
            System.getProperty("test.postgres.url", "jdbc:postgresql://127.0.0.1:5432/test");
    public static final String POSTGRES_USER = System.getProperty("test.postgres.username", "postgres");

    private final Kind kind;
    private final String jdbcUrl;
    private final String schema;

    /** The database engine tests keep their state in: -Dtest.state.database=postgresql, or embedded H2. */
    public static final Kind ENGINE_DATABASE =
            Kind.valueOf(System.getProperty("test.state.database", "h2").toUpperCase(Locale.ROOT));

    private static final Map<Path, TestDatabase> ENGINE_DATABASES = new ConcurrentHashMap<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> ENGINE_DATABASES.values().forEach(TestDatabase::close),
                "drop-test-schemas"));
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
        return new TestDatabase(kind, POSTGRES_URL + "?currentSchema=" + schema, schema);
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
        return kind == Kind.H2 ? "" : POSTGRES_USER;
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
        try (Connection c = DriverManager.getConnection(POSTGRES_URL, POSTGRES_USER, "");
             Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL at " + POSTGRES_URL + " is needed by this test (CI starts it; "
                    + "see docs/testing.md): " + e.getMessage(), e);
        }
    }
}
