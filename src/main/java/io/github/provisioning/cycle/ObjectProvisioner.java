package io.github.provisioning.cycle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.unboundid.scim2.common.messages.PatchOperation;
import io.github.provisioning.cycle.ObjectPlan.MatchCandidate;
import io.github.provisioning.graph.SourceChange;
import io.github.provisioning.http.RetryPolicy;
import io.github.provisioning.mapping.MappingRule;
import io.github.provisioning.mapping.ObjectMapping;
import io.github.provisioning.scim.ScimDialect;
import io.github.provisioning.scim.ScimRequest;
import io.github.provisioning.scim.ScimResponse;
import io.github.provisioning.scim.TargetCapabilities;
import io.github.provisioning.scim.UserResources;
import io.github.provisioning.state.CreateIntent;
import io.github.provisioning.state.Escrow;
import io.github.provisioning.state.Link;
import io.github.provisioning.state.StagedDeletion;
import io.github.provisioning.state.LinkStore;
import io.github.provisioning.state.ObjectType;
import io.github.provisioning.state.StagedDeletionStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BinaryOperator;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What provisioning a user and a group share, by Entra's rules: an unlinked object is matched on its matching
 * attributes before it is created; a POST whose answer was lost or conflicted is followed by a match, never by a
 * second POST, and a create intent stored before the POST lets a later cycle find what a cut run made; a write that
 * finds the linked object gone (404) matches it again; a disable or delete is staged by the deletion guard; a failed
 * object goes to escrow and is tried again later. The user and group provisioners hold what differs.
 *
 * @param <P> the plan of one object
 */
public abstract class ObjectProvisioner<P extends ObjectPlan> {

    /**
     * The SCIM resource type a provisioner writes, and what tells it apart in the store and the log's words.
     *
     * @param table      the state store's object type ({@link ObjectType#USER}, {@link ObjectType#GROUP})
     * @param endpoint   the target's resource endpoint, e.g. {@code /Users}
     * @param noun       the target object, in messages: "account", "group"
     * @param listed     what the target's listing holds, in messages: "users", "groups"
     * @param readQuery  the query of a read by id (a match through the listing), or null
     * @param resource   the resource a POST creates, from the mapped values
     * @param matchQuery the query of a match: attribute, value → query
     */
    record ResourceType(String table, String endpoint, String noun, String listed, String readQuery,
                        Function<Map<String, JsonNode>, ObjectNode> resource, BinaryOperator<String> matchQuery) {
    }

    final ResourceType type;
    final ObjectMapping mapping;
    final LinkStore links;
    final StagedDeletionStore deletions;
    private final ProvisioningLog log;
    private final RetryPolicy retryPolicy;
    final TargetCapabilities target;
    final ScimDialect dialect;
    private final RetrySchedule escrow;
    private final int deletionThreshold;
    /** The cycle's listing of the target, which a target without filters is matched through. */
    final MatchIndex listing;

    ObjectProvisioner(ResourceType type, ObjectMapping mapping, LinkStore links, StagedDeletionStore deletions,
                      ProvisioningLog log,
                      RetryPolicy retryPolicy, TargetCapabilities target, RetrySchedule escrow, int deletionThreshold,
                      MatchIndex listing) {
        this.type = type;
        this.mapping = mapping;
        this.links = links;
        this.deletions = deletions;
        this.log = log;
        this.retryPolicy = retryPolicy;
        this.target = target;
        this.dialect = target.dialect();
        this.escrow = escrow;
        this.deletionThreshold = deletionThreshold;
        this.listing = listing;
    }

    // ---- what differs

    /** What the object needs by Entra's rules, from its source and what the store holds for it. */
    abstract void planChange(P plan);

    /** A staged deletion released at the end of a cycle, still due: its stored action. */
    abstract void planRelease(P plan, StagedDeletion staged);

    /** Reads the answer to a step only this object type takes. */
    abstract void answered(P plan, ScimResponse response);

    /** A match found an object that existed before this plan, and the plan is linked to it. */
    abstract void linked(P plan, JsonNode existing);

    /**
     * The POST made the object.
     *
     * @param answerLost its answer was lost, and a match found the object
     */
    abstract void created(P plan, boolean answerLost);

