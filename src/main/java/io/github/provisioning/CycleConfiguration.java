package io.github.provisioning;

import io.github.provisioning.cluster.JobLease;
import io.github.provisioning.cycle.CycleGate;
import io.github.provisioning.cycle.Cycles;
import io.github.provisioning.cycle.DeletionGuard;
import io.github.provisioning.cycle.GroupProvisioner;
import io.github.provisioning.cycle.Groups;
import io.github.provisioning.cycle.MatchIndex;
import io.github.provisioning.cycle.UniqueValueReservations;
import io.github.provisioning.cycle.PlanExpressions;
import io.github.provisioning.cycle.ProvisioningLog;
import io.github.provisioning.cycle.Quarantine;
import io.github.provisioning.cycle.RetrySchedule;
import io.github.provisioning.cycle.RunOutcome;
import io.github.provisioning.cycle.UserProvisioner;
import io.github.provisioning.graph.EntraGroup;
import io.github.provisioning.graph.EntraUser;
import io.github.provisioning.http.RetryPolicy;
import io.github.provisioning.mapping.MappingTable;
import io.github.provisioning.mapping.ObjectMapping;
import io.github.provisioning.notify.NotificationSettings;
import io.github.provisioning.scim.ScimDialect;
import io.github.provisioning.scim.TargetCapabilities;
import io.github.provisioning.state.AppRoleStore;
import io.github.provisioning.state.GroupMemberStore;
import io.github.provisioning.state.GroupStore;
import io.github.provisioning.state.JobStateStore;
import io.github.provisioning.state.LinkStore;
import io.github.provisioning.state.ScopeStore;
import io.github.provisioning.state.StagedDeletionStore;
import io.github.provisioning.state.StateDatabase;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Expression;
import org.apache.camel.Predicate;
import org.apache.camel.Processor;
import org.apache.camel.PropertyInject;

/**
 * A cycle's beans: the mapping, the cycle and group bookkeeping, the provisioners and their match indexes, the
 * escrow schedule, the deletion guard and the quarantine.
 * {@link ProvisioningConfiguration} binds these.
 */
public class CycleConfiguration {

    @BindToRegistry(value = "mappingTable", lazy = true)
    public MappingTable mappingTable(@PropertyInject("provisioning.mapping") String location) {
        return MappingTable.load(location);
    }

    @BindToRegistry(value = "cycles", lazy = true)
    public Cycles cycles(@BeanInject("mappingTable") MappingTable mapping,
                         @BeanInject("stateDatabase") StateDatabase database,
                         @BeanInject("linkStore") LinkStore links,
                         @BeanInject("scopeStore") ScopeStore scopeStore,
                         @BeanInject("appRoleStore") AppRoleStore appRoles,
                         @BeanInject("jobStateStore") JobStateStore jobState,
                         @BeanInject("runOutcome") RunOutcome outcome,
                         @PropertyInject("provisioning.work-dir") String dataDir,
                         @PropertyInject("graph.url") String graphUrl,
                         @PropertyInject(value = "graph.app-id", defaultValue = "") String appId,
                         @PropertyInject("provisioning.scope") String scope) {
        return new Cycles(database, links, scopeStore, appRoles, jobState, Path.of(dataDir), graphUrl, appId,
                "assigned".equals(scope), mapping.user().readsAppRoleAssignments(),
                EntraUser.select(mapping.user().sourceAttributes()),
                configurationFingerprint(mapping, scope), outcome, Clock.systemUTC());
    }

    /** Changes when the mapping or the scope changes: Entra then runs a full cycle, and no unfinished round goes on. */
    private static String configurationFingerprint(MappingTable mapping, String scope) {
        return mapping.fingerprint() + "|scope=" + scope;
    }

    /** Per-object work of a cycle runs on this many threads; one object is never worked on by two at once. */
    @BindToRegistry(value = "provisioningThreads", lazy = true)  // Camel's executor manager shuts it down
    public ExecutorService provisioningThreads(CamelContext context,
                                               @PropertyInject("provisioning.concurrency") int concurrency) {
        return context.getExecutorServiceManager().newFixedThreadPool(this, "provisioning", concurrency);
    }

