package io.github.provisioning.mapping;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * An Entra attribute-mapping expression: {@code [attribute]}, {@code "string"} with {@code \} escapes, whole numbers
 * ({@code 7}, {@code -10}, {@code &HF7}), the constants {@code vbTextCompare} and {@code vbBinaryCompare}, and nested
 * function calls such as {@code Join(" ", [givenName], [surname])}. Case-sensitive; at most 10,000 characters and
 * 100 nested calls; an argument may be left empty ({@code Switch([IsSoftDeleted], , "False", "True")}), which passes
 * null. Entra: "The following comparison operators can be used in the condition" of IIF: {@code = <> > >= < <=};
 * the page also shows one in CBool's argument, and those two places are the only ones where they are accepted.
 */
public sealed interface Expression {

    int MAX_LENGTH = 10_000;
    int MAX_NESTING = 100;

    /** Evaluates against one source object, with no target to ask about uniqueness. */
    default Object evaluate(SourceAttributes source) {
        return evaluate(new Evaluation(source));
    }

    /** Evaluates with a target that answers SelectUniqueValue's uniqueness questions. */
    default Object evaluate(SourceAttributes source, UniquenessCheck uniqueness) {
        return evaluate(new Evaluation(source, uniqueness));
    }

    /**
     * @return a String, Boolean, Long, {@link DateTimeValue}, a List (multi-valued), a List of Maps
     *         (AppRoleAssignmentsComplex), {@link Redacted}, {@link Ignored#INSTANCE}, or null (no value)
     * @throws ExpressionException when a function cannot compute its value (position -1)
     */
    Object evaluate(Evaluation evaluation);

    /** The source attributes this expression reads, so that Graph is asked for them. */
    void collectAttributes(Set<String> into);

    /** Whether this expression calls the function anywhere. */
    default boolean calls(ExpressionFunction function) {
        if (this instanceof Call call) {
            return call.function() == function || call.arguments().stream().anyMatch(a -> a.calls(function));
        }
        if (this instanceof Comparison comparison) {
            return comparison.left().calls(function) || comparison.right().calls(function);
        }
        return false;
    }

    record Attribute(String name) implements Expression {
        public Object evaluate(Evaluation evaluation) {
            return evaluation.source().get(name);
        }

        public void collectAttributes(Set<String> into) {
            into.add(name);
        }
    }

    record Literal(String value) implements Expression {
        public Object evaluate(Evaluation evaluation) {
            return value;
        }

        public void collectAttributes(Set<String> into) {
        }
    }

    /** A whole number: {@code 1000}, {@code -10}, {@code &HF7}, or vbBinaryCompare (0) and vbTextCompare (1). */
    record NumberLiteral(long value) implements Expression {
        public Object evaluate(Evaluation evaluation) {
            return value;
        }

        public void collectAttributes(Set<String> into) {
        }
    }

    /** An argument left empty between two commas. */
    record Empty() implements Expression {
        public Object evaluate(Evaluation evaluation) {
            return null;
        }

        public void collectAttributes(Set<String> into) {
        }
    }

    /** {@code left op right} in IIF's condition or CBool's argument: True, False, or null when a side is null. */
    record Comparison(Expression left, Operator operator, Expression right) implements Expression {
        public Object evaluate(Evaluation evaluation) {
            return ExpressionFunction.compare(ExpressionFunction.value(left, evaluation), operator,
                    ExpressionFunction.value(right, evaluation));
        }

        public void collectAttributes(Set<String> into) {
            left.collectAttributes(into);
            right.collectAttributes(into);
        }
    }

    enum Operator {
        EQUAL("="), NOT_EQUAL("<>"), GREATER(">"), GREATER_OR_EQUAL(">="), LESS("<"), LESS_OR_EQUAL("<=");

        final String symbol;

        Operator(String symbol) {
            this.symbol = symbol;
        }
    }

    record Call(ExpressionFunction function, List<Expression> arguments) implements Expression {
        public Object evaluate(Evaluation evaluation) {
            boolean outer = evaluation.redacted;
            evaluation.redacted = false;
            try {
                Object result = function.apply(arguments, evaluation);
                // A value computed from a redacted argument is redacted too.
                if (evaluation.redacted && result != null && !(result instanceof Redacted) && result != Ignored.INSTANCE) {
                    result = new Redacted(result);
                }
                return result;
            } catch (ExpressionFunction.IgnoreFlow ignored) {
                // An argument was IgnoreFlowIfNullOrEmpty's "drop it": so is this call's value.
                return Ignored.INSTANCE;
            } finally {
                evaluation.redacted = outer;
            }
        }