    /** A write (update, disable, membership batch) succeeded. */
    abstract void written(P plan);

    /** The paths of the target object a link keeps, read when a create intent's match finds it. */
    abstract List<String> intentPaths();

    /** The link a failure stores, before its cycle, retry and escrow are set. */
    abstract Link beforeFailure(P plan);

    /** Saves the outcome of a plan that did not fail, and counts it. */
    abstract void recordOutcome(P plan);

    /** Counts a failure in the running cycle. */
    abstract void countFailure(P plan, Escrow escrowed);

    /** Everything is stored for the object: the cycle may count it as processed. */
    abstract void processed(P plan);

    /** What a failed object does in a later cycle: {@link Link#RETRY_REFRESH} or {@link Link#RETRY_DELETE}. */
    String retryAction(P plan) {
        return Link.RETRY_REFRESH;
    }

    /** The matching values a match tries, in rule order. */
    List<MatchCandidate> candidates(P plan) {
        return candidates(plan.createValues());
    }

    /** The matching values among an object's create values, in rule order. */
    final List<MatchCandidate> candidates(Map<String, JsonNode> createValues) {
        List<MatchCandidate> candidates = new ArrayList<>();
        for (MappingRule rule : mapping.matchingRules()) {
            JsonNode value = createValues.get(rule.target());
            if (value != null && !value.isNull()) {
                candidates.add(new MatchCandidate(rule.target(), value.asText()));
            }
        }
        return candidates;
    }

    /** Whatever must hold before the POST is sent (SelectUniqueValue); false when a request was sent or it failed. */
    boolean readyToCreate(P plan) {
        return true;
    }

    /** The create intent was stored, before the POST. */
    void intentRecorded(P plan) {
    }

    /** A create intent already stored for the plan's create, with its match value; null when none is. */
    CreateIntent storedIntent(P plan) {
        return null;
    }

    /** A write found the linked object gone; the plan was reset, and the object is matched again. */
    void forgetTarget(P plan) {
    }

    /** A write answered 404: the linked object is gone. */
    void gone(P plan) {
        rematch(plan);
    }

    /** A target without filters and no listing: true when the plan searches the target's pages itself. */
    boolean searchesListing(P plan) {
        return false;
    }

    /** The plan's outcome is about to be recorded (or its failure). */
    void settle(P plan) {
    }

    /** A staged disable or delete is stored. */
    void stagedRecorded(P plan) {
    }

    // ---- planning

    /** Plans the object: a released deletion, the match of a stored create intent, or the change. */
    final P start(P plan) {
        try {
            if (plan.releasing() != null) {
                if (plan.releaseStillDue()) {
                    planRelease(plan, plan.releasing());
                }
            } else if (plan.link() != null && plan.link().intent() != null) {
                // A run was cut between a POST and the save of its link: the intent's value is matched first.
                CreateIntent intent = plan.link().intent();
                plan.resolveIntentFirst();
                sendMatch(plan, new MatchCandidate(intent.attribute(), intent.value()));
            } else {
                planChange(plan);
            }
        } catch (RuntimeException e) {
            unplannable(plan, e);
        }
        return plan;
    }

    /** An expression that cannot be evaluated for this object fails this object, not the cycle. */
    private static void unplannable(ObjectPlan plan, RuntimeException e) {
        plan.fail("MappingEvaluationFailed", e.getMessage());
    }

    /** An unlinked object: match it on its first matching value (or fail when it has none). */
    final void match(P plan) {
        plan.matchOn(candidates(plan));
        MatchCandidate first = plan.nextCandidate();
        if (first == null) {
            plan.fail("NoMatchingValue", "the " + plan.objectType() + " has no value for any matching attribute ("
                    + mapping.matchingRules().stream().map(MappingRule::target).toList() + ")");
            return;
        }
        sendMatch(plan, first);
    }

    final void sendMatch(P plan, MatchCandidate candidate) {
        plan.matching(candidate);
        if (!target.filter()) {
            matchInListing(plan, candidate);
            return;
        }
        plan.send(ObjectPlan.Step.MATCH, ScimRequest.get(type.endpoint(),
                type.matchQuery().apply(candidate.attribute(), candidate.value())));
    }

