package io.github.provisioning;

import io.github.provisioning.cycle.Cycles;
import io.github.provisioning.notify.CycleObjects;
import io.github.provisioning.notify.NotificationSettings;
import io.github.provisioning.notify.Notifier;
import io.github.provisioning.observe.ProvisioningMetrics;
import io.github.provisioning.observe.ScimRequestTimer;
import io.github.provisioning.state.EscrowStore;
import io.github.provisioning.state.JobStateStore;
import io.github.provisioning.state.StagedDeletionStore;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;

/**
 * What the engine tells its operators: metrics, the SCIM request timer and the cycle digest e-mail.
 * {@link ProvisioningConfiguration} binds these.
 */
public class ObserveConfiguration {

    /** On the registry Camel Main's metrics support creates ({@code camel.metrics.enabled}) and scrapes. */
    @BindToRegistry(value = "provisioningMetrics", lazy = true)
    public ProvisioningMetrics provisioningMetrics(JobBeans job, @BeanInject("metricsRegistry") MeterRegistry registry,
                                                   @BeanInject("escrowStore") EscrowStore escrows,
                                                   @BeanInject("jobStateStore") JobStateStore jobState,
                                                   @BeanInject("stagedDeletionStore") StagedDeletionStore deletions,
                                                   @BeanInject("cycles") Cycles cycles) {
        ProvisioningMetrics metrics = new ProvisioningMetrics(registry, job.job().value(), escrows::awaitingRetry,
                () -> jobState.quarantine().isPresent(), () -> deletions.heldDeletions().count());
        metrics.cycleProgress(cycles::progress);
        return metrics;
    }

    /** Camel Main's registry when metrics are on ({@code camel.metrics.enabled}); else one of its own. */
    @BindToRegistry(value = "scimRequestTimer", lazy = true)
    public ScimRequestTimer scimRequestTimer(JobBeans job, CamelContext context) {
        MeterRegistry registry = context.getRegistry().lookupByNameAndType("metricsRegistry", MeterRegistry.class);
        return new ScimRequestTimer(registry != null ? registry
                : new io.micrometer.core.instrument.simple.SimpleMeterRegistry(), job.job().value());
    }

    /** What each running cycle's log lines said, for its digest e-mail. */
    @BindToRegistry(value = "cycleObjects", lazy = true)
    public CycleObjects cycleObjects(@PropertyInject(value = NotificationSettings.MAX_FAILURES_LISTED,
            defaultValue = "20") int maxListed) {
        return new CycleObjects(maxListed);
    }

    @BindToRegistry(value = "notifier", lazy = true)
    public Notifier notifier(JobBeans job, @BeanInject("settings") Settings settings,
                             @BeanInject("cycleObjects") CycleObjects cycleObjects,
                             @PropertyInject(value = "camel.main.name",
                                     defaultValue = "entra-provisioning") String engine) {
        return new Notifier(NotificationSettings.enabled(settings::get), engine, job.job().value(), cycleObjects);
    }
}
