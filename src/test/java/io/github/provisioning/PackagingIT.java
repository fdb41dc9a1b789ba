package io.github.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jars {@code mvn package} leaves in target/ (run by failsafe after package): the thin route bundle (the main
 * artifact), the {@code sandbox} classifier jar, and the runnable all-in-one provisioning.jar, by their contents
 * and by running them.
 */
class PackagingIT {

    private static final Path THIN = jar("thin.jar");
    private static final Path SANDBOX = jar("sandbox.jar");
    private static final Path RUNNABLE = jar("runnable.jar");

    @TempDir
    Path dataDir;

    @Test
    void theThinBundleHoldsRoutesSettingsAndEngineClassesOnly() throws IOException {
        List<String> entries = entries(THIN);

        assertThat(entries).contains("routes/cycle.camel.yaml", "routes/provision-user.camel.yaml",
                "mappings/meta-work-accounts.yaml", "db/state/V1__baseline.sql", "application.properties",
                "io/github/provisioning/ProvisioningApplication.class", "io/github/provisioning/SandboxProvider.class",
                "io/github/provisioning/cycle/Cycles.class");
        assertThat(entries).noneMatch(e -> e.startsWith("io/github/provisioning/sandbox/")
                || e.startsWith("io/github/provisioning/bench/") || e.startsWith("sandbox/")
                || e.equals("logback.xml") || e.startsWith("org/apache/camel/") || e.startsWith("ch/qos/")
                || e.equals("META-INF/services/org/apache/camel/UberTypeConverterLoader")
                || e.equals("META-INF/services/io.github.provisioning.SandboxProvider"));
        // no shaded dependency: every class is the engine's
        assertThat(entries).filteredOn(e -> e.endsWith(".class")).allMatch(e -> e.startsWith("io/github/provisioning/"));
    }

    @Test
    void theSandboxJarHoldsTheSandboxTheDemoRouteAndTheBenchmark() throws IOException {
        List<String> entries = entries(SANDBOX);

        assertThat(entries).contains("io/github/provisioning/sandbox/Sandbox.class",
                "io/github/provisioning/sandbox/graph/GraphSimulator.class",
                "io/github/provisioning/sandbox/scim/ScimSandbox.class", "io/github/provisioning/bench/Benchmark.class",
                "sandbox/sandbox-demo.camel.yaml", "META-INF/services/io.github.provisioning.SandboxProvider");
        assertThat(entries).filteredOn(e -> e.endsWith(".class")).allMatch(e ->
                e.startsWith("io/github/provisioning/sandbox/") || e.startsWith("io/github/provisioning/bench/"));
        assertThat(entries).doesNotContain("logback.xml", "application.properties", "routes/cycle.camel.yaml");
    }

    @Test
    void theRunnableJarHoldsEverything() throws IOException {
        List<String> entries = entries(RUNNABLE);

        assertThat(entries).contains("routes/cycle.camel.yaml", "application.properties",
                "io/github/provisioning/cycle/Cycles.class", "io/github/provisioning/sandbox/Sandbox.class",
                "io/github/provisioning/bench/Benchmark.class", "sandbox/sandbox-demo.camel.yaml", "logback.xml",
                "META-INF/services/org/apache/camel/UberTypeConverterLoader", "org/apache/camel/main/Main.class",
                "ch/qos/logback/classic/Logger.class", "org/h2/Driver.class");
        try (JarFile jar = new JarFile(RUNNABLE.toFile())) {
            assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class"))
                    .isEqualTo(ProvisioningApplication.class.getName());
            ZipEntry services = jar.getEntry("META-INF/services/io.github.provisioning.SandboxProvider");
            assertThat(new String(jar.getInputStream(services).readAllBytes(), StandardCharsets.UTF_8))
                    .contains("io.github.provisioning.sandbox.SandboxStarter");
        }
    }

