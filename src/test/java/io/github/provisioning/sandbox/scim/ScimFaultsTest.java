package io.github.provisioning.sandbox.scim;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/** The fault-injection profile over real HTTP: what a provisioning engine sees when the target misbehaves. */
class ScimFaultsTest extends SharedSandboxTest {

    /** Answered replies use this; slow-reply tests pass their own, shorter or longer than the delay. */
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(10);

    @Test
    void noFaultsChangesNothing() {
        sandbox.faults(ScimFaults.none());

        for (int i = 0; i < 50; i++) {
            String id = scim.createUser("user" + i + "@contoso.com");
            assertThat(scim.get("/Users/" + id).status()).isEqualTo(200);
        }

        assertThat(sandbox.faults()).isEqualTo(ScimFaults.none());
        assertThat(sandbox.users()).hasSize(50);
        assertThat(sandbox.requests()).allSatisfy(r -> {
            assertThat(r.fault()).isNull();
            assertThat(r.answered()).isTrue();
        });
        assertThat(sandbox.faultCounts()).containsOnlyKeys(InjectedFault.values()).allSatisfy((kind, count) ->
                assertThat(count).as(kind.name()).isZero());
    }

    @Test
    void serverErrorsHitRoughlyTheirShareAndAreNeverApplied() {
        sandbox.faults(ScimFaults.none().withSeed(1).withServerErrorRate(0.1).withRetryAfter("2"));

        List<String> failed = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            String userName = "user" + i + "@contoso.com";
            ScimClient.Reply reply = scim.post("/Users", ScimClient.user(userName));
            if (reply.status() != 201) {
                failed.add(userName);
                assertThat(reply.status()).isIn(500, 502, 503, 504);
                assertThat(reply.json().get("schemas").get(0).asText())
                        .isEqualTo("urn:ietf:params:scim:api:messages:2.0:Error");
                assertThat(reply.json().get("status").asText()).isEqualTo(String.valueOf(reply.status()));
                assertThat(reply.header("Retry-After")).isEqualTo(reply.status() == 503 ? "2" : null);
            }
        }

