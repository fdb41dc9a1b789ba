package io.github.provisioning;

import static io.github.provisioning.sandbox.graph.Contoso.employee;
import static io.github.provisioning.sandbox.graph.Contoso.upn;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.provisioning.cycle.CycleReport;
import io.github.provisioning.sandbox.graph.GraphSimulatorConfig;
import io.github.provisioning.sandbox.scim.RecordedRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attribute-based scoping filters with the real routes, against the Graph simulator and the SCIM sandbox over real
 * HTTP. Entra: a user outside every scoping filter is never created; a provisioned one that leaves them is
 * disabled, and enabled again when it matches once more.
 */
class ScopingFilterCycleTest extends EngineTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Meta's mapping plus two scoping filters: Sales staff of contoso.example, or partner managers. */
    private static final String SCOPING = """
              scoping:
                - title: Sales staff
                  clauses:
                    - {attribute: department, operator: EQUALS, value: Sales}
                    - {attribute: userPrincipalName, operator: ENDS_WITH, value: '@contoso.example'}
                - title: Partner managers
                  clauses:
                    - {attribute: companyName, operator: EQUALS, value: Contoso Partners}
                    - {attribute: jobTitle, operator: REGEX MATCH, value: '.*Manager'}
            """;
    private static final String OUTSIDE = "outside the scoping filter: Sales staff: department EQUALS Sales; "
            + "Partner managers: companyName EQUALS Contoso Partners and jobTitle REGEX MATCH .*Manager";

    @TempDir
    Path config;

    private final Map<String, String> ids = new HashMap<>();

    @Override
    GraphSimulatorConfig graphConfig() {
        return super.graphConfig().withPageSize(2).withEmptyPages(true);
    }

    @BeforeEach
    void assignUsers() {
        ids.put("alice", tenant.addUser(employee("alice", "Sales", "Account Executive")));
        ids.put("bob", tenant.addUser(employee("bob", "Sales", "Engineer")));
        ids.put("erin", tenant.addUser(employee("erin", "Marketing", "Designer")));
        Map<String, Object> frank = employee("frank", "Marketing", "Partner Manager");
        frank.put("companyName", "Contoso Partners");
        ids.put("frank", tenant.addUser(frank));
        ids.values().forEach(tenant::assign);
    }

    @Test
    void aUserLeavingTheScopingFilterIsDisabledAndEnabledAgainWhenItMatches() throws Exception {
        engine = startWithScoping();
        CycleReport initial = engine.awaitInitialCycle();

        // Entra: users outside every scoping filter are never created.
        assertThat(initial.counts()).containsEntry("created", 3).containsEntry("failed", 0);
        assertThat(scim.users()).extracting(u -> u.path("userName").asText())
                .containsExactlyInAnyOrder(upn("alice"), upn("bob"), upn("frank"));
        assertThat(logFor("erin")).extracting(l -> l.path("status").asText() + " " + l.path("reason").asText())
                .containsExactly("skipped " + OUTSIDE + "; not provisioned");
        // The attributes the clauses read are in Graph's $select.
        assertThat(graph.requests()).filteredOn(r -> r.path().contains("/users/delta") && r.query() != null
                        && r.query().contains("select"))
                .isNotEmpty()
                .allSatisfy(r -> assertThat(r.query()).contains("companyName").contains("department")
                        .contains("jobTitle").contains("userPrincipalName"));
        String aliceId = scim.userByUserName(upn("alice")).orElseThrow().path("id").asText();
        scim.clearRequests();

        tenant.updateUser(ids.get("alice"), Map.of("department", "Marketing"));
        CycleReport left = engine.runCycle();

        assertThat(left.counts()).containsEntry("disabled", 1).containsEntry("updated", 0).containsEntry("failed", 0);
        assertThat(writes()).extracting(r -> r.method() + " " + r.path()).containsExactly("PATCH /Users/" + aliceId);
        assertThat(plain(writes().get(0).json())).isEqualTo(JSON.readTree("""
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                 "Operations":[{"op":"replace","path":"active","value":false}]}"""));
        assertThat(scim.user(aliceId).orElseThrow().path("active").asBoolean()).isFalse();
        assertThat(logFor("alice").get(logFor("alice").size() - 1).path("reason").asText()).isEqualTo(OUTSIDE);
        scim.clearRequests();

        tenant.updateUser(ids.get("alice"), Map.of("department", "Sales"));
        CycleReport back = engine.runCycle();

        assertThat(back.counts()).containsEntry("updated", 1).containsEntry("created", 0).containsEntry("failed", 0);
        assertThat(writes()).extracting(r -> r.method() + " " + r.path()).containsExactly("PATCH /Users/" + aliceId);
        assertThat(plain(writes().get(0).json())).isEqualTo(JSON.readTree("""
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                 "Operations":[{"op":"replace","path":"active","value":true}]}"""));
        assertThat(scim.user(aliceId).orElseThrow().path("active").asBoolean()).isTrue();
        assertThat(scim.users()).hasSize(3);
    }

    @Test
    void aUserWhoStartsMatchingIsCreatedAndOneStillOutsideIsNot() throws Exception {
        engine = startWithScoping();
        engine.awaitInitialCycle();
        scim.clearRequests();

        tenant.updateUser(ids.get("erin"), Map.of("jobTitle", "Marketing Manager"));
        CycleReport stillOutside = engine.runCycle();

        assertThat(stillOutside.counts()).containsEntry("created", 0);
        assertThat(writes()).isEmpty();

        tenant.updateUser(ids.get("erin"), Map.of("companyName", "Contoso Partners"));
        CycleReport matches = engine.runCycle();

        assertThat(matches.counts()).containsEntry("created", 1).containsEntry("failed", 0);
        assertThat(writes()).extracting(RecordedRequest::method).containsExactly("POST");
        assertThat(writes().get(0).json().path("userName").asText()).isEqualTo(upn("erin"));
    }

    // ---- helpers

    private EngineUnderTest startWithScoping() throws Exception {
        String meta;
        try (InputStream in = getClass().getResourceAsStream("/mappings/meta-work-accounts.yaml")) {
            meta = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Path mapping = config.resolve("scoped.yaml");
        Files.writeString(mapping, meta + SCOPING);
        Map<String, String> settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        settings.put("provisioning.mapping", "file:" + mapping);
        return EngineUnderTest.start(settings, dataDir);
    }

    private List<JsonNode> logFor(String name) {
        return engine.logLines().stream().filter(l -> l.path("sourceId").asText().equals(ids.get(name))).toList();
    }

    /** The SCIM SDK's case-insensitive nodes never equal Jackson's plain ones; compare content. */
    private static JsonNode plain(JsonNode node) throws IOException {
        return JSON.readTree(node.toString());
    }
}
