package io.github.provisioning.state;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * What a state store sends through a wrapped DataSource: the queries it runs, with their parameters (to ask the
 * database for their plans), the statements it runs with executeUpdate, and the rows it inserts or updates in {@code prov_scope_member} (each batched or
 * single execution of such a statement counts one).
 */
final class StatementLog {

    /** A query as it was run. */
    record Query(String sql, Map<Integer, Object> parameters) {
    }

    private final AtomicInteger scopeRows = new AtomicInteger();
    private final AtomicInteger commits = new AtomicInteger();
    private final List<Query> queries = new CopyOnWriteArrayList<>();
    private final List<Query> updates = new CopyOnWriteArrayList<>();
    private DataSource database;

    int scopeRowsWritten() {
        return scopeRows.get();
    }

    /** Transactions committed (autocommit statements left out). */
    int commits() {
        return commits.get();
    }

    List<Query> queries() {
        return List.copyOf(queries);
    }

    /** The statements run with executeUpdate (one each time, a statement run twice is here twice). */
    List<Query> updates() {
        return List.copyOf(updates);
    }

    void reset() {
        scopeRows.set(0);
        commits.set(0);
        queries.clear();
        updates.clear();
    }

    /** The database's plan for the query (H2: EXPLAIN), with the parameters it was run with. */
    String plan(Query query) throws SQLException {
        try (Connection c = database.getConnection(); PreparedStatement ps = c.prepareStatement("EXPLAIN " + query.sql())) {
            for (Map.Entry<Integer, Object> parameter : query.parameters().entrySet()) {
                ps.setObject(parameter.getKey(), parameter.getValue());
            }
            try (ResultSet rs = ps.executeQuery()) {
                StringBuilder plan = new StringBuilder();
                while (rs.next()) {
                    plan.append(rs.getString(1)).append('\n');
                }
                return plan.toString();
            }
        }
    }

    DataSource wrap(DataSource dataSource) {
        database = dataSource;
        return proxy(DataSource.class, dataSource, (method, args, result) -> result instanceof Connection c
                ? proxy(Connection.class, c, (cMethod, cArgs, statement) -> {
                    if (cMethod.getName().equals("commit")) {
                        commits.incrementAndGet();
                    }
                    return statement instanceof PreparedStatement ps && cMethod.getName().equals("prepareStatement")
                            ? watch(ps, (String) cArgs[0]) : statement;
                })
                : result);
    }

    private PreparedStatement watch(PreparedStatement statement, String sql) {
        String text = sql.strip().toUpperCase(Locale.ROOT);
        boolean writesScope = text.contains("PROV_SCOPE_MEMBER")
                && (text.startsWith("INSERT") || text.startsWith("UPDATE") || text.startsWith("MERGE"));
        Map<Integer, Object> parameters = new TreeMap<>();
        return proxy(PreparedStatement.class, statement, (method, args, result) -> {
            String name = method.getName();
            if (name.startsWith("set") && args != null && args.length == 2 && args[0] instanceof Integer index) {
                parameters.put(index, args[1]);
            } else if (name.equals("executeQuery")) {
                queries.add(new Query(sql, new TreeMap<>(parameters)));
            } else if (name.equals("addBatch") || name.equals("executeUpdate")) {
                if (name.equals("executeUpdate")) {
                    updates.add(new Query(sql, new TreeMap<>(parameters)));
                }
                if (writesScope) {
                    scopeRows.incrementAndGet();
                }
            }
            return result;
        });
    }

    /** What a proxy returns for a call, given what the wrapped object returned. */
    private interface Result {
        Object of(Method method, Object[] args, Object result) throws Exception;
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
