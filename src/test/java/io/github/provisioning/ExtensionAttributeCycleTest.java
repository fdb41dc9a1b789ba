package io.github.provisioning;

import static io.github.provisioning.sandbox.graph.Contoso.employee;
import static io.github.provisioning.sandbox.graph.Contoso.upn;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.provisioning.cycle.CycleReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Entra's extensionAttribute1..15, which Graph keeps in {@code onPremisesExtensionAttributes}: mapped, used in a
 * scoping clause, and a change of one provisioned as one PATCH.
 */
class ExtensionAttributeCycleTest extends EngineTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    private static final String MAPPING = """
            user:
              mappings:
                - {target: userName, source: userPrincipalName, match: 1}
                - {target: active, expression: 'Not([IsSoftDeleted])'}
                - {target: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter', source: extensionAttribute3}
                - {target: nickName, expression: 'ToLower([extensionAttribute1])'}
              scoping:
                - title: Provisioned
                  clauses:
                    - {attribute: extensionAttribute1, operator: EQUALS, value: Provision}
            """;

    @TempDir
    Path config;

    @Test
    void anExtensionAttributeChangeIsOnePatchAndAClauseOnExtensionAttribute1Scopes() throws Exception {
        String alice = tenant.addUser(withExtensionAttributes("alice", Map.of(
                "extensionAttribute1", "Provision", "extensionAttribute3", "CC-100")));
        String bob = tenant.addUser(withExtensionAttributes("bob", Map.of("extensionAttribute3", "CC-200")));
        tenant.assign(alice);
        tenant.assign(bob);
        Path mapping = config.resolve("extension-attributes.yaml");
        Files.writeString(mapping, MAPPING);
        Map<String, String> settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        settings.put("provisioning.mapping", "file:" + mapping);
        engine = EngineUnderTest.start(settings, dataDir);

        CycleReport initial = engine.awaitInitialCycle();

        // Bob has no extensionAttribute1: outside the scoping filter, never created.
        assertThat(initial.counts()).containsEntry("created", 1).containsEntry("failed", 0);
        JsonNode created = plain(scim.userByUserName(upn("alice")).orElseThrow());
        assertThat(created.path(ENTERPRISE).path("costCenter").asText()).isEqualTo("CC-100");
        assertThat(created.path("nickName").asText()).isEqualTo("provision");
        assertThat(scim.userByUserName(upn("bob"))).isEmpty();
        assertThat(graph.requests()).filteredOn(r -> r.path().contains("/users/delta") && r.query() != null
                        && r.query().contains("select"))
                .isNotEmpty()
                .allSatisfy(r -> assertThat(r.query()).contains("onPremisesExtensionAttributes"));
        // No mapping reads [appRoleAssignments]: the app roles are not read.
        assertThat(graph.requests()).noneMatch(r -> r.path().endsWith("/servicePrincipals/" + graph.config().appId()));

        tenant.updateUser(alice, Map.of("onPremisesExtensionAttributes", Map.of("extensionAttribute3", "CC-300")));
        scim.clearRequests();
        CycleReport changed = engine.runCycle();

        assertThat(changed.counts()).containsEntry("updated", 1).containsEntry("created", 0).containsEntry("failed", 0);
        assertThat(writes()).hasSize(1);
        assertThat(plain(writes().get(0).json())).isEqualTo(JSON.readTree("""
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                 "Operations":[{"op":"replace",
                   "path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter","value":"CC-300"}]}"""));

        tenant.updateUser(bob, Map.of("onPremisesExtensionAttributes", Map.of("extensionAttribute1", "Provision")));
        scim.clearRequests();
        CycleReport entered = engine.runCycle();

        assertThat(entered.counts()).containsEntry("created", 1).containsEntry("failed", 0);
        assertThat(plain(scim.userByUserName(upn("bob")).orElseThrow()).path(ENTERPRISE).path("costCenter").asText())
                .isEqualTo("CC-200");
    }

    private static Map<String, Object> withExtensionAttributes(String name, Map<String, String> attributes) {
        Map<String, Object> user = new HashMap<>(employee(name, "Sales", "Clerk"));
        user.put("onPremisesExtensionAttributes", attributes);
        return user;
    }

    private static JsonNode plain(JsonNode node) throws java.io.IOException {
        return JSON.readTree(node.toString());
    }
}
