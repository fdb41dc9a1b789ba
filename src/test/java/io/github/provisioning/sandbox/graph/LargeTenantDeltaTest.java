package io.github.provisioning.sandbox.graph;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class LargeTenantDeltaTest {

    @Test
    void hundredThousandUserSampleIsReadCompletelyThroughUsersDelta() {
        try (GraphSimulator graph = GraphSimulator.start(GraphSimulatorConfig.defaults().withPageSize(999))) {
            graph.tenant().populateSample(100_000, 2024);
            GraphTestClient client = new GraphTestClient(graph);

            GraphTestClient.DeltaRound round = client.round(graph.graphUrl()
                    + "/users/delta?$select=userPrincipalName,displayName,givenName,surname,mail,accountEnabled");

            Set<String> ids = new HashSet<>(round.ids());
            assertThat(round.ids()).hasSize(100_000);
            assertThat(ids).hasSize(100_000);
            assertThat(round.pages()).hasSize(101);
            assertThat(client.round(round.deltaLink()).entries()).isEmpty();
        }
    }
}
