package io.github.provisioning.sandbox.graph;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

import static org.assertj.core.api.Assertions.assertThat;

/** The engine's invariant: replaying every round's entries in order yields the tenant's current state. */
class ConcurrentChangesTest {

    private static final int BATCHES = 60;
    private static final int CHANGES_PER_BATCH = 20;

    @Test
    @Timeout(120) // a round that never ends must fail, not hang the build
    void replayingRoundsReadWhileAnotherThreadChangesTheTenantYieldsTheFinalState() {
        GraphSimulatorConfig config = GraphSimulatorConfig.defaults().withPageSize(50).withRepeatUsers(true)
                .withEmptyPages(true);
        try (GraphSimulator graph = GraphSimulator.start(config)) {
            Tenant tenant = graph.tenant();
            tenant.populateSample(2_000, 77);
            List<String> ids = tenant.users().stream().map(u -> u.get("id").asText()).toList();
            GraphTestClient client = new GraphTestClient(graph);

            // The writer makes a batch of changes in parallel with each page the reader asks for next.
            Semaphore pageRead = new Semaphore(0);
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                SplittableRandom random = new SplittableRandom(1);
                for (int batch = 0; batch < BATCHES; batch++) {
                    pageRead.acquireUninterruptibly();
                    for (int change = 0; change < CHANGES_PER_BATCH; change++) {
                        change(tenant, ids.get(random.nextInt(ids.size())), random.nextInt(10), batch);
                    }
                }
            });

            Map<String, String> replica = new HashMap<>();
            String deltaLink = replay(client.round(graph.graphUrl() + "/users/delta?$select=displayName",
                    pageRead::release), replica);
            while (!writer.isDone()) {
                deltaLink = replay(client.round(deltaLink, pageRead::release), replica);
            }
            writer.join();
            replay(client.round(deltaLink), replica);

            Map<String, String> expected = new HashMap<>();
            tenant.users().forEach(u -> expected.put(u.get("id").asText(), u.get("displayName").asText()));
            assertThat(replica).isEqualTo(expected);
        }
    }

    @Test
    @Timeout(120)
    void replayingManagerDeltasReadWhileAnotherThreadReorganisesTheTenantYieldsEveryUsersManager() {
        GraphSimulatorConfig config = GraphSimulatorConfig.defaults().withPageSize(50).withRepeatUsers(true)
                .withEmptyPages(true);
        try (GraphSimulator graph = GraphSimulator.start(config)) {
            Tenant tenant = graph.tenant();
            tenant.populateSample(1_000, 78);
            List<String> ids = new ArrayList<>(tenant.users().stream().map(u -> u.get("id").asText()).toList());
            GraphTestClient client = new GraphTestClient(graph);

            Semaphore pageRead = new Semaphore(0);
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                SplittableRandom random = new SplittableRandom(2);
                Set<String> gone = new HashSet<>();
                for (int batch = 0; batch < BATCHES; batch++) {
                    pageRead.acquireUninterruptibly();
                    for (int change = 0; change < CHANGES_PER_BATCH; change++) {
                        reorganise(tenant, ids, gone, random);
                    }
                }
            });

            Map<String, String> replica = new HashMap<>();
            String deltaLink = replayManagers(client.round(graph.graphUrl() + "/users/delta?$select=manager",
                    pageRead::release), replica);
            while (!writer.isDone()) {
                deltaLink = replayManagers(client.round(deltaLink, pageRead::release), replica);
            }
            writer.join();
            replayManagers(client.round(deltaLink), replica);

            Map<String, String> expected = new HashMap<>();
            tenant.users().forEach(u -> {
                String id = u.get("id").asText();
                expected.put(id, tenant.managerId(id).orElse(""));
            });
            assertThat(replica).containsExactlyInAnyOrderEntriesOf(expected);
        }
    }

    /** Moves, removes, deletes and restores users and managers; the writer thread is the only one changing. */
    private static void reorganise(Tenant tenant, List<String> ids, Set<String> gone, SplittableRandom random) {
        String id = ids.get(random.nextInt(ids.size()));
        int dice = random.nextInt(12);
        if (gone.contains(id)) {
            return;
        }
        if (tenant.user(id).isEmpty()) {
            tenant.restoreUser(id);
        } else if (dice == 0) {
            ids.add(tenant.addUser(Map.of("displayName", "Hire")));
        } else if (dice == 1) {
            tenant.softDeleteUser(id);
        } else if (dice == 2) {
            tenant.hardDeleteUser(id);
            gone.add(id);
        } else if (dice <= 4) {
            tenant.setManager(id, null);
        } else {
            String manager = ids.get(random.nextInt(ids.size()));
            if (!manager.equals(id) && tenant.user(manager).isPresent()) {
                tenant.setManager(id, manager);
            }
        }
    }

    /** What an engine does with manager@delta: the latest named manager, none once it is removed. */
    private static String replayManagers(GraphTestClient.DeltaRound round, Map<String, String> replica) {
        for (JsonNode entry : round.entries()) {
            String id = entry.get("id").asText();
            if (entry.has("@removed")) {
                replica.remove(id);
            } else if (entry.has("manager@delta")) {
                JsonNode reference = entry.get("manager@delta").get(0);
                replica.put(id, reference.has("@removed") ? "" : reference.get("id").asText());
            } else {
                replica.putIfAbsent(id, "");
            }
        }
        return round.deltaLink();
    }

    private static void change(Tenant tenant, String id, int dice, int batch) {
        if (dice == 0) {
            tenant.addUser(Map.of("displayName", "Hire in batch " + batch));
        } else if (tenant.user(id).isEmpty()) {
            tenant.restoreUser(id);
        } else if (dice == 1) {
            tenant.softDeleteUser(id);
        } else {
            tenant.updateUser(id, Map.of("displayName", "Renamed in batch " + batch + " #" + dice));
        }
    }

    private static String replay(GraphTestClient.DeltaRound round, Map<String, String> replica) {
        for (JsonNode entry : round.entries()) {
            String id = entry.get("id").asText();
            if (entry.has("@removed")) {
                replica.remove(id);
            } else {
                replica.put(id, entry.get("displayName").asText());
            }
        }
        return round.deltaLink();
    }
}
