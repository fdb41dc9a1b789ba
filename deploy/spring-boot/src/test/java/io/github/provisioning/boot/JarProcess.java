package io.github.provisioning.boot;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A built application jar as its users start it, {@code java -D<setting>=<value> ... -jar <jar>}, in a JVM of its
 * own, judged by its exit code and output (stdout and stderr together).
 */
final class JarProcess implements AutoCloseable {

    /** A log line (it starts with the time) or a line of a stack trace: not one the application printed itself. */
    private static final Pattern NOT_THE_APPLICATIONS = Pattern.compile(
            "^(\\d\\d:\\d\\d:\\d\\d\\.\\d{3} |\\d{4}-\\d\\d-\\d\\dT|\\s+at |\\s+\\.\\.\\. \\d+ |Caused by: "
                    + "|[\\w.$]+(Exception|Error)(: |$))");

    private final Process process;
    private final Path output;

    private JarProcess(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    /** The jar a system property of the build names; it must have been built. */
    static Path jar(String property) {
        String location = System.getProperty(property);
        if (location == null || !Files.isRegularFile(Path.of(location))) {
            throw new IllegalStateException("System property " + property + " must name a built jar, not " + location);
        }
        return Path.of(location);
    }

    static JarProcess start(Path jar, Map<String, String> settings) throws IOException {
        return start(jar, settings, Map.of());
    }

    /** With environment variables besides this JVM's own, such as {@code SCIM_TOKEN}. */
    static JarProcess start(Path jar, Map<String, String> settings, Map<String, String> environment)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        settings.forEach((name, value) -> command.add("-D" + name + "=" + value));
        command.add("-jar");
        command.add(jar.toString());
        Path output = Files.createTempFile("provisioning-jar", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        return new JarProcess(process, output);
    }

    /** Runs the jar to its exit, at most {@code limit}. */
    static Result run(Path jar, Map<String, String> settings, Duration limit) throws Exception {
        return run(jar, settings, Map.of(), limit);
    }

    static Result run(Path jar, Map<String, String> settings, Map<String, String> environment, Duration limit)
            throws Exception {
        try (JarProcess running = start(jar, settings, environment)) {
            return running.awaitExit(limit);
        }
    }

    Result awaitExit(Duration limit) throws Exception {
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the application did not exit within " + limit + ":\n" + output());
        }
        return new Result(process.exitValue(), output());
    }

    /** SIGTERM, as a service manager stops it. */
    void stop() {
        process.destroy();
    }

    String output() throws IOException {
        return Files.readString(output, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
        Files.deleteIfExists(output);
    }

    record Result(int exitCode, String output) {
        /** The last line the application printed itself, past log lines and stack traces. */
        String lastLine() {
            List<String> lines = output.lines()
                    .filter(l -> !l.isBlank() && !NOT_THE_APPLICATIONS.matcher(l).find()).toList();
            return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
        }
    }
}
