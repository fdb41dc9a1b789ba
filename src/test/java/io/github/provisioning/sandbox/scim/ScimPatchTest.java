package io.github.provisioning.sandbox.scim;

import io.github.provisioning.sandbox.graph.Contoso;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.github.provisioning.sandbox.scim.ScimClient.patchOp;
import static org.assertj.core.api.Assertions.assertThat;

class ScimPatchTest extends SharedSandboxTest {

    private static final String ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

    private String id;

    @BeforeEach
    void adele() {
        id = scim.post("/Users", """
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
                 "userName":"adele@contoso.com","active":true,"title":"Manager",
                 "name":{"givenName":"Adele","familyName":"Vance"},
                 "emails":[{"type":"work","value":"adele@contoso.com","primary":true}],
                 "addresses":[{"type":"work","locality":"Seattle","country":"US"}]}
                """).json().get("id").asText();
    }

    private ScimClient.Reply patch(String operations) {
        return scim.patch("/Users/" + id, patchOp(operations));
    }

    private JsonNode stored() {
        return sandbox.user(id).orElseThrow();
    }

    @Test
    void replaceOfSimpleAttributesAnswersTheUpdatedResource() {
        ScimClient.Reply reply = patch("""
                [{"op":"replace","path":"title","value":"Director"},{"op":"replace","path":"active","value":false}]
                """);

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().get("title").asText()).isEqualTo("Director");
        assertThat(reply.json().at("/meta/version").asText()).isEqualTo("W/\"2\"");
        assertThat(reply.header("ETag")).isEqualTo("W/\"2\"");
        assertThat(stored().get("active").booleanValue()).isFalse();
        assertThat(stored().at("/meta/lastModified").asText())
                .isGreaterThanOrEqualTo(stored().at("/meta/created").asText());
    }

    @Test
    void microsoftCasedOpsAreAccepted() {
        ScimClient.Reply reply = patch("""
                [{"op":"Replace","path":"title","value":"Director"},
                 {"op":"Add","path":"nickName","value":"Del"},
                 {"op":"Remove","path":"addresses"},
                 {"op":"rEpLaCe","path":"displayName","value":"Adele V"}]
                """);

        assertThat(reply.status()).isEqualTo(200);
        assertThat(stored().get("title").asText()).isEqualTo("Director");
        assertThat(stored().get("nickName").asText()).isEqualTo("Del");
        assertThat(stored().get("displayName").asText()).isEqualTo("Adele V");
        assertThat(stored().has("addresses")).isFalse();
    }

    @Test
    void legacyBooleanStringsBecomeBooleans() {
        patch("[{\"op\":\"Replace\",\"path\":\"active\",\"value\":\"False\"}]");

        assertThat(stored().get("active").isBoolean()).isTrue();
        assertThat(stored().get("active").booleanValue()).isFalse();
    }

    @Test
    void subAttributePathChangesOnlyThatSubAttribute() {
        patch("[{\"op\":\"replace\",\"path\":\"name.familyName\",\"value\":\"Smith\"}]");

        assertThat(stored().at("/name/familyName").asText()).isEqualTo("Smith");
        assertThat(stored().at("/name/givenName").asText()).isEqualTo("Adele");
    }

    @Test
    void replaceThroughAValueFilterChangesTheMatchingElement() {
        patch("""
                [{"op":"replace","path":"emails[type eq \\"work\\"].value","value":"adele.vance@contoso.com"},
                 {"op":"replace","path":"addresses[type eq \\"work\\"].locality","value":"Redmond"}]
                """);

        assertThat(stored().get("emails")).hasSize(1);
        assertThat(stored().at("/emails/0/value").asText()).isEqualTo("adele.vance@contoso.com");
        assertThat(stored().at("/emails/0/primary").booleanValue()).isTrue();
        assertThat(stored().at("/addresses/0/locality").asText()).isEqualTo("Redmond");
        assertThat(stored().at("/addresses/0/country").asText()).isEqualTo("US");
    }

    @Test
    void addThroughAValueFilterMatchingNothingCreatesTheElementWithItsType() {
        ScimClient.Reply reply = patch("""
                [{"op":"add","path":"phoneNumbers[type eq \\"mobile\\"].value","value":"+1 555 0100"},
                 {"op":"Add","path":"emails[type eq \\"home\\"].value","value":"adele@home.example"}]
                """);

        assertThat(reply.status()).isEqualTo(200);
        assertThat(stored().get("phoneNumbers")).hasSize(1);
        assertThat(stored().at("/phoneNumbers/0/type").asText()).isEqualTo("mobile");
        assertThat(stored().at("/phoneNumbers/0/value").asText()).isEqualTo("+1 555 0100");
        assertThat(stored().get("emails")).hasSize(2);
        assertThat(stored().at("/emails/1/type").asText()).isEqualTo("home");
        assertThat(stored().at("/emails/1/value").asText()).isEqualTo("adele@home.example");
    }

    @Test
    void addThroughAValueFilterMatchingAnElementReplacesItsValue() {
        patch("[{\"op\":\"Add\",\"path\":\"emails[type eq \\\"work\\\"].value\",\"value\":\"new@contoso.com\"}]");

        assertThat(stored().get("emails")).hasSize(1);
        assertThat(stored().at("/emails/0/value").asText()).isEqualTo("new@contoso.com");
    }

    @Test
    void replaceThroughAValueFilterMatchingNothingIsNoTarget() {
        ScimClient.Reply reply = patch("""
                [{"op":"replace","path":"phoneNumbers[type eq \\"fax\\"].value","value":"+1 555 0199"}]
                """);

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.json().get("scimType").asText()).isEqualTo("noTarget");
        assertThat(stored().has("phoneNumbers")).isFalse();
        assertThat(stored().at("/meta/version").asText()).as("nothing was applied").isEqualTo("W/\"1\"");
    }

    @Test
    void enterpriseExtensionPathAddsTheExtensionAndItsSchema() {
        patch("""
                [{"op":"Add","path":"%1$s:department","value":"Retail"},
                 {"op":"Add","path":"%1$s:manager","value":{"value":"boss-id"}}]
                """.formatted(ENTERPRISE));

        assertThat(stored().get(ENTERPRISE).get("department").asText()).isEqualTo("Retail");
        assertThat(stored().get(ENTERPRISE).at("/manager/value").asText()).isEqualTo("boss-id");
        assertThat(stored().get("schemas")).extracting(JsonNode::asText).contains(ENTERPRISE);
    }

    @Test
    void pathlessReplaceWithDottedKeysSetsEachPath() {
        ScimClient.Reply reply = patch("""
                [{"op":"Replace","value":{"name.givenName":"Adèle","name.familyName":"Vance-Smith",
                   "active":"False","title":"Buyer","%s:department":"Sales",
                   "emails[type eq \\"work\\"].value":"adele.vs@contoso.com"}}]
                """.formatted(ENTERPRISE));

        assertThat(reply.status()).isEqualTo(200);
        JsonNode stored = stored();
        assertThat(stored.at("/name/givenName").asText()).isEqualTo("Adèle");
        assertThat(stored.at("/name/familyName").asText()).isEqualTo("Vance-Smith");
        assertThat(stored.get("active").booleanValue()).isFalse();
        assertThat(stored.get("title").asText()).isEqualTo("Buyer");
        assertThat(stored.get(ENTERPRISE).get("department").asText()).isEqualTo("Sales");
        assertThat(stored.at("/emails/0/value").asText()).isEqualTo("adele.vs@contoso.com");
        assertThat(stored.has("name.givenName")).as("no literal dotted attribute").isFalse();
        assertThat(stored.has(ENTERPRISE + ":department")).isFalse();
    }

    @Test
    void pathlessReplaceWithAnExtensionObjectMergesIt() {
        patch("""
                [{"op":"replace","value":{"%s":{"department":"Ops","costCenter":"42"}}}]
                """.formatted(ENTERPRISE));

        assertThat(stored().get(ENTERPRISE).get("costCenter").asText()).isEqualTo("42");
        assertThat(stored().get("schemas")).extracting(JsonNode::asText).contains(ENTERPRISE);
    }

    @Test
    void removeDropsAnAttributeOrTheFilteredElements() {
        patch("""
                [{"op":"add","path":"emails[type eq \\"home\\"].value","value":"h@home.example"}]
                """);

        patch("""
                [{"op":"remove","path":"title"},{"op":"Remove","path":"emails[type eq \\"home\\"]"},
                 {"op":"remove","path":"phoneNumbers[type eq \\"pager\\"]"}]
                """);

        assertThat(stored().has("title")).isFalse();
        assertThat(stored().get("emails")).hasSize(1);
        assertThat(stored().at("/emails/0/type").asText()).isEqualTo("work");
    }

    @Test
    void removeWithoutPathIsNoTarget() {
        ScimClient.Reply reply = patch("[{\"op\":\"remove\"}]");

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.json().get("scimType").asText()).isEqualTo("noTarget");
    }

    @Test
    void coreSchemaQualifiedPathMeansTheCoreAttribute() {
        patch("""
                [{"op":"replace","path":"urn:ietf:params:scim:schemas:core:2.0:User:title","value":"Chief"}]
                """);

        assertThat(stored().get("title").asText()).isEqualTo("Chief");
        assertThat(stored().has("urn:ietf:params:scim:schemas:core:2.0:User")).isFalse();
    }

    @Test
    void patchThatTakesAnotherUsersUserNameIsAConflict() {
        scim.createUser("alex@contoso.com");

        ScimClient.Reply reply = patch("[{\"op\":\"replace\",\"path\":\"userName\",\"value\":\"ALEX@contoso.com\"}]");

        assertThat(reply.status()).isEqualTo(409);
        assertThat(reply.json().get("scimType").asText()).isEqualTo("uniqueness");
        assertThat(stored().get("userName").asText()).isEqualTo("adele@contoso.com");
    }

    @Test
    void patchChangingOnlyTheCaseOfItsOwnUserNameIsAllowed() {
        ScimClient.Reply reply = patch("[{\"op\":\"replace\",\"path\":\"userName\",\"value\":\"Adele@Contoso.com\"}]");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(sandbox.userByUserName("adele@contoso.com").orElseThrow().get("userName").asText())
                .isEqualTo("Adele@Contoso.com");
    }

    @Test
    void readOnlyAttributesCannotBePatched() {
        ScimClient.Reply reply = patch("[{\"op\":\"replace\",\"path\":\"id\",\"value\":\"other\"}]");

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.json().get("scimType").asText()).isEqualTo("mutability");
        assertThat(sandbox.user(id)).isPresent();
    }

    @Test
    void malformedPatchRequestsAreRejected() {
        ScimClient.Reply noSchema = scim.patch("/Users/" + id,
                "{\"Operations\":[{\"op\":\"replace\",\"path\":\"title\",\"value\":\"x\"}]}");
        ScimClient.Reply unknownOp = patch("[{\"op\":\"merge\",\"path\":\"title\",\"value\":\"x\"}]");
        ScimClient.Reply badPath = patch("[{\"op\":\"replace\",\"path\":\"emails[type eq \",\"value\":\"x\"}]");

        assertThat(noSchema.status()).isEqualTo(400);
        assertThat(noSchema.json().get("scimType").asText()).isEqualTo("invalidSyntax");
        assertThat(unknownOp.status()).isEqualTo(400);
        assertThat(unknownOp.json().get("scimType").asText()).isEqualTo("invalidSyntax");
        assertThat(badPath.status()).isEqualTo(400);
        assertThat(stored().get("title").asText()).isEqualTo("Manager");
    }

    @Test
    void patchOfUnknownUserIsNotFound() {
        ScimClient.Reply reply = scim.patch("/Users/nobody",
                patchOp("[{\"op\":\"replace\",\"path\":\"title\",\"value\":\"x\"}]"));

        assertThat(reply.status()).isEqualTo(404);
    }
}
