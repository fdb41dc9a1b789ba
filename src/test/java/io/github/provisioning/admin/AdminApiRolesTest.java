package io.github.provisioning.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.provisioning.mapping.MappingTable;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The preview's [appRoleAssignments]: from the body when it has them, else the roles of the last cycle. */
class AdminApiRolesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final MappingTable ROLES = MappingTable.parse("roles.yaml", """
            user:
              mappings:
                - {target: userName, source: userPrincipalName, match: 1}
                - {target: roles, expression: 'AppRoleAssignmentsComplex([appRoleAssignments])'}
            """);
    private static final List<Map<String, String>> STORED =
            List.of(Map.of("id", "r1", "displayName", "Administrator", "value", "Admin"));

    @Test
    void rolesInTheBodyWinOverTheStoredOnes() throws Exception {
        AdminApi api = new AdminApi(ROLES, false, id -> true, id -> STORED);

        JsonNode preview = JSON.valueToTree(api.preview("""
                {"id":"1","userPrincipalName":"a@b","accountEnabled":true,
                 "appRoleAssignments":[{"id":"r2","displayName":"Reader","value":"Read"}]}""").body());

        assertThat(preview.path("resource").path("roles")).isEqualTo(JSON.readTree("""
                [{"primary":false,"type":"WindowsAzureActiveDirectoryRole","displayName":"Reader","value":"Read"}]"""));
    }

    @Test
    void withoutRolesInTheBodyTheLastCyclesRolesAreUsed() throws Exception {
        AdminApi api = new AdminApi(ROLES, false, id -> true, id -> id.equals("1") ? STORED : List.of());

        JsonNode preview = JSON.valueToTree(api.preview("""
                {"id":"1","userPrincipalName":"a@b","accountEnabled":true}""").body());

        assertThat(preview.path("resource").path("roles").path(0).path("value").asText()).isEqualTo("Admin");
    }
}
