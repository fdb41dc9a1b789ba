package io.github.provisioning.mapping;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * An Entra attribute-mapping expression: {@code [attribute]}, {@code "string"} with {@code \} escapes, and nested
 * function calls such as {@code Join(" ", [givenName], [surname])}. Case-sensitive; at most 10,000 characters;
 * an argument may be left empty ({@code Switch([IsSoftDeleted], , "False", "True")}), which passes null.
 */
public sealed interface Expression {

    int MAX_LENGTH = 10_000;

    Object evaluate(SourceAttributes source);

    /** The source attributes this expression reads, so that Graph is asked for them. */
    void collectAttributes(Set<String> into);

    record Attribute(String name) implements Expression {
        public Object evaluate(SourceAttributes source) {
            return source.get(name);
        }

        public void collectAttributes(Set<String> into) {
            into.add(name);
        }
    }

    record Literal(String value) implements Expression {
        public Object evaluate(SourceAttributes source) {
            return value;
        }

        public void collectAttributes(Set<String> into) {
        }
    }

    /** An argument left empty between two commas. */
    record Empty() implements Expression {
        public Object evaluate(SourceAttributes source) {
            return null;
        }

        public void collectAttributes(Set<String> into) {
        }
    }

    record Call(ExpressionFunction function, List<Expression> arguments) implements Expression {
        public Object evaluate(SourceAttributes source) {
            return function.apply(arguments, source);
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
        Expression expression = parser.expression();
        parser.skipSpaces();
        if (!parser.atEnd()) {
            throw new ExpressionException("Unexpected '" + parser.peek() + "'", parser.pos);
        }
        return expression;
    }

    /** Recursive descent over the small Entra grammar. */
    final class Parser {
        private final String text;
        private int pos;

        private Parser(String text) {
            this.text = text;
        }

        private Expression expression() {
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

        private Expression call() {
            int start = pos;
            while (!atEnd() && Character.isLetterOrDigit(peek())) {
                pos++;
            }
            String name = text.substring(start, pos);
            ExpressionFunction function = ExpressionFunction.named(name)
                    .orElseThrow(() -> new ExpressionException("Unknown function '" + name + "'", start));
            skipSpaces();
            if (atEnd() || peek() != '(') {
                throw new ExpressionException("'(' expected after " + name, pos);
            }
            pos++;
            List<Expression> arguments = new ArrayList<>();
            skipSpaces();
            if (!atEnd() && peek() == ')') {
                pos++;
            } else {
                while (true) {
                    skipSpaces();
                    if (!atEnd() && (peek() == ',' || peek() == ')')) {
                        arguments.add(new Empty());
                    } else {
                        arguments.add(expression());
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
                        throw new ExpressionException("',' or ')' expected in " + name, pos - 1);
                    }
                }
            }
            function.checkArity(arguments.size(), start);
            return new Call(function, List.copyOf(arguments));
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