    /**
     * A target without filters: the cycle's listing names the object that holds the value, which is read by its id;
     * a value the listing lacks matches nothing. The listing predates this cycle's own creates, so after a POST whose
     * fate is unknown (no answer, 409) it cannot tell; the object fails, keeping its create intent for the next
     * cycle's listing to resolve, and nothing is posted twice.
     */
    private void matchInListing(P plan, MatchCandidate candidate) {
        if (!listing.lists(plan.cycle())) {
            if (!searchesListing(plan)) {
                plan.fail("TargetListingUnavailable", "the SCIM target supports no filter, and this run has no "
                        + "listing of its " + type.listed() + " to match " + candidate.attribute()
                        + " against (see the engine log)");
            }
            return;
        }
        listed(plan, listing.accountWith(plan.cycle(), candidate), false);
    }

    /**
     * The listing named the object holding the match value (read by its id), or none holds it.
     *
     * @param current whether the listing was read after this object's create (on demand), so it shows that create
     */
    final void listed(P plan, String id, boolean current) {
        if (id != null) {
            plan.matchingById();
            plan.send(ObjectPlan.Step.MATCH, ScimRequest.get(type.endpoint() + "/" + id, type.readQuery()));
        } else if (!current && (plan.createAnswerWasLost() || plan.createWasConflicted())) {
            plan.fail(plan.createWasConflicted() ? "ScimError409" : "ScimNoAnswer",
                    MatchIndex.createUnknown(plan.matchedOn()));
        } else {
            plan.matchedInListing();
            afterMatch(plan, MatchIndex.NO_MATCH);
        }
    }

    /** No object matches: create one, unless create is switched off. */
    final void createOrSkip(P plan) {
        if (!mapping.actions().create()) {
            plan.finish("other", "skipped", "no matching " + type.noun() + "; create is switched off");
            return;
        }
        if (!readyToCreate(plan)) {
            return;
        }
        if (plan.intent() == null && !plan.isPreview()) {
            CreateIntent stored = storedIntent(plan);
            if (stored == null) {
                recordIntent(plan);
            } else {
                plan.intendToCreate(stored);
                intentRecorded(plan);
            }
        }
        plan.send(ObjectPlan.Step.CREATE,
                ScimRequest.post(type.endpoint(), type.resource().apply(plan.createValues()).toString()));
    }

    /**
     * Writes the create intent to the object's row before the POST (one save, committed with the concurrent ones):
     * a crash between the POST and the save of the link leaves it, and the next cycle matches its value.
     */
    private void recordIntent(P plan) {
        CreateIntent intent = new CreateIntent(plan.matchedOn().attribute(), plan.matchedOn().value(),
                plan.cycle().id(), Instant.now());
        plan.intendToCreate(intent);
        Link l = plan.link() != null ? plan.link()
                : new Link(plan.sourceId(), null, null, false, Map.of(), null, null, null);
        links.save(type.table(), l.withIntent(intent));
        intentRecorded(plan);
    }

    /**
     * The deletion guard and the delete switch, for a disable or a delete of a linked object.
     *
     * @param action {@link StagedDeletion#DISABLE} or {@link StagedDeletion#DELETE}
     * @param change the change that led to it, as a staged row records it
     * @return true when it is to be sent now; else the plan is done (skipped or staged)
     */
    final boolean removalDue(P plan, String action, SourceChange.Kind change, String reason) {
        if (!mapping.actions().delete()) {
            // Entra: with Delete switched off, objects are neither disabled nor deleted.
            plan.finish("other", "skipped", reason + "; delete is switched off");
            return false;
        }
        if (plan.guarded(deletionThreshold)) {
            plan.stage(deletions, StagedDeletion.staged(type.table(), plan.sourceId(), action, change.name(), reason,
                    plan.identity(), plan.targetId(), plan.cycle().id(), Instant.now()));
            return false;
        }
        return true;
    }

    final void sendDelete(P plan) {
        plan.send(ObjectPlan.Step.DELETE, ScimRequest.delete(type.endpoint() + "/" + plan.targetId()));
    }

