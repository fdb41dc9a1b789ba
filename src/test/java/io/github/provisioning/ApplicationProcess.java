package io.github.provisioning;

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
 * The application as its users start it: {@code java -D<setting>=<value> ... ProvisioningApplication <arguments>}
 * in a separate JVM with this test's classpath, judged by its exit code and output.
 */
final class ApplicationProcess {

    private ApplicationProcess() {
    }

    /**
     * A line the application did not write itself: a log line (it starts with the time), or a line of a Java stack
     * trace (the exception, a frame, "... n common frames omitted", "Caused by: ...").
     */
    private static final Pattern NOT_THE_APPLICATIONS = Pattern.compile(
            "^(\\d\\d:\\d\\d:\\d\\d\\.\\d{3} |\\s+at |\\s+\\.\\.\\. \\d+ |Caused by: |[\\w.$]+(Exception|Error)(: |$))");

    record Result(int exitCode, String output) {
        /**
         * The last line the application printed itself, not a log line or a stack trace: a thread that logs while
         * the JVM stops (a state store still opening when start-up failed) may print after the application's last
         * word.
         */
        String lastLine() {
            List<String> lines = output.lines()
                    .filter(l -> !l.isBlank() && !NOT_THE_APPLICATIONS.matcher(l).find()).toList();
            return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
        }
    }

    /** Runs the application to its exit, at most 120 s; its output is stdout and stderr together. */
    static Result run(Map<String, String> settings, String... arguments) throws IOException, InterruptedException {
        return run(Duration.ofSeconds(120), settings, arguments);
    }

    /** Runs the application to its exit, at most {@code limit}; its output is stdout and stderr together. */
    static Result run(Duration limit, Map<String, String> settings, String... arguments)
            throws IOException, InterruptedException {
        try (Running running = start(settings, arguments)) {
            boolean exited = running.process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
            if (!exited) {
                running.kill();
                throw new AssertionError("the application did not exit within " + limit + ":\n" + running.output());
            }
            return new Result(running.exitCode(), running.output());
        }
    }

    /** Starts the application and returns at once; closing the handle kills it if it still runs. */
    static Running start(Map<String, String> settings, String... arguments) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // C1 only: a run lasts seconds, and C2's compiler threads cost more CPU than they win back (on two busy
        // cores the sandbox run took 45-55 s with C2 and 18-22 s without). The flag changes speed, not behaviour.
        command.add("-XX:TieredStopAtLevel=1");
        settings.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(ProvisioningApplication.class.getName());
        command.addAll(List.of(arguments));
        Path output = Files.createTempFile("provisioning-run", ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        return new Running(process, output);
    }

    /** A running application process; its output is stdout and stderr together. */
    static final class Running implements AutoCloseable {
        private final Process process;
        private final Path output;

        private Running(Process process, Path output) {
            this.process = process;
            this.output = output;
        }

        boolean isAlive() {
            return process.isAlive();
        }

        /** SIGKILL, as {@code kill -9}: no shutdown hook, no flush, nothing of the JVM runs any more. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new AssertionError("the application process did not die from SIGKILL");
            }
        }

        /** A signal by its name, as {@code kill -STOP <pid>} sends it: STOP freezes the process, CONT resumes it. */
        void signal(String name) throws IOException, InterruptedException {
            Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).start();
            if (kill.waitFor() != 0) {
                throw new AssertionError("kill -" + name + " " + process.pid() + " failed");
            }
        }

        /**
         * SIGTERM, as Ctrl-C or {@code kill}: the JVM runs its shutdown hooks (Camel stops) and exits; fails when it
         * has not exited within {@code limit}.
         */
        void stop(Duration limit) throws InterruptedException {
            process.destroy();
            if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("the application did not stop within " + limit + " of SIGTERM");
            }
        }

        int exitCode() {
            return process.exitValue();
        }

        String output() throws IOException {
            return Files.readString(output, StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws IOException, InterruptedException {
            if (process.isAlive()) {
                kill();
            }
            Files.deleteIfExists(output);
        }
    }
}
