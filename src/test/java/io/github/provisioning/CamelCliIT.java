package io.github.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.provisioning.sandbox.Sandbox;
import io.github.provisioning.sandbox.graph.GraphSimulator;
import io.github.provisioning.sandbox.graph.GraphSimulatorConfig;
import io.github.provisioning.sandbox.scim.ScimSandbox;
import io.github.provisioning.sandbox.scim.ScimSandboxConfig;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's {@code camel run} commands, read from its "The Camel CLI" section and run as a
 * user types them: by bash, in a copy of the project, each in a process of its own, with a {@code camel} command on
 * the PATH. That command is the Camel CLI (camel-jbang-core's main, as jbang's camel@apache/camel runs it; 4.17,
 * the newest served here) on a classpath without the project's own classes: the CLI resolves the engine from the
 * artifact {@code application.properties} names (camel.jbang.dependencies), through its own Maven resolver, from a
 * local repository under target/ that holds the just-built jar and pom (as {@code mvn install} would), with the
 * build's repository as its Maven Central. Settings go in the environment (Camel's property rules), no flags.
 */
class CamelCliIT {

    private static final Duration START = Duration.ofMinutes(3);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path tmp;

    private Path project;
    private final List<Process> processes = new ArrayList<>();

    @BeforeEach
    void copyProject() throws IOException {
        project = tmp.resolve("project");
        copyTree(Path.of("src"), project.resolve("src"));
        Files.copy(Path.of("README.md"), project.resolve("README.md"));
    }

    @Test
    void readmeRunCommandProvisionsOneCycle() throws Exception {
        String command = readmeCommands().stream().filter(c -> !c.contains("--dev")).findFirst()
                .orElseThrow(() -> new AssertionError("the README's CLI section has no camel run without --dev"));
        try (GraphSimulator graph = GraphSimulator.start(GraphSimulatorConfig.defaults());
             ScimSandbox scim = ScimSandbox.start(ScimSandboxConfig.defaults().withBearerToken("t-" + UUID.randomUUID()))) {
            graph.tenant().populateSample(20, 3);
            Map<String, String> env = settings(graph, scim);
            env.put("PROVISIONING_ONCE", "true");
            Process cli = start(command, env, "run");

            boolean exited = cli.waitFor(START.toSeconds(), TimeUnit.SECONDS);
            assertThat(exited).as("%s exited within %s; output:%n%s", command, START, output("run")).isTrue();
            assertThat(cli.exitValue()).as("exit code of %s; output:%n%s", command, output("run")).isZero();
            assertThat(scim.users()).as("users the cycle created").isNotEmpty();
            assertThat(scim.requests()).allSatisfy(r -> assertThat(r.header("user-agent")).startsWith("camel-entra-provisioning"));
            try (Stream<Path> reports = Files.list(tmp.resolve("data").resolve("cycles"))) {
                assertThat(reports).hasSize(1);
            }
            assertThat(Path.of("target/cli-it/m2/com/unboundid/product/scim2/scim2-sdk-common"))
                    .as("the CLI resolved the artifact's dependencies into its local repository").isDirectory();
        }
    }

