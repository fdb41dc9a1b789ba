package io.github.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.provisioning.mapping.EntraReferenceExamplesTest;
import io.github.provisioning.mapping.EntraReferenceExamplesTest.Example;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every row of Microsoft's expression reference (the table EntraReferenceExamplesTest evaluates in Java), sent
 * through {@code POST /api/expressions/evaluate} of a running engine and compared to the value the reference shows.
 * One engine answers all rows; its tester's clock is set to each row's "now" first.
 *
 * <p>SelectUniqueValue rows are sent with {@code "target": "userName"}, so the tester asks the SCIM sandbox about
 * each candidate; the sandbox holds the row's {@code existing} values as accounts, and only them.
 */
class AdminApiReferenceExamplesTest extends EngineTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SettableClock clock = new SettableClock();
    private AdminClient admin;

    @BeforeEach
    void startEngine() throws Exception {
        Map<String, String> settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        admin = new AdminClient(settings.get("admin.port"), null);
        engine = EngineUnderTest.start(settings, dataDir, Map.of("testerClock", clock));
        engine.awaitInitialCycle();
    }

    @TestFactory
    Stream<DynamicTest> theTesterAnswersEveryDocumentedExampleWithTheDocumentedValue() throws Exception {
        List<Example> examples = EntraReferenceExamplesTest.examples();
        assertThat(examples).hasSizeGreaterThan(140);
        assertThat(examples).filteredOn(example -> !example.existing().isEmpty()).hasSize(2);
        return examples.stream().map(example -> DynamicTest.dynamicTest(example.toString(), () -> check(example)));
    }

    private void check(Example example) {
        clock.now = example.now();
        ObjectNode request = JSON.createObjectNode().put("expression", example.expression());
        request.set("user", JSON.valueToTree(example.input()));
        boolean asksTarget = example.expression().contains("SelectUniqueValue");
        scim.reset();
        if (asksTarget) {
            example.existing().forEach(userName -> scim.seedUser(seededAccount(userName)));
            request.put("target", "userName");
        }

        HttpResponse<String> response = admin.post("/api/expressions/evaluate", request.toString());

        JsonNode answer = admin.ok(response);
        assertThat(answer.path("checkedInTarget").asBoolean()).as("checkedInTarget").isEqualTo(asksTarget);
        if (example.ignored()) {
            assertThat(answer).isEqualTo(JSON.createObjectNode().putNull("value").put("ignored", true));
            return;
        }
        assertThat(answer.path("redacted").asBoolean()).as("redacted").isEqualTo(example.logged() != null);
        JsonNode value = answer.get("value");
        if (example.shape() != null) {
            assertThat(value.asText()).matches(example.shape());
        } else {
            assertThat(value).isEqualTo(JSON.valueToTree(example.output()));
        }
    }

    /** The tester's clock, set per row. */
    private static final class SettableClock extends Clock {
        volatile Instant now = Instant.EPOCH;

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException("the tester runs in UTC");
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