    /** PATCH in the target's dialect, or for a target without PATCH: GET the object, apply here, PUT it. */
    final void sendWrite(P plan, ObjectPlan.Step step, List<PatchOperation> operations, Supplier<String> patchBody) {
        String path = type.endpoint() + "/" + plan.targetId();
        if (target.updateMethod() == ScimDialect.UpdateMethod.PATCH) {
            plan.send(step, ScimRequest.patch(path, patchBody.get()));
        } else {
            plan.putAfterFetch(step, operations);
            plan.send(ObjectPlan.Step.FETCH, ScimRequest.get(path, null));
        }
    }

    // ---- answers

    /**
     * Reads the answer to the plan's request and decides the next step. Transient failures (no answer, 429, 5xx)
     * send the same request again after a pause, at most {@code scim.max-attempts} times; a POST whose reply was
     * lost is followed by a match, never by a blind second POST, so no object is created twice.
     */
    final void next(P plan, ScimResponse response) {
        if (plan.handleTransient(response, retryPolicy)) {
            if (!plan.failed() && plan.step() == ObjectPlan.Step.CREATE && response.isNoAnswer()) {
                // The POST may have been applied: look before posting again.
                long delay = plan.getDelayMillis();
                plan.createAnswerLost();
                sendMatch(plan, plan.matchedOn());
                plan.waitBeforeSending(delay);
            }
            return;
        }
        if (plan.step() == ObjectPlan.Step.MATCH && plan.matchesById()) {
            response = MatchIndex.listedAccount(plan.matchedOn(), response);
        }
        answer(plan, response);
    }

    private void answer(P plan, ScimResponse response) {
        switch (plan.step()) {
            case MATCH -> afterMatch(plan, response);
            case CREATE -> afterCreate(plan, response);
            case UPDATE, DISABLE, REMOVE_MEMBERS, ADD_MEMBERS -> afterWrite(plan, response);
            case FETCH -> afterFetch(plan, response);
            case DELETE -> {
                // Entra: deleting an object that is already gone counts as done.
                if (response.isSuccess() || response.status() == 404) {
                    plan.finish("delete", "success", ObjectPlan.join(plan.reason(),
                            response.status() == 404 ? "already gone from the target" : null));
                } else {
                    plan.failOnError(response);
                }
            }
            case DONE -> throw new IllegalStateException("no request was pending");
            default -> answered(plan, response);
        }
    }

    final void afterMatch(P plan, ScimResponse response) {
        if (plan.isResolvingIntent()) {
            // What the intent's match finds is linked; then the change is planned as usual (an object gone or out of
            // scope is disabled or deleted, so that nothing outlives its source for want of a link).
            if (plan.intentResolved(response, type.noun() + "s", intentPaths())) {
                try {
                    planChange(plan);
                } catch (RuntimeException e) {
                    unplannable(plan, e);
                }
            }
            return;
        }
        JsonNode existing = plan.matched(response, type.noun() + "s");
        if (plan.failed()) {
            return;
        }
        if (existing == null) {
            MatchCandidate next = plan.nextCandidate();
            if (next != null) {
                sendMatch(plan, next);
            } else if (plan.createWasConflicted()) {
                plan.failConflictWithoutMatch(type.noun());
            } else {
                createOrSkip(plan);
            }
            return;
        }
        String id = existing.path("id").asText(null);
        if (id == null) {
            plan.fail("UnexpectedResponse", "the matching " + type.noun() + " has no id");
        } else if (plan.createAnswerWasLost()) {
            // Our own POST was applied; its reply was lost. It is a create, not a link to someone else's object.
            plan.created(id);
            created(plan, true);
        } else {
            plan.linkedTo(id);
            linked(plan, existing);
        }
    }

    private void afterCreate(P plan, ScimResponse response) {
        String id = response.body().path("id").asText(null);
        if (response.isSuccess() && id != null) {
            plan.created(id);
            created(plan, false);
        } else if (response.status() == 409 && !plan.createWasConflicted()) {
            // The object exists after all (created meanwhile, or our match missed it): find it and link.
            plan.createConflicted();
            sendMatch(plan, plan.matchedOn());
        } else {
            if (ObjectPlan.createRefused(response.status())) {
                plan.createRefusedOutright();
            }
            plan.failOnError(response);
        }
    }

    private void afterWrite(P plan, ScimResponse response) {
        if (response.isSuccess()) {
            written(plan);
        } else if (response.status() == 404) {
            gone(plan);
        } else {
            plan.failOnError(response);
        }
    }

