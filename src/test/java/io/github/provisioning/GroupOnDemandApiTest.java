package io.github.provisioning;

import static io.github.provisioning.sandbox.graph.Contoso.employee;
import static io.github.provisioning.sandbox.graph.Contoso.upn;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * POST /api/provision/groups/{id}: one group now with at most 5 of its direct user members, over real HTTP against
 * the SCIM sandbox; answered with the group's steps and each member's, in the users' step format.
 */
class GroupOnDemandApiTest extends EngineTest {

    private final Map<String, String> ids = new LinkedHashMap<>();
    private AdminClient admin;
    private String sales;

    @BeforeEach
    void startEngine() throws Exception {
        tenant.assign(tenant.addUser(employee("carol", "Sales", "Seller")));
        Map<String, String> settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        settings.put("provisioning.mapping", "classpath:mappings/generic-scim.yaml");
        admin = new AdminClient(settings.get("admin.port"), null);
        engine = EngineUnderTest.start(settings, dataDir);
        engine.awaitInitialCycle();
        // After the first cycle: a group of seven users and a nested group, which only on demand provisions now.
        sales = tenant.addGroup("Sales");
        for (String name : List.of("u1", "u2", "u3", "u4", "u5", "u6", "u7")) {
            ids.put(name, tenant.addUser(employee(name, "Sales", "Seller")));
            tenant.addMember(sales, ids.get(name));
        }
        tenant.addMember(sales, tenant.addGroup("Sales Interns"));
        scim.clearRequests();
    }

    @Test
    void anAssignedGroupIsCreatedWithFiveMembersAndTheStepsSaySo() throws Exception {
        tenant.assign(sales);

        JsonNode reply = admin.ok(admin.post("/api/provision/groups/" + sales));

        JsonNode steps = reply.path("steps");
        assertThat(steps.findValuesAsText("step")).containsExactly("Import", "Scope", "Match", "Action");
        assertThat(steps.get(0).path("displayName").asText()).isEqualTo("Sales");
        assertThat(steps.get(0).path("userMembers").asInt()).isEqualTo(7);
        assertThat(steps.get(0).path("otherMembers").asInt()).isEqualTo(1);
        assertThat(steps.get(1).path("inScope").asBoolean()).isTrue();
        assertThat(steps.get(2).path("filter").asText()).isEqualTo("displayName eq \"Sales\"");
        assertThat(steps.get(2).path("found").asBoolean()).isFalse();
        JsonNode action = steps.get(3);
        assertThat(action.path("outcome").asText()).isEqualTo("created");
        assertThat(action.path("scimStatus").asInt()).isEqualTo(200);
        String groupId = action.path("targetId").asText();
        // The first five members Graph lists, each with the users' steps; the other two wait for a cycle.
        JsonNode members = reply.path("members");
        assertThat(members).hasSize(5);
        assertThat(members).extracting(m -> m.path("id").asText()).isSubsetOf(ids.values());
        members.forEach(member -> {
            assertThat(member.path("steps").findValuesAsText("step")).containsExactly("Import", "Scope", "Match", "Action");
            assertThat(member.path("steps").get(3).path("outcome").asText()).isEqualTo("created");
        });
        assertThat(reply.path("membersNotProvisioned").asInt()).isEqualTo(2);
        assertThat(memberIds(groupId)).containsExactlyInAnyOrderElementsOf(targetIds(members));
        assertThat(scim.users()).hasSize(6);
        // The same log lines as a cycle writes, under the on-demand run's id: five users and the group.
        assertThat(engine.logLines()).filteredOn(l -> l.path("cycleId").asText().equals(reply.path("cycleId").asText()))
                .extracting(l -> l.path("action").asText()).containsExactlyInAnyOrder(
                        "create", "create", "create", "create", "create", "create");

        // The next cycle provisions the other two members and adds them; nothing is created twice.
        scim.clearRequests();
        engine.runCycle();
        assertThat(scim.users()).hasSize(8);
        assertThat(memberIds(groupId)).hasSize(7);
        assertThat(scim.requests()).noneMatch(r -> r.line().equals("POST /Groups"));
    }

    @Test
    void theMembersNamedAreTheOnesProvisioned() {
        tenant.assign(sales);

        JsonNode reply = admin.ok(admin.post("/api/provision/groups/" + sales + "?members=" + ids.get("u6") + ","
                + ids.get("u7")));

        assertThat(reply.path("members")).extracting(m -> m.path("id").asText())
                .containsExactly(ids.get("u6"), ids.get("u7"));
        assertThat(reply.path("membersNotProvisioned").asInt()).isEqualTo(5);
        String groupId = reply.path("steps").get(3).path("targetId").asText();
        assertThat(memberIds(groupId)).containsExactlyInAnyOrder(
                scim.userByUserName(upn("u6")).orElseThrow().path("id").asText(),
                scim.userByUserName(upn("u7")).orElseThrow().path("id").asText());
    }

