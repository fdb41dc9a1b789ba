package io.github.provisioning.cycle;

import io.github.provisioning.graph.GraphCredentialsException;
import io.github.provisioning.scim.ScimCredentialsException;
import io.github.provisioning.state.QuarantineState;
import io.github.provisioning.state.JobStateStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.util.TimeUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entra's quarantine: a job whose credentials are rejected (by the SCIM target or a token endpoint), or whose
 * cycles fail for too many objects, stops hammering the target. It runs at a reduced frequency (Entra: after 6h,
 * 12h, 24h, then daily), leaves quarantine by itself after a cycle that ends well, and is stopped once it has been
 * quarantined for {@code provisioning.quarantine-max-days}. Decided at the end of every cycle; the state is in the
 * state store, so a restart keeps it.
 */
public final class Quarantine {

    public static final String CREDENTIALS = "credentials";
    public static final String FAILURE_RATE = "failure-rate";
    public static final String FAILURE_COUNT = "failure-count";

    private static final Logger LOG = LoggerFactory.getLogger(Quarantine.class);
    /** The report's counts that are objects handled once each (permanent is a kind of failed). */
    private static final Set<String> OBJECT_COUNTS = Set.of("created", "updated", "disabled", "deleted", "skipped",
            "failed");

    private final JobStateStore state;
    private final Policy policy;
    private final Clock clock;
    /** The next attempt last announced in the log, so that each skipped tick does not log it again. */
    private volatile Instant announced;

    /**
     * When a job enters quarantine and how it runs there.
     *
     * @param retryDelays        how long the job waits before its first, second, … cycle in quarantine; the last
     *                           repeats
     * @param maxDuration        how long a job stays quarantined before it is stopped
     * @param failureRatePercent failures above this share of the objects a cycle handled quarantine the job…
     * @param minFailures        …once at least this many objects failed
     * @param maxFailures        more failures than this quarantine the job whatever their share
     */
    public record Policy(List<Duration> retryDelays, Duration maxDuration, int failureRatePercent, int minFailures,
                         int maxFailures) {

        public static final String RETRY_DELAYS = "provisioning.quarantine.retry-delays";
        public static final String MAX_DAYS = "provisioning.quarantine-max-days";
        public static final String FAILURE_RATE_PERCENT = "provisioning.quarantine.failure-rate-percent";
        public static final String MIN_FAILURES = "provisioning.quarantine.min-failures";
        public static final String MAX_FAILURES = "provisioning.quarantine.max-failures";

        public Policy {
            retryDelays = List.copyOf(retryDelays);
            if (retryDelays.isEmpty()) {
                throw new IllegalArgumentException("a quarantine needs at least one retry delay");
            }
        }

        /** From the settings (absent: Entra's values); a bad value is named with its setting. */
        public static Policy of(Function<String, Optional<String>> settings) {
            String delays = settings.apply(RETRY_DELAYS).filter(s -> !s.isBlank()).orElse("6h,12h,24h");
            List<Duration> parsed;
            try {
                parsed = java.util.Arrays.stream(delays.split(",")).map(String::strip)
                        .map(d -> Duration.ofMillis(TimeUtils.toMilliSeconds(d))).toList();
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("Setting " + RETRY_DELAYS
                        + " is not a comma-separated list of durations (e.g. 6h,12h,24h): " + delays);
            }
            if (parsed.stream().anyMatch(Duration::isNegative)) {
                throw new IllegalArgumentException("Setting " + RETRY_DELAYS + " has a negative duration: " + delays);
            }
            return new Policy(parsed, Duration.ofDays(number(settings, MAX_DAYS, 28, 0, 3650)),
                    number(settings, FAILURE_RATE_PERCENT, 40, 0, 100), number(settings, MIN_FAILURES, 5000, 1,
                    Integer.MAX_VALUE), number(settings, MAX_FAILURES, 40_000, 1, Integer.MAX_VALUE));
        }

        private static int number(Function<String, Optional<String>> settings, String name, int fallback, int min,
                                  int max) {
            String value = settings.apply(name).filter(s -> !s.isBlank()).orElse(null);
            if (value == null) {
                return fallback;
            }
            try {
                int n = Integer.parseInt(value.strip());
                if (n >= min && n <= max) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // named below
            }
            throw new IllegalArgumentException("Setting " + name + " must be a whole number from " + min + " to "
                    + max + ": " + value);
        }

        /** The wait before the cycle after {@code retries} cycles in quarantine. */
        Duration delay(int retries) {
            return retryDelays.get(Math.min(retries, retryDelays.size() - 1));
        }
    }

    /**
     * What the end of a cycle did to the quarantine: the job entered it, its reason changed, it was stopped, or it
     * left quarantine. Each is worth one e-mail; a quarantined cycle that changes nothing gives no Change.
     *
     * @param state    the quarantine now (for LEFT: as it was)
     * @param previous the quarantine before, or null when the job entered it
     */
    public record Change(Kind kind, QuarantineState state, QuarantineState previous, Instant stopsAt) {

        public enum Kind { ENTERED, REASON_CHANGED, STOPPED, LEFT }

        /** The job is stopped now: the schedule must stop. */
        public boolean stopsJob() {
            return kind != Kind.LEFT && state.stopped();
        }
    }

    public Quarantine(JobStateStore state, Policy policy, Clock clock) {
        this.state = state;
        this.policy = policy;
        this.clock = clock;
    }

    public Optional<QuarantineState> current() {
        return state.quarantine();
    }

    /** When a quarantined job is stopped (unless it leaves quarantine before). */
    public Instant stopsAt(QuarantineState quarantine) {
        return quarantine.since().plus(policy.maxDuration());
    }

