package io.github.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.provisioning.sandbox.graph.GraphSimulator;
import io.github.provisioning.sandbox.graph.GraphSimulatorConfig;
import io.github.provisioning.sandbox.graph.Tenant;
import io.github.provisioning.sandbox.scim.RecordedRequest;
import io.github.provisioning.sandbox.scim.ScimSandbox;
import io.github.provisioning.sandbox.scim.ScimSandboxConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * An end-to-end test's loopback world, fresh for each test: a Graph simulator (the tenant), a SCIM sandbox (the
 * target) and a data directory. The test arranges both sides and starts {@link #engine} when it is ready (or the
 * application in a process of its own); closing the engine, the target and the tenant is left to this class.
 */
abstract class EngineTest {

    @TempDir
    Path dataDir;

    GraphSimulator graph;
    Tenant tenant;
    ScimSandbox scim;
    EngineUnderTest engine;

    /**
     * The tenant's settings; override for page size or Graph quirks. The secret is fresh per test, so that a test
     * that looks for it in logs and files finds only its own.
     */
    GraphSimulatorConfig graphConfig() {
        return GraphSimulatorConfig.defaults().withClientSecret("graph-secret-" + UUID.randomUUID());
    }

    /** The target's settings; override for a known token or the token endpoints. */
    ScimSandboxConfig scimConfig() {
        return ScimSandboxConfig.defaults().withBearerToken("t-" + UUID.randomUUID());
    }

    @BeforeEach
    final void startTenantAndTarget() {
        graph = GraphSimulator.start(graphConfig());
        tenant = graph.tenant();
        scim = ScimSandbox.start(scimConfig());
    }

    @AfterEach
    final void stopEngineTargetAndTenant() throws Exception {
        if (engine != null) {
            engine.close();
        }
        scim.close();
        graph.close();
    }

    /** The requests about users (the engine reads /ServiceProviderConfig once at the start of a run). */
    List<RecordedRequest> userRequests() {
        return scim.requests().stream().filter(r -> r.path().startsWith("/Users")).toList();
    }

    /** The filters of the GET /Users queries sent (matching, SelectUniqueValue), decoded, in order. */
    List<String> userFilters() {
        return userRequests().stream().filter(r -> r.method().equals("GET") && r.query() != null
                && r.query().startsWith("filter=")).map(r -> r.query().substring("filter=".length())).toList();
    }

    static boolean isUserCreate(RecordedRequest r) {
        return r.method().equals("POST") && r.path().equals("/Users");
    }

    /** The userNames (lower case) the target got a {@code POST /Users} for more than once, in order. */
    List<String> userNamesPostedTwice() {
        Map<String, Long> posts = new TreeMap<>();
        scim.requests().stream().filter(EngineTest::isUserCreate)
                .forEach(r -> posts.merge(r.json().path("userName").asText().toLowerCase(Locale.ROOT), 1L, Long::sum));
        return posts.entrySet().stream().filter(p -> p.getValue() > 1).map(Map.Entry::getKey).toList();
    }

    /**
     * The accounts one uninterrupted run of the application ({@code provisioning.once}, a JVM of its own) makes from
     * this tenant in a fresh target, by lower-case userName; fails unless that run exits 0 with more than
     * {@code atLeast} accounts.
     */
    Map<String, JsonNode> accountsOfOneUninterruptedRun(Path dir, Duration limit, int atLeast) throws Exception {
        try (ScimSandbox reference = ScimSandbox.start(ScimSandboxConfig.defaults()
                .withBearerToken(scim.config().bearerToken()))) {
            Map<String, String> settings = EngineUnderTest.settingsFor(graph, reference, dir);
            settings.put("provisioning.once", "true");
            ApplicationProcess.Result result = ApplicationProcess.run(limit, settings);
            assertThat(result.exitCode()).as(result.output()).isZero();
            Map<String, JsonNode> accounts = accountsByUserName(reference.users());
            assertThat(accounts).hasSizeGreaterThan(atLeast);
            return accounts;
        }
    }

    /** Target users without what the target assigns itself (id, meta), by lower-case userName. */
    static Map<String, JsonNode> accountsByUserName(List<ObjectNode> users) {
        Map<String, JsonNode> byName = new LinkedHashMap<>();
        for (ObjectNode user : users) {
            ObjectNode copy = user.deepCopy();
            copy.remove(List.of("id", "meta"));
            byName.put(copy.path("userName").asText().toLowerCase(Locale.ROOT), copy);
        }
        return byName;
    }

    /** An account seeded into the target, as someone else made it: a userName, active. */
    static ObjectNode seededAccount(String userName) {
        ObjectNode user = new ObjectMapper().createObjectNode();
        user.putArray("schemas").add("urn:ietf:params:scim:schemas:core:2.0:User");
        user.put("userName", userName);
        user.put("active", true);
        return user;
    }

    /** An enabled Entra user, an engineer, whose mailNickname is the UPN's local part. */
    static Map<String, Object> engineer(String upn) {
        Map<String, Object> user = new HashMap<>();
        user.put("userPrincipalName", upn);
        user.put("mailNickname", upn.substring(0, upn.indexOf('@')));
        user.put("givenName", "Given");
        user.put("surname", "Surname");
        user.put("jobTitle", "Engineer");
        user.put("accountEnabled", true);
        return user;
    }

    /** The requests that change the target. */
    List<RecordedRequest> writes() {
        return scim.requests().stream().filter(r -> !r.method().equals("GET")).toList();
    }
}
