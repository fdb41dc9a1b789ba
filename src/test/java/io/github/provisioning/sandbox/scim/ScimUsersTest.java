package io.github.provisioning.sandbox.scim;

import io.github.provisioning.sandbox.graph.Contoso;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.github.provisioning.sandbox.scim.ScimClient.encode;
import static io.github.provisioning.sandbox.scim.ScimClient.user;
import static org.assertj.core.api.Assertions.assertThat;

class ScimUsersTest extends SharedSandboxTest {

    @Test
    void createdUserIsStoredAsSentWithIdAndMeta() {
        ScimClient.Reply reply = scim.post("/Users", """
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User",
                            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
                 "userName":"adele@contoso.com","externalId":"a-1","active":true,
                 "name":{"givenName":"Adele","familyName":"Vance"},
                 "emails":[{"type":"work","value":"adele@contoso.com","primary":true}],
                 "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Retail"}}
                """);

        assertThat(reply.status()).isEqualTo(201);
        assertThat(reply.header("Content-Type")).isEqualTo("application/scim+json");
        JsonNode created = reply.json();
        String id = created.get("id").asText();
        assertThat(id).isNotBlank();
        assertThat(reply.header("Location")).isEqualTo(sandbox.baseUrl() + "/Users/" + id);
        assertThat(reply.header("ETag")).isEqualTo("W/\"1\"");
        assertThat(created.at("/meta/resourceType").asText()).isEqualTo("User");
        assertThat(created.at("/meta/location").asText()).isEqualTo(sandbox.baseUrl() + "/Users/" + id);
        assertThat(created.at("/meta/version").asText()).isEqualTo("W/\"1\"");
        assertThat(created.at("/meta/created").asText()).isEqualTo(created.at("/meta/lastModified").asText());

        JsonNode stored = sandbox.user(id).orElseThrow();
        assertThat(stored.at("/name/givenName").asText()).isEqualTo("Adele");
        assertThat(stored.at("/emails/0/primary").asBoolean()).isTrue();
        assertThat(stored.at("/urn:ietf:params:scim:schemas:extension:enterprise:2.0:User/department").asText())
                .isEqualTo("Retail");
        assertThat(scim.get("/Users/" + id).json()).isEqualTo(created);
    }

    @Test
    void clientSuppliedIdAndMetaAreIgnored() {
        JsonNode created = scim.post("/Users", """
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"x","id":"mine",
                 "meta":{"version":"W/\\"99\\""}}
                """).json();

        assertThat(created.get("id").asText()).isNotEqualTo("mine");
        assertThat(created.at("/meta/version").asText()).isEqualTo("W/\"1\"");
    }

    @Test
    void nullsAreNeverStored() {
        String id = scim.post("/Users", """
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"n@x",
                 "title":null,"name":{"givenName":"N","familyName":null},"phoneNumbers":[]}
                """).json().get("id").asText();

        JsonNode stored = sandbox.user(id).orElseThrow();
        assertThat(stored.has("title")).isFalse();
        assertThat(stored.has("phoneNumbers")).isFalse();
        assertThat(stored.get("name").has("familyName")).isFalse();
        assertThat(stored.at("/name/givenName").asText()).isEqualTo("N");
    }

    @Test
    void legacyBooleanStringsAreStoredAsBooleans() {
        String id = scim.post("/Users", """
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"b@x","active":"False",
                 "emails":[{"value":"b@x","primary":"True"}]}
                """).json().get("id").asText();

        JsonNode stored = sandbox.user(id).orElseThrow();
        assertThat(stored.get("active").isBoolean()).isTrue();
        assertThat(stored.get("active").booleanValue()).isFalse();
        assertThat(stored.at("/emails/0/primary").isBoolean()).isTrue();
    }

    @Test
    void userWithoutUserNameOrCoreSchemaIsInvalidValue() {
        ScimClient.Reply noUserName = scim.post("/Users",
                "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"displayName\":\"x\"}");
        ScimClient.Reply noSchema = scim.post("/Users", "{\"userName\":\"x\"}");

        for (ScimClient.Reply reply : List.of(noUserName, noSchema)) {
            assertThat(reply.status()).isEqualTo(400);
            assertThat(reply.json().get("schemas").get(0).asText())
                    .isEqualTo("urn:ietf:params:scim:api:messages:2.0:Error");
            assertThat(reply.json().get("status").asText()).isEqualTo("400");
            assertThat(reply.json().get("scimType").asText()).isEqualTo("invalidValue");
        }
        assertThat(sandbox.users()).isEmpty();
    }

