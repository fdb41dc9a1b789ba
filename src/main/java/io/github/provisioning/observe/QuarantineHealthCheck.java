package io.github.provisioning.observe;

import io.github.provisioning.state.QuarantineState;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.camel.health.HealthCheckResultBuilder;

/**
 * DOWN while the job is quarantined, with the reason and the next attempt: a quarantine that follows too many
 * failed objects comes after a completed cycle, which the last-cycle check reports UP. A readiness check, like
 * that one.
 */
public final class QuarantineHealthCheck extends ReadinessCheck {

    private final Supplier<Optional<QuarantineState>> quarantine;

    /** @param id {@code quarantine} for the job default, {@code quarantine-<job>} for another */
    public QuarantineHealthCheck(String id, Supplier<Optional<QuarantineState>> quarantine) {
        super(id);
        this.quarantine = quarantine;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        QuarantineState q = quarantine.get().orElse(null);
        if (q == null) {
            builder.up().message("not quarantined");
            return;
        }
        builder.detail("quarantine.reason", q.reason()).detail("quarantine.since", q.since().toString())
                .detail("quarantine.stopped", q.stopped());
        builder.down().message("quarantined (" + q.reason() + ") since " + q.since()
                + (q.stopped() ? "; the job is stopped" : "; the next cycle runs at " + q.nextAttempt()));
    }
}
