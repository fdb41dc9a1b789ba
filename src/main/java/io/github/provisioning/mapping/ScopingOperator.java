package io.github.provisioning.mapping;

import java.util.Arrays;
import java.util.Optional;

/**
 * The operators of an Entra scoping filter clause, spelled exactly as the Entra admin center and Graph's
 * {@code filterOperators} list them ("Scoping users or groups to be provisioned with scoping filters").
 */
public enum ScopingOperator {
    BIT_AND("&", Operand.INTEGER),
    NOT_BIT_AND("!&", Operand.INTEGER),
    ENDS_WITH("ENDS_WITH", Operand.TEXT),
    EQUALS("EQUALS", Operand.TEXT),
    GREATER_THAN("Greater_Than", Operand.INTEGER),
    GREATER_THAN_OR_EQUALS("Greater_Than_OR_EQUALS", Operand.INTEGER),
    INCLUDES("Includes", Operand.TEXT),
    IS_FALSE("IS FALSE", Operand.NONE),
    IS_NOT_NULL("IS NOT NULL", Operand.NONE),
    IS_NULL("IS NULL", Operand.NONE),
    IS_TRUE("IS TRUE", Operand.NONE),
    NOT_EQUALS("NOT EQUALS", Operand.TEXT),
    NOT_REGEX_MATCH("NOT REGEX MATCH", Operand.REGEX),
    REGEX_MATCH("REGEX MATCH", Operand.REGEX);

    /** What the clause's value must be: none (unary operators), any text, an integer, or a regular expression. */
    public enum Operand { NONE, TEXT, INTEGER, REGEX }

    private final String entraName;
    private final Operand operand;

    ScopingOperator(String entraName, Operand operand) {
        this.entraName = entraName;
        this.operand = operand;
    }

    /** The name as Entra writes it, e.g. {@code NOT REGEX MATCH} or {@code Greater_Than_OR_EQUALS}. */
    public String entraName() {
        return entraName;
    }

    public Operand operand() {
        return operand;
    }

    /** The operator with exactly this Entra name (case-sensitive, as Entra's names are). */
    public static Optional<ScopingOperator> named(String name) {
        return Arrays.stream(values()).filter(o -> o.entraName.equals(name)).findFirst();
    }

    /** For error messages: the operator the writer probably meant ({@code includes} → {@code Includes}). */
    static Optional<ScopingOperator> closeTo(String name) {
        String normalized = name.trim().replace('_', ' ').replaceAll("\\s+", " ");
        return Arrays.stream(values())
                .filter(o -> o.entraName.replace('_', ' ').equalsIgnoreCase(normalized))
                .findFirst();
    }

    @Override
    public String toString() {
        return entraName;
    }
}
