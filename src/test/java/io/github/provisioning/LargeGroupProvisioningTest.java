package io.github.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.provisioning.cycle.CycleReport;
import io.github.provisioning.sandbox.graph.GraphSimulatorConfig;
import io.github.provisioning.sandbox.scim.RecordedRequest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A group of 10,000 members, which Graph splits across many groups delta pages (the same group again with more
 * members@delta each time): provisioned with ⌈10,000 / members-per-patch⌉ member PATCHes, no member lost or sent
 * twice.
 */
class LargeGroupProvisioningTest extends EngineTest {

    private static final int MEMBERS = Integer.getInteger("large.members", 10_000);
    private static final int PER_PATCH = 100;

    @Override
    GraphSimulatorConfig graphConfig() {
        return super.graphConfig().withPageSize(500);
    }

    @Test
    void tenThousandMembersAcrossGraphPagesGoInExactlyOneHundredPatches() throws Exception {
        String everyone = tenant.addGroup("Everyone");
        String small = tenant.addGroup("Small");
        for (int i = 0; i < MEMBERS; i++) {
            String user = tenant.addUser(Map.of("userPrincipalName", "member" + i + "@contoso.example",
                    "displayName", "Member " + i, "mailNickname", "member" + i, "accountEnabled", true));
            tenant.addMember(everyone, user);
            if (i % 1000 == 0) {
                tenant.addMember(small, user);
            }
        }
        Map<String, String> settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        settings.put("provisioning.mapping", "classpath:mappings/generic-scim.yaml");
        settings.put("provisioning.scope", "all");
        settings.put("scim.members-per-patch", String.valueOf(PER_PATCH));
        settings.put("provisioning.concurrency", System.getProperty("large.concurrency", "16"));
        settings.put("scim.concurrency", System.getProperty("large.concurrency", "16"));
        engine = EngineUnderTest.start(settings, dataDir);

        // 10,000 users are created first (a match and a POST each): minutes on a busy machine.
        CycleReport report = engine.awaitInitialCycle(java.time.Duration.ofMinutes(20));

        assertThat(report.counts()).containsEntry("created", MEMBERS).containsEntry("failed", 0)
                .containsEntry("groups.created", 2).containsEntry("groups.failed", 0);
        String everyoneId = scim.groupByDisplayName("Everyone").orElseThrow().path("id").asText();
        List<RecordedRequest> patches = scim.requests().stream()
                .filter(r -> r.line().equals("PATCH /Groups/" + everyoneId)).toList();
        assertThat(patches).hasSize((MEMBERS + PER_PATCH - 1) / PER_PATCH);
        List<String> sent = new ArrayList<>();
        for (RecordedRequest patch : patches) {
            JsonNode operations = GroupProvisioningTest.body(patch).path("Operations");
            assertThat(operations).hasSize(1);
            assertThat(operations.at("/0/op").asText()).isEqualTo("add");
            assertThat(operations.at("/0/value").size()).isLessThanOrEqualTo(PER_PATCH);
            operations.at("/0/value").forEach(v -> sent.add(v.path("value").asText()));
        }
        Set<String> userIds = new HashSet<>();
        scim.users().forEach(u -> userIds.add(u.path("id").asText()));
        assertThat(sent).hasSize(MEMBERS).doesNotHaveDuplicates();
        assertThat(new HashSet<>(sent)).isEqualTo(userIds);
        assertThat(scim.groupByDisplayName("Everyone").orElseThrow().path("members")).hasSize(MEMBERS);
        assertThat(scim.groupByDisplayName("Small").orElseThrow().path("members")).hasSize(MEMBERS / 1000);

        JsonNode line = engine.logLines().stream().filter(l -> l.path("objectType").asText().equals("group"))
                .filter(l -> l.path("sourceId").asText().equals(everyone)).findFirst().orElseThrow();
        JsonNode added = GroupProvisioningTest.property(line, "members.added").path("new");
        assertThat(added.path("count").asInt()).isEqualTo(MEMBERS);
        assertThat(added.path("ids").size()).isLessThan(MEMBERS);
        assertThat(added.path("truncated").asBoolean()).isTrue();

        scim.clearRequests();
        assertThat(engine.runCycle().counts()).containsEntry("groups.updated", 0);
        assertThat(writes()).as("an unchanged big group sends nothing").isEmpty();
    }
}
