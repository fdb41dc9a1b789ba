package io.github.provisioning.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark at CI size: 2,000 users through the three phases, the engine and the bare client in JVMs of their
 * own. Only the end state is judged, never a time: this machine is shared and its numbers mean nothing here.
 */
class BenchmarkSmokeTest {

    @TempDir
    Path work;

    @Test
    void everyPhaseLeavesTheTargetHoldingExactlyTheTenantInScope() throws Exception {
        // C1 only: the engine JVMs start faster, and speed is not what this test is about
        BenchOptions options = BenchOptions.parse("--users", "2000", "--work", work.toString(),
                "--engine-jvm", "-XX:TieredStopAtLevel=1");
        ByteArrayOutputStream printed = new ByteArrayOutputStream();

        Benchmark.Result result = Benchmark.run(options, new PrintStream(printed, true, StandardCharsets.UTF_8));

        String output = printed.toString(StandardCharsets.UTF_8);
        // expected accounts present with their attributes, no duplicate, none out of scope, no failed user,
        // as many creates as users in scope and as many updates and writes as changed users in scope
        assertThat(result.problems()).as(output).isEmpty();
        Benchmark.RunResult run = result.runs().get(0);
        assertThat(run.initial().engine().count("created")).as(output).isPositive();
        assertThat(run.changed().engine().count("updated")).as(output).isPositive();
        assertThat(run.writes("incremental-0")).as(output).isZero();
        assertThat(run.initial().bare().unexpected()).as("bare-client answers unlike the engine's").isZero();
        List<String> lines = output.lines().filter(l -> !l.isBlank()).toList();
        assertThat(lines.get(lines.size() - 1)).matches(Benchmark.LAST_LINE);
    }
}