        public void collectAttributes(Set<String> into) {
            arguments.forEach(a -> a.collectAttributes(into));
        }
    }

    static Expression parse(String text) {
        if (text == null || text.isBlank()) {
            throw new ExpressionException("Expression is empty", 0);
        }
        if (text.length() > MAX_LENGTH) {
            throw new ExpressionException("Expression is longer than " + MAX_LENGTH + " characters", MAX_LENGTH);
        }
        Parser parser = new Parser(text);
        parser.skipSpaces();
        Expression expression = parser.operand();
        parser.skipSpaces();
        if (!parser.atEnd()) {
            if (parser.operatorAhead() != null) {
                throw new ExpressionException(
                        "Comparison operators are only allowed in IIF's condition and CBool's argument", parser.pos);
            }
            throw new ExpressionException("Unexpected '" + parser.peek() + "'", parser.pos);
        }
        return expression;
    }

    /** Recursive descent over the small Entra grammar. */
    final class Parser {
        private final String text;
        private int pos;
        private int depth;

        private Parser(String text) {
            this.text = text;
        }

        /** An attribute, string, number, constant or call: anything but a comparison. */
        private Expression operand() {
            skipSpaces();
            if (atEnd()) {
                throw new ExpressionException("Expression expected", pos);
            }
            char c = peek();
            if (c == '[') {
                return attribute();
            }
            if (c == '"') {
                return new Literal(string());
            }
            if (isDigit(c) || (c == '-' && pos + 1 < text.length() && isDigit(text.charAt(pos + 1)))) {
                return number();
            }
            if (c == '&' && pos + 1 < text.length() && (text.charAt(pos + 1) == 'H' || text.charAt(pos + 1) == 'h')) {
                return hexNumber();
            }
            if (Character.isLetter(c)) {
                return call();
            }
            throw new ExpressionException("Unexpected '" + c + "'", pos);
        }

        private Expression attribute() {
            int start = pos++;
            int close = text.indexOf(']', pos);
            if (close < 0) {
                throw new ExpressionException("Attribute name is not closed with ']'", start);
            }
            String name = text.substring(pos, close).trim();
            if (name.isEmpty()) {
                throw new ExpressionException("Attribute name is empty", start);
            }
            if (name.indexOf('[') >= 0) {
                throw new ExpressionException("Attribute name contains '['", start);
            }
            pos = close + 1;
            return new Attribute(name);
        }

        private String string() {
            int start = pos++;
            StringBuilder value = new StringBuilder();
            while (!atEnd()) {
                char c = text.charAt(pos++);
                if (c == '\\') {
                    if (atEnd()) {
                        break;
                    }
                    value.append(text.charAt(pos++));
                } else if (c == '"') {
                    return value.toString();
                } else {
                    value.append(c);
                }
            }
            throw new ExpressionException("String is not closed with '\"'", start);
        }

        private Expression number() {
            int start = pos;
            if (peek() == '-') {
                pos++;
            }
            while (!atEnd() && isDigit(peek())) {
                pos++;
            }
            if (!atEnd() && (peek() == '.' || Character.isLetter(peek()))) {
                throw new ExpressionException("Only whole numbers can be written without quotes", start);
            }
            try {
                return new NumberLiteral(Long.parseLong(text.substring(start, pos)));
            } catch (NumberFormatException e) {
                throw new ExpressionException("Number is too large", start);
            }
        }

        private Expression hexNumber() {
            int start = pos;
            pos += 2;
            int digits = pos;
            while (!atEnd() && Character.digit(peek(), 16) >= 0) {
                pos++;
            }
            if (pos == digits || pos - digits > 16) {
                throw new ExpressionException("&H must be followed by 1 to 16 hexadecimal digits", start);
            }
            return new NumberLiteral(Long.parseUnsignedLong(text.substring(digits, pos), 16));
        }

