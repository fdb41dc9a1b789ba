package io.github.provisioning;

import static io.github.provisioning.sandbox.graph.Contoso.employee;
import static io.github.provisioning.sandbox.graph.Contoso.upn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.provisioning.cycle.CycleReport;
import io.github.provisioning.sandbox.graph.GraphFaults;
import io.github.provisioning.sandbox.graph.GraphRequest;
import io.github.provisioning.sandbox.graph.GraphSimulator;
import io.github.provisioning.sandbox.graph.GraphSimulatorConfig;
import io.github.provisioning.sandbox.graph.Tenant;
import io.github.provisioning.sandbox.scim.ScimSandbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Microsoft Graph throttling and outages inside a cycle, through real HTTP against the Graph simulator: a Graph
 * request (the token request too) answered 429, 500, 502, 503, 504, or not answered in time, is sent again after
 * Retry-After or a back-off; a cycle fails on Graph only when graph.max-attempts run out, naming the request and its
 * last answer, and keeps its watermark.
 */
class GraphRetryCycleTest extends EngineTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Users with their app roles, and groups with their members: every kind of Graph request a cycle sends. */
    private static final String MAPPING = """
            user:
              mappings:
                - {target: userName, source: userPrincipalName, match: 1}
                - {target: active, expression: 'Not([IsSoftDeleted])'}
                - {target: displayName, source: displayName}
                - {target: title, source: jobTitle}
                - {target: roles, expression: 'AppRoleAssignmentsComplex([appRoleAssignments])'}
            group:
              mappings:
                - {target: displayName, source: displayName, match: 1}
                - {target: members, source: members}
            """;
    private static final String TOKEN = "/oauth2/v2.0/token$";
    private static final String APP_ROLES = "/servicePrincipals/[^/]+$";
    private static final String SCOPE = "/appRoleAssignedTo$";
    private static final String MEMBERS = "/members$";
    private static final String USERS_DELTA = "/users/delta$";
    private static final String GROUPS_DELTA = "/groups/delta$";

    @TempDir
    Path config;

    private final Map<String, String> ids = new HashMap<>();

    @Override
    GraphSimulatorConfig graphConfig() {
        return super.graphConfig().withPageSize(3);
    }

    @BeforeEach
    void populateTenant() {
        populate(tenant, ids);
    }

    /** Six users and two groups; Sales (bob, carol, erin) and four users are assigned, dave is not. */
    private static void populate(Tenant tenant, Map<String, String> ids) {
        String admin = tenant.addAppRole("Administrator", "Admin");
        String reader = tenant.addAppRole("Reader", "Read");
        ids.put("role:admin", admin);
        ids.put("role:reader", reader);
        for (String name : List.of("alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi")) {
            ids.put(name, tenant.addUser(employee(name, "Sales", "Seller " + name)));
        }
        String sales = tenant.addGroup("Sales");
        ids.put("Sales", sales);
        for (String member : List.of("bob", "carol", "erin")) {
            tenant.addMember(sales, ids.get(member));
        }
        tenant.assign(sales, reader);
        tenant.assign(ids.get("alice"), admin);
        for (String name : List.of("frank", "grace", "heidi")) {
            tenant.assign(ids.get(name));
        }
    }

    @Test
    void aThrottledAnswerToEachKindOfGraphRequestIsSentAgainAfterRetryAfterAndTheCycleCompletes() throws Exception {
        for (String path : List.of(TOKEN, APP_ROLES, SCOPE, MEMBERS, USERS_DELTA, GROUPS_DELTA)) {
            graph.failNext(1, 429, "1", path);
        }
        engine = EngineUnderTest.start(settings(), dataDir);

        CycleReport initial = engine.awaitInitialCycle();

        assertThat(initial.completed()).as(initial.error()).isTrue();
        assertThat(initial.counts()).containsEntry("created", 7).containsEntry("failed", 0)
                .containsEntry("groups.created", 1);
        for (String path : List.of(TOKEN, APP_ROLES, SCOPE, MEMBERS, USERS_DELTA, GROUPS_DELTA)) {
            List<GraphRequest> requests = requestsTo(path);
            assertThat(requests).as(path).hasSizeGreaterThanOrEqualTo(2);
            assertThat(requests.get(0).status()).as(path).isEqualTo(429);
            assertSentAgainNoSoonerThan(requests.get(0), Duration.ofSeconds(1));
        }
        assertThat(initial.graph().throttled()).isEqualTo(6);
        assertThat(initial.graph().retried()).isEqualTo(6);
        assertThat(initial.graph().waitedSeconds()).isGreaterThanOrEqualTo(6.0);

        // A user assigned now, unchanged in Graph, is read by id: that request is retried too.
        tenant.assign(ids.get("dave"));
        graph.failNext(1, 429, "1", "/users/" + ids.get("dave") + "$");
        CycleReport incremental = engine.runCycle();

        assertThat(incremental.completed()).as(incremental.error()).isTrue();
        assertThat(incremental.counts()).containsEntry("created", 1).containsEntry("failed", 0);
        List<GraphRequest> byId = requestsTo("/users/" + ids.get("dave") + "$");
        assertThat(byId).extracting(GraphRequest::status).containsExactly(429, 200);
        assertSentAgainNoSoonerThan(byId.get(0), Duration.ofSeconds(1));
        assertThat(scim.userByUserName(upn("dave"))).isPresent();
    }

    @Test
    void serverErrorsAndAnAnswerSlowerThanTheResponseTimeoutAreSentAgain() throws Exception {
        graph.failNext(1, 504, null, TOKEN);
        graph.failNext(1, 500, null, SCOPE);
        graph.failNext(1, 503, null, USERS_DELTA);
        graph.failNext(1, 502, null, GROUPS_DELTA);
        graph.slowNext(1, Duration.ofSeconds(5), MEMBERS);
        Map<String, String> settings = settings();
        settings.put("graph.response-timeout", "1s");
        engine = EngineUnderTest.start(settings, dataDir);

        CycleReport initial = engine.awaitInitialCycle();

        assertThat(initial.completed()).as(initial.error()).isTrue();
        assertThat(initial.counts()).containsEntry("created", 7).containsEntry("failed", 0);
        assertThat(requestsTo(TOKEN)).extracting(GraphRequest::status).containsExactly(504, 200);
        assertThat(requestsTo(SCOPE)).extracting(GraphRequest::status).containsExactly(500, 200);
        assertThat(requestsTo(USERS_DELTA).get(0).status()).isEqualTo(503);
        assertThat(requestsTo(USERS_DELTA).get(1).status()).isEqualTo(200);
        assertThat(requestsTo(GROUPS_DELTA).subList(0, 2)).extracting(GraphRequest::status).containsExactly(502, 200);
        // The slow answer came too late: the members were asked for a second time. (The simulator records the slow
        // request when it answers it, after the retry.)
        await().atMost(Duration.ofSeconds(10)).until(() -> requestsTo(MEMBERS).size() == 2);
        assertThat(initial.graph().retried()).isEqualTo(5);
        assertThat(initial.graph().throttled()).isZero();
    }

    @Test
    void whenTheAttemptsRunOutTheCycleFailsNamingTheRequestAndItsLastAnswerAndKeepsItsWatermark() throws Exception {
        Map<String, String> settings = settings();
        settings.put("graph.max-attempts", "3");
        settings.put("graph.response-timeout", "1s");
        engine = EngineUnderTest.start(settings, dataDir);
        assertThat(engine.awaitInitialCycle().completed()).isTrue();
        tenant.updateUser(ids.get("alice"), Map.of("jobTitle", "Chief Seller"));

        graph.clearRequests();
        scim.clearRequests();
        graph.failNext(3, 503, null, USERS_DELTA);
        CycleReport outage = engine.runCycle();

        assertThat(outage.state()).isEqualTo("failed");
        assertThat(outage.error()).isEqualTo("GET /v1.0/users/delta failed after 3 attempts; the last answer: 503"
                + " serviceNotAvailable: The service is temporarily unavailable. Please retry after the indicated"
                + " delay.");
        assertThat(requestsTo(USERS_DELTA)).extracting(GraphRequest::status).containsExactly(503, 503, 503);
        assertThat(outage.graph().retried()).isEqualTo(2);

        graph.slowNext(3, Duration.ofSeconds(4), USERS_DELTA);
        CycleReport silent = engine.runCycle();

        assertThat(silent.state()).isEqualTo("failed");
        assertThat(silent.error()).startsWith("GET /v1.0/users/delta failed after 3 attempts; the last answer: no"
                + " answer: ");

        graph.failNext(1, 429, "300", USERS_DELTA);
        CycleReport throttledForLong = engine.runCycle();

        assertThat(throttledForLong.state()).isEqualTo("failed");
        assertThat(throttledForLong.error()).isEqualTo("GET /v1.0/users/delta: Graph asked to be called again in"
                + " 300s, later than graph.retry-max-delay (2s) allows; the last answer: 429 TooManyRequests: Too many"
                + " requests. Please retry after the indicated delay.");
        assertThat(scim.requests()).allSatisfy(r -> assertThat(r.method()).isEqualTo("GET"));

        // The watermark stayed: the next cycle is incremental and sends the change the failed ones did not.
        CycleReport recovered = engine.runCycle();

        assertThat(recovered.completed()).as(recovered.error()).isTrue();
        assertThat(recovered.type()).isEqualTo("incremental");
        assertThat(recovered.counts()).containsEntry("updated", 1).containsEntry("failed", 0);
        assertThat(scim.userByUserName(upn("alice")).orElseThrow().path("title").asText()).isEqualTo("Chief Seller");
    }

    @Test
    void aGraph401IsNotSentAgain() throws Exception {
        graph.failNext(1, 401, null, USERS_DELTA);
        engine = EngineUnderTest.start(settings(), dataDir);

        CycleReport initial = engine.awaitInitialCycle();

        assertThat(initial.state()).isEqualTo("failed");
        assertThat(initial.error()).contains("401 InvalidAuthenticationToken");
        assertThat(requestsTo(USERS_DELTA)).extracting(GraphRequest::status).containsExactly(401);
        assertThat(initial.graph().retried()).isZero();
        // As before: only a token endpoint's rejection (or the target's 401/403) quarantines the job.
        AdminClient admin = new AdminClient(engine.context().resolvePropertyPlaceholders("{{admin.port}}"), null);
        assertThat(admin.ok(admin.get("/api/status")).path("quarantine").isNull()).isTrue();
    }

    @Test
    void rejectedGraphCredentialsAreNotSentAgainAndQuarantineTheJob() throws Exception {
        Map<String, String> settings = settings();
        settings.put("graph.client-secret", "wrong-" + settings.get("graph.client-secret"));
        engine = EngineUnderTest.start(settings, dataDir);

        CycleReport initial = engine.awaitInitialCycle();

        assertThat(initial.state()).isEqualTo("failed");
        assertThat(initial.error()).contains("AADSTS7000215");
        assertThat(requestsTo(TOKEN)).extracting(GraphRequest::status).containsExactly(401);
        AdminClient admin = new AdminClient(settings.get("admin.port"), null);
        // The cycle's report is out a moment before the quarantine is decided.
        await().atMost(Duration.ofSeconds(10)).until(() -> admin.ok(admin.get("/api/status")).path("quarantine")
                .path("reason").asText(), "credentials"::equals);
    }

    /**
     * Issue 15's acceptance: with about one Graph request in five answered 429 (Retry-After: 1) and a few 503s, every
     * cycle of the end-to-end scenario completes on its first run, the target ends exactly as the same scenario
     * leaves it without faults, and no request comes back sooner than its Retry-After.
     */
    @Test
    void withOneGraphRequestInFiveThrottledEveryCycleCompletesAndTheTargetEndsAsWithoutFaults() throws Exception {
        Map<String, JsonNode> expected;
        Path cleanDataDir = Files.createDirectory(config.resolve("without-faults"));
        try (GraphSimulator cleanGraph = GraphSimulator.start(graphConfig());
             ScimSandbox cleanScim = ScimSandbox.start(scimConfig())) {
            Map<String, String> cleanIds = new HashMap<>();
            populate(cleanGraph.tenant(), cleanIds);
            try (EngineUnderTest clean = EngineUnderTest.start(settings(cleanGraph, cleanScim, cleanDataDir),
                    cleanDataDir)) {
                List<CycleReport> reports = scenario(clean, cleanGraph.tenant(), cleanIds);
                assertThat(reports).allSatisfy(r -> assertThat(r.completed()).isTrue());
            }
            expected = target(cleanScim);
        }

        graph.faults(GraphFaults.none().withSeed(15).withThrottling(0.2, "1").withUnavailable(0.08, null));
        engine = EngineUnderTest.start(settings(), dataDir);
        List<CycleReport> reports = scenario(engine, tenant, ids);

        assertThat(reports).allSatisfy(r -> assertThat(r.completed()).as(r.error()).isTrue());
        assertThat(target(scim)).isEqualTo(expected);
        List<GraphRequest> requests = graph.requests();
        long throttled = requests.stream().filter(r -> r.status() == 429).count();
        assertThat(throttled).as("429 answers among %d requests", requests.size())
                .isGreaterThanOrEqualTo(requests.size() / 10);
        assertThat(requests).filteredOn(r -> r.status() == 503).isNotEmpty();
        for (GraphRequest request : requests) {
            if (request.status() == 429) {
                assertSentAgainNoSoonerThan(request, Duration.ofSeconds(1));
            }
        }
        assertThat(reports.stream().mapToInt(r -> r.graph().throttled()).sum()).isEqualTo((int) throttled);
    }

    // ---- the scenario and what it leaves in the target

    /** An initial cycle, then updates, a disable, deletes, an unassignment, a new user, a group change, twice more. */
    private static List<CycleReport> scenario(EngineUnderTest engine, Tenant tenant, Map<String, String> ids)
            throws Exception {
        List<CycleReport> reports = new ArrayList<>();
        reports.add(engine.awaitInitialCycle(Duration.ofSeconds(120)));
        tenant.updateUser(ids.get("alice"), Map.of("jobTitle", "Chief Seller", "displayName", "Alice A."));
        tenant.updateUser(ids.get("bob"), Map.of("accountEnabled", false));
        tenant.softDeleteUser(ids.get("frank"));
        tenant.hardDeleteUser(ids.get("grace"));
        tenant.unassign(ids.get("heidi"));
        String ivan = tenant.addUser(employee("ivan", "Sales", "Seller ivan"));
        tenant.assign(ivan, ids.get("role:admin"));
        tenant.addMember(ids.get("Sales"), ids.get("dave"));
        tenant.removeMember(ids.get("Sales"), ids.get("erin"));
        reports.add(engine.runCycle());
        tenant.renameGroup(ids.get("Sales"), "Sales EMEA");
        tenant.unassign(ids.get("alice"), ids.get("role:admin"));
        tenant.assign(ids.get("alice"), ids.get("role:reader"));
        reports.add(engine.runCycle());
        return reports;
    }

    /** The target's users by userName and groups by displayName, without the target's ids; members by userName. */
    private static Map<String, JsonNode> target(ScimSandbox scim) throws IOException {
        Map<String, String> userNames = new HashMap<>();
        scim.users().forEach(u -> userNames.put(u.path("id").asText(), u.path("userName").asText()));
        Map<String, JsonNode> target = new TreeMap<>();
        for (ObjectNode user : scim.users()) {
            target.put("user " + user.path("userName").asText(), withoutIds(user));
        }
        for (ObjectNode group : scim.groups()) {
            ObjectNode plain = withoutIds(group);
            List<String> members = new ArrayList<>();
            group.path("members").forEach(m -> members.add(userNames.get(m.path("value").asText())));
            members.sort(null);
            plain.set("members", JSON.valueToTree(members));
            target.put("group " + group.path("displayName").asText(), plain);
        }
        return target;
    }

    private static ObjectNode withoutIds(ObjectNode resource) throws IOException {
        // The SCIM SDK's case-insensitive nodes never equal Jackson's plain ones; compare content.
        ObjectNode plain = (ObjectNode) JSON.readTree(resource.toString());
        plain.remove(List.of("id", "meta"));
        return plain;
    }

    // ---- helpers

    private Map<String, String> settings() throws IOException {
        return settings(graph, scim, dataDir);
    }

    private Map<String, String> settings(GraphSimulator graph, ScimSandbox scim, Path dataDir) throws IOException {
        Path mapping = config.resolve("mapping.yaml");
        Files.writeString(mapping, MAPPING);
        Map<String, String> settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        settings.put("provisioning.mapping", "file:" + mapping);
        return settings;
    }

    /** The requests whose path {@code pathPattern} finds, oldest first. */
    private List<GraphRequest> requestsTo(String pathPattern) {
        Pattern pattern = Pattern.compile(pathPattern);
        return graph.requests().stream().filter(r -> pattern.matcher(r.path()).find()).toList();
    }

    /** The next request for the same URL came {@code wait} or more after {@code answered} arrived. */
    private void assertSentAgainNoSoonerThan(GraphRequest answered, Duration wait) {
        List<GraphRequest> requests = graph.requests();
        GraphRequest next = requests.subList(requests.indexOf(answered) + 1, requests.size()).stream()
                .filter(r -> r.method().equals(answered.method()) && r.path().equals(answered.path())
                        && r.query().equals(answered.query()))
                .findFirst().orElseThrow(() -> new AssertionError("never sent again: " + answered.method() + " "
                        + answered.path() + "?" + answered.query()));
        assertThat(Duration.between(answered.receivedAt(), next.receivedAt()))
                .as("%s %s sent again after its %d", answered.method(), answered.path(), answered.status())
                .isGreaterThanOrEqualTo(wait);
    }
}
