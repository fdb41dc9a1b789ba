package io.github.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.provisioning.cycle.CycleReport;
import io.github.provisioning.sandbox.scim.RecordedRequest;
import io.github.provisioning.sandbox.scim.ScimSandbox;
import io.github.provisioning.sandbox.scim.ScimSandboxConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What the target's {@code /ServiceProviderConfig} says is honoured: a target without PATCH gets PUT updates (unless
 * update-method chooses), and a target without filters is matched through a listing of its users, in every cycle.
 * The sandbox, configured that way, refuses PATCH and filters with 501, so a request the engine should not send
 * fails the user.
 */
class TargetCapabilitiesCycleTest extends EngineTest {

    private static final String NO_PATCH = "the SCIM target says it does not support PATCH; ";
    private static final String NO_FILTER = "the SCIM target says it does not support filters; ";

    @Test
    void aTargetWithoutPatchGetsPutUpdates() throws Exception {
        target(scimConfig().withoutPatch());
        String ann = assign("ann@contoso.example");
        engine = EngineUnderTest.start(graph, scim, dataDir);
        CycleReport initial = engine.awaitInitialCycle();
        String id = scim.userByUserName("ann@contoso.example").orElseThrow().path("id").asText();

        tenant.updateUser(ann, Map.of("jobTitle", "Head buyer"));
        CycleReport update = engine.runCycle();
        tenant.unassign(ann);
        CycleReport disable = engine.runCycle();

        assertThat(update.counts()).containsEntry("updated", 1).containsEntry("failed", 0);
        assertThat(disable.counts()).containsEntry("disabled", 1).containsEntry("failed", 0);
        assertThat(writes()).extracting(RecordedRequest::line)
                .containsExactly("POST /Users", "PUT /Users/" + id, "PUT /Users/" + id);
        assertThat(scim.user(id).orElseThrow().path("title").asText()).isEqualTo("Head buyer");
        assertThat(scim.user(id).orElseThrow().path("active").asBoolean()).isFalse();
        for (CycleReport cycle : List.of(initial, update, disable)) {
            assertThat(logLinesOf(cycle)).containsExactly(NO_PATCH + "updates are sent as GET, then PUT");
        }
    }

    @Test
    void updateMethodChosenInTheSettingsWinsOverTheTarget() throws Exception {
        target(scimConfig().withoutPatch());
        String ann = assign("ann@contoso.example");
        Map<String, String> settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        settings.put("scim.compat.update-method", "patch");
        engine = EngineUnderTest.start(settings, dataDir);
        engine.awaitInitialCycle();

        tenant.updateUser(ann, Map.of("jobTitle", "Head buyer"));
        CycleReport update = engine.runCycle();

        // As chosen, a PATCH, which this target refuses.
        assertThat(update.counts()).containsEntry("failed", 1);
        List<String> writes = writes().stream().map(RecordedRequest::line).toList();
        assertThat(writes.get(writes.size() - 1)).startsWith("PATCH /Users/");
        assertThat(writes()).filteredOn(r -> r.method().equals("PATCH")).allMatch(r -> r.status() == 501);
        assertThat(logLinesOf(update)).containsExactly(NO_PATCH + "updates are sent as PATCH, as update-method "
                + "chooses");
    }

    @Test
    void aTargetWithoutFiltersIsMatchedThroughAListingInEveryCycle() throws Exception {
        target(scimConfig().withoutFilter());
        String annAccount = scim.seedUser(seededAccount("Ann@Contoso.example"));
        assign("ann@contoso.example");
        assign("bob@contoso.example");
        engine = EngineUnderTest.start(graph, scim, dataDir);
        CycleReport initial = engine.awaitInitialCycle();

        assertThat(initial.counts()).containsEntry("updated", 1).containsEntry("created", 1)
                .containsEntry("failed", 0);
        assertThat(scim.users()).hasSize(2);
        assertThat(scim.user(annAccount).orElseThrow().path("title").asText()).isEqualTo("Engineer");
        assertThat(userRequests()).extracting(RecordedRequest::line).contains(
                "GET /Users?attributes=userName&startIndex=1&count=500", "GET /Users/" + annAccount);

        // An incremental cycle lists the target again: an account made since is found and linked, not duplicated.
        String cyAccount = scim.seedUser(seededAccount("cy@contoso.example"));
        assign("cy@contoso.example");
        scim.clearRequests();
        CycleReport incremental = engine.runCycle();

        assertThat(incremental.counts()).containsEntry("updated", 1).containsEntry("created", 0)
                .containsEntry("failed", 0);
        assertThat(scim.users()).hasSize(3);
        assertThat(scim.user(cyAccount).orElseThrow().path("title").asText()).isEqualTo("Engineer");
        assertThat(userRequests()).extracting(RecordedRequest::line).contains(
                "GET /Users?attributes=userName&startIndex=1&count=500", "GET /Users/" + cyAccount);
        for (CycleReport cycle : List.of(initial, incremental)) {
            assertThat(logLinesOf(cycle)).containsExactly(NO_FILTER + "users are matched, and SelectUniqueValue "
                    + "checked, through a listing of its users; groups through a listing of its groups");
        }
        assertThat(scim.requests()).noneMatch(r -> r.query() != null && r.query().contains("filter="));
        assertThat(scim.requests()).noneMatch(r -> r.status() == 501);
    }

