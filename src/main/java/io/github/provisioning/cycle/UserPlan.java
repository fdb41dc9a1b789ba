package io.github.provisioning.cycle;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.provisioning.graph.SourceChange;
import io.github.provisioning.scim.ScimRequest;
import io.github.provisioning.state.Link;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The provisioning of one user in one cycle, as a small state machine: each step may need one SCIM request, and
 * the answer decides the next step (match, then create or update). One plan is only ever used by one thread.
 */
public final class UserPlan {

    public enum Step {
        MATCH, CREATE, UPDATE, DISABLE, DELETE,
        /** A target without PATCH: read the resource, to PUT it back with the changes applied. */
        FETCH,
        /** scim.verify-writes: read the account back after a write, to warn about values the target dropped. */
        VERIFY,
        DONE
    }

    /** A matching attribute to try: the SCIM attribute and the value the user has for it. */
    public record MatchCandidate(String attribute, String value) {
    }

    private static final int MAX_REQUESTS = 12;

    final CycleRun cycle;
    final SourceChange change;
    final Link link;
    final String changeId = UUID.randomUUID().toString();
    final long startNanos = System.nanoTime();
    /** Targets IgnoreFlowIfNullOrEmpty keeps out of this update: neither sent nor forgotten. */
    java.util.Set<String> ignoredTargets = new java.util.LinkedHashSet<>();
    /** A manager that is not provisioned yet: the reference is written in a later cycle. */
    boolean referencePending;
    Map<String, JsonNode> createValues = Map.of();
    Map<String, JsonNode> updateValues = Map.of();
    final Deque<MatchCandidate> candidates = new ArrayDeque<>();
    MatchCandidate matchedOn;
    /** The matching value the user was matched (or created) with. */
    String matchValue;
    /** True when the user was linked to an account that already existed in the target. */
    boolean linkedExisting;
    /** Attempts of the current request so far. */
    int attempt;
    /** How long to wait before sending the pending request (a retry). */
    long delayMillis;
    /** The POST's reply was lost: the account may exist, so the next match decides, never a blind second POST. */
    boolean createReplyLost;
    /** The POST answered 409: the next match must find the account; a second POST is never sent. */
    boolean createConflicted;
    final List<LogEntry.Retry> retries = new ArrayList<>();
    /** For a PUT target: the operations to apply to the fetched resource, and the step the PUT stands for. */
    List<com.unboundid.scim2.common.messages.PatchOperation> pendingOperations = List.of();
    Step putStep;
    /** The values the last write sent (path → value), to compare with what the target kept. */
    Map<String, JsonNode> sentValues = Map.of();
    Step step = Step.DONE;
    ScimRequest request;
    int requests;
    String action = "other";
    String status;
    String reason;
    String targetId;
    LogEntry.Error error;
    List<LogEntry.ModifiedProperty> modified = new ArrayList<>();
    /** The HTTP status of the last SCIM answer (0: no answer), or -1 before any request. */
    int lastScimStatus = -1;

    UserPlan(CycleRun cycle, SourceChange change, Link link) {
        this.cycle = cycle;
        this.change = change;
        this.link = link;
        this.targetId = link == null ? null : link.targetId();
    }

    /** True while a SCIM request waits to be sent. */
    public boolean isPending() {
        return request != null;
    }

    public ScimRequest getRequest() {
        return request;
    }

    void send(Step step, ScimRequest request) {
        attempt = 0;
        delayMillis = 0;
        if (++requests > MAX_REQUESTS) {
            throw new IllegalStateException("more than " + MAX_REQUESTS + " requests for one object in one cycle");
        }
        this.step = step;
        this.request = request;
        // A failure is logged with the action it was attempting (Entra logs a failed Create as a Create).
        this.action = switch (step) {
            case CREATE -> "create";
            case UPDATE -> "update";
            case DISABLE -> "disable";
            case DELETE -> "delete";
            case FETCH -> putStep == Step.DISABLE ? "disable" : "update";
            case MATCH, VERIFY, DONE -> action;
        };
    }

    /** The same request again after a pause. */
    void retry(long delayMillis, LogEntry.Retry retry) {
        this.delayMillis = delayMillis;
        retries.add(retry);
    }

    public long getDelayMillis() {
        return delayMillis;
    }

    void finish(String action, String status, String reason) {
        this.step = Step.DONE;
        this.request = null;
        this.action = action;
        this.status = status;
        this.reason = reason;
    }

    void fail(String code, String reason) {
        finish(action, "failure", null);
        this.error = new LogEntry.Error(code, reason);
    }

    boolean failed() {
        return "failure".equals(status);
    }

    // ---- read-only view of the outcome, for provision on demand

    public String action() {
        return action;
    }

    public String status() {
        return status;
    }

    public String reason() {
        return reason;
    }

    public String targetId() {
        return targetId;
    }

    public LogEntry.Error error() {
        return error;
    }

    public List<LogEntry.ModifiedProperty> modified() {
        return List.copyOf(modified);
    }

    /** The last matching attribute and value queried, or null when no match was sent. */
    public MatchCandidate matchedOn() {
        return matchedOn;
    }

    /** Whether the user was already linked to a target account before this operation. */
    public boolean wasLinked() {
        return link != null && link.isLinked();
    }

    /** Whether a match found an existing account (and linked it). */
    public boolean matchedExisting() {
        return linkedExisting;
    }

    public int lastScimStatus() {
        return lastScimStatus;
    }
}
