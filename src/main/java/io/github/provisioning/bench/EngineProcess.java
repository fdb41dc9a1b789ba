package io.github.provisioning.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.provisioning.ProvisioningApplication;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * One engine run as an operator starts it ({@code java -Dprovisioning.once=true ... ProvisioningApplication}) in a
 * JVM of its own, so its peak RSS is its own: measured by {@code /usr/bin/time} where there is one (with the CPU
 * time the process used), else by polling the kernel's high-water mark ({@code VmHWM}; CPU time unknown).
 */
final class EngineProcess {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path GNU_TIME = Path.of("/usr/bin/time");

    /**
     * @param cpuSeconds user and system CPU time of the whole process (start-up included), NaN when unknown
     * @param report     the cycle report ({@code {data-dir}/cycles/<id>.json}) the run wrote, or null
     */
    record Run(int exitCode, double processSeconds, long peakRssKb, double cpuSeconds, JsonNode report, Path output) {

        double cycleSeconds() {
            return report == null ? Double.NaN : report.path("durationMs").asLong() / 1000.0;
        }

        int count(String name) {
            return report == null ? 0 : report.path("counts").path(name).asInt();
        }
    }

    private EngineProcess() {
    }

    /** Java that runs another main class of ours in its own JVM: {@code java [jvm] -cp classpath mainClass}. */
    static List<String> javaCommand(BenchOptions options, List<String> jvm, Class<?> mainClass) {
        List<String> command = new ArrayList<>();
        command.add(options.javaCommand());
        command.addAll(jvm);
        command.add("-cp");
        command.add(options.classpath());
        command.add(mainClass.getName());
        return command;
    }

    /** The engine's command line: java with the settings as {@code -D}, under {@code /usr/bin/time} if there is one. */
    private static List<String> engineCommand(BenchOptions options, Map<String, String> settings, Path jfrFile,
                                              Path rss) {
        List<String> jvm = new ArrayList<>(options.engineJvm());
        if (jfrFile != null) {
            jvm.add("-XX:StartFlightRecording=filename=" + jfrFile + ",settings=profile,dumponexit=true");
        }
        settings.forEach((k, v) -> jvm.add("-D" + k + "=" + v));
        List<String> command = javaCommand(options, jvm, ProvisioningApplication.class);
        if (Files.isExecutable(GNU_TIME)) {
            command.addAll(0, List.of(GNU_TIME.toString(), "-f", "%M %U %S", "-o", rss.toString()));
        }
        return command;
    }

    /** One {@code provisioning.once=true} engine JVM: one cycle, then it exits. */
    static Run run(BenchOptions options, Map<String, String> settings, Path dataDir, Path output, Path jfrFile)
            throws IOException, InterruptedException {
        Path rss = output.resolveSibling(output.getFileName() + ".rss");
        boolean gnuTime = Files.isExecutable(GNU_TIME);
        List<String> command = engineCommand(options, settings, jfrFile, rss);
        Set<Path> reportsBefore = reports(dataDir);
        long start = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile())
                .start();
        long polledKb = 0;
        while (!process.waitFor(200, TimeUnit.MILLISECONDS)) {
            if (!gnuTime) {
                polledKb = Math.max(polledKb, highWaterMarkKb(process.pid()));
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        String[] measured = gnuTime ? lastLine(rss).split(" ") : new String[] {String.valueOf(polledKb)};
        long peakKb = Long.parseLong(measured[0]);
        double cpu = gnuTime ? Double.parseDouble(measured[1]) + Double.parseDouble(measured[2]) : Double.NaN;
        Set<Path> written = reports(dataDir);
        written.removeAll(reportsBefore);
        JsonNode report = written.size() == 1 ? JSON.readTree(written.iterator().next().toFile()) : null;
        return new Run(process.exitValue(), seconds, peakKb, cpu, report, output);
    }

    /**
     * One engine JVM for every phase, as a scheduled engine runs its cycles: the first cycle starts with it, each
     * later one when the admin API's {@code POST /api/job/start} asks for it (once the engine is idle). Per cycle: its
     * report, the wall time from the ask to the report, the CPU time the JVM used meanwhile ({@code /proc/<pid>/stat})
     * and its peak RSS so far ({@code VmHWM}). Closing it stops the JVM (SIGTERM, Camel's graceful shutdown).
     */
    static final class Resident implements AutoCloseable {

        private static final HttpClient HTTP = HttpClient.newHttpClient();
        private static final Duration CYCLE_TIMEOUT = Duration.ofHours(2);

        private final Process process;
        private final ProcessHandle java;
        private final Path dataDir;
        private final Path output;
        private final String adminUrl;
        private final Set<Path> reportsSeen;
        private boolean started;

        private Resident(Process process, ProcessHandle java, Path dataDir, Path output, String adminUrl,
                         Set<Path> reportsSeen) {
            this.process = process;
            this.java = java;
            this.dataDir = dataDir;
            this.output = output;
            this.adminUrl = adminUrl;
            this.reportsSeen = reportsSeen;
        }

        /** Starts the engine, scheduled with a 24-hour interval, so that only the start and the admin API run cycles. */
        static Resident start(BenchOptions options, Map<String, String> settings, Path dataDir, Path output,
                              Path jfrFile) throws IOException, InterruptedException {
            Map<String, String> scheduled = new java.util.LinkedHashMap<>(settings);
            scheduled.remove("provisioning.once");
            scheduled.put("provisioning.interval", "24h");
            Set<Path> before = reports(dataDir);
            List<String> command = engineCommand(options, scheduled, jfrFile,
                    output.resolveSibling(output.getFileName() + ".rss"));
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile())
                    .start();
            ProcessHandle java = process.toHandle();
            if (Files.isExecutable(GNU_TIME)) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                java = null;
                while (java == null && System.nanoTime() < deadline && process.isAlive()) {
                    java = process.toHandle().children().findFirst().orElse(null);
                    if (java == null) {
                        process.waitFor(20, TimeUnit.MILLISECONDS);
                    }
                }
                if (java == null) {
                    process.destroyForcibly();
                    throw new IOException("the engine JVM did not start (output: " + output + ")");
                }
            }
            return new Resident(process, java, dataDir, output,
                    "http://127.0.0.1:" + settings.get("admin.port"), before);
        }

