package io.github.provisioning;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The application as its users start it: {@code java -D<setting>=<value> ... ProvisioningApplication <arguments>}
 * in a separate JVM with this test's classpath, judged by its exit code and output.
 */
final class ApplicationProcess {

    private ApplicationProcess() {
    }

    record Result(int exitCode, String output) {
        String lastLine() {
            List<String> lines = output.lines().filter(l -> !l.isBlank()).toList();
            return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
        }
    }

    /** Runs the application to its exit, at most 120 s; its output is stdout and stderr together. */
    static Result run(Map<String, String> settings, String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        settings.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(ProvisioningApplication.class.getName());
        command.addAll(List.of(arguments));
        Path output = Files.createTempFile("provisioning-run", ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        boolean exited = process.waitFor(120, TimeUnit.SECONDS);
        if (!exited) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        String text = Files.readString(output, StandardCharsets.UTF_8);
        Files.delete(output);
        if (!exited) {
            throw new AssertionError("the application did not exit within 120 s:\n" + text);
        }
        return new Result(process.exitValue(), text);
    }
}
