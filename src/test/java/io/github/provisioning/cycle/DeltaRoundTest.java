package io.github.provisioning.cycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.provisioning.graph.DeltaTokenExpiredException;
import io.github.provisioning.graph.GraphException;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.provisioning.graph.GraphPage;
import io.github.provisioning.graph.SourceChange;
import io.github.provisioning.state.GroupStore;
import io.github.provisioning.state.Stores;
import io.github.provisioning.state.TestDatabase;
import io.github.provisioning.state.TestStores;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The users delta round a cycle reads is stored after each page, and the next cycle goes on with it. */
class DeltaRoundTest {

    private static final String GRAPH = "http://127.0.0.1:1/v1.0";

    @RegisterExtension
    final TestStores stores = new TestStores();

    @TempDir
    Path dataDir;

    @Test
    void aRoundIsStoredAsTextAndReadBack() {
        DeltaRound round = new DeltaRound("r1", true, GRAPH + "/users/delta?$skiptoken=abc", 7, "fp");

        assertThat(DeltaRound.decode(round.encode())).contains(round);
        assertThat(DeltaRound.decode("not json")).isEmpty();
        assertThat(DeltaRound.decode("{\"id\":\"r1\"}")).isEmpty();
        assertThat(DeltaRound.decode(null)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aCycleThatStoppedMidRoundIsFollowedByOneThatReadsOnFromThePageNotDone(TestDatabase.Kind kind) {
        Stores state = stores.state(kind);
        Cycles first = cycles(state, "fp");
        CycleRun stopped = first.begin();
        assertThat(first.userDeltaUrl(stopped)).isEqualTo(GRAPH + "/users/delta?$select=id");
        first.pageRead(stopped, new GraphPage(List.of(), GRAPH + "/users/delta?$skiptoken=p2", null));
        first.pageRead(stopped, new GraphPage(List.of(), GRAPH + "/users/delta?$skiptoken=p3", null));
        // The process dies here: the cycle never completes.

        Cycles restarted = cycles(state, "fp");
        CycleRun resumed = restarted.begin();

        assertThat(resumed.type()).isEqualTo(CycleRun.Type.INITIAL);
        assertThat(resumed.roundId()).isEqualTo(stopped.roundId()).isEqualTo(stopped.id());
        assertThat(resumed.fullRound()).isTrue();
        assertThat(resumed.resumed().pagesDone()).isEqualTo(2);
        assertThat(restarted.userDeltaUrl(resumed)).isEqualTo(GRAPH + "/users/delta?$skiptoken=p3");

        restarted.pageRead(resumed, new GraphPage(List.of(), null, GRAPH + "/users/delta?$deltatoken=d1"));
        restarted.complete(resumed);

        CycleRun next = cycles(state, "fp").begin();
        assertThat(next.type()).isEqualTo(CycleRun.Type.INCREMENTAL);
        assertThat(next.resumed()).isNull();
        assertThat(next.roundId()).isEqualTo(next.id());
        assertThat(cycles(state, "fp").userDeltaUrl(next)).isEqualTo(GRAPH + "/users/delta?$deltatoken=d1");
    }

    @Test
    void aRoundReadWithAnotherMappingOrScopeIsNotResumed() {
        Stores state = stores.state(TestDatabase.Kind.H2);
        Cycles first = cycles(state, "fp-1");
        CycleRun stopped = first.begin();
        first.pageRead(stopped, new GraphPage(List.of(), GRAPH + "/users/delta?$skiptoken=p2", null));

        Cycles changed = cycles(state, "fp-2");
        CycleRun cycle = changed.begin();

        assertThat(cycle.resumed()).isNull();
        assertThat(cycle.type()).isEqualTo(CycleRun.Type.INITIAL);
        assertThat(changed.userDeltaUrl(cycle)).isEqualTo(GRAPH + "/users/delta?$select=id");
    }

    @Test
    void anIncrementalRoundStoppedMidwayResumesAsAnIncrementalCycle() {
        Stores state = stores.state(TestDatabase.Kind.H2);
        Cycles cycles = cycles(state, "fp");
        CycleRun initial = cycles.begin();
        cycles.pageRead(initial, new GraphPage(List.of(), null, GRAPH + "/users/delta?$deltatoken=d1"));
        cycles.complete(initial);
        CycleRun incremental = cycles.begin();
        cycles.pageRead(incremental, new GraphPage(List.of(), GRAPH + "/users/delta?$skiptoken=i2", null));

        CycleRun resumed = cycles(state, "fp").begin();

        assertThat(resumed.type()).isEqualTo(CycleRun.Type.INCREMENTAL);
        assertThat(resumed.fullRound()).isFalse();
        assertThat(resumed.roundId()).isEqualTo(incremental.id());
        assertThat(cycles.userDeltaUrl(resumed)).isEqualTo(GRAPH + "/users/delta?$skiptoken=i2");
    }

    @Test
    void aResumedPageGraphRefusesStartsAFullRoundAndAnyOtherRefusalFailsTheCycle() {
        Stores state = stores.state(TestDatabase.Kind.H2);
        Cycles first = cycles(state, "fp");
        CycleRun stopped = first.begin();
        first.pageRead(stopped, new GraphPage(List.of(), GRAPH + "/users/delta?$skiptoken=p2", null));
        Cycles cycles = cycles(state, "fp");
        CycleRun resumed = cycles.begin();

        assertThatThrownBy(() -> cycles.restartDeltaRound(resumed, new GraphException(500, "generalException", "x")))
                .isInstanceOf(GraphException.class);
        GraphPage restart = cycles.restartDeltaRound(resumed, new GraphException(400, "BadRequest", "bad token"));

        assertThat(restart.nextLink()).isEqualTo(GRAPH + "/users/delta?$select=id");
        assertThat(resumed.resumed()).isNull();
        assertThat(resumed.fullRound()).isTrue();
        assertThat(resumed.roundId()).isNotEqualTo(stopped.roundId());
        // Past the resumed page, a 400 is Graph's answer to a bad request, not an expired page.
        cycles.pageRead(resumed, restart);
        assertThatThrownBy(() -> cycles.restartDeltaRound(resumed, new GraphException(400, "BadRequest", "bad")))
                .isInstanceOf(GraphException.class);
        assertThat(cycles.restartDeltaRound(resumed, new DeltaTokenExpiredException(400, "syncStateNotFound", "x"))
                .nextLink()).isEqualTo(GRAPH + "/users/delta?$select=id");
    }

    @Test
    void aRestartForgetsTheRoundInProgress() {
        Stores state = stores.state(TestDatabase.Kind.H2);
        Cycles cycles = cycles(state, "fp");
        CycleRun stopped = cycles.begin();
        cycles.pageRead(stopped, new GraphPage(List.of(), GRAPH + "/users/delta?$skiptoken=p2", null));
        Cycles restarted = cycles(state, "fp");
        assertThat(restarted.pauseCycles()).isTrue();
        restarted.restart(false);
        restarted.resumeCycles();

        CycleRun cycle = restarted.begin();

        assertThat(cycle.resumed()).isNull();
        assertThat(restarted.userDeltaUrl(cycle)).isEqualTo(GRAPH + "/users/delta?$select=id");
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aGroupsRoundGoesOnWhereItStoppedAndItsEndJudgesWhatTheWholeRoundListed(TestDatabase.Kind kind) {
        Stores state = stores.state(kind);
        state.groups().stageGroup("g-gone", GroupStore.GroupSource.PRESENT, null, "an-earlier-round");
        Cycles cycles = cycles(state, "fp");
        Groups groups = groups(state, "fp");
        CycleRun stopped = cycles.begin();
        assertThat(groups.deltaUrl(stopped)).isEqualTo(GRAPH + "/groups/delta?$select=displayName");
        GraphPage first = new GraphPage(List.of(group("g-1")), GRAPH + "/groups/delta?$skiptoken=g2", null);
        groups.stage(stopped, first);
        groups.pageRead(stopped, first);

        Cycles restartedCycles = cycles(state, "fp");
        Groups restarted = groups(state, "fp");
        CycleRun resumed = restartedCycles.begin();
        assertThat(restarted.deltaUrl(resumed)).isEqualTo(GRAPH + "/groups/delta?$skiptoken=g2");
        assertThat(resumed.groupsRound().id()).isEqualTo(stopped.groupsRound().id());
        assertThat(resumed.groupsRound().full()).isTrue();
        GraphPage last = new GraphPage(List.of(group("g-2")), null, GRAPH + "/groups/delta?$deltatoken=gd");
        restarted.stage(resumed, last);
        restarted.pageRead(resumed, last);
        restarted.roundRead(resumed);

        // g-1 was listed by the run that stopped: the same round, so it is not taken for gone.
        assertThat(state.groups().groupSource("g-1").orElseThrow().state()).isEqualTo(GroupStore.GroupSource.PRESENT);
        assertThat(state.groups().groupSource("g-2").orElseThrow().state()).isEqualTo(GroupStore.GroupSource.PRESENT);
        assertThat(state.groups().groupSource("g-gone").orElseThrow().state())
                .isEqualTo(GroupStore.GroupSource.DELETED);

        resumed.userDeltaLink(GRAPH + "/users/delta?$deltatoken=ud");
        restartedCycles.complete(resumed);
        CycleRun next = cycles(state, "fp").begin();
        assertThat(groups(state, "fp").deltaUrl(next)).isEqualTo(GRAPH + "/groups/delta?$deltatoken=gd");
        assertThat(next.groupsRound().full()).isFalse();
    }

    @Test
    void aResumedGroupsPageGraphRefusesStartsAFullGroupsRound() {
        Stores state = stores.state(TestDatabase.Kind.H2);
        Groups groups = groups(state, "fp");
        CycleRun stopped = cycles(state, "fp").begin();
        groups.deltaUrl(stopped);
        groups.pageRead(stopped, new GraphPage(List.of(), GRAPH + "/groups/delta?$skiptoken=g2", null));
        CycleRun resumed = cycles(state, "fp").begin();
        groups.deltaUrl(resumed);

        GraphPage restart = groups.restartDeltaRound(resumed, new GraphException(400, "BadRequest", "bad token"));

        assertThat(restart.nextLink()).isEqualTo(GRAPH + "/groups/delta?$select=displayName");
        assertThat(resumed.groupsRound().id()).isNotEqualTo(stopped.groupsRound().id());
        assertThatThrownBy(() -> groups.restartDeltaRound(resumed, new GraphException(400, "BadRequest", "bad")))
                .isInstanceOf(GraphException.class);
    }

    private static SourceChange group(String id) {
        ObjectNode graph = JsonNodeFactory.instance.objectNode().put("id", id).put("displayName", id);
        return new SourceChange(id, graph, SourceChange.Kind.PRESENT);
    }

    private static Groups groups(Stores state, String fingerprint) {
        return new Groups(state.groups(), state.memberships(), state.scope(), state.jobState(), GRAPH, true, false,
                "displayName", fingerprint);
    }

    /** The cycles of an engine (re)started on {@code state}, with scope all and mapping fingerprint {@code fp}. */
    private Cycles cycles(Stores state, String fingerprint) {
        return new Cycles(state.database(), state.links(), state.scope(), state.appRoles(), state.jobState(), dataDir,
                GRAPH, null, false, "id", fingerprint, new RunOutcome(), Clock.systemUTC());
    }
}
