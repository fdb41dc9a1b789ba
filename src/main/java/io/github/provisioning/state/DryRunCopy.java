package io.github.provisioning.state;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;

/**
 * A dry run's state: an H2 database in a temporary folder with the store's schema and a copy of every row of one
 * job's stored state (H2 or PostgreSQL). The dry run reads and writes it as a real cycle reads and writes the store
 * (scope
 * generations, links, staged deletions, watermarks), and {@link #close()} deletes it, so nothing the dry run did
 * reaches the stored state. A file, not memory: the state of a million users would not fit the engine's heap.
 */
final class DryRunCopy implements AutoCloseable {

    private static final String HISTORY = "prov_schema_history";
    private static final int BATCH = 1000;

    private final JdbcDataSource copy;
    /** Keeps the database open until {@link #close()} (H2 closes it with its last connection). */
    private final Connection keeper;
    private final Path folder;

    private DryRunCopy(JdbcDataSource copy, Connection keeper, Path folder) {
        this.copy = copy;
        this.keeper = keeper;
        this.folder = folder;
    }

    /** A copy of the rows of {@code job} in {@code source}. */
    static DryRunCopy of(DataSource source, JobId job) {
        Path folder;
        try {
            folder = Files.createTempDirectory("provisioning-dry-run-");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a folder for the dry run's copy of the state", e);
        }
        JdbcDataSource copy = new JdbcDataSource();
        copy.setURL("jdbc:h2:file:" + folder.resolve("state").toAbsolutePath());
        copy.setUser("sa");
        Connection keeper = null;
        try {
            keeper = copy.getConnection();
            StateDatabase.flyway(copy).load().migrate();
            try (Connection from = source.getConnection(); Connection to = copy.getConnection()) {
                to.setAutoCommit(false);
                for (String table : tables(from)) {
                    copyRows(from, to, table, job);
                }
                to.commit();
            }
            return new DryRunCopy(copy, keeper, folder);
        } catch (SQLException | RuntimeException e) {
            if (keeper != null) {
                try {
                    keeper.close();
                } catch (SQLException closing) {
                    e.addSuppressed(closing);
                }
            }
            delete(folder);
            if (e instanceof SQLException sql) {
                throw new StateStoreException(sql);
            }
            throw (RuntimeException) e;
        }
    }

    DataSource dataSource() {
        return copy;
    }

    /** The state's tables (prov_*), without Flyway's history, which the copy has of its own. */
    private static List<String> tables(Connection c) throws SQLException {
        List<String> tables = new ArrayList<>();
        DatabaseMetaData meta = c.getMetaData();
        try (ResultSet rs = meta.getTables(c.getCatalog(), c.getSchema(), null, new String[] {"TABLE"})) {
            while (rs.next()) {
                String name = rs.getString("TABLE_NAME").toLowerCase(Locale.ROOT);
                if (name.startsWith("prov_") && !name.equals(HISTORY)) {
                    tables.add(name);
                }
            }
        }
        return tables;
    }

    /** The job's rows of the table in place of the copy's (a migration seeds some, e.g. the scope generations). */
    private static void copyRows(Connection from, Connection to, String table, JobId job) throws SQLException {
        try (Statement delete = to.createStatement()) {
            delete.executeUpdate("DELETE FROM " + table);
        }
        try (PreparedStatement select = from.prepareStatement("SELECT * FROM " + table + " WHERE job_id = ?")) {
            select.setString(1, job.value());
            copyRows(select, to, table);
        }
    }

    private static void copyRows(PreparedStatement select, Connection to, String table) throws SQLException {
        try (ResultSet rs = select.executeQuery()) {
            ResultSetMetaData meta = rs.getMetaData();
            int columns = meta.getColumnCount();
            List<String> names = new ArrayList<>();
            for (int i = 1; i <= columns; i++) {
                names.add(meta.getColumnName(i));
            }
            String insert = "INSERT INTO " + table + " (" + String.join(", ", names) + ") VALUES ("
                    + String.join(", ", Collections.nCopies(columns, "?")) + ")";
            try (PreparedStatement ps = to.prepareStatement(insert)) {
                int pending = 0;
                while (rs.next()) {
                    for (int i = 1; i <= columns; i++) {
                        ps.setObject(i, rs.getObject(i));
                    }
                    ps.addBatch();
                    if (++pending == BATCH) {
                        ps.executeBatch();
                        pending = 0;
                    }
                }
                if (pending > 0) {
                    ps.executeBatch();
                }
            }
        }
    }

    /** Closes the copy (its last connection) and deletes its files. */
    @Override
    public void close() {
        try {
            keeper.close();
        } catch (SQLException e) {
            StateStoreException failure = new StateStoreException(e);
            try {
                delete(folder);
            } catch (UncheckedIOException deleting) {
                failure.addSuppressed(deleting);
            }
            throw failure;
        }
        delete(folder);
    }

    private static void delete(Path folder) {
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete the dry run's copy of the state in " + folder, e);
        }
    }
}
