package io.github.provisioning.cycle;

import com.fasterxml.jackson.databind.JsonNode;
import com.unboundid.scim2.common.messages.PatchOperation;
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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The provisioning of one object (a user or a group) in one cycle, as a small state machine: each step may need one
 * SCIM request, and the answer decides the next step. It holds the one pending request, its attempts and retries
 * (Retry-After, back-off, giving up after {@code scim.max-attempts}), the outcome and the provisioning-log line.
 * Its provisioner changes it only through methods named for what happened. One plan is only ever used by one thread.
 */
public abstract class ObjectPlan {

    /** The steps of a plan; a user takes some, a group others. */
    public enum Step {
        MATCH,
        /** Provision on demand against a target without filters: one page of its users, searched for the value. */
        LIST,
        /** SelectUniqueValue: ask the target whether it holds a candidate, before the create. */
        UNIQUE,
        CREATE, UPDATE, DISABLE, DELETE,
        /** A group's membership changes, one PATCH per batch. */
        REMOVE_MEMBERS, ADD_MEMBERS,
        /** A target without PATCH: read the resource, to PUT it back with the changes applied. */
        FETCH,
        /** scim.verify-writes: read the account back after a write, to warn about values the target dropped. */
        VERIFY,
        DONE
    }

    /** A matching attribute to try: the SCIM attribute and the value the object has for it. */
    public record MatchCandidate(String attribute, String value) {
    }

    /** The log line's reason for an object linked by a create intent's match. */
    static final String LINKED_BY_INTENT = "linked to the object an earlier create made, whose answer was never "
            + "recorded";

    private final ObjectProvisioner<?> provisioner;
    private final CycleRun cycle;
    /** What the store holds for the object; replaced once an open create intent is resolved. */
    private Link link;
    /**
     * The create intent the object's row must keep if this plan fails: the stored one until it is resolved, or the
     * one this plan wrote before its POST until the POST's fate is known. Null: none.
     */
    private CreateIntent intent;
    /** The plan's first request matches the value of the stored create intent, before anything else is planned. */
    private boolean resolvingIntent;
    /**
     * The pending match reads the object a listing named ({@code GET /Users/{id}}, /Groups/{id}), not a filter
     * query.
     */
    private boolean matchById;
    /** The stored create intent's match found the object: it was linked to it. */
    private boolean linkedByIntent;
    private final String changeId = UUID.randomUUID().toString();
    private final long startNanos = System.nanoTime();
    /** Attempts of the current request so far. */
    private int attempt;
    /** How long to wait before sending the pending request (a retry). */
    private long delayMillis;
    private final List<LogEntry.Retry> retries = new ArrayList<>();
    private ScimRequest request;
    private int requests;
    private Step step = Step.DONE;
    private String action = "other";
    /** The HTTP status of the last SCIM answer (0: no answer), or -1 before any request. */
    private int lastScimStatus = -1;
    private String status;
    private String reason;
    private String targetId;
    private LogEntry.Error error;
    private final List<LogEntry.ModifiedProperty> modified = new ArrayList<>();
    private Map<String, JsonNode> createValues = Map.of();
    private Map<String, JsonNode> updateValues = Map.of();
    /** The matching values still to query, in rule order. */
    private final Deque<MatchCandidate> candidates = new ArrayDeque<>();
    private MatchCandidate matchedOn;
    /** The matching value the object was matched (or created) with. */
    private String matchValue;
    /** True when the object was linked to one that already existed in the target. */
    private boolean linkedExisting;
    /** This plan's POST made the object (its answer came, or a match found it after the answer was lost). */
    private boolean created;
    /** A write found the linked object gone (404), and the object was matched again. */
    private boolean rematched;
    /** The POST's reply was lost: the object may exist, so the next match decides, never a blind second POST. */
    private boolean createReplyLost;
    /** The POST answered 409: the next match must find the object; a second POST is never sent. */
    private boolean createConflicted;
    /** The target declared the failure permanent: the same data would fail the same way. */
    private boolean permanentFailure;
    /** For a PUT target: the operations to apply to the fetched resource, and the step the PUT stands for. */
    private List<PatchOperation> pendingOperations = List.of();
    private Step putStep;
    /** After a failure: the attempts so far and when the object is retried. */
    private Escrow escrow;
    /** The staged deletion this plan releases: planned as stored, never staged again. Null in a plain plan. */
    private StagedDeletion releasing;
    /** The deletion guard kept this disable or delete from the target: staged, not sent, not logged. */
    private boolean staged;
    /** The released deletion's object was handled again after it was staged: dropped unsent, not logged. */
    private boolean superseded;

