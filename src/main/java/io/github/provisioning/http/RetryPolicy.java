package io.github.provisioning.http;

import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How often and how long to wait before sending a request again, to the SCIM target ({@code scim.*}) or to
 * Microsoft Graph ({@code graph.*}). Retry-After wins when the server sends it (seconds, decimal seconds as Graph
 * and others send, or an HTTP date); otherwise exponential back-off with full jitter, so that parallel requests do
 * not retry in lock-step.
 *
 * @param maxAttempts attempts per request, the first one included
 * @param baseDelay   the back-off before the second attempt
 * @param maxDelay    no wait is longer, whatever Retry-After says (Graph requests, which must not come back sooner
 *                    than Retry-After, give up instead: see {@link #retryAfter})
 */
public record RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay, Clock clock) {

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1 but was " + maxAttempts);
        }
    }

    /** The wait before attempt {@code attempt + 1}, after {@code attempt} attempts failed. */
    public Duration delay(int attempt, String retryAfter) {
        Duration fromHeader = retryAfter(retryAfter);
        if (fromHeader != null) {
            return fromHeader.compareTo(maxDelay) > 0 ? maxDelay : fromHeader;
        }
        long ceiling = Math.min(maxDelay.toMillis(), baseDelay.toMillis() * (1L << Math.min(20, attempt - 1)));
        long jittered = ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
        return Duration.ofMillis(jittered);
    }

    /** Retry-After as a duration; null when absent or unreadable. */
    public Duration retryAfter(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.trim();
        try {
            double seconds = Double.parseDouble(v);
            return seconds < 0 ? Duration.ZERO : Duration.ofMillis(Math.round(seconds * 1000));
        } catch (NumberFormatException notANumber) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration wait = Duration.between(clock.instant(), at.toInstant());
                return wait.isNegative() ? Duration.ZERO : wait;
            } catch (DateTimeParseException notADate) {
                return null;
            }
        }
    }
}
