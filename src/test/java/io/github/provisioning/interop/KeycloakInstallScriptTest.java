package io.github.provisioning.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/keycloak/install.sh}, on a distribution that stands in for Keycloak's: its {@code kc.sh build}
 * fails, as Keycloak 26's does, on a tree that an interrupted build left (an empty {@code transformed-bytecode.jar},
 * no {@code quarkus-application.dat}). A real interrupted build needs a test run killed at the right moment, which is
 * how the cache of this machine broke once; the stand-in makes that state on purpose, in a second.
 */
class KeycloakInstallScriptTest {

    private static final String VERSION = "0.0.0-test";
    private static final String KC_SH = """
            #!/usr/bin/env bash
            home="$(cd "$(dirname "$0")/.." && pwd)"
            [[ "$1" == build ]] || exit 2
            if [[ -f "$home/lib/quarkus/transformed-bytecode.jar" && ! -f "$home/lib/quarkus/quarkus-application.dat" ]]; then
                echo "NoSuchFileException: $home/lib/quarkus/quarkus-application.dat" >&2
                exit 1
            fi
            mkdir -p "$home/lib/quarkus"
            : > "$home/lib/quarkus/transformed-bytecode.jar"
            echo built > "$home/lib/quarkus/quarkus-application.dat"
            echo "$*" >> "$home/../builds"
            """;

    @TempDir
    Path cache;

    private Path distribution() throws Exception {
        Path staging = Files.createDirectories(cache.resolve("staging/keycloak-" + VERSION + "/bin"));
        Path kcSh = Files.writeString(staging.resolve("kc.sh"), KC_SH);
        Files.setPosixFilePermissions(kcSh, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path zip = cache.resolve("keycloak-quarkus-dist-" + VERSION + ".zip");
        run(new ProcessBuilder("zip", "-q", "-r", zip.toString(), "keycloak-" + VERSION)
                .directory(cache.resolve("staging").toFile()));
        return zip;
    }

    private Result install() throws Exception {
        ProcessBuilder builder = new ProcessBuilder(Path.of("scripts/keycloak/install.sh").toAbsolutePath().toString());
        Map<String, String> env = builder.environment();
        env.put("KEYCLOAK_CACHE", cache.toString());
        env.put("KEYCLOAK_VERSION", VERSION);
        env.put("KEYCLOAK_JAVA_HOME", System.getProperty("java.home"));
        return run(builder);
    }

    private record Result(int exitCode, String output) {
    }

    private static Result run(ProcessBuilder builder) throws IOException, InterruptedException {
        Process process = builder.redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(output).isTrue();
        return new Result(process.exitValue(), output);
    }

    @Test
    void aTreeAnInterruptedBuildLeftIsUnzippedAgainAndBuilt() throws Exception {
        distribution();
        Path home = cache.resolve("keycloak-" + VERSION);
        // What a killed `kc.sh build` left in this machine's cache: the unzipped tree, half built, no marker.
        Files.createDirectories(home.resolve("lib/quarkus"));
        Files.createFile(home.resolve("lib/quarkus/transformed-bytecode.jar"));
        Files.createDirectories(home.resolve("bin"));
        Files.writeString(home.resolve("bin/kc.sh"), KC_SH);
        Files.setPosixFilePermissions(home.resolve("bin/kc.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));

        Result result = install();

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output().trim()).endsWith(home.toString());
        assertThat(home.resolve("lib/quarkus/quarkus-application.dat")).exists();
        assertThat(home.resolve(".built-with")).hasContent("--features=scim-api --db=dev-mem");
        assertThat(cache.resolve("builds")).hasContent("build --features=scim-api --db=dev-mem");

        // Built once: the next start uses the tree as it is.
        Result again = install();
        assertThat(again.exitCode()).as(again.output()).isZero();
        assertThat(cache.resolve("builds")).hasContent("build --features=scim-api --db=dev-mem");
    }

    @Test
    void aZipThatCannotBeUnzippedIsRemovedSoThatTheNextStartFetchesItAgain() throws Exception {
        Path zip = distribution();
        Files.write(zip, new byte[] {'P', 'K', 3, 4, 0, 0});

        Result result = install();

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.output()).contains("is damaged: removed", "could not fetch or build Keycloak " + VERSION);
        assertThat(zip).doesNotExist();
        assertThat(cache.resolve("keycloak-" + VERSION)).doesNotExist();
        try (var leftovers = Files.list(cache)) {
            assertThat(leftovers).noneMatch(p -> p.getFileName().toString().startsWith("unzip."));
        }
    }
}