    /** A target without PATCH: the object was read; PUT it back with the changes applied. */
    private void afterFetch(P plan, ScimResponse response) {
        plan.fetched();
        if (response.isSuccess()) {
            String merged = UserResources.applied(response.body(), plan.pendingOperations()).toString();
            plan.send(plan.putStep(), new ScimRequest("PUT", type.endpoint() + "/" + plan.targetId(), null, merged));
        } else {
            // A 404 or an error means for the PUT what it would have meant for the PATCH.
            answer(plan, response);
        }
    }

    /** A 404 on a write: the link is stale. Match again, and create when nothing matches and create is allowed. */
    final void rematch(P plan) {
        if (plan.wasRematched()) {
            plan.fail("ScimError404", "the " + type.noun() + " is gone from the target, again");
            return;
        }
        plan.goneFromTarget();
        forgetTarget(plan);
        plan.matchOn(candidates(plan));
        MatchCandidate first = plan.nextCandidate();
        if (first == null) {
            plan.fail("NoMatchingValue", "the linked " + type.noun() + " is gone and the " + plan.objectType()
                    + " has no matching value");
            return;
        }
        sendMatch(plan, first);
    }

    // ---- recording

    /** Stores the outcome and writes the log line. */
    final void recordOutcomeOf(P plan) {
        settle(plan);
        if (plan.failed()) {
            recordFailure(plan);
            return;
        }
        if (plan.isStaged()) {
            // Nothing was sent. The link names this cycle, the cycle the staged row names, so that this cycle's later
            // passes skip the object and a later change of it supersedes the row.
            links.save(type.table(), seen(plan.link(), plan.cycle().id()));
            stagedRecorded(plan);
            return;
        }
        if (plan.isSuperseded()) {
            deletions.dropStagedDeletion(type.table(), plan.sourceId());
            return;
        }
        recordOutcome(plan);
        log.write(plan.logEntry());
        released(plan);
        processed(plan);
    }

    /** An exception on the way (connection refused, timeout, a bug): this object fails, the cycle goes on. */
    final void recordException(P plan, StagedDeletion staged, Exception e) {
        plan.releases(staged);
        plan.fail(e.getClass().getSimpleName(), e.getMessage());
        settle(plan);
        recordFailure(plan);
    }

    /**
     * The failed object goes to escrow; its row keeps its link, and its create intent while the POST's fate is
     * open.
     */
    private void recordFailure(P plan) {
        Link l = beforeFailure(plan);
        String reason = plan.error() == null ? null : plan.error().reason();
        Escrow escrowed = plan.enterEscrow(escrow, plan.link());
        links.save(type.table(), new Link(l.sourceId(), l.targetId(), l.matchValue(), l.active(), l.values(),
                plan.cycle().id(), retryAction(plan), reason, escrowed, plan.intent()));
        countFailure(plan, escrowed);
        log.write(plan.logEntry());
        released(plan);
        processed(plan);
    }

    /** A released deletion is done with once its object's outcome is stored, success or failure (escrow). */
    private void released(P plan) {
        if (plan.releasing() != null) {
            deletions.dropStagedDeletion(type.table(), plan.sourceId());
        }
    }

    /** The link as it was, seen by {@code cycleId}: no retry, no error. */
    static Link seen(Link l, String cycleId) {
        return new Link(l.sourceId(), l.targetId(), l.matchValue(), l.active(), l.values(), cycleId, null, null);
    }

    /** A deleted object's row: a tombstone, not a removal, so that this cycle's later passes see it was handled. */
    static Link tombstone(String sourceId, String cycleId) {
        return new Link(sourceId, null, null, false, Map.of(), cycleId, null, null);
    }

    /** How the cycle counts an outcome. */
    static CycleRun.Outcome outcome(String action) {
        return switch (action) {
            case "create" -> CycleRun.Outcome.CREATED;
            case "update" -> CycleRun.Outcome.UPDATED;
            case "disable" -> CycleRun.Outcome.DISABLED;
            case "delete" -> CycleRun.Outcome.DELETED;
            default -> CycleRun.Outcome.SKIPPED;
        };
    }
}
