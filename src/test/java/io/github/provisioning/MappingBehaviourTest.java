package io.github.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.provisioning.cycle.CycleReport;
import io.github.provisioning.sandbox.scim.RecordedRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Mapping options that change what a cycle sends: matching precedence, defaults, on-create rows, mapping changes. */
class MappingBehaviourTest extends EngineTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theNextMatchingAttributeIsTriedWhenTheFirstHasNoValueOrNoMatch() throws Exception {
        Path mapping = mapping("""
                user:
                  mappings:
                    - {target: externalId, source: employeeId, match: 1}
                    - {target: userName, source: userPrincipalName, match: 2}
                    - {target: title, source: jobTitle}
                """);
        String linkedByFirst = scim.seedUser(account("first.old@contoso.example", "E1"));
        String linkedBySecondNoValue = scim.seedUser(account("novalue@contoso.example", null));
        String linkedBySecondNoMatch = scim.seedUser(account("nomatch@contoso.example", "E-other"));
        assign(user("first.new@contoso.example", "E1"));
        assign(user("novalue@contoso.example", null));
        assign(user("nomatch@contoso.example", "E3"));
        assign(user("fresh@contoso.example", "E4"));

        engine = start(mapping);
        CycleReport report = engine.awaitInitialCycle();

        assertThat(report.counts()).containsEntry("created", 1).containsEntry("updated", 3).containsEntry("failed", 0);
        assertThat(scim.users()).hasSize(4);
        assertThat(scim.user(linkedByFirst).orElseThrow().path("userName").asText()).isEqualTo("first.new@contoso.example");
        assertThat(scim.user(linkedBySecondNoValue).orElseThrow().path("title").asText()).isEqualTo("Engineer");
        assertThat(scim.user(linkedBySecondNoMatch).orElseThrow().path("externalId").asText()).isEqualTo("E3");
        assertThat(queries()).contains(
                "filter=externalId eq \"E1\"",
                "filter=userName eq \"novalue@contoso.example\"",
                "filter=externalId eq \"E3\"", "filter=userName eq \"nomatch@contoso.example\"")
                .doesNotContain("filter=userName eq \"first.new@contoso.example\"")
                // The initial cycle's listing of the target holds neither of fresh's values: it is created at once.
                .doesNotContain("filter=externalId eq \"E4\"", "filter=userName eq \"fresh@contoso.example\"")
                .contains("attributes=externalId,userName&startIndex=1&count=500");
    }

    @Test
    void defaultsAndOnCreateRowsApplyOnCreateAndNeverOnUpdate() throws Exception {
        Path mapping = mapping("""
                user:
                  mappings:
                    - {target: userName, source: userPrincipalName, match: 1}
                    - {target: title, source: jobTitle, default: Staff}
                    - {target: nickName, source: mailNickname, apply: on-create}
                    - {target: displayName, source: displayName}
                """);
        Map<String, Object> props = user("ann@contoso.example", null);
        props.remove("jobTitle");
        props.put("mailNickname", "ann");
        props.put("displayName", "Ann");
        String id = assign(props);

        engine = start(mapping);
        engine.awaitInitialCycle();
        JsonNode created = scim.userByUserName("ann@contoso.example").orElseThrow();
        assertThat(created.path("title").asText()).isEqualTo("Staff");
        assertThat(created.path("nickName").asText()).isEqualTo("ann");
        scim.clearRequests();

        tenant.updateUser(id, Map.of("mailNickname", "annie", "displayName", "Ann B."));
        engine.runCycle();

        List<RecordedRequest> patches = scim.requests().stream().filter(r -> r.method().equals("PATCH")).toList();
        assertThat(patches).hasSize(1);
        assertThat(JSON.readTree(patches.get(0).body()))
                .isEqualTo(patchOf("[{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"Ann B.\"}]"));
        JsonNode updated = scim.userByUserName("ann@contoso.example").orElseThrow();
        assertThat(updated.path("title").asText()).isEqualTo("Staff");
        assertThat(updated.path("nickName").asText()).isEqualTo("ann");
    }

    @Test
    void aConstantRowIsSentOnCreateAndOnMatchAndAgainOnlyWhenTheMappingChangesIt() throws Exception {
        String constantRow = "    - {target: userType, constant: Employee}\n";
        String mapping = """
                user:
                  mappings:
                    - {target: userName, source: userPrincipalName, match: 1}
                    - {target: title, source: jobTitle}
                """;
        String id = assign(user("ann@contoso.example", "E1"));
        String matched = scim.seedUser(account("bob@contoso.example", null).put("userType", "Guest"));
        assign(user("bob@contoso.example", "E2"));

        engine = start(mapping(mapping + constantRow));
        engine.awaitInitialCycle();

        assertThat(scim.userByUserName("ann@contoso.example").orElseThrow().path("userType").asText()).isEqualTo("Employee");
        assertThat(scim.user(matched).orElseThrow().path("userType").asText()).isEqualTo("Employee");
        // A change elsewhere does not send the constant again.
        scim.clearRequests();
        tenant.updateUser(id, Map.of("jobTitle", "Head Engineer"));
        engine.runCycle();
        assertThat(patchBodies()).singleElement()
                .isEqualTo(patchOf("[{\"op\":\"replace\",\"path\":\"title\",\"value\":\"Head Engineer\"}]"));
        // A new constant reaches every account with the full cycle a mapping change starts.
        engine.close();
        scim.clearRequests();
        engine = start(mapping(mapping + constantRow.replace("Employee", "Contractor")));
        engine.awaitInitialCycle();
        assertThat(scim.users()).hasSize(2)
                .allSatisfy(u -> assertThat(u.path("userType").asText()).isEqualTo("Contractor"));
    }

    @Test
    void aNoneRowFillsItsDefaultWhereTheTargetIsEmptyAndOtherwiseLeavesTheTargetAlone() throws Exception {
        Path mapping = mapping("""
                user:
                  mappings:
                    - {target: userName, source: userPrincipalName, match: 1}
                    - {target: title, source: jobTitle}
                    - {target: preferredLanguage, none: true, default: en-US}
                """);
        String id = assign(user("ann@contoso.example", "E1"));
        String withValue = scim.seedUser(account("bob@contoso.example", null).put("preferredLanguage", "fr-FR"));
        assign(user("bob@contoso.example", "E2"));
        String empty = scim.seedUser(account("cy@contoso.example", null));
        assign(user("cy@contoso.example", "E3"));

        engine = start(mapping);
        engine.awaitInitialCycle();

        assertThat(scim.userByUserName("ann@contoso.example").orElseThrow().path("preferredLanguage").asText())
                .isEqualTo("en-US");
        assertThat(scim.user(withValue).orElseThrow().path("preferredLanguage").asText()).isEqualTo("fr-FR");
        assertThat(scim.user(empty).orElseThrow().path("preferredLanguage").asText()).isEqualTo("en-US");
        // Updates never send a None row.
        scim.clearRequests();
        tenant.updateUser(id, Map.of("jobTitle", "Head Engineer", "preferredLanguage", "de-DE"));
        engine.runCycle();
        assertThat(patchBodies()).singleElement().asString().doesNotContain("preferredLanguage");
        assertThat(scim.userByUserName("ann@contoso.example").orElseThrow().path("preferredLanguage").asText())
                .isEqualTo("en-US");
    }

    @Test
    void onCreateRowsAndDefaultsAreNotAppliedToAMatchedAccount() throws Exception {
        Path mapping = mapping("""
                user:
                  mappings:
                    - {target: userName, source: userPrincipalName, match: 1}
                    - {target: title, source: jobTitle, default: Staff}
                    - {target: nickName, source: mailNickname, apply: on-create}
                    - {target: userType, constant: Employee, apply: on-create}
                """);
        ObjectNode existing = account("ann@contoso.example", null).put("nickName", "annie").put("title", "Lead");
        String matched = scim.seedUser(existing);
        Map<String, Object> props = user("ann@contoso.example", null);
        props.put("mailNickname", "ann");
        props.remove("jobTitle");
        assign(props);

        engine = start(mapping);
        CycleReport report = engine.awaitInitialCycle();

        assertThat(report.counts()).containsEntry("created", 0).containsEntry("failed", 0);
        JsonNode account = scim.user(matched).orElseThrow();
        // Entra: "Only during object creation", and "Default value if null" on create only. A null source is
        // removed on update, as title here.
        assertThat(account.path("nickName").asText()).isEqualTo("annie");
        assertThat(account.has("userType")).isFalse();
        assertThat(account.has("title")).isFalse();
    }

    @Test
    void aSourceThatBecomesNullIsRemovedNotReplacedByTheDefault() throws Exception {
        Path mapping = mapping("""
                user:
                  mappings:
                    - {target: userName, source: userPrincipalName, match: 1}
                    - {target: title, source: jobTitle, default: Staff}
                """);
        String id = assign(user("ann@contoso.example", "E1"));
        engine = start(mapping);
        engine.awaitInitialCycle();
        scim.clearRequests();
        Map<String, Object> noTitle = new HashMap<>();
        noTitle.put("jobTitle", null);

        tenant.updateUser(id, noTitle);
        engine.runCycle();

        assertThat(patchBodies()).singleElement().isEqualTo(patchOf("[{\"op\":\"remove\",\"path\":\"title\"}]"));
        assertThat(scim.userByUserName("ann@contoso.example").orElseThrow().has("title")).isFalse();
    }

    @Test
    void ignoreFlowIfNullOrEmptyLeavesTheTargetAloneWhileANullSourceRemovesIt() throws Exception {
        Path mapping = mapping("""
                user:
                  mappings:
                    - {target: userName, source: userPrincipalName, match: 1}
                    - {target: title, expression: 'IgnoreFlowIfNullOrEmpty([jobTitle])'}
                    - {target: nickName, source: jobTitle}
                """);
        String id = assign(user("ann@contoso.example", "E1"));
        engine = start(mapping);
        engine.awaitInitialCycle();
        scim.clearRequests();
        Map<String, Object> noTitle = new HashMap<>();
        noTitle.put("jobTitle", null);

        graph.tenant().updateUser(id, noTitle);
        engine.runCycle();

        List<RecordedRequest> patches = scim.requests().stream().filter(r -> r.method().equals("PATCH")).toList();
        assertThat(patches).hasSize(1);
        assertThat(JSON.readTree(patches.get(0).body()).path("Operations")).isEqualTo(JSON.readTree(
                "[{\"op\":\"remove\",\"path\":\"nickName\"}]"));
        assertThat(scim.userByUserName("ann@contoso.example").orElseThrow().path("title").asText()).isEqualTo("Engineer");
        scim.clearRequests();
        engine.runCycle();
        graph.tenant().updateUser(id, Map.of("jobTitle", "Engineer"));
        engine.runCycle();
        assertThat(scim.requests().stream().filter(r -> r.method().equals("PATCH")).map(r -> r.body()).toList())
                .singleElement().asString().contains("\"path\":\"nickName\"").doesNotContain("\"title\"");
    }

    @Test
    void changingTheMappingMakesTheNextCycleAFullCycle() throws Exception {
        assign(user("ann@contoso.example", "E1"));
        assign(user("bob@contoso.example", "E2"));
        engine = start(mapping("""
                user:
                  mappings:
                    - {target: userName, source: userPrincipalName, match: 1}
                """));
        engine.awaitInitialCycle();
        engine.close();
        scim.clearRequests();

        engine = start(mapping("""
                user:
                  mappings:
                    - {target: userName, source: userPrincipalName, match: 1}
                    - {target: title, source: jobTitle}
                """));
        CycleReport report = engine.awaitInitialCycle();

        assertThat(report.type()).isEqualTo("initial");
        assertThat(report.counts()).containsEntry("updated", 2).containsEntry("created", 0);
        assertThat(scim.users()).allSatisfy(u -> assertThat(u.path("title").asText()).isEqualTo("Engineer"));
    }

    private EngineUnderTest start(Path mapping) throws Exception {
        Map<String, String> settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        settings.put("provisioning.mapping", mapping.toString());
        return EngineUnderTest.start(settings, dataDir);
    }

    private Path mapping(String yaml) throws Exception {
        Path file = Files.createTempFile(dataDir.getParent(), "mapping", ".yaml");
        Files.writeString(file, yaml);
        return file;
    }

    /** A PATCH body with these operations (JSON). */
    private static JsonNode patchOf(String operations) throws Exception {
        return JSON.readTree("{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],\"Operations\":"
                + operations + "}");
    }

    private List<JsonNode> patchBodies() throws Exception {
        List<JsonNode> bodies = new java.util.ArrayList<>();
        for (RecordedRequest r : scim.requests()) {
            if (r.method().equals("PATCH")) {
                bodies.add(JSON.readTree(r.body()));
            }
        }
        return bodies;
    }

    private List<String> queries() {
        return scim.requests().stream().filter(r -> r.method().equals("GET") && r.query() != null)
                .map(RecordedRequest::query).toList();
    }

    private String assign(Map<String, Object> props) {
        String id = tenant.addUser(props);
        tenant.assign(id);
        return id;
    }

    private static Map<String, Object> user(String upn, String employeeId) {
        Map<String, Object> user = new HashMap<>();
        user.put("userPrincipalName", upn);
        user.put("employeeId", employeeId);
        user.put("jobTitle", "Engineer");
        user.put("accountEnabled", true);
        return user;
    }

    private static ObjectNode account(String userName, String externalId) {
        ObjectNode user = JSON.createObjectNode();
        user.putArray("schemas").add("urn:ietf:params:scim:schemas:core:2.0:User");
        user.put("userName", userName);
        if (externalId != null) {
            user.put("externalId", externalId);
        }
        user.put("active", true);
        return user;
    }
}
