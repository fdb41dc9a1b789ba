package io.github.provisioning.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.github.provisioning.cycle.CycleRun;
import io.github.provisioning.cycle.Cycles;
import io.github.provisioning.cycle.GroupPlan;
import io.github.provisioning.cycle.ObjectPlan;
import io.github.provisioning.cycle.Groups;
import io.github.provisioning.cycle.UserPlan;
import io.github.provisioning.graph.EntraGroup;
import io.github.provisioning.graph.GraphResponses;
import io.github.provisioning.graph.PrincipalPage;
import io.github.provisioning.graph.SourceChange;
import io.github.provisioning.mapping.ObjectMapping;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;

/**
 * Entra's provision on demand for a group: the group and at most {@value #MAX_MEMBERS} of its direct user members,
 * now. Graph is read for the group and its direct members; the members chosen ({@code ?members=id,id}, or the first
 * ones Graph lists) go through the same per-user provisioning as a cycle, then the group through the same
 * per-group provisioning, which writes the memberships of the members that are in the target. Other members are
 * written by a later cycle once provisioned. Like users on demand, it never overlaps a cycle.
 */
public final class GroupOnDemand {

    /** Entra provisions a group on demand with up to 5 members. */
    public static final int MAX_MEMBERS = 5;

    private final Cycles cycles;
    private final Groups groups;
    private final ProvisionOnDemand users;
    private final ObjectMapping mapping;
    private final String graphUrl;
    private final String select;
    private final Clock clock;

    /**
     * @param mapping the group mapping, or null when the profile has none
     */
    public GroupOnDemand(Cycles cycles, Groups groups, ProvisionOnDemand users, ObjectMapping mapping,
                         String graphUrl, Clock clock) {
        this.cycles = cycles;
        this.groups = groups;
        this.users = users;
        this.mapping = mapping;
        this.graphUrl = graphUrl.replaceAll("/+$", "");
        // members is a relationship, read from /members, not a property to $select.
        this.select = Arrays.stream(EntraGroup.select(mapping == null ? List.of() : mapping.sourceAttributes())
                .split(",")).filter(p -> !EntraGroup.MEMBERS.equals(p)).reduce((a, b) -> a + "," + b).orElse("id");
        this.clock = clock;
    }

    /** One group request's progress through the route; {@code change} is the group as Graph answered. */
    public static final class Run extends OnDemandRun {
        private final List<String> requested;
        private String outOfScope;
        private boolean staged;
        private final List<GraphResponses.Principal> members = new ArrayList<>();
        private List<String> chosen = List.of();
        private final List<MemberSteps> memberAnswers = Collections.synchronizedList(new ArrayList<>());

        Run(String id, List<String> requested, CycleRun cycle, ApiReply refusal) {
            super(id, cycle, refusal);
            this.requested = requested;
        }
    }

    /**
     * Checks the id and the members asked for, and keeps cycles from starting until {@link #finish}; refuses while
     * a cycle runs, and when the profile provisions no groups.
     */
    public Run begin(@Header("id") String id, @Header("members") String members) {
        if (id == null || id.isBlank() || id.length() > 128 || !id.chars().allMatch(ProvisionOnDemand::idChar)) {
            return new Run(id, List.of(), null, ApiErrors.error(400, "The group id must be a Graph object id: "
                    + "letters, digits and . _ - only, at most 128 characters"));
        }
        List<String> requested = members == null || members.isBlank() ? List.of()
                : Arrays.stream(members.split(",")).map(String::trim).filter(m -> !m.isEmpty()).distinct().toList();
        if (requested.size() > MAX_MEMBERS) {
            return new Run(id, requested, null, ApiErrors.error(400, "At most " + MAX_MEMBERS
                    + " members can be provisioned on demand with their group, as in Entra; " + requested.size()
                    + " were named"));
        }
        if (!groups.enabled()) {
            return new Run(id, requested, null, ApiErrors.error(409, "This profile provisions no groups (no group "
                    + "mapping, or the target's compatibility profile has groups off)"));
        }
        if (!cycles.pauseCycles()) {
            return new Run(id, requested, null, JobControl.cycleRunning("provision on demand"));
        }
        return new Run(id, requested, new CycleRun(UUID.randomUUID().toString(), CycleRun.Type.ON_DEMAND,
                clock.instant()), null);
    }

    /** The group's Graph URL, with the properties the group mapping reads. */
    public String groupUrl(@ExchangeProperty("onDemand") Run run) {
        return graphUrl + "/groups/" + encode(run.id) + "?$select=" + encode(select);
    }

    /** Body: the group as Graph answered (or NOT_FOUND on a 404). */
    public void imported(@ExchangeProperty("onDemand") Run run, @Body SourceChange change) {
        run.change = change;
    }

    /** The first page of the group's direct members. */
    public String membersUrl(@ExchangeProperty("onDemand") Run run) {
        return graphUrl + "/groups/" + encode(run.id) + "/members?$select=id&$top=999";
    }

    /** Keeps one page of direct members; returns the next page's URL, or null after the last. */
    public String membersRead(@ExchangeProperty("onDemand") Run run, @Body PrincipalPage page) {
        run.members.addAll(page.principals());
        return page.nextLink();
    }