        /** The next cycle: the one the start runs, then one the admin API starts. */
        Run cycle() throws IOException, InterruptedException {
            long begin = System.nanoTime();
            double cpuBefore = started ? cpuSeconds(java.pid()) : 0;
            if (started) {
                awaitIdle();
                HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(adminUrl
                        + "/api/job/start")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 200) {
                    throw new IOException("POST /api/job/start answered " + response.statusCode() + ": "
                            + response.body());
                }
            }
            started = true;
            JsonNode report = null;
            long deadline = begin + CYCLE_TIMEOUT.toNanos();
            while (report == null && java.isAlive() && System.nanoTime() < deadline) {
                report = newReport();
                if (report == null) {
                    Thread.sleep(100); // polling a file another process writes; no event to wait on
                }
            }
            double seconds = (System.nanoTime() - begin) / 1e9;
            int exit = java.isAlive() ? 0 : process.waitFor();
            return new Run(exit, seconds, highWaterMarkKb(java.pid()), cpuSeconds(java.pid()) - cpuBefore, report,
                    output);
        }

        /** A report written since the last one read, once it is whole; null when there is none yet. */
        private JsonNode newReport() throws IOException {
            Set<Path> now = reports(dataDir);
            now.removeAll(reportsSeen);
            if (now.isEmpty()) {
                return null;
            }
            Path file = now.iterator().next();
            JsonNode report = readReport(file);
            if (report != null) {
                reportsSeen.add(file);
            }
            return report;
        }

        /** The cycle that wrote its report may still be finishing (its end step); a start while it runs is skipped. */
        private void awaitIdle() throws IOException, InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                HttpResponse<String> status = HTTP.send(HttpRequest.newBuilder(URI.create(adminUrl + "/api/status"))
                        .GET().build(), HttpResponse.BodyHandlers.ofString());
                if (status.statusCode() == 200 && JSON.readTree(status.body()).path("cycle").isNull()) {
                    return;
                }
                Thread.sleep(50);
            }
            throw new IOException("the engine did not become idle within 60 s (output: " + output + ")");
        }

        /** The JVM's CPU time so far: utime + stime in clock ticks (100 a second on Linux); NaN elsewhere. */
        private static double cpuSeconds(long pid) {
            try {
                String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
            } catch (IOException | RuntimeException e) {
                return Double.NaN;
            }
        }

        /** SIGTERM to the JVM: Camel stops gracefully and {@code /usr/bin/time} writes its line. */
        @Override
        public void close() throws InterruptedException {
            java.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                java.destroyForcibly();
                process.destroyForcibly();
                process.waitFor();
            }
        }
    }

    /**
     * A cycle report, or null when the file is not a whole one yet. The engine renames a report into place once it
     * is written; this also holds for an engine that wrote it in place (an empty file reads as a missing node).
     */
    static JsonNode readReport(Path file) {
        try {
            JsonNode report = JSON.readTree(file.toFile());
            return report != null && report.isObject() && report.has("cycleId") ? report : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** The cycle reports in the data dir ({@code cycles/*.json}; not a report the engine is still writing). */
    private static Set<Path> reports(Path dataDir) throws IOException {
        Path cycles = dataDir.resolve("cycles");
        if (!Files.isDirectory(cycles)) {
            return new java.util.HashSet<>();
        }
        try (Stream<Path> files = Files.list(cycles)) {
            return files.filter(f -> f.getFileName().toString().matches("[^.].*\\.json"))
                    .collect(Collectors.toCollection(java.util.HashSet::new));
        }
    }

    /** GNU time writes "Command exited with non-zero status n" before its line when the command failed. */
    private static String lastLine(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        return lines.isEmpty() ? "-1 NaN NaN" : lines.get(lines.size() - 1).trim();
    }

    private static long highWaterMarkKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // the process has just ended, or this is not Linux
        }
        return 0;
    }
}
