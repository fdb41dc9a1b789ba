package io.github.provisioning.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link Benchmark} measures and how.
 *
 * @param users       tenant size (sample users; about two in three are in scope and enabled)
 * @param seed        sample tenant seed
 * @param pageSize    users per Graph delta page
 * @param concurrency {@code scim.concurrency} of the engine, and the bare client's concurrency
 * @param rate        the target's rate limit in requests per second (429 + Retry-After above it); 0 for none
 * @param runs        how many complete runs; the last line gives medians
 * @param workDir     where data dirs, request recordings, engine output and profiles go
 * @param jfr         record a JFR profile of each engine run
 * @param javaCommand the {@code java} launcher for the engine and bare-client JVMs
 * @param classpath   their classpath (the shaded jar, or the test classpath)
 * @param engineJvm   extra JVM options of the engine
 * @param engineSettings extra engine settings ({@code -Dname=value})
 * @param sandboxAlone a recording of an earlier run to replay with the bare client alone at 1 to 32 threads
 *                     against fresh targets (how fast the SCIM sandbox is on its own), or null
 * @param cold         each phase in a JVM of its own ({@code provisioning.once=true}); by default one engine JVM
 *                     runs the three phases, as a scheduled engine runs its cycles, each started through the admin
 *                     API
 * @param latencyMs    every SCIM target of the run (the engine's, the bare client's, those of {@code sandboxAlone})
 *                     holds each answer back this many milliseconds, as a target across a network does; 0 for none
 */
public record BenchOptions(int users, long seed, int pageSize, int concurrency, double rate, int runs, Path workDir,
                           boolean jfr, String javaCommand, String classpath, List<String> engineJvm,
                           Map<String, String> engineSettings, Path sandboxAlone, boolean cold, int latencyMs) {

    static final String USAGE = """
            usage: bench/run.sh [--users N] [--runs K] [--rate R] [--concurrency C] [--page-size P] [--seed S]
                                [--latency-ms L] [--work DIR] [--jfr] [--engine-jvm OPTION]... [--set name=value]...
              --users N        tenant size (default 10000)
              --runs K         complete runs; the last line holds medians (default 1)
              --rate R         the SCIM target throttles above R requests/s (429, Retry-After: 1)
              --concurrency C  scim.concurrency of the engine and of the bare client (default 8)
              --page-size P    users per Graph delta page (default 100)
              --latency-ms L   every SCIM target answers L ms after applying a request, as across a network
                               (default 0: at once); the last line then ends with latency_ms=L
              --jfr            record a JFR profile of each engine run (in the work dir)
              --cold           each phase in a new engine JVM (provisioning.once=true); by default one engine
                               JVM runs the three cycles, as a scheduled engine does (admin API job start)
              --engine-jvm O   a JVM option for the engine, e.g. --engine-jvm -Xmx256m
              --set name=value an engine setting, e.g. --set provisioning.concurrency=16
              --sandbox-alone F  no engine: replay the recording F (e.g. work/run-1/initial.requests.jsonl) with
                                 the bare client at 1, 2, 4, 8, 16 and 32 threads against fresh targets
            """;

    public static BenchOptions defaults() {
        return new BenchOptions(10_000, 42, 100, 8, 0, 1, Path.of("target", "bench"), false,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                System.getProperty("java.class.path"), List.of(), Map.of(), null, false, 0);
    }

    public static BenchOptions parse(String... args) {
        BenchOptions d = defaults();
        int users = d.users;
        long seed = d.seed;
        int pageSize = d.pageSize;
        int concurrency = d.concurrency;
        double rate = d.rate;
        int runs = d.runs;
        Path workDir = d.workDir;
        boolean jfr = false;
        boolean cold = false;
        int latencyMs = d.latencyMs;
        Path sandboxAlone = null;
        List<String> jvm = new ArrayList<>();
        Map<String, String> settings = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (name.equals("--jfr")) {
                jfr = true;
                continue;
            }
            if (name.equals("--cold")) {
                cold = true;
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value after " + name + "\n" + USAGE);
            }
            String value = args[++i];
            switch (name) {
                case "--users" -> users = Integer.parseInt(value);
                case "--runs" -> runs = Integer.parseInt(value);
                case "--rate" -> rate = Double.parseDouble(value);
                case "--concurrency" -> concurrency = Integer.parseInt(value);
                case "--page-size" -> pageSize = Integer.parseInt(value);
                case "--seed" -> seed = Long.parseLong(value);
                case "--work" -> workDir = Path.of(value);
                case "--engine-jvm" -> jvm.add(value);
                case "--sandbox-alone" -> sandboxAlone = Path.of(value);
                case "--latency-ms" -> latencyMs = latencyMs(value);
                case "--set" -> {
                    int eq = value.indexOf('=');
                    if (eq < 1) {
                        throw new IllegalArgumentException("--set wants name=value, not " + value);
                    }
                    settings.put(value.substring(0, eq), value.substring(eq + 1));
                }
                default -> throw new IllegalArgumentException("unknown option " + name + "\n" + USAGE);
            }
        }
        return new BenchOptions(users, seed, pageSize, concurrency, rate, runs, workDir, jfr, d.javaCommand,
                d.classpath, List.copyOf(jvm), Map.copyOf(settings), sandboxAlone, cold, latencyMs);
    }

    private static int latencyMs(String value) {
        try {
            int latencyMs = Integer.parseInt(value);
            if (latencyMs >= 0) {
                return latencyMs;
            }
        } catch (NumberFormatException e) {
            // answered below, with the option's name
        }
        throw new IllegalArgumentException("--latency-ms wants whole milliseconds, 0 or more, not " + value);
    }

    public BenchOptions withConcurrency(int newConcurrency) {
        return new BenchOptions(users, seed, pageSize, newConcurrency, rate, runs, workDir, jfr, javaCommand,
                classpath, engineJvm, engineSettings, sandboxAlone, cold, latencyMs);
    }
}
