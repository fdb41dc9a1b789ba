package io.github.provisioning.sandbox.scim;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.github.provisioning.sandbox.scim.ScimClient.encode;
import static io.github.provisioning.sandbox.scim.ScimClient.patchOp;
import static org.assertj.core.api.Assertions.assertThat;

class ScimGroupsTest extends SharedSandboxTest {

    private String adele;
    private String alex;
    private String megan;

    @BeforeEach
    void users() {
        adele = scim.createUser("adele@contoso.com");
        alex = scim.createUser("alex@contoso.com");
        megan = scim.createUser("megan@contoso.com");
    }

    private String createGroup(String displayName, String... memberIds) {
        StringBuilder members = new StringBuilder();
        for (String m : memberIds) {
            members.append(members.length() == 0 ? "" : ",").append("{\"value\":\"").append(m).append("\"}");
        }
        ScimClient.Reply reply = scim.post("/Groups", """
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":%s,"members":[%s]}
                """.formatted(ScimClient.quoted(displayName), members));
        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        return reply.json().get("id").asText();
    }

    private JsonNode members(String groupId) {
        return sandbox.group(groupId).orElseThrow().path("members");
    }

    @Test
    void createdGroupKeepsItsMembersAndMeta() {
        ScimClient.Reply reply = scim.post("/Groups", """
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Sales",
                 "externalId":"g-1","members":[{"value":"%s","display":"Adele"}]}
                """.formatted(adele));

        assertThat(reply.status()).isEqualTo(201);
        String id = reply.json().get("id").asText();
        assertThat(reply.header("Location")).isEqualTo(sandbox.baseUrl() + "/Groups/" + id);
        assertThat(reply.json().at("/meta/resourceType").asText()).isEqualTo("Group");
        assertThat(members(id)).hasSize(1);
        assertThat(members(id).get(0).get("display").asText()).isEqualTo("Adele");
    }

