package io.github.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.provisioning.cycle.CycleReport;
import io.github.provisioning.sandbox.scim.RecordedRequest;
import io.github.provisioning.sandbox.scim.ScimSandboxConfig;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The engine authenticates to the SCIM target with an OAuth2 client-credentials token or Meta's work_get_token
 * token, against the sandbox's token endpoints over loopback HTTP: the token is obtained once and cached, a 401
 * renews it once and resends the request, a second 401 stops the cycle, and no secret or token reaches a log.
 */
class TargetAuthenticationTest extends EngineTest {

    private final String secret = "s3cret&+|/=" + UUID.randomUUID();

    private final List<String> userIds = new ArrayList<>();
    private final Map<String, String> settings = new HashMap<>();

    /** The token endpoints, and no static token: each test chooses its mode. */
    @Override
    ScimSandboxConfig scimConfig() {
        return ScimSandboxConfig.defaults().withTokenClient("provisioning-app", secret);
    }

    @BeforeEach
    void assignUsers() {
        for (String name : List.of("ann", "bob", "cy")) {
            Map<String, Object> user = new HashMap<>();
            user.put("userPrincipalName", name + "@contoso.example");
            user.put("mailNickname", name);
            user.put("jobTitle", "Buyer");
            user.put("accountEnabled", true);
            String id = graph.tenant().addUser(user);
            graph.tenant().assign(id);
            userIds.add(id);
        }
        settings.putAll(EngineUnderTest.settingsFor(graph, scim, dataDir));
        settings.remove("scim.token");
    }

    private void useOAuth2() {
        settings.put("scim.oauth2.token-url", scim.tokenUrl());
        settings.put("scim.oauth2.client-id", "provisioning-app");
        settings.put("scim.oauth2.client-secret", secret);
        settings.put("scim.oauth2.scope", "scim.provision");
    }

    private void useMeta() {
        settings.put("scim.meta.token-url", scim.metaTokenUrl());
        settings.put("scim.meta.app-id", "provisioning-app");
        settings.put("scim.meta.app-secret", secret);
    }

    @Test
    void anOAuth2TokenIsObtainedOnceAndSentWithEveryRequestOfEveryCycle() throws Exception {
        useOAuth2();
        engine = EngineUnderTest.start(settings, dataDir);

        CycleReport initial = engine.awaitInitialCycle();
        graph.tenant().updateUser(userIds.get(0), Map.of("jobTitle", "Head buyer"));
        CycleReport next = engine.runCycle();

        assertThat(initial.counts()).containsEntry("created", 3).containsEntry("failed", 0);
        assertThat(next.counts()).containsEntry("updated", 1);
        assertThat(scim.tokenRequests()).hasSize(1);
        RecordedRequest tokenRequest = scim.tokenRequests().get(0);
        assertThat(tokenRequest.line()).isEqualTo("POST /oauth2/token");
        assertThat(tokenRequest.header("content-type")).startsWith("application/x-www-form-urlencoded");
        assertThat(tokenRequest.body()).isEqualTo("grant_type=client_credentials&client_id=provisioning-app"
                + "&client_secret=" + URLEncoder.encode(secret, StandardCharsets.UTF_8) + "&scope=scim.provision");
        String token = tokenRequest.responseJson().path("access_token").asText();
        // /ServiceProviderConfig, the listing of the target, 3 POST, 1 PATCH
        assertThat(scim.requests()).hasSizeGreaterThanOrEqualTo(6)
                .allSatisfy(r -> assertThat(r.header("authorization")).isEqualTo("Bearer " + token));
        assertNoSecretInTheLogs();
    }

