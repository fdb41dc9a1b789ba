package io.github.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.provisioning.sandbox.graph.GraphSimulator;
import io.github.provisioning.sandbox.graph.GraphSimulatorConfig;
import io.github.provisioning.sandbox.scim.ScimSandbox;
import io.github.provisioning.sandbox.scim.ScimSandboxConfig;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.camel.dsl.jbang.core.commands.CamelJBangMain;
import org.apache.camel.dsl.jbang.core.common.CommandLineHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The route files and application.properties run under the Camel CLI, as integration teams run them with
 * {@code camel run}: in this JVM (our classes are on its classpath, as target/provisioning.jar puts them there for
 * a real CLI), offline, one cycle against the Graph simulator and the SCIM sandbox.
 */
class CamelCliRunTest {

    @TempDir
    Path tmp;

    @Test
    void routeFilesRunAProvisioningCycleUnderTheCamelCli() throws Exception {
        try (GraphSimulator graph = GraphSimulator.start(GraphSimulatorConfig.defaults());
             ScimSandbox scim = ScimSandbox.start(ScimSandboxConfig.defaults().withBearerToken("t-" + UUID.randomUUID()))) {
            graph.tenant().populateSample(20, 3);
            List<String> args = new ArrayList<>(List.of("run"));
            try (Stream<Path> routes = Files.list(Path.of("src/main/resources/routes"))) {
                routes.filter(p -> p.toString().endsWith(".camel.yaml")).sorted().map(Path::toString).forEach(args::add);
            }
            args.add("src/main/resources/application.properties");
            var settings = EngineUnderTest.settingsFor(graph, scim, tmp.resolve("data"));
            settings.forEach((k, v) -> args.add("--prop=" + k + "=" + v));
            // camel run 4.17 starts the HTTP server on --port, not on camel.server.port
            args.add("--port=" + settings.get("admin.port"));
            args.addAll(List.of("--prop=provisioning.once=true", "--max-seconds=90",
                    "--kamelets-version=4.16.0", "--download=false", "--logging=false"));

            CommandLineHelper.useHomeDir(tmp.toString());
            CompletableFuture<Integer> exitCode = new CompletableFuture<>();
            CamelJBangMain cli = new CamelJBangMain() {
                @Override
                public void quit(int code) {
                    exitCode.complete(code);  // the CLI would System.exit
                }
            };
            Thread runner = new Thread(() -> {
                try {
                    CamelJBangMain.run(cli, args.toArray(String[]::new));
                } catch (RuntimeException e) {
                    exitCode.completeExceptionally(e);
                }
            }, "camel-cli");
            runner.start();

            await().atMost(Duration.ofSeconds(120)).until(exitCode::isDone);
            assertThat(exitCode.get(1, TimeUnit.SECONDS)).as("camel run exit code").isZero();
            assertThat(scim.users()).isNotEmpty();
            assertThat(scim.requests()).allSatisfy(r -> assertThat(r.header("user-agent")).startsWith("camel-entra-provisioning"));
            try (Stream<Path> reports = Files.list(tmp.resolve("data").resolve("cycles"))) {
                assertThat(reports).hasSize(1);
            }
        }
    }

    @AfterEach
    void removeCliWorkDir() throws Exception {
        // camel run always writes ./.camel-jbang
        Path work = Path.of(".camel-jbang");
        if (Files.isDirectory(work)) {
            try (Stream<Path> paths = Files.walk(work)) {
                paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }
}