    @Test
    void malformedJsonIsInvalidSyntax() {
        ScimClient.Reply reply = scim.post("/Users", "{\"userName\":");

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.json().get("scimType").asText()).isEqualTo("invalidSyntax");
    }

    @Test
    void userNameDifferingOnlyInCaseIsAConflict() {
        scim.createUser("adele@contoso.com");

        ScimClient.Reply reply = scim.post("/Users", user("ADELE@Contoso.com"));

        assertThat(reply.status()).isEqualTo(409);
        assertThat(reply.json().get("status").asText()).isEqualTo("409");
        assertThat(reply.json().get("scimType").asText()).isEqualTo("uniqueness");
        assertThat(sandbox.users()).hasSize(1);
    }

    @Test
    void unknownUserIsNotFoundAsScimError() {
        ScimClient.Reply reply = scim.get("/Users/does-not-exist");

        assertThat(reply.status()).isEqualTo(404);
        assertThat(reply.json().get("status").asText()).isEqualTo("404");
        assertThat(reply.json().get("detail").asText()).contains("does-not-exist");
    }

    @Test
    void userNameFilterIsCaseInsensitive() {
        String id = scim.createUser("adele@contoso.com");
        scim.createUser("alex@contoso.com");

        JsonNode list = scim.get("/Users?filter=" + encode("userName eq \"ADELE@Contoso.com\"")).json();

        assertThat(list.get("schemas").get(0).asText()).isEqualTo("urn:ietf:params:scim:api:messages:2.0:ListResponse");
        assertThat(list.get("totalResults").asInt()).isEqualTo(1);
        assertThat(list.get("itemsPerPage").asInt()).isEqualTo(1);
        assertThat(list.get("startIndex").asInt()).isEqualTo(1);
        assertThat(list.get("Resources").get(0).get("id").asText()).isEqualTo(id);
    }

    @Test
    void idAndExternalIdFiltersAreCaseExact() {
        String id = scim.post("/Users", """
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"e@x","externalId":"Ext-1"}
                """).json().get("id").asText();

        assertThat(total("externalId eq \"Ext-1\"")).isEqualTo(1);
        assertThat(total("externalId eq \"ext-1\"")).isZero();
        assertThat(total("id eq \"" + id + "\"")).isEqualTo(1);
        assertThat(total("id eq \"" + id.toUpperCase() + "\"")).isZero();
    }

    @Test
    void escapedQuoteAndBackslashFindOnlyTheExactAccount() {
        String exact = scim.createUser("a\"b\\c");
        scim.createUser("a\"b\\\\c");
        scim.createUser("a\"bc");
        scim.createUser("ab\\c");

        JsonNode list = scim.get("/Users?filter=" + encode("userName eq \"a\\\"b\\\\c\"")).json();

        assertThat(list.get("totalResults").asInt()).isEqualTo(1);
        assertThat(list.get("Resources").get(0).get("id").asText()).isEqualTo(exact);
        assertThat(list.get("Resources").get(0).get("userName").asText()).isEqualTo("a\"b\\c");
    }

    @Test
    void filterMatchingNothingIsAnEmptyListNotA404() {
        scim.createUser("someone@x");

        ScimClient.Reply reply = scim.get("/Users?filter=" + encode("userName eq \"nobody@x\""));

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().get("totalResults").asInt()).isZero();
        assertThat(reply.json().get("Resources")).isEmpty();
    }

    @Test
    void invalidFilterIsInvalidFilter() {
        for (String filter : List.of("userName eq", "userName zz \"x\"", "(userName eq \"x\"", "userName eq \"x\" garbage")) {
            ScimClient.Reply reply = scim.get("/Users?filter=" + encode(filter));

            assertThat(reply.status()).as(filter).isEqualTo(400);
            assertThat(reply.json().get("scimType").asText()).as(filter).isEqualTo("invalidFilter");
        }
    }

    @Test
    void generalFiltersAreEvaluatedBySdk() {
        scim.post("/Users", """
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"adele@contoso.com",
                 "title":"Retail Manager","active":true,"emails":[{"type":"work","value":"adele@contoso.com"}]}
                """);
        scim.post("/Users", """
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"alex@fabrikam.com",
                 "active":false,"emails":[{"type":"home","value":"alex@home.example"}]}
                """);

        assertThat(total("userName sw \"ADELE\"")).isEqualTo(1);
        assertThat(total("userName ew \"contoso.com\"")).isEqualTo(1);
        assertThat(total("userName co \"@\"")).isEqualTo(2);
        assertThat(total("title pr")).isEqualTo(1);
        assertThat(total("active eq false")).isEqualTo(1);
        assertThat(total("userName ne \"adele@contoso.com\"")).isEqualTo(1);
        assertThat(total("emails[type eq \"work\" and value co \"contoso\"]")).isEqualTo(1);
        assertThat(total("emails.value ew \"example\"")).isEqualTo(1);
        assertThat(total("active eq true or title pr")).isEqualTo(1);
        assertThat(total("not (title pr) and userName sw \"a\"")).isEqualTo(1);
        assertThat(total("userName eq \"adele@contoso.com\" and active eq false")).isZero();
        assertThat(total("userName eq \"ADELE@contoso.com\" or userName eq \"alex@fabrikam.com\"")).isEqualTo(2);
        assertThat(total("userName eq \"adele@contoso.com\" or title pr")).isEqualTo(1);
        assertThat(total("meta.created gt \"2000-01-01T00:00:00Z\"")).isEqualTo(2);
    }

    @Test
    void pagingFollowsStartIndexAndCountInCreationOrder() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 250; i++) {
            ids.add(scim.createUser("user" + i + "@x"));
        }

        JsonNode firstPage = scim.get("/Users").json();
        JsonNode secondPage = scim.get("/Users?startIndex=3&count=2").json();
        JsonNode capped = scim.get("/Users?count=1000").json();
        JsonNode beyond = scim.get("/Users?startIndex=300").json();
        JsonNode filteredPage = scim.get("/Users?count=5&startIndex=2&filter=" + encode("userName sw \"user1\"")).json();

        assertThat(firstPage.get("totalResults").asInt()).isEqualTo(250);
        assertThat(firstPage.get("itemsPerPage").asInt()).isEqualTo(100);
        assertThat(firstPage.get("Resources").get(0).get("id").asText()).isEqualTo(ids.get(0));
        assertThat(secondPage.get("startIndex").asInt()).isEqualTo(3);
        assertThat(secondPage.get("Resources")).extracting(r -> r.get("id").asText())
                .containsExactly(ids.get(2), ids.get(3));
        assertThat(capped.get("itemsPerPage").asInt()).isEqualTo(200);
        assertThat(beyond.get("totalResults").asInt()).isEqualTo(250);
        assertThat(beyond.get("Resources")).isEmpty();
        // user1, user10..user19, user100..user199: 111 matches; the page starts at the 2nd (user10)
        assertThat(filteredPage.get("totalResults").asInt()).isEqualTo(111);
        assertThat(filteredPage.get("Resources")).extracting(r -> r.get("userName").asText())
                .containsExactly("user10@x", "user11@x", "user12@x", "user13@x", "user14@x");
    }

    @Test
    void attributesAndExcludedAttributesShapeTheResponse() {
        String id = scim.post("/Users", """
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User",
                            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
                 "userName":"p@x","title":"T","password":"secret","name":{"givenName":"G","familyName":"F"},
                 "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"D","costCenter":"C"}}
                """).json().get("id").asText();

        JsonNode only = scim.get("/Users/" + id + "?attributes=" + encode(
                "userName,name.givenName,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department")).json();
        JsonNode without = scim.get("/Users/" + id + "?excludedAttributes=title,name.familyName").json();

        assertThat(only.get("id").asText()).isEqualTo(id);
        assertThat(only.has("schemas")).isTrue();
        assertThat(only.get("userName").asText()).isEqualTo("p@x");
        assertThat(only.get("name").toString()).isEqualTo("{\"givenName\":\"G\"}");
        assertThat(only.get("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User").toString())
                .isEqualTo("{\"department\":\"D\"}");
        assertThat(only.has("title")).isFalse();
        assertThat(only.has("meta")).isFalse();
        assertThat(without.has("title")).isFalse();
        assertThat(without.get("name").toString()).isEqualTo("{\"givenName\":\"G\"}");
        assertThat(without.has("meta")).isTrue();
        assertThat(without.has("password")).as("password is returned never").isFalse();
        assertThat(sandbox.user(id).orElseThrow().get("password").asText()).isEqualTo("secret");
    }

    @Test
    void putReplacesTheUserButKeepsIdAndCreated() {
        JsonNode created = scim.post("/Users", """
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"r@x","title":"Old",
                 "nickName":"Rex"}
                """).json();
        String id = created.get("id").asText();

        ScimClient.Reply reply = scim.put("/Users/" + id, """
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"ignored","userName":"r2@x",
                 "title":"New"}
                """);

        assertThat(reply.status()).isEqualTo(200);
        JsonNode stored = sandbox.user(id).orElseThrow();
        assertThat(stored.get("id").asText()).isEqualTo(id);
        assertThat(stored.get("userName").asText()).isEqualTo("r2@x");
        assertThat(stored.get("title").asText()).isEqualTo("New");
        assertThat(stored.has("nickName")).isFalse();
        assertThat(stored.at("/meta/created").asText()).isEqualTo(created.at("/meta/created").asText());
        assertThat(stored.at("/meta/version").asText()).isEqualTo("W/\"2\"");
        assertThat(sandbox.userByUserName("R2@X")).isPresent();
        assertThat(sandbox.userByUserName("r@x")).isEmpty();
    }

    @Test
    void putCannotTakeAnotherUsersUserName() {
        scim.createUser("taken@x");
        String id = scim.createUser("free@x");

        ScimClient.Reply reply = scim.put("/Users/" + id, user("TAKEN@x"));

        assertThat(reply.status()).isEqualTo(409);
        assertThat(reply.json().get("scimType").asText()).isEqualTo("uniqueness");
        assertThat(sandbox.user(id).orElseThrow().get("userName").asText()).isEqualTo("free@x");
    }

    @Test
    void deleteRemovesTheUserAndASecondDeleteIsNotFound() {
        String id = scim.createUser("d@x");

        ScimClient.Reply first = scim.delete("/Users/" + id);
        ScimClient.Reply second = scim.delete("/Users/" + id);

        assertThat(first.status()).isEqualTo(204);
        assertThat(first.body()).isEmpty();
        assertThat(second.status()).isEqualTo(404);
        assertThat(sandbox.user(id)).isEmpty();
        assertThat(scim.get("/Users/" + id).status()).isEqualTo(404);
        assertThat(total("userName eq \"d@x\"")).isZero();
        assertThat(scim.post("/Users", user("d@x")).status()).as("the userName is free again").isEqualTo(201);
    }

    @Test
    void staleIfMatchIsAPreconditionFailure() {
        String id = scim.createUser("v@x");
        scim.patch("/Users/" + id, ScimClient.patchOp("[{\"op\":\"replace\",\"path\":\"title\",\"value\":\"A\"}]"));

        ScimClient.Reply stale = scim.send("PATCH", "/Users/" + id,
                ScimClient.patchOp("[{\"op\":\"replace\",\"path\":\"title\",\"value\":\"B\"}]"), "If-Match", "W/\"1\"");
        ScimClient.Reply current = scim.send("PATCH", "/Users/" + id,
                ScimClient.patchOp("[{\"op\":\"replace\",\"path\":\"title\",\"value\":\"C\"}]"), "If-Match", "W/\"2\"");
        ScimClient.Reply notModified = scim.send("GET", "/Users/" + id, null, "If-None-Match", "W/\"3\"");

        assertThat(stale.status()).isEqualTo(412);
        assertThat(current.status()).isEqualTo(200);
        assertThat(current.header("ETag")).isEqualTo("W/\"3\"");
        assertThat(notModified.status()).isEqualTo(304);
        assertThat(sandbox.user(id).orElseThrow().get("title").asText()).isEqualTo("C");
    }

    @Test
    void searchCanBePostedToDotSearch() {
        scim.createUser("s1@x");
        scim.createUser("s2@x");

        JsonNode list = scim.post("/Users/.search", """
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
                 "filter":"userName eq \\"S2@x\\"","attributes":["userName"],"startIndex":1,"count":10}
                """).json();

        assertThat(list.get("totalResults").asInt()).isEqualTo(1);
        assertThat(list.get("Resources").get(0).get("userName").asText()).isEqualTo("s2@x");
        assertThat(list.get("Resources").get(0).has("meta")).isFalse();
    }

    private int total(String filter) {
        ScimClient.Reply reply = scim.get("/Users?filter=" + encode(filter));
        assertThat(reply.status()).as(filter + " -> " + reply.body()).isEqualTo(200);
        return reply.json().get("totalResults").asInt();
    }
}