    @Test
    void groupNeedsAUniqueDisplayName() {
        createGroup("Sales");

        ScimClient.Reply duplicate = scim.post("/Groups",
                "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:Group\"],\"displayName\":\"SALES\"}");
        ScimClient.Reply missing = scim.post("/Groups",
                "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:Group\"]}");

        assertThat(duplicate.status()).isEqualTo(409);
        assertThat(duplicate.json().get("scimType").asText()).isEqualTo("uniqueness");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.json().get("scimType").asText()).isEqualTo("invalidValue");
    }

    @Test
    void membersMustReferenceExistingResources() {
        ScimClient.Reply reply = scim.post("/Groups", """
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Ghosts",
                 "members":[{"value":"no-such-user"}]}
                """);

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.json().get("scimType").asText()).isEqualTo("invalidValue");
        assertThat(sandbox.groups()).isEmpty();
    }

    @Test
    void groupFilterOnDisplayNameWithMembersExcluded() {
        createGroup("Sales", adele, alex);
        createGroup("Marketing", megan);

        JsonNode list = scim.get("/Groups?excludedAttributes=members&filter="
                + encode("displayName eq \"sales\"")).json();

        assertThat(list.get("totalResults").asInt()).isEqualTo(1);
        JsonNode group = list.get("Resources").get(0);
        assertThat(group.get("displayName").asText()).isEqualTo("Sales");
        assertThat(group.has("members")).isFalse();
        assertThat(group.has("id")).isTrue();
        assertThat(scim.get("/Groups").json().get("totalResults").asInt()).isEqualTo(2);
    }

    @Test
    void membersAreAddedWithAPatch() {
        String group = createGroup("Sales", adele);

        ScimClient.Reply reply = scim.patch("/Groups/" + group, patchOp("""
                [{"op":"Add","path":"members","value":[{"value":"%s"},{"value":"%s"}]}]
                """.formatted(alex, adele)));

        assertThat(reply.status()).isEqualTo(200);
        assertThat(members(group)).extracting(m -> m.get("value").asText()).containsExactly(adele, alex);
    }

    @Test
    void addingAMissingMemberIsInvalidValue() {
        String group = createGroup("Sales", adele);

        ScimClient.Reply reply = scim.patch("/Groups/" + group,
                patchOp("[{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"ghost\"}]}]"));

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.json().get("scimType").asText()).isEqualTo("invalidValue");
        assertThat(members(group)).hasSize(1);
    }

    @Test
    void memberIsRemovedByAValueFilterPath() {
        String group = createGroup("Sales", adele, alex, megan);

        ScimClient.Reply reply = scim.patch("/Groups/" + group, patchOp("""
                [{"op":"remove","path":"members[value eq \\"%s\\"]"}]
                """.formatted(alex)));

        assertThat(reply.status()).isEqualTo(200);
        assertThat(members(group)).extracting(m -> m.get("value").asText()).containsExactly(adele, megan);
    }

    @Test
    void memberIsRemovedByMicrosoftsValueListForm() {
        String group = createGroup("Sales", adele, alex, megan);

        ScimClient.Reply reply = scim.patch("/Groups/" + group, patchOp("""
                [{"op":"Remove","path":"members","value":[{"value":"%s"},{"value":"%s"}]}]
                """.formatted(adele, megan)));

        assertThat(reply.status()).isEqualTo(200);
        assertThat(members(group)).extracting(m -> m.get("value").asText()).containsExactly(alex);
    }

    @Test
    void removeOfMembersWithoutValueRemovesAll() {
        String group = createGroup("Sales", adele, alex);

        scim.patch("/Groups/" + group, patchOp("[{\"op\":\"remove\",\"path\":\"members\"}]"));

        assertThat(sandbox.group(group).orElseThrow().has("members")).isFalse();
    }

    @Test
    void displayNameIsReplacedByPatch() {
        String group = createGroup("Sales");

        scim.patch("/Groups/" + group, patchOp("[{\"op\":\"Replace\",\"path\":\"displayName\",\"value\":\"Sales EMEA\"}]"));

        assertThat(sandbox.group(group).orElseThrow().get("displayName").asText()).isEqualTo("Sales EMEA");
    }

    @Test
    void putReplacesMembers() {
        String group = createGroup("Sales", adele);

        ScimClient.Reply reply = scim.put("/Groups/" + group, """
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Sales",
                 "members":[{"value":"%s"}]}
                """.formatted(megan));

        assertThat(reply.status()).isEqualTo(200);
        assertThat(members(group)).extracting(m -> m.get("value").asText()).containsExactly(megan);
    }

    @Test
    void deletingAUserRemovesItFromItsGroups() {
        String sales = createGroup("Sales", adele, alex);
        String all = createGroup("All", adele, sales);

        assertThat(scim.delete("/Users/" + adele).status()).isEqualTo(204);

        assertThat(members(sales)).extracting(m -> m.get("value").asText()).containsExactly(alex);
        assertThat(members(all)).extracting(m -> m.get("value").asText()).containsExactly(sales);
        assertThat(scim.delete("/Groups/" + sales).status()).isEqualTo(204);
        assertThat(sandbox.group(all).orElseThrow().has("members")).isFalse();
        assertThat(scim.get("/Groups/" + sales).status()).isEqualTo(404);
    }

    @Test
    void seededGroupIsVisibleWithoutARecordedRequest() {
        sandbox.clearRequests();

        String id = sandbox.seedGroup(ScimClient.JSON.createObjectNode()
                .put("displayName", "Seeded")
                .set("schemas", ScimClient.JSON.createArrayNode().add("urn:ietf:params:scim:schemas:core:2.0:Group")));

        assertThat(sandbox.requests()).isEmpty();
        assertThat(sandbox.groupByDisplayName("seeded")).map(g -> g.get("id").asText()).contains(id);
    }
}
