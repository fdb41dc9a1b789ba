package io.github.provisioning;

import static io.github.provisioning.sandbox.graph.Contoso.employee;
import static io.github.provisioning.sandbox.graph.Contoso.upn;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.provisioning.cycle.CycleReport;
import io.github.provisioning.sandbox.graph.GraphSimulatorConfig;
import io.github.provisioning.sandbox.scim.RecordedRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Groups through the normal cycle with the generic profile: the assigned groups are created with exactly their
 * in-scope direct members, and every later change (members in and out, rename, delete, assign, unassign) is
 * exactly the PATCH or DELETE it needs, recorded on the SCIM side, with the user creates and disables it causes.
 */
class GroupProvisioningTest extends EngineTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

    final Map<String, String> ids = new HashMap<>();
    String sales;
    String interns;
    String engineering;

    @Override
    GraphSimulatorConfig graphConfig() {
        return super.graphConfig().withPageSize(3).withEmptyPages(true);
    }

    @BeforeEach
    void populateTenant() {
        for (String name : List.of("alice", "bob", "carol", "dave", "erin", "frank")) {
            ids.put(name, tenant.addUser(employee(name, "Sales", "Seller")));
        }
        sales = tenant.addGroup(Map.of("displayName", "Sales", "description", "Sellers"));
        interns = tenant.addGroup("Sales Interns");
        engineering = tenant.addGroup("Engineering");
        tenant.addMember(sales, ids.get("alice"));
        tenant.addMember(sales, ids.get("bob"));
        tenant.addMember(sales, interns);
        tenant.addMember(interns, ids.get("erin"));
        tenant.addMember(engineering, ids.get("carol"));
        tenant.addMember(engineering, ids.get("dave"));
        tenant.assign(sales);
        tenant.assign(ids.get("carol"));
        // Engineering and Sales Interns are not assigned: erin and dave are out of scope.
    }

    Map<String, String> settings() {
        Map<String, String> settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        settings.put("provisioning.mapping", "classpath:mappings/generic-scim.yaml");
        return settings;
    }

    @Test
    void initialCycleCreatesTheAssignedGroupsWithExactlyTheirInScopeDirectMembers() throws Exception {
        engine = EngineUnderTest.start(settings(), dataDir);
        CycleReport report = engine.awaitInitialCycle();

        assertThat(report.completed()).isTrue();
        assertThat(report.counts()).containsEntry("created", 3).containsEntry("failed", 0)
                .containsEntry("groups.created", 1).containsEntry("groups.failed", 0);
        assertThat(scim.users()).extracting(u -> u.path("userName").asText())
                .containsExactlyInAnyOrder(upn("alice"), upn("bob"), upn("carol"));
        assertThat(scim.groups()).extracting(g -> g.path("displayName").asText()).containsExactly("Sales");
        String salesId = groupId("Sales");
        assertThat(memberIds("Sales")).containsExactlyInAnyOrder(scimId("alice"), scimId("bob"));

        List<RecordedRequest> groupWrites = groupWrites();
        assertThat(groupWrites).extracting(RecordedRequest::line)
                .containsExactly("POST /Groups", "PATCH /Groups/" + salesId);
        assertThat(body(groupWrites.get(0))).isEqualTo(JSON.readTree("""
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Sales",
                 "externalId":"%s"}""".formatted(sales)));
        JsonNode add = body(groupWrites.get(1));
        assertThat(add.path("schemas")).isEqualTo(JSON.readTree("[\"" + PATCH_OP + "\"]"));
        assertThat(add.path("Operations")).hasSize(1);
        assertThat(add.at("/Operations/0/op").asText()).isEqualTo("add");
        assertThat(add.at("/Operations/0/path").asText()).isEqualTo("members");
        assertThat(add.at("/Operations/0/value").findValuesAsText("value"))
                .containsExactlyInAnyOrder(scimId("alice"), scimId("bob"));
        RecordedRequest lookup = scim.requests().stream().filter(r -> r.line().startsWith("GET /Groups")).findFirst()
                .orElseThrow();
        assertThat(lookup.query()).contains("excludedAttributes=members").contains("filter=");

        JsonNode line = groupLine("create", "Sales");
        assertThat(line.path("status").asText()).isEqualTo("success");
        assertThat(line.path("sourceId").asText()).isEqualTo(sales);
        assertThat(line.path("targetId").asText()).isEqualTo(salesId);
        assertThat(property(line, "displayName").path("new").asText()).isEqualTo("Sales");
        assertThat(property(line, "members.added").path("new").path("count").asInt()).isEqualTo(2);
        assertThat(property(line, "members.added").path("new").path("ids")).extracting(JsonNode::asText)
                .containsExactlyInAnyOrder(ids.get("alice"), ids.get("bob"));
        assertThat(property(line, "members.skipped").path("new").path("ids")).extracting(JsonNode::asText)
                .containsExactly(interns);
        assertThat(line.path("reason").asText()).contains("nested groups");
    }

    @Test
    void membershipChangesAreExactlyTheDeltaAndMoveUsersInAndOutOfScope() throws Exception {
        engine = EngineUnderTest.start(settings(), dataDir);
        engine.awaitInitialCycle();
        String salesId = groupId("Sales");
        String bobId = scimId("bob");
        scim.clearRequests();

        tenant.addMember(sales, ids.get("dave"));   // dave enters the scope through Sales
        tenant.removeMember(sales, ids.get("bob"));  // bob leaves every assignment
        CycleReport report = engine.runCycle();

        assertThat(report.counts()).containsEntry("created", 1).containsEntry("disabled", 1)
                .containsEntry("groups.updated", 1).containsEntry("failed", 0).containsEntry("groups.failed", 0);
        assertThat(scim.userByUserName(upn("bob")).orElseThrow().path("active").asBoolean()).isFalse();
        assertThat(groupWrites()).extracting(RecordedRequest::line)
                .containsExactly("PATCH /Groups/" + salesId, "PATCH /Groups/" + salesId);
        assertThat(body(groupWrites().get(0)).path("Operations")).isEqualTo(JSON.readTree("""
                [{"op":"remove","path":"members[value eq \\"%s\\"]"}]""".formatted(bobId)));
        assertThat(body(groupWrites().get(1)).path("Operations")).isEqualTo(JSON.readTree("""
                [{"op":"add","path":"members","value":[{"value":"%s"}]}]""".formatted(scimId("dave"))));
        assertThat(memberIds("Sales")).containsExactlyInAnyOrder(scimId("alice"), scimId("dave"));
        JsonNode line = groupLine("update", "Sales");
        assertThat(property(line, "members.removed").path("new").path("ids")).extracting(JsonNode::asText)
                .containsExactly(ids.get("bob"));

        scim.clearRequests();
        assertThat(engine.runCycle().counts()).containsEntry("groups.updated", 0);
        assertThat(writes()).as("nothing changed, nothing is sent").isEmpty();

        tenant.renameGroup(sales, "Sales & Marketing");
        assertThat(engine.runCycle().counts()).containsEntry("groups.updated", 1);
        assertThat(writes()).extracting(RecordedRequest::line).containsExactly("PATCH /Groups/" + salesId);
        assertThat(body(writes().get(0)).path("Operations")).isEqualTo(JSON.readTree("""
                [{"op":"replace","path":"displayName","value":"Sales & Marketing"}]"""));
        assertThat(scim.group(salesId).orElseThrow().path("displayName").asText()).isEqualTo("Sales & Marketing");
    }

    @Test
    void assigningAndUnassigningAGroupCreatesAndDeletesItWithItsUsers() throws Exception {
        engine = EngineUnderTest.start(settings(), dataDir);
        engine.awaitInitialCycle();
        String salesId = groupId("Sales");
        scim.clearRequests();

        tenant.assign(engineering);
        CycleReport assigned = engine.runCycle();

        assertThat(assigned.counts()).containsEntry("created", 1).containsEntry("groups.created", 1)
                .containsEntry("failed", 0);
        assertThat(scim.userByUserName(upn("dave"))).isPresent();
        String engineeringId = groupId("Engineering");
        assertThat(groupWrites()).extracting(RecordedRequest::line)
                .containsExactly("POST /Groups", "PATCH /Groups/" + engineeringId);
        assertThat(memberIds("Engineering")).containsExactlyInAnyOrder(scimId("carol"), scimId("dave"));

        scim.clearRequests();
        tenant.unassign(sales);
        CycleReport unassigned = engine.runCycle();

        assertThat(unassigned.counts()).containsEntry("disabled", 2).containsEntry("groups.deleted", 1)
                .containsEntry("failed", 0);
        assertThat(writes()).extracting(RecordedRequest::line).containsExactlyInAnyOrder(
                "PATCH /Users/" + scimId("alice"), "PATCH /Users/" + scimId("bob"), "DELETE /Groups/" + salesId);
        assertThat(scim.group(salesId)).isEmpty();
        assertThat(groupLine("delete", "Sales").path("reason").asText()).contains("no longer assigned");

        scim.clearRequests();
        tenant.assign(sales);
        engine.runCycle();
        String newSalesId = groupId("Sales");
        assertThat(groupWrites()).extracting(RecordedRequest::line)
                .containsExactly("POST /Groups", "PATCH /Groups/" + newSalesId);
        assertThat(memberIds("Sales")).as("re-assigned: a new group with its members again")
                .containsExactlyInAnyOrder(scimId("alice"), scimId("bob"));
        assertThat(scim.userByUserName(upn("alice")).orElseThrow().path("active").asBoolean()).isTrue();
    }

    @Test
    void deletedGroupsAreDeletedInTheTarget() throws Exception {
        tenant.assign(engineering);
        engine = EngineUnderTest.start(settings(), dataDir);
        engine.awaitInitialCycle();
        String salesId = groupId("Sales");
        String engineeringId = groupId("Engineering");
        scim.clearRequests();

        tenant.deleteGroup(sales);            // soft: @removed changed
        tenant.hardDeleteGroup(engineering);  // hard: @removed deleted
        CycleReport report = engine.runCycle();

        assertThat(report.counts()).containsEntry("groups.deleted", 2).containsEntry("groups.failed", 0);
        assertThat(groupWrites()).extracting(RecordedRequest::line)
                .containsExactlyInAnyOrder("DELETE /Groups/" + salesId, "DELETE /Groups/" + engineeringId);
        assertThat(scim.groups()).isEmpty();
        assertThat(report.counts()).containsEntry("disabled", 3);
    }

    @Test
    void aMemberThatCouldNotBeProvisionedIsAddedInALaterCycleAlone() throws Exception {
        engine = EngineUnderTest.start(settings(), dataDir);
        engine.awaitInitialCycle();
        String salesId = groupId("Sales");
        scim.clearRequests();

        tenant.addMember(sales, ids.get("frank"));
        scim.failNext(1, 400, null, "/Users");  // frank's match fails: he is not provisioned this cycle
        CycleReport first = engine.runCycle();

        assertThat(first.counts()).containsEntry("failed", 1).containsEntry("groups.failed", 0);
        assertThat(groupWrites()).as("no member to add yet").isEmpty();
        JsonNode line = groupLine("other", "Sales");
        assertThat(property(line, "members.skipped").path("new").path("ids")).extracting(JsonNode::asText)
                .contains(ids.get("frank"));

        scim.clearRequests();
        CycleReport second = engine.runCycle();

        assertThat(second.counts()).containsEntry("created", 1).containsEntry("groups.updated", 1);
        assertThat(groupWrites()).extracting(RecordedRequest::line).containsExactly("PATCH /Groups/" + salesId);
        assertThat(body(groupWrites().get(0)).path("Operations")).isEqualTo(JSON.readTree("""
                [{"op":"add","path":"members","value":[{"value":"%s"}]}]""".formatted(scimId("frank"))));
        assertThat(memberIds("Sales")).containsExactlyInAnyOrder(scimId("alice"), scimId("bob"), scimId("frank"));
    }

    @Test
    void theLegacyDialectRemovesMembersWithAValueListAndCapitalizedOps() throws Exception {
        Map<String, String> settings = settings();
        settings.put("scim.compat.member-remove", "value-list");
        settings.put("scim.compat.op-case", "capitalized");
        engine = EngineUnderTest.start(settings, dataDir);
        engine.awaitInitialCycle();
        String salesId = groupId("Sales");
        String aliceId = scimId("alice");
        String bobId = scimId("bob");
        scim.clearRequests();

        tenant.removeMember(sales, ids.get("alice"));
        tenant.removeMember(sales, ids.get("bob"));
        tenant.assign(ids.get("alice"));
        tenant.assign(ids.get("bob"));
        engine.runCycle();

        assertThat(groupWrites()).extracting(RecordedRequest::line).containsExactly("PATCH /Groups/" + salesId);
        JsonNode operations = body(groupWrites().get(0)).path("Operations");
        assertThat(operations).hasSize(1);
        assertThat(operations.at("/0/op").asText()).isEqualTo("Remove");
        assertThat(operations.at("/0/path").asText()).isEqualTo("members");
        assertThat(operations.at("/0/value").findValuesAsText("value")).containsExactlyInAnyOrder(aliceId, bobId);
        assertThat(memberIds("Sales")).isEmpty();
    }

    @Test
    void theCompliantDialectRemovesEachMemberByAPathFilter() throws Exception {
        engine = EngineUnderTest.start(settings(), dataDir);
        engine.awaitInitialCycle();
        String aliceId = scimId("alice");
        String bobId = scimId("bob");
        scim.clearRequests();

        tenant.removeMember(sales, ids.get("alice"));
        tenant.removeMember(sales, ids.get("bob"));
        engine.runCycle();

        assertThat(groupWrites()).hasSize(1);
        List<String> sorted = new ArrayList<>(List.of(aliceId, bobId));
        java.util.Collections.sort(sorted);
        // Ordered by Graph id in the state store; compare as a set of operations.
        assertThat(body(groupWrites().get(0)).path("Operations")).containsExactlyInAnyOrder(
                JSON.readTree("{\"op\":\"remove\",\"path\":\"members[value eq \\\"" + aliceId + "\\\"]\"}"),
                JSON.readTree("{\"op\":\"remove\",\"path\":\"members[value eq \\\"" + bobId + "\\\"]\"}"));
        assertThat(memberIds("Sales")).isEmpty();
    }

    @Test
    void aTargetWithoutFiltersHasItsGroupsMatchedThroughAListingOfThem() throws Exception {
        scim.close();
        scim = io.github.provisioning.sandbox.scim.ScimSandbox.start(scimConfig().withoutFilter());
        com.fasterxml.jackson.databind.node.ObjectNode existing = JSON.createObjectNode();
        existing.putArray("schemas").add("urn:ietf:params:scim:schemas:core:2.0:Group");
        existing.put("displayName", "SALES");
        String salesId = scim.seedGroup(existing);
        tenant.assign(interns);
        engine = EngineUnderTest.start(settings(), dataDir);
        CycleReport initial = engine.awaitInitialCycle();

        assertThat(initial.counts()).containsEntry("failed", 0);
        // Sales is the group the target held (displayName in any case), not a second one; Sales Interns is new.
        assertThat(scim.groups()).hasSize(2);
        assertThat(memberIds("Sales")).containsExactlyInAnyOrder(scimId("alice"), scimId("bob"));
        assertThat(groupId("Sales")).isEqualTo(salesId);
        assertThat(scim.requests().stream().filter(r -> r.path().startsWith("/Groups")).map(RecordedRequest::line))
                .containsOnlyOnce("GET /Groups?attributes=displayName&startIndex=1&count=500")
                .contains("GET /Groups/" + salesId + "?excludedAttributes=members", "POST /Groups");

        // The next cycle lists the groups again: one made in the target since is found, not duplicated.
        com.fasterxml.jackson.databind.node.ObjectNode made = existing.deepCopy().put("displayName", "Engineering");
        String engineeringId = scim.seedGroup(made);
        tenant.assign(engineering);
        scim.clearRequests();
        CycleReport incremental = engine.runCycle();

        assertThat(incremental.counts()).containsEntry("failed", 0);
        assertThat(scim.groups()).hasSize(3);
        assertThat(groupId("Engineering")).isEqualTo(engineeringId);
        assertThat(scim.requests().stream().filter(r -> r.path().startsWith("/Groups")).map(RecordedRequest::line))
                .containsOnlyOnce("GET /Groups?attributes=displayName&startIndex=1&count=500")
                .contains("GET /Groups/" + engineeringId + "?excludedAttributes=members")
                .doesNotContain("POST /Groups");
        assertThat(scim.requests()).noneMatch(r -> r.query() != null && r.query().contains("filter="));
        assertThat(scim.requests()).noneMatch(r -> r.status() == 501);
    }

    @Test
    void aTargetWithFiltersHasItsGroupsMatchedWithAQueryAndNeverListed() throws Exception {
        engine = EngineUnderTest.start(settings(), dataDir);
        engine.awaitInitialCycle();

        assertThat(scim.requests().stream().filter(r -> r.path().startsWith("/Groups")).map(RecordedRequest::line))
                .contains("GET /Groups?excludedAttributes=members&filter=displayName eq \"Sales\"")
                .noneMatch(line -> line.contains("startIndex="));
    }

    @Test
    void aTargetWithoutPatchGetsTheGroupPutBackWithTheChanges() throws Exception {
        Map<String, String> settings = settings();
        settings.put("scim.compat.update-method", "put");
        engine = EngineUnderTest.start(settings, dataDir);
        engine.awaitInitialCycle();
        String salesId = groupId("Sales");
        assertThat(memberIds("Sales")).containsExactlyInAnyOrder(scimId("alice"), scimId("bob"));
        scim.clearRequests();

        tenant.removeMember(sales, ids.get("bob"));
        tenant.assign(ids.get("bob"));
        tenant.renameGroup(sales, "Sellers");
        engine.runCycle();

        assertThat(scim.requests().stream().filter(r -> r.path().startsWith("/Groups/")).map(RecordedRequest::line))
                .containsExactly("GET /Groups/" + salesId, "PUT /Groups/" + salesId,
                        "GET /Groups/" + salesId, "PUT /Groups/" + salesId);
        assertThat(scim.group(salesId).orElseThrow().path("displayName").asText()).isEqualTo("Sellers");
        assertThat(memberIds("Sellers")).containsExactly(scimId("alice"));
    }

    @Test
    void metaWorkAccountsGetsNoGroupRequestAndGroupAssignmentStillScopesUsers() throws Exception {
        engine = EngineUnderTest.start(graph, scim, dataDir);  // the default profile: Meta Work Accounts
        CycleReport initial = engine.awaitInitialCycle();

        assertThat(initial.counts()).containsEntry("created", 3).doesNotContainKey("groups.created");
        assertThat(scim.users()).extracting(u -> u.path("userName").asText())
                .containsExactlyInAnyOrder(upn("alice"), upn("bob"), upn("carol"));

        tenant.addMember(sales, ids.get("dave"));
        tenant.removeMember(sales, ids.get("bob"));
        CycleReport incremental = engine.runCycle();

        assertThat(incremental.counts()).containsEntry("created", 1).containsEntry("disabled", 1);
        assertThat(scim.requests()).noneMatch(r -> r.path().startsWith("/Groups"));
        assertThat(scim.groups()).isEmpty();
        assertThat(engine.logLines()).noneMatch(l -> l.path("objectType").asText().equals("group"));
    }

    // ---- helpers

    List<RecordedRequest> groupWrites() {
        return scim.requests().stream().filter(r -> r.path().startsWith("/Groups") && !r.method().equals("GET"))
                .toList();
    }

    static JsonNode body(RecordedRequest request) {
        try {
            return JSON.readTree(request.body());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    String scimId(String name) {
        return scim.userByUserName(upn(name)).orElseThrow().path("id").asText();
    }

    String groupId(String displayName) {
        return scim.groupByDisplayName(displayName).orElseThrow().path("id").asText();
    }

    List<String> memberIds(String displayName) {
        List<String> members = new ArrayList<>();
        scim.groupByDisplayName(displayName).orElseThrow().path("members")
                .forEach(m -> members.add(m.path("value").asText()));
        return members;
    }

    JsonNode groupLine(String action, String displayName) {
        List<JsonNode> lines = engine.logLines().stream()
                .filter(l -> l.path("objectType").asText().equals("group"))
                .filter(l -> l.path("action").asText().equals(action))
                .filter(l -> l.path("sourceIdentity").asText().equals(displayName))
                .toList();
        assertThat(lines).as("log lines for %s %s", action, displayName).isNotEmpty();
        return lines.get(lines.size() - 1);
    }

    static JsonNode property(JsonNode line, String name) {
        for (JsonNode p : line.path("modifiedProperties")) {
            if (p.path("name").asText().equals(name)) {
                return p;
            }
        }
        throw new AssertionError("no modified property " + name + " in " + line);
    }
}
