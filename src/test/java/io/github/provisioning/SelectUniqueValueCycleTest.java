package io.github.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.provisioning.cycle.CycleReport;
import io.github.provisioning.sandbox.scim.HeldReply;
import io.github.provisioning.sandbox.scim.RecordedRequest;
import io.github.provisioning.sandbox.scim.ScimSandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * SelectUniqueValue asks the target: each candidate, in rule order, is checked with a filter query on the row's
 * target attribute (or against the cycle's listing of a target without filters), and the first one free is created;
 * two users of one cycle never take the same value, and a user whose candidates are all taken fails alone.
 */
class SelectUniqueValueCycleTest extends EngineTest {

    /** userName: nickname@, then given.surname@, then nickname2@; matched on the Entra object id. */
    private static final String MAPPING = """
            user:
              mappings:
                - {target: externalId, source: objectId, match: 1}
                - target: userName
                  expression: >-
                    SelectUniqueValue(Join("@", [mailNickname], "contoso.example"),
                    Join("@", Join(".", [givenName], [surname]), "contoso.example"),
                    Join("", [mailNickname], "2@contoso.example"))
                  apply: on-create
                - {target: title, source: jobTitle}
            """;

    @Test
    void candidatesTheTargetHoldsAreSkippedAndNoCreateConflicts() throws Exception {
        scim.seedUser(seeded("Ann@Contoso.example")); // another letter case: userName is not case-exact
        scim.seedUser(seeded("bob@contoso.example"));
        scim.seedUser(seeded("Bob.Ray@contoso.example"));
        assign("ann", "Ann", "Lee");
        assign("bob", "Bob", "Ray");
        assign("cy", "Cy", "Day");

        engine = start(Map.of());
        CycleReport initial = engine.awaitInitialCycle();

        assertThat(initial.counts()).containsEntry("created", 3).containsEntry("failed", 0);
        assertThat(userNames()).containsExactlyInAnyOrder("Ann@Contoso.example", "bob@contoso.example",
                "Bob.Ray@contoso.example", "Ann.Lee@contoso.example", "bob2@contoso.example", "cy@contoso.example");
        assertThat(scim.requests()).noneMatch(r -> r.status() == 409);
        assertThat(userFilters()).contains(
                "userName eq \"ann@contoso.example\"", "userName eq \"Ann.Lee@contoso.example\"",
                "userName eq \"bob@contoso.example\"", "userName eq \"Bob.Ray@contoso.example\"",
                "userName eq \"bob2@contoso.example\"", "userName eq \"cy@contoso.example\"");

        // On update the value stays as created: the row is neither compared nor sent again.
        scim.clearRequests();
        tenant.updateUser(idOf("ann"), Map.of("mailNickname", "annie", "jobTitle", "Lead"));
        CycleReport incremental = engine.runCycle();

        assertThat(incremental.counts()).containsEntry("updated", 1).containsEntry("failed", 0);
        assertThat(userFilters()).isEmpty();
        assertThat(scim.userByUserName("Ann.Lee@contoso.example").orElseThrow().path("title").asText())
                .isEqualTo("Lead");
    }

    @Test
    void twoUsersOfOneCycleNeverTakeTheSameValue() throws Exception {
        assign("cy", "Cy", "One");
        assign("cy", "Cy", "Two");
        // The first uniqueness query's answer waits; meanwhile the other user must not take the value it asks about.
        HeldReply held = scim.holdReply("GET", "/Users", 1);

        engine = start(Map.of());
        await().atMost(Duration.ofSeconds(30)).until(() -> held.reached() && creates() == 1);
        held.release();
        CycleReport initial = engine.awaitInitialCycle();

        assertThat(initial.counts()).containsEntry("created", 2).containsEntry("failed", 0);
        assertThat(scim.requests()).noneMatch(r -> r.status() == 409);
        List<String> names = userNames();
        assertThat(names).hasSize(2).contains("cy@contoso.example")
                .containsAnyOf("Cy.One@contoso.example", "Cy.Two@contoso.example");
    }

    @Test
    void aUserWhoseCandidatesAreAllTakenFailsAndTheCycleGoesOn() throws Exception {
        scim.seedUser(seeded("dee@contoso.example"));
        scim.seedUser(seeded("DEE.KAY@contoso.example"));
        scim.seedUser(seeded("dee2@contoso.example"));
        String dee = assign("dee", "Dee", "Kay");
        assign("eve", "Eve", "Ma");

        engine = start(Map.of());
        CycleReport initial = engine.awaitInitialCycle();

        assertThat(initial.completed()).isTrue();
        assertThat(initial.counts()).containsEntry("created", 1).containsEntry("failed", 1);
        assertThat(userNames()).contains("eve@contoso.example").hasSize(4);
        assertThat(writes()).extracting(RecordedRequest::line).containsExactly("POST /Users");
        JsonNode failure = engine.logLines().stream().filter(l -> l.path("sourceId").asText().equals(dee))
                .findFirst().orElseThrow();
        assertThat(failure.path("status").asText()).isEqualTo("failure");
        assertThat(failure.path("action").asText()).isEqualTo("create");
        assertThat(failure.path("error").path("code").asText()).isEqualTo("NoUniqueValue");
        assertThat(failure.path("error").path("reason").asText()).isEqualTo("userName: SelectUniqueValue: every "
                + "generated value already exists in the target: [dee@contoso.example, Dee.Kay@contoso.example, "
                + "dee2@contoso.example]");
    }

    @Test
    void aTargetWithoutFiltersIsCheckedAgainstItsListing() throws Exception {
        scim.close();
        scim = ScimSandbox.start(scimConfig().withoutFilter());
        scim.seedUser(seeded("Ann@Contoso.example"));
        assign("ann", "Ann", "Lee");
        assign("cy", "Cy", "One");
        assign("cy", "Cy", "Two");

        engine = start(Map.of());
        CycleReport initial = engine.awaitInitialCycle();

        assertThat(initial.counts()).containsEntry("created", 3).containsEntry("failed", 0);
        assertThat(userNames()).contains("Ann.Lee@contoso.example", "cy@contoso.example").hasSize(4)
                .containsAnyOf("Cy.One@contoso.example", "Cy.Two@contoso.example");
        assertThat(userFilters()).isEmpty();
        assertThat(scim.requests()).noneMatch(r -> r.status() == 409 || r.status() == 501);

        // The next cycle lists the target again: its listing holds the values this one created.
        assign("cy", "Cy", "Three");
        CycleReport incremental = engine.runCycle();

        assertThat(incremental.counts()).containsEntry("created", 1).containsEntry("failed", 0);
        assertThat(userNames()).contains("Cy.Three@contoso.example").hasSize(5);
        assertThat(scim.requests()).noneMatch(r -> r.status() == 409 || r.status() == 501);
    }

    @Test
    void onDemandATargetWithoutFiltersIsListedWholeAndTheFirstFreeCandidateCreated() throws Exception {
        scim.close();
        scim = ScimSandbox.start(scimConfig().withoutFilter());
        String adminPort = String.valueOf(EngineUnderTest.freePort());
        engine = start(Map.of("admin.port", adminPort));
        engine.awaitInitialCycle();
        scim.seedUser(seeded("dee@contoso.example"));
        String dee = assign("dee", "Dee", "Fox");
        scim.clearRequests();
        AdminClient admin = new AdminClient(adminPort, null);

        JsonNode steps = admin.ok(admin.post("/api/provision/users/" + dee)).path("steps");

        assertThat(steps).as(steps.toString()).hasSize(4);
        assertThat(steps.get(3).path("outcome").asText()).isEqualTo("created");
        assertThat(userNames()).containsExactlyInAnyOrder("dee@contoso.example", "Dee.Fox@contoso.example");
        assertThat(userRequests()).extracting(RecordedRequest::line).containsExactly(
                "GET /Users?attributes=externalId,userName&startIndex=1&count=500", "POST /Users");
        assertThat(scim.requests()).noneMatch(r -> r.status() == 501);
    }

    private EngineUnderTest start(Map<String, String> extra) throws Exception {
        Path mapping = Files.createTempFile(dataDir.getParent(), "mapping", ".yaml");
        Files.writeString(mapping, MAPPING);
        Map<String, String> settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        settings.put("provisioning.mapping", mapping.toString());
        settings.putAll(extra);
        return EngineUnderTest.start(settings, dataDir);
    }

    private final Map<String, String> ids = new HashMap<>();

    private String assign(String nickname, String given, String surname) {
        Map<String, Object> user = new HashMap<>();
        user.put("userPrincipalName", nickname + "." + surname.toLowerCase() + "@contoso.example");
        user.put("mailNickname", nickname);
        user.put("givenName", given);
        user.put("surname", surname);
        user.put("jobTitle", "Engineer");
        user.put("accountEnabled", true);
        String id = tenant.addUser(user);
        tenant.assign(id);
        ids.putIfAbsent(nickname, id);
        return id;
    }

    private String idOf(String nickname) {
        return ids.get(nickname);
    }

    private List<String> userNames() {
        return scim.users().stream().map(u -> u.path("userName").asText()).toList();
    }

    private long creates() {
        return scim.requests().stream().filter(r -> r.method().equals("POST") && r.path().equals("/Users")).count();
    }

    /** A seeded account that no Entra user matches (its externalId is no object id). */
    private static ObjectNode seeded(String userName) {
        return seededAccount(userName).put("externalId", "seeded-" + userName);
    }
}
