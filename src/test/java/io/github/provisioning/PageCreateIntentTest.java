package io.github.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.provisioning.cycle.CycleReport;
import io.github.provisioning.sandbox.scim.HeldReply;
import io.github.provisioning.state.CreateIntent;
import io.github.provisioning.state.Link;
import io.github.provisioning.state.LinkStore;
import io.github.provisioning.state.ObjectType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A delta page's create intents are stored together before its first POST, so that its creates need not commit one
 * each; its users' outcomes then clear them. One user at a time, so that the first POST, held by the target, comes
 * before any other user of the page is planned.
 */
class PageCreateIntentTest extends EngineTest {

    @TempDir
    Path config;

    @Test
    void aPagesCreateIntentsAreStoredBeforeItsFirstPostAndClearedByTheOutcomes() throws Exception {
        Map<String, String> assigned = new LinkedHashMap<>();
        for (String upn : List.of("ann@contoso.example", "bob@contoso.example", "cy@contoso.example")) {
            String id = tenant.addUser(engineer(upn));
            tenant.assign(id);
            assigned.put(id, upn);
        }
        String unassigned = tenant.addUser(engineer("dee@contoso.example"));
        Map<String, String> settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        settings.put("provisioning.concurrency", "1");
        HeldReply firstCreate = scim.holdReply("POST", "/Users", 0);

        engine = EngineUnderTest.start(settings, dataDir);
        await().atMost(Duration.ofSeconds(60)).until(firstCreate::reached);
        LinkStore links = engine.context().getRegistry().lookupByNameAndType("default.linkStore", LinkStore.class);

        for (Map.Entry<String, String> user : assigned.entrySet()) {
            CreateIntent intent = links.link(ObjectType.USER, user.getKey()).map(Link::intent).orElse(null);
            assertThat(intent).as(user.getValue()).isNotNull();
            assertThat(intent.attribute()).isEqualTo("userName");
            assertThat(intent.value()).isEqualTo(user.getValue());
        }
        assertThat(links.link(ObjectType.USER, unassigned)).isEmpty();
        firstCreate.release();

        CycleReport initial = engine.awaitInitialCycle();
        assertThat(initial.counts()).containsEntry("created", 3)
                .containsEntry("failed", 0);
        for (String id : assigned.keySet()) {
            assertThat(links.link(ObjectType.USER, id)).get().satisfies(link -> {
                assertThat(link.intent()).isNull();
                assertThat(link.targetId()).isNotNull();
            });
        }
        assertThat(writes().stream().filter(r -> r.method().equals("POST")).toList()).hasSize(3);
    }

    @Test
    void aUserWhoseMatchingValueCannotBeEvaluatedFailsAloneAndThePageGoesOn() throws Exception {
        // Mid's length is the job title: not a number for Bob, so his userName cannot be evaluated.
        Path mapping = config.resolve("mapping.yaml");
        Files.writeString(mapping, """
                user:
                  mappings:
                    - target: userName
                      expression: 'IIF([jobTitle]="Broken", Mid([userPrincipalName], 1, [jobTitle]), [userPrincipalName])'
                      match: 1
                    - {target: displayName, source: displayName}
                """);
        for (String upn : List.of("ann@contoso.example", "bob@contoso.example", "cy@contoso.example")) {
            Map<String, Object> user = engineer(upn);
            if (upn.startsWith("bob")) {
                user.put("jobTitle", "Broken");
            }
            tenant.assign(tenant.addUser(user));
        }
        Map<String, String> settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        settings.put("provisioning.mapping", "file:" + mapping);
        engine = EngineUnderTest.start(settings, dataDir);

        CycleReport initial = engine.awaitInitialCycle();

        assertThat(initial.counts()).containsEntry("created", 2).containsEntry("failed", 1);
        assertThat(scim.users()).hasSize(2);
        assertThat(engine.logLines()).filteredOn(line -> line.path("status").asText().equals("failure"))
                .singleElement().satisfies(line ->
                        assertThat(line.path("error").path("code").asText()).isEqualTo("MappingEvaluationFailed"));
    }
}
