package io.github.provisioning.mapping;

import java.util.Set;

/**
 * One row of the attribute-mapping table: where the value comes from and which SCIM path it is written to.
 *
 * @param target       a SCIM attribute path, e.g. {@code emails[type eq "work"].value}
 * @param source       Direct, Constant, Expression or None
 * @param defaultValue Entra "Default value if null", applied on create only; may be null
 * @param apply        Entra "Apply this mapping"
 * @param match        matching precedence (1 is tried first), or null when not a matching attribute
 * @param line         the line in the mapping file, for error messages
 */
public record MappingRule(String target, Source source, String defaultValue, Apply apply, Integer match, int line) {

    public enum Apply { ALWAYS, ON_CREATE }

    public sealed interface Source {
        Object evaluate(SourceAttributes attributes);

        void collectAttributes(Set<String> into);
    }

    public record Direct(String attribute) implements Source {
        public Object evaluate(SourceAttributes attributes) {
            return attributes.get(attribute);
        }

        public void collectAttributes(Set<String> into) {
            into.add(attribute);
        }
    }

    public record Constant(String value) implements Source {
        public Object evaluate(SourceAttributes attributes) {
            return value;
        }

        public void collectAttributes(Set<String> into) {
        }
    }

    public record Computed(String text, Expression expression) implements Source {
        public Object evaluate(SourceAttributes attributes) {
            return expression.evaluate(attributes);
        }

        public void collectAttributes(Set<String> into) {
            expression.collectAttributes(into);
        }
    }

    /** Entra "None": leave the target alone, but fill the default when the target is empty. */
    public record None() implements Source {
        public Object evaluate(SourceAttributes attributes) {
            return null;
        }

        public void collectAttributes(Set<String> into) {
        }
    }

    public boolean isMatching() {
        return match != null;
    }

    /**
     * Whether the row's expression is a SelectUniqueValue call: its value is the first of its candidates the target
     * does not hold, chosen on create, and an update leaves the value in the target as it is.
     */
    public boolean selectsUniqueValue() {
        return source instanceof Computed computed && computed.expression() instanceof Expression.Call call
                && call.function() == ExpressionFunction.SelectUniqueValue;
    }

    /** What an update keeps in sync: "always" rows, but neither None nor SelectUniqueValue rows. */
    boolean isUpdated() {
        return apply == Apply.ALWAYS && !(source instanceof None) && !selectsUniqueValue();
    }
}