    /**
     * Stores the group and its members as a delta page would, decides its scope, and chooses the members to
     * provision; refuses (400) members asked for that are not direct user members, before anything is stored.
     */
    public void stage(@ExchangeProperty("onDemand") Run run) {
        List<String> userMembers = run.members.stream().filter(GraphResponses.Principal::isUser)
                .map(GraphResponses.Principal::id).toList();
        List<String> strangers = run.requested.stream().filter(m -> !userMembers.contains(m)).toList();
        if (!strangers.isEmpty()) {
            run.refusal = ApiErrors.error(400, "Not direct user members of group " + run.id + ": "
                    + String.join(", ", strangers));
            return;
        }
        groups.stageOnDemand(run.id, run.change.graph(), run.members, run.cycle.id());
        run.staged = true;
        run.outOfScope = outOfScopeReason(run);
        if (run.outOfScope == null) {
            run.chosen = run.requested.isEmpty()
                    ? userMembers.subList(0, Math.min(MAX_MEMBERS, userMembers.size())) : run.requested;
        }
    }

    /** The members to provision before the group (none when the group is out of scope). */
    public List<String> chosenMembers(@ExchangeProperty("onDemand") Run run) {
        return run.chosen;
    }

    public boolean memberFound(@Body SourceChange change) {
        return change.kind() == SourceChange.Kind.PRESENT;
    }

    /**
     * The aggregation of the members' split: each member's steps, in the users' format, whatever happened to it (a
     * failure fails that member only, as in a cycle).
     */
    public Exchange memberDone(Exchange previous, Exchange member) {
        Run run = member.getProperty("onDemand", Run.class);
        String id = member.getProperty("sourceId", String.class);
        SourceChange change = member.getProperty("memberChange", SourceChange.class);
        UserPlan plan = member.getProperty("plan", UserPlan.class);
        Exception e = member.getException() != null ? member.getException()
                : member.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        member.setException(null);
        String failure = e == null ? null : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        List<OnDemandStep> steps;
        if (change == null) {
            steps = List.of(OnDemandStep.failed("Import", failure));
        } else if (change.kind() != SourceChange.Kind.PRESENT) {
            steps = List.of(OnDemandStep.failed("Import", "Graph answered 404: no such user"));
        } else {
            steps = users.userSteps(change, plan, failure);
        }
        run.memberAnswers.add(new MemberSteps(id, steps));
        return previous != null ? previous : member;
    }

    /** An exception on the way: Graph unreachable, or the target rejected the credentials. */
    public void failed(@ExchangeProperty("onDemand") Run run, @ExchangeProperty("CamelExceptionCaught") Exception e) {
        run.failed(e);
    }

    /** Lets cycles start again and answers the steps: the group's, and its members' under "members". */
    public ApiReply finish(@ExchangeProperty("onDemand") Run run, @ExchangeProperty("plan") ObjectPlan sent) {
        // The plan property holds the group's plan once it is planned; before, it may hold a member's.
        GroupPlan plan = sent instanceof GroupPlan group ? group : null;
        if (run.cycle != null) {
            cycles.resumeCycles();
        }
        if (!run.isProceed()) {
            return run.refusal;
        }
        if (run.change == null || run.isFound() && !run.staged) {
            // Graph failed before the group and its members were read.
            return OnDemandStep.couldNotRun(502, "Provisioning on demand could not run: " + run.failure,
                    OnDemandStep.failed("Import", run.failure));
        }
        if (!run.isFound()) {
            return OnDemandStep.couldNotRun(404, "Microsoft Graph has no group with id " + run.id,
                    OnDemandStep.failed("Import", "Graph answered 404: no such group"));
        }
        long userMembers = run.members.stream().filter(GraphResponses.Principal::isUser).count();
        List<OnDemandStep> steps = new ArrayList<>();
        steps.add(new OnDemandStep.GroupImportStep("Import", "success",
                run.change.graph().path("displayName").asText(null), run.change.graph(), userMembers,
                run.members.size() - userMembers));
        steps.add(OnDemandStep.scope(run.outOfScope));
        if (plan == null) {
            steps.add(OnDemandStep.failed("Action", run.failure));
        } else {
            steps.add(OnDemandStep.match("Match", plan, "group"));
            steps.add(OnDemandStep.action(plan));
        }
        return new ApiReply(200, new GroupProvisioned(run.id, run.cycle.id(), steps, List.copyOf(run.memberAnswers),
                run.outOfScope == null ? userMembers - run.chosen.size() : userMembers,
                plan != null ? run.failure : null));
    }

    /** One member's steps, in the users' format. */
    public record MemberSteps(String id, List<OnDemandStep> steps) {
    }

    /**
     * Group provision on demand's answer: the group's steps, its members', how many user members were left to a
     * later cycle, and the failure on the way (only when the group had a plan).
     */
    public record GroupProvisioned(String id, String cycleId, List<OnDemandStep> steps, List<MemberSteps> members,
                                   long membersNotProvisioned,
                                   @JsonInclude(JsonInclude.Include.NON_NULL) String error) {
    }

    private String outOfScopeReason(Run run) {
        if (!groups.inScope(run.id)) {
            return "not assigned to the application";
        }
        var scoping = mapping.scoping().evaluate(new EntraGroup(run.change.graph()));
        return scoping.inScope() ? null : "outside the scoping filter: " + scoping.reason();
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
