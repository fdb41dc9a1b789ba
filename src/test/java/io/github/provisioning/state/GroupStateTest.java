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
    private Stores state;

    /** Each test runs on embedded H2 and on PostgreSQL. */
    private void open(TestDatabase.Kind kind) {
        database = TestDatabase.create(kind);
        opened = database.open(dataDir);
        state = Stores.on(opened);
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

    private static GroupMemberStore.MemberChange joined(String id) {
        return new GroupMemberStore.MemberChange(id, "user", true);
    }

    private void linkUser(String sourceId, String targetId) {
        state.links().save(ObjectType.USER, new Link(sourceId, targetId, sourceId, true, Map.of(), "c0", null, null));
    }

    private void linkGroup(String sourceId) {
        state.links().save(ObjectType.GROUP,
                new Link(sourceId, "t-" + sourceId, sourceId, true, Map.of(), "c0", null, null));
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aGroupSplitAcrossPagesIsMergedWhateverTheOrder(TestDatabase.Kind kind) {
        open(kind);
        // The members come before the group's row.
        state.memberships().stageMembers("g", List.of(joined("u2"), joined("u3")), "c1");
        state.groups().stageGroup("g", GroupStore.GroupSource.PRESENT, group("Sales"), "c1");
        state.memberships().stageMembers("g", List.of(joined("u1"),
                new GroupMemberStore.MemberChange("u3", "user", false)), "c1");
        state.groups().stageGroup("g", GroupStore.GroupSource.PRESENT, group("Sales"), "c1");
        List.of("u1", "u2", "u3").forEach(u -> linkUser(u, "t-" + u));
        linkGroup("g");

        assertThat(state.memberships().memberAdditions("g", 100)).extracting(GroupMemberStore.GroupMember::memberId)
                .containsExactly("u1", "u2");
        assertThat(state.groups().groupSource("g").orElseThrow().properties().path("displayName").asText())
                .isEqualTo("Sales");
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void batchesComeFromTheStoreAndMarkedMembersAreNotSentAgain(TestDatabase.Kind kind) {
        open(kind);
        state.groups().stageGroup("g", GroupStore.GroupSource.PRESENT, group("Sales"), "c1");
        state.memberships().stageMembers("g", List.of(joined("u1"), joined("u2"), joined("u3"), joined("nobody"),
                new GroupMemberStore.MemberChange("nested", "group", true)), "c1");
        List.of("u1", "u2", "u3").forEach(u -> linkUser(u, "t-" + u));
        linkGroup("g");

        List<GroupMemberStore.GroupMember> first = state.memberships().memberAdditions("g", 2);
        state.memberships().markMembers("g", first, true);
        List<GroupMemberStore.GroupMember> second = state.memberships().memberAdditions("g", 2);
        state.memberships().markMembers("g", second, true);

        assertThat(first).extracting(GroupMemberStore.GroupMember::targetId).containsExactly("t-u1", "t-u2");
        assertThat(second).extracting(GroupMemberStore.GroupMember::targetId).containsExactly("t-u3");
        assertThat(state.memberships().memberAdditions("g", 2)).isEmpty();
        GroupMemberStore.CountedMembers skipped = state.memberships().skippedMembers("g", 10);
        assertThat(skipped.count()).isEqualTo(2);
        assertThat(skipped.ids()).containsExactly("nested", "nobody");

        linkUser("nobody", "t-nobody");  // provisioned later: the group needs only this one
        assertThat(state.groups().groupsToProvision(false)).contains("g");
        assertThat(state.memberships().memberAdditions("g", 100)).extracting(GroupMemberStore.GroupMember::memberId)
                .containsExactly("nobody");
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void leftMembersAreRemovedByTheirTargetIdAndDeletedUsersAreForgotten(TestDatabase.Kind kind) {
        open(kind);
        state.groups().stageGroup("g", GroupStore.GroupSource.PRESENT, group("Sales"), "c1");
        state.memberships().stageMembers("g", List.of(joined("u1"), joined("u2")), "c1");
        linkUser("u1", "t-u1");
        linkUser("u2", "t-u2");
        linkGroup("g");
        state.memberships().markMembers("g", state.memberships().memberAdditions("g", 100), true);
        state.groups().groupProcessed("g");
        assertThat(state.groups().groupsToProvision(false)).isEmpty();

        state.memberships().stageMembers("g", List.of(new GroupMemberStore.MemberChange("u1", "user", false),
                new GroupMemberStore.MemberChange("u2", "user", false)), "c2");
        // u2 deleted
        state.links().save(ObjectType.USER, new Link("u2", null, null, false, Map.of(), "c2", null, null));

        assertThat(state.memberships().memberRemovals("g", 100))
                .containsExactly(new GroupMemberStore.GroupMember("u1", "t-u1"));
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aFullRoundEndsWhatItDidNotList(TestDatabase.Kind kind) {
        open(kind);
        state.groups().stageGroup("kept", GroupStore.GroupSource.PRESENT, group("Kept"), "c1");
        state.groups().stageGroup("gone", GroupStore.GroupSource.PRESENT, group("Gone"), "c1");
        state.memberships().stageMembers("kept", List.of(joined("u1"), joined("u2")), "c1");

        state.groups().stageGroup("kept", GroupStore.GroupSource.PRESENT, group("Kept"), "c2");
        state.memberships().stageMembers("kept", List.of(joined("u1")), "c2");
        state.groups().finishFullGroupRound("c2");
        linkUser("u1", "t-u1");
        linkUser("u2", "t-u2");
        linkGroup("kept");

        assertThat(state.groups().groupSource("gone").orElseThrow().state()).isEqualTo(GroupStore.GroupSource.DELETED);
        assertThat(state.groups().groupSource("kept").orElseThrow().present()).isTrue();
        assertThat(state.memberships().memberAdditions("kept", 100)).extracting(GroupMemberStore.GroupMember::memberId)
                .containsExactly("u1");
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void assignedGroupsAndUnassignedOnesAreProvisioned(TestDatabase.Kind kind) {
        open(kind);
        state.scope().startNextScope();
        state.scope().addToNextGroupScope(List.of("a", "b", "a"));
        state.jobState().completeCycle(Map.of("groups-delta", "link-1"), true, false);
        state.scope().startNextScope();
        state.scope().addToNextGroupScope(List.of("b", "c"));

        assertThat(state.groups().groupsToProvision(true)).containsExactly("a", "c");
        assertThat(state.scope().inNextGroupScope("c")).isTrue();
        assertThat(state.scope().inNextGroupScope("a")).isFalse();
        assertThat(state.jobState().watermark("groups-delta")).contains("link-1");
    }
}
