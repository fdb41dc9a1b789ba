package io.github.provisioning.sandbox.scim;

/** What the sandbox did to a request instead of (or besides) answering it normally. */
public enum InjectedFault {

    /** Answered with the status given to {@link ScimSandbox#failNext}; not applied. */
    FAIL_NEXT,

    /** Answered 500, 502, 503 or 504 by {@link ScimFaults#serverErrorRate()}; not applied. */
    SERVER_ERROR,

    /** Answered 429 inside a burst of {@link ScimFaults#throttleBurst()}; not applied. */
    THROTTLED,

    /** Applied and answered normally, but only after {@link ScimFaults#slowDelay()}. */
    SLOW_REPLY,

    /** Applied, then the connection was closed without a single byte of response. */
    DROPPED_REPLY,

    /** Applied, then answered only once the test released it ({@link ScimSandbox#holdReply}). */
    HELD_REPLY
}
