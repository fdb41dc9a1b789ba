package io.github.provisioning.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.provisioning.cycle.Cycles;
import io.github.provisioning.state.StagedDeletion;
import io.github.provisioning.state.StagedDeletionStore;
import org.apache.camel.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin's side of Entra's accidental-deletions prevention: see the disables and deletes a cycle held, approve
 * them (the next cycle sends them whatever the threshold) or reject them (they are dropped, unsent); either
 * resumes the job, and the route asks for a cycle at once. Both are refused while a cycle runs, so a cycle's
 * release step and an admin never work on the same rows.
 */
public final class DeletionApproval {

    private static final Logger LOG = LoggerFactory.getLogger(DeletionApproval.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Cycles cycles;
    private final StagedDeletionStore state;
    private final JobControl job;
    private final int threshold;

    public DeletionApproval(Cycles cycles, StagedDeletionStore state, JobControl job, int threshold) {
        this.cycles = cycles;
        this.state = state;
        this.job = job;
        this.threshold = threshold;
    }

    /**
     * The held deletions: how many (users and groups), since when, the threshold, and the first {@code limit}
     * (default 100), users then groups as a cycle releases them; each names its object type.
     */
    public ApiReply held(@Header("limit") String limit) {
        int listed = ListLimit.parse(limit);
        if (listed < 0) {
            return ListLimit.invalid();
        }
        ObjectNode reply = JSON.createObjectNode();
        summary(reply, state.heldDeletions(), threshold);
        ArrayNode objects = reply.putArray("objects");
        for (String objectType : StagedDeletion.OBJECT_TYPES) {
            if (objects.size() == listed) {
                break;  // the list is full (and a JDBC max-rows of 0 would mean every row)
            }
            for (StagedDeletion row : state.stagedDeletions(objectType, true, false, null, listed - objects.size())) {
                ObjectNode object = objects.addObject();
                object.put("objectType", row.objectType());
                object.put("sourceId", row.sourceId());
                object.put("sourceIdentity", row.sourceIdentity());
                object.put("targetId", row.targetId());
                object.put("action", row.action());
                object.put("reason", row.reason());
                object.put("cycleId", row.cycleId());
                object.put("stagedAt", row.stagedAt().toString());
            }
        }
        return new ApiReply(200, reply);
    }

    /** Approves every held deletion and resumes the job; 409 while a cycle runs or when nothing is held. */
    public ApiReply approve() throws Exception {
        return decide("approve", true);
    }

    /** Drops every held deletion unsent and resumes the job; 409 while a cycle runs or when nothing is held. */
    public ApiReply reject() throws Exception {
        return decide("reject", false);
    }

    private ApiReply decide(String what, boolean approve) throws Exception {
        if (!cycles.pauseCycles()) {
            return JobControl.cycleRunning(what);
        }
        int decided;
        try {
            decided = approve ? state.approveHeldDeletions() : state.rejectHeldDeletions();
        } finally {
            cycles.resumeCycles();
        }
        if (decided == 0) {
            return ApiErrors.error(409, "No disables or deletes are held; there is nothing to " + what);
        }
        LOG.info("{} held disables and deletes {} from the admin API; the job resumes", decided,
                approve ? "approved (the next cycle sends them)" : "rejected (dropped unsent)");
        ApiReply started = job.start();
        ObjectNode reply = JSON.createObjectNode();
        reply.put(approve ? "approved" : "rejected", decided);
        reply.set("status", JSON.valueToTree(started.body()));
        return new ApiReply(200, reply);
    }

    /** {@code held}, {@code threshold} and {@code since} (null when none is held), as the status shows them. */
    static void summary(ObjectNode target, StagedDeletion.Held held, int threshold) {
        target.put("held", held.count());
        target.put("threshold", threshold);
        target.put("since", held.since() == null ? null : held.since().toString());
    }
}
