package io.github.provisioning.interop;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.provisioning.interop.KeycloakTarget.ScimReply;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static io.github.provisioning.interop.KeycloakTarget.ENTERPRISE_USER_SCHEMA;
import static io.github.provisioning.interop.KeycloakTarget.GROUP_SCHEMA;
import static io.github.provisioning.interop.KeycloakTarget.JSON;
import static io.github.provisioning.interop.KeycloakTarget.PATCH_OP_SCHEMA;
import static io.github.provisioning.interop.KeycloakTarget.USER_SCHEMA;
import static io.github.provisioning.interop.KeycloakTarget.encode;
import static io.github.provisioning.interop.KeycloakTarget.quoted;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What Keycloak's native SCIM API does with the requests our engine sends, over plain HTTP and without the
 * engine: the facts a Keycloak compatibility profile rests on. The realm's user profile is
 * {@code src/test/resources/keycloak/scim-user-profile-attributes.json}.
 */
@Tag(KeycloakTarget.TAG)
class KeycloakScimProbeTest {

    @RegisterExtension
    static final KeycloakTarget.Lifecycle KEYCLOAK = KeycloakTarget.lifecycle();

    KeycloakTarget keycloak;

    @BeforeEach
    void emptyRealm() {
        keycloak = KEYCLOAK.target();
        keycloak.deleteAllUsersAndGroups();
    }

    @Test
    void clientCredentialsTokenNamesTheScimUrlAsAudience() throws Exception {
        String[] jwt = keycloak.accessToken().split("\\.");
        JsonNode claims = JSON.readTree(new String(Base64.getUrlDecoder().decode(jwt[1]), StandardCharsets.UTF_8));

        assertThat(claims.path("aud")).extracting(JsonNode::asText).contains(keycloak.scimUrl());
        assertThat(claims.path("azp").asText()).isEqualTo(keycloak.clientId());
        assertThat(claims.path("exp").asLong() - claims.path("iat").asLong()).isEqualTo(3600);
    }

    @Test
    void createdUserKeepsTheAttributesTheUserProfileDeclares() {
        ScimReply created = keycloak.post("/Users", engineUser("Ada.Lovelace@Example.com", "ada@example.com"));

        assertThat(created.status()).isEqualTo(201);
        String id = created.json().path("id").asText();
        assertThat(id).isNotBlank();

        // The POST response echoes the request, so only a GET shows what was stored.
        JsonNode stored = keycloak.get("/Users/" + id).expect(200).json();
        assertThat(stored.path("schemas")).extracting(JsonNode::asText).contains(USER_SCHEMA, ENTERPRISE_USER_SCHEMA);
        assertThat(stored.path("userName").asText()).isEqualTo("ada.lovelace@example.com");
        assertThat(stored.path("externalId").asText()).isEqualTo("ada");
        assertThat(stored.path("active").asBoolean()).isTrue();
        assertThat(stored.path("displayName").asText()).isEqualTo("Ada Lovelace");
        assertThat(stored.path("title").asText()).isEqualTo("Analyst");
        assertThat(stored.path("preferredLanguage").asText()).isEqualTo("en-GB");
        assertThat(stored.path("name").path("givenName").asText()).isEqualTo("Ada");
        assertThat(stored.path("name").path("familyName").asText()).isEqualTo("Lovelace");
        assertThat(stored.path("name").path("formatted").asText()).isEqualTo("Countess Ada Lovelace");
        assertThat(stored.path("emails")).hasSize(1);
        assertThat(stored.path("emails").get(0).path("value").asText()).isEqualTo("ada@example.com");
        assertThat(stored.path("emails").get(0).path("type").asText()).isEqualTo("work");
        assertThat(stored.path(ENTERPRISE_USER_SCHEMA).path("employeeNumber").asText()).isEqualTo("E-1815");
        assertThat(stored.path(ENTERPRISE_USER_SCHEMA).path("department").asText()).isEqualTo("Analytical Engines");
        // Dropped silently: no user-profile attribute can hold a multi-valued complex attribute.
        assertThat(stored.has("phoneNumbers")).isFalse();
        assertThat(stored.has("addresses")).isFalse();
    }

