package io.github.provisioning.observe;

import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * A health check of the job's own state (group {@code provisioning}): readiness only, since restarting the engine
 * would not fix what it reports.
 */
abstract class ReadinessCheck extends AbstractHealthCheck {

    ReadinessCheck(String id) {
        super("provisioning", id);
    }

    @Override
    public boolean isLiveness() {
        return false;
    }
}