    @Test
    void aLinkedGroupIsUpdatedWithTheMembersProvisionedNow() {
        tenant.assign(sales);
        admin.ok(admin.post("/api/provision/groups/" + sales + "?members=" + ids.get("u1")));
        tenant.renameGroup(sales, "Sales EMEA");
        scim.clearRequests();

        JsonNode reply = admin.ok(admin.post("/api/provision/groups/" + sales + "?members=" + ids.get("u2")));

        JsonNode steps = reply.path("steps");
        assertThat(steps.get(2).path("found").asBoolean()).isTrue();
        assertThat(steps.get(2).path("reason").asText()).contains("already linked");
        assertThat(steps.get(3).path("outcome").asText()).isEqualTo("updated");
        assertThat(steps.get(3).path("modifiedProperties").findValuesAsText("name"))
                .contains("displayName", "members.added");
        String groupId = steps.get(3).path("targetId").asText();
        assertThat(scim.group(groupId).orElseThrow().path("displayName").asText()).isEqualTo("Sales EMEA");
        assertThat(memberIds(groupId)).hasSize(2);
    }

    @Test
    void anUnassignedGroupIsOutOfScopeAndNothingIsSent() {
        JsonNode reply = admin.ok(admin.post("/api/provision/groups/" + sales));

        JsonNode steps = reply.path("steps");
        assertThat(steps.get(1).path("inScope").asBoolean()).isFalse();
        assertThat(steps.get(1).path("reason").asText()).isEqualTo("not assigned to the application");
        assertThat(steps.get(3).path("outcome").asText()).isEqualTo("skipped");
        assertThat(reply.path("members")).isEmpty();
        assertThat(writes()).isEmpty();
    }

    @Test
    void aProvisionedGroupNoLongerAssignedIsDeletedAtOnceNeverHeld() {
        tenant.assign(sales);
        String groupId = admin.ok(admin.post("/api/provision/groups/" + sales + "?members=" + ids.get("u1")))
                .path("steps").get(3).path("targetId").asText();
        tenant.unassign(sales);

        JsonNode reply = admin.ok(admin.post("/api/provision/groups/" + sales));

        JsonNode steps = reply.path("steps");
        assertThat(steps.get(1).path("inScope").asBoolean()).isFalse();
        assertThat(steps.get(3).path("action").asText()).isEqualTo("delete");
        assertThat(steps.get(3).path("outcome").asText()).isEqualTo("deleted");
        assertThat(reply.path("members")).isEmpty();
        assertThat(scim.group(groupId)).isEmpty();
    }

    @Test
    void aMemberTheTargetRefusesFailsAloneAndTheGroupIsStillProvisioned() {
        tenant.assign(sales);
        scim.failNext(1, 400, null, "/Users");

        JsonNode reply = admin.ok(admin.post("/api/provision/groups/" + sales + "?members=" + ids.get("u1") + ","
                + ids.get("u2")));

        JsonNode members = reply.path("members");
        assertThat(members.get(0).path("steps").get(3).path("outcome").asText()).isEqualTo("failed");
        assertThat(members.get(0).path("steps").get(3).path("scimStatus").asInt()).isEqualTo(400);
        assertThat(members.get(1).path("steps").get(3).path("outcome").asText()).isEqualTo("created");
        JsonNode action = reply.path("steps").get(3);
        assertThat(action.path("outcome").asText()).isEqualTo("created");
        assertThat(memberIds(action.path("targetId").asText()))
                .containsExactly(scim.userByUserName(upn("u2")).orElseThrow().path("id").asText());
    }

    @Test
    void badRequestsAreRefusedBeforeAnythingIsSent() {
        tenant.assign(sales);
        String six = String.join(",", new ArrayList<>(ids.values()).subList(0, 6));

        HttpResponse<String> tooMany = admin.post("/api/provision/groups/" + sales + "?members=" + six);
        HttpResponse<String> stranger = admin.post("/api/provision/groups/" + sales + "?members="
                + tenant.userByUpn(upn("carol")).orElseThrow().path("id").asText());
        HttpResponse<String> unknown = admin.post("/api/provision/groups/00000000-0000-0000-0000-000000000000");

        assertThat(tooMany.statusCode()).isEqualTo(400);
        assertThat(AdminClient.json(tooMany).path("error").path("message").asText()).contains("At most 5 members");
        assertThat(stranger.statusCode()).isEqualTo(400);
        assertThat(AdminClient.json(stranger).path("error").path("message").asText())
                .startsWith("Not direct user members of group");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(AdminClient.json(unknown).path("error").path("message").asText())
                .isEqualTo("Microsoft Graph has no group with id 00000000-0000-0000-0000-000000000000");
        assertThat(writes()).isEmpty();
        // Refused requests leave the job free: a cycle runs.
        assertThat(admin.ok(admin.post("/api/provision/users/" + ids.get("u1"))).path("steps")).hasSize(4);
    }

    private List<String> memberIds(String groupId) {
        List<String> members = new ArrayList<>();
        scim.group(groupId).orElseThrow().path("members").forEach(m -> members.add(m.path("value").asText()));
        return members;
    }

    private static List<String> targetIds(JsonNode members) {
        List<String> targetIds = new ArrayList<>();
        members.forEach(m -> targetIds.add(m.path("steps").get(3).path("targetId").asText()));
        return targetIds;
    }
}
