package io.github.provisioning.cluster;

/**
 * The job as its lease sees it when it gives the job up to another node: never in the middle of a cycle.
 */
@FunctionalInterface
public interface IdleJob {

    /**
     * Runs {@code work} and answers true when the job runs no cycle, keeping cycles from starting meanwhile; else
     * answers false and runs nothing.
     */
    boolean whileIdle(Runnable work);

    /** A job with no cycles of its own to wait for. */
    static IdleJob always() {
        return work -> {
            work.run();
            return true;
        };
    }
}
