package io.github.provisioning;

import static io.github.provisioning.ProvisioningConfiguration.closedOnStop;

import io.github.provisioning.cluster.ClusterNode;
import io.github.provisioning.cluster.JobLease;
import io.github.provisioning.cluster.PostgresLease;
import io.github.provisioning.cycle.Cycles;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether this engine runs its job: always when it runs alone, only while it holds the job's lease in a cluster of
 * engines on one PostgreSQL (provisioning.cluster.enabled). {@link ProvisioningConfiguration} binds it, and the
 * engine's {@link ClusterNode} that the leases of its jobs share.
 */
public class ClusterConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterConfiguration.class);

    /**
     * Closed on stop after everything that writes for the job (the state database takes it first), so that a node
     * that stops gives the job up at once.
     */
    @BindToRegistry(value = "jobLease", lazy = true)
    public JobLease jobLease(CamelContext context, JobBeans job, @BeanInject("settings") Settings settings,
                             @BeanInject("clusterNode") ClusterNode node,
                             @PropertyInject("provisioning.state.jdbc-url") String jdbcUrl,
                             @PropertyInject("provisioning.state.username") String username,
                             @PropertyInject("provisioning.state.password") String password) {
        String nodeId = node.id();
        if (!settings.cluster()) {
            return JobLease.solo(nodeId);
        }
        // The job's cycles are looked up when the lease gives the job up: they are built after its lease.
        PostgresLease lease = new PostgresLease(jdbcUrl, username, password, node, job.job(),
                settings.duration(Settings.CLUSTER_FAILOVER_TIMEOUT),
                work -> job.bean("cycles", Cycles.class).whileIdle(work));
        LOG.info("Cluster: node {} shares job {} with the engines on the same state; it asks for the job's lease "
                + "every {} ms", nodeId, job.job(), lease.heartbeat().toMillis());
        return closedOnStop(context, lease);
    }
}
