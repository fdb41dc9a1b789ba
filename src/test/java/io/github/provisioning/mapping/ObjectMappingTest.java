package io.github.provisioning.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.unboundid.scim2.common.messages.PatchOpType;
import com.unboundid.scim2.common.messages.PatchOperation;
import io.github.provisioning.scim.UserResources;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How IgnoreFlowIfNullOrEmpty and Redact reach the values sent to the target. */
class ObjectMappingTest {

    private static final ObjectMapping MAPPING = MappingTable.parse("t.yaml", """
            user:
              mappings:
                - {target: userName, source: userPrincipalName, match: 1}
                - {target: title, source: jobTitle}
                - {target: department, expression: 'IgnoreFlowIfNullOrEmpty([department])', default: Staff}
                - {target: password, expression: 'Redact([secret])', apply: on-create}
            """).user();

    private static Map<String, Object> user(String department) {
        Map<String, Object> user = new HashMap<>();
        user.put("userPrincipalName", "adele@contoso.example");
        user.put("department", department);
        user.put("secret", "s3cret");
        return user;
    }

    @Test
    void anIgnoredAttributeIsNotCreatedEvenWithADefault() {
        assertThat(MAPPING.valuesForCreate(user(null)::get)).doesNotContainKeys("department", "title")
                .containsEntry("userName", TextNode.valueOf("adele@contoso.example"));
        assertThat(MAPPING.valuesForCreate(user("")::get)).doesNotContainKey("department");
        assertThat(MAPPING.valuesForCreate(user("Sales")::get)).containsEntry("department", TextNode.valueOf("Sales"));
    }

    @Test
    void anIgnoredAttributeIsNeitherAddedReplacedNorRemovedOnUpdate() {
        Map<String, Object> user = user("");
        Map<String, JsonNode> before = Map.of("userName", TextNode.valueOf("adele@contoso.example"),
                "title", TextNode.valueOf("Engineer"), "department", TextNode.valueOf("Sales"));
        Map<String, JsonNode> after = MAPPING.valuesForUpdate(user::get);

        assertThat(after).doesNotContainKey("department");
        assertThat(MAPPING.ignoredTargets(user::get)).containsExactly("department");
        assertThat(MAPPING.updatedTargets(user::get)).containsExactly("userName", "title");
        // A null value (title) is removed; the ignored department is left as it is.
        List<PatchOperation> operations = UserResources.diff(before, after, MAPPING.updatedTargets(user::get));
        assertThat(operations).singleElement().satisfies(op -> {
            assertThat(op.getOpType()).isEqualTo(PatchOpType.REMOVE);
            assertThat(op.getPath()).hasToString("title");
        });
    }

    @Test
    void anAttributeWithAValueIsUpdatedAsUsual() {
        Map<String, Object> user = user("Marketing");
        assertThat(MAPPING.ignoredTargets(user::get)).isEmpty();
        assertThat(MAPPING.updatedTargets(user::get)).isEqualTo(MAPPING.updatedTargets());
        assertThat(MAPPING.valuesForUpdate(user::get)).containsEntry("department", TextNode.valueOf("Marketing"));
    }

    @Test
    void aRedactedValueIsSentButMarkedForTheLogs() {
        assertThat(MAPPING.valuesForCreate(user(null)::get)).containsEntry("password", TextNode.valueOf("s3cret"));
        assertThat(MAPPING.redactedTargets()).containsExactly("password");
        assertThat(Expression.parse("Redact([secret])").evaluate(user(null)::get)).hasToString("[Redact]");
    }

    @Test
    void theDefaultMappingsIgnoreNothing() {
        ObjectMapping meta = MappingTable.load("classpath:mappings/meta-work-accounts.yaml").user();
        Map<String, Object> nobody = Map.of();
        assertThat(meta.ignoredTargets(nobody::get)).isEmpty();
        assertThat(meta.redactedTargets()).isEmpty();
        assertThat(meta.updatedTargets(nobody::get)).isEqualTo(meta.updatedTargets());
    }

    @Test
    void appRoleAssignmentsComplexWritesTheWholeRolesListAndIsAdditive() throws Exception {
        ObjectMapping roles = MappingTable.parse("r.yaml", """
                user:
                  mappings:
                    - {target: userName, source: userPrincipalName, match: 1}
                    - {target: roles, expression: 'AppRoleAssignmentsComplex([appRoleAssignments])'}
                    - {target: 'entitlements', expression: 'Split([extensionAttribute5], ",")'}
                    - {target: title, expression: 'SingleAppRoleAssignment([appRoleAssignments])'}
                """).user();
        Map<String, Object> user = new HashMap<>();
        user.put("userPrincipalName", "adele@contoso.example");
        user.put("appRoleAssignments", List.of(Map.of("id", "1", "displayName", "Administrator", "value", "Admin"),
                Map.of("id", "2", "displayName", "Reader", "value", "Read")));
        user.put("extensionAttribute5", "a, b");
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();

        Map<String, JsonNode> values = roles.valuesForUpdate(user::get);

        assertThat(json.readTree(values.get("roles").toString())).isEqualTo(json.readTree("""
                [{"primary":false,"type":"WindowsAzureActiveDirectoryRole","displayName":"Administrator","value":"Admin"},
                 {"primary":false,"type":"WindowsAzureActiveDirectoryRole","displayName":"Reader","value":"Read"}]"""));
        assertThat(json.readTree(values.get("entitlements").toString()))
                .isEqualTo(json.readTree("[{\"value\":\"a\"},{\"value\":\"b\"}]"));
        assertThat(values.get("title")).isEqualTo(TextNode.valueOf("Admin"));
        assertThat(roles.additiveTargets()).containsExactly("roles");
        assertThat(roles.readsAppRoleAssignments()).isTrue();
        assertThat(MAPPING.readsAppRoleAssignments()).isFalse();
        // No roles: nothing is provisioned (null values never are).
        user.put("appRoleAssignments", List.of());
        assertThat(roles.valuesForUpdate(user::get)).doesNotContainKeys("roles", "title");
    }
}
