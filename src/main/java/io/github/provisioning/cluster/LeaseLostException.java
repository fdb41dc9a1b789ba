package io.github.provisioning.cluster;

/**
 * This node does not hold the job's lease (any more): it sends no SCIM write and commits no state for the job, and
 * a cycle it runs stops. Not a failure of the job: the node that holds the lease runs it.
 */
public class LeaseLostException extends RuntimeException {
    public LeaseLostException(String message) {
        super(message);
    }
}
