package io.github.provisioning.state;

/** Every store of a state database, as the engine wires them, for tests that use several. */
public record Stores(StateDatabase database, LinkStore links, ScopeStore scope, GroupStore groups,
                     StagedDeletionStore deletions, JobStateStore jobState) implements AutoCloseable {

    /** The stores on the database, its schema migrated first (as the engine opens it). */
    public static Stores on(StateDatabase database) {
        database.migrate();
        ScopeStore scope = new ScopeStore(database);
        return new Stores(database, new LinkStore(database, scope), scope, new GroupStore(database, scope),
                new StagedDeletionStore(database), new JobStateStore(database, scope));
    }

    /** Gives back the connection the link store keeps for its saves. */
    @Override
    public void close() {
        links.close();
    }
}
