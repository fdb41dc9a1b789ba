package io.github.provisioning.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.provisioning.auth.TargetCredentials.BearerToken;
import io.github.provisioning.auth.TargetCredentials.MetaApp;
import io.github.provisioning.auth.TargetCredentials.OAuth2Client;
import io.github.provisioning.scim.ScimCredentialsException;
import io.github.provisioning.scim.ScimResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The token cache without Camel: when the token endpoint is asked, and what a 401 does to the cached token. */
class TargetTokenTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final OAuth2Client OAUTH2 = new OAuth2Client("https://login.example/token", "app", "S3CRET", null);
    private static final MetaApp META = new MetaApp("https://graph.work.meta.com/work_get_token", "123", "S3CRET");

    private final MutableClock clock = new MutableClock();
    private final List<String> forms = Collections.synchronizedList(new ArrayList<>());
    private final List<TargetToken.Reply> replies = new ArrayList<>();

    private TargetToken token(TargetCredentials credentials) {
        return new TargetToken(credentials, form -> {
            forms.add(form);
            return replies.isEmpty() ? grant("tok-" + forms.size(), 3600) : replies.remove(0);
        }, clock);
    }

    private static TargetToken.Reply grant(String token, Integer expiresIn) {
        return new TargetToken.Reply(200, "{\"access_token\":\"" + token + "\",\"token_type\":\"Bearer\""
                + (expiresIn == null ? "" : ",\"expires_in\":" + expiresIn) + "}");
    }

    private static ScimResponse answer(int status) {
        return new ScimResponse(status, JSON.createObjectNode(), null);
    }

    @Test
    void aStaticTokenIsSentAsItIsAndNeverRenewed() {
        TargetToken token = token(new BearerToken("abc"));

        assertThat(token.authorization()).isEqualTo("Bearer abc");
        assertThat(token.renewAfterRejection(answer(401), "Bearer abc", null)).isFalse();
        assertThat(forms).isEmpty();
    }

    @Test
    void anOAuth2TokenIsCachedUntilFiveMinutesBeforeItExpires() {
        TargetToken token = token(OAUTH2);

        assertThat(token.authorization()).isEqualTo("Bearer tok-1");
        clock.advance(Duration.ofMinutes(54));
        assertThat(token.authorization()).isEqualTo("Bearer tok-1");
        clock.advance(Duration.ofMinutes(1));
        assertThat(token.authorization()).isEqualTo("Bearer tok-2");
        assertThat(forms).containsExactly(OAUTH2.requestForm(), OAUTH2.requestForm());
        assertThat(forms.get(0)).isEqualTo("grant_type=client_credentials&client_id=app&client_secret=S3CRET");
    }

    @Test
    void aShortLivedTokenIsRenewedAtHalfItsLifetime() {
        replies.add(grant("short", 120));
        TargetToken token = token(OAUTH2);

        assertThat(token.authorization()).isEqualTo("Bearer short");
        clock.advance(Duration.ofSeconds(59));
        assertThat(token.authorization()).isEqualTo("Bearer short");
        clock.advance(Duration.ofSeconds(1));
        assertThat(token.authorization()).isEqualTo("Bearer tok-2");
    }

    @Test
    void aMetaTokenWithoutExpiresInIsKeptUntilTheTargetRejectsIt() {
        replies.add(grant("meta-1", null));
        replies.add(grant("meta-2", null));
        TargetToken token = token(META);

        assertThat(token.authorization()).isEqualTo("Bearer meta-1");
        clock.advance(Duration.ofDays(400));
        assertThat(token.authorization()).isEqualTo("Bearer meta-1");
        assertThat(token.renewAfterRejection(answer(401), "Bearer meta-1", null)).isTrue();
        assertThat(token.authorization()).isEqualTo("Bearer meta-2");
        assertThat(forms).containsExactly("access_token=123%7CS3CRET&grant_type=client_credentials",
                "access_token=123%7CS3CRET&grant_type=client_credentials");
    }

    @Test
    void aMetaTokenWithExpiresInIsRenewedBeforeIt() {
        replies.add(grant("meta-1", 86_400));
        TargetToken token = token(META);

        assertThat(token.authorization()).isEqualTo("Bearer meta-1");
        clock.advance(Duration.ofHours(24));
        assertThat(token.authorization()).isEqualTo("Bearer tok-2");
    }

    @Test
    void a401IsAnsweredWithOneResendOnlyAndOnlyFor401() {
        TargetToken token = token(OAUTH2);
        token.authorization();

        assertThat(token.renewAfterRejection(answer(403), "Bearer tok-1", null)).isFalse();
        assertThat(token.renewAfterRejection(answer(200), "Bearer tok-1", null)).isFalse();
        assertThat(token.authorization()).isEqualTo("Bearer tok-1");
        assertThat(token.renewAfterRejection(answer(401), "Bearer tok-1", null)).isTrue();
        assertThat(token.authorization()).isEqualTo("Bearer tok-2");
        assertThat(token.renewAfterRejection(answer(401), "Bearer tok-2", true)).isFalse();
        assertThat(token.authorization()).isEqualTo("Bearer tok-2");
    }

    @Test
    void aLate401ForAnOlderTokenKeepsTheNewOne() {
        TargetToken token = token(OAUTH2);
        token.authorization();
        token.renewAfterRejection(answer(401), "Bearer tok-1", null);
        token.authorization();

        // a parallel request sent with tok-1 comes back rejected after tok-2 was obtained
        assertThat(token.renewAfterRejection(answer(401), "Bearer tok-1", null)).isTrue();
        assertThat(token.authorization()).isEqualTo("Bearer tok-2");
        assertThat(forms).hasSize(2);
    }

    @Test
    void aRejectionByTheTokenEndpointNamesTheSettingsButNotTheSecret() {
        replies.add(new TargetToken.Reply(401, "{\"error\":\"invalid_client\",\"error_description\":\"Bad secret\\nTrace: 1\"}"));
        TargetToken token = token(OAUTH2);

        assertThatThrownBy(token::authorization).isInstanceOf(TokenException.class)
                .isInstanceOf(ScimCredentialsException.class)
                .hasMessage("could not obtain a SCIM access token: the token endpoint https://login.example/token"
                        + " answered 401 invalid_client: Bad secret; check scim.oauth2.client-id,"
                        + " scim.oauth2.client-secret and scim.oauth2.token-url")
                .message().doesNotContain("S3CRET");
    }

    @Test
    void metasErrorShapeIsReadToo() {
        replies.add(new TargetToken.Reply(400, "{\"error\":{\"message\":\"Invalid OAuth access token signature.\","
                + "\"type\":\"OAuthException\",\"code\":190}}"));
        TargetToken token = token(META);

        assertThatThrownBy(token::authorization).hasMessage("could not obtain a SCIM access token: the token endpoint"
                + " https://graph.work.meta.com/work_get_token answered 400: Invalid OAuth access token signature.;"
                + " check scim.meta.app-id, scim.meta.app-secret and scim.meta.token-url");
    }

    @Test
    void a200WithoutATokenIsNoToken() {
        replies.add(new TargetToken.Reply(200, "<html>login</html>"));
        TargetToken token = token(OAUTH2);

        assertThatThrownBy(token::authorization).hasMessageContaining("answered 200 without an access_token");
    }

    @Test
    void parallelRequestsWaitForTheOneTokenRequestInFlight() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<String> asked = Collections.synchronizedList(new ArrayList<>());
        TargetToken token = new TargetToken(META, form -> {
            asked.add(form);
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return grant("only", null);
        }, clock);
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Thread t = new Thread(() -> seen.add(token.authorization()));
            threads.add(t);
            t.start();
        }

        // one thread is at the endpoint, the other five wait for it
        await().atMost(Duration.ofSeconds(10)).until(() -> asked.size() == 1
                && threads.stream().filter(t -> t.getState() == Thread.State.BLOCKED).count() == 5);
        release.countDown();
        for (Thread t : threads) {
            t.join(10_000);
        }

        assertThat(asked).hasSize(1);
        assertThat(seen).hasSize(6).containsOnly("Bearer only");
    }

    private static final class MutableClock extends Clock {
        private Instant now = Instant.parse("2026-11-26T08:00:00Z");

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
