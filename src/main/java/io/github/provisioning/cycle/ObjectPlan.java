package io.github.provisioning.cycle;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.provisioning.http.RetryPolicy;
import io.github.provisioning.scim.ScimCredentialsException;
import io.github.provisioning.scim.ScimRequest;
import io.github.provisioning.scim.ScimResponse;
import io.github.provisioning.scim.UserResources;
import io.github.provisioning.state.CreateIntent;
import io.github.provisioning.state.Escrow;
import io.github.provisioning.state.Link;
import io.github.provisioning.state.StagedDeletion;
import io.github.provisioning.state.StagedDeletionStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What a user plan and a group plan share: the one pending SCIM request, its attempts and retries (Retry-After,
 * back-off, giving up after {@code scim.max-attempts}), the outcome, and the provisioning-log line. The routes
 * drive it the same way for both: {@code pending}, {@code request}, {@code delayMillis}. One plan is only ever
 * used by one thread.
 */
public abstract class ObjectPlan {

    final CycleRun cycle;
    /** What the store holds for the object; replaced once an open create intent is resolved. */
    Link link;
    /**
     * The create intent the object's row must keep if this plan fails: the stored one until it is resolved, or the
     * one this plan wrote before its POST until the POST's fate is known. Null: none.
     */
    CreateIntent intent;
    /** The plan's first request matches the value of the stored create intent, before anything else is planned. */
    boolean resolvingIntent;
    /** The pending match reads the object a listing named ({@code GET /Users/{id}}, /Groups/{id}), not a filter query. */
    boolean matchById;
    /** The stored create intent's match found the object: it was linked to it. */
    boolean linkedByIntent;
    final String changeId = UUID.randomUUID().toString();
    final long startNanos = System.nanoTime();
    /** Attempts of the current request so far. */
    int attempt;
    /** How long to wait before sending the pending request (a retry). */
    long delayMillis;
    final List<LogEntry.Retry> retries = new ArrayList<>();
    ScimRequest request;
    int requests;
    String action = "other";
    /** The HTTP status of the last SCIM answer (0: no answer), or -1 before any request. */
    int lastScimStatus = -1;
    String status;
    String reason;
    String targetId;
    LogEntry.Error error;
    List<LogEntry.ModifiedProperty> modified = new ArrayList<>();
    Map<String, JsonNode> createValues = Map.of();
    Map<String, JsonNode> updateValues = Map.of();
    UserPlan.MatchCandidate matchedOn;
    /** The matching value the object was matched (or created) with. */
    String matchValue;
    /** True when the object was linked to one that already existed in the target. */
    boolean linkedExisting;
    /** The POST's reply was lost: the object may exist, so the next match decides, never a blind second POST. */
    boolean createReplyLost;
    /** The POST answered 409: the next match must find the object; a second POST is never sent. */
    boolean createConflicted;
    /** The target declared the failure permanent: the same data would fail the same way. */
    boolean permanentFailure;
    /** After a failure: the attempts so far and when the object is retried. */
    Escrow escrow;
    /** The staged deletion this plan releases: planned as stored, never staged again. Null in a plain plan. */
    StagedDeletion releasing;
    /** The deletion guard kept this disable or delete from the target: staged, not sent, not logged. */
    boolean staged;
    /** The released deletion's object was handled again after it was staged: dropped unsent, not logged. */
    boolean superseded;

    ObjectPlan(CycleRun cycle, Link link) {
        this.cycle = cycle;
        this.link = link;
        this.targetId = link == null ? null : link.targetId();
        this.intent = link == null ? null : link.intent();
    }

    /** True while a SCIM request waits to be sent. */
    public boolean isPending() {
        return request != null;
    }

    public ScimRequest getRequest() {
        return request;
    }

    public long getDelayMillis() {
        return delayMillis;
    }

