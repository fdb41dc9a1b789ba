package io.github.provisioning.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ScopeIdsTest {

    @Test
    void holdsManyGuidsExactlyAndGivesThemBackAsRead() {
        Random random = new Random(7);
        List<String> added = new ArrayList<>();
        ScopeIds ids = new ScopeIds();
        for (int i = 0; i < 50_000; i++) {
            String id = new UUID(random.nextLong(), random.nextLong()).toString();
            added.add(id);
            ids.add(id);
            ids.add(id);
        }
        assertThat(ids.size()).isEqualTo(50_000);
        assertThat(added).allMatch(ids::contains);
        for (int i = 0; i < 50_000; i++) {
            assertThat(ids.contains(new UUID(random.nextLong(), random.nextLong()).toString())).isFalse();
        }
        Set<String> given = new HashSet<>();
        ids.forEachInOrder(given::add);
        assertThat(given).isEqualTo(new HashSet<>(added));

        ids.add("user-1");
        ids.clear();
        assertThat(ids.size()).isZero();
        assertThat(ids.contains(added.get(0))).isFalse();
        assertThat(ids.contains("user-1")).isFalse();
        ids.add(added.get(1));
        assertThat(ids.contains(added.get(1))).isTrue();
        assertThat(ids.size()).isEqualTo(1);
    }

    @Test
    void givesTheIdsInAboutTheOrderOfTheirStringsTheGuidsByTheirFirst32BitsThenTheOthersSorted() {
        Random random = new Random(11);
        ScopeIds ids = new ScopeIds();
        for (int i = 0; i < 20_000; i++) {
            ids.add(new UUID(random.nextLong(), random.nextLong()).toString());
        }
        ids.add("user-2");
        ids.add("user-1");
        // The first 32 bits: high and low, which signed order would put the other way round.
        ids.add("ffffffff-0000-4000-8000-000000000001");
        ids.add("00000000-0000-4000-8000-000000000001");

        List<String> given = new ArrayList<>();
        ids.forEachInOrder(given::add);

        assertThat(given).hasSize(20_004).doesNotHaveDuplicates();
        List<String> guids = given.subList(0, 20_002);
        assertThat(guids.get(0)).isEqualTo("00000000-0000-4000-8000-000000000001");
        assertThat(guids.get(guids.size() - 1)).isEqualTo("ffffffff-0000-4000-8000-000000000001");
        assertThat(guids).extracting(id -> id.substring(0, 8)).isSorted();
        assertThat(given.subList(20_002, 20_004)).containsExactly("user-1", "user-2");
    }

    @Test
    void guidsThatDifferInOneBitOrOnlyInCaseAreDifferentIds() {
        String id = "6f1c2d3e-0a4b-4c5d-8e9f-a0b1c2d3e4f5";
        ScopeIds ids = new ScopeIds();
        ids.add(id);
        assertThat(ids.contains(id.toUpperCase())).isFalse();
        assertThat(ids.contains("6f1c2d3e-0a4b-4c5d-8e9f-a0b1c2d3e4f4")).isFalse();
        assertThat(ids.contains("7f1c2d3e-0a4b-4c5d-8e9f-a0b1c2d3e4f5")).isFalse();
        ids.add(id.toUpperCase());
        Set<String> given = new HashSet<>();
        ids.forEachInOrder(given::add);
        assertThat(given).containsExactlyInAnyOrder(id, id.toUpperCase());
    }

    @Test
    void idsThatAreNoGuidAreKeptAsTheyAre() {
        List<String> odd = List.of("user-1", "", "00000000-0000-0000-0000-000000000000",
                "6f1c2d3e0a4b-4c5d-8e9f-a0b1c2d3e4f5a", "6f1c2d3e-0a4b-4c5d-8e9f-a0b1c2d3e4fg",
                "{6f1c2d3e-0a4b-4c5d-8e9f-a0b1c2d3e4}");
        ScopeIds ids = new ScopeIds();
        odd.forEach(ids::add);
        assertThat(odd).allMatch(ids::contains);
        assertThat(ids.contains("user-2")).isFalse();
        Set<String> given = new HashSet<>();
        ids.forEachInOrder(given::add);
        assertThat(given).containsExactlyInAnyOrderElementsOf(odd);
        assertThat(ScopeIds.guid("00000000-0000-0000-0000-000000000001")).containsExactly(0L, 1L);
    }
}
