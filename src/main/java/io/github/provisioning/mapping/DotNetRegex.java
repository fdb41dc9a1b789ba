package io.github.provisioning.mapping;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A .NET regular expression, as Entra's Replace takes it (see "Grouping Constructs in Regular Expressions"),
 * run on java.util.regex. The translation keeps .NET's meaning where the two differ:
 * <ul>
 * <li>named groups may contain '_' and are numbered after the unnamed ones, as in .NET;</li>
 * <li>{@code \d \w \s \b} are Unicode-aware, as in .NET;</li>
 * <li>'[' inside a character class is a literal;</li>
 * <li>replacement strings use .NET substitutions: {@code $1 ${name} $$ $& $` $' $+ $_}.</li>
 * </ul>
 * Not supported, with an ExpressionException: conditionals {@code (?(...)...)}, balancing groups
 * {@code (?<a-b>...)}, character class subtraction {@code [a-z-[aeiou]]}, the {@code n} option, numbered names
 * {@code (?<2>...)} and a group name used twice. A match that takes too long fails, as .NET's match timeout does.
 */
final class DotNetRegex {

    /** About a second of backtracking; Entra's own evaluation stops a runaway regex too. */
    private static final long STEP_BUDGET = 20_000_000;

    private final Pattern pattern;
    /** .NET group number to Java group number. */
    private final Map<Integer, Integer> numbers;
    /** .NET group name to .NET group number. */
    private final Map<String, Integer> names;

    private DotNetRegex(Pattern pattern, Map<Integer, Integer> numbers, Map<String, Integer> names) {
        this.pattern = pattern;
        this.numbers = numbers;
        this.names = names;
    }

    static DotNetRegex compile(String dotNetPattern) {
        Translation t = new Translation(dotNetPattern);
        t.run();
        try {
            Pattern pattern = Pattern.compile(t.out.toString(), Pattern.UNICODE_CHARACTER_CLASS);
            return new DotNetRegex(pattern, t.numbers(), t.names());
        } catch (PatternSyntaxException e) {
            throw new ExpressionException("'" + dotNetPattern + "' is not a valid regular expression: "
                    + e.getDescription(), -1);
        }
    }

    /** Regex.Replace(input, pattern, replacement): every match replaced, with .NET substitutions. */
    String replace(String input, String replacement) {
        List<Object> parts = substitution(replacement);
        return run(input, m -> {
            StringBuilder out = new StringBuilder();
            for (Object part : parts) {
                if (part instanceof String text) {
                    out.append(text);
                } else if (part instanceof Integer number) {
                    out.append(group(m, number));
                } else {
                    out.append(switch ((Character) part) {
                        case '`' -> input.substring(0, m.start());
                        case '\'' -> input.substring(m.end());
                        case '_' -> input;
                        default -> group(m, numbers.keySet().stream().max(Integer::compare).orElse(0));
                    });
                }
            }
            return out.toString();
        });
    }

    /** Entra's Replace with regexGroupName and replacementValue: the text of that group, in every match, replaced. */
    String replaceGroup(String input, String groupName, String replacement) {
        Integer number = names.get(groupName);
        if (number == null) {
            throw new ExpressionException("The regular expression has no group named '" + groupName + "'", -1);
        }
        int javaGroup = numbers.get(number);
        return run(input, m -> {
            if (m.start(javaGroup) < 0) {
                return m.group();
            }
            return input.substring(m.start(), m.start(javaGroup)) + replacement
                    + input.substring(m.end(javaGroup), m.end());
        });
    }

    /** The value of a named group in the first match, or null when nothing matches. */
    String firstGroup(String input, String groupName) {
        Integer number = names.get(groupName);
        if (number == null) {
            throw new ExpressionException("The regular expression has no group named '" + groupName + "'", -1);
        }
        try {
            Matcher m = pattern.matcher(new Bounded(input, new long[] {STEP_BUDGET}));
            return m.find() ? m.group(numbers.get(number)) : null;
        } catch (StackOverflowError | TooSlow e) {
            throw tooSlow();
        }
    }

    private interface Replacer {
        String replace(Matcher m);
    }

    private String run(String input, Replacer replacer) {
        try {
            Matcher m = pattern.matcher(new Bounded(input, new long[] {STEP_BUDGET}));
            StringBuilder out = new StringBuilder();
            int last = 0;
            while (m.find()) {
                out.append(input, last, m.start()).append(replacer.replace(m));
                last = m.end();
            }
            return out.append(input, last, input.length()).toString();
        } catch (StackOverflowError | TooSlow e) {
            throw tooSlow();
        }
    }

    private String group(Matcher m, int dotNetNumber) {
        if (dotNetNumber == 0) {
            return m.group();
        }
        String value = m.group(numbers.get(dotNetNumber));
        return value == null ? "" : value;
    }

    private static ExpressionException tooSlow() {
        return new ExpressionException("The regular expression took too long to match", -1);
    }

    /**
     * A .NET replacement string as literal text, group numbers (Integer) and the specials $&amp; $` $' $+ $_
     * (Character). Groups referred to by name become numbers; "$" not followed by a valid reference is a literal.
     */
    private List<Object> substitution(String replacement) {
        List<Object> parts = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        int i = 0;
        while (i < replacement.length()) {
            char c = replacement.charAt(i);
            if (c != '$' || i + 1 >= replacement.length()) {
                text.append(c);
                i++;
                continue;
            }
            char next = replacement.charAt(i + 1);
            Object reference = null;
            int end = i + 2;
            if (next == '$') {
                text.append('$');
                i += 2;
                continue;
            } else if ("&`'+_".indexOf(next) >= 0) {
                reference = next == '&' ? (Object) 0 : (Object) next;
            } else if (next == '{') {
                int close = replacement.indexOf('}', i + 2);
                if (close > 0) {
                    String name = replacement.substring(i + 2, close);
                    if (names.containsKey(name)) {
                        reference = names.get(name);
                    } else if (name.matches("\\d{1,9}") && (Integer.parseInt(name) == 0
                            || numbers.containsKey(Integer.parseInt(name)))) {
                        reference = Integer.parseInt(name);
                    }
                    end = close + 1;
                }
            } else if (Character.isDigit(next)) {
                // .NET takes the longest run of digits that names an existing group.
                int number = 0;
                int j = i + 1;
                while (j < replacement.length() && Character.isDigit(replacement.charAt(j)) && number < 100_000_000) {
                    number = number * 10 + Character.digit(replacement.charAt(j), 10);
                    j++;
                    if (number == 0 || numbers.containsKey(number)) {
                        reference = number;
                        end = j;
                    }
                }
            }
            if (reference == null) {
                text.append('$');
                i++;
                continue;
            }
            if (!text.isEmpty()) {
                parts.add(text.toString());
                text.setLength(0);
            }
            parts.add(reference);
            i = end;
        }
        if (!text.isEmpty()) {
            parts.add(text.toString());
        }
        return parts;
    }

    /** Rewrites a .NET pattern for java.util.regex and records how .NET numbers its groups. */
    private static final class Translation {
        final String in;
        final StringBuilder out = new StringBuilder();
        /** Capturing groups in order of their opening parenthesis: null for unnamed, else the .NET name. */
        final List<String> groups = new ArrayList<>();
        final Map<String, String> javaNames = new LinkedHashMap<>();
        boolean numberedBackReference;

        Translation(String in) {
            this.in = in;
        }

        void run() {
            int i = 0;
            boolean inClass = false;
            while (i < in.length()) {
                char c = in.charAt(i);
                if (c == '\\') {
                    if (i + 2 < in.length() && in.charAt(i + 1) == 'k'
                            && (in.charAt(i + 2) == '<' || in.charAt(i + 2) == '\'') && !inClass) {
                        char close = in.charAt(i + 2) == '<' ? '>' : '\'';
                        int end = in.indexOf(close, i + 3);
                        if (end < 0) {
                            throw unsupported("an unclosed \\k reference");
                        }
                        out.append("\\k<").append(javaName(in.substring(i + 3, end))).append('>');
                        i = end + 1;
                        continue;
                    }
                    if (!inClass && i + 1 < in.length() && in.charAt(i + 1) >= '1' && in.charAt(i + 1) <= '9') {
                        numberedBackReference = true;
                    }
                    out.append(c);
                    if (i + 1 < in.length()) {
                        out.append(in.charAt(i + 1));
                    }
                    i += 2;
                    continue;
                }
                if (inClass) {
                    if (c == ']') {
                        inClass = false;
                        out.append(c);
                    } else if (c == '[') {
                        if (i > 0 && in.charAt(i - 1) == '-') {
                            throw unsupported("character class subtraction");
                        }
                        out.append("\\[");
                    } else if (c == '&') {
                        out.append("\\&");
                    } else {
                        out.append(c);
                    }
                    i++;
                    continue;
                }
                if (c == '[') {
                    inClass = true;
                    out.append(c);
                    i++;
                    if (i < in.length() && in.charAt(i) == '^') {
                        out.append('^');
                        i++;
                    }
                    if (i < in.length() && in.charAt(i) == ']') {
                        out.append("\\]");
                        i++;
                    }
                    continue;
                }
                if (c == '(') {
                    i = group(i);
                    continue;
                }
                out.append(c);
                i++;
            }
            // .NET numbers named groups after unnamed ones; java.util.regex numbers them in order.
            if (numberedBackReference && groups.contains(null) && groups.stream().anyMatch(g -> g != null)) {
                throw unsupported("numbered back-references with both named and unnamed groups");
            }
        }

        private int group(int i) {
            if (i + 1 >= in.length() || in.charAt(i + 1) != '?') {
                groups.add(null);
                out.append('(');
                return i + 1;
            }
            if (i + 2 >= in.length()) {
                out.append("(?");
                return i + 2;
            }
            char kind = in.charAt(i + 2);
            if ((kind == '<' && i + 3 < in.length() && in.charAt(i + 3) != '=' && in.charAt(i + 3) != '!')
                    || kind == '\'') {
                char close = kind == '<' ? '>' : '\'';
                int end = in.indexOf(close, i + 3);
                if (end < 0) {
                    throw unsupported("an unclosed group name");
                }
                String name = in.substring(i + 3, end);
                if (name.contains("-")) {
                    throw unsupported("balancing groups");
                }
                if (name.matches("\\d+")) {
                    throw unsupported("numbered group names");
                }
                if (javaNames.containsKey(name)) {
                    throw unsupported("a group name used twice");
                }
                groups.add(name);
                out.append("(?<").append(javaName(name)).append('>');
                return end + 1;
            }
            if (kind == '(') {
                throw unsupported("conditional groups");
            }
            if (kind == '#') {
                int end = in.indexOf(')', i);
                return end < 0 ? in.length() : end + 1;
            }
            int j = i + 2;
            while (j < in.length() && "imnsx-".indexOf(in.charAt(j)) >= 0) {
                if (in.charAt(j) == 'n') {
                    throw unsupported("the n (explicit capture) option");
                }
                j++;
            }
            out.append("(?");
            return i + 2;
        }

        private String javaName(String name) {
            if (!name.matches("\\w+")) {
                throw unsupported("the group name '" + name + "'");
            }
            return javaNames.computeIfAbsent(name, n -> "g" + javaNames.size() + "x" + n.replaceAll("[^A-Za-z0-9]", ""));
        }

        private ExpressionException unsupported(String what) {
            return new ExpressionException("The regular expression '" + in + "' uses " + what
                    + ", which is not supported", -1);
        }

        /** .NET numbers unnamed groups first, then named ones in order of appearance. */
        Map<Integer, Integer> numbers() {
            Map<Integer, Integer> numbers = new LinkedHashMap<>();
            int next = 1;
            for (int pass = 0; pass < 2; pass++) {
                for (int j = 0; j < groups.size(); j++) {
                    if ((groups.get(j) == null) == (pass == 0)) {
                        numbers.put(next++, j + 1);
                    }
                }
            }
            return numbers;
        }

        Map<String, Integer> names() {
            Map<String, Integer> names = new LinkedHashMap<>();
            int unnamed = (int) groups.stream().filter(g -> g == null).count();
            int next = unnamed + 1;
            for (String group : groups) {
                if (group != null) {
                    names.put(group, next++);
                }
            }
            for (int n = 1; n < next; n++) {
                names.putIfAbsent(String.valueOf(n), n);
            }
            return names;
        }
    }

    private static final class TooSlow extends RuntimeException {
        TooSlow() {
            super(null, null, false, false);
        }
    }

    /** The input, counting the characters the matcher reads, so that catastrophic backtracking stops. */
    private record Bounded(String text, long[] budget) implements CharSequence {
        @Override
        public int length() {
            return text.length();
        }

        @Override
        public char charAt(int index) {
            if (--budget[0] < 0) {
                throw new TooSlow();
            }
            return text.charAt(index);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new Bounded(text.substring(start, end), budget);
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
