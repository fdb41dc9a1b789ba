package io.github.provisioning.sandbox.graph;

import java.time.Duration;
import java.util.regex.Pattern;

/**
 * A fault-injection profile for {@link GraphSimulator#faults(GraphFaults)}: which share of the requests Graph (or the
 * token endpoint) throttles, answers 503 or answers slowly. Decisions come from a {@link java.util.Random} seeded
 * with {@link #seed()}, so the same profile and the same order of requests inject the same faults. Start from
 * {@link #none()}:
 *
 * <pre>{@code
 * graph.faults(GraphFaults.none().withSeed(7).withThrottling(0.2, "1").withUnavailable(0.05, null));
 * }</pre>
 *
 * @param seed                  seeds the random decisions
 * @param throttleRate          share of requests (0..1) answered 429 TooManyRequests without being handled
 * @param retryAfter            the {@code Retry-After} of those 429 answers, verbatim ("1", "2.128", an HTTP date);
 *                              {@code null} sends none
 * @param unavailableRate       share of requests (0..1) answered 503 serviceNotAvailable without being handled
 * @param unavailableRetryAfter the {@code Retry-After} of those 503 answers, or {@code null} for none
 * @param slowRate              share of requests (0..1) answered normally, but only after {@code slowDelay}
 * @param slowDelay             how long a slow answer is held back
 * @param paths                 only requests whose raw path this pattern finds are faulted ({@code "/users/delta"},
 *                              {@code "/oauth2/v2.0/token$"}); every path by default
 */
public record GraphFaults(long seed, double throttleRate, String retryAfter, double unavailableRate,
                          String unavailableRetryAfter, double slowRate, Duration slowDelay, Pattern paths) {

    public GraphFaults {
        requireRate("throttleRate", throttleRate);
        requireRate("unavailableRate", unavailableRate);
        requireRate("slowRate", slowRate);
        if (slowDelay == null || slowDelay.isNegative()) {
            throw new IllegalArgumentException("slowDelay must be zero or positive but was " + slowDelay);
        }
        if (paths == null) {
            throw new IllegalArgumentException("paths must not be null; use \"\" for every path");
        }
    }

    /** No faults: seed 0, every rate 0, {@code Retry-After: 1} on 429, none on 503, 1 s slow delay, every path. */
    public static GraphFaults none() {
        return new GraphFaults(0, 0, "1", 0, null, 0, Duration.ofSeconds(1), Pattern.compile(""));
    }

    public GraphFaults withSeed(long newSeed) {
        return new GraphFaults(newSeed, throttleRate, retryAfter, unavailableRate, unavailableRetryAfter, slowRate,
                slowDelay, paths);
    }

    /** @param newRetryAfter sent verbatim, or {@code null} for no {@code Retry-After} header */
    public GraphFaults withThrottling(double rate, String newRetryAfter) {
        return new GraphFaults(seed, rate, newRetryAfter, unavailableRate, unavailableRetryAfter, slowRate, slowDelay,
                paths);
    }

    /** @param newRetryAfter sent verbatim, or {@code null} for no {@code Retry-After} header */
    public GraphFaults withUnavailable(double rate, String newRetryAfter) {
        return new GraphFaults(seed, throttleRate, retryAfter, rate, newRetryAfter, slowRate, slowDelay, paths);
    }

    public GraphFaults withSlowAnswers(double rate, Duration delay) {
        return new GraphFaults(seed, throttleRate, retryAfter, unavailableRate, unavailableRetryAfter, rate, delay,
                paths);
    }

    /** @param regex found anywhere in a request's raw path, e.g. {@code "/v1.0/"} for Graph only */
    public GraphFaults onPaths(String regex) {
        return new GraphFaults(seed, throttleRate, retryAfter, unavailableRate, unavailableRetryAfter, slowRate,
                slowDelay, Pattern.compile(regex));
    }

    private static void requireRate(String name, double rate) {
        // The negated form also rejects NaN.
        if (!(rate >= 0 && rate <= 1)) {
            throw new IllegalArgumentException(name + " must be between 0 and 1 but was " + rate);
        }
    }
}
