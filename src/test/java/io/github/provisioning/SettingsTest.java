package io.github.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.provisioning.graph.TestCertificate;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The start-up checks of Graph's and the target's authentication settings, and how they keep the sandbox off. */
class SettingsTest {

    private final Map<String, String> values = new HashMap<>(Map.of(
            "graph.tenant-id", "t", "graph.client-id", "c", "graph.client-secret", "s",
            "graph.login-url", "https://login.example", "graph.url", "https://graph.example/v1.0",
            "graph.app-id", "a", "scim.url", "https://scim.example",
            "scim.meta.token-url", "https://graph.work.meta.com/work_get_token"));

    private Settings settings() {
        return new Settings(name -> Optional.ofNullable(values.get(name)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"scim.token", "scim.oauth2.token-url", "scim.oauth2.client-id", "scim.oauth2.client-secret",
            "scim.oauth2.scope", "scim.meta.app-id", "scim.meta.app-secret", "graph.client-secret",
            "graph.client-certificate", "graph.client-certificate-password"})
    void anyAuthenticationSettingMeansARealTenantOrTargetSoTheSandboxStaysOff(String name) {
        values.keySet().removeIf(n -> !n.equals("scim.meta.token-url"));
        assertThat(settings().sandboxWanted()).isTrue();

        values.put(name, "x");

        assertThat(settings().sandboxWanted()).isFalse();
    }

    @Test
    void withoutAnyAuthenticationStartUpNamesTheChoices() {
        assertThatThrownBy(() -> settings().validate()).hasMessage("Missing required setting: scim.token (or"
                + " scim.oauth2.token-url, scim.oauth2.client-id and scim.oauth2.client-secret; or scim.meta.app-id"
                + " and scim.meta.app-secret). Set them in application.properties or with -Dname=value.");
    }

    @Test
    void aHalfConfiguredModeIsNamedWithTheOtherMissingSettings() {
        values.remove("scim.url");
        values.put("scim.oauth2.client-id", "app");
        values.put("scim.oauth2.client-secret", "s");

        assertThatThrownBy(() -> settings().validate()).hasMessage("Missing required settings: scim.url,"
                + " scim.oauth2.token-url (needed by OAuth2 authentication to the SCIM target). Set them in"
                + " application.properties or with -Dname=value.");
    }

    @Test
    void eachCompleteModeValidates() {
        values.put("scim.meta.app-id", "1");
        values.put("scim.meta.app-secret", "s");

        settings().validate();
        assertThat(settings().scimCredentials().settings()).isEqualTo("scim.meta.app-id, scim.meta.app-secret");
    }

    @ParameterizedTest
    @ValueSource(strings = {"100", "10KB", "100MB", "1GB", "2 kb"})
    void theLogsMaxSizeTakesBytesOrUnits(String size) {
        values.put("scim.token", "t");
        values.put("provisioning.log.max-size", size);

        settings().validate();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "provisioning.log.max-size | 100XB | a positive size in bytes, KB, MB or GB (e.g. 10KB, 100MB, 1GB)",
            "provisioning.log.max-size | 0 | a positive size in bytes, KB, MB or GB (e.g. 10KB, 100MB, 1GB)",
            "provisioning.log.max-size | -1MB | a positive size in bytes, KB, MB or GB (e.g. 10KB, 100MB, 1GB)",
            "provisioning.log.max-size | 1.5GB | a positive size in bytes, KB, MB or GB (e.g. 10KB, 100MB, 1GB)",
            "provisioning.log.retention-days | 0 | a whole number of days from 1 to 36500",
            "provisioning.log.retention-days | thirty | a whole number of days from 1 to 36500",
            "provisioning.log.retention-days | 1.5 | a whole number of days from 1 to 36500"})
    void aMalformedLogSettingIsNamedAtStartUp(String name, String value, String expected) {
        values.put("scim.token", "t");
        values.put(name, value);

        assertThatThrownBy(() -> settings().validate())
                .hasMessage("Setting " + name + " must be " + expected + ", not '" + value + "'");
    }

    @Test
    void withoutAGraphCredentialStartUpNamesBoth() {
        values.put("scim.token", "t");
        values.remove("graph.client-secret");

        assertThatThrownBy(() -> settings().validate()).hasMessage("Missing required setting: graph.client-secret (or"
                + " graph.client-certificate). Set them in application.properties or with -Dname=value.");
    }

