package io.github.provisioning.mapping;

import java.util.List;

/**
 * Every rule of a {@code SelectUniqueValue} produced a value that already exists in the target. Entra: "If all of the
 * values already exist in the target, the entry is escrowed, and the reason gets logged in the audit logs."
 */
public class NoUniqueValueException extends ExpressionException {
    private final List<String> candidates;

    public NoUniqueValueException(List<String> candidates) {
        super("SelectUniqueValue: every generated value already exists in the target: " + candidates, -1);
        this.candidates = List.copyOf(candidates);
    }

    /** The reason a create fails with, as the provisioning log and the expression tester give it. */
    public String reasonFor(String targetAttribute) {
        return targetAttribute + ": " + getMessage();
    }

    /** The values tried, in rule order. */
    public List<String> candidates() {
        return candidates;
    }
}
