package io.github.provisioning.graph;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.provisioning.mapping.Expression;
import io.github.provisioning.mapping.ScopingClause;
import io.github.provisioning.mapping.ScopingOperator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EntraUserTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static EntraUser user(String graphJson) throws Exception {
        return new EntraUser((ObjectNode) JSON.readTree(graphJson), false);
    }

    @ParameterizedTest(name = "{0} on {1} is {2}")
    @CsvSource(delimiter = '|', nullValues = "NULL", textBlock = """
            extensionAttribute3  | {"onPremisesExtensionAttributes":{"extensionAttribute3":"CC-100"}} | CC-100
            extensionAttribute15 | {"onPremisesExtensionAttributes":{"extensionAttribute15":"x"}}     | x
            extensionAttribute3  | {"onPremisesExtensionAttributes":{"extensionAttribute3":null}}     | NULL
            extensionAttribute3  | {"onPremisesExtensionAttributes":{"extensionAttribute1":"a"}}      | NULL
            extensionAttribute3  | {"onPremisesExtensionAttributes":null}                             | NULL
            extensionAttribute3  | {"id":"1"}                                                         | NULL
            extensionAttribute3  | {"extensionAttribute3":"not where Graph keeps it"}                 | NULL
            """)
    void extensionAttributesAreReadFromOnPremisesExtensionAttributes(String name, String graph, String expected)
            throws Exception {
        assertThat(user(graph).get(name)).isEqualTo(expected);
    }

    @Test
    void anEmptyExtensionAttributeIsAValueNotNull() throws Exception {
        EntraUser user = user("{\"onPremisesExtensionAttributes\":{\"extensionAttribute2\":\"\"}}");
        assertThat(user.get("extensionAttribute2")).isEqualTo("");
        assertThat(ScopingClause.of("extensionAttribute2", ScopingOperator.IS_NULL, null).holdsFor(user)).isTrue();
    }

    @Test
    void onlyTheFifteenEntraNamesAreExtensionAttributes() {
        assertThat(EntraUser.isExtensionAttribute("extensionAttribute1")).isTrue();
        assertThat(EntraUser.isExtensionAttribute("extensionAttribute15")).isTrue();
        assertThat(EntraUser.isExtensionAttribute("extensionAttribute0")).isFalse();
        assertThat(EntraUser.isExtensionAttribute("extensionAttribute16")).isFalse();
        assertThat(EntraUser.isExtensionAttribute("ExtensionAttribute1")).isFalse();
    }

    @Test
    void theSelectAsksForOnPremisesExtensionAttributesOnceAndNeverForAppRoleAssignments() {
        assertThat(EntraUser.select(List.of("extensionAttribute1", "extensionAttribute12", "appRoleAssignments",
                "mail"))).isEqualTo("accountEnabled,id,mail,onPremisesExtensionAttributes,userPrincipalName");
    }

    @Test
    void extensionAttributesWorkInExpressions() throws Exception {
        EntraUser user = user("{\"onPremisesExtensionAttributes\":{\"extensionAttribute5\":\"One, Two\"}}");
        assertThat(Expression.parse("Split([extensionAttribute5], \",\")").evaluate(user))
                .isEqualTo(List.of("One", "Two"));
        assertThat(Expression.parse("IsNull([extensionAttribute6])").evaluate(user)).isEqualTo(true);
    }

    @Test
    void appRoleAssignmentsComeFromTheCycleOrElseFromAPreviewBody() throws Exception {
        List<Map<String, String>> roles = List.of(Map.of("id", "r1", "displayName", "Admin", "value", "Admin"));
        ObjectNode graph = (ObjectNode) JSON.readTree(
                "{\"appRoleAssignments\":[{\"id\":\"r2\",\"displayName\":\"Reader\",\"value\":\"Read\"}]}");

        assertThat(new EntraUser(graph, false, roles).get("appRoleAssignments")).isEqualTo(roles);
        assertThat(new EntraUser(graph, false).get("appRoleAssignments"))
                .isEqualTo(List.of(Map.of("id", "r2", "displayName", "Reader", "value", "Read")));
        assertThat(new EntraUser(JSON.createObjectNode(), false).get("appRoleAssignments")).isNull();
    }
}