    @Test
    void aTokenTheTargetRejectsIsRenewedOnceAndTheRequestSentAgain() throws Exception {
        useOAuth2();
        engine = EngineUnderTest.start(settings, dataDir);
        engine.awaitInitialCycle();
        String targetId = scim.userByUserName("ann@contoso.example").orElseThrow().path("id").asText();
        scim.revokeIssuedTokens();
        scim.clearRequests();
        graph.tenant().updateUser(userIds.get(0), Map.of("jobTitle", "Head buyer"));

        CycleReport report = engine.runCycle();

        assertThat(report.completed()).isTrue();
        assertThat(report.counts()).containsEntry("updated", 1).containsEntry("failed", 0);
        assertThat(scim.tokenRequests()).hasSize(2);
        String renewed = scim.tokenRequests().get(1).responseJson().path("access_token").asText();
        assertThat(scim.requests()).extracting(RecordedRequest::line, RecordedRequest::status).containsExactly(
                org.assertj.core.groups.Tuple.tuple("PATCH /Users/" + targetId, 401),
                org.assertj.core.groups.Tuple.tuple("PATCH /Users/" + targetId, 200));
        assertThat(scim.requests().get(1).header("authorization")).isEqualTo("Bearer " + renewed);
        assertThat(scim.requests().get(1).body()).isEqualTo(scim.requests().get(0).body());
        assertThat(scim.userByUserName("ann@contoso.example").orElseThrow().path("title").asText()).isEqualTo("Head buyer");
        // the 401 is no failure of the user: its log line has no retries and a success
        assertThat(engine.logLines().get(engine.logLines().size() - 1).path("status").asText()).isEqualTo("success");
        assertNoSecretInTheLogs();
    }

    @Test
    void aSecondRejectionStopsTheCycleAndKeepsTheWatermark() throws Exception {
        useOAuth2();
        // One user, so that the two injected 401s answer its request and the resend.
        graph.tenant().unassign(userIds.get(1));
        graph.tenant().unassign(userIds.get(2));
        scim.failNext(2, 401, null, "/Users");
        engine = EngineUnderTest.start(settings, dataDir);

        CycleReport report = engine.awaitInitialCycle();

        assertThat(report.completed()).isFalse();
        assertThat(report.error()).startsWith("the SCIM target rejected the credentials (SCIM target answered 401");
        assertThat(scim.tokenRequests()).hasSize(2);
        List<RecordedRequest> userRequests = scim.requests().stream().filter(r -> r.path().startsWith("/Users")).toList();
        assertThat(userRequests).extracting(RecordedRequest::status).containsExactly(401, 401);
        assertThat(userRequests.get(0).line()).isEqualTo(userRequests.get(1).line());
        assertThat(scim.users()).isEmpty();
        CycleReport next = engine.runCycle();
        assertThat(next.type()).isEqualTo("initial");
        assertThat(next.counts()).containsEntry("created", 1);
        assertNoSecretInTheLogs();
    }

    @Test
    void aTokenEndpointThatRejectsTheClientStopsTheCycleNamingTheSettingsNotTheSecret() throws Exception {
        useOAuth2();
        settings.put("scim.oauth2.client-secret", "wrong-" + secret);
        engine = EngineUnderTest.start(settings, dataDir);

        CycleReport report = engine.awaitInitialCycle();

        assertThat(report.completed()).isFalse();
        assertThat(report.error()).isEqualTo("could not obtain a SCIM access token: the token endpoint "
                + scim.tokenUrl() + " answered 401 invalid_client: Client authentication failed; check"
                + " scim.oauth2.client-id, scim.oauth2.client-secret, scim.oauth2.scope and scim.oauth2.token-url");
        assertThat(scim.requests()).isEmpty();
        assertNoSecretInTheLogs();
    }

