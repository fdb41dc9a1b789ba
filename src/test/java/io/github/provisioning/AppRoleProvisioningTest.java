package io.github.provisioning;

import static io.github.provisioning.sandbox.graph.Contoso.employee;
import static io.github.provisioning.sandbox.graph.Contoso.upn;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.provisioning.cycle.CycleReport;
import io.github.provisioning.sandbox.scim.RecordedRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * [appRoleAssignments] end to end: the app roles come from the service principal, each user's from
 * appRoleAssignedTo (directly, or through an assigned group it is a direct member of). A change of a user's roles
 * alone makes the next cycle update that user; Entra's AppRoleAssignmentsComplex sends the whole list with
 * {@code add}.
 */
class AppRoleProvisioningTest extends EngineTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ORGANIZATION = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:organization";
    private static final String MAPPING = """
            user:
              mappings:
                - {target: userName, source: userPrincipalName, match: 1}
                - {target: active, expression: 'Not([IsSoftDeleted])'}
                - {target: displayName, source: displayName}
                - {target: roles, expression: 'AppRoleAssignmentsComplex([appRoleAssignments])'}
                - target: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:organization'
                  expression: 'SingleAppRoleAssignment([appRoleAssignments])'
            """;

    @TempDir
    Path config;

    private final Map<String, String> ids = new HashMap<>();
    private String admin;
    private String reader;
    private String sales;

    @BeforeEach
    void tenantWithRoles() {
        admin = tenant.addAppRole("Administrator", "Admin");
        reader = tenant.addAppRole("Reader", "Read");
        for (String name : List.of("alice", "bob", "carol", "dave", "erin")) {
            ids.put(name, tenant.addUser(employee(name, "Sales", "Clerk")));
        }
        sales = tenant.addGroup("Sales");
        tenant.addMember(sales, ids.get("bob"));
        tenant.addMember(sales, ids.get("carol"));
        tenant.assign(ids.get("alice"), admin);
        tenant.assign(sales, reader);
        tenant.assign(ids.get("carol"), admin);
        // Entra: the default access puts a user in scope like any role, but is no app role of the application.
        tenant.assign(ids.get("dave"));
    }

    @Test
    void rolesGivenDirectlyAndThroughAGroupAreProvisionedAndTheirChangesPatchedNextCycle() throws Exception {
        engine = start("assigned");
        CycleReport initial = engine.awaitInitialCycle();

        assertThat(initial.counts()).containsEntry("created", 4).containsEntry("failed", 0);
        assertThat(roles("alice")).isEqualTo(expected(admin));
        assertThat(roles("bob")).isEqualTo(expected(reader));
        assertThat(roles("carol")).isEqualTo(expected(admin, reader));
        assertThat(user("dave").has("roles")).isFalse();
        assertThat(organization("alice")).isEqualTo("Admin");
        assertThat(organization("bob")).isEqualTo("Read");
        assertThat(organization("carol")).isEqualTo(first(admin, reader).equals(admin) ? "Admin" : "Read");
        assertThat(user("dave").has("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User")).isFalse();
        // The app roles are read once per cycle, with $select.
        assertThat(graph.requests()).filteredOn(r -> r.path().endsWith("/servicePrincipals/" + graph.config().appId()))
                .singleElement().satisfies(r -> assertThat(r.query()).contains("appRoles"));

        // Alice's role changes and a new group assignment gives Dave a role; neither user changed in Graph.
        String admins = tenant.addGroup("Admins");
        tenant.addMember(admins, ids.get("dave"));
        tenant.assign(admins, admin);
        tenant.unassign(ids.get("alice"), admin);
        tenant.assign(ids.get("alice"), reader);
        scim.clearRequests();
        CycleReport changed = engine.runCycle();

        assertThat(changed.counts()).containsEntry("updated", 2).containsEntry("created", 0)
                .containsEntry("failed", 0);
        assertThat(writes()).extracting(r -> r.method() + " " + r.path()).containsExactlyInAnyOrder(
                "PATCH /Users/" + targetId("alice"), "PATCH /Users/" + targetId("dave"));
        assertThat(patchFor("alice")).isEqualTo(patch(
                op("add", "roles", expected(reader)), op("replace", ORGANIZATION, JSON.valueToTree("Read"))));
        assertThat(patchFor("dave")).isEqualTo(patch(
                op("add", "roles", expected(admin)), op("add", ORGANIZATION, JSON.valueToTree("Admin"))));
        assertThat(roles("dave")).isEqualTo(expected(admin));

        // The Sales group loses its assignment: Bob leaves the scope, Carol keeps only her direct role.
        tenant.unassign(sales, reader);
        scim.clearRequests();
        CycleReport removed = engine.runCycle();

        assertThat(removed.counts()).containsEntry("disabled", 1).containsEntry("updated", 1)
                .containsEntry("failed", 0);
        assertThat(patchFor("bob")).isEqualTo(patch(op("replace", "active", JSON.valueToTree(false))));
        ArrayNode carolOps = JSON.createArrayNode().add(op("add", "roles", expected(admin)));
        if (!first(admin, reader).equals(admin)) {
            carolOps.add(op("replace", ORGANIZATION, JSON.valueToTree("Admin")));
        }
        assertThat(patchFor("carol").path("Operations")).isEqualTo(carolOps);
        assertThat(writes()).hasSize(2);

        // Nothing changed: no write at all.
        scim.clearRequests();
        CycleReport quiet = engine.runCycle();
        assertThat(quiet.counts()).containsEntry("updated", 0).containsEntry("failed", 0);
        assertThat(writes()).isEmpty();
    }

    @Test
    void withScopeAllRolesAreStillReadAndARoleChangeUpdatesTheUser() throws Exception {
        engine = start("all");
        CycleReport initial = engine.awaitInitialCycle();

        // Scope all: every user is provisioned; Erin, who has no assignment at all, has no roles.
        assertThat(initial.counts()).containsEntry("created", 5).containsEntry("failed", 0);
        assertThat(roles("carol")).isEqualTo(expected(admin, reader));
        assertThat(user("erin").has("roles")).isFalse();

        tenant.assign(ids.get("erin"), reader);
        scim.clearRequests();
        CycleReport changed = engine.runCycle();

        assertThat(changed.counts()).containsEntry("updated", 1).containsEntry("failed", 0);
        assertThat(writes()).extracting(r -> r.method() + " " + r.path())
                .containsExactly("PATCH /Users/" + targetId("erin"));
        assertThat(roles("erin")).isEqualTo(expected(reader));
    }

    @Test
    void assertiveAppRoleAssignmentsComplexReplacesTheRolesSoARemovedRoleLeavesTheTarget() throws Exception {
        engine = start("assigned", MAPPING.replace("'AppRoleAssignmentsComplex(", "'AssertiveAppRoleAssignmentsComplex("));
        engine.awaitInitialCycle();
        assertThat(roles("carol")).isEqualTo(expectedNamed("display", admin, reader));

        tenant.unassign(sales, reader);
        scim.clearRequests();
        CycleReport removed = engine.runCycle();

        assertThat(removed.counts()).containsEntry("disabled", 1).containsEntry("updated", 1)
                .containsEntry("failed", 0);
        assertThat(patchFor("carol").path("Operations").get(0))
                .isEqualTo(op("replace", "roles", expectedNamed("display", admin)));
        assertThat(roles("carol")).isEqualTo(expectedNamed("display", admin));
    }

    // ---- helpers

    private EngineUnderTest start(String scope) throws Exception {
        return start(scope, MAPPING);
    }

    private EngineUnderTest start(String scope, String yaml) throws Exception {
        Path mapping = config.resolve("roles.yaml");
        Files.writeString(mapping, yaml);
        Map<String, String> settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        settings.put("provisioning.mapping", "file:" + mapping);
        settings.put("provisioning.scope", scope);
        return EngineUnderTest.start(settings, dataDir);
    }

    private JsonNode user(String name) throws IOException {
        return plain(scim.userByUserName(upn(name)).orElseThrow());
    }

    private String targetId(String name) throws IOException {
        return user(name).path("id").asText();
    }

    private JsonNode roles(String name) throws IOException {
        return user(name).path("roles");
    }

    private String organization(String name) throws IOException {
        return user(name).path("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User").path("organization")
                .asText(null);
    }

    private JsonNode patchFor(String name) throws IOException {
        String path = "/Users/" + targetId(name);
        List<RecordedRequest> patches = writes().stream().filter(r -> r.path().equals(path)).toList();
        assertThat(patches).hasSize(1);
        return plain(patches.get(0).json());
    }

    /** The roles AppRoleAssignmentsComplex gives for these app role ids, in the engine's order (by role id). */
    private ArrayNode expected(String... roleIds) {
        return expectedNamed("displayName", roleIds);
    }

    /** As {@link #expected(String...)}, the role's name under {@code nameKey}. */
    private ArrayNode expectedNamed(String nameKey, String... roleIds) {
        ArrayNode roles = JSON.createArrayNode();
        Stream.of(roleIds).sorted(Comparator.naturalOrder()).forEach(id -> {
            ObjectNode role = roles.addObject();
            role.put("primary", false);
            role.put("type", "WindowsAzureActiveDirectoryRole");
            role.put(nameKey, id.equals(admin) ? "Administrator" : "Reader");
            role.put("value", id.equals(admin) ? "Admin" : "Read");
        });
        return roles;
    }

    private static String first(String... roleIds) {
        return Stream.of(roleIds).sorted().findFirst().orElseThrow();
    }

    private static ObjectNode op(String op, String path, JsonNode value) {
        ObjectNode node = JSON.createObjectNode().put("op", op).put("path", path);
        node.set("value", value);
        return node;
    }

    private static JsonNode patch(ObjectNode... operations) {
        ObjectNode body = JSON.createObjectNode();
        body.putArray("schemas").add("urn:ietf:params:scim:api:messages:2.0:PatchOp");
        ArrayNode ops = body.putArray("Operations");
        Stream.of(operations).forEach(ops::add);
        return body;
    }

    /** The SCIM SDK's case-insensitive nodes never equal Jackson's plain ones; compare content. */
    private static JsonNode plain(JsonNode node) throws IOException {
        return JSON.readTree(node.toString());
    }
}
