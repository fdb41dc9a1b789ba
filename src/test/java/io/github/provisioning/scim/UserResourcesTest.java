package io.github.provisioning.scim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UserResourcesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DEPARTMENT = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department";

    @Test
    void createBodyCarriesTheSchemasAndEveryValueAtItsPath() throws Exception {
        Map<String, JsonNode> values = new LinkedHashMap<>();
        values.put("userName", TextNode.valueOf("adele@contoso.example"));
        values.put("active", BooleanNode.TRUE);
        values.put("emails[type eq \"work\"].value", TextNode.valueOf("adele@contoso.example"));
        values.put("addresses[type eq \"work\"].locality", TextNode.valueOf("Redmond"));
        values.put("addresses[type eq \"work\"].country", TextNode.valueOf("US"));
        values.put("name.givenName", TextNode.valueOf("Adele"));
        values.put(DEPARTMENT, TextNode.valueOf("Retail"));
        assertThat(JSON.readTree(UserResources.create(values).toString())).isEqualTo(JSON.readTree("""
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User",
                            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
                 "userName":"adele@contoso.example","active":true,
                 "emails":[{"value":"adele@contoso.example","type":"work"}],
                 "addresses":[{"locality":"Redmond","type":"work","country":"US"}],
                 "name":{"givenName":"Adele"},
                 "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Retail"}}"""));
    }

    @Test
    void diffAddsNewValuesReplacesChangedOnesAndRemovesNulls() throws Exception {
        Map<String, JsonNode> before = Map.of("title", TextNode.valueOf("Engineer"),
                "name.familyName", TextNode.valueOf("Vance"), DEPARTMENT, TextNode.valueOf("Retail"));
        Map<String, JsonNode> after = Map.of("title", TextNode.valueOf("Engineer"),
                "name.familyName", TextNode.valueOf("Smith"), "emails[type eq \"work\"].value", TextNode.valueOf("a@b"));
        String body = UserResources.patchBody(UserResources.diff(before, after,
                List.of("title", "name.familyName", "emails[type eq \"work\"].value", DEPARTMENT)));
        assertThat(JSON.readTree(body)).isEqualTo(JSON.readTree("""
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
                  {"op":"replace","path":"name.familyName","value":"Smith"},
                  {"op":"add","path":"emails[type eq \\"work\\"].value","value":"a@b"},
                  {"op":"remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"}]}"""));
    }

    @Test
    void anAdditivePathIsAddedWholeWhenItChangesAndNeverRemoved() throws Exception {
        JsonNode admin = JSON.readTree("[{\"value\":\"Admin\"}]");
        JsonNode both = JSON.readTree("[{\"value\":\"Admin\"},{\"value\":\"Read\"}]");
        java.util.Set<String> additive = java.util.Set.of("roles");

        assertThat(JSON.readTree(UserResources.patchBody(UserResources.diff(Map.of("roles", admin),
                Map.of("roles", both), List.of("roles"), additive)))).isEqualTo(JSON.readTree("""
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
                  {"op":"add","path":"roles","value":[{"value":"Admin"},{"value":"Read"}]}]}"""));
        assertThat(UserResources.diff(Map.of("roles", admin), Map.of(), List.of("roles"), additive)).isEmpty();
        assertThat(UserResources.diff(Map.of("roles", both), Map.of("roles", both), List.of("roles"), additive))
                .isEmpty();
        // Not additive: a whole list is replaced, and removed when it became empty.
        assertThat(UserResources.diff(Map.of("roles", admin), Map.of("roles", both), List.of("roles")))
                .extracting(op -> op.getOpType().toString()).containsExactly("replace");
        assertThat(UserResources.diff(Map.of("roles", admin), Map.of(), List.of("roles")))
                .extracting(op -> op.getOpType().toString()).containsExactly("remove");
    }

    @Test
    void noChangeMeansNoOperation() {
        Map<String, JsonNode> values = Map.of("title", TextNode.valueOf("Engineer"));
        assertThat(UserResources.diff(values, values, List.of("title"))).isEmpty();
    }

    @Test
    void matchFilterEscapesQuotesAndBackslashesPerRfc7644() {
        String query = UserResources.matchQuery("userName", "o\"brien\\x@contoso.example");
        assertThat(query).startsWith("filter=").doesNotContain(" ").doesNotContain("+");
        assertThat(URLDecoder.decode(query.substring("filter=".length()), StandardCharsets.UTF_8))
                .isEqualTo("userName eq \"o\\\"brien\\\\x@contoso.example\"");
    }

    @Test
    void valuesAtReadsValueFilteredAndExtensionPaths() throws Exception {
        JsonNode resource = JSON.readTree("""
                {"id":"1","userName":"a","emails":[{"type":"home","value":"h@x"},{"type":"work","value":"w@x"}],
                 "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Retail"}}""");
        assertThat(UserResources.valuesAt(resource, List.of("emails[type eq \"work\"].value", DEPARTMENT, "title")))
                .containsExactly(Map.entry("emails[type eq \"work\"].value", TextNode.valueOf("w@x")),
                        Map.entry(DEPARTMENT, TextNode.valueOf("Retail")));
    }
}
