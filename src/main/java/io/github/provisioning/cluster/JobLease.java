package io.github.provisioning.cluster;

import java.util.Optional;

/**
 * Whether this node runs the job. Alone ({@link #solo}) it always does; in a cluster of engines on one PostgreSQL
 * ({@link PostgresLease}) exactly one node holds the job's lease at a time, and only that one runs its cycles and
 * writes for it.
 */
public interface JobLease {

    /** What {@link #keep} found. */
    enum Change {
        /** This node took the lease now: it runs the job's next cycle at once. */
        TAKEN,
        /** This node held the lease and still does. */
        KEPT,
        /** This node held the lease and lost it: it stops writing for the job. */
        LOST,
        /** Another node holds the lease. */
        STANDBY
    }

    /** This node's id: provisioning.cluster.node-id, else the host name and the process id. */
    String nodeId();

    /** Takes or keeps the lease; called every heartbeat. */
    Change keep();

    /** Whether this node holds the lease now. */
    boolean held();

    /**
     * Called before each SCIM write and each commit of the job's state: throws {@link LeaseLostException} unless this
     * node holds the lease and confirmed it recently enough that no other node can have taken it.
     */
    void checkWrite();

    /** The id of the node that runs the job, if one does. */
    Optional<String> holder();

    /** The lease of an engine alone: it always runs its job. */
    static JobLease solo(String nodeId) {
        return new Solo(nodeId);
    }

    /** An engine alone holds its job's lease for good. */
    record Solo(String nodeId) implements JobLease {
        @Override
        public Change keep() {
            return Change.KEPT;
        }

        @Override
        public boolean held() {
            return true;
        }

        @Override
        public void checkWrite() {
        }

        @Override
        public Optional<String> holder() {
            return Optional.of(nodeId);
        }
    }

    /** The host name and the process id, e.g. {@code engine-7d9f-1234}: unique among the nodes of one host too. */
    static String defaultNodeId() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.net.UnknownHostException e) {
                host = "engine";
            }
        }
        return host + "-" + ProcessHandle.current().pid();
    }
}