    @Test
    void userNameFilterMatchesValuesWithEscapedQuotesAndBackslashes() {
        String awkward = "o\"brien\\x@example.com";
        keycloak.post("/Users", engineUser(awkward, "ob@example.com")).expect(201);
        keycloak.post("/Users", engineUser("obrien@example.com", "ob2@example.com")).expect(201);

        // userName eq "o\"brien\\x@example.com"
        JsonNode found = keycloak.get("/Users?filter=" + encode("userName eq " + quoted(awkward))).expect(200).json();

        assertThat(found.path("totalResults").asInt()).isEqualTo(1);
        assertThat(found.path("Resources").get(0).path("userName").asText()).isEqualTo(awkward);
        assertThat(keycloak.userByUserName("O\"BRIEN\\X@EXAMPLE.COM")).as("userName is case-insensitive").isPresent();
    }

    @Test
    void patchReplacesTitleAndDeactivatesTheUser() {
        String id = keycloak.post("/Users", engineUser("grace@example.com", "grace@example.com"))
                .expect(201).json().path("id").asText();
        String createdAt = keycloak.get("/Users/" + id).expect(200).json().at("/meta/lastModified").asText();

        ScimReply patched = keycloak.patch("/Users/" + id, patchOp("""
                [{"op":"replace","path":"title","value":"Rear Admiral"},
                 {"op":"replace","path":"active","value":false}]"""));

        assertThat(patched.status()).isEqualTo(200);
        JsonNode stored = keycloak.userByUserName("grace@example.com").orElseThrow();
        assertThat(stored.path("title").asText()).isEqualTo("Rear Admiral");
        assertThat(stored.path("active").asBoolean()).isFalse();
        assertThat(stored.path("externalId").asText()).as("untouched by the patch").isEqualTo("ada");
        // Keycloak 26.7.3 leaves meta.lastModified at the creation time: it cannot tell a read-back what changed.
        assertThat(stored.at("/meta/lastModified").asText()).isEqualTo(createdAt);
    }

    @Test
    void secondUserWithTheSameUserNameInAnotherCaseIsAConflict() {
        keycloak.post("/Users", engineUser("alan@example.com", "alan@example.com")).expect(201);

        ScimReply duplicate = keycloak.post("/Users", engineUser("ALAN@example.com", "alan.t@example.com"));

        assertThat(duplicate.status()).isEqualTo(409);
        assertThat(duplicate.json().path("scimType").asText()).isEqualTo("uniqueness");
        assertThat(keycloak.users()).hasSize(1);
    }

    @Test
    void deletedUserIsGone() {
        String id = keycloak.post("/Users", engineUser("ken@example.com", "ken@example.com"))
                .expect(201).json().path("id").asText();

        assertThat(keycloak.delete("/Users/" + id).status()).isEqualTo(204);

        assertThat(keycloak.get("/Users/" + id).status()).isEqualTo(404);
        assertThat(keycloak.userByUserName("ken@example.com")).isEmpty();
    }

    @Test
    void groupMembersAreAddedByPatchAndRemovedByAValueFilterPath() {
        String userId = keycloak.post("/Users", engineUser("edsger@example.com", "edsger@example.com"))
                .expect(201).json().path("id").asText();
        ScimReply created = keycloak.post("/Groups", """
                {"schemas":["%s"],"displayName":"Engineers","externalId":"entra-group-1"}""".formatted(GROUP_SCHEMA));
        assertThat(created.status()).isEqualTo(201);
        String groupId = created.json().path("id").asText();

        ScimReply added = keycloak.patch("/Groups/" + groupId, patchOp("""
                [{"op":"add","path":"members","value":[{"value":"%s"}]}]""".formatted(userId)));

        assertThat(added.status()).isEqualTo(200);
        assertThat(keycloak.get("/Groups/" + groupId).expect(200).json().has("members"))
                .as("members only with ?attributes=members").isFalse();
        JsonNode members = keycloak.get("/Groups/" + groupId + "?attributes=members").expect(200).json().path("members");
        assertThat(members).hasSize(1);
        assertThat(members.get(0).path("value").asText()).isEqualTo(userId);

        ScimReply removed = keycloak.patch("/Groups/" + groupId, patchOp("""
                [{"op":"remove","path":%s}]""".formatted(quoted("members[value eq " + quoted(userId) + "]"))));

        assertThat(removed.status()).isEqualTo(200);
        JsonNode after = keycloak.get("/Groups/" + groupId + "?attributes=members").expect(200).json();
        assertThat(after.path("members")).isEmpty();
        JsonNode group = keycloak.get("/Groups/" + groupId).expect(200).json();
        assertThat(group.path("displayName").asText()).isEqualTo("Engineers");
        assertThat(group.path("externalId").asText()).isEqualTo("entra-group-1");
    }