    @Test
    void readmeDevCommandReloadsAnEditedRouteFile() throws Exception {
        String command = readmeCommands().stream().filter(c -> c.contains("--dev")).findFirst()
                .orElseThrow(() -> new AssertionError("the README's CLI section has no camel run --dev"));
        try (GraphSimulator graph = GraphSimulator.start(GraphSimulatorConfig.defaults());
             ScimSandbox scim = ScimSandbox.start(ScimSandboxConfig.defaults().withBearerToken("t-" + UUID.randomUUID()))) {
            graph.tenant().populateSample(20, 3);
            Map<String, String> env = settings(graph, scim);
            String admin = "http://127.0.0.1:" + env.get("ADMIN_PORT");
            Process cli = start(command, env, "dev");

            // started: ready, and the initial cycle provisioned (a route file saved while routes start is not reloaded)
            try {
                await("ready and provisioned").atMost(START).pollInterval(Duration.ofSeconds(1)).until(() -> {
                    assertThat(cli.isAlive()).as("camel run --dev is running; output:%n%s", output("dev")).isTrue();
                    return status(admin + "/observe/health/ready") == 200 && !scim.users().isEmpty();
                });
            } catch (ConditionTimeoutException e) {
                throw new AssertionError(command + " was not ready and provisioned in " + START + "; output:\n" + output("dev"), e);
            }
            assertThat(status(admin + "/api/status")).isEqualTo(200);

            // The admin API's endpoints are Java (the REST DSL, which --dev does not reload); the status page's files
            // are served by a route file.
            assertThat(status(admin + "/style.css")).isEqualTo(404);
            Path routeFile = project.resolve("src/main/resources/routes/admin-page.camel.yaml");
            String routes = Files.readString(routeFile);
            assertThat(routes).contains("uri: platform-http:/page.css\n");
            Files.writeString(routeFile,
                    routes.replace("uri: platform-http:/page.css\n", "uri: platform-http:/style.css\n"));

            try {
                await("the edited route answers").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                        .until(() -> status(admin + "/style.css") == 200);
            } catch (ConditionTimeoutException e) {
                throw new AssertionError("the edited route file was not reloaded; output:\n" + output("dev"), e);
            }
            assertThat(status(admin + "/page.css")).as("the route's old path").isEqualTo(404);
            assertThat(status(admin + "/api/deletions")).as("a route of another file keeps running").isEqualTo(200);
        }
    }

