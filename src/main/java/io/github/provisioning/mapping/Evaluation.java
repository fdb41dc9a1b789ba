package io.github.provisioning.mapping;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * One evaluation of an expression: the source object, the target's uniqueness check for {@code SelectUniqueValue},
 * and the clock and randomness behind {@code Now}, {@code Guid} and {@code RandomString} (a seam for tests). Not
 * shared between threads: it carries whether the value being computed is redacted.
 */
public final class Evaluation {

    /** RandomString makes passwords, so the default randomness is a secure one. */
    private static final RandomGenerator SECURE = new SecureRandom();

    private final SourceAttributes source;
    private final UniquenessCheck uniqueness;
    private final Clock clock;
    private final RandomGenerator random;
    /** Set when an argument of the call being evaluated was redacted; see {@link Expression.Call}. */
    boolean redacted;

    public Evaluation(SourceAttributes source) {
        this(source, UniquenessCheck.EVERY_VALUE_IS_UNIQUE);
    }

    public Evaluation(SourceAttributes source, UniquenessCheck uniqueness) {
        this(source, uniqueness, Clock.systemUTC(), SECURE);
    }

    public Evaluation(SourceAttributes source, UniquenessCheck uniqueness, Clock clock, RandomGenerator random) {
        this.source = Objects.requireNonNull(source, "source");
        this.uniqueness = Objects.requireNonNull(uniqueness, "uniqueness");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
    }

    public SourceAttributes source() {
        return source;
    }

    public UniquenessCheck uniqueness() {
        return uniqueness;
    }

    public Clock clock() {
        return clock;
    }

    public RandomGenerator random() {
        return random;
    }
}
