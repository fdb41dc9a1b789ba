package io.github.provisioning.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.provisioning.graph.EntraUser;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Scoping filters as loaded from a mapping file: AND within a filter, OR across filters, and load-time checks. */
class ScopingFilterTest {

    private static final String MAPPINGS = """
            user:
              mappings:
                - {target: userName, source: userPrincipalName, match: 1}
            """;

    private static final ScopingFilter SALES_OR_MANAGERS = scoping("""
              scoping:
                - title: Sales staff
                  clauses:
                    - {attribute: department, operator: EQUALS, value: Sales}
                    - {attribute: accountEnabled, operator: IS TRUE}
                - title: Managers
                  clauses:
                    - {attribute: jobTitle, operator: REGEX MATCH, value: '.*Manager$'}
            """);

    @Test
    void theFileShapeBecomesFiltersOfClauses() {
        assertThat(SALES_OR_MANAGERS.filters()).extracting(ScopingFilter.Group::title)
                .containsExactly("Sales staff", "Managers");
        assertThat(SALES_OR_MANAGERS.filters().get(0).clauses()).extracting(ScopingClause::toString)
                .containsExactly("department EQUALS Sales", "accountEnabled IS TRUE");
        assertThat(SALES_OR_MANAGERS.filters().get(1).clauses().get(0).operator())
                .isEqualTo(ScopingOperator.REGEX_MATCH);
    }

    @Test
    void everyClauseOfOneFilterMustHold() {
        assertThat(SALES_OR_MANAGERS.evaluate(user("department", "Sales", "accountEnabled", true)).inScope()).isTrue();
        assertThat(SALES_OR_MANAGERS.evaluate(user("department", "Sales", "accountEnabled", false)).inScope())
                .isFalse();
        assertThat(SALES_OR_MANAGERS.evaluate(user("department", "Sales")).inScope()).isFalse();
    }

    @Test
    void anyOneFilterIsEnoughToBeInScope() {
        assertThat(SALES_OR_MANAGERS.evaluate(user("jobTitle", "Engineering Manager")).inScope()).isTrue();
        assertThat(SALES_OR_MANAGERS.evaluate(user("jobTitle", "Manager of Engineering")).inScope()).isFalse();
        assertThat(SALES_OR_MANAGERS.evaluate(
                user("department", "Sales", "accountEnabled", true, "jobTitle", "Sales Manager")).inScope()).isTrue();
    }

    @Test
    void theReasonNamesTheFailingClausesOfEachFilter() {
        ScopingFilter.Decision decision = SALES_OR_MANAGERS.evaluate(
                user("department", "Marketing", "accountEnabled", true, "jobTitle", "Engineer"));

        assertThat(decision.inScope()).isFalse();
        assertThat(decision.reason())
                .isEqualTo("Sales staff: department EQUALS Sales; Managers: jobTitle REGEX MATCH .*Manager$");
        assertThat(SALES_OR_MANAGERS.evaluate(user()).reason()).isEqualTo(
                "Sales staff: department EQUALS Sales and accountEnabled IS TRUE; Managers: jobTitle REGEX MATCH .*Manager$");
    }

    @Test
    void anUntitledFilterIsNamedByItsClausesAlone() {
        ScopingFilter filter = scoping("""
                  scoping:
                    - clauses:
                        - {attribute: department, operator: EQUALS, value: Sales}
                """);

        assertThat(filter.evaluate(user("department", "Marketing")).reason()).isEqualTo("department EQUALS Sales");
    }

    @Test
    void withoutScopingEveryUserIsInScope() {
        ObjectMapping mapping = MappingTable.parse("t.yaml", MAPPINGS).user();

        assertThat(mapping.scoping()).isEqualTo(ScopingFilter.NONE);
        assertThat(mapping.scoping().evaluate(user())).isEqualTo(ScopingFilter.Decision.IN_SCOPE);
    }

    @Test
    void scopingAttributesAreReadFromGraph() {
        ObjectMapping mapping = MappingTable.parse("t.yaml", MAPPINGS + """
                  scoping:
                    - clauses:
                        - {attribute: companyName, operator: EQUALS, value: Contoso}
                        - {attribute: telephoneNumber, operator: IS NOT NULL}
                        - {attribute: IsSoftDeleted, operator: IS FALSE}
                """).user();

        assertThat(mapping.sourceAttributes()).contains("userPrincipalName", "companyName", "telephoneNumber",
                "IsSoftDeleted");
        assertThat(EntraUser.select(mapping.sourceAttributes()).split(","))
                .contains("companyName", "businessPhones").doesNotContain("IsSoftDeleted", "telephoneNumber");
    }

