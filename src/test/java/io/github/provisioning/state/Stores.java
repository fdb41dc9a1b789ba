package io.github.provisioning.state;

/** Every store of a job on a state database, as the engine wires them, for tests that use several. */
public record Stores(StateDatabase database, LinkStore links, EscrowStore escrows, ScopeStore scope,
                     AppRoleStore appRoles, GroupStore groups, GroupMemberStore memberships,
                     StagedDeletionStore deletions, JobStateStore jobState)
        implements AutoCloseable {

    /** The stores of the job {@code default} on the database, its schema migrated first (as the engine opens it). */
    public static Stores on(StateDatabase database) {
        return on(database, JobId.DEFAULT);
    }

    /** The stores of the job on the database, its schema migrated first. */
    public static Stores on(StateDatabase database, JobId job) {
        database.migrate();
        ScopeStore scope = new ScopeStore(database, job);
        return new Stores(database, new LinkStore(database, job, scope), new EscrowStore(database, job), scope,
                new AppRoleStore(database, job), new GroupStore(database, job, scope),
                new GroupMemberStore(database, job), new StagedDeletionStore(database, job),
                new JobStateStore(database, job, scope));
    }

    public JobId job() {
        return jobState.job();
    }

    /** Gives back the connection the link store keeps for its saves. */
    @Override
    public void close() {
        links.close();
    }
}
