package io.github.provisioning.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.unboundid.scim2.common.exceptions.BadRequestException;
import com.unboundid.scim2.common.filters.Filter;
import io.github.provisioning.cycle.CycleRun;
import io.github.provisioning.cycle.Cycles;
import io.github.provisioning.cycle.LogEntry;
import io.github.provisioning.cycle.ObjectPlan;
import io.github.provisioning.cycle.ProvisioningLog;
import io.github.provisioning.cycle.UserPlan;
import io.github.provisioning.cycle.UserScope;
import io.github.provisioning.graph.SourceChange;
import io.github.provisioning.mapping.ObjectMapping;
import io.github.provisioning.scim.ScimRequest;
import java.time.Clock;
import java.util.UUID;
import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;

/**
 * Entra's provision on demand: one user, now, through the same per-user provisioning as a cycle, answered with
 * the steps Import, Scope, Match and Action. It never overlaps a cycle, so one user is never worked on twice at
 * once: it is refused (409) while a cycle runs, and a cycle due meanwhile waits for it to end (it holds
 * {@link Cycles#pauseCycles()}). Its log line carries an id of its own in {@code cycleId}. Preview by id
 * ({@link #previewed}) runs the same way but sends only reads and stores nothing.
 */
public final class ProvisionOnDemand {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Cycles cycles;
    private final ObjectMapping users;
    private final Clock clock;

    public ProvisionOnDemand(Cycles cycles, ObjectMapping users, Clock clock) {
        this.cycles = cycles;
        this.users = users;
        this.clock = clock;
    }

    /** One user request's progress through the route. */
    public static final class Run extends OnDemandRun {
        Run(String id, CycleRun cycle, ApiReply refusal) {
            super(id, cycle, refusal);
        }
    }

    /** Checks the id and keeps cycles from starting until {@link #finish}; refuses while a cycle runs. */
    public Run begin(@Header("id") String id) {
        if (id == null || id.isBlank() || id.length() > 128 || !id.chars().allMatch(ProvisionOnDemand::idChar)) {
            return new Run(id, null, ApiErrors.error(400, "The user id must be a Graph object id (or a user "
                    + "principal name): letters, digits and . _ @ - only, at most 128 characters"));
        }
        if (!cycles.pauseCycles()) {
            return new Run(id, null, JobControl.cycleRunning("provision on demand"));
        }
        return new Run(id, new CycleRun(UUID.randomUUID().toString(), CycleRun.Type.ON_DEMAND, clock.instant()), null);
    }

    /** Body: the user as Graph answered (or NOT_FOUND on a 404). */
    public SourceChange imported(@ExchangeProperty("onDemand") Run run, @Body SourceChange change) {
        run.change = change;
        return change;
    }

    /** An exception on the way: Graph unreachable, or the target rejected the credentials. */
    public void failed(@ExchangeProperty("onDemand") Run run, @ExchangeProperty("CamelExceptionCaught") Exception e) {
        run.failed(e);
    }

    /** Lets cycles start again and answers the steps. */
    public ApiReply finish(@ExchangeProperty("onDemand") Run run, @ExchangeProperty("plan") UserPlan plan) {
        ArrayNode steps = JSON.createArrayNode();
        ApiReply unread = end(run, "Provisioning on demand", steps);
        if (unread != null) {
            return unread;
        }
        ObjectNode reply = JSON.createObjectNode();
        reply.put("id", run.id);
        reply.put("cycleId", run.cycle.id());
        reply.set("steps", steps);
        userSteps(steps, run.change, plan, run.failure);
        if (plan != null && run.failure != null) {
            reply.put("error", run.failure);
        }
        return new ApiReply(200, reply);
    }

    /**
     * Preview by id: what provisioning the user now would do, planned and matched like {@link #finish} but with
     * no write sent or stored. Answers the action (create, update, disable, delete, none or failure), its reason, the
     * scope and match, and the SCIM resource a create would post or each attribute's old and new value.
     */
    public ApiReply previewed(@ExchangeProperty("onDemand") Run run, @ExchangeProperty("plan") UserPlan plan) {
        ApiReply unread = end(run, "The preview", JSON.createArrayNode());
        if (unread != null) {
            return unread;
        }
        if (plan == null || run.failure != null) {
            return new ApiReply(502, ApiErrors.body("The preview could not run: " + run.failure));
        }
        ObjectNode reply = JSON.createObjectNode();
        reply.put("id", run.id);
        reply.put("userPrincipalName", run.change.userPrincipalName());
        String outOfScope = UserScope.outOfScopeReason(run.change.graph(), cycles.inScope(run.change.id()), users);
        reply.put("inScope", outOfScope == null);
        reply.put("scopeReason", outOfScope == null ? "in scope" : outOfScope);
        match(reply.putObject("match"), plan, "user");
        ScimRequest write = plan.withheldWrite();
        if (plan.error() != null) {
            reply.put("action", "failure");
            reply.put("reason", plan.error().code() + ": " + plan.error().reason());
        } else if (write == null) {
            reply.put("action", "none");
            reply.put("reason", plan.reason());
        } else {
            reply.put("action", plan.action());
            reply.put("reason", plan.reason() != null ? plan.reason()
                    : "create".equals(plan.action()) ? "no matching account in the target" : null);
        }
        reply.put("targetId", plan.targetId());
        if (write != null && "POST".equals(write.method())) {
            reply.set("resource", readJson(write.body()));
        } else if (write != null && !"DELETE".equals(write.method())) {
            ProvisioningLog.putModifiedProperties(reply, plan.modified());
        }
        return new ApiReply(200, reply);
    }

