package io.github.provisioning.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Thousands of generated, mutated and random expressions (seeded, so every run is the same): parsing throws nothing
 * but ExpressionException, and neither does evaluating what parses. No NullPointerException, no StackOverflowError
 * for deep nesting within 10,000 characters, no endless loop.
 */
class ExpressionFuzzTest {

    private static final String SYNTAX = "[]\"(),\\=<>&-+ .0123456789aAzZHé_\n";
    private static final String[] ATTRIBUTES = {"[a]", "[b]", "[empty]", "[missing]", "[list]", "[date]", "[num]",
            "[roles]", "[flag]", "[IsSoftDeleted]"};
    private static final String[] STRINGS = {"\"\"", "\"x\"", "\"True\"", "\"d\"", "\"ww\"", "\"yyyy-MM-dd\"",
            "\"M/d/yyyy h:mm:ss tt\"", "\"(?<g>\\\\d+)\"", "\"g\"", "\"[a-z]*\"", "\"$1${g}$$\"", "\"en-US\"", "\"tr-TR\"",
            "\",\"", "\" \"", "\"2021-08-25T10:00:00Z\"", "\"129699324000000000\"", "\"vbTextCompare\"", "\"\\\"\"",
            "\"((\"", "\"ffffffff\"", "\"None\"", "\"-1\"", "\"99999999999\"", "\"&HFF\""};
    private static final String[] NUMBERS = {"0", "1", "2", "-1", "-10", "7", "256", "257", "&HF7", "9223372036854775807",
            "129699324000000000", "vbTextCompare", "vbBinaryCompare"};
    private static final String[] OPERATORS = {"=", "<>", ">", ">=", "<", "<="};

    private final List<String> failures = new ArrayList<>();
    private int parsed;

    /** Attribute values of every kind a source can give, chosen by the seed. */
    private static Map<String, Object> attributes(Random random) {
        Object[] values = {null, "", "x", "True", "false", "0", "42", "-3", "2021-08-25", "8/25/2021 5:41:18 PM",
                "2020-03-16-07:00", "John Smith", "Zoë", "+91 9998887777", "a".repeat(300), true, false,
                List.of(), List.of("a", "b", "a"), List.of("x"),
                List.of(Map.of("id", "1", "displayName", "Admin", "value", "admin"))};
        Map<String, Object> attributes = new HashMap<>();
        for (String attribute : ATTRIBUTES) {
            String name = attribute.substring(1, attribute.length() - 1);
            Object value = values[random.nextInt(values.length)];
            if (!name.equals("missing")) {
                attributes.put(name, value);
            }
        }
        attributes.put("empty", "");
        return attributes;
    }

    private void check(String expression, Random random) {
        Expression parsedExpression;
        try {
            parsedExpression = Expression.parse(expression);
        } catch (ExpressionException expected) {
            return;
        } catch (Throwable unexpected) {
            failures.add("parse " + unexpected + " for: " + expression);
            return;
        }
        parsed++;
        for (int i = 0; i < 3; i++) {
            Map<String, Object> source = attributes(random);
            boolean unique = random.nextBoolean();
            Evaluation evaluation = new Evaluation(source::get, value -> unique,
                    Clock.fixed(Instant.parse("2021-08-25T17:41:18Z"), ZoneOffset.UTC), new SplittableRandom(random.nextLong()));
            try {
                Object value = parsedExpression.evaluate(evaluation);
                ExpressionFunction.text(value);
            } catch (ExpressionException expected) {
                // a value that a function cannot take
            } catch (Throwable unexpected) {
                failures.add("evaluate " + unexpected + " for: " + expression + " with " + source);
            }
        }
    }

    private String generate(Random random, int depth) {
        int kind = random.nextInt(depth > 4 ? 3 : 6);
        switch (kind) {
            case 0:
                return ATTRIBUTES[random.nextInt(ATTRIBUTES.length)];
            case 1:
                return STRINGS[random.nextInt(STRINGS.length)];
            case 2:
                return random.nextInt(4) == 0 ? "" : NUMBERS[random.nextInt(NUMBERS.length)];
            default:
                ExpressionFunction[] functions = ExpressionFunction.values();
                ExpressionFunction function = functions[random.nextInt(functions.length)];
                int count = random.nextInt(8);
                StringBuilder call = new StringBuilder(function.name()).append('(');
                for (int i = 0; i < count; i++) {
                    if (i > 0) {
                        call.append(random.nextBoolean() ? ", " : ",");
                    }
                    call.append(generate(random, depth + 1));
                    if (i == 0 && random.nextInt(3) == 0) {
                        call.append(' ').append(OPERATORS[random.nextInt(OPERATORS.length)]).append(' ')
                                .append(generate(random, depth + 1));
                    }
                }
                return call.append(')').toString();
        }
    }