    @Test
    void withoutFiltersAndWithoutAListingAUserThatNeedsMatchingFails() throws Exception {
        target(scimConfig().withoutFilter());
        String ann = assign("ann@contoso.example");
        scim.failNext(1, 400, null, "/Users");
        engine = EngineUnderTest.start(graph, scim, dataDir);
        CycleReport initial = engine.awaitInitialCycle();

        assertThat(initial.counts()).containsEntry("failed", 1).containsEntry("created", 0);
        JsonNode failure = engine.logLines().stream().filter(l -> l.path("sourceId").asText().equals(ann))
                .findFirst().orElseThrow();
        assertThat(failure.path("error").path("code").asText()).isEqualTo("TargetListingUnavailable");
        assertThat(scim.requests()).noneMatch(r -> r.query() != null && r.query().contains("filter="));

        // The next cycle lists the target and provisions the user.
        CycleReport retry = engine.runCycle();
        assertThat(retry.counts()).containsEntry("created", 1).containsEntry("failed", 0);
    }

    @Test
    void onDemandAUserIsMatchedByPagingThroughTheListingUntilTheFirstAccountThatHoldsTheValue() throws Exception {
        target(scimConfig().withoutFilter());
        scim.seedUser(seededAccount("al@contoso.example"));
        String bobAccount = scim.seedUser(seededAccount("Bob@Contoso.example"));
        scim.seedUser(seededAccount("cy@contoso.example"));
        Map<String, String> settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        settings.put("scim.list-page-size", "1");
        AdminClient admin = new AdminClient(settings.get("admin.port"), null);
        engine = EngineUnderTest.start(settings, dataDir);
        engine.awaitInitialCycle();
        String bob = assign("bob@contoso.example");
        String dan = assign("dan@contoso.example");
        scim.clearRequests();

        JsonNode matched = admin.ok(admin.post("/api/provision/users/" + bob)).path("steps");

        assertThat(matched.get(2).path("found").asBoolean()).isTrue();
        assertThat(matched.get(2).path("targetId").asText()).isEqualTo(bobAccount);
        assertThat(matched.get(3).path("outcome").asText()).isEqualTo("updated");
        // The second page holds Bob: the third is never asked for.
        assertThat(userRequests()).extracting(RecordedRequest::line).containsExactly(
                "GET /Users?attributes=userName&startIndex=1&count=1",
                "GET /Users?attributes=userName&startIndex=2&count=1",
                "GET /Users/" + bobAccount, "PATCH /Users/" + bobAccount);
        assertThat(scim.user(bobAccount).orElseThrow().path("title").asText()).isEqualTo("Engineer");

        scim.clearRequests();
        JsonNode created = admin.ok(admin.post("/api/provision/users/" + dan)).path("steps");

        // No account holds Dan's userName: every page is read, then the account is created.
        assertThat(created.get(2).path("found").asBoolean()).isFalse();
        assertThat(created.get(3).path("outcome").asText()).isEqualTo("created");
        assertThat(userRequests()).extracting(RecordedRequest::line).containsExactly(
                "GET /Users?attributes=userName&startIndex=1&count=1",
                "GET /Users?attributes=userName&startIndex=2&count=1",
                "GET /Users?attributes=userName&startIndex=3&count=1", "POST /Users");
        assertThat(scim.userByUserName("dan@contoso.example")).isPresent();
        assertThat(scim.requests()).noneMatch(r -> r.query() != null && r.query().contains("filter="));
        assertThat(scim.requests()).noneMatch(r -> r.status() == 501);
    }

