package io.github.provisioning.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.provisioning.cycle.LogFiles;
import io.github.provisioning.sandbox.Sandbox;
import io.github.provisioning.sandbox.graph.GraphSimulator;
import io.github.provisioning.sandbox.graph.GraphSimulatorConfig;
import io.github.provisioning.sandbox.graph.Tenant;
import io.github.provisioning.sandbox.scim.ScimSandbox;
import io.github.provisioning.sandbox.scim.ScimSandboxConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;

/**
 * Issue 7's benchmark. In this JVM: a Graph simulator with a synthetic tenant and the SCIM sandbox as target
 * (recording requests to files). In JVMs of their own: the engine, running three cycles on the same data dir
 * (initial; incremental with 1 % of users changed; incremental with no change) as a scheduled engine does, in one
 * JVM whose later cycles the admin API starts (or, with {@code --cold}, a {@code provisioning.once=true} JVM each),
 * and the {@link BareClient}, replaying each phase's requests against a second, fresh target. The last line printed:
 * <pre>users=N initial_s=t incr1pct_s=t incr0_s=t rate_rps=r bare_rps=b ratio=r/b peak_rss_mb=m</pre>
 * Phase times are the cycle's own duration (its report's {@code durationMs}); the engine's rate is the SCIM
 * requests of the initial cycle over that duration; peak RSS is the largest of the engine JVMs'. With
 * {@code --latency-ms L} every target answers L ms after applying a request, and the line ends with
 * {@code latency_ms=L}.
 */
