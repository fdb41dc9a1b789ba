package io.github.provisioning.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Every example of Microsoft's expression reference, one row each in
 * {@code src/test/resources/expressions/entra-reference-examples.yaml}; the file's header explains the columns.
 * AdminApiReferenceExamplesTest sends the same rows through the expression tester's HTTP API.
 */
public class EntraReferenceExamplesTest {

    private static final String TABLE = "expressions/entra-reference-examples.yaml";
    /** date1 of the page's DateDiff table, "8/25/2021 5:41:18 PM", so that its Now() rows give its numbers. */
    private static final Instant NOW = Instant.parse("2021-08-25T17:41:18Z");
    private static final Set<String> STATUSES = Set.of("documented", "described", "derived", "corrected", "linked");

    public record Example(String heading, String example, String expression, Map<String, Object> input, Object output,
                   String shape, boolean ignored, String logged, Set<String> existing, Instant now, String status,
                   String note) {
        @Override
        public String toString() {
            return heading + ": " + example;
        }
    }

    @SuppressWarnings("unchecked")
    public static List<Example> examples() throws IOException {
        try (InputStream in = EntraReferenceExamplesTest.class.getClassLoader().getResourceAsStream(TABLE)) {
            List<Map<String, Object>> rows = (List<Map<String, Object>>) new Load(LoadSettings.builder().build())
                    .loadFromInputStream(in);
            return rows.stream().map(row -> new Example(
                    (String) row.get("heading"),
                    (String) row.get("example"),
                    (String) row.get("expression"),
                    row.containsKey("input") ? (Map<String, Object>) row.get("input") : Map.of(),
                    row.get("output"),
                    (String) row.get("shape"),
                    Boolean.TRUE.equals(row.get("ignored")),
                    (String) row.get("logged"),
                    row.containsKey("existing") ? new HashSet<>((List<String>) row.get("existing")) : Set.of(),
                    row.containsKey("now") ? Instant.parse((String) row.get("now")) : NOW,
                    (String) row.get("status"),
                    (String) row.get("note"))).toList();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void theDocumentedExpressionGivesTheDocumentedOutput(Example example) {
        Evaluation evaluation = new Evaluation(example.input()::get, value -> !example.existing().contains(value),
                Clock.fixed(example.now(), ZoneOffset.UTC), new SplittableRandom(42));

        Object actual = Expression.parse(example.expression()).evaluate(evaluation);

        if (example.ignored()) {
            assertThat(actual).isSameAs(Ignored.INSTANCE);
            return;
        }
        if (example.logged() != null) {
            assertThat(actual).isInstanceOf(Redacted.class).hasToString(example.logged());
            actual = ((Redacted) actual).value();
        }
        if (example.shape() != null) {
            assertThat(ExpressionFunction.text(actual)).matches(example.shape());
        } else if (example.output() instanceof List<?> expected) {
            assertThat(actual).isInstanceOf(List.class).isEqualTo(expected);
        } else if (example.output() == null) {
            assertThat(actual).isNull();
        } else {
            assertThat(ExpressionFunction.text(actual)).isEqualTo(example.output());
        }
    }

    @Test
    void everyFunctionOfThePageHasAnExample() throws IOException {
        List<Expression> expressions = examples().stream().map(e -> Expression.parse(e.expression())).toList();
        Stream<ExpressionFunction> onThePage = Arrays.stream(ExpressionFunction.values())
                .filter(f -> f != ExpressionFunction.Len);
        assertThat(onThePage).allSatisfy(function -> assertThat(expressions)
                .as(function.name()).anyMatch(e -> e.calls(function)));
    }

    @Test
    void everyRowSaysWhereItsOutputComesFrom() throws IOException {
        assertThat(examples()).hasSizeGreaterThan(140).allSatisfy(example -> {
            assertThat(example.status()).as(example.toString()).isIn(STATUSES);
            if (example.status().equals("corrected") || example.status().equals("derived")) {
                assertThat(example.note()).as(example + " needs a note").isNotBlank();
            }
            assertThat(example.output() != null || example.shape() != null || example.ignored()
                    || example.status().equals("described")).as(example.toString()).isTrue();
        });
    }
}