    ObjectPlan(ObjectProvisioner<?> provisioner, CycleRun cycle, Link link) {
        this.provisioner = provisioner;
        this.cycle = cycle;
        this.link = link;
        this.targetId = link == null ? null : link.targetId();
        this.intent = link == null ? null : link.intent();
    }

    /** The object's id in Entra ID (a user or group id). */
    abstract String sourceId();

    /** The name the log shows for the object (userPrincipalName, displayName). */
    abstract String identity();

    /** The object type of the log line and the state store: "user" or "group". */
    abstract String objectType();

    /** The log's action for a request of this step (a failure is logged with the action it was attempting). */
    abstract String actionOf(Step step);

    /** Requests allowed for this object in one cycle. */
    abstract int maxRequests();

    // ---- the pending request, as the shared route sends it

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

    /** The answer to the pending request: the plan's provisioner reads it and plans the next step. */
    @SuppressWarnings("unchecked")
    void answer(ScimResponse response) {
        ((ObjectProvisioner<ObjectPlan>) provisioner).next(this, response);
    }

    /** A new request for {@code step}; its attempts start again. At most {@link #maxRequests()} per cycle. */
    void send(Step step, ScimRequest request) {
        attempt = 0;
        delayMillis = 0;
        if (++requests > maxRequests()) {
            throw new IllegalStateException("more than " + maxRequests() + " requests for one object in one cycle");
        }
        this.request = request;
        this.step = step;
        this.action = actionOf(step);
    }

    /** The request is kept back, not sent: nothing is pending. */
    void withhold() {
        request = null;
    }

    /** The next request waits as long as the one it replaces did (a match that looks before a second POST). */
    void waitBeforeSending(long delayMillis) {
        this.delayMillis = delayMillis;
    }

    /**
     * Counts the attempt and deals with the answers every object treats alike. Rejected credentials stop the
     * cycle (no object can succeed); a transient failure (no answer, 429, 5xx) sends the same request again
     * after a pause, or fails the object once {@code scim.max-attempts} are used up.
     *
     * @return true when the answer was transient: a retry is scheduled, or the plan failed
     */
    boolean handleTransient(ScimResponse response, RetryPolicy retryPolicy) {
        lastScimStatus = response.status();
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
        delayMillis = delay;
        retries.add(new LogEntry.Retry(request.method() + " " + request.path(), attempt, response.status(),
                response.errorReason(), delay));
        return true;
    }

    // ---- planning

    /** The values the mapping gives the object for a create and for an update. */
    void mapped(Map<String, JsonNode> createValues, Map<String, JsonNode> updateValues) {
        this.createValues = createValues;
        this.updateValues = updateValues;
    }

    /** The values to match on, in rule order, replacing any left. */
    void matchOn(Collection<MatchCandidate> values) {
        candidates.clear();
        candidates.addAll(values);
    }

    /** The next matching value to query, taken from those left, or null when none is left. */
    MatchCandidate nextCandidate() {
        return candidates.poll();
    }

    boolean hasCandidates() {
        return !candidates.isEmpty();
    }

    Collection<MatchCandidate> candidates() {
        return candidates;
    }

    /** The plan's first request matches the stored create intent's value. */
    void resolveIntentFirst() {
        resolvingIntent = true;
    }

    /** The object is matched on {@code candidate} (a query, or the cycle's listing). */
    void matching(MatchCandidate candidate) {
        matchedOn = candidate;
        matchValue = candidate.value();
        matchById = false;
    }

    /** A linked object keeps this matching value in its link (its current one), without a match being sent. */
    void keepsMatchValue(String value) {
        matchValue = value;
    }

    /** The listing named the object holding the value: it is read by its id. */
    void matchingById() {
        matchById = true;
    }

    /** The listing answered the match itself: no object holds the value. */
    void matchedInListing() {
        step = Step.MATCH;
    }

    /** A write of the object is sent as GET then PUT: these operations are applied to what the GET reads. */
    void putAfterFetch(Step putStep, List<PatchOperation> operations) {
        this.putStep = putStep;
        this.pendingOperations = operations;
    }

    /** The GET of a PUT target answered: the plan is at the write it stands for. */
    void fetched() {
        step = putStep;
    }

    void because(String reason) {
        this.reason = reason;
    }

    /** A write of this plan changes the property (logged as a modified property). */
    void changes(String property, JsonNode old, JsonNode value) {
        modified.add(new LogEntry.ModifiedProperty(property, old, value));
    }

    void changes(LogEntry.ModifiedProperty property) {
        modified.add(property);
    }

