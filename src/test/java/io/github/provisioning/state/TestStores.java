package io.github.provisioning.state;

import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;
import org.apache.commons.io.FileUtils;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * State stores a test opens on embedded H2 or PostgreSQL ({@code @RegisterExtension}): each store, database,
 * connection pool and H2 folder is closed or removed after the test, the last opened first, and PostgreSQL schemas
 * dropped. A pool that still lends a connection when it is closed fails the test: a leaked H2 connection keeps the
 * database file open.
 */
public final class TestStores implements AfterEachCallback {

    private final List<AutoCloseable> opened = new ArrayList<>();
    private Path dataDir;

    /** Where H2 keeps its files for this test (the engine's data directory). */
    public synchronized Path dataDir() {
        if (dataDir == null) {
            try {
                dataDir = Files.createTempDirectory("state-test");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return dataDir;
    }

    public synchronized TestDatabase database(TestDatabase.Kind kind) {
        TestDatabase database = TestDatabase.create(kind);
        opened.add(database);
        return database;
    }

    /** The database's connection pool, as an engine starting on it would open it (nothing migrated yet). */
    public synchronized StateDatabase open(TestDatabase database) {
        StateDatabase db = database.open(dataDir());
        opened.add(() -> {
            int lent = lentConnections(db.dataSource());
            db.close();
            if (lent > 0) {
                throw new AssertionError(lent + " connection(s) of the state database still lent when it closed");
            }
        });
        return db;
    }

    /** The stores on the pool (the schema migrated), closed before the pool. */
    public synchronized Stores state(StateDatabase db) {
        return opened(Stores.on(db));
    }

    /** The stores of another job on the same pool (the schema migrated), closed before the pool. */
    public synchronized Stores state(StateDatabase db, JobId job) {
        return opened(Stores.on(db, job));
    }

    /** The stores on the database, as an engine starting on it would open them (the schema migrated). */
    public synchronized Stores state(TestDatabase database) {
        return state(open(database));
    }

    /** Stores that reach the database through {@code wrap}, to watch the statements they send. */
    public synchronized Stores state(TestDatabase database, UnaryOperator<DataSource> wrap) {
        return opened(Stores.on(StateDatabase.on(wrap.apply(open(database).dataSource()))));
    }

    private Stores opened(Stores state) {
        opened.add(state);
        return state;
    }

    public Stores state(TestDatabase.Kind kind) {
        return state(database(kind));
    }

    private static int lentConnections(DataSource dataSource) {
        if (dataSource instanceof JdbcConnectionPool pool) {
            return pool.getActiveConnections();
        }
        if (dataSource instanceof HikariDataSource hikari && hikari.getHikariPoolMXBean() != null) {
            return hikari.getHikariPoolMXBean().getActiveConnections();
        }
        return 0;
    }

    @Override
    public synchronized void afterEach(ExtensionContext context) throws Exception {
        Throwable failure = null;
        for (int i = opened.size() - 1; i >= 0; i--) {
            try {
                opened.get(i).close();
            } catch (Exception | AssertionError e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        opened.clear();
        if (dataDir != null) {
            FileUtils.deleteQuietly(dataDir.toFile());
            dataDir = null;
        }
        if (failure instanceof Exception e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
    }
}