    @Test
    void aCertificateInsteadOfTheSecretIsReadAtStartUp(@TempDir Path dir) {
        TestCertificate certificate = TestCertificate.named("engine");
        values.put("scim.token", "t");
        values.remove("graph.client-secret");
        values.put("graph.client-certificate", certificate.pkcs12().toString());
        values.put("graph.client-certificate-password", certificate.password());

        settings().validate();
        assertThat(settings().graphCredential().settings()).startsWith("graph.client-certificate (x5t#S256 ");

        values.put("graph.client-certificate", dir.resolve("gone.p12").toString());
        assertThatThrownBy(() -> settings().validate()).hasMessage("Setting graph.client-certificate: cannot read "
                + dir.resolve("gone.p12") + " (NoSuchFileException)");
    }

    @Test
    void aSecretAndACertificateAtOnceAreNamedAtStartUp() {
        values.put("scim.token", "t");
        values.put("graph.client-certificate", "/etc/provisioning/graph.pem");

        assertThatThrownBy(() -> settings().validate()).hasMessage("Microsoft Graph authentication is configured twice"
                + " (graph.client-secret, graph.client-certificate are set). Set exactly one of: graph.client-secret"
                + " (a client secret); graph.client-certificate (a PEM or PKCS#12 file with the certificate and its"
                + " private key, and graph.client-certificate-password for a protected PKCS#12 file).");
    }

    @Test
    void aPasswordWithoutItsCertificateIsNamed() {
        values.put("scim.token", "t");
        values.remove("graph.client-secret");
        values.put("graph.client-certificate-password", "p");

        assertThatThrownBy(() -> settings().validate()).hasMessage("Missing required setting: graph.client-certificate"
                + " (graph.client-certificate-password is set). Set them in application.properties or with"
                + " -Dname=value.");
    }

    @Test
    void theTokenScopeFollowsGraphUrlUnlessGraphScopeSaysOtherwise() {
        values.put("graph.url", "https://dod-graph.microsoft.us/v1.0");
        assertThat(settings().graphScope()).isEqualTo("https://dod-graph.microsoft.us/.default");

        values.put("graph.scope", "00000003-0000-0000-c000-000000000000/.default");
        assertThat(settings().graphScope()).isEqualTo("00000003-0000-0000-c000-000000000000/.default");
    }

    @Test
    void theDeletionThresholdIsAWholeNumberAndZeroSwitchesTheGuardOff() {
        values.put("scim.token", "t");
        for (String valid : new String[] {"500", "0", "-1"}) {
            values.put("provisioning.deletion-threshold", valid);
            settings().validate();
        }

        values.put("provisioning.deletion-threshold", "5%");

        assertThatThrownBy(() -> settings().validate()).hasMessage("Setting provisioning.deletion-threshold must be"
                + " a whole number (the most disables and deletes one cycle sends;"
                + " 0 switches the guard off), not '5%'");
    }

    @Test
    void notificationsNeedASenderAndAMailHostOnlyWhenThereAreRecipients() {
        values.put("scim.token", "t");
        settings().validate();

        values.put("notify.to", "ops@example.org, oncall@example.org");

        assertThatThrownBy(() -> settings().validate()).hasMessage("Missing required settings: notify.from (needed by"
                + " notify.to), mail.smtp.host (needed by notify.to). Set them in application.properties or with"
                + " -Dname=value.");
        values.put("notify.from", "provisioning@example.org");
        values.put("mail.smtp.host", "smtp.example.org");
        settings().validate();
        values.put("mail.smtp.username", "notifier");
        assertThatThrownBy(() -> settings().validate())
                .hasMessageContaining("mail.smtp.password (needed by mail.smtp.username)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"notify.to=not an address", "mail.smtp.port=smtp", "mail.smtp.port=70000",
            "mail.smtp.starttls=yes", "notify.max-failures-listed=-1"})
    void aBadNotificationSettingIsNamed(String setting) {
        values.put("scim.token", "t");
        values.putAll(Map.of("notify.to", "ops@example.org", "notify.from", "p@example.org", "mail.smtp.host", "h"));
        String[] nameValue = setting.split("=", 2);
        values.put(nameValue[0], nameValue[1]);

        assertThatThrownBy(() -> settings().validate()).hasMessageContaining("Setting " + nameValue[0]);
    }

