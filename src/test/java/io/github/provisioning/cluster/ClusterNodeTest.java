package io.github.provisioning.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** When a node takes a free job or gives one up, from how many jobs each live node holds. */
class ClusterNodeTest {

    @ParameterizedTest(name = "{0} jobs; held by self {1}, others {2}: takes {3}, gives up {4}")
    @CsvSource(delimiter = '|', textBlock = """
            # jobs | self | others | takes | gives up
            4      | 0    | ''     | true  | false
            4      | 4    | ''     | false | false
            4      | 0    | 4      | true  | false
            4      | 4    | 0      | false | true
            4      | 3    | 1      | false | true
            4      | 2    | 2      | false | false
            4      | 2    | 1      | false | false
            4      | 1    | 2      | true  | false
            5      | 3    | 2      | false | false
            5      | 2    | 2      | true  | false
            4      | 2    | 2 0    | false | true
            4      | 1    | 2 1    | true  | false
            4      | 2    | 1 1    | false | false
            4      | 1    | 1 1    | true  | false
            4      | 0    | 2 2    | true  | false
            1      | 0    | 1      | true  | false
            1      | 1    | 0      | false | false
            1      | 0    | 0      | true  | false
            """)
    void takesBelowItsShareAndGivesUpAboveIt(int jobs, int self, String others, boolean takes, boolean givesUp) {
        Map<String, Integer> held = new HashMap<>(Map.of("self", self));
        String[] counts = others.isBlank() ? new String[0] : others.split(" ");
        for (int i = 0; i < counts.length; i++) {
            held.put("node-" + i, Integer.parseInt(counts[i]));
        }

        ClusterNode.Spread spread = new ClusterNode("self", jobs).spread(held, "self");

        assertThat(spread.mayTake()).as("takes (%s)", spread).isEqualTo(takes);
        assertThat(spread.givesUp()).as("gives up (%s)", spread).isEqualTo(givesUp);
    }
}