public final class Benchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * The documented last line; a rate-limited run appends {@code rate_limit=R sustained_rps=S ...}, a run with
     * latency {@code latency_ms=L} last.
     */
    public static final String LAST_LINE = "users=\\d+ initial_s=[\\d.]+ incr1pct_s=[\\d.]+ incr0_s=[\\d.]+"
            + " rate_rps=[\\d.]+ bare_rps=([\\d.]+|NA) ratio=([\\d.]+|NA) peak_rss_mb=\\d+( .*)?";

    /** What the bare client measured replaying one phase. */
    record Bare(long requests, double seconds, double rps, long unexpected, double cpuSeconds) {
    }

    /** One engine run, what the target saw of it, and its bare-client replay (null when not replayed). */
    record Phase(String name, EngineProcess.Run engine, RequestRecording.Stats target, Bare bare) {

        double engineRps() {
            return (target.requests() - target.throttled()) / engine.cycleSeconds();
        }

        String line() {
            return String.format(Locale.ROOT, "phase=%s cycle_s=%.3f process_s=%.1f requests=%d writes=%d"
                            + " throttled=%d rps=%.1f bare_rps=%s engine_cpu_s=%.1f bare_cpu_s=%s peak_rss_mb=%d"
                            + " created=%d updated=%d disabled=%d failed=%d", name, engine.cycleSeconds(),
                    engine.processSeconds(), target.requests(), target.writes(), target.throttled(), engineRps(),
                    bare == null ? "NA" : String.format(Locale.ROOT, "%.1f", bare.rps()), engine.cpuSeconds(),
                    bare == null ? "NA" : String.format(Locale.ROOT, "%.1f", bare.cpuSeconds()),
                    engine.peakRssKb() / 1024, engine.count("created"), engine.count("updated"),
                    engine.count("disabled"), engine.count("failed"));
        }
    }

    /**
     * One complete run. {@code problems} lists everything that makes its end state wrong (empty when right).
     *
     * @param unhandled429 users that failed on a 429 (read from the provisioning log)
     * @param engineLimit  the engine's {@code scim.max-requests-per-second} when set ({@code --set}), else null
     * @param latencyMs    how long the targets held each answer back ({@code --latency-ms}), 0 for not at all
     */
    public record RunResult(int users, Phase initial, Phase changed, Phase unchanged, double rateLimit,
                            long unhandled429, List<String> problems, String engineLimit, int latencyMs) {

        public double initialSeconds() {
            return initial.engine().cycleSeconds();
        }

        public double incrementalOnePercentSeconds() {
            return changed.engine().cycleSeconds();
        }

        public double incrementalNoChangeSeconds() {
            return unchanged.engine().cycleSeconds();
        }

        public double rateRps() {
            return initial.engineRps();
        }

        /** The bare client's rate replaying the initial cycle; NaN when it did not run (rate-limited target). */
        public double bareRps() {
            return initial.bare() == null ? Double.NaN : initial.bare().rps();
        }

        public long peakRssMb() {
            return Stream.of(initial, changed, unchanged).mapToLong(p -> p.engine().peakRssKb()).max().orElse(0)
                    / 1024;
        }

        /** Accepted requests per second at the target from the first to the last arrival of the initial cycle. */
        public double sustainedRps() {
            RequestRecording.Stats t = initial.target();
            return (t.requests() - t.throttled()) / t.spanSeconds();
        }

        public long throttled() {
            return initial.target().throttled() + changed.target().throttled() + unchanged.target().throttled();
        }

        /** Writes the target saw in each phase: the smoke test's correctness evidence. */
        public long writes(String phase) {
            return switch (phase) {
                case "initial" -> initial.target().writes();
                case "incremental-1pct" -> changed.target().writes();
                default -> unchanged.target().writes();
            };
        }
    }

    /** Every run and the line of medians. */
    public record Result(List<RunResult> runs, String lastLine) {

        public List<String> problems() {
            return runs.stream().flatMap(r -> r.problems().stream()).toList();
        }
    }

    private Benchmark() {
    }

    public static void main(String[] args) throws Exception {
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        if (options.sandboxAlone() != null) {
            sandboxAlone(options, System.out);
            return;
        }
        Result result = run(options, System.out);
        System.exit(result.problems().isEmpty() ? 0 : 1);
    }

    public static Result run(BenchOptions options, PrintStream out) throws IOException, InterruptedException {
        // The JDK HTTP server reads this once, when the first server starts (here: the Graph simulator's);
        // without it every keep-alive reply waits for a delayed ACK (~40 ms) and the target is the bottleneck.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        List<RunResult> runs = new ArrayList<>();
        for (int i = 1; i <= options.runs(); i++) {
            Path dir = options.workDir().resolve("run-" + i);
            deleteTree(dir);
            Files.createDirectories(dir);
            out.println("run " + i + " starts; load average: " + loadAverage());
            RunResult run = runOnce(options, dir, out);
            run.problems().forEach(p -> out.println("PROBLEM " + p));
            out.println("run " + i + ": " + line(List.of(run)));
            runs.add(run);
        }
        String last = line(runs);
        out.println(last);
        return new Result(List.copyOf(runs), last);
    }

    /** The target's own speed: one recording replayed by the bare client at rising concurrency. */
    static void sandboxAlone(BenchOptions options, PrintStream out) throws IOException, InterruptedException {
        System.setProperty("sun.net.httpserver.nodelay", "true");
        Path dir = options.workDir().resolve("sandbox-alone");
        Files.createDirectories(dir);
        out.println("load average: " + loadAverage());
        for (int threads : new int[] {1, 2, 4, 8, 16, 32}) {
            BenchOptions at = options.withConcurrency(threads);
            try (ScimSandbox target = startTarget(at, "bench-" + UUID.randomUUID())) {
                Bare bare = replay(at, options.sandboxAlone(), target, dir, null, "ids.txt", "c" + threads);
                out.printf(Locale.ROOT, "sandbox_alone concurrency=%d requests=%d seconds=%.3f rps=%.1f%s%n",
                        threads, bare.requests(), bare.seconds(), bare.rps(),
                        options.latencyMs() > 0 ? " latency_ms=" + options.latencyMs() : "");
            }
        }
    }

    private static RunResult runOnce(BenchOptions options, Path dir, PrintStream out)
            throws IOException, InterruptedException {
        String token = "bench-" + UUID.randomUUID();
        try (GraphSimulator graph = GraphSimulator.start(GraphSimulatorConfig.defaults()
                     .withClientSecret("bench-" + UUID.randomUUID()).withPageSize(options.pageSize()));
             ScimSandbox target = startTarget(options, token);
             ScimSandbox bareTarget = startTarget(options, token)) {
            Tenant tenant = graph.tenant();
            tenant.populateSample(options.users(), options.seed());
            target.rateLimit(options.rate());
            Map<String, String> settings = settings(graph, target, dir.resolve("engine-data"), options);
            try (Engine engine = new Engine(options, settings, dir)) {
                return phases(options, dir, out, tenant, target, bareTarget, engine);
            }
        }
    }

    /**
     * A SCIM target as every target of a run is started: the engine's, the bare client's and those of
     * {@code --sandbox-alone}, so all see the same latency. The target keeps no request journal. With
     * {@code --latency-ms} each answer waits on a pool thread, so the pool has one for every request that can be in
     * flight (the engine's SCIM gate and the bare client's threads allow the concurrency) and none waits behind
     * another's latency.
     */
    static ScimSandbox startTarget(BenchOptions options, String token) {
        ScimSandboxConfig config = ScimSandboxConfig.defaults().withBearerToken(token).withMaxRecordedRequests(0);
        if (options.latencyMs() > 0) {
            config = config.withThreads(Math.max(config.threads(), requestsInFlight(options)));
        }
        ScimSandbox target = ScimSandbox.start(config);
        target.latency(Duration.ofMillis(options.latencyMs()));
        return target;
    }

    /** The concurrency, or the engine's own {@code scim.concurrency} when {@code --set} gives a larger one. */
    private static int requestsInFlight(BenchOptions options) {
        String engine = options.engineSettings().get("scim.concurrency");
        return Math.max(options.concurrency(), engine == null ? 0 : Integer.parseInt(engine.trim()));
    }

    /** The engine's cycles, one a phase: a resident JVM's, or with --cold a new JVM's each. */
    private static final class Engine implements AutoCloseable {

        private final BenchOptions options;
        private final Map<String, String> settings;
        private final Path dir;
        private final Path dataDir;
        private EngineProcess.Resident resident;

        Engine(BenchOptions options, Map<String, String> settings, Path dir) {
            this.options = options;
            this.settings = settings;
            this.dir = dir;
            this.dataDir = Path.of(settings.get("provisioning.data-dir"));
        }

        EngineProcess.Run cycle(String phase) throws IOException, InterruptedException {
            if (options.cold()) {
                return EngineProcess.run(options, settings, dataDir, dir.resolve(phase + ".engine.log"),
                        options.jfr() ? dir.resolve(phase + ".jfr") : null);
            }
            if (resident == null) {
                resident = EngineProcess.Resident.start(options, settings, dataDir, dir.resolve("engine.log"),
                        options.jfr() ? dir.resolve("engine.jfr") : null);
            }
            return resident.cycle();
        }

        @Override
        public void close() throws InterruptedException {
            if (resident != null) {
                resident.close();
            }
        }
    }

    private static RunResult phases(BenchOptions options, Path dir, PrintStream out, Tenant tenant,
                                    ScimSandbox target, ScimSandbox bareTarget, Engine engine)
            throws IOException, InterruptedException {
        int expected = EndState.expectedUsers(tenant).size();
        boolean replay = options.rate() == 0;
        List<String> problems = new ArrayList<>();
        Phase initial = phase("initial", options, engine, dir, target, replay ? bareTarget : null, null,
                "ids-initial.txt", out);
        check(problems, initial, tenant, target);
        expect(problems, "initial cycle: accounts created", initial.engine().count("created"), expected);

        long changedInScope = changeOnePercent(tenant);
        Phase changed = phase("incremental-1pct", options, engine, dir, target, replay ? bareTarget : null,
                "ids-initial.txt", "ids-changed.txt", out);
        check(problems, changed, tenant, target);
        expect(problems, "incremental cycle, 1 % changed: accounts updated", changed.engine().count("updated"),
                changedInScope);
        if (options.rate() == 0) {
            expect(problems, "incremental cycle, 1 % changed: writes", changed.target().writes(),
                    changedInScope);
        }

        Phase unchanged = phase("incremental-0", options, engine, dir, target, null, null, null, out);
        check(problems, unchanged, tenant, target);
        expect(problems, "incremental cycle, no change: writes", unchanged.target().writes(), 0);
        return new RunResult(options.users(), initial, changed, unchanged, options.rate(),
                unhandled429(engine.dataDir), List.copyOf(problems),
                engineLimit(options), options.latencyMs());
    }

    private static Phase phase(String name, BenchOptions options, Engine engineJvm, Path dir,
                               ScimSandbox target, ScimSandbox bareTarget, String idsIn, String idsOut,
                               PrintStream out) throws IOException, InterruptedException {
        Path requests = dir.resolve(name + ".requests.jsonl");
        EngineProcess.Run engine;
        RequestRecording.Stats stats;
        try (RequestRecording recording = RequestRecording.to(requests)) {
            target.onRequest(recording);
            engine = engineJvm.cycle(name);
            target.onRequest(null);
            stats = recording.stats();
        }
        Bare bare = bareTarget == null ? null : replay(options, requests, bareTarget, dir, idsIn, idsOut, name);
        Phase phase = new Phase(name, engine, stats, bare);
        out.println(phase.line());
        return phase;
    }

    private static void check(List<String> problems, Phase phase, Tenant tenant, ScimSandbox target) {
        EngineProcess.Run engine = phase.engine();
        if (engine.exitCode() != 0 || engine.report() == null
                || !"completed".equals(engine.report().path("state").asText())) {
            problems.add(phase.name() + ": the engine exited " + engine.exitCode() + " with report "
                    + engine.report() + " (output: " + engine.output() + ")");
        }
        expect(problems, phase.name() + ": failed users", engine.count("failed"), 0);
        EndState.problems(tenant, target).forEach(p -> problems.add(phase.name() + ": " + p));
    }

    private static void expect(List<String> problems, String what, long actual, long expected) {
        if (actual != expected) {
            problems.add(what + ": " + actual + ", expected " + expected);
        }
    }

    /**
     * A new job title and city for every 100th user (in creation order), in scope or not.
     *
     * @return how many of them are in scope and enabled, so their accounts must be updated
     */
    private static long changeOnePercent(Tenant tenant) {
        Set<String> inScope = EndState.expectedUsers(tenant).keySet();
        List<ObjectNode> users = tenant.users();
        long changedInScope = 0;
        for (int i = 0; i < users.size(); i += 100) {
            String id = users.get(i).get("id").asText();
            tenant.updateUser(id, Map.of("jobTitle", "Benchmark Analyst " + i, "city", "Porto"));
            changedInScope += inScope.contains(id) ? 1 : 0;
        }
        return changedInScope;
    }

    private static Bare replay(BenchOptions options, Path requests, ScimSandbox bareTarget, Path dir, String idsIn,
                               String idsOut, String name) throws IOException, InterruptedException {
        List<String> command = EngineProcess.javaCommand(options, List.of(), BareClient.class);
        command.addAll(List.of("--requests", requests.toString(), "--url", bareTarget.baseUrl(),
                "--token", bareTarget.config().bearerToken(), "--concurrency", String.valueOf(options.concurrency()),
                "--ids-out", dir.resolve(idsOut).toString()));
        if (idsIn != null) {
            command.addAll(List.of("--ids-in", dir.resolve(idsIn).toString()));
        }
        Path output = dir.resolve(name + ".bare.log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile())
                .start();
        int exit = process.waitFor();
        List<String> lines = Files.readAllLines(output);
        String last = lines.isEmpty() ? "" : lines.get(lines.size() - 1);
        if (exit != 0 || !last.startsWith("requests=")) {
            throw new IllegalStateException("the bare client failed (exit " + exit + "), see " + output);
        }
        Map<String, String> fields = fields(last);
        return new Bare(Long.parseLong(fields.get("requests")), Double.parseDouble(fields.get("seconds")),
                Double.parseDouble(fields.get("rps")), Long.parseLong(fields.get("unexpected")),
                Double.parseDouble(fields.get("cpu_s")));
    }

    private static Map<String, String> settings(GraphSimulator graph, ScimSandbox target, Path data,
                                                BenchOptions options) throws IOException {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("sandbox.enabled", "false");
        s.putAll(Sandbox.connectionSettings(graph, target));
        s.put("scim.concurrency", String.valueOf(options.concurrency()));
        s.put("provisioning.data-dir", data.toString());
        s.put("provisioning.once", "true");
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.put("admin.port", String.valueOf(socket.getLocalPort()));
        }
        s.putAll(options.engineSettings());
        return s;
    }

    /** Provisioning-log lines of users that failed on a 429 their retries did not get past. */
    /** Counted over the provisioning log's current and rotated files (provisioning.log.max-size). */
    private static long unhandled429(Path dataDir) throws IOException {
        long count = 0;
        for (Path log : new LogFiles(dataDir, Duration.ofDays(36_500), Clock.systemUTC()).newestFirst()) {
            if (!Files.exists(log)) {
                continue;
            }
            try (Stream<String> lines = Files.lines(log)) {
                count += lines.filter(l -> l.contains("\"failure\"")).map(Benchmark::tree)
                        .filter(n -> "failure".equals(n.path("status").asText())
                                && n.path("error").toString().contains("429"))
                        .count();
            }
        }
        return count;
    }

    private static JsonNode tree(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new IllegalStateException("unreadable provisioning log line: " + line, e);
        }
    }

    /** The documented line, with the medians over the runs. */
    static String line(List<RunResult> runs) {
        RunResult first = runs.get(0);
        double rate = median(runs, RunResult::rateRps);
        double bare = median(runs, RunResult::bareRps);
        String line = String.format(Locale.ROOT, "users=%d initial_s=%.3f incr1pct_s=%.3f incr0_s=%.3f"
                        + " rate_rps=%.1f bare_rps=%s ratio=%s peak_rss_mb=%d", first.users(),
                median(runs, RunResult::initialSeconds), median(runs, RunResult::incrementalOnePercentSeconds),
                median(runs, RunResult::incrementalNoChangeSeconds), rate,
                Double.isNaN(bare) ? "NA" : String.format(Locale.ROOT, "%.1f", bare),
                Double.isNaN(bare) ? "NA" : String.format(Locale.ROOT, "%.3f", median(runs,
                        r -> r.rateRps() / r.bareRps())),
                Math.round(median(runs, r -> r.peakRssMb())));
        String engineLimit = first.engineLimit();
        if (engineLimit != null) {
            // The engine's own limiter (scim.max-requests-per-second): the rate the target saw over the initial cycle.
            line += String.format(Locale.ROOT, " engine_limit=%s limiter_rps=%.1f", engineLimit,
                    median(runs, RunResult::sustainedRps));
        }
        if (first.rateLimit() > 0) {
            line += String.format(Locale.ROOT, " rate_limit=%s sustained_rps=%.1f throttled=%d unhandled_429=%d",
                    first.rateLimit(), median(runs, RunResult::sustainedRps),
                    Math.round(median(runs, r -> r.throttled())), Math.round(median(runs, r -> r.unhandled429())));
        }
        if (first.latencyMs() > 0) {
            line += " latency_ms=" + first.latencyMs();
        }
        return line;
    }

    private static String engineLimit(BenchOptions options) {
        String limit = options.engineSettings().get("scim.max-requests-per-second");
        return limit == null || Double.parseDouble(limit) <= 0 ? null : limit;
    }

    private static double median(List<RunResult> runs, ToDoubleFunction<RunResult> value) {
        double[] values = runs.stream().mapToDouble(value).sorted().toArray();
        int n = values.length;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }

    private static Map<String, String> fields(String line) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String pair : line.trim().split(" ")) {
            int eq = pair.indexOf('=');
            fields.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        return fields;
    }

    /** The machine is shared: the load it carried says how far to trust a run's absolute numbers. */
    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