    /** A new request; its attempts start again. At most {@code maxRequests} per object and cycle. */
    void sendRequest(ScimRequest request, int maxRequests) {
        attempt = 0;
        delayMillis = 0;
        if (++requests > maxRequests) {
            throw new IllegalStateException("more than " + maxRequests + " requests for one object in one cycle");
        }
        this.request = request;
    }

    /** The same request again after a pause. */
    void retry(long delayMillis, LogEntry.Retry retry) {
        this.delayMillis = delayMillis;
        retries.add(retry);
    }

    /**
     * Counts the attempt and deals with the answers every object treats alike. Rejected credentials stop the
     * cycle (no object can succeed); a transient failure (no answer, 429, 5xx) sends the same request again
     * after a pause, or fails the object once {@code scim.max-attempts} are used up.
     *
     * @return true when the answer was transient: a retry is scheduled, or the plan failed
     */
    boolean handleTransient(ScimResponse response, RetryPolicy retryPolicy) {
        attempt++;
        if (response.isCredentialsRejected()) {
            throw ScimCredentialsException.rejectedBy(response);
        }
        if (!response.isTransient()) {
            return false;
        }
        if (attempt >= retryPolicy.maxAttempts()) {
            fail("ScimRetriesExhausted", "gave up after " + attempt + " attempts: " + response.errorReason());
            return true;
        }
        long delay = retryPolicy.delay(attempt, response.retryAfter()).toMillis();
        retry(delay, new LogEntry.Retry(request.method() + " " + request.path(), attempt, response.status(),
                response.errorReason(), delay));
        return true;
    }

    /**
     * Reads the answer to a match query ({@code noun}: "accounts", "groups"): the one object found, or null when
     * none was found, or null after failing the object when the target answered an error or more than one object.
     */
    JsonNode matched(ScimResponse response, String noun) {
        if (!response.isSuccess()) {
            failOnError(response);
            return null;
        }
        return singleMatch(response, noun);
    }

    /**
     * Reads the answer to the match of the stored create intent's value. The object found is linked: the link takes
     * its id and the values it holds at {@code paths}. None found: the create never reached the target, and the intent
     * is dropped. False when the plan failed instead (its row keeps the intent for a later cycle).
     */
    boolean intentResolved(ScimResponse response, String noun, List<String> paths) {
        JsonNode existing = matched(response, noun);
        String id = existing == null ? null : existing.path("id").asText(null);
        if (existing != null && id == null) {
            fail("UnexpectedResponse", "the matching object has no id");
        }
        if (failed()) {
            return false;
        }
        Link l = link;
        link = existing == null ? l.withIntent(null) : new Link(l.sourceId(), id, l.intent().value(),
                existing.path("active").asBoolean(true), UserResources.valuesAt(existing, paths), l.lastCycle(),
                l.retryAction(), l.lastError(), l.escrow());
        targetId = id;
        linkedByIntent = existing != null;
        resolvingIntent = false;
        intent = null;
        matchedOn = null;
        matchValue = null;
        return true;
    }

    private JsonNode singleMatch(ScimResponse response, String noun) {
        JsonNode resources = response.body().path("Resources");
        int total = response.body().path("totalResults").asInt(resources.size());
        if (total == 0 || resources.isEmpty()) {
            return null;
        }
        if (total > 1 || resources.size() > 1) {
            fail("AmbiguousMatch", total + " " + noun + " in the target match " + matchedOn.attribute() + " eq \""
                    + matchedOn.value() + "\"");
            return null;
        }
        return resources.get(0);
    }

    /** A match after our create's 409 found nothing: the target contradicts itself, and nothing is posted again. */
    void failConflictWithoutMatch(String noun) {
        fail("ScimError409", "the target answered 409 to the create, but no " + noun + " matches "
                + matchedOn.attribute() + " eq \"" + matchedOn.value() + "\"");
    }

    void finish(String action, String status, String reason) {
        this.request = null;
        this.action = action;
        this.status = status;
        this.reason = reason;
    }

    void fail(String code, String reason) {
        finish(action, "failure", null);
        this.error = new LogEntry.Error(code, reason);
    }