    @Test
    void metaTokenIsRequestedWithAppIdAndSecretJoinedByAPipeAsAFormAndCached() throws Exception {
        useMeta();
        engine = EngineUnderTest.start(settings, dataDir);

        CycleReport initial = engine.awaitInitialCycle();
        graph.tenant().updateUser(userIds.get(1), Map.of("jobTitle", "Head buyer"));
        CycleReport next = engine.runCycle();

        assertThat(initial.counts()).containsEntry("created", 3);
        assertThat(next.counts()).containsEntry("updated", 1);
        assertThat(scim.tokenRequests()).hasSize(1);
        RecordedRequest tokenRequest = scim.tokenRequests().get(0);
        assertThat(tokenRequest.line()).isEqualTo("POST /work_get_token");
        assertThat(tokenRequest.header("content-type")).startsWith("application/x-www-form-urlencoded");
        assertThat(tokenRequest.body()).isEqualTo("access_token="
                + URLEncoder.encode("provisioning-app|" + secret, StandardCharsets.UTF_8) + "&grant_type=client_credentials");
        assertThat(tokenRequest.body()).startsWith("access_token=provisioning-app%7Cs3cret%26%2B%7C%2F%3D");
        String token = tokenRequest.responseJson().path("access_token").asText();
        assertThat(scim.requests()).allSatisfy(r -> assertThat(r.header("authorization")).isEqualTo("Bearer " + token));
        assertNoSecretInTheLogs();
    }

    @Test
    void aRevokedMetaTokenIsReplacedOnceForAllParallelRequests() throws Exception {
        useMeta();
        engine = EngineUnderTest.start(settings, dataDir);
        engine.awaitInitialCycle();
        scim.revokeIssuedTokens();
        scim.clearRequests();
        for (String id : userIds) {
            graph.tenant().updateUser(id, Map.of("jobTitle", "Head buyer"));
        }

        CycleReport report = engine.runCycle();

        assertThat(report.completed()).isTrue();
        assertThat(report.counts()).containsEntry("updated", 3).containsEntry("failed", 0);
        // Meta keeps one active token per integration: a second token request would revoke the first one again.
        assertThat(scim.tokenRequests()).hasSize(2);
        assertThat(scim.requests()).filteredOn(r -> r.status() == 200).hasSize(3);
        assertNoSecretInTheLogs();
    }

    @Test
    void aHalfConfiguredModeStopsStartUpNamingTheMissingSettings() {
        settings.put("scim.oauth2.client-id", "provisioning-app");

        assertThatThrownBy(() -> EngineUnderTest.start(settings, dataDir))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("Missing required settings:"
                        + " scim.oauth2.token-url (needed by OAuth2 authentication to the SCIM target),"
                        + " scim.oauth2.client-secret (needed by OAuth2 authentication to the SCIM target)."
                        + " Set them in application.properties or with -Dname=value.");
        assertThat(graph.requests()).isEmpty();
    }

    @Test
    void twoModesAtOnceStopStartUpNamingBoth() {
        useMeta();
        settings.put("scim.token", "static-token");

        assertThatThrownBy(() -> EngineUnderTest.start(settings, dataDir))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("The SCIM target's authentication is configured more than once"
                        + " (scim.token, scim.meta.app-id, scim.meta.app-secret are set). Set exactly one of:");
    }

    /** Like UserProvisioningCycleTest: the secret and every token issued must be absent from logs and files. */
    private void assertNoSecretInTheLogs() throws Exception {
        List<String> secrets = new ArrayList<>(List.of(secret, URLEncoder.encode(secret, StandardCharsets.UTF_8)));
        scim.tokenRequests().stream().map(r -> r.responseJson().path("access_token").asText(""))
                .filter(t -> !t.isEmpty()).forEach(secrets::add);
        String log = Files.readString(Path.of("target/test-logs/tests.log"));
        for (String secret : secrets) {
            assertThat(log).as("the application log").doesNotContain(secret);
        }
        try (Stream<Path> files = Files.walk(dataDir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json") || f.toString().endsWith(".jsonl")).toList()) {
                String text = Files.readString(file);
                for (String secret : secrets) {
                    assertThat(text).as(file.toString()).doesNotContain(secret);
                }
            }
        }
    }
}
