package io.github.provisioning.sandbox.graph;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The manager relationship over HTTP: manager@delta in users delta, /users/{id}/manager and $expand=manager. */
class UserManagerTest extends SimulatedGraphTest {

    private static final String SELECT = "displayName,manager";

    private String boss;
    private String alice;
    private String bob;

    private Tenant orgChart() {
        Tenant tenant = start(GraphSimulatorConfig.defaults());
        boss = tenant.addUser(Map.of("userPrincipalName", "patti.fernandez@contoso.example",
                "displayName", "Patti Fernandez", "jobTitle", "Director"));
        alice = tenant.addUser(Map.of("userPrincipalName", "alex.wilber@contoso.example",
                "displayName", "Alex Wilber", "mail", "alex.wilber@contoso.example"));
        bob = tenant.addUser(Map.of("userPrincipalName", "grady.archie@contoso.example",
                "displayName", "Grady Archie"));
        tenant.setManager(alice, boss);
        return tenant;
    }

    private String firstRound() {
        return graph.graphUrl() + "/users/delta?$select=" + SELECT;
    }

    private static Map<String, JsonNode> byId(List<JsonNode> entries) {
        Map<String, JsonNode> byId = new HashMap<>();
        entries.forEach(entry -> byId.put(entry.get("id").asText(), entry));
        return byId;
    }

