package io.github.provisioning.scim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The exact group request bodies, per compat switch. */
class GroupResourcesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ScimDialect LEGACY = ScimDialect.of(Map.of("member-remove", "value-list",
            "op-case", "capitalized"), n -> null);

    @Test
    void createCarriesTheGroupSchemaAndTheValuesButNoMembers() throws Exception {
        Map<String, JsonNode> values = new LinkedHashMap<>();
        values.put("displayName", TextNode.valueOf("Sales"));
        values.put("externalId", TextNode.valueOf("g-1"));

        assertThat(JSON.readTree(GroupResources.create(values).toString())).isEqualTo(JSON.readTree("""
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Sales","externalId":"g-1"}"""));
    }

    @Test
    void lookupLeavesTheMembersOut() {
        assertThat(GroupResources.matchQuery("displayName", "Sales & \"Marketing\""))
                .isEqualTo("excludedAttributes=members&filter=displayName%20eq%20%22Sales%20%26%20%5C%22Marketing%5C%22%22");
    }

    @Test
    void membersAreAddedAsOneValueList() throws Exception {
        assertThat(JSON.readTree(GroupResources.addMembers(List.of("u1", "u2"), ScimDialect.COMPLIANT)))
                .isEqualTo(JSON.readTree("""
                        {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
                          {"op":"add","path":"members","value":[{"value":"u1"},{"value":"u2"}]}]}"""));
        assertThat(JSON.readTree(GroupResources.addMembers(List.of("u1"), LEGACY)).at("/Operations/0/op").asText())
                .isEqualTo("Add");
    }

    @Test
    void compliantRemoveIsOnePathFilterPerMember() throws Exception {
        assertThat(JSON.readTree(GroupResources.removeMembers(List.of("u1", "a\"b"), ScimDialect.COMPLIANT)))
                .isEqualTo(JSON.readTree("""
                        {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
                          {"op":"remove","path":"members[value eq \\"u1\\"]"},
                          {"op":"remove","path":"members[value eq \\"a\\\\\\"b\\"]"}]}"""));
    }

    @Test
    void legacyRemoveIsOneValueList() throws Exception {
        assertThat(JSON.readTree(GroupResources.removeMembers(List.of("u1", "u2"), LEGACY)))
                .isEqualTo(JSON.readTree("""
                        {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
                          {"op":"Remove","path":"members","value":[{"value":"u1"},{"value":"u2"}]}]}"""));
    }

    @Test
    void putTargetsGetTheChangesAppliedToTheFetchedGroup() throws Exception {
        JsonNode fetched = JSON.readTree("""
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"id":"g","displayName":"Sales",
                 "members":[{"value":"u1"},{"value":"u2"}],"meta":{"resourceType":"Group"}}""");

        JsonNode put = UserResources.applied(fetched, GroupResources.memberOperations(List.of("u3"), List.of("u1")));

        assertThat(put.path("members").findValuesAsText("value")).containsExactlyInAnyOrder("u2", "u3");
        assertThat(put.has("meta")).isFalse();
    }
}
