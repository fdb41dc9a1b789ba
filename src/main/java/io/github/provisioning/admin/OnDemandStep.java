package io.github.provisioning.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.unboundid.scim2.common.exceptions.BadRequestException;
import com.unboundid.scim2.common.filters.Filter;
import io.github.provisioning.cycle.LogEntry;
import io.github.provisioning.cycle.ObjectPlan;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/**
 * One step of a provision-on-demand answer, as Entra shows them: {@code step} (Import, Scope, Match or Action) and
 * its {@code status}, then what the step found. What Graph answered for the object is kept as Graph wrote it.
 */
// The OpenAPI document lists the kinds of step (the answers do not name their record).
@Schema(oneOf = {OnDemandStep.FailedStep.class, OnDemandStep.UserImportStep.class,
    OnDemandStep.GroupImportStep.class, OnDemandStep.ScopeStep.class, OnDemandStep.MatchStep.class,
    OnDemandStep.ActionStep.class})
public sealed interface OnDemandStep {

    /** A step that failed before it had anything else to say: Import, or an Action without a plan. */
    record FailedStep(String step, String status, String reason) implements OnDemandStep {
    }

    record UserImportStep(String step, String status, String userPrincipalName, JsonNode user)
            implements OnDemandStep {
    }

    record GroupImportStep(String step, String status, String displayName, JsonNode group, long userMembers,
                           long otherMembers) implements OnDemandStep {
    }

    record ScopeStep(String step, String status, boolean inScope, String reason) implements OnDemandStep {
    }

    /**
     * How the object was matched: already linked (with the target id and the reason), by a query (its filter, and
     * the target id when one was found), or not at all (the reason). The preview by id shows it without
     * {@code step}.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record MatchStep(String step, String status, String filter, boolean found, String targetId, String reason)
            implements OnDemandStep {
    }

    /** @param scimStatus the HTTP status of the last SCIM write, or null when none was sent */
    record ActionStep(String step, String status, String action, String outcome, Integer scimStatus,
                      String targetId, String reason, List<LogEntry.ModifiedProperty> modifiedProperties)
            implements OnDemandStep {
    }

    static FailedStep failed(String step, String reason) {
        return new FailedStep(step, "failure", reason);
    }

    static ScopeStep scope(String outOfScope) {
        return new ScopeStep("Scope", outOfScope == null ? "success" : "skipped", outOfScope == null,
                outOfScope == null ? "in scope" : outOfScope);
    }

    /** The Match step of a user's or a group's plan; {@code step} null leaves the name out. */
    static MatchStep match(String step, ObjectPlan plan, String objectType) {
        if (plan.wasLinked()) {
            return new MatchStep(step, "success", null, true, plan.targetId(),
                    "already linked to a target account; no query needed");
        }
        if (plan.matchedOn() != null) {
            // A failed create still matched (nothing was found); a failed query or an ambiguous match did not.
            boolean matchFailed = "failure".equals(plan.status()) && !plan.matchedExisting()
                    && !"create".equals(plan.action());
            return new MatchStep(step, matchFailed ? "failure" : "success", filter(plan.matchedOn()),
                    plan.matchedExisting(), plan.matchedExisting() ? plan.targetId() : null, null);
        }
        return new MatchStep(step, "skipped", null, false, null,
                "no match query: the " + objectType + " is not provisioned and is not to be created");
    }

    private static String filter(ObjectPlan.MatchCandidate candidate) {
        try {
            return Filter.eq(candidate.attribute(), candidate.value()).toString();
        } catch (BadRequestException e) {
            // The query was sent; only the SDK cannot parse the attribute path back.
            return candidate.attribute() + " eq \"" + candidate.value() + "\"";
        }
    }

    /** The Action step of a user's or a group's plan. */
    static ActionStep action(ObjectPlan plan) {
        String outcome = "failure".equals(plan.status()) ? "failed" : switch (plan.action()) {
            case "create" -> "created";
            case "update" -> "updated";
            case "disable" -> "disabled";
            case "delete" -> "deleted";
            default -> "skipped";
        };
        LogEntry.Error error = plan.error();
        return new ActionStep("Action", plan.status(), plan.action(), outcome,
                plan.lastScimStatus() >= 0 ? plan.lastScimStatus() : null, plan.targetId(),
                error != null ? error.code() + ": " + error.reason() : plan.reason(), plan.modified());
    }

    /** An on-demand answer that could not run: the error, and the steps so far. */
    record Refused(ApiErrors.Message error, List<OnDemandStep> steps) {
    }

    static ApiReply couldNotRun(int status, String message, FailedStep importStep) {
        return new ApiReply(status, new Refused(new ApiErrors.Message(message), List.of(importStep)));
    }
}
