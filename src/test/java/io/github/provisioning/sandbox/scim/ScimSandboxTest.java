package io.github.provisioning.sandbox.scim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;

import static io.github.provisioning.sandbox.scim.ScimClient.encode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScimSandboxTest {

    private ScimSandbox sandbox;

    private ScimClient start(ScimSandboxConfig config) {
        sandbox = ScimSandbox.start(config);
        return ScimClient.to(sandbox);
    }

    @AfterEach
    void stop() {
        if (sandbox != null) {
            sandbox.close();
        }
    }

    @Test
    void servesOnLoopbackUnderScimV2() {
        start(ScimSandboxConfig.defaults());

        assertThat(sandbox.baseUrl()).matches("http://127\\.0\\.0\\.1:\\d+/scim/v2");
    }

    @Test
    void everyRequestNeedsTheBearerTokenWhenOneIsConfigured() {
        ScimClient scim = start(ScimSandboxConfig.defaults().withBearerToken("s3cret"));

        ScimClient.Reply missing = scim.withToken(null).get("/Users");
        ScimClient.Reply wrong = scim.withToken("nope").post("/Users", ScimClient.user("x@y"));
        ScimClient.Reply discovery = scim.withToken(null).get("/ServiceProviderConfig");
        ScimClient.Reply right = scim.get("/Users");

        for (ScimClient.Reply denied : List.of(missing, wrong, discovery)) {
            assertThat(denied.status()).isEqualTo(401);
            assertThat(denied.header("Content-Type")).isEqualTo("application/scim+json");
            assertThat(denied.json().get("schemas").get(0).asText())
                    .isEqualTo("urn:ietf:params:scim:api:messages:2.0:Error");
            assertThat(denied.json().get("status").asText()).isEqualTo("401");
            assertThat(denied.json().get("detail").asText()).isNotBlank();
        }
        assertThat(right.status()).isEqualTo(200);
        assertThat(sandbox.users()).isEmpty();
        assertThat(sandbox.requests()).extracting(RecordedRequest::status).containsExactly(401, 401, 401, 200);
    }

    @Test
    void everyRequestIsRecordedWithItsAnswer() {
        ScimClient scim = start(ScimSandboxConfig.defaults().withBearerToken("t"));
        String id = scim.createUser("adele@contoso.com");
        scim.get("/Users?filter=" + encode("userName eq \"adele@contoso.com\""));
        scim.delete("/Users/" + id);

        List<RecordedRequest> requests = sandbox.requests();

        assertThat(requests).extracting(RecordedRequest::line).containsExactly(
                "POST /Users", "GET /Users?filter=userName eq \"adele@contoso.com\"", "DELETE /Users/" + id);
        RecordedRequest post = requests.get(0);
        assertThat(post.status()).isEqualTo(201);
        assertThat(post.json().get("userName").asText()).isEqualTo("adele@contoso.com");
        assertThat(post.responseJson().get("id").asText()).isEqualTo(id);
        assertThat(post.header("Authorization")).isEqualTo("Bearer t");
        assertThat(post.headers()).containsKey("content-type");
        assertThat(post.time()).isNotNull();
        assertThat(requests.get(1).query()).isEqualTo("filter=userName eq \"adele@contoso.com\"");
        assertThat(requests.get(2).body()).isNull();
        assertThat(requests.get(2).responseBody()).isNull();

        sandbox.clearRequests();
        assertThat(sandbox.requests()).isEmpty();
    }

    @Test
    void failNextAnswersTheNextRequestsWithAScimErrorAndRetryAfter() {
        ScimClient scim = start(ScimSandboxConfig.defaults());
        sandbox.failNext(2, 429, "7");

        ScimClient.Reply first = scim.post("/Users", ScimClient.user("a@x"));
        ScimClient.Reply second = scim.get("/Users");
        ScimClient.Reply third = scim.post("/Users", ScimClient.user("a@x"));

        for (ScimClient.Reply throttled : List.of(first, second)) {
            assertThat(throttled.status()).isEqualTo(429);
            assertThat(throttled.header("Retry-After")).isEqualTo("7");
            assertThat(throttled.json().get("status").asText()).isEqualTo("429");
            assertThat(throttled.json().get("schemas").get(0).asText())
                    .isEqualTo("urn:ietf:params:scim:api:messages:2.0:Error");
        }
        assertThat(third.status()).isEqualTo(201);
        assertThat(sandbox.users()).hasSize(1);
        assertThat(sandbox.requests()).extracting(RecordedRequest::status).containsExactly(429, 429, 201);
    }

    @Test
    void failNextWithoutRetryAfterSendsNone() {
        ScimClient scim = start(ScimSandboxConfig.defaults());
        sandbox.failNext(1, 503, null);

        ScimClient.Reply reply = scim.get("/Users");

        assertThat(reply.status()).isEqualTo(503);
        assertThat(reply.header("Retry-After")).isNull();
        assertThat(scim.get("/Users").status()).isEqualTo(200);
    }

    @Test
    void serviceProviderConfigAdvertisesWhatIsImplemented() {
        ScimClient scim = start(ScimSandboxConfig.defaults());

        ScimClient.Reply reply = scim.get("/ServiceProviderConfig");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.header("Content-Type")).isEqualTo("application/scim+json");
        JsonNode config = reply.json();
        assertThat(config.get("schemas").get(0).asText())
                .isEqualTo("urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig");
        assertThat(config.at("/patch/supported").asBoolean()).isTrue();
        assertThat(config.at("/filter/supported").asBoolean()).isTrue();
        assertThat(config.at("/filter/maxResults").asInt()).isEqualTo(200);
        assertThat(config.at("/bulk/supported").asBoolean()).isFalse();
        assertThat(config.at("/etag/supported").asBoolean()).isTrue();
        assertThat(config.at("/sort/supported").asBoolean()).isFalse();
        assertThat(config.at("/changePassword/supported").asBoolean()).isFalse();
        assertThat(config.at("/authenticationSchemes/0/type").asText()).isEqualTo("oauthbearertoken");
        assertThat(config.at("/meta/resourceType").asText()).isEqualTo("ServiceProviderConfig");
    }

    @Test
    void resourceTypesAndSchemasDescribeUsersAndGroups() {
        ScimClient scim = start(ScimSandboxConfig.defaults());

        JsonNode types = scim.get("/ResourceTypes").json();
        JsonNode schemas = scim.get("/Schemas").json();
        JsonNode user = scim.get("/ResourceTypes/User").json();
        JsonNode userSchema = scim.get("/Schemas/urn:ietf:params:scim:schemas:core:2.0:User").json();

        assertThat(types.get("Resources")).extracting(t -> t.get("endpoint").asText())
                .containsExactly("/Users", "/Groups");
        assertThat(user.at("/schemaExtensions/0/schema").asText())
                .isEqualTo("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User");
        assertThat(schemas.get("Resources")).extracting(s -> s.get("id").asText()).containsExactlyInAnyOrder(
                "urn:ietf:params:scim:schemas:core:2.0:User",
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
                "urn:ietf:params:scim:schemas:core:2.0:Group");
        JsonNode userName = null;
        for (JsonNode attribute : userSchema.get("attributes")) {
            if (attribute.get("name").asText().equals("userName")) {
                userName = attribute;
            }
        }
        assertThat(userName).isNotNull();
        assertThat(userName.get("caseExact").asBoolean()).isFalse();
        assertThat(userName.get("uniqueness").asText()).isEqualTo("server");
        assertThat(scim.get("/Schemas/urn:nope").status()).isEqualTo(404);
        assertThat(scim.post("/Bulk", "{}").status()).isEqualTo(501);
    }

    @Test
    void groupsAreNotFoundWhenDisabled() {
        ScimClient scim = start(ScimSandboxConfig.defaults().withGroupsEnabled(false));

        ScimClient.Reply reply = scim.get("/Groups");

        assertThat(reply.status()).isEqualTo(404);
        assertThat(reply.json().get("status").asText()).isEqualTo("404");
        assertThat(scim.get("/ResourceTypes").json().get("totalResults").asInt()).isEqualTo(1);
    }

    @Test
    void seededUserExistsWithoutARecordedRequestAndKeepsAGivenId() {
        ScimClient scim = start(ScimSandboxConfig.defaults());

        ObjectNode legacy = ScimClient.JSON.createObjectNode().put("id", "legacy-42").put("userName", "legacy@contoso.com");
        legacy.putArray("schemas").add("urn:ietf:params:scim:schemas:core:2.0:User");

        String id = sandbox.seedUser(legacy);

        assertThat(id).isEqualTo("legacy-42");
        assertThat(sandbox.requests()).isEmpty();
        assertThat(scim.get("/Users/legacy-42").json().get("userName").asText()).isEqualTo("legacy@contoso.com");
        assertThat(sandbox.userByUserName("LEGACY@contoso.com")).isPresent();
        assertThatThrownBy(() -> sandbox.seedUser(ScimClient.JSON.createObjectNode().put("userName", "no-schema")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void resetForgetsResourcesRequestsAndFaults() {
        ScimClient scim = start(ScimSandboxConfig.defaults());
        scim.createUser("a@x");
        sandbox.failNext(5, 500, null);
        sandbox.latency(Duration.ofSeconds(5));

        sandbox.reset();

        assertThat(sandbox.users()).isEmpty();
        assertThat(sandbox.requests()).isEmpty();
        assertThat(sandbox.latency()).isZero();
        assertThat(scim.get("/Users").status()).isEqualTo(200);
    }

    @Test
    void latencyHoldsEveryAnswerBackWithoutMakingItAFault() {
        Duration latency = Duration.ofMillis(200);
        ScimClient scim = start(ScimSandboxConfig.defaults().withBearerToken("t"));
        sandbox.latency(latency);

        Duration discovery = timed(() -> assertThat(scim.get("/ServiceProviderConfig").status()).isEqualTo(200));
        Duration create = timed(() -> scim.createUser("adele@contoso.com"));
        Duration list = timed(() -> assertThat(scim.get("/Users").status()).isEqualTo(200));
        // one request a hundred seconds: the next passes, the one after is throttled
        sandbox.rateLimit(0.01);
        timed(() -> scim.get("/Users"));
        Duration throttled = timed(() -> assertThat(scim.get("/Users").status()).isEqualTo(429));

        assertThat(List.of(discovery, create, list, throttled)).allSatisfy(took ->
                assertThat(took).isGreaterThanOrEqualTo(latency));
        assertThat(sandbox.requests()).extracting(RecordedRequest::fault)
                .containsExactly(null, null, null, null, InjectedFault.THROTTLED);
        assertThat(sandbox.faultCounts()).containsEntry(InjectedFault.SLOW_REPLY, 0L)
                .containsEntry(InjectedFault.THROTTLED, 1L);
    }

    @Test
    void latencyMustNotBeNegative() {
        start(ScimSandboxConfig.defaults());

        assertThatThrownBy(() -> sandbox.latency(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThat(sandbox.latency()).isZero();
    }

    private static Duration timed(Runnable request) {
        long start = System.nanoTime();
        request.run();
        return Duration.ofNanos(System.nanoTime() - start);
    }

    @Test
    void unknownPathsAreScimNotFound() {
        ScimClient scim = start(ScimSandboxConfig.defaults());

        ScimClient.Reply outside = new ScimClient(scim.http(), sandbox.baseUrl().replace("/scim/v2", ""), null)
                .get("/elsewhere");
        ScimClient.Reply inside = scim.get("/Widgets");

        assertThat(outside.status()).isEqualTo(404);
        assertThat(inside.status()).isEqualTo(404);
        assertThat(inside.json().get("schemas").get(0).asText()).isEqualTo("urn:ietf:params:scim:api:messages:2.0:Error");
        assertThat(sandbox.requests()).extracting(RecordedRequest::path).containsExactly("/elsewhere", "/Widgets");
    }

    @Test
    void recordingCanBeCappedForLongRuns() {
        ScimClient scim = start(ScimSandboxConfig.defaults().withMaxRecordedRequests(2));

        scim.createUser("a@x");
        scim.createUser("b@x");
        scim.createUser("c@x");

        assertThat(sandbox.requests()).extracting(r -> r.json().get("userName").asText()).containsExactly("b@x", "c@x");
    }

    @Test
    void parallelCreatesAreAllStoredOnceEach() {
        ScimClient scim = start(ScimSandboxConfig.defaults().withThreads(8));
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            List<CompletableFuture<List<Integer>>> workers = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                workers.add(CompletableFuture.supplyAsync(() -> {
                    List<Integer> statuses = new ArrayList<>();
                    for (int i = 0; i < 200; i++) {
                        statuses.add(scim.post("/Users", ScimClient.user("u" + thread + "-" + i + "@x")).status());
                    }
                    return statuses;
                }, clients));
            }
            List<Integer> statuses = workers.stream().flatMap(w -> w.join().stream()).toList();

            assertThat(statuses).hasSize(1600).containsOnly(201);
            List<JsonNode> users = new ArrayList<>(sandbox.users());
            assertThat(users).hasSize(1600);
            Set<String> ids = users.stream().map(u -> u.get("id").asText()).collect(Collectors.toSet());
            Set<String> names = users.stream().map(u -> u.get("userName").asText()).collect(Collectors.toSet());
            assertThat(ids).hasSize(1600);
            assertThat(names).hasSize(1600);
            assertThat(scim.get("/Users?count=1").json().get("totalResults").asInt()).isEqualTo(1600);
            assertThat(sandbox.requests()).hasSize(1601);
        } finally {
            clients.shutdownNow();
        }
    }

    @Test
    void racingCreatesOfOneUserNameLetExactlyOneWin() {
        ScimClient scim = start(ScimSandboxConfig.defaults().withThreads(8));
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            List<CompletableFuture<Integer>> attempts = new ArrayList<>();
            for (int t = 0; t < 32; t++) {
                String userName = t % 2 == 0 ? "Same@X" : "same@x";
                attempts.add(CompletableFuture.supplyAsync(() -> scim.post("/Users", ScimClient.user(userName)).status(),
                        clients));
            }
            List<Integer> statuses = attempts.stream().map(CompletableFuture::join).toList();

            assertThat(statuses.stream().filter(s -> s == 201)).hasSize(1);
            assertThat(statuses.stream().filter(s -> s == 409)).hasSize(31);
            assertThat(sandbox.users()).hasSize(1);
        } finally {
            clients.shutdownNow();
        }
    }

    @Test
    void parallelPatchesOfOneUserAreSerialised() {
        ScimClient scim = start(ScimSandboxConfig.defaults().withThreads(8));
        List<String> members = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            members.add(scim.createUser("m" + i + "@x"));
        }
        String groupId = scim.post("/Groups",
                "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:Group\"],\"displayName\":\"G\"}")
                .json().get("id").asText();
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            List<CompletableFuture<Integer>> adds = new ArrayList<>();
            for (String member : members) {
                adds.add(CompletableFuture.supplyAsync(() -> scim.patch("/Groups/" + groupId, ScimClient.patchOp(
                        "[{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"" + member + "\"}]}]")).status(),
                        clients));
            }
            assertThat(adds.stream().map(CompletableFuture::join)).containsOnly(200);

            JsonNode stored = sandbox.group(groupId).orElseThrow();
            Set<String> values = new HashSet<>();
            stored.get("members").forEach(m -> values.add(m.get("value").asText()));
            assertThat(values).containsExactlyInAnyOrderElementsOf(members);
            assertThat(stored.at("/meta/version").asText()).isEqualTo("W/\"41\"");
        } finally {
            clients.shutdownNow();
        }
    }
}