    @Test
    void groupCreatedWithMembersIsRejected() {
        String userId = keycloak.post("/Users", engineUser("barbara@example.com", "barbara@example.com"))
                .expect(201).json().path("id").asText();

        ScimReply created = keycloak.post("/Groups", """
                {"schemas":["%s"],"displayName":"Liskov","members":[{"value":"%s"}]}"""
                .formatted(GROUP_SCHEMA, userId));

        assertThat(created.status()).isEqualTo(400);
        assertThat(keycloak.groups()).isEmpty();
    }

    @Test
    void userCreatedWithoutActiveIsInactive() {
        keycloak.post("/Users", """
                {"schemas":["%s"],"userName":"dennis@example.com","emails":[{"type":"work","value":"dennis@example.com"}],
                 "name":{"givenName":"Dennis","familyName":"Ritchie"}}""".formatted(USER_SCHEMA)).expect(201);

        assertThat(keycloak.userByUserName("dennis@example.com").orElseThrow().path("active").asBoolean()).isFalse();
    }

    @Test
    void userWithoutEnterpriseDataStillCarriesAnEmptyEnterpriseExtension() {
        keycloak.post("/Users", """
                {"schemas":["%s"],"userName":"linus@example.com","active":true,
                 "emails":[{"type":"work","value":"linus@example.com"}],
                 "name":{"givenName":"Linus","familyName":"Torvalds"}}""".formatted(USER_SCHEMA)).expect(201);

        JsonNode stored = keycloak.userByUserName("linus@example.com").orElseThrow();

        // A read-back must treat {} as "no enterprise attributes", not as a value to diff against.
        assertThat(stored.path("schemas")).extracting(JsonNode::asText).contains(ENTERPRISE_USER_SCHEMA);
        assertThat(stored.path(ENTERPRISE_USER_SCHEMA).isObject()).isTrue();
        assertThat(stored.path(ENTERPRISE_USER_SCHEMA)).isEmpty();
        // With no formattedName stored, Keycloak derives name.formatted from the given and family names.
        assertThat(stored.at("/name/formatted").asText()).isEqualTo("Linus Torvalds");
    }

    @Test
    void secondUserWithTheSameEmailIsAServerError() {
        keycloak.post("/Users", engineUser("john@example.com", "shared@example.com")).expect(201);

        ScimReply duplicate = keycloak.post("/Users", engineUser("johann@example.com", "shared@example.com"));

        // Not a 409: the engine must not read this 500 as "retry later".
        assertThat(duplicate.status()).isEqualTo(500);
        assertThat(keycloak.userByUserName("johann@example.com")).isEmpty();
    }

    /** A user as the engine's generic SCIM mapping sends it, with attributes Keycloak cannot keep among them. */
    private static String engineUser(String userName, String email) {
        return """
                {"schemas":["%s","%s"],
                 "userName":%s,"externalId":"ada","active":true,"displayName":"Ada Lovelace","title":"Analyst",
                 "emails":[{"type":"work","value":%s,"primary":true}],
                 "name":{"givenName":"Ada","familyName":"Lovelace","formatted":"Countess Ada Lovelace"},
                 "preferredLanguage":"en-GB",
                 "phoneNumbers":[{"type":"work","value":"+44 20 7946 0000"}],
                 "addresses":[{"type":"work","locality":"London","country":"GB"}],
                 "%s":{"employeeNumber":"E-1815","department":"Analytical Engines"}}"""
                .formatted(USER_SCHEMA, ENTERPRISE_USER_SCHEMA, quoted(userName), quoted(email), ENTERPRISE_USER_SCHEMA);
    }

    private static String patchOp(String operations) {
        return """
                {"schemas":["%s"],"Operations":%s}""".formatted(PATCH_OP_SCHEMA, operations);
    }
}
