package io.github.provisioning;

import static io.github.provisioning.ApplicationProcess.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.provisioning.ApplicationProcess.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The README's real-tenant form: the settings, secrets included, in a properties file named by one -D option, so
 * that {@code ps} shows the file's name and not the secrets.
 */
class SettingsFileProcessTest extends EngineTest {

    @Test
    void aPropertiesFileGivesTheSettingsAndKeepsTheSecretsOffTheCommandLine() throws Exception {
        tenant.populateSample(10, 3);
        Path file = dataDir.resolve("provisioning.properties");
        Files.writeString(file, EngineUnderTest.settingsFor(graph, scim, dataDir).entrySet().stream()
                .map(e -> e.getKey() + " = " + e.getValue()).collect(Collectors.joining("\n", "", "\n")));

        Result result = run(Map.of("camel.main.override-properties-location", "file:" + file,
                "provisioning.once", "true"));

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).containsPattern("Cycle [0-9a-f-]+ \\(initial\\) completed")
                .doesNotContain("Sandbox:")
                .doesNotContain(graph.config().clientSecret(), scim.config().bearerToken());
        assertThat(scim.users()).isNotEmpty();
    }
}