    /** The {@code camel run} lines of the README's fenced block in its Camel CLI section, without comments. */
    static List<String> readmeCommands() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        Matcher section = Pattern.compile("(?ms)^## The Camel CLI\\n(.*?)(?=^## )").matcher(readme);
        assertThat(section.find()).as("README.md has the section 'The Camel CLI'").isTrue();
        Matcher block = Pattern.compile("(?ms)^```bash\\n(.*?)^```").matcher(section.group(1));
        assertThat(block.find()).as("the CLI section has a bash block").isTrue();
        List<String> commands = block.group(1).lines().map(l -> l.replaceFirst("\\s+#.*$", "").strip())
                .filter(l -> l.startsWith("camel run")).toList();
        assertThat(commands).as("camel run commands in the README's CLI section").hasSize(2);
        return commands;
    }

    /** The tenant's and target's settings and the test's own, as environment variables (Camel's property rules). */
    private Map<String, String> settings(GraphSimulator graph, ScimSandbox scim) {
        Map<String, String> settings = new java.util.LinkedHashMap<>(Sandbox.connectionSettings(graph, scim));
        settings.put("provisioning.data-dir", tmp.resolve("data").toString());
        settings.put("admin.port", String.valueOf(EngineUnderTest.freePort()));
        return settings.entrySet().stream().collect(Collectors.toMap(
                e -> e.getKey().toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'), Map.Entry::getValue,
                (a, b) -> b, java.util.LinkedHashMap::new));
    }

    /** Runs a README line with bash in the project copy, the camel launcher first on the PATH. */
    private Process start(String command, Map<String, String> env, String name) throws IOException {
        Path bin = launcher();
        Path home = mavenHome();
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", command).directory(project.toFile())
                .redirectErrorStream(true).redirectOutput(tmp.resolve(name + ".log").toFile());
        builder.environment().putAll(env);
        builder.environment().put("PATH", bin + File.pathSeparator + System.getenv("PATH"));
        // The CLI's home (its ~/.m2/settings.xml and ~/.camel) is the test's; logging as the engine's own logback.xml
        builder.environment().put("JAVA_TOOL_OPTIONS", "-Duser.home=" + home
                + " -Dlogback.configurationFile=" + project.resolve("src/main/resources/logback.xml"));
        Process process = builder.start();
        processes.add(process);
        return process;
    }

    /**
     * bin/camel: {@code java -cp <the CLI's classpath> CamelJBang.java "$@"}. The classpath is this test's without
     * the project's own classes and jar (camel-jbang-core 4.17 and its dependencies, aligned to Camel 4.18).
     */
    private Path launcher() throws IOException {
        Path bin = tmp.resolve("bin");
        if (Files.isDirectory(bin)) {
            return bin;
        }
        Files.createDirectories(bin);
        Path target = Path.of("target").toAbsolutePath();
        String classpath = Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !Path.of(entry).toAbsolutePath().startsWith(target))
                .collect(Collectors.joining(File.pathSeparator));
        Files.writeString(bin.resolve("cli.args"), "-cp \"" + classpath + "\"\n");
        Files.writeString(bin.resolve("CamelJBang.java"), """
                /** The Camel CLI's main, as camel-jbang-main's CamelJBang.java (what jbang installs as camel). */
                class CamelJBang {
                    public static void main(String... args) {
                        org.apache.camel.dsl.jbang.core.commands.CamelJBangMain.run(args);
                    }
                }
                """);
        Path camel = bin.resolve("camel");
        Files.writeString(camel, "#!/usr/bin/env bash\nexec '" + Path.of(System.getProperty("java.home"), "bin", "java")
                + "' '@" + bin.resolve("cli.args") + "' '" + bin.resolve("CamelJBang.java") + "' \"$@\"\n");
        assertThat(camel.toFile().setExecutable(true)).isTrue();
        return bin;
    }

    /**
     * A home whose .m2/settings.xml makes target/cli-it/m2 the CLI's local repository and the build's repository its
     * Maven Central (what the build does not hold comes from the registry). The local repository holds this
     * build's artifact, installed as {@code mvn install} installs it.
     */
    private Path mavenHome() throws IOException {
        Path home = tmp.resolve("home");
        if (Files.isDirectory(home)) {
            return home;
        }
        Path local = Path.of("target", "cli-it", "m2").toAbsolutePath();
        Path installed = local.resolve("io/github/provisioning/camel-entra-provisioning/0.1.0-SNAPSHOT");
        Files.createDirectories(installed);
        Path jar = Path.of(required("cli.artifact.jar"));
        assertThat(jar).as("the artifact mvn package built").isRegularFile();
        Files.copy(jar, installed.resolve("camel-entra-provisioning-0.1.0-SNAPSHOT.jar"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(Path.of("pom.xml"), installed.resolve("camel-entra-provisioning-0.1.0-SNAPSHOT.pom"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.createDirectories(home.resolve(".m2"));
        Files.writeString(home.resolve(".m2/settings.xml"), """
                <settings>
                  <localRepository>%s</localRepository>
                  <mirrors>
                    <mirror><id>build</id><mirrorOf>central</mirrorOf><url>%s</url></mirror>
                  </mirrors>
                  <profiles>
                    <profile>
                      <id>registry</id>
                      <repositories>
                        <repository>
                          <id>registry</id><url>https://repo1.maven.org/maven2</url>
                          <snapshots><enabled>false</enabled></snapshots>
                        </repository>
                      </repositories>
                    </profile>
                  </profiles>
                  <activeProfiles><activeProfile>registry</activeProfile></activeProfiles>
                </settings>
                """.formatted(local, Path.of(required("cli.build.repository")).toUri()), StandardCharsets.UTF_8);
        return home;
    }

    private static String required(String property) {
        String value = System.getProperty(property);
        assertThat(value).as("system property %s (set by the failsafe configuration in pom.xml)", property).isNotBlank();
        return value;
    }

    private static int status(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;  // not listening yet
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private String output(String name) throws IOException {
        Path log = tmp.resolve(name + ".log");
        return Files.isRegularFile(log) ? Files.readString(log) : "";
    }

    @AfterEach
    void stopProcesses() throws InterruptedException {
        for (Process process : processes) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("camel run stopped").isTrue();
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : paths.sorted(Comparator.naturalOrder()).toList()) {
                Path dest = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dest);
                } else {
                    Files.copy(p, dest);
                }
            }
        }
    }
}
