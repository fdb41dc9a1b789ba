package io.github.provisioning.sandbox.scim;

import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A fault-injection profile for {@link ScimSandbox#faults(ScimFaults)}: how often the target throttles, fails,
 * answers slowly or loses its reply. Decisions come from a {@link java.util.Random} seeded with {@link #seed()},
 * so the same profile and the same order of requests inject the same faults. Start from {@link #none()}:
 *
 * <pre>{@code
 * sandbox.faults(ScimFaults.none().withSeed(7).withThrottleEvery(20).withThrottleBurst(3).withRetryAfter("0.5")
 *         .withDropReplyRate(0.05));
 * }</pre>
 *
 * @param seed             seeds the random decisions
 * @param serverErrorRate  share of requests (0..1) answered 500, 502, 503 or 504 without being applied
 * @param throttleEvery    every N-th request starts a burst of 429 answers, counting from when the profile was set
 *                         and leaving out requests answered by {@code failNext}; 0 never throttles
 * @param throttleBurst    how many consecutive requests a burst throttles (at least 1); bursts longer than
 *                         {@code throttleEvery} overlap, so every request from the N-th on is throttled
 * @param retryAfter       the {@code Retry-After} value sent with 429 and injected 503 answers, verbatim:
 *                         {@code "1"}, {@code "0.5"} or an HTTP-date; {@code null} sends no header
 * @param slowRate         share of requests (0..1) applied at once but answered only after {@code slowDelay}
 * @param slowDelay        how long a slow reply is held back
 * @param dropReplyRate    share of requests with a method in {@code dropReplyMethods} (0..1) that are applied and
 *                         then answered by closing the connection without a response: the lost-reply case
 * @param dropReplyMethods upper-case HTTP methods whose replies may be dropped
 */
public record ScimFaults(long seed, double serverErrorRate, int throttleEvery, int throttleBurst, String retryAfter,
                         double slowRate, Duration slowDelay, double dropReplyRate, Set<String> dropReplyMethods) {

    public ScimFaults {
        requireRate("serverErrorRate", serverErrorRate);
        requireRate("slowRate", slowRate);
        requireRate("dropReplyRate", dropReplyRate);
        if (throttleEvery < 0) {
            throw new IllegalArgumentException("throttleEvery must not be negative but was " + throttleEvery);
        }
        if (throttleBurst < 1) {
            throw new IllegalArgumentException("throttleBurst must be at least 1 but was " + throttleBurst);
        }
        if (slowDelay == null || slowDelay.isNegative()) {
            throw new IllegalArgumentException("slowDelay must be zero or positive but was " + slowDelay);
        }
        if (dropReplyMethods == null) {
            throw new IllegalArgumentException("dropReplyMethods must not be null");
        }
        dropReplyMethods = dropReplyMethods.stream().map(m -> m.toUpperCase(Locale.ROOT))
                .collect(Collectors.toUnmodifiableSet());
    }

    /** No faults: seed 0, every rate 0, no throttling, {@code Retry-After: 1}, 1 s slow delay, drops only POST. */
    public static ScimFaults none() {
        return new ScimFaults(0, 0, 0, 1, "1", 0, Duration.ofSeconds(1), 0, Set.of("POST"));
    }

    /** Whether any request can be faulted; when not, the sandbox skips the profile entirely. */
    public boolean injectsFaults() {
        return serverErrorRate > 0 || throttleEvery > 0 || slowRate > 0
                || (dropReplyRate > 0 && !dropReplyMethods.isEmpty());
    }

    public ScimFaults withSeed(long newSeed) {
        return new ScimFaults(newSeed, serverErrorRate, throttleEvery, throttleBurst, retryAfter, slowRate, slowDelay,
                dropReplyRate, dropReplyMethods);
    }

    public ScimFaults withServerErrorRate(double newServerErrorRate) {
        return new ScimFaults(seed, newServerErrorRate, throttleEvery, throttleBurst, retryAfter, slowRate, slowDelay,
                dropReplyRate, dropReplyMethods);
    }

    public ScimFaults withThrottleEvery(int newThrottleEvery) {
        return new ScimFaults(seed, serverErrorRate, newThrottleEvery, throttleBurst, retryAfter, slowRate, slowDelay,
                dropReplyRate, dropReplyMethods);
    }

    public ScimFaults withThrottleBurst(int newThrottleBurst) {
        return new ScimFaults(seed, serverErrorRate, throttleEvery, newThrottleBurst, retryAfter, slowRate, slowDelay,
                dropReplyRate, dropReplyMethods);
    }

    /** @param newRetryAfter sent verbatim, or {@code null} for no {@code Retry-After} header */
    public ScimFaults withRetryAfter(String newRetryAfter) {
        return new ScimFaults(seed, serverErrorRate, throttleEvery, throttleBurst, newRetryAfter, slowRate, slowDelay,
                dropReplyRate, dropReplyMethods);
    }

    public ScimFaults withSlowRate(double newSlowRate) {
        return new ScimFaults(seed, serverErrorRate, throttleEvery, throttleBurst, retryAfter, newSlowRate, slowDelay,
                dropReplyRate, dropReplyMethods);
    }

    public ScimFaults withSlowDelay(Duration newSlowDelay) {
        return new ScimFaults(seed, serverErrorRate, throttleEvery, throttleBurst, retryAfter, slowRate, newSlowDelay,
                dropReplyRate, dropReplyMethods);
    }

    public ScimFaults withDropReplyRate(double newDropReplyRate) {
        return new ScimFaults(seed, serverErrorRate, throttleEvery, throttleBurst, retryAfter, slowRate, slowDelay,
                newDropReplyRate, dropReplyMethods);
    }

    /** @param newDropReplyMethods HTTP methods, any case, e.g. {@code "POST", "PATCH"} */
    public ScimFaults withDropReplyMethods(String... newDropReplyMethods) {
        return new ScimFaults(seed, serverErrorRate, throttleEvery, throttleBurst, retryAfter, slowRate, slowDelay,
                dropReplyRate, Stream.of(newDropReplyMethods).collect(Collectors.toUnmodifiableSet()));
    }

    private static void requireRate(String name, double rate) {
        // The negated form also rejects NaN.
        if (!(rate >= 0 && rate <= 1)) {
            throw new IllegalArgumentException(name + " must be between 0 and 1 but was " + rate);
        }
    }
}
