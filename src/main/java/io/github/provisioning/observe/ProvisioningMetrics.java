package io.github.provisioning.observe;

import io.github.provisioning.cycle.CycleProgress;
import io.github.provisioning.cycle.CycleReport;
import io.github.provisioning.cycle.LogEntry;
import io.github.provisioning.graph.GraphRetry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.ToLongFunction;
import org.apache.camel.Body;

/**
 * The engine's own meters, next to Camel's route and JVM meters in the Prometheus scrape on the admin port:
 * cycles by type and result with their duration, objects by what the provisioning log records, e-mails sent, the
 * escrow (objects waiting for a retry), the quarantine, the disables and deletes the deletion guard holds, and
 * Graph's throttling. SCIM request latency is {@link ScimRequestTimer}'s; the Graph request timer is taken in its
 * route. Each job has its own, and every meter carries the job's id as the tag {@value #JOB_TAG}.
 */
public final class ProvisioningMetrics {

    /** The tag naming the job on every meter, so that the jobs of one engine have series of their own. */
    public static final String JOB_TAG = "job";

    private final MeterRegistry registry;
    private final String job;
    private final Counter graphThrottled;
    private final Counter graphRetryWait;

    /**
     * @param job        the job's id, tagged {@value #JOB_TAG} on every meter
     * @param escrowSize counts the objects of a type ({@code user}, {@code group}) waiting for a retry; called on
     *                   each scrape, so it must be cheap
     * @param quarantined whether the job is quarantined now; called on each scrape
     * @param deletionsHeld counts the held disables and deletes; called on each scrape too
     */
    public ProvisioningMetrics(MeterRegistry registry, String job, ToLongFunction<String> escrowSize,
                               BooleanSupplier quarantined, IntSupplier deletionsHeld) {
        this.registry = registry;
        this.job = job;
        for (String objectType : List.of("user", "group")) {
            Gauge.builder("provisioning.escrow.objects", () -> escrowSize.applyAsLong(objectType))
                    .tag("object_type", objectType)
                    .strongReference(true) // the supplier is held by nothing else; a weak one would be collected
                    .description("Objects whose last operation failed and that wait for a retry in the next cycle")
                    .tag(JOB_TAG, job).register(registry);
        }
        Gauge.builder("provisioning.quarantined", () -> quarantined.getAsBoolean() ? 1 : 0)
                .strongReference(true)
                .description("1 while the job is quarantined (rejected credentials, too many failed objects), else 0")
                .tag(JOB_TAG, job).register(registry);
        Gauge.builder("provisioning.deletions.held", deletionsHeld::getAsInt)
                .strongReference(true)
                .description("Disables and deletes held above provisioning.deletion-threshold, waiting for an admin")
                .tag(JOB_TAG, job).register(registry);
        graphThrottled = Counter.builder("provisioning.graph.throttled")
                .description("Microsoft Graph requests answered 429 TooManyRequests (the token endpoint's too)")
                .tag(JOB_TAG, job).register(registry);
        graphRetryWait = Counter.builder("provisioning.graph.retry.wait").baseUnit("seconds")
                .description("Seconds Graph requests waited before being sent again (Retry-After or back-off)")
                .tag(JOB_TAG, job).register(registry);
    }

    /**
     * Gauges of the cycle in progress, as {@code /api/status} gives it: percent done, the scope's size and the users
     * processed; NaN while no cycle runs or the value is not known yet.
     */
    public void cycleProgress(Supplier<Optional<CycleProgress.Snapshot>> progress) {
        gauge("provisioning.cycle.progress.percent", "Percent of the running cycle done: of the scope (initial) "
                + "or of the changes read so far (incremental)", progress, CycleProgress.Snapshot::percent);
        gauge("provisioning.cycle.scope.size", "Users in the assignment scope of the running cycle", progress,
                CycleProgress.Snapshot::scopeSize);
        gauge("provisioning.cycle.processed", "Users the running cycle has given their outcome", progress,
                CycleProgress.Snapshot::processed);
    }

    private void gauge(String name, String description, Supplier<Optional<CycleProgress.Snapshot>> progress,
                       Function<CycleProgress.Snapshot, Number> value) {
        Gauge.builder(name, () -> progress.get().map(value).map(Number::doubleValue).orElse(Double.NaN))
                .strongReference(true).description(description).tag(JOB_TAG, job).register(registry);
    }

    /** A Graph answer that is retried (or ended the retries): throttled, and the wait before the next attempt. */
    public void graphRetry(GraphRetry.Retryable answer) {
        if (answer.throttled()) {
            graphThrottled.increment();
        }
        if (answer.retried()) {
            Counter.builder("provisioning.graph.retries")
                    .description("Graph requests sent again, by the status that made them (0 when Graph did not answer)")
                    .tag("status", Integer.toString(answer.status())).tag(JOB_TAG, job).register(registry)
                    .increment();
            graphRetryWait.increment(answer.delay().toMillis() / 1000.0);
        }
    }

    public void cycleEnded(@Body CycleReport report) {
        Counter.builder("provisioning.cycles").description("Provisioning cycles by type and result")
                .tag("type", report.type()).tag("result", report.state()).tag(JOB_TAG, job).register(registry)
                .increment();
        Timer.builder("provisioning.cycle.duration").description("How long provisioning cycles ran")
                .tag("type", report.type()).tag("result", report.state()).tag(JOB_TAG, job).register(registry)
                .record(Duration.ofMillis(report.durationMs()));
    }

    /** One provisioning-log line: an operation on an object, its action and status. */
    public void objectLogged(LogEntry entry) {
        Counter.builder("provisioning.objects").description("Operations on objects by action and status, as logged")
                .tag("object_type", String.valueOf(entry.objectType())).tag("action", String.valueOf(entry.action()))
                .tag("status", String.valueOf(entry.status())).tag(JOB_TAG, job).register(registry).increment();
    }

    /** @param result sent or failed */
    public void notification(String kind, String result) {
        Counter.builder("provisioning.notifications").description("E-mails by kind and whether the SMTP server took them")
                .tag("kind", kind).tag("result", result).tag(JOB_TAG, job).register(registry)
                .increment();
    }
}
