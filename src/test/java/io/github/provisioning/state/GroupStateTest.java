package io.github.provisioning.state;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Group sources and memberships in the state store: merged by id, diffed into batches, reconciled by full rounds. */
class GroupStateTest {

    @TempDir
    Path dataDir;

    private TestDatabase database;
    private StateDatabase opened;
    private StateStore state;

    /** Each test runs on embedded H2 and on PostgreSQL. */
    private void open(TestDatabase.Kind kind) {
        database = TestDatabase.create(kind);
        opened = database.open(dataDir);
        state = new StateStore(opened.dataSource());
    }

    @AfterEach
    void close() {
        if (state != null) {
            state.close();
        }
        if (opened != null) {
            opened.close();
        }
        if (database != null) {
            database.close();
        }
    }

    private static ObjectNode group(String name) {
        return new ObjectMapper().createObjectNode().put("displayName", name);
    }

    private static StateStore.MemberChange joined(String id) {
        return new StateStore.MemberChange(id, "user", true);
    }

    private void linkUser(String sourceId, String targetId) {
        state.save(StateStore.USER, new Link(sourceId, targetId, sourceId, true, Map.of(), "c0", null, null));
    }

    private void linkGroup(String sourceId) {
        state.save(StateStore.GROUP, new Link(sourceId, "t-" + sourceId, sourceId, true, Map.of(), "c0", null, null));
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aGroupSplitAcrossPagesIsMergedWhateverTheOrder(TestDatabase.Kind kind) {
        open(kind);
        state.stageMembers("g", List.of(joined("u2"), joined("u3")), "c1");   // members before the group's row
        state.stageGroup("g", StateStore.GroupSource.PRESENT, group("Sales"), "c1");
        state.stageMembers("g", List.of(joined("u1"), new StateStore.MemberChange("u3", "user", false)), "c1");
        state.stageGroup("g", StateStore.GroupSource.PRESENT, group("Sales"), "c1");
        List.of("u1", "u2", "u3").forEach(u -> linkUser(u, "t-" + u));
        linkGroup("g");

        assertThat(state.memberAdditions("g", 100)).extracting(StateStore.GroupMember::memberId)
                .containsExactly("u1", "u2");
        assertThat(state.groupSource("g").orElseThrow().properties().path("displayName").asText()).isEqualTo("Sales");
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void batchesComeFromTheStoreAndMarkedMembersAreNotSentAgain(TestDatabase.Kind kind) {
        open(kind);
        state.stageGroup("g", StateStore.GroupSource.PRESENT, group("Sales"), "c1");
        state.stageMembers("g", List.of(joined("u1"), joined("u2"), joined("u3"), joined("nobody"),
                new StateStore.MemberChange("nested", "group", true)), "c1");
        List.of("u1", "u2", "u3").forEach(u -> linkUser(u, "t-" + u));
        linkGroup("g");

        List<StateStore.GroupMember> first = state.memberAdditions("g", 2);
        state.markMembers("g", first, true);
        List<StateStore.GroupMember> second = state.memberAdditions("g", 2);
        state.markMembers("g", second, true);

        assertThat(first).extracting(StateStore.GroupMember::targetId).containsExactly("t-u1", "t-u2");
        assertThat(second).extracting(StateStore.GroupMember::targetId).containsExactly("t-u3");
        assertThat(state.memberAdditions("g", 2)).isEmpty();
        StateStore.CountedMembers skipped = state.skippedMembers("g", 10);
        assertThat(skipped.count()).isEqualTo(2);
        assertThat(skipped.ids()).containsExactly("nested", "nobody");

        linkUser("nobody", "t-nobody");  // provisioned later: the group needs only this one
        assertThat(state.groupsToProvision(false)).contains("g");
        assertThat(state.memberAdditions("g", 100)).extracting(StateStore.GroupMember::memberId)
                .containsExactly("nobody");
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void leftMembersAreRemovedByTheirTargetIdAndDeletedUsersAreForgotten(TestDatabase.Kind kind) {
        open(kind);
        state.stageGroup("g", StateStore.GroupSource.PRESENT, group("Sales"), "c1");
        state.stageMembers("g", List.of(joined("u1"), joined("u2")), "c1");
        linkUser("u1", "t-u1");
        linkUser("u2", "t-u2");
        linkGroup("g");
        state.markMembers("g", state.memberAdditions("g", 100), true);
        state.groupProcessed("g");
        assertThat(state.groupsToProvision(false)).isEmpty();

        state.stageMembers("g", List.of(new StateStore.MemberChange("u1", "user", false),
                new StateStore.MemberChange("u2", "user", false)), "c2");
        state.save(StateStore.USER, new Link("u2", null, null, false, Map.of(), "c2", null, null));  // u2 deleted

        assertThat(state.memberRemovals("g", 100)).containsExactly(new StateStore.GroupMember("u1", "t-u1"));
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aFullRoundEndsWhatItDidNotList(TestDatabase.Kind kind) {
        open(kind);
        state.stageGroup("kept", StateStore.GroupSource.PRESENT, group("Kept"), "c1");
        state.stageGroup("gone", StateStore.GroupSource.PRESENT, group("Gone"), "c1");
        state.stageMembers("kept", List.of(joined("u1"), joined("u2")), "c1");

        state.stageGroup("kept", StateStore.GroupSource.PRESENT, group("Kept"), "c2");
        state.stageMembers("kept", List.of(joined("u1")), "c2");
        state.finishFullGroupRound("c2");
        linkUser("u1", "t-u1");
        linkUser("u2", "t-u2");
        linkGroup("kept");

        assertThat(state.groupSource("gone").orElseThrow().state()).isEqualTo(StateStore.GroupSource.DELETED);
        assertThat(state.groupSource("kept").orElseThrow().present()).isTrue();
        assertThat(state.memberAdditions("kept", 100)).extracting(StateStore.GroupMember::memberId)
                .containsExactly("u1");
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void assignedGroupsAndUnassignedOnesAreProvisioned(TestDatabase.Kind kind) {
        open(kind);
        state.startNextScope();
        state.addToNextGroupScope(List.of("a", "b", "a"));
        state.completeCycle(Map.of("groups-delta", "link-1"), true, false);
        state.startNextScope();
        state.addToNextGroupScope(List.of("b", "c"));

        assertThat(state.groupsToProvision(true)).containsExactly("a", "c");
        assertThat(state.inNextGroupScope("c")).isTrue();
        assertThat(state.inNextGroupScope("a")).isFalse();
        assertThat(state.watermark("groups-delta")).contains("link-1");
    }
}
