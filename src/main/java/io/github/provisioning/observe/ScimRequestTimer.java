package io.github.provisioning.observe;

import io.github.provisioning.scim.ScimRequest;
import io.github.provisioning.scim.ScimResponse;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;

/**
 * The latency of each SCIM request by method and status, without the wait at the job's gate. Recorded here rather
 * than by camel-micrometer's timer endpoint, whose tag expressions cost more per request than the request's own
 * work in the engine. It needs nothing but the meter registry, so Test Connection, which sends SCIM requests too,
 * opens no state store for it.
 */
public final class ScimRequestTimer {

    private final MeterRegistry registry;

    public ScimRequestTimer(MeterRegistry registry) {
        this.registry = registry;
    }

    /** A clock reading for {@link #record}: taken when a SCIM request passes the gate. */
    public long started() {
        return System.nanoTime();
    }

    /** A SCIM request got its answer (status 0: none), {@code started} being {@link #started()}'s reading. */
    public void record(@ExchangeProperty("scimRequest") ScimRequest request,
                       @ExchangeProperty("scimRequestStarted") long started, @Body ScimResponse response) {
        Timer.builder("provisioning.scim.requests")
                .description("SCIM requests by method and status (0 when the target did not answer)")
                .tag("method", request.method()).tag("status", Integer.toString(response.status()))
                .register(registry).record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
    }
}
