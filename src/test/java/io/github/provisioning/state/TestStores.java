package io.github.provisioning.state;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;
import org.apache.commons.io.FileUtils;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * State stores a test opens on embedded H2 or PostgreSQL ({@code @RegisterExtension}): each database, connection
 * pool and H2 folder is closed or removed after the test, the last opened first, and PostgreSQL schemas dropped.
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

    /** A store on the database, as an engine starting on it would open it (the schema migrated). */
    public synchronized StateStore store(TestDatabase database) {
        StateDatabase db = database.open(dataDir());
        opened.add(db);
        return new StateStore(db.dataSource());
    }

    /** A store that reaches the database through {@code wrap}, to watch the statements it sends. */
    public synchronized StateStore store(TestDatabase database, UnaryOperator<DataSource> wrap) {
        StateDatabase db = database.open(dataDir());
        opened.add(db);
        return new StateStore(wrap.apply(db.dataSource()));
    }

    public StateStore store(TestDatabase.Kind kind) {
        return store(database(kind));
    }

    @Override
    public synchronized void afterEach(ExtensionContext context) throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
        opened.clear();
        if (dataDir != null) {
            FileUtils.deleteQuietly(dataDir.toFile());
            dataDir = null;
        }
    }
}