    private static JsonNode json(String text) {
        try {
            return GraphTestClient.JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void firstRoundCarriesManagerDeltaForEveryUserThatHasAManager() {
        orgChart();

        GraphTestClient.DeltaRound round = client.round(firstRound());

        Map<String, JsonNode> entries = byId(round.entries());
        assertThat(round.pages().get(0).get("@odata.context").asText())
                .isEqualTo(graph.graphUrl() + "/$metadata#users(displayName,manager)");
        assertThat(entries.get(alice).get("manager@delta")).isEqualTo(json(
                "[{\"@odata.type\":\"#microsoft.graph.user\",\"id\":\"" + boss + "\"}]"));
        assertThat(entries.get(alice).get("displayName").asText()).isEqualTo("Alex Wilber");
        assertThat(entries.get(boss).has("manager@delta")).isFalse();
        assertThat(entries.get(bob).has("manager@delta")).isFalse();
    }

    @Test
    void laterRoundCarriesTheNewManagerOfTheUserWhoseManagerChangedAndNobodyElse() {
        Tenant tenant = orgChart();
        String deltaLink = client.round(firstRound()).deltaLink();

        tenant.setManager(alice, bob);

        List<JsonNode> entries = client.round(deltaLink).entries();
        assertThat(entries).hasSize(1);
        assertThat(entries.get(0).get("id").asText()).isEqualTo(alice);
        assertThat(entries.get(0).get("displayName").asText()).isEqualTo("Alex Wilber");
        assertThat(entries.get(0).get("manager@delta")).isEqualTo(json(
                "[{\"@odata.type\":\"#microsoft.graph.user\",\"id\":\"" + bob + "\"}]"));
    }

    @Test
    void laterRoundLeavesManagerDeltaOutForAUserWhoseManagerDidNotChange() {
        Tenant tenant = orgChart();
        String deltaLink = client.round(firstRound()).deltaLink();

        tenant.updateUser(alice, Map.of("displayName", "Alex W."));

        List<JsonNode> entries = client.round(deltaLink).entries();
        assertThat(entries).extracting(entry -> entry.get("id").asText()).containsExactly(alice);
        assertThat(entries.get(0).has("manager@delta")).isFalse();
    }

    @Test
    void settingTheManagerAlreadyHeldIsNoChange() {
        Tenant tenant = orgChart();
        String deltaLink = client.round(firstRound()).deltaLink();

        tenant.setManager(alice, boss);
        tenant.setManager(bob, null);

        assertThat(client.round(deltaLink).entries()).isEmpty();
    }

    @Test
    void removedManagerComesBackAsTheOldManagerMarkedRemoved() {
        Tenant tenant = orgChart();
        String deltaLink = client.round(firstRound()).deltaLink();

        tenant.setManager(alice, null);

        List<JsonNode> entries = client.round(deltaLink).entries();
        assertThat(entries).hasSize(1);
        assertThat(entries.get(0).get("manager@delta")).isEqualTo(json("[{\"@odata.type\":\"#microsoft.graph.user\","
                + "\"id\":\"" + boss + "\",\"@removed\":{\"reason\":\"deleted\"}}]"));
        assertThat(tenant.managerId(alice)).isEmpty();
    }

    @Test
    void softDeletedManagerLeavesItsReportsUntilItIsRestored() {
        Tenant tenant = orgChart();
        String deltaLink = client.round(firstRound()).deltaLink();

        tenant.softDeleteUser(boss);
        GraphTestClient.DeltaRound afterDelete = client.round(deltaLink);

        Map<String, JsonNode> entries = byId(afterDelete.entries());
        assertThat(entries.keySet()).containsExactlyInAnyOrder(boss, alice);
        assertThat(entries.get(boss).at("/@removed/reason").asText()).isEqualTo("changed");
        assertThat(entries.get(alice).at("/manager@delta/0/id").asText()).isEqualTo(boss);
        assertThat(entries.get(alice).at("/manager@delta/0/@removed/reason").asText()).isEqualTo("deleted");
        assertThat(client.get(graph.graphUrl() + "/users/" + alice + "/manager").status()).isEqualTo(404);

        tenant.restoreUser(boss);

        Map<String, JsonNode> afterRestore = byId(client.round(afterDelete.deltaLink()).entries());
        assertThat(afterRestore.keySet()).containsExactlyInAnyOrder(boss, alice);
        assertThat(afterRestore.get(alice).get("manager@delta")).isEqualTo(json(
                "[{\"@odata.type\":\"#microsoft.graph.user\",\"id\":\"" + boss + "\"}]"));
        assertThat(tenant.managerId(alice)).contains(boss);
    }

    @Test
    void hardDeletedManagerLeavesItsReportsForGood() {
        Tenant tenant = orgChart();
        String deltaLink = client.round(firstRound()).deltaLink();

        tenant.hardDeleteUser(boss);

        Map<String, JsonNode> entries = byId(client.round(deltaLink).entries());
        assertThat(entries.get(boss).at("/@removed/reason").asText()).isEqualTo("deleted");
        assertThat(entries.get(alice).at("/manager@delta/0/@removed/reason").asText()).isEqualTo("deleted");
        assertThat(tenant.managerId(alice)).isEmpty();
        tenant.addUser(Map.of("id", boss, "displayName", "Same Id, New Person"));
        assertThat(tenant.managerId(alice)).isEmpty();
    }

    @Test
    void managerChangeAloneLeavesARoundThatDoesNotTrackManagerUntouched() {
        Tenant tenant = orgChart();
        String deltaLink = client.round(graph.graphUrl() + "/users/delta?$select=displayName,mail").deltaLink();

        tenant.setManager(bob, boss);
        tenant.softDeleteUser(boss);
        tenant.restoreUser(boss);

        List<JsonNode> entries = client.round(deltaLink).entries();
        assertThat(entries).extracting(entry -> entry.get("id").asText()).containsExactly(boss);
    }

    @Test
    void roundsThatDoNotSelectManagerCarryNoManagerData() {
        Tenant tenant = orgChart();
        tenant.populateSample(40, 3);

        GraphTestClient.DeltaRound round = client.round(graph.graphUrl() + "/users/delta?$select=displayName,mail");
        tenant.setManager(bob, alice);
        tenant.updateUser(bob, Map.of("displayName", "Grady A."));
        List<JsonNode> later = client.round(round.deltaLink()).entries();

        assertThat(round.entries()).hasSize(43).allSatisfy(entry -> assertThat(fieldNames(entry))
                .containsExactlyInAnyOrder("id", "displayName", "mail"));
        assertThat(later).singleElement().satisfies(entry -> assertThat(fieldNames(entry))
                .containsExactlyInAnyOrder("id", "displayName", "mail"));
    }

    @Test
    void roundWithoutSelectTracksManagerAsGraphTracksEveryRelationship() {
        orgChart();

        Map<String, JsonNode> entries = byId(client.round(graph.graphUrl() + "/users/delta").entries());

        assertThat(entries.get(alice).at("/manager@delta/0/id").asText()).isEqualTo(boss);
        assertThat(entries.get(bob).has("manager@delta")).isFalse();
    }

    @Test
    void usersAddedAfterADeltaLinkComeWithTheirManagers() {
        Tenant tenant = orgChart();
        String deltaLink = client.round(firstRound()).deltaLink();

        String hire = tenant.addUser(Map.of("displayName", "New Hire"));
        tenant.setManager(hire, alice);

        List<JsonNode> entries = client.round(deltaLink).entries();
        assertThat(entries).extracting(entry -> entry.get("id").asText()).containsExactly(hire);
        assertThat(entries.get(0).at("/manager@delta/0/id").asText()).isEqualTo(alice);
    }

    @Test
    void sampleUsersComeWithTheManagersTheTenantReports() {
        Tenant tenant = start(GraphSimulatorConfig.defaults().withPageSize(30));
        String deltaLink = client.round(firstRound()).deltaLink();
        tenant.populateSample(200, 11);

        List<JsonNode> first = client.round(firstRound()).entries();
        List<JsonNode> added = client.round(deltaLink).entries();

        for (List<JsonNode> entries : List.of(first, added)) {
            assertThat(entries).hasSize(200);
            assertThat(entries).filteredOn(entry -> entry.has("manager@delta")).hasSizeGreaterThan(180);
            for (JsonNode entry : entries) {
                String id = entry.get("id").asText();
                String shown = entry.has("manager@delta") ? entry.at("/manager@delta/0/id").asText() : null;
                assertThat(shown).as("manager of %s", id).isEqualTo(tenant.managerId(id).orElse(null));
            }
        }
    }

    @Test
    void managerEndpointAnswersTheManagerAsADirectoryObjectWithTheSelectedProperties() {
        orgChart();

        GraphTestClient.Reply selected = client.get(graph.graphUrl() + "/users/" + alice
                + "/manager?$select=displayName,jobTitle");
        GraphTestClient.Reply byUpn = client.get(graph.graphUrl() + "/users/alex.wilber@contoso.example/manager");

        assertThat(selected.status()).isEqualTo(200);
        assertThat(selected.body()).isEqualTo(json("{\"@odata.context\":\"" + graph.graphUrl()
                + "/$metadata#directoryObjects/$entity\",\"@odata.type\":\"#microsoft.graph.user\",\"id\":\"" + boss
                + "\",\"displayName\":\"Patti Fernandez\",\"jobTitle\":\"Director\"}"));
        assertThat(byUpn.status()).isEqualTo(200);
        assertThat(byUpn.body().get("id").asText()).isEqualTo(boss);
        assertThat(byUpn.body().get("userPrincipalName").asText()).isEqualTo("patti.fernandez@contoso.example");
    }

    @Test
    void managerEndpointAnswersNotFoundWhenThereIsNoManager() {
        orgChart();

        GraphTestClient.Reply none = client.get(graph.graphUrl() + "/users/" + bob + "/manager");
        GraphTestClient.Reply unknownUser = client.get(graph.graphUrl()
                + "/users/00000000-0000-4000-8000-000000000000/manager");

        assertThat(none.status()).isEqualTo(404);
        assertThat(none.body().at("/error/code").asText()).isEqualTo("Request_ResourceNotFound");
        assertThat(none.body().at("/error/message").asText()).isEqualTo("Resource 'manager' does not exist or one"
                + " of its queried reference-property objects are not present.");
        assertThat(unknownUser.status()).isEqualTo(404);
        assertThat(unknownUser.body().at("/error/code").asText()).isEqualTo("Request_ResourceNotFound");
    }

    @Test
    void expandManagerOnASingleUserEmbedsTheManagerAndLeavesItOutWhenThereIsNone() {
        orgChart();

        JsonNode withManager = client.get(graph.graphUrl() + "/users/" + alice
                + "?$select=displayName&$expand=manager($select=id,displayName)").body();
        JsonNode withoutManager = client.get(graph.graphUrl() + "/users/" + bob + "?$expand=manager").body();
        JsonNode plainExpand = client.get(graph.graphUrl() + "/users/" + alice + "?$expand=manager").body();

        assertThat(withManager.get("displayName").asText()).isEqualTo("Alex Wilber");
        assertThat(withManager.get("manager")).isEqualTo(json("{\"@odata.type\":\"#microsoft.graph.user\",\"id\":\""
                + boss + "\",\"displayName\":\"Patti Fernandez\"}"));
        assertThat(withoutManager.has("manager")).isFalse();
        assertThat(plainExpand.at("/manager/userPrincipalName").asText()).isEqualTo("patti.fernandez@contoso.example");
    }

    @Test
    void managerInTheSelectOfASingleUserReturnsNothingForItAsInGraph() {
        orgChart();

        GraphTestClient.Reply reply = client.get(graph.graphUrl() + "/users/" + alice + "?$select=displayName,manager");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(fieldNames(reply.body())).containsExactlyInAnyOrder("@odata.context", "id", "displayName");
    }

    @Test
    void expandIsStillRejectedOnDeltaAndOnAnythingButTheManager() {
        orgChart();

        GraphTestClient.Reply delta = client.get(graph.graphUrl() + "/users/delta?$select=displayName&$expand=manager");
        GraphTestClient.Reply memberOf = client.get(graph.graphUrl() + "/users/" + alice + "?$expand=memberOf");
        GraphTestClient.Reply levels = client.get(graph.graphUrl() + "/users/" + alice
                + "?$expand=manager($levels=max;$select=id)");

        for (GraphTestClient.Reply reply : List.of(delta, memberOf, levels)) {
            assertThat(reply.status()).isEqualTo(400);
            assertThat(reply.body().at("/error/code").asText()).isEqualTo("Request_UnsupportedQuery");
        }
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new HashSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
