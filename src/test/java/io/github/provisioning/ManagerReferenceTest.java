package io.github.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.provisioning.sandbox.scim.RecordedRequest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The generic profile's manager row: a reference written as the manager's id in the target. */
class ManagerReferenceTest extends EngineTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MANAGER = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager";

    @Test
    void theManagerIsWrittenAsItsTargetIdAndFollowsEveryChange() throws Exception {
        String boss = assign("boss");
        String carl = assign("carl");
        String ann = assign("ann");
        String dave = tenant.addUser(user("dave"));
        tenant.setManager(ann, boss);
        tenant.setManager(carl, dave);
        Map<String, String> settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        settings.put("provisioning.mapping", "classpath:mappings/generic-scim.yaml");
        engine = EngineUnderTest.start(settings, dataDir);

        engine.awaitInitialCycle();
        engine.runCycle();  // references to managers provisioned later in the first cycle are written now

        assertThat(manager("ann")).isEqualTo(scimId("boss"));
        assertThat(manager("carl")).as("dave is not provisioned, so carl's manager cannot be written").isNull();
        assertThat(manager("boss")).isNull();

        scim.clearRequests();
        tenant.updateUser(ann, Map.of("jobTitle", "Head buyer"));
        engine.runCycle();
        assertThat(patchOperations()).as("a change without a manager change leaves the manager alone")
                .isEqualTo(JSON.readTree("[{\"op\":\"replace\",\"path\":\"title\",\"value\":\"Head buyer\"}]"));

        scim.clearRequests();
        tenant.setManager(ann, carl);
        engine.runCycle();
        assertThat(patchOperations()).isEqualTo(JSON.readTree(
                "[{\"op\":\"replace\",\"path\":\"" + MANAGER + "\",\"value\":\"" + scimId("carl") + "\"}]"));
        assertThat(manager("ann")).isEqualTo(scimId("carl"));

        scim.clearRequests();
        tenant.setManager(ann, null);
        engine.runCycle();
        assertThat(patchOperations()).isEqualTo(JSON.readTree("[{\"op\":\"remove\",\"path\":\"" + MANAGER + "\"}]"));
        assertThat(manager("ann")).isNull();
    }

    private JsonNode patchOperations() throws Exception {
        List<RecordedRequest> patches = scim.requests().stream().filter(r -> r.method().equals("PATCH")).toList();
        assertThat(patches).hasSize(1);
        return JSON.readTree(patches.get(0).body()).path("Operations");
    }

    private String manager(String name) {
        JsonNode value = scim.userByUserName(name + "@contoso.example").orElseThrow()
                .path("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User").path("manager");
        return value.isMissingNode() || value.isNull() ? null : value.isObject() ? value.path("value").asText() : value.asText();
    }

    private String scimId(String name) {
        return scim.userByUserName(name + "@contoso.example").orElseThrow().path("id").asText();
    }

    private String assign(String name) {
        String id = tenant.addUser(user(name));
        tenant.assign(id);
        return id;
    }

    private static Map<String, Object> user(String name) {
        Map<String, Object> user = new HashMap<>();
        user.put("userPrincipalName", name + "@contoso.example");
        user.put("displayName", name);
        user.put("jobTitle", "Buyer");
        user.put("accountEnabled", true);
        return user;
    }
}
