package io.github.provisioning.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.provisioning.mapping.MappingTable;
import org.junit.jupiter.api.Test;

/** The preview applies the same scope rule as a cycle: assignment, accountEnabled, scoping filters. */
class AdminApiScopeTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final MappingTable SALES_ONLY = MappingTable.parse("sales.yaml", """
            user:
              scoping:
                - title: Sales
                  clauses:
                    - {attribute: department, operator: EQUALS, value: Sales}
              mappings:
                - {target: userName, source: userPrincipalName, match: 1}
                - {target: active, expression: 'Not([IsSoftDeleted])'}
            """);

    @Test
    void aUserOutsideTheScopingFilterIsPreviewedAsOutOfScopeAndInactive() throws Exception {
        AdminApi api = new AdminApi(SALES_ONLY, false, id -> true);

        JsonNode preview = JSON.valueToTree(api.preview("""
                {"id":"1","userPrincipalName":"a@b","department":"Marketing","accountEnabled":true}""").body());

        assertThat(preview.path("inScope").asBoolean()).isFalse();
        assertThat(preview.path("scopeReason").asText()).isEqualTo("outside the scoping filter: Sales: department EQUALS Sales");
        assertThat(preview.path("resource").path("active").asBoolean()).isFalse();
    }

    @Test
    void aUserInsideTheFilterIsInScope() throws Exception {
        AdminApi api = new AdminApi(SALES_ONLY, false, id -> true);

        JsonNode preview = JSON.valueToTree(api.preview("""
                {"id":"1","userPrincipalName":"a@b","department":"Sales","accountEnabled":true}""").body());

        assertThat(preview.path("inScope").asBoolean()).isTrue();
        assertThat(preview.path("resource").path("active").asBoolean()).isTrue();
    }

    @Test
    void aDisabledAccountIsOutOfScope() throws Exception {
        AdminApi api = new AdminApi(SALES_ONLY, true, id -> true);

        JsonNode preview = JSON.valueToTree(api.preview("""
                {"id":"1","userPrincipalName":"a@b","department":"Sales","accountEnabled":false}""").body());

        assertThat(preview.path("scopeReason").asText()).isEqualTo("account disabled in Entra ID");
    }
}
