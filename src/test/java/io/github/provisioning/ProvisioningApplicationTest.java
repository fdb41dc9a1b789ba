package io.github.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The command line of {@code java -jar provisioning.jar}: its own usage, and no silently ignored option. */
class ProvisioningApplicationTest {

    @ParameterizedTest
    @ValueSource(strings = {"--help", "-h"})
    void helpPrintsTheEnginesModesAndMainSettings(String option) throws Exception {
        Printed printed = runCapturing(option);

        assertThat(printed.code).isZero();
        assertThat(printed.err).isEmpty();
        assertThat(printed.out)
                .startsWith("Usage: java [-Dsetting=value ...] -jar provisioning.jar")
                .contains("sandbox demo", "-Dsandbox.keep-running=true", "scheduled engine",
                        "-Dprovisioning.once=true", "--test-connection", "graph.tenant-id", "scim.url",
                        "Every setting: docs/configuration.md")
                // not Camel Main's generic runner help
                .doesNotContain("Apache Camel Runner", "-duration");
    }

    @Test
    void anUnknownOptionExitsTwoWithTheUsageOnStderr() throws Exception {
        Printed printed = runCapturing("--test-conection");

        assertThat(printed.code).isEqualTo(2);
        assertThat(printed.out).isEmpty();
        assertThat(printed.err).startsWith("Unknown option: --test-conection" + System.lineSeparator())
                .contains(ProvisioningApplication.USAGE);
    }

    @Test
    void anOptionAfterAKnownOneIsNotIgnoredEither() throws Exception {
        Printed printed = runCapturing("--test-connection", "extra");

        assertThat(printed.code).isEqualTo(2);
        assertThat(printed.err).startsWith("Unknown option: extra");
    }

    private record Printed(int code, String out, String err) {
    }

    /** Runs the application in this JVM with stdout and stderr captured: only for runs that end before Camel starts. */
    private static Printed runCapturing(String... args) throws Exception {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(outBytes, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
            int code = ProvisioningApplication.run(args);
            return new Printed(code, outBytes.toString(StandardCharsets.UTF_8), errBytes.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }
}