    @Test
    void theRunnableJarRunsTheSandboxDemoInAFewLinesAndLeavesNoTraceFile() throws Exception {
        Run run = java(List.of("-Dprovisioning.data-dir=" + dataDir, "-Dadmin.port=" + EngineUnderTest.freePort(),
                "-jar", RUNNABLE.toString()));

        assertThat(run.code).as(run.output).isZero();
        assertThat(run.output).containsPattern("Cycle [0-9a-f-]+ \\(initial\\) completed in [0-9.]+s: created=37")
                .containsPattern("Cycle [0-9a-f-]+ \\(incremental\\) completed in [0-9.]+s: created=0 updated=1 "
                        + "disabled=1 deleted=1")
                .contains("Sandbox demo done. Provisioning log: ", "-Dsandbox.keep-running=true")
                .doesNotContain("Auto-configuration summary");
        // A first run is short: the sandbox, the cycles and what next, not Camel's summary of every setting.
        assertThat(run.output.lines().filter(l -> !l.contains(" WARN "))).as(run.output).hasSizeLessThanOrEqualTo(20);
        try (Stream<Path> files = Files.walk(dataDir)) {
            assertThat(files.filter(f -> f.getFileName().toString().endsWith(".trace.db"))).isEmpty();
        }
    }

    @Test
    void theRunnableJarPrintsItsOwnUsage() throws Exception {
        Run run = java(List.of("-jar", RUNNABLE.toString(), "--help"));

        assertThat(run.code).as(run.output).isZero();
        assertThat(run.output).startsWith("Usage: java [-Dsetting=value ...] -jar provisioning.jar")
                .contains("-Dsandbox.keep-running=true", "docs/configuration.md");
    }

    @Test
    void theThinBundleWithoutTheSandboxNamesTheSettingsToSet() throws Exception {
        Run run = java(List.of("-Dprovisioning.data-dir=" + dataDir, "-cp", classPath(THIN),
                ProvisioningApplication.class.getName()));

        assertThat(run.code).as(run.output).isNotZero();
        assertThat(run.output).contains("Provisioning could not start: No tenant is configured and the sandbox is "
                + "not on the class path: set graph.tenant-id, graph.client-id, graph.client-secret (or "
                + "graph.client-certificate), graph.app-id, scim.url and scim.token");
    }

    @Test
    void theThinBundleFindsTheSandboxInTheSandboxJar() throws Exception {
        // Test Connection against the sandbox: the engine starts it through the sandbox jar's service entry.
        Run run = java(List.of("-Dprovisioning.data-dir=" + dataDir, "-cp", classPath(THIN, SANDBOX),
                ProvisioningApplication.class.getName(), "--test-connection"));

        assertThat(run.code).as(run.output).isZero();
        assertThat(run.output).contains("Sandbox: Graph simulator at http://127.0.0.1:");
    }

    private static Path jar(String property) {
        Path jar = Path.of(System.getProperty("packaging." + property, "unset: packaging." + property));
        assertThat(jar).as("set by failsafe's configuration in pom.xml").isRegularFile();
        return jar;
    }

    private static List<String> entries(Path jar) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            return file.stream().map(ZipEntry::getName).toList();
        }
    }

    /** The given jars and this test's dependency jars: not its class folders, nor this module's own jars. */
    private static String classPath(Path... jars) {
        List<String> entries = new ArrayList<>(Arrays.stream(jars).map(Path::toString).toList());
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path path = Path.of(entry);
            if (entry.endsWith(".jar") && Files.isRegularFile(path)
                    && !path.toAbsolutePath().startsWith(THIN.toAbsolutePath().getParent())) {
                entries.add(entry);
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    private record Run(int code, String output) {
    }

    /** A JVM of its own, at most 120 s; its output is stdout and stderr together. */
    private Run java(List<String> arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // the runnable jar's own logging for the thin bundle too (logback's default would log everything at DEBUG)
        command.add("-Dlogback.configurationFile=" + Path.of("src/main/resources/logback.xml").toAbsolutePath());
        command.addAll(arguments);
        Path output = Files.createTempFile(dataDir, "run", ".log");
        Process process = new ProcessBuilder(command).directory(dataDir.toFile()).redirectErrorStream(true)
                .redirectOutput(output.toFile()).start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("did not exit within 120 s:\n" + Files.readString(output));
        }
        String text = Files.readString(output, StandardCharsets.UTF_8);
        Files.delete(output);
        return new Run(process.exitValue(), text);
    }
}
