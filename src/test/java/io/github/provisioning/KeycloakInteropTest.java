package io.github.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.provisioning.cycle.CycleReport;
import io.github.provisioning.interop.KeycloakTarget;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Users through the normal cycle into a real third-party SCIM server we did not write: Keycloak's native SCIM
 * API, with OAuth2 client credentials and scim.verify-writes on. Keycloak drops addresses and phone numbers
 * silently; the provisioning log must say so. (Groups follow with group provisioning.)
 */
class KeycloakInteropTest extends EngineTest {

    @RegisterExtension
    static final KeycloakTarget.Lifecycle KEYCLOAK = KeycloakTarget.lifecycle();

    private KeycloakTarget keycloak;
    private String ann;

    @BeforeEach
    void arrange() {
        keycloak = KEYCLOAK.target();
        keycloak.deleteAllUsersAndGroups();
        ann = tenant.addUser(Map.of("userPrincipalName", "ann.lee@contoso.example", "givenName", "Ann",
                "surname", "Lee", "mail", "ann.lee@contoso.example", "mailNickname", "ann.lee",
                "jobTitle", "Buyer", "city", "Lisbon", "businessPhones", List.of("+351 21 000 0000"),
                "department", "Retail", "accountEnabled", true));
        tenant.assign(ann);
    }

    @Test
    void usersAreProvisionedUpdatedDisabledEnabledAndDeletedInKeycloak() throws Exception {
        Map<String, String> settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        settings.remove("scim.token");
        settings.put("scim.url", keycloak.scimUrl());
        settings.put("scim.oauth2.token-url", keycloak.tokenUrl());
        settings.put("scim.oauth2.client-id", keycloak.clientId());
        settings.put("scim.oauth2.client-secret", keycloak.clientSecret());
        settings.put("scim.verify-writes", "true");
        engine = EngineUnderTest.start(settings, dataDir);

        CycleReport initial = engine.awaitInitialCycle();

        assertThat(initial.counts()).containsEntry("created", 1).containsEntry("failed", 0);
        JsonNode created = keycloak.userByUserName("ann.lee@contoso.example").orElseThrow();
        assertThat(created.path("active").asBoolean()).isTrue();
        assertThat(created.path("title").asText()).isEqualTo("Buyer");
        assertThat(created.path("name").path("familyName").asText()).isEqualTo("Lee");
        JsonNode createLine = engine.logLines().get(0);
        assertThat(createLine.path("status").asText()).isEqualTo("warning");
        assertThat(createLine.path("reason").asText()).contains("the target did not keep")
                .contains("addresses[type eq \"work\"].locality").contains("phoneNumbers[type eq \"work\"].value");

        tenant.updateUser(ann, Map.of("jobTitle", "Head buyer"));
        assertThat(engine.runCycle().counts()).containsEntry("updated", 1).containsEntry("failed", 0);
        assertThat(keycloak.userByUserName("ann.lee@contoso.example").orElseThrow().path("title").asText())
                .isEqualTo("Head buyer");

        tenant.unassign(ann);
        assertThat(engine.runCycle().counts()).containsEntry("disabled", 1).containsEntry("failed", 0);
        assertThat(keycloak.userByUserName("ann.lee@contoso.example").orElseThrow().path("active").asBoolean()).isFalse();

        tenant.assign(ann);
        assertThat(engine.runCycle().counts()).containsEntry("updated", 1).containsEntry("failed", 0);
        assertThat(keycloak.userByUserName("ann.lee@contoso.example").orElseThrow().path("active").asBoolean()).isTrue();

        tenant.hardDeleteUser(ann);
        assertThat(engine.runCycle().counts()).containsEntry("deleted", 1).containsEntry("failed", 0);
        assertThat(keycloak.userByUserName("ann.lee@contoso.example")).isEmpty();
    }
}