    @ParameterizedTest
    @ValueSource(strings = {"graph.max-attempts=0", "graph.max-attempts=eight", "graph.retry-base-delay=soon",
            "graph.retry-max-delay=2 fortnights", "graph.connect-timeout=0s", "graph.response-timeout=1 minute"})
    void aBadGraphRetrySettingIsNamed(String setting) {
        values.put("scim.token", "t");
        String[] nameValue = setting.split("=", 2);
        values.put(nameValue[0], nameValue[1]);

        assertThatThrownBy(() -> settings().validate()).hasMessageStartingWith("Setting " + nameValue[0] + " must be")
                .hasMessageEndingWith("not '" + nameValue[1] + "'");
    }

    @Test
    void graphRetrySettingsTakeWholeNumbersAndDurations() {
        values.put("scim.token", "t");
        values.putAll(Map.of("graph.max-attempts", "1", "graph.retry-base-delay", "0s", "graph.retry-max-delay", "2m",
                "graph.connect-timeout", "500ms", "graph.response-timeout", "1m30s"));

        settings().validate();
    }

    @ParameterizedTest
    @ValueSource(strings = {"provisioning.interval=soon", "provisioning.escrow.base-delay=-1",
            "provisioning.escrow.max-delay=a day", "scim.retry-base-delay=1 second",
            "scim.retry-max-delay=2 fortnights", "scim.connect-timeout=ten seconds", "scim.response-timeout=1 minute"})
    void aMalformedDurationIsNamedAtStartUp(String setting) {
        values.put("scim.token", "t");
        String[] nameValue = setting.split("=", 2);
        values.put(nameValue[0], nameValue[1]);

        assertThatThrownBy(() -> settings().validate()).hasMessage("Setting " + nameValue[0] + " must be a zero or"
                + " positive duration (e.g. 500ms, 10s, 2m), not '" + nameValue[1] + "'");
    }

    @Test
    void durationsAreReadInCamelsFormatOrTakeTheirDefaults() {
        values.putAll(Map.of("provisioning.interval", "1h30m", "scim.connect-timeout", "500ms",
                "provisioning.escrow.max-delay", " 2h "));

        assertThat(settings().duration("provisioning.interval")).isEqualTo(Duration.ofMinutes(90));
        assertThat(settings().duration("scim.connect-timeout")).isEqualTo(Duration.ofMillis(500));
        assertThat(settings().duration("provisioning.escrow.max-delay")).isEqualTo(Duration.ofHours(2));
        assertThat(settings().duration("provisioning.escrow.base-delay")).isEqualTo(Duration.ZERO);
        assertThat(settings().duration("graph.response-timeout")).isEqualTo(Duration.ofSeconds(60));
        assertThatThrownBy(() -> settings().duration("scim.url")).hasMessage("Not a duration setting: scim.url");
    }

    @Test
    void anOnOffSettingIsTrueOrFalseAndNamedOtherwise() {
        values.put("scim.token", "t");
        values.put("provisioning.once", "TRUE");
        assertThat(settings().flag("provisioning.once")).isTrue();
        assertThat(settings().flag("camel.server.enabled")).isTrue();
        assertThat(settings().flag("provisioning.dry-run")).isFalse();

        values.put("provisioning.dry-run", "yes");

        assertThatThrownBy(() -> settings().validate())
                .hasMessage("Setting provisioning.dry-run must be true or false, not 'yes'");
    }

    @Test
    void theLogAndRetrySettingsAreReadAsNumbers() {
        values.putAll(Map.of("provisioning.log.max-size", "10KB", "provisioning.log.retention-days", "7",
                "graph.max-attempts", "3", "provisioning.deletion-threshold", "0"));

        assertThat(settings().logMaxSize()).isEqualTo(10_240);
        assertThat(settings().logRetention()).isEqualTo(Duration.ofDays(7));
        assertThat(settings().graphMaxAttempts()).isEqualTo(3);
        assertThat(settings().deletionThreshold()).isZero();
        values.clear();
        assertThat(settings().graphMaxAttempts()).isEqualTo(8);
        assertThat(settings().deletionThreshold()).isEqualTo(500);
    }

    @Test
    void aMalformedQuarantineSettingIsNamedAtStartUp() {
        values.put("scim.token", "t");
        values.put("provisioning.quarantine.retry-delays", "6h,soon");

        assertThatThrownBy(() -> settings().validate()).hasMessageStartingWith(
                "Setting provisioning.quarantine.retry-delays");
    }
}
