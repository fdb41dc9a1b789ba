package io.github.provisioning;

import static io.github.provisioning.ProvisioningConfiguration.closedOnStop;

import io.github.provisioning.cluster.JobLease;
import io.github.provisioning.cluster.PostgresLease;
import io.github.provisioning.cycle.LogFiles;
import io.github.provisioning.cycle.ProvisioningLog;
import io.github.provisioning.state.AppRoleStore;
import io.github.provisioning.state.EscrowStore;
import io.github.provisioning.state.GroupMemberStore;
import io.github.provisioning.state.GroupStore;
import io.github.provisioning.state.JobStateStore;
import io.github.provisioning.state.LinkStore;
import io.github.provisioning.state.ScopeStore;
import io.github.provisioning.state.StagedDeletionStore;
import io.github.provisioning.state.StateDatabase;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the engine keeps between cycles: the state database and its stores, and the provisioning log's files.
 * {@link ProvisioningConfiguration} binds these once per job ({@link JobBeans}); each store reads and writes only its
 * job's rows.
 */
public class StateConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(StateConfiguration.class);

    /**
     * The state store's database, its schema migrated: embedded H2 in the data directory, or
     * provisioning.state.jdbc-url. The stores below share it. In a cluster, only the node that holds the job's lease
     * commits to it.
     */
    @BindToRegistry(value = "stateDatabase", lazy = true)
    public StateDatabase stateDatabase(CamelContext context,
                                       @PropertyInject("provisioning.work-dir") String dataDir,
                                       @PropertyInject("provisioning.state.jdbc-url")
                                       String jdbcUrl,
                                       @PropertyInject("provisioning.state.username")
                                       String username,
                                       @PropertyInject("provisioning.state.password")
                                       String password,
                                       @PropertyInject("provisioning.concurrency") int concurrency,
                                       @BeanInject("jobLease") JobLease lease,
                                       @BeanInject("settings") Settings settings) {
        // A connection per provisioning thread and two to spare; and one more, which the link store keeps
        // for its saves from the first one on: without it, it would take one of those the others wait for. In a
        // cluster, a transaction stuck as long as a lease session may stay quiet is a frozen node's: the server ends
        // it, so that its row locks do not hold up the node that took the job over.
        Duration stuckTransaction = settings.cluster()
                ? PostgresLease.quietLimit(settings.duration(Settings.CLUSTER_FAILOVER_TIMEOUT)) : null;
        StateDatabase database = StateDatabase.open(jdbcUrl, username, password, Path.of(dataDir), concurrency + 3,
                stuckTransaction);
        LOG.info("State store: {}", database.description());
        closedOnStop(context, database);
        database.fenceWrites(lease::checkWrite);
        return database.migrate();
    }

    /**
     * Closed on stop before its database: Camel stops services in the reverse order of their adding, and the
     * database was added first (injected into this method). The store gives back the connection it keeps.
     */
    @BindToRegistry(value = "linkStore", lazy = true)
    public LinkStore linkStore(CamelContext context, JobBeans job,
                               @BeanInject("stateDatabase") StateDatabase database,
                               @BeanInject("scopeStore") ScopeStore scope) {
        return closedOnStop(context, new LinkStore(database, job.job(), scope));
    }

    @BindToRegistry(value = "escrowStore", lazy = true)
    public EscrowStore escrowStore(JobBeans job, @BeanInject("stateDatabase") StateDatabase database) {
        return new EscrowStore(database, job.job());
    }

    @BindToRegistry(value = "scopeStore", lazy = true)
    public ScopeStore scopeStore(JobBeans job, @BeanInject("stateDatabase") StateDatabase database) {
        return new ScopeStore(database, job.job());
    }

    @BindToRegistry(value = "appRoleStore", lazy = true)
    public AppRoleStore appRoleStore(JobBeans job, @BeanInject("stateDatabase") StateDatabase database) {
        return new AppRoleStore(database, job.job());
    }

    @BindToRegistry(value = "groupStore", lazy = true)
    public GroupStore groupStore(JobBeans job, @BeanInject("stateDatabase") StateDatabase database,
                                 @BeanInject("scopeStore") ScopeStore scope) {
        return new GroupStore(database, job.job(), scope);
    }

    @BindToRegistry(value = "groupMemberStore", lazy = true)
    public GroupMemberStore groupMemberStore(JobBeans job, @BeanInject("stateDatabase") StateDatabase database) {
        return new GroupMemberStore(database, job.job());
    }

    @BindToRegistry(value = "stagedDeletionStore", lazy = true)
    public StagedDeletionStore stagedDeletionStore(JobBeans job,
                                                   @BeanInject("stateDatabase") StateDatabase database) {
        return new StagedDeletionStore(database, job.job());
    }

    @BindToRegistry(value = "jobStateStore", lazy = true)
    public JobStateStore jobStateStore(JobBeans job, @BeanInject("stateDatabase") StateDatabase database,
                                       @BeanInject("scopeStore") ScopeStore scope) {
        return new JobStateStore(database, job.job(), scope);
    }

    @BindToRegistry(value = "provisioningLog", lazy = true)
    public ProvisioningLog provisioningLog(JobBeans job, CamelContext context, @BeanInject("logFiles") LogFiles files,
                                           @BeanInject("settings") Settings settings) {
        return closedOnStop(context, new ProvisioningLog(job.job().value(), files, settings.logMaxSize()));
    }

    /** The provisioning log's current and rotated files, and the retention of those and of the cycle reports. */
    @BindToRegistry(value = "logFiles", lazy = true)
    public LogFiles logFiles(@PropertyInject("provisioning.work-dir") String dataDir,
                             @BeanInject("settings") Settings settings) {
        return new LogFiles(Path.of(dataDir), settings.logRetention(), Clock.systemUTC());
    }
}
