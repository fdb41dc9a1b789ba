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

/**
 * The provisioning of one user in one cycle, as a small state machine: each step may need one SCIM request, and
 * the answer decides the next step (match, then create or update). One plan is only ever used by one thread.
 */
public final class UserPlan extends ObjectPlan {

    public enum Step {
        MATCH, CREATE, UPDATE, DISABLE, DELETE,
        /** Provision on demand against a target without filters: one page of its users, searched for the value. */
        LIST,
        /** A target without PATCH: read the resource, to PUT it back with the changes applied. */
        FETCH,
        /** scim.verify-writes: read the account back after a write, to warn about values the target dropped. */
        VERIFY,
        /** SelectUniqueValue: ask the target whether it holds a candidate, before the create. */
        UNIQUE,
        DONE
    }

    /** A matching attribute to try: the SCIM attribute and the value the user has for it. */
    public record MatchCandidate(String attribute, String value) {
    }

    /**
     * A SelectUniqueValue row to settle before the create: its target attribute and its candidates in rule order,
     * {@code next} being the one being checked.
     */
    static final class UniqueChoice {
        final String target;
        final List<String> candidates;
        int next;

        UniqueChoice(String target, List<String> candidates) {
            this.target = target;
            this.candidates = List.copyOf(candidates);
        }

        /** The candidate being checked, or null when every one is taken. */
        String current() {
            return next < candidates.size() ? candidates.get(next) : null;
        }
    }

    private static final int MAX_REQUESTS = 12;

    final SourceChange change;
    /** Targets IgnoreFlowIfNullOrEmpty keeps out of this update: neither sent nor forgotten. */
    java.util.Set<String> ignoredTargets = new java.util.LinkedHashSet<>();
    /** None rows' targets this update fills with their default: empty in the account a match found. */
    java.util.Set<String> filledTargets = new java.util.LinkedHashSet<>();
    /** A manager that is not provisioned yet: the reference is written in a later cycle. */
    boolean referencePending;
    final Deque<MatchCandidate> candidates = new ArrayDeque<>();
    /** For a PUT target: the operations to apply to the fetched resource, and the step the PUT stands for. */
    List<com.unboundid.scim2.common.messages.PatchOperation> pendingOperations = List.of();
    Step putStep;
    /** The values the last write sent (path → value), to compare with what the target kept. */
    Map<String, JsonNode> sentValues = Map.of();
    Step step = Step.DONE;
    /** The state of the user's delta page, read before the page (null outside a delta page's split). */
    PageState page;
    /** SelectUniqueValue rows not settled yet, in mapping order; null until the create is planned. */
    Deque<UniqueChoice> uniqueChoices;
    /** The values this user holds reserved against the other users of the run (attribute, value). */
    final List<MatchCandidate> reserved = new ArrayList<>();
    /** Uniqueness queries sent: each may add one request to the object's budget. */
    int uniqueChecks;
    /** The startIndex of the listing page being searched on demand ({@link Step#LIST}). */
    int listStart;
    /** Listing pages read on demand: each may add one request to the object's budget. */
    int listPages;
    /** The user is in the assignment scope (always with scope all): what an initial cycle's progress counts. */
    boolean assigned;
    /** A preview: reads are sent, the first write is withheld instead and ends the plan. */
    boolean preview;
    /** In a preview: the write the plan would send next, or null when it would send none. */
    ScimRequest withheld;

    UserPlan(CycleRun cycle, SourceChange change, Link link) {
        super(cycle, link);
        this.change = change;
    }

    void send(Step step, ScimRequest request) {
        if (step == Step.UNIQUE) {
            uniqueChecks++;
        } else if (step == Step.LIST) {
            listPages++;
        }
        sendRequest(request, MAX_REQUESTS + uniqueChecks + listPages);
        this.step = step;
        if (preview && !"GET".equals(request.method())) {
            // Nothing pending: the loop ends here, and the preview answers with the write it kept back.
            withheld = request;
            this.request = null;
        }
        // A failure is logged with the action it was attempting (Entra logs a failed Create as a Create).
        this.action = switch (step) {
            case CREATE -> "create";
            case UPDATE -> "update";
            case DISABLE -> "disable";
            case DELETE -> "delete";
            case FETCH -> putStep == Step.DISABLE ? "disable" : "update";
            case UNIQUE -> "create";
            case MATCH, LIST, VERIFY, DONE -> action;
        };
    }

    /** In a preview: the write (POST, PATCH, PUT, DELETE) the plan would send next, or null for none. */
    public ScimRequest withheldWrite() {
        return withheld;
    }

    @Override
    void finish(String action, String status, String reason) {
        this.step = Step.DONE;
        super.finish(action, status, reason);
    }
}
