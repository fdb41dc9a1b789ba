package io.github.provisioning.sandbox.scim;

import java.util.Random;

/**
 * Decides, request by request, which fault of one {@link ScimFaults} profile to inject. Request numbers count
 * from 1 when the profile is set.
 */
final class FaultSchedule {

    private static final int[] SERVER_ERRORS = {500, 502, 503, 504};

    /**
     * @param fault  what to inject
     * @param status the status to answer for {@link InjectedFault#THROTTLED} and {@link InjectedFault#SERVER_ERROR};
     *               0 for faults that keep the normal answer
     */
    record Decision(InjectedFault fault, int status) {
    }

    private final ScimFaults faults;
    private final boolean active;
    private final Random random;
    private long requests;

    FaultSchedule(ScimFaults faults) {
        this.faults = faults;
        this.active = faults.injectsFaults();
        this.random = new Random(faults.seed());
    }

    ScimFaults faults() {
        return faults;
    }

    /** Read without a lock, so a sandbox without faults never contends on {@link #next(String)}. */
    boolean active() {
        return active;
    }

    /** The fault for the next request, or {@code null} to handle it normally. */
    synchronized Decision next(String method) {
        long request = ++requests;
        // Always draw the same four numbers, so request n's fate depends only on the seed and n, not on which
        // knobs fired for earlier requests.
        double serverError = random.nextDouble();
        int errorStatus = SERVER_ERRORS[random.nextInt(SERVER_ERRORS.length)];
        double drop = random.nextDouble();
        double slow = random.nextDouble();
        if (throttled(request)) {
            return new Decision(InjectedFault.THROTTLED, 429);
        }
        if (serverError < faults.serverErrorRate()) {
            return new Decision(InjectedFault.SERVER_ERROR, errorStatus);
        }
        if (drop < faults.dropReplyRate() && faults.dropReplyMethods().contains(method)) {
            return new Decision(InjectedFault.DROPPED_REPLY, 0);
        }
        if (slow < faults.slowRate()) {
            return new Decision(InjectedFault.SLOW_REPLY, 0);
        }
        return null;
    }

    /** Requests every, 2*every, ... each start a burst; request n is inside one if it is at most burst-1 later. */
    private boolean throttled(long request) {
        int every = faults.throttleEvery();
        return every > 0 && request >= every && (request - every) % every < faults.throttleBurst();
    }
}
