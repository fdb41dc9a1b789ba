package io.github.provisioning.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.provisioning.cycle.CycleRun;
import io.github.provisioning.cycle.Cycles;
import io.github.provisioning.cycle.LogEntry;
import io.github.provisioning.cycle.UserPlan;
import io.github.provisioning.cycle.UserScope;
import io.github.provisioning.graph.SourceChange;
import io.github.provisioning.mapping.ObjectMapping;
import io.github.provisioning.scim.ScimRequest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
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
        ApiReply unread = end(run, "Provisioning on demand");
        if (unread != null) {
            return unread;
        }
        return new ApiReply(200, new UserProvisioned(run.id, run.cycle.id(), userSteps(run.change, plan, run.failure),
                plan != null ? run.failure : null));
    }

    /**
     * Provision on demand's answer: the steps, and the failure on the way (only when the user had a plan; without
     * one, the Action step says it).
     */
    public record UserProvisioned(String id, String cycleId, List<OnDemandStep> steps,
                                  @JsonInclude(JsonInclude.Include.NON_NULL) String error) {
    }

    /**
     * Preview by id: what provisioning the user now would do, planned and matched like {@link #finish} but with
     * no write sent or stored. Answers the action (create, update, disable, delete, none or failure), its reason, the
     * scope and match, and the SCIM resource a create would post or each attribute's old and new value.
     */
    public ApiReply previewed(@ExchangeProperty("onDemand") Run run, @ExchangeProperty("plan") UserPlan plan) {
        ApiReply unread = end(run, "The preview");
        if (unread != null) {
            return unread;
        }
        if (plan == null || run.failure != null) {
            return ApiErrors.error(502, "The preview could not run: " + run.failure);
        }
        String outOfScope = UserScope.outOfScopeReason(run.change.graph(), cycles.inScope(run.change.id()), users);
        ScimRequest write = plan.withheldWrite();
        String action;
        String reason;
        if (plan.error() != null) {
            action = "failure";
            reason = plan.error().code() + ": " + plan.error().reason();
        } else if (write == null) {
            action = "none";
            reason = plan.reason();
        } else {
            action = plan.action();
            reason = plan.reason() != null ? plan.reason()
                    : "create".equals(plan.action()) ? "no matching account in the target" : null;
        }
        boolean posts = write != null && "POST".equals(write.method());
        boolean changes = write != null && !posts && !"DELETE".equals(write.method());
        return new ApiReply(200, new UserPreview(run.id, run.change.userPrincipalName(), outOfScope == null,
                outOfScope == null ? "in scope" : outOfScope, OnDemandStep.match(null, plan, "user"), action, reason,
                plan.targetId(), posts ? readJson(write.body()) : null, changes ? plan.modified() : null));
    }

    /**
     * The preview by id's answer.
     *
     * @param resource           the SCIM resource a create would post; absent otherwise
     * @param modifiedProperties each attribute's old and new value, when an update or a disable would be sent
     */
    public record UserPreview(String id, String userPrincipalName, boolean inScope, String scopeReason,
                              OnDemandStep.MatchStep match, String action, String reason, String targetId,
                              @JsonInclude(JsonInclude.Include.NON_NULL) JsonNode resource,
                              @JsonInclude(JsonInclude.Include.NON_NULL)
                              List<LogEntry.ModifiedProperty> modifiedProperties) {
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
    private ApiReply end(Run run, String what) {
        if (!run.isProceed()) {
            return run.refusal;
        }
        cycles.resumeCycles();
        if (run.change == null) {
            return OnDemandStep.couldNotRun(502, what + " could not run: " + run.failure,
                    OnDemandStep.failed("Import", run.failure));
        }
        if (!run.isFound()) {
            return OnDemandStep.couldNotRun(404, "Microsoft Graph has no user with id " + run.id,
                    OnDemandStep.failed("Import", "Graph answered 404: no such user"));
        }
        return null;
    }

    /**
     * The steps of one user Graph knows: Import, Scope, then Match and Action from its plan (only a failed Action
     * when it has none).
     */
    List<OnDemandStep> userSteps(SourceChange change, UserPlan plan, String failure) {
        List<OnDemandStep> steps = new ArrayList<>();
        steps.add(new OnDemandStep.UserImportStep("Import", "success", change.userPrincipalName(), change.graph()));
        steps.add(OnDemandStep.scope(UserScope.outOfScopeReason(change.graph(), cycles.inScope(change.id()), users)));
        if (plan == null) {
            steps.add(OnDemandStep.failed("Action", failure));
        } else {
            steps.add(OnDemandStep.match("Match", plan, "user"));
            steps.add(OnDemandStep.action(plan));
        }
        return steps;
    }

    static boolean idChar(int c) {
        return Character.isLetterOrDigit(c) || c == '.' || c == '_' || c == '@' || c == '-';
    }
}
