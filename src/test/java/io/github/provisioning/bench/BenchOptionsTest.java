package io.github.provisioning.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BenchOptionsTest {

    @Test
    void latencyIsOffByDefault() {
        assertThat(BenchOptions.parse().latencyMs()).isZero();
        assertThat(BenchOptions.parse("--users", "2000").latencyMs()).isZero();
    }

    @Test
    void latencyIsReadInMilliseconds() {
        assertThat(BenchOptions.parse("--latency-ms", "30").latencyMs()).isEqualTo(30);
        assertThat(BenchOptions.parse("--latency-ms", "0").latencyMs()).isZero();
    }

    @Test
    void latencyIsKeptForEachConcurrencyOfSandboxAlone() {
        BenchOptions options = BenchOptions.parse("--latency-ms", "30", "--sandbox-alone", "initial.requests.jsonl");

        assertThat(options.withConcurrency(32).latencyMs()).isEqualTo(30);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "ten", "2.5", "", "99999999999"})
    void latencyThatIsNotWholeMillisecondsZeroOrMoreIsRejectedByName(String value) {
        assertThatThrownBy(() -> BenchOptions.parse("--latency-ms", value))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--latency-ms")
                .hasMessageContaining("not " + value);
    }

    @Test
    void latencyWithoutAValueIsRejectedByName() {
        assertThatThrownBy(() -> BenchOptions.parse("--latency-ms"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("missing value after --latency-ms");
    }
}
