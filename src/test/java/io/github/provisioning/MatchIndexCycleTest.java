package io.github.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.provisioning.sandbox.graph.Contoso;
import io.github.provisioning.cycle.CycleReport;
import io.github.provisioning.sandbox.scim.RecordedRequest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code scim.match-index}: an initial cycle lists the target's users page by page and sends a match query only for
 * the users whose matching value the target holds; a target that cannot list gets a query for every user;
 * incremental cycles never list.
 */
class MatchIndexCycleTest extends EngineTest {

    @Test
    void anInitialCycleListsTheTargetAndQueriesOnlyForValuesItHolds() throws Exception {
        List<String> seeded = List.of(
                scim.seedUser(seededAccount("Ann@Contoso.example")), // another case than Entra's value: still matched
                scim.seedUser(seededAccount("bob@contoso.example")),
                scim.seedUser(seededAccount("cy@contoso.example")),
                scim.seedUser(seededAccount("dee@contoso.example")),
                scim.seedUser(seededAccount("someone.else@contoso.example")));
        for (String upn : List.of("ann", "bob", "cy", "dee", "eve", "fay", "gus")) {
            assign(upn + "@contoso.example");
        }
        Map<String, String> settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        settings.put("scim.list-page-size", "2");
        engine = EngineUnderTest.start(settings, dataDir);

        awaitInitialCycle(3, 4,
                "GET /Users?attributes=userName&startIndex=1&count=2",
                "GET /Users?attributes=userName&startIndex=3&count=2",
                "GET /Users?attributes=userName&startIndex=5&count=2",
                "GET /Users?filter=userName eq \"ann@contoso.example\"",
                "GET /Users?filter=userName eq \"bob@contoso.example\"",
                "GET /Users?filter=userName eq \"cy@contoso.example\"",
                "GET /Users?filter=userName eq \"dee@contoso.example\"");
        assertThat(lines("POST")).hasSize(3);
        // Linked, not created a second time: the five seeded accounts and three new ones.
        assertThat(scim.users()).hasSize(8);
        assertThat(seeded.subList(0, 4)).allSatisfy(id ->
                assertThat(scim.user(id).orElseThrow().path("title").asText()).isEqualTo("Engineer"));

        scim.clearRequests();
        tenant.assign(tenant.addUser(engineer("hal@contoso.example")));
        CycleReport incremental = engine.runCycle();

        assertThat(incremental.counts()).containsEntry("created", 1);
        assertThat(lines("GET")).containsExactly("GET /Users?filter=userName eq \"hal@contoso.example\"");
    }

    @Test
    void aTargetThatCannotListGetsAMatchQueryForEveryUser() throws Exception {
        scim.seedUser(seededAccount("ann@contoso.example"));
        assign("ann@contoso.example");
        assign("bob@contoso.example");
        scim.failNext(1, 400, null, "/Users");
        engine = EngineUnderTest.start(graph, scim, dataDir);

        awaitInitialCycle(1, 1,
                "GET /Users?attributes=userName&startIndex=1&count=500",
                "GET /Users?filter=userName eq \"ann@contoso.example\"",
                "GET /Users?filter=userName eq \"bob@contoso.example\"");
        assertThat(scim.users()).hasSize(2);
    }

    @Test
    void offSendsAMatchQueryForEveryUserAndNeverLists() throws Exception {
        assign("ann@contoso.example");
        Map<String, String> settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        settings.put("scim.match-index", "off");
        engine = EngineUnderTest.start(settings, dataDir);

        engine.awaitInitialCycle();

        assertThat(lines("GET")).containsExactly("GET /Users?filter=userName eq \"ann@contoso.example\"");
    }

    /** The initial cycle ends with these counts and no failure, having sent exactly these GETs (in any order). */
    private void awaitInitialCycle(int created, int updated, String... gets) throws Exception {
        CycleReport initial = engine.awaitInitialCycle();
        assertThat(initial.counts()).containsEntry("created", created).containsEntry("updated", updated)
                .containsEntry("failed", 0);
        assertThat(lines("GET")).containsExactlyInAnyOrder(gets);
    }

    private List<String> lines(String method) {
        return userRequests().stream().filter(r -> r.method().equals(method)).map(RecordedRequest::line).toList();
    }

    private void assign(String upn) {
        tenant.assign(tenant.addUser(engineer(upn)));
    }
}
