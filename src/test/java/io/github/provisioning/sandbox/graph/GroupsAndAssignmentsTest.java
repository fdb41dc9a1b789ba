package io.github.provisioning.sandbox.graph;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class GroupsAndAssignmentsTest extends SimulatedGraphTest {

    private static final String GROUP_SELECT = "displayName,description,mailNickname,members";

    private String assignedTo() {
        return graph.graphUrl() + "/servicePrincipals/" + graph.config().appId() + "/appRoleAssignedTo";
    }

    private String groupsDelta() {
        return graph.graphUrl() + "/groups/delta?$select=" + GROUP_SELECT;
    }

    private List<JsonNode> followList(String url) {
        List<JsonNode> entries = new ArrayList<>();
        String next = url;
        while (next != null) {
            GraphTestClient.Reply reply = client.get(next);
            String current = next;
            assertThat(reply.status()).as(() -> current + ": " + reply.body()).isEqualTo(200);
            reply.body().get("value").forEach(entries::add);
            next = reply.body().has("@odata.nextLink") ? reply.body().get("@odata.nextLink").asText() : null;
        }
        return entries;
    }

    private static String idOf(Tenant tenant, String groupName) {
        return tenant.groupByName(groupName).orElseThrow().get("id").asText();
    }

    @Test
    void appRoleAssignedToPagesWithTopAndListsEveryAssignmentOnce() {
        Tenant tenant = start(GraphSimulatorConfig.defaults());
        tenant.populateSample(300, 11);
        int assignments = tenant.assignedPrincipalIds().size();

        GraphTestClient.Reply first = client.get(assignedTo() + "?$top=25");
        List<JsonNode> entries = followList(assignedTo() + "?$top=25");

        assertThat(first.body().get("value")).hasSize(25);
        assertThat(first.body().get("@odata.nextLink").asText())
                .startsWith(assignedTo() + "?$top=25&$skiptoken=");
        assertThat(entries).hasSize(assignments);
        assertThat(entries).extracting(e -> e.get("principalId").asText())
                .doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(tenant.assignedPrincipalIds());
    }

    @Test
    void appRoleAssignmentHasGraphsShape() {
        Tenant tenant = start(GraphSimulatorConfig.defaults());
        String userId = tenant.addUser(Map.of("displayName", "Megan Bowen"));
        String groupId = tenant.addGroup("Retail");
        String assignmentId = tenant.assign(userId);
        tenant.assign(groupId);

        List<JsonNode> entries = followList(assignedTo());

        assertThat(entries).hasSize(2);
        JsonNode user = entries.get(0);
        assertThat(user.get("id").asText()).isEqualTo(assignmentId).matches("[A-Za-z0-9_-]{43}");
        assertThat(user.get("deletedDateTime").isNull()).isTrue();
        assertThat(user.get("appRoleId").asText()).isEqualTo("00000000-0000-0000-0000-000000000000");
        assertThat(user.get("createdDateTime").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{7}Z");
        assertThat(user.get("principalDisplayName").asText()).isEqualTo("Megan Bowen");
        assertThat(user.get("principalId").asText()).isEqualTo(userId);
        assertThat(user.get("principalType").asText()).isEqualTo("User");
        assertThat(user.get("resourceId").asText()).isEqualTo(graph.config().appId());
        assertThat(user.has("resourceDisplayName")).isTrue();
        assertThat(entries.get(1).get("principalType").asText()).isEqualTo("Group");
    }

    @Test
    void appRoleAssignedToCarriesOnlySelectedPropertiesOnEveryPage() {
        Tenant tenant = start(GraphSimulatorConfig.defaults());
        for (int i = 0; i < 3; i++) {
            tenant.assign(tenant.addUser(Map.of("displayName", "User " + i)));
        }
        String url = assignedTo() + "?$select=principalId,PrincipalType,appRoleId&$top=2";

        GraphTestClient.Reply first = client.get(url);
        List<JsonNode> entries = followList(url);

        assertThat(first.body().get("@odata.context").asText())
                .endsWith("/appRoleAssignedTo(principalId,principalType,appRoleId)");
        assertThat(first.body().get("@odata.nextLink").asText()).contains("$select=principalId,PrincipalType,appRoleId");
        assertThat(entries).hasSize(3).allSatisfy(e -> {
            assertThat(e.properties()).extracting(Map.Entry::getKey)
                    .containsExactlyInAnyOrder("appRoleId", "principalId", "principalType");
            assertThat(e.get("principalType").asText()).isEqualTo("User");
        });
        GraphTestClient.Reply unknown = client.get(assignedTo() + "?$select=principalId,owner");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.body().at("/error/message").asText())
                .isEqualTo("Could not find a property named 'owner' on type 'microsoft.graph.appRoleAssignment'.");
    }

    @Test
    void appRoleAssignedToDefaultsToPagesOfOneHundred() {
        Tenant tenant = start(GraphSimulatorConfig.defaults());
        for (int i = 0; i < 150; i++) {
            tenant.assign(tenant.addUser(Map.of("displayName", "User " + i)));
        }

        GraphTestClient.Reply first = client.get(assignedTo());

        assertThat(first.body().get("value")).hasSize(100);
        assertThat(followList(assignedTo())).hasSize(150);
    }

    @Test
    void unassignedAndDeletedPrincipalsLeaveTheAssignmentList() {
        Tenant tenant = start(GraphSimulatorConfig.defaults());
        String kept = tenant.addUser(Map.of("displayName", "Kept"));
        String unassigned = tenant.addUser(Map.of("displayName", "Unassigned"));
        String deleted = tenant.addUser(Map.of("displayName", "Deleted"));
        List.of(kept, unassigned, deleted).forEach(tenant::assign);

        tenant.unassign(unassigned);
        tenant.softDeleteUser(deleted);

        assertThat(followList(assignedTo())).extracting(e -> e.get("principalId").asText()).containsExactly(kept);
        tenant.restoreUser(deleted);
        assertThat(followList(assignedTo())).extracting(e -> e.get("principalId").asText())
                .containsExactly(kept, deleted);
    }

    @Test
    void assignmentsCarryTheirAppRoleAndTheServicePrincipalListsItsAppRoles() {
        Tenant tenant = start(GraphSimulatorConfig.defaults());
        String admin = tenant.addAppRole("Administrator", "Admin");
        String reader = tenant.addAppRole("Reader", "Read");
        String user = tenant.addUser(Map.of("displayName", "Roles"));
        String plain = tenant.addUser(Map.of("displayName", "Plain"));
        tenant.assign(user, admin);
        tenant.assign(user, reader);
        tenant.assign(plain);

        assertThat(followList(assignedTo())).extracting(e -> e.get("principalId").asText() + " "
                + e.get("appRoleId").asText()).containsExactly(user + " " + admin, user + " " + reader,
                plain + " " + Tenant.DEFAULT_ACCESS);
        GraphTestClient.Reply sp = client.get(graph.graphUrl() + "/servicePrincipals/" + graph.config().appId()
                + "?$select=appRoles");
        assertThat(sp.status()).isEqualTo(200);
        assertThat(sp.body().has("displayName")).isFalse();
        assertThat(sp.body().get("appRoles")).extracting(r -> r.get("id").asText() + " "
                + r.get("displayName").asText() + " " + r.get("value").asText())
                .containsExactly(admin + " Administrator Admin", reader + " Reader Read");

        tenant.unassign(user, admin);
        assertThat(followList(assignedTo())).extracting(e -> e.get("appRoleId").asText())
                .containsExactly(reader, Tenant.DEFAULT_ACCESS);
        tenant.unassign(user);
        assertThat(followList(assignedTo())).extracting(e -> e.get("principalId").asText()).containsExactly(plain);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> tenant.assign(plain, "no-such-role"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not found on application");
    }

    @Test
    void topAboveNineHundredNinetyNineIsRejected() {
        start(GraphSimulatorConfig.defaults());

        GraphTestClient.Reply reply = client.get(assignedTo() + "?$top=1000");

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.body().at("/error/message").asText()).contains("Must be between 1 and 999");
    }

    @Test
    void unknownServicePrincipalIsNotFound() {
        start(GraphSimulatorConfig.defaults());

        GraphTestClient.Reply reply = client.get(graph.graphUrl()
                + "/servicePrincipals/00000000-1111-4222-8333-444444444444/appRoleAssignedTo");

        assertThat(reply.status()).isEqualTo(404);
        assertThat(reply.body().at("/error/code").asText()).isEqualTo("Request_ResourceNotFound");
    }

    @Test
    void groupMembersAreDirectMembersOnlyWithNestedGroupsListedAsGroups() {
        Tenant tenant = start(GraphSimulatorConfig.defaults());
        tenant.populateSample(120, 2);
        String sales = idOf(tenant, "Sales");
        String salesEmea = idOf(tenant, "Sales EMEA");

        List<JsonNode> members = followList(graph.graphUrl() + "/groups/" + sales + "/members?$select=id&$top=7");

        assertThat(members).extracting(m -> m.get("id").asText())
                .containsExactlyInAnyOrderElementsOf(tenant.memberIds(sales))
                .contains(salesEmea)
                .doesNotContainAnyElementsOf(tenant.memberIds(salesEmea));
        assertThat(members).filteredOn(m -> m.get("id").asText().equals(salesEmea))
                .singleElement()
                .satisfies(m -> assertThat(m.get("@odata.type").asText()).isEqualTo("#microsoft.graph.group"));
        assertThat(members).filteredOn(m -> !m.get("id").asText().equals(salesEmea)).allSatisfy(m -> {
            assertThat(m.get("@odata.type").asText()).isEqualTo("#microsoft.graph.user");
            assertThat(m.size()).isEqualTo(2);
        });
    }

    @Test
    void groupMembersCarrySelectedProperties() {
        Tenant tenant = start(GraphSimulatorConfig.defaults());
        String group = tenant.addGroup("Retail");
        String user = tenant.addUser(Map.of("displayName", "Lee Gu", "mail", "lee.gu@contoso.example"));
        tenant.addMember(group, user);

        JsonNode member = followList(graph.graphUrl() + "/groups/" + group + "/members?$select=id,mail").get(0);

        assertThat(member.get("mail").asText()).isEqualTo("lee.gu@contoso.example");
        assertThat(member.has("displayName")).isFalse();
    }

    @Test
    void groupIsReadByIdAndDeletedGroupIsNotFound() {
        Tenant tenant = start(GraphSimulatorConfig.defaults());
        String group = tenant.addGroup(Map.of("displayName", "Retail", "description", "Stores"));

        JsonNode body = client.get(graph.graphUrl() + "/groups/" + group + "?$select=displayName,description").body();
        tenant.deleteGroup(group);

        assertThat(body.get("description").asText()).isEqualTo("Stores");
        assertThat(body.get("id").asText()).isEqualTo(group);
        assertThat(client.get(graph.graphUrl() + "/groups/" + group).status()).isEqualTo(404);
        assertThat(client.get(graph.graphUrl() + "/groups/" + group + "/members").status()).isEqualTo(404);
    }

    @Test
    void groupsDeltaSplitsATenThousandMemberGroupAcrossPagesListingEveryMemberOnce() {
        Tenant tenant = start(GraphSimulatorConfig.defaults().withPageSize(500));
        String small = tenant.addGroup("Small");
        String big = tenant.addGroup(Map.of("displayName", "Everyone", "description", "All 10,000"));
        String empty = tenant.addGroup("Empty");
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String user = tenant.addUser(Map.of("displayName", "Member " + i));
            tenant.addMember(big, user);
            expected.add(user);
            if (i < 3) {
                tenant.addMember(small, user);
            }
        }

        GraphTestClient.DeltaRound round = client.round(groupsDelta());

        List<String> bigMembers = new ArrayList<>();
        int pagesWithBig = 0;
        for (JsonNode page : round.pages()) {
            int membersOnPage = 0;
            for (JsonNode group : page.get("value")) {
                JsonNode delta = group.path("members@delta");
                membersOnPage += delta.size();
                if (group.get("id").asText().equals(big)) {
                    pagesWithBig++;
                    assertThat(group.get("displayName").asText()).isEqualTo("Everyone");
                    delta.forEach(member -> {
                        assertThat(member.get("@odata.type").asText()).isEqualTo("#microsoft.graph.user");
                        bigMembers.add(member.get("id").asText());
                    });
                }
            }
            assertThat(membersOnPage).isLessThanOrEqualTo(500);
        }
        assertThat(pagesWithBig).isGreaterThanOrEqualTo(20);
        assertThat(bigMembers).hasSize(10_000).doesNotHaveDuplicates();
        assertThat(Set.copyOf(bigMembers)).isEqualTo(expected);
        JsonNode emptyGroup = round.entries().stream()
                .filter(g -> g.get("id").asText().equals(empty)).findFirst().orElseThrow();
        assertThat(emptyGroup.has("members@delta")).as("Graph leaves out members@delta of a group without members")
                .isFalse();
        assertThat(round.entries()).filteredOn(g -> g.get("id").asText().equals(small)).hasSize(1);
    }

    @Test
    void groupsDeltaReportsAddedAndRemovedMembersInTheNextRound() {
        Tenant tenant = start(GraphSimulatorConfig.defaults());
        String group = tenant.addGroup("Retail");
        String stays = tenant.addUser(Map.of("displayName", "Stays"));
        String leaves = tenant.addUser(Map.of("displayName", "Leaves"));
        String joins = tenant.addUser(Map.of("displayName", "Joins"));
        tenant.addMember(group, stays);
        tenant.addMember(group, leaves);
        String deltaLink = client.round(groupsDelta()).deltaLink();

        tenant.removeMember(group, leaves);
        tenant.addMember(group, joins);

        List<JsonNode> entries = client.round(deltaLink).entries();
        assertThat(entries).hasSize(1);
        JsonNode changes = entries.get(0).get("members@delta");
        assertThat(changes).hasSize(2);
        for (JsonNode change : changes) {
            if (change.get("id").asText().equals(leaves)) {
                assertThat(change.at("/@removed/reason").asText()).isEqualTo("deleted");
            } else {
                assertThat(change.get("id").asText()).isEqualTo(joins);
                assertThat(change.has("@removed")).isFalse();
            }
        }
        assertThat(entries.get(0).get("displayName").asText()).isEqualTo("Retail");
    }

    @Test
    void renamedGroupComesBackWithoutMembersDelta() {
        Tenant tenant = start(GraphSimulatorConfig.defaults());
        String group = tenant.addGroup("Retail");
        tenant.addMember(group, tenant.addUser(Map.of("displayName", "Member")));
        String deltaLink = client.round(groupsDelta()).deltaLink();

        tenant.renameGroup(group, "Retail Stores");

        List<JsonNode> entries = client.round(deltaLink).entries();
        assertThat(entries).hasSize(1);
        assertThat(entries.get(0).get("displayName").asText()).isEqualTo("Retail Stores");
        assertThat(entries.get(0).has("members@delta")).isFalse();
    }

    @Test
    void deletedUserLeavesItsGroupsInGroupsDelta() {
        Tenant tenant = start(GraphSimulatorConfig.defaults());
        String group = tenant.addGroup("Retail");
        String user = tenant.addUser(Map.of("displayName", "Member"));
        tenant.addMember(group, user);
        String deltaLink = client.round(groupsDelta()).deltaLink();

        tenant.softDeleteUser(user);

        JsonNode change = client.round(deltaLink).entries().get(0).get("members@delta").get(0);
        assertThat(change.get("id").asText()).isEqualTo(user);
        assertThat(change.at("/@removed/reason").asText()).isEqualTo("deleted");
        assertThat(tenant.memberIds(group)).isEmpty();
    }

    @Test
    void softAndHardDeletedGroupsComeBackAsRemoved() {
        Tenant tenant = start(GraphSimulatorConfig.defaults());
        String soft = tenant.addGroup("Soft");
        String hard = tenant.addGroup("Hard");
        String deltaLink = client.round(groupsDelta()).deltaLink();

        tenant.deleteGroup(soft);
        tenant.hardDeleteGroup(hard);

        List<JsonNode> entries = client.round(deltaLink).entries();
        assertThat(entries).hasSize(2);
        assertThat(entries.get(0).get("id").asText()).isEqualTo(soft);
        assertThat(entries.get(0).at("/@removed/reason").asText()).isEqualTo("changed");
        assertThat(entries.get(1).get("id").asText()).isEqualTo(hard);
        assertThat(entries.get(1).at("/@removed/reason").asText()).isEqualTo("deleted");
    }

    @Test
    void groupsDeltaWithoutSelectReturnsEveryPropertyAndTheMembers() {
        Tenant tenant = start(GraphSimulatorConfig.defaults());
        String group = tenant.addGroup("Retail");
        tenant.addMember(group, tenant.addUser(Map.of("displayName", "Member")));

        JsonNode entry = client.round(graph.graphUrl() + "/groups/delta").entries().get(0);

        assertThat(entry.has("securityEnabled")).isTrue();
        assertThat(entry.has("groupTypes")).isTrue();
        assertThat(entry.get("members@delta")).hasSize(1);
    }

    @Test
    void unknownGroupSelectPropertyIsABadRequest() {
        start(GraphSimulatorConfig.defaults());

        GraphTestClient.Reply reply = client.get(graph.graphUrl() + "/groups/delta?$select=displayName,owner");

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.body().at("/error/message").asText())
                .isEqualTo("Could not find a property named 'owner' on type 'microsoft.graph.group'.");
    }
}
