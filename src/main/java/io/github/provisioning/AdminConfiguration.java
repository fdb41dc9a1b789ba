package io.github.provisioning;

import io.github.provisioning.cluster.JobLease;
import static io.github.provisioning.ProvisioningConfiguration.template;

import io.github.provisioning.admin.AdminApi;
import io.github.provisioning.admin.CycleHistory;
import io.github.provisioning.admin.DeletionApproval;
import io.github.provisioning.admin.EscrowList;
import io.github.provisioning.admin.GroupOnDemand;
import io.github.provisioning.admin.JobControl;
import io.github.provisioning.admin.ProvisionOnDemand;
import io.github.provisioning.admin.ProvisioningLogQuery;
import io.github.provisioning.admin.StatusPage;
import io.github.provisioning.admin.TargetUniquenessCheck;
import io.github.provisioning.cycle.Cycles;
import io.github.provisioning.cycle.Groups;
import io.github.provisioning.cycle.LogFiles;
import io.github.provisioning.cycle.Quarantine;
import io.github.provisioning.http.RetryPolicy;
import io.github.provisioning.mapping.MappingTable;
import io.github.provisioning.scim.ScimResponse;
import io.github.provisioning.scim.TargetCapabilities;
import io.github.provisioning.state.AppRoleStore;
import io.github.provisioning.state.EscrowStore;
import io.github.provisioning.state.JobStateStore;
import io.github.provisioning.state.ScopeStore;
import io.github.provisioning.state.StagedDeletionStore;
import java.nio.file.Path;
import java.time.Clock;
import org.apache.camel.BeanInject;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.PropertyInject;
import org.apache.camel.spi.HeaderFilterStrategy;

/**
 * The admin API's beans: the expression tester, job control, provisioning on demand, deletion approval, the
 * history, escrow and log queries, and the status page.
 * {@link ProvisioningConfiguration} binds these.
 */
public class AdminConfiguration {

    @BindToRegistry(value = "adminApi", lazy = true)
    public AdminApi adminApi(CamelContext context, JobBeans job, @BeanInject("mappingTable") MappingTable mapping,
                             @BeanInject("scopeStore") ScopeStore scopeStore,
                             @BeanInject("appRoleStore") AppRoleStore appRoles,
                             @BeanInject("retryPolicy") RetryPolicy retryPolicy,
                             @BeanInject("targetCapabilities") TargetCapabilities target,
                             @PropertyInject("provisioning.scope") String scope) {
        // A Clock bound as "testerClock" stands in for the system clock behind the tester's Now() (tests only).
        Clock clock = context.getRegistry().lookupByNameAndType("testerClock", Clock.class);
        // The tester's SelectUniqueValue queries go through the engine's SCIM route, as the cycle's do.
        ProducerTemplate template = template(context, "the expression tester's SCIM queries");
        TargetUniquenessCheck targetCheck = new TargetUniquenessCheck(request -> {
            try {
                return template.requestBody("direct:" + job.job().part("scim-exchange"), request, ScimResponse.class);
            } catch (CamelExecutionException e) {
                throw e.getCause() instanceof RuntimeException cause ? cause : e;
            }
        }, retryPolicy, target::filter);
        return AdminApi.of(mapping, "assigned".equals(scope), scopeStore, appRoles,
                clock != null ? clock : Clock.systemUTC(), targetCheck);
    }

    @BindToRegistry(value = "jobControl", lazy = true)
    public JobControl jobControl(CamelContext context, JobBeans job, @BeanInject("cycles") Cycles cycles,
                                 @BeanInject("escrowStore") EscrowStore escrows,
                                 @BeanInject("stagedDeletionStore") StagedDeletionStore deletions,
                                 @BeanInject("jobStateStore") JobStateStore jobState,
                                 @BeanInject("quarantine") Quarantine quarantine,
                                 @BeanInject("settings") Settings settings,
                                 @BeanInject("jobLease") JobLease lease) {
        return new JobControl(context, cycles, escrows, deletions, jobState, quarantine,
                settings.deletionThreshold(), lease, JobRoutes.routeId(job.job(), "cycle-schedule"));
    }

    @BindToRegistry(value = "deletionApproval", lazy = true)
    public DeletionApproval deletionApproval(@BeanInject("cycles") Cycles cycles,
                                             @BeanInject("stagedDeletionStore") StagedDeletionStore deletions,
                                             @BeanInject("jobControl") JobControl job,
                                             @BeanInject("settings") Settings settings) {
        return new DeletionApproval(cycles, deletions, job, settings.deletionThreshold());
    }

    @BindToRegistry(value = "provisionOnDemand", lazy = true)
    public ProvisionOnDemand provisionOnDemand(@BeanInject("cycles") Cycles cycles,
                                               @BeanInject("mappingTable") MappingTable mapping) {
        return new ProvisionOnDemand(cycles, mapping.user(), Clock.systemUTC());
    }

    @BindToRegistry(value = "groupOnDemand", lazy = true)
    public GroupOnDemand groupOnDemand(@BeanInject("cycles") Cycles cycles, @BeanInject("groups") Groups groups,
                                       @BeanInject("provisionOnDemand") ProvisionOnDemand users,
                                       @BeanInject("mappingTable") MappingTable mapping,
                                       @PropertyInject("graph.url") String graphUrl) {
        return new GroupOnDemand(cycles, groups, users, mapping.group(), graphUrl, Clock.systemUTC());
    }

    /** Collects each member's steps when a group is provisioned on demand. */
    @BindToRegistry(value = "groupOnDemandMembers", lazy = true)
    public AggregationStrategy groupOnDemandMembers(@BeanInject("groupOnDemand") GroupOnDemand onDemand) {
        return onDemand::memberDone;
    }

    @BindToRegistry(value = "cycleHistory", lazy = true)
    public CycleHistory cycleHistory(@PropertyInject("provisioning.work-dir") String dataDir) {
        return new CycleHistory(Path.of(dataDir).resolve("cycles"));
    }

    @BindToRegistry(value = "escrowList", lazy = true)
    public EscrowList escrowList(@BeanInject("escrowStore") EscrowStore escrows) {
        return new EscrowList(escrows);
    }

    @BindToRegistry("statusPage")
    public StatusPage statusPage() {
        return new StatusPage();
    }

    @BindToRegistry("statusPageHeaders")
    public HeaderFilterStrategy statusPageHeaders() {
        return StatusPage.responseHeaders();
    }

    @BindToRegistry(value = "provisioningLogQuery", lazy = true)
    public ProvisioningLogQuery provisioningLogQuery(@BeanInject("logFiles") LogFiles files) {
        return new ProvisioningLogQuery(files);
    }
}