        assertThat(failed).hasSizeBetween(30, 70);
        assertThat(sandbox.users()).hasSize(500 - failed.size());
        assertThat(failed).allSatisfy(userName -> assertThat(sandbox.userByUserName(userName)).isEmpty());
        assertThat(sandbox.faultCounts()).containsEntry(InjectedFault.SERVER_ERROR, (long) failed.size());
        assertThat(sandbox.requests()).filteredOn(r -> r.fault() == InjectedFault.SERVER_ERROR)
                .hasSize(failed.size());
    }

    @Test
    void everyNthRequestStartsABurstOf429sCarryingRetryAfterAndNoneIsApplied() {
        sandbox.faults(ScimFaults.none().withThrottleEvery(5).withThrottleBurst(2).withRetryAfter("0.5"));

        List<Integer> throttled = new ArrayList<>();
        for (int n = 1; n <= 20; n++) {
            ScimClient.Reply reply = scim.post("/Users", ScimClient.user("user" + n + "@contoso.com"));
            if (reply.status() == 429) {
                throttled.add(n);
                assertThat(reply.header("Retry-After")).isEqualTo("0.5");
                assertThat(reply.header("Content-Type")).isEqualTo("application/scim+json");
                assertThat(reply.json().get("schemas").get(0).asText())
                        .isEqualTo("urn:ietf:params:scim:api:messages:2.0:Error");
                assertThat(reply.json().get("status").asText()).isEqualTo("429");
                assertThat(reply.json().get("detail").asText()).isEqualTo("Too many requests");
                assertThat(sandbox.userByUserName("user" + n + "@contoso.com")).isEmpty();
            } else {
                assertThat(reply.status()).isEqualTo(201);
            }
        }

        assertThat(throttled).containsExactly(5, 6, 10, 11, 15, 16, 20);
        assertThat(sandbox.users()).hasSize(13);
        assertThat(sandbox.faultCounts()).containsEntry(InjectedFault.THROTTLED, 7L);
        assertThat(sandbox.requests()).extracting(RecordedRequest::status).filteredOn(s -> s == 429).hasSize(7);
    }

    @Test
    void retryAfterIsSentVerbatimAsAnHttpDateOrLeftOutWhenNull() {
        String httpDate = "Wed, 21 Oct 2015 07:28:00 GMT";
        sandbox.faults(ScimFaults.none().withThrottleEvery(1).withRetryAfter(httpDate));
        ScimClient.Reply dated = scim.get("/Users");
        sandbox.faults(ScimFaults.none().withThrottleEvery(1).withRetryAfter(null));
        ScimClient.Reply bare = scim.get("/Users");

        assertThat(dated.status()).isEqualTo(429);
        assertThat(dated.header("Retry-After")).isEqualTo(httpDate);
        assertThat(bare.status()).isEqualTo(429);
        assertThat(bare.header("Retry-After")).isNull();
    }

    @Test
    void slowReplyIsAppliedAtOnceSoAClientThatTimesOutStillCreatedTheUser() {
        sandbox.faults(ScimFaults.none().withSlowRate(1).withSlowDelay(Duration.ofSeconds(2)));

        Throwable thrown = catchThrowable(() -> postUser("adele@contoso.com", Duration.ofMillis(200)));

        assertThat(thrown).isInstanceOf(HttpTimeoutException.class);
        await().atMost(Duration.ofSeconds(1)).until(() -> sandbox.userByUserName("adele@contoso.com").isPresent());
        assertThat(sandbox.countCreates("adele@contoso.com")).isEqualTo(1);
        assertThat(sandbox.faultCounts()).containsEntry(InjectedFault.SLOW_REPLY, 1L);
    }

    @Test
    void slowReplyArrivesOnlyAfterTheDelay() throws Exception {
        Duration delay = Duration.ofMillis(500);
        sandbox.faults(ScimFaults.none().withSlowRate(1).withSlowDelay(delay));

        Instant sent = Instant.now();
        HttpResponse<String> reply = postUser("adele@contoso.com", Duration.ofSeconds(5));

        assertThat(reply.statusCode()).isEqualTo(201);
        assertThat(Duration.between(sent, Instant.now())).isGreaterThanOrEqualTo(delay);
        assertThat(sandbox.requests()).singleElement().extracting(RecordedRequest::fault)
                .isEqualTo(InjectedFault.SLOW_REPLY);
    }

    @Test
    void slowRepliesHitRoughlyTheirShare() {
        sandbox.faults(ScimFaults.none().withSeed(3).withSlowRate(0.1).withSlowDelay(Duration.ofMillis(1)));

        for (int i = 0; i < 500; i++) {
            assertThat(scim.get("/Users?count=1").status()).isEqualTo(200);
        }

        assertThat(sandbox.faultCounts().get(InjectedFault.SLOW_REPLY)).isBetween(30L, 70L);
    }

    @Test
    void droppedPostReplyGivesTheClientAnIOExceptionYetTheUserExistsOnce() {
        sandbox.faults(ScimFaults.none().withDropReplyRate(1));

        Throwable thrown = catchThrowable(() -> postUser("adele@contoso.com", CLIENT_TIMEOUT));

        assertThat(thrown).isInstanceOf(IOException.class).isNotInstanceOf(HttpTimeoutException.class);
        assertThat(sandbox.userByUserName("adele@contoso.com")).isPresent();
        assertThat(sandbox.countCreates("ADELE@contoso.com")).isEqualTo(1);
        RecordedRequest post = sandbox.requests().get(0);
        assertThat(post.fault()).isEqualTo(InjectedFault.DROPPED_REPLY);
        assertThat(post.answered()).isFalse();
        assertThat(post.status()).isEqualTo(201);
        assertThat(sandbox.faultCounts()).containsEntry(InjectedFault.DROPPED_REPLY, 1L);
        // Only POST replies are dropped by default, so the client can look the user up.
        assertThat(scim.get("/Users?filter=" + ScimClient.encode("userName eq \"adele@contoso.com\"")).json()
                .get("totalResults").asInt()).isEqualTo(1);
    }

    @Test
    void aBlindRetryOfALostCreateIsAConflictNotASecondAccount() throws Exception {
        sandbox.faults(ScimFaults.none().withDropReplyRate(1));
        catchThrowable(() -> postUser("adele@contoso.com", CLIENT_TIMEOUT));
        sandbox.faults(ScimFaults.none());

        HttpResponse<String> retry = postUser("adele@contoso.com", CLIENT_TIMEOUT);

        assertThat(retry.statusCode()).isEqualTo(409);
        assertThat(sandbox.countCreates("adele@contoso.com")).isEqualTo(1);
        assertThat(sandbox.createsByUserName()).containsExactly(Map.entry("adele@contoso.com", 1L));
    }

    @Test
    void droppedReplySendsNotOneByteOnTheWire() throws IOException {
        sandbox.faults(ScimFaults.none().withDropReplyRate(1));
        URI base = URI.create(sandbox.baseUrl());
        byte[] body = ScimClient.user("adele@contoso.com").getBytes(StandardCharsets.UTF_8);

        ByteArrayOutputStream received = new ByteArrayOutputStream();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5_000);
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + base.getPath() + "/Users HTTP/1.1\r\nHost: " + base.getAuthority()
                    + "\r\nContent-Type: application/scim+json\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            InputStream in = socket.getInputStream();
            try {
                for (int b = in.read(); b != -1; b = in.read()) {
                    received.write(b);
                }
            } catch (SocketException reset) {
                // A reset instead of an orderly close is just as much "no response".
            }
        }

        assertThat(received.size()).as("response bytes").isZero();
        assertThat(sandbox.countCreates("adele@contoso.com")).isEqualTo(1);
    }

    @Test
    void droppedRepliesHitRoughlyTheirShareOfPostsAndEveryPostIsApplied() {
        sandbox.faults(ScimFaults.none().withSeed(5).withDropReplyRate(0.1));

        int lost = 0;
        for (int i = 0; i < 500; i++) {
            if (tryPostUser("user" + i + "@contoso.com") == null) {
                lost++;
            }
        }

        assertThat(lost).isBetween(30, 70);
        assertThat(sandbox.faultCounts()).containsEntry(InjectedFault.DROPPED_REPLY, (long) lost);
        assertThat(sandbox.users()).hasSize(500);
        assertThat(sandbox.createsByUserName()).hasSize(500).allSatisfy((userName, creates) ->
                assertThat(creates).as(userName).isEqualTo(1));
    }

    @Test
    void aHeldReplyIsAppliedAndRecordedAndAnsweredOnlyWhenReleased() throws Exception {
        HeldReply hold = sandbox.holdReply("POST", "/Users", 1);
        assertThat(tryPostUser("adele@contoso.com")).isEqualTo(201);

        CompletableFuture<HttpResponse<String>> held = scim.http().sendAsync(
                HttpRequest.newBuilder(URI.create(sandbox.baseUrl() + "/Users")).timeout(CLIENT_TIMEOUT)
                        .header("Content-Type", "application/scim+json")
                        .POST(HttpRequest.BodyPublishers.ofString(ScimClient.user("brian@contoso.com"))).build(),
                HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(5)).until(hold::reached);

        // Applied and in the journal while the client still waits for its answer.
        assertThat(sandbox.userByUserName("brian@contoso.com")).isPresent();
        assertThat(hold.request().fault()).isEqualTo(InjectedFault.HELD_REPLY);
        assertThat(sandbox.countCreates("brian@contoso.com")).isEqualTo(1);
        assertThat(held).isNotDone();
        // One hold, one request: the others are answered at once.
        assertThat(tryPostUser("chen@contoso.com")).isEqualTo(201);
        assertThat(held).isNotDone();

        hold.release();
        assertThat(held.get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(201);
        assertThat(sandbox.faultCounts()).containsEntry(InjectedFault.HELD_REPLY, 1L);
    }

    @Test
    void aHoldReleasedBeforeItsRequestCameHoldsNothing() {
        HeldReply hold = sandbox.holdReply("POST", "/Users", 0);
        hold.release();

        assertThat(tryPostUser("adele@contoso.com")).isEqualTo(201);
        assertThat(hold.reached()).isFalse();
        assertThat(sandbox.requests()).singleElement().extracting(RecordedRequest::fault).isNull();
    }

    @Test
    void theSameSeedAndRequestOrderInjectTheSameFaults() {
        ScimFaults faults = ScimFaults.none().withSeed(42).withServerErrorRate(0.2).withThrottleEvery(7)
                .withThrottleBurst(2).withDropReplyRate(0.1).withSlowRate(0.1).withSlowDelay(Duration.ofMillis(1));

        List<InjectedFault> first = faultsInjectedInto(100, faults);
        List<InjectedFault> again = faultsInjectedInto(100, faults);
        List<InjectedFault> otherSeed = faultsInjectedInto(100, faults.withSeed(43));

        assertThat(first).filteredOn(Objects::nonNull).hasSizeGreaterThan(20);
        assertThat(again).isEqualTo(first);
        assertThat(otherSeed).isNotEqualTo(first);
    }

    @Test
    void failNextAnswersBeforeTheProfileDoes() {
        sandbox.faults(ScimFaults.none().withServerErrorRate(1));
        sandbox.failNext(1, 418, null);

        ScimClient.Reply first = scim.get("/Users");
        ScimClient.Reply second = scim.get("/Users");

        assertThat(first.status()).isEqualTo(418);
        assertThat(second.status()).isIn(500, 502, 503, 504);
        assertThat(sandbox.requests()).extracting(RecordedRequest::fault)
                .containsExactly(InjectedFault.FAIL_NEXT, InjectedFault.SERVER_ERROR);
        assertThat(sandbox.faultCounts()).containsEntry(InjectedFault.FAIL_NEXT, 1L)
                .containsEntry(InjectedFault.SERVER_ERROR, 1L);
    }

    @Test
    void resetTurnsFaultsOffAndZeroesTheCounts() {
        sandbox.faults(ScimFaults.none().withThrottleEvery(1));
        scim.get("/Users");

        sandbox.reset();

        assertThat(sandbox.faults()).isEqualTo(ScimFaults.none());
        assertThat(sandbox.faultCounts().get(InjectedFault.THROTTLED)).isZero();
        assertThat(scim.get("/Users").status()).isEqualTo(200);
    }

    @Test
    void requestTimesFollowTheJournal() {
        scim.get("/Users");
        scim.get("/Groups");

        assertThat(sandbox.requestTimes()).hasSize(2).isSorted()
                .isEqualTo(sandbox.requests().stream().map(RecordedRequest::time).toList());
    }

    @Test
    void impossibleProfilesAreRejected() {
        ScimFaults none = ScimFaults.none();

        assertThatThrownBy(() -> none.withServerErrorRate(1.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> none.withDropReplyRate(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> none.withThrottleBurst(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> none.withSlowDelay(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(none.withDropReplyMethods("patch", "Post").dropReplyMethods()).containsOnly("PATCH", "POST");
        assertThat(none.injectsFaults()).isFalse();
    }

    /** Resets the sandbox, sets {@code faults}, sends {@code count} POSTs in order and reads back each one's fault. */
    private List<InjectedFault> faultsInjectedInto(int count, ScimFaults faults) {
        sandbox.reset();
        sandbox.faults(faults);
        for (int i = 0; i < count; i++) {
            tryPostUser("user" + i + "@contoso.com");
        }
        return sandbox.requests().stream().map(RecordedRequest::fault).toList();
    }

    private HttpResponse<String> postUser(String userName, Duration timeout) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(sandbox.baseUrl() + "/Users"))
                .timeout(timeout)
                .header("Content-Type", "application/scim+json")
                .POST(HttpRequest.BodyPublishers.ofString(ScimClient.user(userName)))
                .build();
        return scim.http().send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** The status, or {@code null} when the reply was lost. */
    private Integer tryPostUser(String userName) {
        try {
            return postUser(userName, CLIENT_TIMEOUT).statusCode();
        } catch (HttpTimeoutException e) {
            throw new AssertionError("No fault here should outlast the client timeout", e);
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
