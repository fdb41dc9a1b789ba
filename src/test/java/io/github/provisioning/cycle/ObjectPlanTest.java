package io.github.provisioning.cycle;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.provisioning.graph.SourceChange;
import io.github.provisioning.scim.ScimRequest;
import io.github.provisioning.scim.ScimResponse;
import io.github.provisioning.state.CreateIntent;
import io.github.provisioning.state.Link;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ObjectPlanTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final CycleRun cycle = new CycleRun("c2", CycleRun.Type.INCREMENTAL, Instant.EPOCH);

    @Test
    void aUserLinkedByItsCreateIntentWithNoOtherReasonLogsOnlyTheLinkNeverANull() throws Exception {
        UserPlan plan = linkedByIntent();
        plan.send(ObjectPlan.Step.UPDATE, ScimRequest.patch("/Users/t1", "{}"));
        plan.finish("update", "success", null);

        assertThat(plan.logEntry().reason()).isEqualTo(ObjectPlan.LINKED_BY_INTENT);
    }

    @Test
    void aUserLinkedByItsCreateIntentLogsTheLinkThenTheOutcomesReason() throws Exception {
        UserPlan plan = linkedByIntent();
        plan.finish("other", "skipped", "no change");

        assertThat(plan.logEntry().reason()).isEqualTo(ObjectPlan.LINKED_BY_INTENT + "; no change");
    }

    @Test
    void reasonsJoinOnlyWhatIsThere() {
        assertThat(ObjectPlan.join(null, null)).isNull();
        assertThat(ObjectPlan.join("a", null)).isEqualTo("a");
        assertThat(ObjectPlan.join(null, "b")).isEqualTo("b");
        assertThat(ObjectPlan.join("a", "b")).isEqualTo("a; b");
    }

    /** A user whose stored create intent was matched: the account found is linked. */
    private UserPlan linkedByIntent() throws Exception {
        ObjectNode graph = (ObjectNode) JSON.readTree("{\"id\":\"u1\",\"userPrincipalName\":\"a@x\"}");
        CreateIntent intent = new CreateIntent("userName", "a@x", "c1", Instant.EPOCH);
        Link link = new Link("u1", null, null, false, Map.of(), "c1", null, null, null, intent);
        UserPlan plan = new UserPlan(null, cycle, SourceChange.present(graph), link, null, false);
        plan.resolveIntentFirst();
        plan.matching(new ObjectPlan.MatchCandidate("userName", "a@x"));
        plan.send(ObjectPlan.Step.MATCH, ScimRequest.get("/Users", "filter=userName eq \"a@x\""));
        ScimResponse found = new ScimResponse(200, JSON.readTree(
                "{\"totalResults\":1,\"Resources\":[{\"id\":\"t1\",\"userName\":\"a@x\"}]}"), null);

        assertThat(plan.intentResolved(found, "accounts", List.of("userName"))).isTrue();
        assertThat(plan.targetId()).isEqualTo("t1");
        return plan;
    }
}
