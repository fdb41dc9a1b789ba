package io.github.provisioning.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.provisioning.ProvisioningApplication;
import java.io.IOException;
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

    static Run run(BenchOptions options, Map<String, String> settings, Path dataDir, Path output, Path jfrFile)
            throws IOException, InterruptedException {
        List<String> jvm = new ArrayList<>(options.engineJvm());
        if (jfrFile != null) {
            jvm.add("-XX:StartFlightRecording=filename=" + jfrFile + ",settings=profile,dumponexit=true");
        }
        settings.forEach((k, v) -> jvm.add("-D" + k + "=" + v));
        List<String> command = javaCommand(options, jvm, ProvisioningApplication.class);
        Path rss = output.resolveSibling(output.getFileName() + ".rss");
        boolean gnuTime = Files.isExecutable(GNU_TIME);
        if (gnuTime) {
            command.addAll(0, List.of(GNU_TIME.toString(), "-f", "%M %U %S", "-o", rss.toString()));
        }
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

    private static Set<Path> reports(Path dataDir) throws IOException {
        Path cycles = dataDir.resolve("cycles");
        if (!Files.isDirectory(cycles)) {
            return new java.util.HashSet<>();
        }
        try (Stream<Path> files = Files.list(cycles)) {
            return files.collect(Collectors.toCollection(java.util.HashSet::new));
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
