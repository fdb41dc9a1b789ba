package io.github.provisioning.sandbox.graph;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;

/**
 * Decides, request by request, what the simulator does instead of answering at once: first the faults asked for
 * the next requests ({@link GraphSimulator#failNext}, {@link GraphSimulator#slowNext}), in the order they were
 * asked, then the random profile ({@link GraphSimulator#faults}).
 */
final class InjectedFaults {

    /**
     * An error answer ({@code status} with {@code retryAfter}, or none when null), or when {@code status} is 0 the
     * normal answer held back for {@code delay}.
     */
    record Fault(int status, String retryAfter, Duration delay) {

        static Fault error(int status, String retryAfter) {
            return new Fault(status, retryAfter, Duration.ZERO);
        }

        static Fault slow(Duration delay) {
            return new Fault(0, null, delay);
        }

        boolean slow() {
            return status == 0;
        }
    }

    /** A fault for the next {@code remaining} requests whose path {@code paths} finds. */
    private static final class Next {
        final Pattern paths;
        final Fault fault;
        int remaining;

        Next(Pattern paths, Fault fault, int remaining) {
            this.paths = paths;
            this.fault = fault;
            this.remaining = remaining;
        }
    }

    private final List<Next> next = new ArrayList<>();
    private GraphFaults profile = GraphFaults.none();
    private Random random = new Random(0);

    synchronized void next(int count, Pattern paths, Fault fault) {
        if (count > 0) {
            next.add(new Next(paths, fault, count));
        }
    }

    synchronized void profile(GraphFaults faults) {
        profile = faults;
        random = new Random(faults.seed());
    }

    synchronized GraphFaults profile() {
        return profile;
    }

    synchronized void clear() {
        next.clear();
        profile(GraphFaults.none());
    }

    /** The fault for a request to {@code path}, or null to answer it at once. */
    synchronized Fault take(String path) {
        for (Iterator<Next> it = next.iterator(); it.hasNext(); ) {
            Next candidate = it.next();
            if (candidate.paths.matcher(path).find()) {
                if (--candidate.remaining == 0) {
                    it.remove();
                }
                return candidate.fault;
            }
        }
        if (!profile.paths().matcher(path).find()) {
            return null;
        }
        // Always the same three draws, so request n's fate depends only on the seed and n.
        double throttle = random.nextDouble();
        double unavailable = random.nextDouble();
        double slow = random.nextDouble();
        if (throttle < profile.throttleRate()) {
            return Fault.error(429, profile.retryAfter());
        }
        if (unavailable < profile.unavailableRate()) {
            return Fault.error(503, profile.unavailableRetryAfter());
        }
        return slow < profile.slowRate() ? Fault.slow(profile.slowDelay()) : null;
    }
}