    /**
     * The schedule's gate: false while the job is quarantined and its next attempt is not due (the schedule keeps
     * its interval; a tick before the attempt is skipped).
     */
    public boolean due() {
        QuarantineState quarantine = state.quarantine().orElse(null);
        if (quarantine == null) {
            return true;
        }
        if (!quarantine.stopped() && !now().isBefore(quarantine.nextAttempt())) {
            return true;
        }
        if (!quarantine.nextAttempt().equals(announced)) {
            announced = quarantine.nextAttempt();
            LOG.info("Scheduled cycles skipped: the job is quarantined ({}){}", quarantine.reason(),
                    quarantine.stopped() ? " and stopped" : "; the next cycle runs at " + quarantine.nextAttempt());
        }
        return false;
    }

    /**
     * Decides after every cycle, completed or failed. Rejected credentials, or too many failed objects, put the job
     * in quarantine (or keep it there, with a later next attempt); a cycle that completes without either ends the
     * quarantine; any other failed cycle leaves a quarantine as it is, one attempt further.
     *
     * @return what changed, or null
     */
    public Change afterCycle(@Body CycleReport report,
                             @ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Throwable cause) {
        Instant now = now();
        QuarantineState before = state.quarantine().orElse(null);
        Trigger trigger = trigger(report, cause);
        if (trigger == null) {
            if (before == null) {
                return null;
            }
            if (report.completed()) {
                state.clearQuarantine();
                LOG.info("The job left quarantine ({} since {}): cycle {} completed", before.reason(),
                        before.since(), report.cycleId());
                return new Change(Change.Kind.LEFT, before, before, stopsAt(before));
            }
            return stay(before, before.reason(), before.detail(), now);
        }
        if (before == null) {
            QuarantineState entered = new QuarantineState(trigger.reason(), trigger.detail(), now, 0,
                    now.plus(policy.delay(0)), policy.maxDuration().isZero());
            state.putQuarantine(entered);
            LOG.warn("The job is quarantined ({}): {}; the next cycle runs at {}", entered.reason(), entered.detail(),
                    entered.stopped() ? "none: the job is stopped" : entered.nextAttempt());
            return new Change(Change.Kind.ENTERED, entered, null, stopsAt(entered));
        }
        return stay(before, trigger.reason(), trigger.detail(), now);
    }

    /** One more cycle in quarantine: the next attempt backs off, and the job stops after the maximum duration. */
    private Change stay(QuarantineState before, String reason, String detail, Instant now) {
        int retries = before.retries() + 1;
        boolean stopped = before.stopped() || !now.isBefore(stopsAt(before));
        QuarantineState after = new QuarantineState(reason, detail, before.since(), retries,
                now.plus(policy.delay(retries)), stopped);
        state.putQuarantine(after);
        if (stopped && !before.stopped()) {
            LOG.error("The job is stopped: quarantined ({}) since {}, longer than {} days; start it again when the "
                    + "cause is fixed", reason, before.since(), policy.maxDuration().toDays());
            return new Change(Change.Kind.STOPPED, after, before, stopsAt(after));
        }
        if (!reason.equals(before.reason())) {
            LOG.warn("The job stays quarantined, now for {}: {}", reason, detail);
            return new Change(Change.Kind.REASON_CHANGED, after, before, stopsAt(after));
        }
        LOG.info("The job stays quarantined ({}); the next cycle runs at {}", reason, after.nextAttempt());
        return null;
    }

    /** A reason to be quarantined, and its cause in one line. */
    private record Trigger(String reason, String detail) {
    }

    /** The quarantine reason this cycle gives, or null. */
    private Trigger trigger(CycleReport report, Throwable cause) {
        if (!report.completed()) {
            // Only a failed cycle's own exception counts (a completed one may carry one it handled).
            return credentialsRejected(cause) ? new Trigger(CREDENTIALS, report.error()) : null;
        }
        int failed = 0;
        int objects = 0;
        for (Map.Entry<String, Integer> count : report.counts().entrySet()) {
            String outcome = count.getKey().startsWith("groups.") ? count.getKey().substring(7) : count.getKey();
            if (OBJECT_COUNTS.contains(outcome)) {
                objects += count.getValue();
                failed += outcome.equals("failed") ? count.getValue() : 0;
            }
        }
        if (failed > policy.maxFailures()) {
            return new Trigger(FAILURE_COUNT, failed + " of " + objects + " objects failed in cycle "
                    + report.cycleId() + " (the limit is " + policy.maxFailures() + ")");
        }
        if (failed >= policy.minFailures() && failed * 100L > (long) policy.failureRatePercent() * objects) {
            return new Trigger(FAILURE_RATE, failed + " of " + objects + " objects failed in cycle "
                    + report.cycleId() + " (" + (failed * 100L / objects) + " %; the limit is "
                    + policy.failureRatePercent() + " % once " + policy.minFailures() + " have failed)");
        }
        return null;
    }

    private static boolean credentialsRejected(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ScimCredentialsException || t instanceof GraphCredentialsException) {
                return true;
            }
        }
        return false;
    }

    /**
     * An admin starts the job: a quarantined job tries again at once (and a stopped one gets another
     * {@code quarantine-max-days}). The quarantine itself ends only with a cycle that ends well.
     */
    public void retryNow() {
        state.quarantine().ifPresent(q -> {
            Instant now = now();
            state.putQuarantine(new QuarantineState(q.reason(), q.detail(), q.stopped() ? now : q.since(),
                    q.retries(), now, false));
            LOG.info("Quarantined job ({}) started by an admin: the next cycle runs now", q.reason());
        });
    }

    /** To the millisecond, as the state store keeps it, so that e-mails and status show the same times. */
    private Instant now() {
        return clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    }

    /** Entra's restart clears the quarantine. */
    public boolean clear() {
        return state.clearQuarantine();
    }
}
