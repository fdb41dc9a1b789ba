package io.github.provisioning.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.provisioning.sandbox.scim.RecordedRequest;
import io.github.provisioning.sandbox.scim.ScimSandbox;
import io.github.provisioning.sandbox.scim.ScimSandboxConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** {@code --latency-ms}: the targets the benchmark starts answer that late, and say so in the last line. */
class BenchmarkLatencyTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "bench-latency-test";

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void theEnginesTargetAndTheBareClientsTargetBothAnswerOnlyAfterTheLatency() throws Exception {
        Duration latency = Duration.ofMillis(200);
        BenchOptions options = BenchOptions.parse("--latency-ms", "200");
        ConcurrentLinkedQueue<RecordedRequest> recorded = new ConcurrentLinkedQueue<>();

        // started as a run starts them: the engine's target, then the bare client's
        try (ScimSandbox target = Benchmark.startTarget(options, TOKEN);
             ScimSandbox bareTarget = Benchmark.startTarget(options, TOKEN)) {
            for (ScimSandbox each : List.of(target, bareTarget)) {
                each.onRequest(recorded::add);
                Duration discovery = timed(get(each, "/ServiceProviderConfig"), 200);
                Duration create = timed(post(each, "/Users", "{\"schemas\":"
                        + "[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"adele@contoso.com\"}"), 201);
                Duration match = timed(get(each, "/Users?filter=userName%20eq%20%22adele@contoso.com%22"), 200);

                assertThat(List.of(discovery, create, match)).allSatisfy(took ->
                        assertThat(took).isGreaterThanOrEqualTo(latency));
                assertThat(each.faultCounts().values()).allMatch(count -> count == 0);
            }
        }
        // latency is no fault: the recording counts none of these as throttled, the bare client replays them all
        assertThat(recorded).hasSize(6).extracting(RecordedRequest::fault).containsOnlyNulls();
    }

    @Test
    void withoutLatencyTheTargetsAnswerAtOnceOnTheirUsualPool() {
        BenchOptions options = BenchOptions.parse();

        try (ScimSandbox target = Benchmark.startTarget(options, TOKEN)) {
            assertThat(target.latency()).isZero();
            assertThat(target.config().threads())
                    .isEqualTo(ScimSandboxConfig.defaults().threads());
        }
    }

    @Test
    void aTargetWithLatencyServesEveryRequestOfTheConcurrencyAtOnce() throws Exception {
        // --sandbox-alone's highest concurrency, above the sandbox's default pool
        BenchOptions options = BenchOptions.parse("--latency-ms", "200").withConcurrency(32);
        CountDownLatch arrived = new CountDownLatch(32);
        AtomicBoolean allTogether = new AtomicBoolean(true);

        try (ScimSandbox target = Benchmark.startTarget(options, TOKEN)) {
            // Each request waits here, on its pool thread, until all 32 are in: a smaller pool would queue some.
            target.onRequest(request -> {
                arrived.countDown();
                try {
                    allTogether.compareAndSet(true, arrived.await(30, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            List<CompletableFuture<HttpResponse<String>>> replies = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                replies.add(http.sendAsync(get(target, "/Users"), HttpResponse.BodyHandlers.ofString()));
            }

            assertThat(replies).allSatisfy(reply -> assertThat(reply.get().statusCode()).isEqualTo(200));
            assertThat(allTogether).isTrue();
        }
    }

    @Test
    void theLastLineEndsWithTheLatencyWhenThereIsOne() {
        String withLatency = Benchmark.line(List.of(run(200)));
        String without = Benchmark.line(List.of(run(0)));

        assertThat(withLatency).endsWith(" latency_ms=200").matches(Benchmark.LAST_LINE);
        assertThat(without).doesNotContain("latency_ms").matches(Benchmark.LAST_LINE);
    }

    private static Benchmark.RunResult run(int latencyMs) {
        EngineProcess.Run engine = new EngineProcess.Run(0, 3.0, 200_000, 2.0, JSON.createObjectNode()
                .put("state", "completed").put("durationMs", 2_000), null);
        RequestRecording.Stats target = new RequestRecording.Stats(1_000, 900, 0, Instant.EPOCH,
                Instant.EPOCH.plusSeconds(2));
        Benchmark.Phase phase = new Benchmark.Phase("initial", engine, target,
                new Benchmark.Bare(1_000, 1.0, 1_000, 0, 1.0));
        return new Benchmark.RunResult(100, phase, phase, phase, 0, 0, List.of(), null, latencyMs);
    }

    private Duration timed(HttpRequest request, int expectedStatus) throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> reply = http.send(request, HttpResponse.BodyHandlers.ofString());
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(reply.statusCode()).as(reply.body()).isEqualTo(expectedStatus);
        return took;
    }

    private static HttpRequest get(ScimSandbox target, String path) {
        return HttpRequest.newBuilder(URI.create(target.baseUrl() + path))
                .header("Authorization", "Bearer " + TOKEN).GET().build();
    }

    private static HttpRequest post(ScimSandbox target, String path, String body) {
        return HttpRequest.newBuilder(URI.create(target.baseUrl() + path))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/scim+json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }
}