    @Test
    void clausesReadEntraNamesThroughTheGraphUser() {
        ScopingFilter filter = scoping("""
                  scoping:
                    - clauses:
                        - {attribute: telephoneNumber, operator: REGEX MATCH, value: '\\+1 .*'}
                        - {attribute: IsSoftDeleted, operator: IS FALSE}
                        - {attribute: objectId, operator: IS NOT NULL}
                """);
        ObjectNode graph = new ObjectMapper().createObjectNode().put("id", "u1");
        graph.putArray("businessPhones").add("+1 555 0100");

        assertThat(filter.evaluate(new EntraUser(graph, false)).inScope()).isTrue();
        assertThat(filter.evaluate(new EntraUser(graph, true)).reason()).isEqualTo("IsSoftDeleted IS FALSE");
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
            "{attribute: department, operator: CONTAINS, value: Sales}|t.yaml:6: unknown scoping operator 'CONTAINS' (expected one of [&, !&, ENDS_WITH, EQUALS,",
            "{attribute: department, operator: includes, value: Sales}|t.yaml:6: unknown scoping operator 'includes' (did you mean 'Includes'?)",
            "{attribute: department, operator: Greater_than, value: 5}|t.yaml:6: unknown scoping operator 'Greater_than' (did you mean 'Greater_Than'?)",
            "{attribute: department, operator: IS_NULL}|t.yaml:6: unknown scoping operator 'IS_NULL' (did you mean 'IS NULL'?)",
            "{attribute: department, operator: EQUALS}|t.yaml:6: EQUALS needs a value",
            "{attribute: department, operator: EQUALS, value: }|t.yaml:6: EQUALS needs a value",
            "{attribute: department, operator: Includes, value: ''}|t.yaml:6: Includes needs a value",
            "{attribute: accountEnabled, operator: IS TRUE, value: 'true'}|t.yaml:6: IS TRUE takes no value",
            "{attribute: manager, operator: IS NULL, value: x}|t.yaml:6: IS NULL takes no value",
            "{attribute: jobTitle, operator: REGEX MATCH, value: '(Manager'}|t.yaml:6: REGEX MATCH needs a valid regular expression: Unclosed group",
            "{attribute: upn, operator: NOT REGEX MATCH, value: '*@x'}|t.yaml:6: NOT REGEX MATCH needs a valid regular expression: Dangling meta character '*'",
            "{attribute: employeeId, operator: Greater_Than, value: ten}|t.yaml:6: Greater_Than needs an integer value, not 'ten'",
            "{attribute: employeeId, operator: Greater_Than_OR_EQUALS, value: 1.5}|t.yaml:6: Greater_Than_OR_EQUALS needs an integer value, not '1.5'",
            "{attribute: flags, operator: '&', value: 0x2}|t.yaml:6: & needs an integer value, not '0x2'",
            "{attribute: flags, operator: '!&', value: two}|t.yaml:6: !& needs an integer value, not 'two'",
            "{attribute: flags, operator: &, value: 2}|t.yaml:6: not valid YAML: while scanning an anchor",
            "{attribute: flags, operator: !&, value: 2}|t.yaml:6: not valid YAML: while scanning a tag",
            "{attribute: department, operator: EQUALS, values: Sales}|t.yaml:6: unknown key 'values'",
            "{attribute: department, value: Sales}|t.yaml:6: a scoping clause needs an 'attribute' and an 'operator'",
            "{attribute: '[department]', operator: IS NULL}|t.yaml:6: '[department]' is not an Entra attribute name",
    })
    void aMistakenClauseNamesTheFileAndLine(String clause, String message) {
        String yaml = MAPPINGS + "  scoping:\n    - clauses:\n        - " + clause + "\n";

        assertThatThrownBy(() -> MappingTable.parse("t.yaml", yaml))
                .isInstanceOf(MappingException.class)
                .hasMessageStartingWith(message);
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
            "scoping:\\n  - clauses: []|t.yaml:5: scoping filter has no clause",
            "scoping:\\n  - title: Sales\\n    clauses: []|t.yaml:6: scoping filter 'Sales' has no clause",
            "scoping:\\n  - title: Sales|t.yaml:5: a scoping filter needs 'clauses'",
            "scoping: []|t.yaml:4: 'scoping' has no scoping filter; leave it out",
            "scoping: {department: Sales}|t.yaml:4: 'scoping' must be a list of scoping filters",
            "scoping:\\n  - - {attribute: department, operator: EQUALS, value: Sales}|t.yaml:5: a scoping filter is a mapping with 'clauses'",
            "scoping:\\n  - clauses: {attribute: department, operator: IS NULL}|t.yaml:5: 'clauses' must be a list of clauses",
            "scoping:\\n  - clauses:\\n      - {attribute: department, operator: IS NULL}\\n    colour: red|t.yaml:7: unknown key 'colour'",
            "scoping:\\n  - clauses:\\n      - attribute: flags\\n        operator: !&\\n        value: 2|t.yaml:7: the operator was read as the YAML tag '!&': quote it",
    })
    void aMistakenFilterNamesTheFileAndLine(String scoping, String message) {
        // Rows are written from the object level; CSV trims their leading blanks.
        String yaml = MAPPINGS + scoping.replace("\\n", "\n").indent(2);

        assertThatThrownBy(() -> MappingTable.parse("t.yaml", yaml))
                .isInstanceOf(MappingException.class)
                .hasMessageStartingWith(message);
    }

    @Test
    void everyEntraOperatorIsKnownByItsExactName() {
        assertThat(ScopingOperator.values()).extracting(ScopingOperator::entraName).containsExactlyInAnyOrder(
                "EQUALS", "NOT EQUALS", "IS TRUE", "IS FALSE", "IS NULL", "IS NOT NULL", "REGEX MATCH",
                "NOT REGEX MATCH", "Includes", "ENDS_WITH", "Greater_Than", "Greater_Than_OR_EQUALS", "&", "!&");
        assertThat(ScopingOperator.named("INCLUDES")).isEmpty();
    }

    // ---- helpers

    private static ScopingFilter scoping(String section) {
        return MappingTable.parse("t.yaml", MAPPINGS + section).user().scoping();
    }

    private static SourceAttributes user(Object... namesAndValues) {
        Map<String, Object> values = new HashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            values.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return values::get;
    }
}
