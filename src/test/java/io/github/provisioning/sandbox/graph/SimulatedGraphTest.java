package io.github.provisioning.sandbox.graph;

import org.junit.jupiter.api.AfterEach;

/**
 * A test with a Graph simulator of its own, reached over HTTP: each test starts one with the config it needs, and
 * it is closed after the test.
 */
abstract class SimulatedGraphTest {

    GraphSimulator graph;
    GraphTestClient client;

    /** Starts the simulator and a client for it; returns the tenant behind it. */
    Tenant start(GraphSimulatorConfig config) {
        graph = GraphSimulator.start(config);
        client = new GraphTestClient(graph);
        return graph.tenant();
    }

    @AfterEach
    void stop() {
        graph.close();
    }
}
