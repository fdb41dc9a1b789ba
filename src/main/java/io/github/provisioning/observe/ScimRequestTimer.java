package io.github.provisioning.observe;

import io.github.provisioning.scim.ScimHttpRequest;
import io.github.provisioning.scim.ScimRequest;
import io.github.provisioning.scim.ScimResponse;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * The latency of each SCIM request by method and status, without the wait at the job's gate. Recorded here rather
 * than by camel-micrometer's timer endpoint, whose tag expressions cost more per request than the request's own
 * work in the engine. It needs nothing but the meter registry, so Test Connection, which sends SCIM requests too,
 * opens no state store for it.
 *
 * <p>Two route steps, as processors (a bean call or method expression per request binds its parameters by
 * reflection, the expression on a copy of the exchange): {@link #START} when the request has passed the gate, this
 * timer itself when the answer (a {@link ScimResponse}, status 0 when none came) is in the body.
 */
public final class ScimRequestTimer implements Processor {

    /** The exchange property holding the clock reading {@link #START} took. */
    public static final String STARTED = "scimRequestStarted";

    /** Notes the time in {@value #STARTED}: the request has passed the gate. */
    public static final Processor START = new Processor() {
        @Override
        public void process(Exchange exchange) {
            exchange.setProperty(STARTED, System.nanoTime());
        }

        @Override
        public String toString() {
            return "ScimRequestTimer.START";
        }
    };

    private final MeterRegistry registry;
    private final String job;
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    /** @param job the job's id, tagged {@value ProvisioningMetrics#JOB_TAG} on the timer */
    public ScimRequestTimer(MeterRegistry registry, String job) {
        this.registry = registry;
        this.job = job;
    }

    /** Records the request's latency since {@link #START} with its method and the answer's status. */
    @Override
    public void process(Exchange exchange) {
        record(exchange.getProperty(ScimHttpRequest.PROPERTY, ScimRequest.class),
                exchange.getProperty(STARTED, Long.class), exchange.getMessage().getBody(ScimResponse.class));
    }

    /** A SCIM request got its answer (status 0: none), {@code started} being {@link #START}'s reading. */
    public void record(ScimRequest request, long started, ScimResponse response) {
        // The registry finds a timer by its sorted tags; a handful of method and status pairs are kept here.
        timers.computeIfAbsent(request.method() + " " + response.status(), key -> Timer
                        .builder("provisioning.scim.requests")
                        .description("SCIM requests by method and status (0 when the target did not answer)")
                        .tag("method", request.method()).tag("status", Integer.toString(response.status()))
                        .tag(ProvisioningMetrics.JOB_TAG, job).register(registry))
                .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
    }
}