    // The steps of direct:send-plan on the plan in the exchange property plan, once per SCIM request.
    @BindToRegistry("planPending")
    public Predicate planPending() {
        return PlanExpressions.pending();
    }

    @BindToRegistry("planDelayMillis")
    public Expression planDelayMillis() {
        return PlanExpressions.delayMillis();
    }

    @BindToRegistry("plannedRequest")
    public Expression plannedRequest() {
        return PlanExpressions.request();
    }

    @BindToRegistry("planTakesAnswer")
    public Processor planTakesAnswer() {
        return PlanExpressions.answer();
    }

    @BindToRegistry(value = "userProvisioner", lazy = true)
    public UserProvisioner userProvisioner(@BeanInject("mappingTable") MappingTable mapping,
                                           @BeanInject("linkStore") LinkStore links,
                                           @BeanInject("stagedDeletionStore") StagedDeletionStore deletions,
                                           @BeanInject("provisioningLog") ProvisioningLog log,
                                           @BeanInject("cycles") Cycles cycles,
                                           @BeanInject("retryPolicy") RetryPolicy retryPolicy,
                                           @BeanInject("targetCapabilities") TargetCapabilities target,
                                           @PropertyInject(value = "scim.verify-writes", defaultValue = "false")
                                           boolean verifyWrites,
                                           @BeanInject("retrySchedule") RetrySchedule escrow,
                                           @BeanInject("settings") Settings settings,
                                           @BeanInject("matchIndex") MatchIndex matchIndex,
                                           @BeanInject("uniqueValueReservations")
                                           UniqueValueReservations reservations) {
        return new UserProvisioner(mapping.user(), links, deletions, log, cycles::inScope, retryPolicy, target,
                verifyWrites, cycles::appRoleAssignments, escrow, settings.deletionThreshold(), matchIndex,
                reservations);
    }

    /** SelectUniqueValue's values on their way to the target, reserved against the run's other users. */
    @BindToRegistry(value = "uniqueValueReservations", lazy = true)
    public UniqueValueReservations uniqueValueReservations() {
        return new UniqueValueReservations();
    }

    /**
     * The target's matching values (and SelectUniqueValue's targets), listed at the start of an initial cycle
     * (scim.match-index), or of every cycle for a target without filters.
     */
    @BindToRegistry(value = "matchIndex", lazy = true)
    public MatchIndex matchIndex(@BeanInject("mappingTable") MappingTable mapping,
                                 @BeanInject("retryPolicy") RetryPolicy retryPolicy,
                                 @BeanInject("targetCapabilities") TargetCapabilities target,
                                 @PropertyInject(value = "scim.match-index", defaultValue = "initial") String mode,
                                 @PropertyInject(value = "scim.list-page-size", defaultValue = "500") int pageSize) {
        List<String> paths = new ArrayList<>();
        mapping.user().matchingRules().forEach(rule -> paths.add(rule.target()));
        mapping.user().uniqueValueRules().forEach(rule -> paths.add(rule.target()));
        return new MatchIndex(MatchIndex.Mode.of(mode), paths, pageSize, retryPolicy, target);
    }

    @BindToRegistry(value = "groups", lazy = true)
    public Groups groups(@BeanInject("mappingTable") MappingTable mapping,
                         @BeanInject("groupStore") GroupStore store,
                         @BeanInject("groupMemberStore") GroupMemberStore memberships,
                         @BeanInject("scopeStore") ScopeStore scopeStore,
                         @BeanInject("jobStateStore") JobStateStore jobState,
                         @BeanInject("scimDialect") ScimDialect dialect,
                         @PropertyInject("graph.url") String graphUrl,
                         @PropertyInject("provisioning.scope") String scope) {
        boolean enabled = mapping.group() != null && dialect.groups();
        return new Groups(store, memberships, scopeStore, jobState, graphUrl, enabled, "assigned".equals(scope),
                EntraGroup.select(mapping.group() == null ? Set.of() : mapping.group().sourceAttributes()),
                configurationFingerprint(mapping, scope));
    }