        private Expression call() {
            int start = pos;
            while (!atEnd() && Character.isLetterOrDigit(peek())) {
                pos++;
            }
            String name = text.substring(start, pos);
            int afterName = pos;
            skipSpaces();
            boolean opens = !atEnd() && peek() == '(';
            if (!opens && (name.equals("vbBinaryCompare") || name.equals("vbTextCompare"))) {
                pos = afterName;
                return new NumberLiteral(name.equals("vbTextCompare") ? 1 : 0);
            }
            ExpressionFunction function = ExpressionFunction.named(name)
                    .orElseThrow(() -> new ExpressionException(unknown(name), start));
            if (!opens) {
                throw new ExpressionException("'(' expected after " + name, pos);
            }
            if (++depth > MAX_NESTING) {
                throw new ExpressionException("Expression nests more than " + MAX_NESTING + " function calls", start);
            }
            if (function == ExpressionFunction.SelectUniqueValue && depth > 1) {
                // Entra: "This function must be at the top-level and can't be nested."
                throw new ExpressionException("SelectUniqueValue must be at the top level, not nested", start);
            }
            pos++;
            List<Expression> arguments = new ArrayList<>();
            List<Integer> positions = new ArrayList<>();
            skipSpaces();
            if (!atEnd() && peek() == ')') {
                pos++;
            } else {
                while (true) {
                    skipSpaces();
                    positions.add(pos);
                    if (!atEnd() && (peek() == ',' || peek() == ')')) {
                        arguments.add(new Empty());
                    } else {
                        arguments.add(argument(function, arguments.size()));
                        skipSpaces();
                    }
                    if (atEnd()) {
                        throw new ExpressionException("')' expected to close " + name, pos);
                    }
                    char c = text.charAt(pos++);
                    if (c == ')') {
                        break;
                    }
                    if (c != ',') {
                        if (operatorAt(pos - 1) != null) {
                            throw new ExpressionException("Comparison operators are only allowed in IIF's condition "
                                    + "and CBool's argument", pos - 1);
                        }
                        throw new ExpressionException("',' or ')' expected in " + name, pos - 1);
                    }
                }
            }
            depth--;
            function.checkArity(arguments.size(), start);
            function.checkLiterals(arguments, positions);
            return new Call(function, List.copyOf(arguments));
        }

        /** An argument: an operand, or a comparison where Entra documents one. */
        private Expression argument(ExpressionFunction function, int index) {
            Expression left = operand();
            skipSpaces();
            Operator operator = operatorAhead();
            if (operator == null) {
                return left;
            }
            boolean allowed = index == 0 && (function == ExpressionFunction.IIF || function == ExpressionFunction.CBool);
            if (!allowed) {
                throw new ExpressionException(
                        "Comparison operators are only allowed in IIF's condition and CBool's argument", pos);
            }
            pos += operator.symbol.length();
            Expression right = operand();
            skipSpaces();
            if (operatorAhead() != null) {
                throw new ExpressionException("Only one comparison is allowed in a condition", pos);
            }
            return new Comparison(left, operator, right);
        }

        private Operator operatorAhead() {
            return atEnd() ? null : operatorAt(pos);
        }

        private Operator operatorAt(int at) {
            char c = text.charAt(at);
            char next = at + 1 < text.length() ? text.charAt(at + 1) : 0;
            return switch (c) {
                case '=' -> Operator.EQUAL;
                case '<' -> next == '>' ? Operator.NOT_EQUAL : next == '=' ? Operator.LESS_OR_EQUAL : Operator.LESS;
                case '>' -> next == '=' ? Operator.GREATER_OR_EQUAL : Operator.GREATER;
                default -> null;
            };
        }

        private static String unknown(String name) {
            String message = "Unknown function '" + name + "'";
            for (ExpressionFunction f : ExpressionFunction.values()) {
                if (f.name().equalsIgnoreCase(name)) {
                    return message + " (function names are case-sensitive: " + f.name() + ")";
                }
            }
            if (name.equalsIgnoreCase("true") || name.equalsIgnoreCase("false")) {
                return message + " (write booleans as strings: \"True\", \"False\")";
            }
            return message;
        }

        private static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }

        private void skipSpaces() {
            while (!atEnd() && Character.isWhitespace(peek())) {
                pos++;
            }
        }

        private boolean atEnd() {
            return pos >= text.length();
        }

        private char peek() {
            return text.charAt(pos);
        }
    }
}
