package io.github.provisioning;

import static io.github.provisioning.sandbox.graph.Contoso.employee;
import static io.github.provisioning.sandbox.graph.Contoso.upn;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.provisioning.cycle.CycleReport;
import io.github.provisioning.sandbox.graph.GraphSimulatorConfig;
import io.github.provisioning.sandbox.scim.RecordedRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A complete user provisioning cycle with the real routes, against the Graph simulator and the SCIM sandbox over
 * real HTTP. Graph pages are small, with empty pages and repeated users, as real Graph sends them.
 */
class UserProvisioningCycleTest extends EngineTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

    private final Map<String, String> ids = new HashMap<>();

    @Override
    GraphSimulatorConfig graphConfig() {
        return super.graphConfig().withPageSize(3).withEmptyPages(true).withRepeatUsers(true);
    }

    @BeforeEach
    void populateTenant() {
        for (String name : List.of("alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi")) {
            ids.put(name, tenant.addUser(user(name)));
        }
        tenant.updateUser(ids.get("carol"), Map.of("accountEnabled", false));
        String sales = tenant.addGroup("Sales");
        String nested = tenant.addGroup("Sales Interns");
        tenant.addMember(sales, ids.get("bob"));
        tenant.addMember(sales, nested);
        tenant.addMember(nested, ids.get("erin"));
        tenant.assign(sales);
        for (String name : List.of("alice", "carol", "frank", "grace", "heidi")) {
            tenant.assign(ids.get(name));
        }
        // dave is not assigned; erin is only a member of a nested group, which Entra does not expand.
    }

    @Test
    void initialCycleCreatesExactlyTheAssignedEnabledUsersWithEveryMappedAttribute() throws Exception {
        engine = EngineUnderTest.start(graph, scim, dataDir);
        CycleReport report = engine.awaitInitialCycle();

        assertThat(report.completed()).isTrue();
        assertThat(report.type()).isEqualTo("initial");
        assertThat(report.counts()).containsEntry("created", 5).containsEntry("failed", 0);
        assertThat(scim.users()).extracting(u -> u.path("userName").asText()).containsExactlyInAnyOrder(
                upn("alice"), upn("bob"), upn("frank"), upn("grace"), upn("heidi"));
        // The scope is read every cycle: the members of an assigned group in Graph's largest pages.
        assertThat(graph.requests()).filteredOn(r -> r.path().endsWith("/members"))
                .extracting(r -> r.query()).containsExactly("$select=id&$top=999");

        ObjectNode alice = scim.userByUserName(upn("alice")).orElseThrow().deepCopy();
        alice.remove(List.of("id", "meta"));
        assertThat(plain(alice)).isEqualTo(JSON.readTree("""
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User",
                            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
                 "userName":"alice@contoso.example",
                 "externalId":"alice",
                 "active":true,
                 "title":"Engineer alice",
                 "emails":[{"value":"alice.mail@contoso.example","type":"work"}],
                 "preferredLanguage":"en-US",
                 "name":{"givenName":"Alice","familyName":"Alicesson","formatted":"Alice Alicesson"},
                 "addresses":[{"formatted":"Building alice","streetAddress":"1 alice Street","locality":"Redmond",
                               "region":"WA","postalCode":"98052","country":"US","type":"work"}],
                 "phoneNumbers":[{"value":"+1 555 0100","type":"work"}],
                 "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":
                     {"employeeNumber":"E-alice","department":"Sales"}}"""));
    }

    @Test
    void incrementalCycleSendsExactlyTheChangesAsPatchDeleteAndPost() throws Exception {
        engine = EngineUnderTest.start(graph, scim, dataDir);
        engine.awaitInitialCycle();
        Map<String, String> targetIds = new HashMap<>();
        scim.users().forEach(u -> targetIds.put(u.path("userName").asText(), u.path("id").asText()));
        scim.clearRequests();

        tenant.updateUser(ids.get("alice"), Map.of("jobTitle", "Principal Engineer", "surname", "Smith"));
        tenant.updateUser(ids.get("bob"), Map.of("accountEnabled", false));
        tenant.softDeleteUser(ids.get("frank"));
        tenant.hardDeleteUser(ids.get("grace"));
        tenant.unassign(ids.get("heidi"));
        ids.put("ivan", tenant.addUser(user("ivan")));
        tenant.assign(ids.get("ivan"));
        CycleReport report = engine.runCycle();

        assertThat(report.type()).isEqualTo("incremental");
        assertThat(report.counts()).containsEntry("created", 1).containsEntry("updated", 1)
                .containsEntry("disabled", 3).containsEntry("deleted", 1).containsEntry("failed", 0);
        List<RecordedRequest> writes = writes();
        assertThat(writes).extracting(r -> r.method() + " " + r.path()).containsExactlyInAnyOrder(
                "PATCH /Users/" + targetIds.get(upn("alice")),
                "PATCH /Users/" + targetIds.get(upn("bob")),
                "PATCH /Users/" + targetIds.get(upn("frank")),
                "DELETE /Users/" + targetIds.get(upn("grace")),
                "PATCH /Users/" + targetIds.get(upn("heidi")),
                "POST /Users");
        assertThat(body(writes, "PATCH /Users/" + targetIds.get(upn("alice")))).isEqualTo(JSON.readTree("""
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
                  {"op":"replace","path":"title","value":"Principal Engineer"},
                  {"op":"replace","path":"name.familyName","value":"Smith"},
                  {"op":"replace","path":"name.formatted","value":"Alice Smith"}]}"""));
        JsonNode disable = JSON.readTree("""
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                 "Operations":[{"op":"replace","path":"active","value":false}]}""");
        for (String name : List.of("bob", "frank", "heidi")) {
            assertThat(body(writes, "PATCH /Users/" + targetIds.get(upn(name)))).as(name).isEqualTo(disable);
        }
        assertThat(body(writes, "POST /Users").path("userName").asText()).isEqualTo(upn("ivan"));
        assertThat(scim.userByUserName(upn("grace"))).isEmpty();
        assertThat(scim.userByUserName(upn("ivan"))).isPresent();
        assertThat(scim.userByUserName(upn("alice")).orElseThrow().path("title").asText()).isEqualTo("Principal Engineer");
    }

    @Test
    void reenteringScopeOrRestoringEnablesTheAccountAgain() throws Exception {
        engine = EngineUnderTest.start(graph, scim, dataDir);
        engine.awaitInitialCycle();
        tenant.softDeleteUser(ids.get("frank"));
        tenant.unassign(ids.get("heidi"));
        engine.runCycle();
        assertThat(scim.userByUserName(upn("frank")).orElseThrow().path("active").asBoolean()).isFalse();
        assertThat(scim.userByUserName(upn("heidi")).orElseThrow().path("active").asBoolean()).isFalse();
        scim.clearRequests();

        tenant.restoreUser(ids.get("frank"));
        tenant.assign(ids.get("heidi"));
        CycleReport report = engine.runCycle();

        assertThat(report.counts()).containsEntry("updated", 2).containsEntry("created", 0);
        assertThat(writes()).extracting(RecordedRequest::method).containsOnly("PATCH").hasSize(2);
        assertThat(scim.userByUserName(upn("frank")).orElseThrow().path("active").asBoolean()).isTrue();
        assertThat(scim.userByUserName(upn("heidi")).orElseThrow().path("active").asBoolean()).isTrue();
    }

    @Test
    void aUserGraphSendsAgainOnALaterPageIsPlannedWithWhatTheFirstPageStored() throws Exception {
        engine = EngineUnderTest.start(graph, scim, dataDir);
        engine.awaitInitialCycle();
        List<String> changed = List.of("alice", "bob", "frank", "grace", "heidi");
        for (String name : changed) {
            tenant.updateUser(ids.get(name), Map.of("jobTitle", "Lead " + name));
        }
        scim.clearRequests();

        CycleReport report = engine.runCycle();

        // The simulator repeats the last user of every other page at the top of the next one (frank, here). Each
        // page's state is read before that page: the repeat sees what the first page stored, so it sends nothing.
        assertThat(report.counts()).containsEntry("updated", 5).containsEntry("failed", 0);
        assertThat(writes()).hasSize(5).allSatisfy(r -> assertThat(r.method()).isEqualTo("PATCH"));
        Map<String, List<JsonNode>> byUser = new HashMap<>();
        engine.logLines().stream().filter(l -> l.path("cycleId").asText().equals(report.cycleId()))
                .forEach(l -> byUser.computeIfAbsent(l.path("sourceId").asText(), id -> new java.util.ArrayList<>())
                        .add(l));
        List<List<JsonNode>> repeated = byUser.values().stream().filter(lines -> lines.size() > 1).toList();
        assertThat(repeated).isNotEmpty().allSatisfy(lines -> {
            assertThat(lines).extracting(l -> l.path("action").asText()).containsExactly("update", "other");
            assertThat(lines.get(1).path("reason").asText()).isEqualTo("no change");
        });
    }

    @Test
    void rerunningACycleWithNoSourceChangeSendsNoWriteRequest() throws Exception {
        engine = EngineUnderTest.start(graph, scim, dataDir);
        engine.awaitInitialCycle();
        scim.clearRequests();

        CycleReport second = engine.runCycle();
        CycleReport third = engine.runCycle();

        assertThat(second.completed()).isTrue();
        assertThat(third.completed()).isTrue();
        assertThat(writes()).isEmpty();
        // the Graph token is cached across pages and cycles, not requested per call
        assertThat(graph.requests()).filteredOn(r -> r.path().endsWith("/oauth2/v2.0/token")).hasSize(1);
    }

    @Test
    void aFailedUserIsLoggedAndRetriedInTheNextCycleWhileTheOthersGoOn() throws Exception {
        // 400 is not retried within the cycle (a transient 5xx would be); it fails the first user's match query
        // (with the match index, the listing of the target would take it)
        scim.failNext(1, 400, null, "/Users");
        Map<String, String> settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        settings.put("scim.match-index", "off");
        engine = EngineUnderTest.start(settings, dataDir);
        CycleReport initial = engine.awaitInitialCycle();

        assertThat(initial.completed()).isTrue();
        assertThat(initial.counts()).containsEntry("failed", 1).containsEntry("created", 4);
        JsonNode failure = engine.logLines().stream().filter(l -> l.path("status").asText().equals("failure"))
                .findFirst().orElseThrow();
        assertThat(failure.path("error").path("code").asText()).isEqualTo("ScimError400");
        assertThat(failure.path("action").asText()).isEqualTo("other");
        assertThat(failure.path("error").path("reason").asText()).startsWith("SCIM target answered 400");

        CycleReport retry = engine.runCycle();

        assertThat(retry.counts()).containsEntry("created", 1).containsEntry("failed", 0);
        assertThat(scim.users()).hasSize(5);
        scim.clearRequests();
        engine.runCycle();
        assertThat(writes()).isEmpty();
    }

    @Test
    void restartingTheEngineResumesFromTheStoredWatermarkWithoutWrites() throws Exception {
        engine = EngineUnderTest.start(graph, scim, dataDir);
        engine.awaitInitialCycle();
        engine.close();
        scim.clearRequests();

        engine = EngineUnderTest.start(graph, scim, dataDir);
        CycleReport report = engine.awaitInitialCycle();

        assertThat(report.type()).isEqualTo("incremental");
        assertThat(writes()).isEmpty();
    }

    @Test
    void anExpiredDeltaTokenStartsAFullRoundAndLosesNoChange() throws Exception {
        engine = EngineUnderTest.start(graph, scim, dataDir);
        engine.awaitInitialCycle();
        graph.invalidateDeltaTokens();
        tenant.updateUser(ids.get("alice"), Map.of("jobTitle", "CTO"));
        scim.clearRequests();

        CycleReport report = engine.runCycle();

        assertThat(report.completed()).isTrue();
        assertThat(report.counts()).containsEntry("updated", 1).containsEntry("failed", 0);
        assertThat(writes()).extracting(RecordedRequest::method).containsExactly("PATCH");
        scim.clearRequests();
        assertThat(engine.runCycle().completed()).isTrue();
        assertThat(writes()).isEmpty();
    }

    @Test
    void aUserDeletedWhileTheDeltaTokenExpiredIsDisabledAtTheEndOfTheFullRound() throws Exception {
        Map<String, String> settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        settings.put("provisioning.scope", "all");
        engine = EngineUnderTest.start(settings, dataDir);
        engine.awaitInitialCycle();
        String alice = scim.userByUserName(upn("alice")).orElseThrow().path("id").asText();
        // The full round that the expired token starts never lists Alice, and no @removed entry says she went.
        tenant.hardDeleteUser(ids.get("alice"));
        graph.invalidateDeltaTokens();
        scim.clearRequests();

        CycleReport report = engine.runCycle();

        assertThat(report.completed()).isTrue();
        assertThat(report.counts()).containsEntry("disabled", 1).containsEntry("failed", 0);
        assertThat(writes()).extracting(RecordedRequest::line).containsExactly("PATCH /Users/" + alice);
        assertThat(scim.user(alice).orElseThrow().path("active").asBoolean()).isFalse();
    }

    @Test
    void anAccountThatAlreadyExistsIsLinkedNotCreatedTwice() throws Exception {
        ObjectNode existing = JSON.createObjectNode();
        existing.putArray("schemas").add("urn:ietf:params:scim:schemas:core:2.0:User");
        existing.put("userName", upn("alice"));
        existing.put("title", "Old title");
        existing.put("active", true);
        String existingId = scim.seedUser(existing);

        engine = EngineUnderTest.start(graph, scim, dataDir);
        CycleReport report = engine.awaitInitialCycle();

        assertThat(report.counts()).containsEntry("created", 4).containsEntry("updated", 1);
        assertThat(writes()).filteredOn(r -> r.method().equals("POST"))
                .extracting(r -> r.json().path("userName").asText()).doesNotContain(upn("alice"));
        assertThat(scim.users()).filteredOn(u -> u.path("userName").asText().equals(upn("alice"))).hasSize(1);
        JsonNode alice = scim.user(existingId).orElseThrow();
        assertThat(alice.path("title").asText()).isEqualTo("Engineer alice");
        assertThat(alice.path("name").path("formatted").asText()).isEqualTo("Alice Alicesson");

        scim.clearRequests();
        engine.runCycle();
        assertThat(writes()).isEmpty();
    }

    @Test
    void aUserNameWithQuoteAndBackslashIsMatchedByAnEscapedFilterAndNothingElse() throws Exception {
        String tricky = "o\"brien\\x@contoso.example";
        Map<String, Object> props = user("obrien");
        props.put("userPrincipalName", tricky);
        String obrien = tenant.addUser(props);
        tenant.assign(obrien);
        String exactId = scim.seedUser(scimUser(tricky, "exact"));
        String lookalikeId = scim.seedUser(scimUser("o\"brien@contoso.example", "lookalike"));
        String otherId = scim.seedUser(scimUser("obrien\\x@contoso.example", "other"));

        engine = EngineUnderTest.start(graph, scim, dataDir);
        engine.awaitInitialCycle();

        assertThat(scim.requests()).filteredOn(r -> r.method().equals("GET") && r.query() != null
                        && r.query().contains("brien"))
                .extracting(RecordedRequest::query).containsExactly("filter=userName eq \"o\\\"brien\\\\x@contoso.example\"");
        assertThat(writes()).filteredOn(r -> r.method().equals("POST"))
                .extracting(r -> r.json().path("userName").asText()).doesNotContain(tricky);
        assertThat(writes()).extracting(RecordedRequest::path)
                .contains("/Users/" + exactId).doesNotContain("/Users/" + lookalikeId, "/Users/" + otherId);
        assertThat(scim.user(exactId).orElseThrow().path("title").asText()).isEqualTo("Engineer obrien");
        assertThat(scim.user(lookalikeId).orElseThrow().path("title").asText()).isEqualTo("lookalike");
        assertThat(scim.user(otherId).orElseThrow().path("title").asText()).isEqualTo("other");
    }

    @Test
    void provisioningLogAndCycleReportHaveEveryFieldAndNoSecret() throws Exception {
        engine = EngineUnderTest.start(graph, scim, dataDir);
        CycleReport initial = engine.awaitInitialCycle();
        tenant.updateUser(ids.get("alice"), Map.of("department", "Marketing"));
        tenant.hardDeleteUser(ids.get("grace"));
        CycleReport incremental = engine.runCycle();

        List<JsonNode> lines = engine.logLines();
        assertThat(lines).isNotEmpty();
        for (JsonNode line : lines) {
            assertThat(line.fieldNames()).toIterable().contains("time", "jobId", "cycleId", "changeId", "objectType",
                    "action", "status", "sourceId", "targetId", "modifiedProperties", "error", "durationMs");
            assertThat(line.path("jobId").asText()).isEqualTo("default");
            assertThat(line.path("action").asText()).isIn("create", "update", "disable", "delete", "other");
            assertThat(line.path("status").asText()).isIn("success", "failure", "skipped", "warning");
        }
        JsonNode update = lines.stream().filter(l -> l.path("action").asText().equals("update")).findFirst().orElseThrow();
        assertThat(update.path("cycleId").asText()).isEqualTo(incremental.cycleId());
        assertThat(update.path("sourceId").asText()).isEqualTo(ids.get("alice"));
        assertThat(update.path("modifiedProperties")).hasSize(1);
        assertThat(update.path("modifiedProperties").get(0).path("name").asText()).isEqualTo(ENTERPRISE + ":department");
        assertThat(update.path("modifiedProperties").get(0).path("old").asText()).isEqualTo("Sales");
        assertThat(update.path("modifiedProperties").get(0).path("new").asText()).isEqualTo("Marketing");
        assertThat(lines).filteredOn(l -> l.path("action").asText().equals("create")).hasSize(5)
                .allSatisfy(l -> assertThat(l.path("cycleId").asText()).isEqualTo(initial.cycleId()));
        assertThat(lines).filteredOn(l -> l.path("action").asText().equals("delete")).hasSize(1);
        assertThat(lines).filteredOn(l -> l.path("sourceId").asText().equals(ids.get("dave")))
                .allSatisfy(l -> assertThat(l.path("status").asText()).isEqualTo("skipped"));

        JsonNode report = engine.report(incremental);
        assertThat(report.path("type").asText()).isEqualTo("incremental");
        assertThat(report.path("state").asText()).isEqualTo("completed");
        assertThat(report.path("start").asText()).isNotBlank();
        assertThat(report.path("end").asText()).isNotBlank();
        assertThat(report.path("counts").fieldNames()).toIterable()
                .containsExactly("created", "updated", "disabled", "deleted", "skipped", "failed", "permanent");
        assertThat(report.path("counts").path("updated").asInt()).isEqualTo(1);
        assertThat(report.path("counts").path("deleted").asInt()).isEqualTo(1);

        List<String> secrets = List.of(graph.config().clientSecret(), scim.config().bearerToken());
        List<String> tokens = graph.requests().stream().map(r -> r.header("Authorization"))
                .flatMap(java.util.Optional::stream).map(h -> h.substring("Bearer ".length())).distinct().toList();
        assertThat(tokens).isNotEmpty();
        try (Stream<Path> files = Files.walk(dataDir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json") || f.toString().endsWith(".jsonl")).toList()) {
                assertNoSecret(Files.readString(file), secrets, tokens, file.toString());
            }
        }
        assertNoSecret(Files.readString(Path.of("target/test-logs/tests.log")), secrets, tokens, "the application log");
    }

    private static void assertNoSecret(String text, List<String> secrets, List<String> tokens, String where) {
        for (String secret : secrets) {
            assertThat(text).as(where).doesNotContain(secret);
        }
        for (String token : tokens) {
            assertThat(text).as(where).doesNotContain(token);
        }
    }

    // ---- helpers

    private static JsonNode body(List<RecordedRequest> requests, String methodAndPath) {
        return plain(requests.stream().filter(r -> (r.method() + " " + r.path()).equals(methodAndPath)).findFirst()
                .orElseThrow(() -> new AssertionError("no request " + methodAndPath)).json());
    }

    /** The SCIM SDK's case-insensitive nodes never equal Jackson's plain ones; compare content. */
    private static JsonNode plain(JsonNode node) {
        try {
            return JSON.readTree(node.toString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static ObjectNode scimUser(String userName, String title) {
        ObjectNode user = JSON.createObjectNode();
        user.putArray("schemas").add("urn:ietf:params:scim:schemas:core:2.0:User");
        user.put("userName", userName);
        user.put("title", title);
        user.put("active", true);
        return user;
    }

    /** A Sales engineer, with phones, an office and a postal address besides. */
    private static Map<String, Object> user(String name) {
        Map<String, Object> user = employee(name, "Sales", "Engineer " + name);
        user.put("businessPhones", List.of("+1 555 0100"));
        user.put("mobilePhone", "+1 555 0199");
        user.put("officeLocation", "Building " + name);
        user.put("streetAddress", "1 " + name + " Street");
        user.put("city", "Redmond");
        user.put("state", "WA");
        user.put("postalCode", "98052");
        user.put("country", "US");
        user.put("preferredLanguage", "en-US");
        return user;
    }
}
