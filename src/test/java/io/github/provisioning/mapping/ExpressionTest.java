package io.github.provisioning.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ExpressionTest {

    private static Object eval(String expression, Map<String, Object> attributes) {
        return Expression.parse(expression).evaluate(attributes::get);
    }

    @Test
    void notFlipsIsSoftDeleted() {
        assertThat(eval("Not([IsSoftDeleted])", Map.of("IsSoftDeleted", false))).isEqualTo(true);
        assertThat(eval("Not([IsSoftDeleted])", Map.of("IsSoftDeleted", true))).isEqualTo(false);
    }

    @Test
    void joinLeavesAbsentValuesOut() {
        assertThat(eval("Join(\" \", [givenName], [surname])", Map.of("givenName", "Adele", "surname", "Vance")))
                .isEqualTo("Adele Vance");
        assertThat(eval("Join(\" \", [givenName], [surname])", Map.of("givenName", "Adele"))).isEqualTo("Adele");
        assertThat(eval("Join(\" \", [givenName], [surname])", Map.of())).isNull();
    }

    @Test
    void joinJoinsEveryValueOfAMultiValuedAttribute() {
        assertThat(eval("Join(\",\", [proxyAddresses], [mail])",
                Map.of("proxyAddresses", List.of("a", "b"), "mail", "c"))).isEqualTo("a,b,c");
    }

    @Test
    void switchWithAnEmptyArgumentIsEntrasDefaultActiveMapping() {
        String expression = "Switch([IsSoftDeleted], , \"False\", \"True\", \"True\", \"False\")";
        // Entra's default for active: "True" when not soft-deleted, "False" when soft-deleted.
        assertThat(eval(expression, Map.of("IsSoftDeleted", true))).isEqualTo("False");
        assertThat(eval(expression, Map.of("IsSoftDeleted", false))).isEqualTo("True");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "Switch([country], \"Unknown\", \"FR\", \"France\", \"DE\", \"Germany\")|FR|France",
            "Switch([country], \"Unknown\", \"FR\", \"France\", \"DE\", \"Germany\")|fr|Unknown",
            "Switch([country], \"Unknown\", \"FR\", \"France\", \"DE\", \"Germany\")|IT|Unknown",
            "ToLower([country])|FR|fr",
            "ToUpper([country])|fr|FR",
            "Coalesce([missing], [country])|NL|NL",
            "CStr([country])|NL|NL"})
    void functionsFollowEntraSemantics(String expression, String country, String expected) {
        assertThat(eval(expression, Map.of("country", country))).isEqualTo(expected);
    }

    @Test
    void stringsKeepEscapedQuotesAndBackslashes() {
        assertThat(eval("Join(\"\\\"\", \"a\\\\b\", \"c\")", Map.of())).isEqualTo("a\\b\"c");
    }

    @Test
    void nullAndEmptyAreDifferent() {
        Map<String, Object> attributes = new HashMap<>();
        attributes.put("mail", "");
        assertThat(eval("IsNull([mail])", attributes)).isEqualTo(false);
        assertThat(eval("IsNullOrEmpty([mail])", attributes)).isEqualTo(true);
        assertThat(eval("IsPresent([mail])", attributes)).isEqualTo(false);
        assertThat(eval("IsNull([other])", attributes)).isEqualTo(true);
    }

    @Test
    void collectsTheAttributesItReads() {
        java.util.Set<String> names = new java.util.TreeSet<>();
        Expression.parse("Join(\" \", [givenName], ToUpper([surname]))").collectAttributes(names);
        assertThat(names).containsExactly("givenName", "surname");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "Nope([a])|Unknown function 'Nope'|0",
            "not([a])|Unknown function 'not'|0",
            "Join(\" \", [a]|')' expected to close Join|13",
            "[a|not closed with ']'|0",
            "\"abc|not closed with '\"'|0",
            "Not([a], [b])|Not takes 1 arguments, not 2|0",
            "Switch([a], \"d\", \"k\")|Switch takes at least 4 arguments, not 3|0",
            "Not([a]) x|Unexpected 'x'|9"})
    void parseErrorsNameThePosition(String expression, String message, int position) {
        assertThatThrownBy(() -> Expression.parse(expression))
                .isInstanceOf(ExpressionException.class)
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(((ExpressionException) e).position()).isEqualTo(position));
    }

    @Test
    void anExpressionLongerThanTenThousandCharactersIsRejected() {
        String tooLong = "\"" + "x".repeat(10_000) + "\"";
        assertThatThrownBy(() -> Expression.parse(tooLong)).hasMessageContaining("longer than 10000");
    }
}