    void failOnError(ScimResponse response) {
        permanentFailure = rejectsTheData(request, response.status());
        fail("ScimError" + response.status(), response.errorReason());
    }

    /** The log line's reason for an object linked by a create intent's match. */
    static final String LINKED_BY_INTENT = "linked to the object an earlier create made, whose answer was never "
            + "recorded";

    /**
     * The target answered a POST with a refusal that made no object (400 invalidValue, 403...): its create intent
     * is void. A timeout (408), a conflict, a server error or no answer leaves the create's fate open.
     */
    static boolean createRefused(int status) {
        return status >= 400 && status < 500 && status != 408 && status != 409;
    }

    /**
     * A write the target answers with a 4xx other than 404 (stale link), 408 (timeout), 409 (conflict) and 429
     * (throttled), e.g. 400 invalidValue: the data sent was rejected, and the same source data fails the same way.
     */
    static boolean rejectsTheData(ScimRequest request, int status) {
        boolean write = request != null && switch (request.method()) {
            case "POST", "PUT", "PATCH" -> true;
            default -> false;
        };
        return write && status >= 400 && status < 500 && status != 404 && status != 408 && status != 409
                && status != 429;
    }

    /**
     * The failed object goes to escrow: one more failed attempt, and when it is tried again. A permanent failure
     * says so in the log line's reason.
     *
     * @param previous the object's link before this operation, or null
     */
    Escrow enterEscrow(RetrySchedule schedule, Link previous, String objectType) {
        escrow = schedule.afterFailure(previous == null ? 0 : previous.failedAttempts(), permanentFailure,
                Instant.now());
        if (escrow.permanent()) {
            reason = RetrySchedule.permanentReason(escrow, permanentFailure, objectType);
        }
        return escrow;
    }

    /**
     * Entra's accidental-deletions prevention: a cycle's disables and deletes are staged, and sent at the end of
     * the cycle only when they stay within the threshold. Provision on demand and released deletions are sent.
     *
     * @param deletionThreshold {@code provisioning.deletion-threshold}; 0 or less switches the guard off
     */
    boolean guarded(int deletionThreshold) {
        return deletionThreshold > 0 && releasing == null && cycle.type() != CycleRun.Type.ON_DEMAND;
    }

    /** Keeps this disable or delete from the target: the row goes to the deletion guard, and the plan is done. */
    void stage(StagedDeletionStore deletions, StagedDeletion row) {
        deletions.stageDeletion(row);
        staged = true;
        finish(row.action(), "skipped", row.reason());
    }

    /**
     * Whether the staged deletion this plan releases is still to be sent: not when its object was handled again
     * after it was staged (its link names a later cycle: assigned again, restored, provisioned on demand, staged
     * anew) or is no longer linked at all (a full restart). Then the plan is done, and the row is dropped unsent.
     */
    boolean releaseStillDue(Link link) {
        if (link == null || !releasing.cycleId().equals(link.lastCycle())) {
            superseded = true;
            finish("other", "skipped", "superseded by a later change");
            return false;
        }
        return true;
    }

    boolean failed() {
        return "failure".equals(status);
    }

    /** The provisioning-log line for this operation. */
    LogEntry logEntry(String objectType, String sourceId, String sourceIdentity) {
        return new LogEntry(Instant.now(), cycle.id(), changeId, objectType, action, status, sourceId, sourceIdentity,
                targetId, reason, modified, error, (System.nanoTime() - startNanos) / 1_000_000, retries, escrow,
                cycle.dryRun());
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
    public UserPlan.MatchCandidate matchedOn() {
        return matchedOn;
    }

    /** Whether the object was already linked to a target object before this operation. */
    public boolean wasLinked() {
        return link != null && link.isLinked();
    }

    /** Whether a match found an existing object (and linked it). */
    public boolean matchedExisting() {
        return linkedExisting;
    }

    public int lastScimStatus() {
        return lastScimStatus;
    }
}