    @BindToRegistry(value = "groupProvisioner", lazy = true)
    public GroupProvisioner groupProvisioner(@BeanInject("mappingTable") MappingTable mapping,
                                             @BeanInject("linkStore") LinkStore links,
                                             @BeanInject("groupStore") GroupStore store,
                                             @BeanInject("groupMemberStore") GroupMemberStore memberships,
                                             @BeanInject("stagedDeletionStore") StagedDeletionStore deletions,
                                             @BeanInject("provisioningLog") ProvisioningLog log,
                                             @BeanInject("groups") Groups groups,
                                             @BeanInject("retryPolicy") RetryPolicy retryPolicy,
                                             @BeanInject("targetCapabilities") TargetCapabilities target,
                                             @PropertyInject(value = "scim.members-per-patch", defaultValue = "100")
                                             int membersPerPatch,
                                             @BeanInject("retrySchedule") RetrySchedule escrow,
                                             @BeanInject("settings") Settings settings,
                                             @BeanInject("groupMatchIndex") MatchIndex listing) {
        ObjectMapping groupMapping = mapping.group() != null ? mapping.group()
                : new ObjectMapping(List.of(), ObjectMapping.TargetActions.ALL);
        return new GroupProvisioner(groupMapping, links, store, memberships, deletions, log, groups::inScope,
                retryPolicy, target, membersPerPatch, escrow, settings.deletionThreshold(), listing);
    }

    /**
     * The target's groups, listed (displayName, or the group mapping's matching attributes) at the start of a
     * cycle's groups when the target cannot filter; never otherwise.
     */
    @BindToRegistry(value = "groupMatchIndex", lazy = true)
    public MatchIndex groupMatchIndex(@BeanInject("mappingTable") MappingTable mapping,
                                      @BeanInject("retryPolicy") RetryPolicy retryPolicy,
                                      @BeanInject("targetCapabilities") TargetCapabilities target,
                                      @PropertyInject(value = "scim.list-page-size", defaultValue = "500")
                                      int pageSize) {
        List<String> paths = mapping.group() == null ? List.of()
                : mapping.group().matchingRules().stream().map(rule -> rule.target()).toList();
        return new MatchIndex("/Groups", MatchIndex.Mode.OFF, paths, pageSize, retryPolicy, target);
    }

    @BindToRegistry(value = "retrySchedule", lazy = true)
    public RetrySchedule retrySchedule(@BeanInject("settings") Settings settings,
                                       @PropertyInject(value = "provisioning.escrow.max-attempts", defaultValue = "10")
                                       int maxAttempts) {
        return new RetrySchedule(settings.duration("provisioning.escrow.base-delay"),
                settings.duration("provisioning.escrow.max-delay"), maxAttempts);
    }

    /** The end of a cycle's accidental-deletions prevention: release the staged disables and deletes, or hold them. */
    @BindToRegistry(value = "deletionGuard", lazy = true)
    public DeletionGuard deletionGuard(@BeanInject("stagedDeletionStore") StagedDeletionStore deletions,
                                       @BeanInject("provisioningLog") ProvisioningLog log,
                                       @BeanInject("settings") Settings settings,
                                       @PropertyInject(value = NotificationSettings.MAX_FAILURES_LISTED,
                                               defaultValue = "20") int maxListed) {
        return new DeletionGuard(deletions, log, settings.deletionThreshold(), maxListed);
    }

    @BindToRegistry(value = "cycleGate", lazy = true)
    public CycleGate cycleGate(@BeanInject("jobLease") JobLease lease, @BeanInject("cycles") Cycles cycles,
                               @BeanInject("quarantine") Quarantine quarantine,
                               @BeanInject("deletionGuard") DeletionGuard deletionGuard) {
        return new CycleGate(lease, cycles, quarantine, deletionGuard);
    }

    @BindToRegistry(value = "quarantine", lazy = true)
    public Quarantine quarantine(@BeanInject("jobStateStore") JobStateStore jobState,
                                 @BeanInject("quarantinePolicy") Quarantine.Policy policy) {
        return new Quarantine(jobState, policy, Clock.systemUTC());
    }
}