    // ---- what happened

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

    /** A match found the object, which existed before this plan: it is linked to it. */
    void linkedTo(String targetId) {
        this.targetId = targetId;
        this.linkedExisting = true;
    }

    /** The create intent written before the POST: a crash before the link is saved leaves it for the next cycle. */
    void intendToCreate(CreateIntent intent) {
        this.intent = intent;
    }

    /** The POST's answer was lost: the object may exist. */
    void createAnswerLost() {
        createReplyLost = true;
    }

    /** The POST answered 409. */
    void createConflicted() {
        createConflicted = true;
    }

    /** The target refused the POST and made no object: nothing for a later cycle to look for. */
    void createRefusedOutright() {
        intent = null;
    }

    /** The POST made the object: its id, and every value it was created with. */
    void created(String targetId) {
        this.targetId = targetId;
        this.created = true;
        this.action = "create";
        createValues.forEach((path, value) -> changes(path, null, value));
    }

    /** A write found the linked object gone from the target: what this plan knew of it goes. */
    void goneFromTarget() {
        rematched = true;
        targetId = null;
        linkedExisting = false;
        modified.clear();
    }

    /** A disable found the account gone: nothing is left to disable, and the stale link goes. */
    void goneBeforeDisable(String reason) {
        targetId = null;
        finish("disable", "success", reason);
    }

    /** A match after our create's 409 found nothing: the target contradicts itself, and nothing is posted again. */
    void failConflictWithoutMatch(String noun) {
        fail("ScimError409", "the target answered 409 to the create, but no " + noun + " matches "
                + matchedOn.attribute() + " eq \"" + matchedOn.value() + "\"");
    }

    void finish(String action, String status, String reason) {
        this.request = null;
        this.step = Step.DONE;
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
    Escrow enterEscrow(RetrySchedule schedule, Link previous) {
        escrow = schedule.afterFailure(previous == null ? 0 : previous.failedAttempts(), permanentFailure,
                Instant.now());
        if (escrow.permanent()) {
            reason = RetrySchedule.permanentReason(escrow, permanentFailure, objectType());
        }
        return escrow;
    }

    // ---- the deletion guard

    /** This plan releases a staged deletion at the end of a cycle. */
    void releases(StagedDeletion staged) {
        this.releasing = staged;
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
    boolean releaseStillDue() {
        if (link == null || !releasing.cycleId().equals(link.lastCycle())) {
            superseded = true;
            finish("other", "skipped", "superseded by a later change");
            return false;
        }
        return true;
    }

    // ---- reading the plan, for its provisioner

    CycleRun cycle() {
        return cycle;
    }

    Link link() {
        return link;
    }

    CreateIntent intent() {
        return intent;
    }

    boolean isResolvingIntent() {
        return resolvingIntent;
    }

    boolean matchesById() {
        return matchById;
    }

    Step step() {
        return step;
    }

    Step putStep() {
        return putStep;
    }

    List<PatchOperation> pendingOperations() {
        return pendingOperations;
    }

    Map<String, JsonNode> createValues() {
        return createValues;
    }

    Map<String, JsonNode> updateValues() {
        return updateValues;
    }

    boolean isCreated() {
        return created;
    }

    boolean wasRematched() {
        return rematched;
    }

    boolean createAnswerWasLost() {
        return createReplyLost;
    }

    boolean createWasConflicted() {
        return createConflicted;
    }

    StagedDeletion releasing() {
        return releasing;
    }

    boolean isStaged() {
        return staged;
    }

    boolean isSuperseded() {
        return superseded;
    }

    /** A preview sends reads only and stores nothing, not even a create intent. */
    boolean isPreview() {
        return false;
    }

    boolean failed() {
        return "failure".equals(status);
    }

    /** The matching value to store with the link: the one matched (or created) with, else the stored one. */
    String matchValue() {
        if (matchValue != null) {
            return matchValue;
        }
        return link == null ? null : link.matchValue();
    }

    /** The provisioning-log line for this operation. */
    LogEntry logEntry() {
        String logged = linkedByIntent ? join(LINKED_BY_INTENT, reason) : reason;
        return new LogEntry(Instant.now(), cycle.id(), changeId, objectType(), action, status, sourceId(), identity(),
                targetId, logged, modified, error, (System.nanoTime() - startNanos) / 1_000_000, retries, escrow,
                cycle.dryRun());
    }

    /** Two reasons of one log line, either of which may be absent (null). */
    static String join(String first, String second) {
        if (first == null) {
            return second;
        }
        return second == null ? first : first + "; " + second;
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
