package io.github.provisioning.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.provisioning.auth.TargetCredentials.BearerToken;
import io.github.provisioning.auth.TargetCredentials.MetaApp;
import io.github.provisioning.auth.TargetCredentials.OAuth2Client;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which authentication mode the settings choose, and what a half-configured or doubly configured one says. */
class CredentialSettingsTest {

    private final Map<String, String> settings = new HashMap<>(Map.of(
            "scim.meta.token-url", "https://graph.work.meta.com/work_get_token",
            "scim.oauth2.scope", " "));

    private Function<String, Optional<String>> lookup() {
        return name -> Optional.ofNullable(settings.get(name)).map(String::trim).filter(v -> !v.isEmpty());
    }

    @Test
    void aStaticTokenChoosesTheBearerMode() {
        settings.put("scim.token", "abc");

        assertThat(CredentialSettings.from(lookup())).isEqualTo(new BearerToken("abc"));
    }

    @Test
    void theOAuth2SettingsChooseTheClientCredentialsModeWithAnOptionalScope() {
        settings.put("scim.oauth2.token-url", "https://login.example/token");
        settings.put("scim.oauth2.client-id", "app");
        settings.put("scim.oauth2.client-secret", "s");

        assertThat(CredentialSettings.from(lookup()))
                .isEqualTo(new OAuth2Client("https://login.example/token", "app", "s", null));
        settings.put("scim.oauth2.scope", "scim.write");
        assertThat(((OAuth2Client) CredentialSettings.from(lookup())).scope()).isEqualTo("scim.write");
    }

    @Test
    void theMetaAppSettingsChooseMetasFlowAtItsDefaultTokenUrl() {
        settings.put("scim.meta.app-id", "123");
        settings.put("scim.meta.app-secret", "s");

        assertThat(CredentialSettings.from(lookup()))
                .isEqualTo(new MetaApp("https://graph.work.meta.com/work_get_token", "123", "s"));
    }

    @ParameterizedTest(name = "{0} alone misses {1}")
    @CsvSource(delimiter = '|', textBlock = """
            scim.oauth2.client-id     | scim.oauth2.token-url (needed by OAuth2 authentication to the SCIM target), scim.oauth2.client-secret (needed by OAuth2 authentication to the SCIM target)
            scim.oauth2.client-secret | scim.oauth2.token-url (needed by OAuth2 authentication to the SCIM target), scim.oauth2.client-id (needed by OAuth2 authentication to the SCIM target)
            scim.oauth2.scope         | scim.oauth2.token-url (needed by OAuth2 authentication to the SCIM target), scim.oauth2.client-id (needed by OAuth2 authentication to the SCIM target), scim.oauth2.client-secret (needed by OAuth2 authentication to the SCIM target)
            scim.meta.app-id          | scim.meta.app-secret (needed by Meta work_get_token authentication to the SCIM target)
            scim.meta.app-secret      | scim.meta.app-id (needed by Meta work_get_token authentication to the SCIM target)
            """)
    void aHalfConfiguredModeNamesWhatItMisses(String alone, String missing) {
        settings.put(alone, "x");

        assertThat(String.join(", ", CredentialSettings.missing(lookup()))).isEqualTo(missing);
        assertThatThrownBy(() -> CredentialSettings.from(lookup())).hasMessage("Missing required setting"
                + (missing.contains("), ") ? "s: " : ": ") + missing);
    }

    @Test
    void metaWithItsTokenUrlBlankedNamesIt() {
        settings.put("scim.meta.app-id", "123");
        settings.put("scim.meta.app-secret", "s");
        settings.put("scim.meta.token-url", "");

        assertThat(CredentialSettings.missing(lookup()))
                .containsExactly("scim.meta.token-url (needed by Meta work_get_token authentication to the SCIM target)");
    }

    @Test
    void nothingSetAsksForATokenOrAnotherMode() {
        assertThat(CredentialSettings.missing(lookup())).containsExactly("scim.token (or scim.oauth2.token-url,"
                + " scim.oauth2.client-id and scim.oauth2.client-secret; or scim.meta.app-id and scim.meta.app-secret)");
    }

    @Test
    void twoModesAtOnceAreRejectedNamingTheSettings() {
        settings.put("scim.token", "abc");
        settings.put("scim.oauth2.client-id", "app");

        assertThatThrownBy(() -> CredentialSettings.missing(lookup())).hasMessage("The SCIM target's authentication is"
                + " configured more than once (scim.token, scim.oauth2.client-id are set). Set exactly one of: scim.token"
                + " (a static bearer token); scim.oauth2.* (OAuth2 client credentials); scim.meta.app-id and"
                + " scim.meta.app-secret (Meta work_get_token).");
    }

    @Test
    void aTokenUrlMustBeAnHttpUrl() {
        settings.put("scim.oauth2.token-url", "login.example/token");
        settings.put("scim.oauth2.client-id", "app");
        settings.put("scim.oauth2.client-secret", "s");

        assertThatThrownBy(() -> CredentialSettings.from(lookup()))
                .hasMessage("Setting scim.oauth2.token-url must be an http(s) URL, not 'login.example/token'");
    }

    @Test
    void noCredentialsShowTheirSecretWhenPrinted() {
        List<TargetCredentials> all = List.of(new BearerToken("T0KEN"),
                new OAuth2Client("https://login.example/token", "app", "S3CRET", "scope"),
                new MetaApp("https://graph.work.meta.com/work_get_token", "123", "S3CRET"));

        assertThat(all).allSatisfy(c -> assertThat(c.toString()).doesNotContain("T0KEN", "S3CRET"));
    }

    @Test
    void tokenRequestFormsAreFormEncoded() {
        assertThat(new OAuth2Client("u", "my app", "a&b=c", "api://x/.default").requestForm()).isEqualTo(
                "grant_type=client_credentials&client_id=my+app&client_secret=a%26b%3Dc&scope=api%3A%2F%2Fx%2F.default");
        assertThat(new OAuth2Client("u", "app", "s", null).requestForm())
                .isEqualTo("grant_type=client_credentials&client_id=app&client_secret=s");
        assertThat(new MetaApp("u", "1234", "s|&=").requestForm())
                .isEqualTo("access_token=1234%7Cs%7C%26%3D&grant_type=client_credentials");
    }
}