    private static String mutate(String expression, Random random) {
        StringBuilder s = new StringBuilder(expression);
        int edits = 1 + random.nextInt(4);
        for (int i = 0; i < edits; i++) {
            int at = s.isEmpty() ? 0 : random.nextInt(s.length());
            switch (random.nextInt(5)) {
                case 0 -> s.insert(at, SYNTAX.charAt(random.nextInt(SYNTAX.length())));
                case 1 -> {
                    if (!s.isEmpty()) {
                        s.deleteCharAt(at);
                    }
                }
                case 2 -> s.setLength(at);
                case 3 -> {
                    if (!s.isEmpty()) {
                        s.setCharAt(at, SYNTAX.charAt(random.nextInt(SYNTAX.length())));
                    }
                }
                default -> {
                    int end = Math.min(s.length(), at + random.nextInt(20));
                    s.insert(at, s.substring(at, end));
                }
            }
        }
        return s.toString();
    }

    private void run(int count, long seed, Function<Random, String> maker) {
        Random random = new Random(seed);
        for (int i = 0; i < count; i++) {
            check(maker.apply(random), random);
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void generatedExpressionsOnlyEverFailWithExpressionException() {
        run(6000, 20240601L, random -> generate(random, 0));
        assertThat(failures).isEmpty();
        assertThat(parsed).as("enough generated expressions parse to exercise evaluation").isGreaterThan(1500);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void mutatedExpressionsOnlyEverFailWithExpressionException() throws Exception {
        List<String> seeds = new ArrayList<>(EntraReferenceExamplesTest.examples().stream()
                .map(EntraReferenceExamplesTest.Example::expression).toList());
        Random generator = new Random(7);
        for (int i = 0; i < 200; i++) {
            seeds.add(generate(generator, 0));
        }
        run(8000, 19L, random -> mutate(seeds.get(random.nextInt(seeds.size())), random));
        assertThat(failures).isEmpty();
        assertThat(parsed).isGreaterThan(800);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void randomTextOnlyEverFailsWithExpressionException() {
        run(4000, 3L, random -> {
            StringBuilder s = new StringBuilder();
            int length = random.nextInt(40);
            for (int i = 0; i < length; i++) {
                s.append(random.nextInt(4) == 0 ? (char) random.nextInt(0x3000) : SYNTAX.charAt(random.nextInt(SYNTAX.length())));
            }
            return s.toString();
        });
        assertThat(failures).isEmpty();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void deepNestingWithinTenThousandCharactersIsAnErrorNotAStackOverflow() {
        Random random = new Random(11);
        List<String> deep = new ArrayList<>();
        deep.add("Not(".repeat(1999) + "[a]" + ")".repeat(1999));
        deep.add("Not(".repeat(2499) + "[a]");
        deep.add("IIF([a] = \"x\", ".repeat(400) + "\"y\"" + ", \"n\")".repeat(400));
        deep.add("Join(\"\", ".repeat(1000));
        deep.add("[".repeat(10_000));
        deep.add("(".repeat(10_000));
        deep.add("\"" + "\\".repeat(9_999));
        deep.add("Coalesce(" + "[a],".repeat(1990) + "[b])");
        deep.add("Switch([a], " + "\"k\", \"v\", ".repeat(830) + "\"d\")");
        deep.add("Replace(\"" + "a".repeat(5000) + "\", , \"(a|aa)*b\", , \"x\", , )");
        deep.add("Replace(\"" + "ab".repeat(4000) + "\", , \"(a|b)*c\", , \"x\", , )");
        deep.add("Replace(\"" + "ab".repeat(4000) + "\", , \"\", , \"$_\", , )");
        for (String expression : deep) {
            assertThat(expression.length()).isLessThanOrEqualTo(Expression.MAX_LENGTH);
            check(expression, random);
        }
        assertThat(failures).isEmpty();
    }
}
