package io.github.provisioning.state;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.Closeable;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcConnectionPool;

/**
 * Where the state store lives: an embedded H2 database in the data directory unless
 * {@code provisioning.state.jdbc-url} names another database (PostgreSQL), reached through a connection pool.
 */
public final class StateDatabase implements Closeable {

    private final DataSource dataSource;
    private final String description;

    private StateDatabase(DataSource dataSource, String description) {
        this.dataSource = dataSource;
        this.description = description;
    }

    /**
     * @param jdbcUrl  empty or null for the embedded H2 database under {@code dataDir/state}
     * @param poolSize connections of the pool; the provisioning threads share them
     */
    public static StateDatabase open(String jdbcUrl, String username, String password, Path dataDir, int poolSize) {
        if (jdbcUrl == null || jdbcUrl.isBlank()) {
            String url = "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("state").resolve("provisioning");
            // H2 gives up on a lock after a second or two by default; on a loaded machine a concurrent commit can take
            // longer, and the object would fail for nothing. PostgreSQL waits as long as it takes.
            // WRITE_DELAY=0: H2 writes each commit to its file as the commit ends (one that races another thread's
            // write goes with the next). By default it writes them every 500 ms, and a killed process loses the last
            // ones: a link, or the create intent written before a POST (crash safety rests on both).
            JdbcConnectionPool pool = JdbcConnectionPool.create(url + ";LOCK_TIMEOUT=10000;WRITE_DELAY=0", "sa", "");
            pool.setMaxConnections(poolSize);
            return new StateDatabase(pool, url);
        }
        HikariConfig config = new HikariConfig();
        config.setPoolName("provisioning-state");
        config.setJdbcUrl(jdbcUrl);
        if (username != null && !username.isBlank()) {
            config.setUsername(username);
        }
        if (password != null && !password.isEmpty()) {
            config.setPassword(password);
        }
        config.setMaximumPoolSize(poolSize);
        return new StateDatabase(new HikariDataSource(config), withoutParameters(jdbcUrl));
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /** The URL without its query part, which may carry credentials: safe to log. */
    public String description() {
        return description;
    }

    private static String withoutParameters(String jdbcUrl) {
        int query = jdbcUrl.indexOf('?');
        return query < 0 ? jdbcUrl : jdbcUrl.substring(0, query);
    }

    @Override
    public void close() {
        if (dataSource instanceof HikariDataSource hikari) {
            hikari.close();
        } else if (dataSource instanceof JdbcConnectionPool pool) {
            pool.dispose();
        }
    }
}
