package io.github.provisioning.sandbox.graph;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class UsersDeltaTest extends SimulatedGraphTest {

    private static final String SELECT = "displayName,mail,mobilePhone,accountEnabled";

    private String firstRound() {
        return graph.graphUrl() + "/users/delta?$select=" + SELECT;
    }

    private static Set<String> liveIds(Tenant tenant) {
        return tenant.users().stream().map(user -> user.get("id").asText()).collect(Collectors.toSet());
    }

    private static Map<String, JsonNode> byId(List<JsonNode> entries) {
        Map<String, JsonNode> byId = new HashMap<>();
        entries.forEach(entry -> byId.put(entry.get("id").asText(), entry));
        return byId;
    }

    @Test
    void firstRoundPagesThroughEveryLiveUserExactlyOnceAndEndsWithADeltaLink() {
        Tenant tenant = start(GraphSimulatorConfig.defaults().withPageSize(40));
        tenant.populateSample(250, 42);

        GraphTestClient.DeltaRound round = client.round(firstRound());

        assertThat(round.pages()).hasSize(7);
        for (JsonNode page : round.pages().subList(0, 6)) {
            assertThat(page.get("value")).hasSize(40);
            assertThat(page.get("@odata.nextLink").asText())
                    .startsWith(graph.graphUrl() + "/users/delta?$skiptoken=");
        }
        assertThat(round.deltaLink()).startsWith(graph.graphUrl() + "/users/delta?$deltatoken=");
        assertThat(round.pages().get(0).get("@odata.context").asText())
                .isEqualTo(graph.graphUrl() + "/$metadata#users(" + SELECT + ")");
        assertThat(round.ids()).doesNotHaveDuplicates().hasSize(250);
        assertThat(Set.copyOf(round.ids())).isEqualTo(liveIds(tenant));
    }

    @Test
    void entriesHoldTheIdAndExactlyTheSelectedPropertiesWithNullForAbsentOnes() {
        Tenant tenant = start(GraphSimulatorConfig.defaults());
        String withoutMobile = tenant.addUser(Map.of("userPrincipalName", "no.mobile@contoso.example",
                "displayName", "No Mobile", "mail", "no.mobile@contoso.example"));
        tenant.populateSample(30, 1);

        List<JsonNode> entries = client.round(firstRound()).entries();

        for (JsonNode entry : entries) {
            List<String> names = new ArrayList<>();
            entry.fieldNames().forEachRemaining(names::add);
            assertThat(names).containsExactlyInAnyOrder("id", "displayName", "mail", "mobilePhone", "accountEnabled");
        }
        JsonNode user = byId(entries).get(withoutMobile);
        assertThat(user.get("mobilePhone").isNull()).isTrue();
        assertThat(user.get("accountEnabled").asBoolean()).isTrue();
    }

    @Test
    void requestWithoutSelectReturnsGraphsDefaultProperties() {
        Tenant tenant = start(GraphSimulatorConfig.defaults());
        tenant.populateSample(5, 1);

        List<JsonNode> entries = client.round(graph.graphUrl() + "/users/delta").entries();

        for (JsonNode entry : entries) {
            List<String> names = new ArrayList<>();
            entry.fieldNames().forEachRemaining(names::add);
            names.remove("manager@delta"); // Graph tracks every relationship without a $select
            assertThat(names).containsExactlyInAnyOrder("id", "businessPhones", "displayName", "givenName",
                    "jobTitle", "mail", "mobilePhone", "officeLocation", "preferredLanguage", "surname",
                    "userPrincipalName");
            assertThat(entry.get("businessPhones").isArray()).isTrue();
        }
    }

    @Test
    void softDeletedUsersAreLeftOutOfTheFirstRound() {
        Tenant tenant = start(GraphSimulatorConfig.defaults());
        String kept = tenant.addUser(Map.of("displayName", "Kept"));
        String deleted = tenant.addUser(Map.of("displayName", "Deleted"));
        tenant.softDeleteUser(deleted);

        assertThat(client.round(firstRound()).ids()).containsExactly(kept);
    }

    @Test
    void unknownSelectPropertyIsABadRequestNamingTheProperty() {
        start(GraphSimulatorConfig.defaults());

        GraphTestClient.Reply reply = client.get(graph.graphUrl() + "/users/delta?$select=displayName,shoeSize");

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.body().at("/error/code").asText()).isEqualTo("BadRequest");
        assertThat(reply.body().at("/error/message").asText())
                .isEqualTo("Could not find a property named 'shoeSize' on type 'microsoft.graph.user'.");
    }

    @Test
    void emptyPagesQuirkInsertsAnEmptyPageThatStillCarriesANextLink() {
        Tenant tenant = start(GraphSimulatorConfig.defaults().withPageSize(20).withEmptyPages(true));
        tenant.populateSample(100, 3);

        GraphTestClient.DeltaRound round = client.round(firstRound());

        assertThat(round.pages()).anySatisfy(page -> {
            assertThat(page.get("value")).isEmpty();
            assertThat(page.has("@odata.nextLink")).isTrue();
        });
        assertThat(round.ids()).doesNotHaveDuplicates().hasSize(100);
    }

    @Test
    void emptyPagesQuirkAlsoAppliesToIncrementalRounds() {
        Tenant tenant = start(GraphSimulatorConfig.defaults().withEmptyPages(true));
        tenant.populateSample(10, 3);
        String deltaLink = client.round(firstRound()).deltaLink();

        GraphTestClient.DeltaRound unchanged = client.round(deltaLink);

        assertThat(unchanged.pages()).hasSizeGreaterThan(1);
        assertThat(unchanged.entries()).isEmpty();
    }

    @Test
    void repeatUsersQuirkShowsSomeUsersTwiceOnDifferentPagesButMissesNobody() {
        Tenant tenant = start(GraphSimulatorConfig.defaults().withPageSize(25).withRepeatUsers(true));
        tenant.populateSample(200, 5);

        GraphTestClient.DeltaRound round = client.round(firstRound());

        List<String> ids = round.ids();
        assertThat(Set.copyOf(ids)).isEqualTo(liveIds(tenant));
        assertThat(ids).hasSizeGreaterThan(200);
        Map<String, Set<Integer>> pagesById = new HashMap<>();
        for (int page = 0; page < round.pages().size(); page++) {
            for (JsonNode entry : round.pages().get(page).get("value")) {
                pagesById.computeIfAbsent(entry.get("id").asText(), id -> new HashSet<>()).add(page);
            }
        }
        assertThat(pagesById.values()).anySatisfy(pages -> assertThat(pages).hasSize(2));
    }

    @Test
    void unchangedTenantAnswersAnEmptyValueAndANewDeltaLink() {
        Tenant tenant = start(GraphSimulatorConfig.defaults());
        tenant.populateSample(20, 8);
        String deltaLink = client.round(firstRound()).deltaLink();

        GraphTestClient.DeltaRound round = client.round(deltaLink);

        assertThat(round.pages()).hasSize(1);
        assertThat(round.entries()).isEmpty();
        assertThat(round.deltaLink()).startsWith(graph.graphUrl() + "/users/delta?$deltatoken=");
    }

    @Test
    void updatedUserComesBackWithAllSelectedPropertiesAndItsNewValues() {
        Tenant tenant = start(GraphSimulatorConfig.defaults());
        tenant.populateSample(20, 8);
        String deltaLink = client.round(firstRound()).deltaLink();
        String id = tenant.users().get(4).get("id").asText();

        tenant.updateUser(id, new HashMap<>(Map.of("displayName", "Renamed User")));
        Map<String, Object> clearMobile = new HashMap<>();
        clearMobile.put("mobilePhone", null);
        tenant.updateUser(id, clearMobile);

        List<JsonNode> entries = client.round(deltaLink).entries();
        assertThat(entries).hasSize(1);
        JsonNode entry = entries.get(0);
        assertThat(entry.get("id").asText()).isEqualTo(id);
        assertThat(entry.get("displayName").asText()).isEqualTo("Renamed User");
        assertThat(entry.get("mobilePhone").isNull()).isTrue();
        assertThat(entry.has("mail")).isTrue();
        assertThat(entry.has("accountEnabled")).isTrue();
    }

    @Test
    void anExtensionAttributeChangeKeepsTheOthersAndComesBackInTheNextRound() {
        Tenant tenant = start(GraphSimulatorConfig.defaults());
        String id = tenant.addUser(Map.of("displayName", "Ext", "onPremisesExtensionAttributes",
                Map.of("extensionAttribute1", "Provision", "extensionAttribute3", "CC-100")));
        String select = "/users/delta?$select=displayName,onPremisesExtensionAttributes";
        GraphTestClient.DeltaRound first = client.round(graph.graphUrl() + select);
        JsonNode created = byId(first.entries()).get(id).get("onPremisesExtensionAttributes");
        assertThat(created.get("extensionAttribute1").asText()).isEqualTo("Provision");
        assertThat(created.get("extensionAttribute15").isNull()).isTrue();
        assertThat(created.size()).isEqualTo(15);

        tenant.updateUser(id, Map.of("onPremisesExtensionAttributes", Map.of("extensionAttribute3", "CC-300")));
        List<JsonNode> entries = client.round(first.deltaLink()).entries();

        assertThat(entries).hasSize(1);
        JsonNode changed = entries.get(0).get("onPremisesExtensionAttributes");
        assertThat(changed.get("extensionAttribute1").asText()).isEqualTo("Provision");
        assertThat(changed.get("extensionAttribute3").asText()).isEqualTo("CC-300");
        // Setting the values already held is no change.
        String unchanged = client.round(first.deltaLink()).deltaLink();
        tenant.updateUser(id, Map.of("onPremisesExtensionAttributes", Map.of("extensionAttribute3", "CC-300")));
        assertThat(client.round(unchanged).entries()).isEmpty();
    }

    @Test
    void softDeletedUserComesBackAsRemovedChanged() {
        Tenant tenant = start(GraphSimulatorConfig.defaults());
        tenant.populateSample(20, 8);
        String deltaLink = client.round(firstRound()).deltaLink();
        String id = tenant.users().get(2).get("id").asText();

        tenant.softDeleteUser(id);

        List<JsonNode> entries = client.round(deltaLink).entries();
        assertThat(entries).hasSize(1);
        assertThat(entries.get(0).get("id").asText()).isEqualTo(id);
        assertThat(entries.get(0).at("/@removed/reason").asText()).isEqualTo("changed");
    }

    @Test
    void restoredUserComesBackAsANormalEntry() {
        Tenant tenant = start(GraphSimulatorConfig.defaults());
        tenant.populateSample(20, 8);
        String id = tenant.users().get(2).get("id").asText();
        tenant.softDeleteUser(id);
        String deltaLink = client.round(firstRound()).deltaLink();

        tenant.restoreUser(id);

        List<JsonNode> entries = client.round(deltaLink).entries();
        assertThat(entries).hasSize(1);
        assertThat(entries.get(0).get("id").asText()).isEqualTo(id);
        assertThat(entries.get(0).has("@removed")).isFalse();
        assertThat(entries.get(0).has("displayName")).isTrue();
    }

    @Test
    void hardDeletedUserComesBackAsRemovedDeleted() {
        Tenant tenant = start(GraphSimulatorConfig.defaults());
        tenant.populateSample(20, 8);
        String deltaLink = client.round(firstRound()).deltaLink();
        String id = tenant.users().get(7).get("id").asText();

        tenant.hardDeleteUser(id);

        List<JsonNode> entries = client.round(deltaLink).entries();
        assertThat(entries).hasSize(1);
        assertThat(entries.get(0).get("id").asText()).isEqualTo(id);
        assertThat(entries.get(0).at("/@removed/reason").asText()).isEqualTo("deleted");
        assertThat(tenant.user(id)).isEmpty();
    }

    @Test
    void addedUserComesBackInTheNextRound() {
        Tenant tenant = start(GraphSimulatorConfig.defaults());
        tenant.populateSample(20, 8);
        String deltaLink = client.round(firstRound()).deltaLink();

        String id = tenant.addUser(Map.of("displayName", "New Hire", "mail", "new.hire@contoso.example"));

        List<JsonNode> entries = client.round(deltaLink).entries();
        assertThat(entries).extracting(entry -> entry.get("id").asText()).containsExactly(id);
        assertThat(entries.get(0).get("mail").asText()).isEqualTo("new.hire@contoso.example");
    }

    @Test
    void eachDeltaLinkReportsChangesSinceItWasIssued() {
        Tenant tenant = start(GraphSimulatorConfig.defaults());
        tenant.populateSample(20, 8);
        String first = client.round(firstRound()).deltaLink();
        String a = tenant.users().get(0).get("id").asText();
        String b = tenant.users().get(1).get("id").asText();

        tenant.updateUser(a, Map.of("jobTitle", "Chief of Staff"));
        String second = client.round(first).deltaLink();
        tenant.updateUser(b, Map.of("jobTitle", "Chief of Staff"));

        assertThat(client.round(second).ids()).containsExactly(b);
        assertThat(client.round(first).ids()).containsExactlyInAnyOrder(a, b);
    }

    @Test
    void changesMadeBetweenTwoPagesOfARoundAreNotLost() {
        Tenant tenant = start(GraphSimulatorConfig.defaults().withPageSize(10));
        tenant.populateSample(30, 9);
        List<String> ids = tenant.users().stream().map(user -> user.get("id").asText()).toList();

        GraphTestClient.Reply firstPage = client.get(firstRound());
        String seenOnFirstPage = firstPage.body().get("value").get(0).get("id").asText();
        String notYetSeen = ids.get(25);
        tenant.updateUser(seenOnFirstPage, Map.of("displayName", "Changed Mid-Round"));
        tenant.softDeleteUser(notYetSeen);
        String added = tenant.addUser(Map.of("displayName", "Added Mid-Round"));
        GraphTestClient.DeltaRound rest = client.round(firstPage.body().get("@odata.nextLink").asText());

        Map<String, JsonNode> nextRound = byId(client.round(rest.deltaLink()).entries());
        assertThat(nextRound.get(seenOnFirstPage).get("displayName").asText()).isEqualTo("Changed Mid-Round");
        assertThat(nextRound.get(notYetSeen).at("/@removed/reason").asText()).isEqualTo("changed");
        assertThat(nextRound).containsKey(added);
    }

    @Test
    void deltaTokenLatestSkipsTheCurrentStateAndReportsOnlyLaterChanges() {
        Tenant tenant = start(GraphSimulatorConfig.defaults());
        tenant.populateSample(50, 8);

        GraphTestClient.DeltaRound latest = client.round(graph.graphUrl() + "/users/delta?$select=" + SELECT
                + "&$deltaToken=latest");
        assertThat(latest.pages()).hasSize(1);
        assertThat(latest.entries()).isEmpty();

        JsonNode user = tenant.users().get(10);
        boolean enabled = user.get("accountEnabled").asBoolean();
        tenant.updateUser(user.get("id").asText(), Map.of("accountEnabled", !enabled));
        List<JsonNode> entries = client.round(latest.deltaLink()).entries();
        assertThat(entries).hasSize(1);
        assertThat(entries.get(0).get("accountEnabled").asBoolean()).isEqualTo(!enabled);
        assertThat(entries.get(0).has("mail")).as("$select carried in the token").isTrue();
    }

    @Test
    void garbageDeltaTokenIsAnUnknownSyncState() {
        start(GraphSimulatorConfig.defaults());

        GraphTestClient.Reply reply = client.get(graph.graphUrl() + "/users/delta?$deltatoken=bm90LWEtdG9rZW4");

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.body().at("/error/code").asText()).isEqualTo("syncStateNotFound");
    }

    @Test
    void invalidatedDeltaLinksAnswerSyncStateNotFoundSoTheClientResyncs() {
        Tenant tenant = start(GraphSimulatorConfig.defaults());
        tenant.populateSample(5, 8);
        String deltaLink = client.round(firstRound()).deltaLink();

        graph.invalidateDeltaTokens();

        GraphTestClient.Reply reply = client.get(deltaLink);
        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.body().at("/error/code").asText()).isEqualTo("syncStateNotFound");
        assertThat(client.round(firstRound()).ids()).hasSize(5);
    }

    @Test
    void deltaLinkOfTheUsersCollectionIsNoSyncStateForGroups() {
        Tenant tenant = start(GraphSimulatorConfig.defaults());
        tenant.populateSample(5, 8);
        String deltaLink = client.round(firstRound()).deltaLink();
        String token = deltaLink.substring(deltaLink.indexOf("$deltatoken="));

        GraphTestClient.Reply reply = client.get(graph.graphUrl() + "/groups/delta?" + token);

        assertThat(reply.body().at("/error/code").asText()).isEqualTo("syncStateNotFound");
    }

    @Test
    void userIsReadByIdOrUserPrincipalNameWithItsSelectedProperties() {
        Tenant tenant = start(GraphSimulatorConfig.defaults());
        String id = tenant.addUser(Map.of("userPrincipalName", "adele.vance@contoso.example",
                "displayName", "Adele Vance", "department", "Retail"));

        JsonNode byId = client.get(graph.graphUrl() + "/users/" + id + "?$select=displayName,department").body();
        JsonNode byUpn = client.get(graph.graphUrl() + "/users/adele.vance@contoso.example?$select=displayName")
                .body();

        assertThat(byId.get("id").asText()).isEqualTo(id);
        assertThat(byId.get("department").asText()).isEqualTo("Retail");
        assertThat(byId.has("mail")).isFalse();
        assertThat(byUpn.get("id").asText()).isEqualTo(id);
    }

    @Test
    void unknownOrDeletedUserIsNotFound() {
        Tenant tenant = start(GraphSimulatorConfig.defaults());
        String id = tenant.addUser(Map.of("displayName", "Soon Gone"));
        tenant.softDeleteUser(id);

        GraphTestClient.Reply deleted = client.get(graph.graphUrl() + "/users/" + id);
        GraphTestClient.Reply unknown = client.get(graph.graphUrl() + "/users/00000000-0000-4000-8000-000000000000");

        assertThat(deleted.status()).isEqualTo(404);
        assertThat(deleted.body().at("/error/code").asText()).isEqualTo("Request_ResourceNotFound");
        assertThat(unknown.status()).isEqualTo(404);
    }

    @Test
    void unknownPathSegmentIsABadRequestAsInGraph() {
        start(GraphSimulatorConfig.defaults());

        GraphTestClient.Reply reply = client.get(graph.graphUrl() + "/gadgets");

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.body().at("/error/message").asText())
                .isEqualTo("Resource not found for the segment 'gadgets'.");
    }
}
