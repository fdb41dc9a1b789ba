package io.github.provisioning.observe;

import io.github.provisioning.cycle.CycleReport;
import io.github.provisioning.cycle.RunOutcome;
import java.util.Map;
import org.apache.camel.health.HealthCheckResultBuilder;

/**
 * DOWN while the last cycle failed (it could not run to its end: Graph unreachable, credentials rejected), with
 * its reason; UP before the first cycle and after a cycle that ran to its end, even with failed objects (those
 * are retried and show in the digest and the metrics). A readiness check: restarting would not fix what it reports.
 */
public final class LastCycleHealthCheck extends ReadinessCheck {

    private final RunOutcome outcome;

    /** @param id {@code last-cycle} for the job default, {@code last-cycle-<job>} for another */
    public LastCycleHealthCheck(String id, RunOutcome outcome) {
        super(id);
        this.outcome = outcome;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        CycleReport last = outcome.lastReal();
        if (last == null) {
            builder.up().message("no cycle has ended yet");
            return;
        }
        builder.detail("cycle.id", last.cycleId()).detail("cycle.type", last.type())
                .detail("cycle.end", String.valueOf(last.end()));
        if (last.completed()) {
            builder.up().message("cycle " + last.cycleId() + " completed");
        } else {
            builder.down().message("cycle " + last.cycleId() + " failed: " + last.error());
        }
    }
}