    private static JsonNode readJson(String body) {
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            // The planner wrote this body itself; it is JSON.
            throw new IllegalStateException(e);
        }
    }

    /**
     * Lets cycles start again; answers the refusal, or the failure to read the user from Graph (502, 404), or null
     * when the user was read.
     */
    private ApiReply end(Run run, String what, ArrayNode steps) {
        if (!run.isProceed()) {
            return run.refusal;
        }
        cycles.resumeCycles();
        if (run.change == null) {
            ObjectNode body = ApiErrors.body(what + " could not run: " + run.failure);
            body.set("steps", steps);
            step(steps, "Import", "failure").put("reason", run.failure);
            return new ApiReply(502, body);
        }
        if (!run.isFound()) {
            ObjectNode body = ApiErrors.body("Microsoft Graph has no user with id " + run.id);
            body.set("steps", steps);
            step(steps, "Import", "failure").put("reason", "Graph answered 404: no such user");
            return new ApiReply(404, body);
        }
        return null;
    }

    /**
     * The steps of one user Graph knows: Import, Scope, then Match and Action from its plan (only a failed Action
     * when it has none).
     */
    void userSteps(ArrayNode steps, SourceChange change, UserPlan plan, String failure) {
        ObjectNode imported = step(steps, "Import", "success");
        imported.put("userPrincipalName", change.userPrincipalName());
        imported.set("user", change.graph());
        String outOfScope = UserScope.outOfScopeReason(change.graph(), cycles.inScope(change.id()), users);
        scope(steps, outOfScope);
        if (plan == null) {
            step(steps, "Action", "failure").put("reason", failure);
            return;
        }
        match(step(steps, "Match", null), plan, "user");
        action(step(steps, "Action", plan.status()), plan);
    }

    /** The Scope step: in scope, or why not. */
    static void scope(ArrayNode steps, String outOfScope) {
        ObjectNode scope = step(steps, "Scope", outOfScope == null ? "success" : "skipped");
        scope.put("inScope", outOfScope == null);
        scope.put("reason", outOfScope == null ? "in scope" : outOfScope);
    }

    /** The Match step of a user's or a group's plan. */
    static void match(ObjectNode step, ObjectPlan plan, String objectType) {
        if (plan.wasLinked()) {
            step.put("status", "success");
            step.put("found", true);
            step.put("targetId", plan.targetId());
            step.put("reason", "already linked to a target account; no query needed");
        } else if (plan.matchedOn() != null) {
            // A failed create still matched (nothing was found); a failed query or an ambiguous match did not.
            boolean matchFailed = "failure".equals(plan.status()) && !plan.matchedExisting()
                    && !"create".equals(plan.action());
            step.put("status", matchFailed ? "failure" : "success");
            step.put("filter", filter(plan.matchedOn()));
            step.put("found", plan.matchedExisting());
            if (plan.matchedExisting()) {
                step.put("targetId", plan.targetId());
            }
        } else {
            step.put("status", "skipped");
            step.put("found", false);
            step.put("reason", "no match query: the " + objectType + " is not provisioned and is not to be created");
        }
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
    static void action(ObjectNode step, ObjectPlan plan) {
        step.put("action", plan.action());
        step.put("outcome", "failure".equals(plan.status()) ? "failed" : switch (plan.action()) {
            case "create" -> "created";
            case "update" -> "updated";
            case "disable" -> "disabled";
            case "delete" -> "deleted";
            default -> "skipped";
        });
        if (plan.lastScimStatus() >= 0) {
            step.put("scimStatus", plan.lastScimStatus());
        } else {
            step.putNull("scimStatus");
        }
        step.put("targetId", plan.targetId());
        LogEntry.Error error = plan.error();
        step.put("reason", error != null ? error.code() + ": " + error.reason() : plan.reason());
        ProvisioningLog.putModifiedProperties(step, plan.modified());
    }

    static ObjectNode step(ArrayNode steps, String name, String status) {
        ObjectNode step = steps.addObject();
        step.put("step", name);
        if (status != null) {
            step.put("status", status);
        }
        return step;
    }

    static boolean idChar(int c) {
        return Character.isLetterOrDigit(c) || c == '.' || c == '_' || c == '@' || c == '-';
    }
}
