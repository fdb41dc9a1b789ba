package io.github.provisioning.mapping;

import java.util.Objects;

/**
 * What {@code Redact} evaluates to. Entra: "The Redact function replaces the attribute value with the string literal
 * "[Redact]" in the provisioning logs." The value still flows to the target ({@link #value()}, which
 * {@link ObjectMapping} sends); anything that renders the result for a log ({@link #toString()}) shows the marker.
 * A function that receives a redacted argument yields a redacted result, so a secret never leaks into a log through
 * a nested call.
 *
 * @param value the real value, never null
 */
public record Redacted(Object value) {

    /** The documented redaction marker. */
    public static final String MARKER = "[Redact]";

    public Redacted {
        Objects.requireNonNull(value, "value");
    }

    @Override
    public String toString() {
        return MARKER;
    }
}
