package io.github.provisioning.mapping;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.LongPredicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One clause of an Entra scoping filter: a single condition on a single source attribute, e.g.
 * {@code department EQUALS Sales}.
 *
 * @param attribute an Entra attribute name ({@code department}, {@code IsSoftDeleted}, {@code telephoneNumber}, ...)
 * @param operator  the Entra operator
 * @param value     the operand, of the kind the operator takes (see {@link #of})
 */
public record ScopingClause(String attribute, ScopingOperator operator, Value value) {

    /** The operand of a clause; its kind follows the operator, so a clause can only hold a valid one. */
    public sealed interface Value {
        /** The value as written in the mapping file; null for a unary operator. */
        String text();
    }

    /** Unary operators (IS NULL, IS TRUE, ...) take no value. */
    public record NoValue() implements Value {
        public String text() {
            return null;
        }
    }

    public record Text(String text) implements Value {
        public Text {
            Objects.requireNonNull(text);
        }
    }

    public record Whole(long number, String text) implements Value {
    }

    public record Regex(Pattern pattern) implements Value {
        public String text() {
            return pattern.pattern();
        }

        // Pattern has no equals of its own: two clauses with the same pattern text are the same clause.
        @Override
        public boolean equals(Object other) {
            return other instanceof Regex r && r.pattern.pattern().equals(pattern.pattern())
                    && r.pattern.flags() == pattern.flags();
        }

        @Override
        public int hashCode() {
            return pattern.pattern().hashCode();
        }
    }

    private static final Pattern INTEGER = Pattern.compile("[+-]?[0-9]+");

    public ScopingClause {
        Objects.requireNonNull(attribute, "attribute");
        Objects.requireNonNull(operator, "operator");
        Objects.requireNonNull(value, "value");
        boolean fits = switch (operator.operand()) {
            case NONE -> value instanceof NoValue;
            case TEXT -> value instanceof Text;
            case INTEGER -> value instanceof Whole;
            case REGEX -> value instanceof Regex;
        };
        if (!fits) {
            throw new IllegalArgumentException(operator + " cannot take " + value);
        }
    }

    /**
     * A clause from the text of a mapping file.
     *
     * @param value the value as written; null when none was given
     * @throws IllegalArgumentException with a message for the file's reader when the value does not suit the
     *                                  operator
     */
    public static ScopingClause of(String attribute, ScopingOperator operator, String value) {
        if (operator.operand() == ScopingOperator.Operand.NONE) {
            if (value != null) {
                throw new IllegalArgumentException(operator + " takes no value (remove 'value: " + value + "')");
            }
            return new ScopingClause(attribute, operator, new NoValue());
        }
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(operator + " needs a value");
        }
        return new ScopingClause(attribute, operator, switch (operator.operand()) {
            case TEXT -> new Text(value);
            case INTEGER -> {
                // Entra: "The value specified on the scoping filter must be an integer".
                Long number = integer(value);
                if (number == null) {
                    throw new IllegalArgumentException(operator + " needs an integer value, not '" + value + "'");
                }
                yield new Whole(number, value);
            }
            case REGEX -> {
                try {
                    yield new Regex(Pattern.compile(value));
                } catch (PatternSyntaxException e) {
                    throw new IllegalArgumentException(operator + " needs a valid regular expression: "
                            + e.getDescription() + " near index " + e.getIndex() + " of '" + value + "'");
                }
            }
            case NONE -> throw new IllegalStateException();
        });
    }

    /** Whether the clause holds for the object's value of {@link #attribute}. */
    public boolean holdsFor(SourceAttributes source) {
        return holds(source.get(attribute));
    }

    /** @param actual a String, Boolean, a List for a multi-valued attribute, or null when absent */
    boolean holds(Object actual) {
        boolean empty = actual == null || actual instanceof String s && s.isEmpty()
                || actual instanceof List<?> list && list.isEmpty();
        if (operator == ScopingOperator.IS_NULL || operator == ScopingOperator.IS_NOT_NULL) {
            // Entra: IS NULL is true "if the evaluated attribute is empty".
            return empty == (operator == ScopingOperator.IS_NULL);
        }
        // Entra: "Scoping filters will return "false" if the value is null / empty" (NOT EQUALS and NOT REGEX
        // MATCH included).
        if (empty) {
            return false;
        }
        // Entra: "Filtering is not supported for multi-valued attributes." Only IS NULL / IS NOT NULL, which judge
        // presence, see one; every other clause on a multi-valued attribute is false.
        if (actual instanceof List<?>) {
            return false;
        }
        return switch (operator) {
            case IS_TRUE -> Boolean.TRUE.equals(bool(actual));
            case IS_FALSE -> Boolean.FALSE.equals(bool(actual));
            // Case-sensitive, ordinal comparisons (Entra: EQUALS and Includes are case sensitive).
            case EQUALS -> text(actual).equals(value.text());
            case NOT_EQUALS -> !text(actual).equals(value.text());
            case INCLUDES -> text(actual).contains(value.text());
            case ENDS_WITH -> text(actual).endsWith(value.text());
            // The whole value must match, as the page's examples read: ".*\@domain.com" is every user of that
            // domain, "([1-9][0-9])" any number between 10 and 99.
            case REGEX_MATCH -> regex().matcher(text(actual)).matches();
            case NOT_REGEX_MATCH -> !regex().matcher(text(actual)).matches();
            // Entra: "the attribute on the user must be an integer"; any other value makes the clause false.
            case GREATER_THAN -> isInteger(actual, n -> n > number());
            case GREATER_THAN_OR_EQUALS -> isInteger(actual, n -> n >= number());
            // A bitwise AND, as in Microsoft's directory filters (LDAP_MATCHING_RULE_BIT_AND): & holds when every
            // bit of the value is set in the attribute, !& when not; both need an integer attribute.
            case BIT_AND -> isInteger(actual, n -> (n & number()) == number());
            case NOT_BIT_AND -> isInteger(actual, n -> (n & number()) != number());
            case IS_NULL, IS_NOT_NULL -> throw new IllegalStateException();
        };
    }

    /** The attribute names the clause reads. */
    void collectAttributes(Set<String> into) {
        into.add(attribute);
    }

    private Pattern regex() {
        return ((Regex) value).pattern();
    }

    private long number() {
        return ((Whole) value).number();
    }

    /** Entra renders booleans as .NET does: "True" and "False". */
    private static String text(Object value) {
        if (value instanceof Boolean b) {
            return b ? "True" : "False";
        }
        return value.toString();
    }

    /** A Boolean, or "true"/"false" in any case (as .NET's Boolean.Parse reads them); null for anything else. */
    private static Boolean bool(Object value) {
        if (value instanceof Boolean b) {
            return b;
        }
        String s = value.toString().trim();
        if (s.equalsIgnoreCase("true")) {
            return true;
        }
        return s.equalsIgnoreCase("false") ? false : null;
    }

    private static boolean isInteger(Object value, LongPredicate test) {
        Long n = integer(value);
        return n != null && test.test(n);
    }

    /** An integer written in decimal digits with an optional sign; null for anything else or beyond 64 bits. */
    private static Long integer(Object value) {
        if (!(value instanceof String s) || !INTEGER.matcher(s).matches()) {
            return null;
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException overflow) {
            return null;
        }
    }

    /** As the provisioning log shows it: {@code department EQUALS Sales}, {@code accountEnabled IS TRUE}. */
    @Override
    public String toString() {
        return value.text() == null ? attribute + " " + operator : attribute + " " + operator + " " + value.text();
    }
}