    @Test
    void aPreviewOnATargetWithoutFiltersOrPatchReadsTheListingAndTheAccountButSendsNoPut() throws Exception {
        target(scimConfig().withoutFilter().withoutPatch());
        String bobAccount = scim.seedUser(seededAccount("Bob@Contoso.example"));
        Map<String, String> settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        AdminClient admin = new AdminClient(settings.get("admin.port"), null);
        engine = EngineUnderTest.start(settings, dataDir);
        engine.awaitInitialCycle();
        String bob = assign("bob@contoso.example");
        scim.clearRequests();

        JsonNode preview = admin.ok(admin.get("/api/preview/users/" + bob));

        assertThat(preview.path("match").path("found").asBoolean()).isTrue();
        assertThat(preview.path("targetId").asText()).isEqualTo(bobAccount);
        assertThat(preview.path("action").asText()).isEqualTo("update");
        assertThat(preview.path("reason").asText()).isEqualTo("linked to an existing account");
        assertThat(preview.path("modifiedProperties").findValuesAsText("name")).contains("title");
        // The listing, the matched account and the GET a PUT update starts with are read; the PUT is kept back.
        assertThat(scim.requests()).extracting(RecordedRequest::method).containsOnly("GET");
        assertThat(scim.user(bobAccount).orElseThrow().has("title")).isFalse();
    }

    @Test
    void onDemandAGroupAndItsMembersAreMatchedThroughListingsOfATargetWithoutFilters() throws Exception {
        target(scimConfig().withoutFilter());
        com.fasterxml.jackson.databind.node.ObjectNode group = seededAccount("unused").removeAll();
        group.putArray("schemas").add("urn:ietf:params:scim:schemas:core:2.0:Group");
        group.put("displayName", "Sales");
        String salesGroup = scim.seedGroup(group);
        String al = scim.seedUser(seededAccount("al@contoso.example"));
        Map<String, String> settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        settings.put("provisioning.mapping", "classpath:mappings/generic-scim.yaml");
        AdminClient admin = new AdminClient(settings.get("admin.port"), null);
        engine = EngineUnderTest.start(settings, dataDir);
        engine.awaitInitialCycle();
        String sales = tenant.addGroup("Sales");
        tenant.addMember(sales, tenant.addUser(engineer("al@contoso.example")));
        tenant.addMember(sales, tenant.addUser(engineer("bo@contoso.example")));
        tenant.assign(sales);
        scim.clearRequests();

        JsonNode reply = admin.ok(admin.post("/api/provision/groups/" + sales));

        JsonNode steps = reply.path("steps");
        assertThat(steps.get(2).path("found").asBoolean()).as(reply.toString()).isTrue();
        assertThat(steps.get(2).path("targetId").asText()).isEqualTo(salesGroup);
        assertThat(reply.path("members")).extracting(m -> m.path("steps").get(3).path("outcome").asText())
                .containsExactlyInAnyOrder("updated", "created");
        String bo = scim.userByUserName("bo@contoso.example").orElseThrow().path("id").asText();
        List<String> members = new java.util.ArrayList<>();
        scim.group(salesGroup).orElseThrow().path("members").forEach(m -> members.add(m.path("value").asText()));
        assertThat(members).containsExactlyInAnyOrder(al, bo);
        assertThat(scim.groups()).hasSize(1);
        assertThat(scim.requests()).extracting(RecordedRequest::line)
                .contains("GET /Groups?attributes=displayName&startIndex=1&count=500",
                        "GET /Groups/" + salesGroup + "?excludedAttributes=members", "GET /Users/" + al);
        assertThat(scim.requests()).noneMatch(r -> r.query() != null && r.query().contains("filter="));
        assertThat(scim.requests()).noneMatch(r -> r.status() == 501);
    }

    /** This test's target instead of the default one. */
    private void target(ScimSandboxConfig config) {
        scim.close();
        scim = ScimSandbox.start(config);
    }

    /** The lines the engine logged about the target's capabilities for this cycle. */
    private static List<String> logLinesOf(CycleReport cycle) throws Exception {
        String prefix = "Cycle " + cycle.cycleId() + ": the SCIM target says";
        return Files.readAllLines(Path.of("target/test-logs/tests.log")).stream()
                .filter(l -> l.contains(prefix))
                .map(l -> l.substring(l.indexOf(prefix) + prefix.length() - "the SCIM target says".length()))
                .toList();
    }

    private String assign(String upn) {
        String id = tenant.addUser(engineer(upn));
        tenant.assign(id);
        return id;
    }
}
