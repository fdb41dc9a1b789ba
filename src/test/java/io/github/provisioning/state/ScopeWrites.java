package io.github.provisioning.state;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * Counts the rows a state store inserts or updates in {@code prov_scope_member}: a DataSource wrapped so that each
 * batched or single execution of such a statement counts one row.
 */
final class ScopeWrites {

    private final AtomicInteger rows = new AtomicInteger();

    int rows() {
        return rows.get();
    }

    void reset() {
        rows.set(0);
    }

    DataSource wrap(DataSource dataSource) {
        return proxy(DataSource.class, dataSource, (method, args, result) -> result instanceof Connection c
                ? proxy(Connection.class, c, (cMethod, cArgs, statement) -> statement instanceof PreparedStatement ps
                        && cMethod.getName().equals("prepareStatement") && writesScope((String) cArgs[0])
                        ? proxy(PreparedStatement.class, ps, (psMethod, psArgs, r) -> {
                            if (psMethod.getName().equals("addBatch") || psMethod.getName().equals("executeUpdate")) {
                                rows.incrementAndGet();
                            }
                            return r;
                        })
                        : statement)
                : result);
    }

    private static boolean writesScope(String sql) {
        String statement = sql.strip().toUpperCase(Locale.ROOT);
        return statement.contains("PROV_SCOPE_MEMBER")
                && (statement.startsWith("INSERT") || statement.startsWith("UPDATE") || statement.startsWith("MERGE"));
    }

    /** What a proxy returns for a call, given what the wrapped object returned. */
    private interface Result {
        Object of(java.lang.reflect.Method method, Object[] args, Object result) throws Exception;
    }

    private static <T> T proxy(Class<T> type, T target, Result result) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, method, args) -> {
            try {
                return result.of(method, args, method.invoke(target, args));
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }));
    }
}
