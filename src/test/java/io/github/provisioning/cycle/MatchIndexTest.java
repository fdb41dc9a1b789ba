package io.github.provisioning.cycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.provisioning.http.RetryPolicy;
import io.github.provisioning.scim.ScimCredentialsException;
import io.github.provisioning.scim.ScimDialect;
import io.github.provisioning.scim.ScimResponse;
import io.github.provisioning.scim.TargetCapabilities;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The listing's edge cases: targets that page wrongly, answer without totals, throttle or refuse. */
class MatchIndexTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final RetryPolicy RETRIES = new RetryPolicy(3, Duration.ofMillis(100), Duration.ofSeconds(1),
            Clock.systemUTC());

    private final MatchIndex index = new MatchIndex(MatchIndex.Mode.INITIAL,
            List.of("userName", "emails[type eq \"work\"].value"), 2, RETRIES);
    private final CycleRun initial = new CycleRun("c1", CycleRun.Type.INITIAL, Instant.now());

    @Test
    void asksForTheMatchingAttributesAndReadsEveryPage() throws Exception {
        assertThat(index.begin(initial)).isTrue();
        assertThat(index.pageRequest().query()).isEqualTo("attributes=userName%2Cemails&startIndex=1&count=2");

        assertThat(index.read(page(3, "a", "b"))).isTrue();
        assertThat(index.pageRequest().query()).endsWith("startIndex=3&count=2");
        assertThat(index.read(page(3, "c"))).isFalse();

        assertThat(index.rulesOut(initial, candidates("userName", "A@x"))).isFalse();
        assertThat(index.rulesOut(initial, candidates("emails[type eq \"work\"].value", "c@work"))).isFalse();
        assertThat(index.rulesOut(initial, candidates("userName", "d@x"))).isTrue();
        // Another cycle (or provision on demand) never uses this cycle's listing.
        assertThat(index.rulesOut(new CycleRun("c2", CycleRun.Type.INITIAL, Instant.now()),
                candidates("userName", "d@x"))).isFalse();
    }

    @Test
    void anEmptyTargetRulesOutEveryone() throws Exception {
        index.begin(initial);

        assertThat(index.read(page(0))).isFalse();

        assertThat(index.rulesOut(initial, candidates("userName", "a@x"))).isTrue();
    }

    @Test
    void aTargetThatAnswersTheSamePageAgainGetsNoIndex() throws Exception {
        index.begin(initial);

        assertThat(index.read(page(4, "a", "b"))).isTrue();
        assertThat(index.read(page(4, "a", "b"))).isFalse();

        assertThat(index.rulesOut(initial, candidates("userName", "z@x"))).isFalse();
    }

    @Test
    void aListThatEndsBeforeItsTotalOrHasNoTotalGetsNoIndex() throws Exception {
        index.begin(initial);
        index.read(page(5, "a", "b"));
        assertThat(index.read(page(5))).isFalse();
        assertThat(index.rulesOut(initial, candidates("userName", "z@x"))).isFalse();

        index.begin(initial);
        assertThat(index.read(new ScimResponse(200, JSON.readTree("{\"Resources\":[]}"), null))).isFalse();
        assertThat(index.rulesOut(initial, candidates("userName", "z@x"))).isFalse();
    }

    @Test
    void throttlingIsWaitedOutThenTheListingGivesUp() throws Exception {
        index.begin(initial);
        ScimResponse throttled = new ScimResponse(429, JSON.createObjectNode(), "0.5");

        assertThat(index.read(throttled)).isTrue();
        assertThat(index.delayMillis()).isEqualTo(500);
        assertThat(index.read(throttled)).isTrue();
        assertThat(index.read(throttled)).isFalse();
        assertThat(index.rulesOut(initial, candidates("userName", "z@x"))).isFalse();
    }

    @Test
    void rejectedCredentialsStopTheCycle() {
        index.begin(initial);

        assertThatThrownBy(() -> index.read(new ScimResponse(401, JSON.createObjectNode(), null)))
                .isInstanceOf(ScimCredentialsException.class)
                .hasMessageStartingWith("the SCIM target rejected the credentials (SCIM target answered 401");
    }

    @Test
    void aTargetWithoutFiltersIsListedEveryCycleWithItsAccountIds() throws Exception {
        TargetCapabilities target = new TargetCapabilities(ScimDialect.COMPLIANT, false);
        target.read(new ScimResponse(200, JSON.readTree("{\"filter\":{\"supported\":false}}"), null));
        MatchIndex listing = new MatchIndex(MatchIndex.Mode.OFF, List.of("userName"), 2, RETRIES, target);
        CycleRun incremental = new CycleRun("c4", CycleRun.Type.INCREMENTAL, Instant.now());

        assertThat(listing.begin(incremental)).isTrue();
        listing.read(page(3, "c", "a"));
        assertThat(listing.read(page(3, "b"))).isFalse();

        assertThat(listing.lists(incremental)).isTrue();
        assertThat(listing.accountWith(incremental, new ObjectPlan.MatchCandidate("userName", "A@X")))
                .isEqualTo("id-a");
        assertThat(listing.accountWith(incremental, new ObjectPlan.MatchCandidate("userName", "b@x")))
                .isEqualTo("id-b");
        assertThat(listing.accountWith(incremental, new ObjectPlan.MatchCandidate("userName", "d@x"))).isNull();
        assertThat(listing.holds(incremental, "userName", "C@x")).isTrue();
        assertThat(listing.holds(incremental, "userName", "d@x")).isFalse();
        assertThat(listing.holds(initial, "userName", "c@x")).isNull();
        // The index of a target that filters keeps no ids: matching queries it.
        index.begin(initial);
        index.read(page(1, "a"));
        assertThat(index.lists(initial)).isFalse();
    }

    @Test
    void aSearchStopsAtThePageHoldingTheValueAndOtherwiseNamesTheNextPage() throws Exception {
        MatchIndex listing = new MatchIndex(MatchIndex.Mode.OFF, List.of("userName"), 2, RETRIES);
        ObjectPlan.MatchCandidate b = new ObjectPlan.MatchCandidate("userName", "B@X");

        assertThat(listing.pageAt(3).query()).isEqualTo("attributes=userName&startIndex=3&count=2");
        assertThat(listing.search(page(5, "a", "c"), 1, b)).isEqualTo(new MatchIndex.Search(null, 3, null));
        assertThat(listing.search(page(5, "d", "b"), 3, b)).isEqualTo(new MatchIndex.Search("id-b", 0, null));
        // The last page without it: none holds the value.
        assertThat(listing.search(page(5, "e"), 5, b)).isEqualTo(new MatchIndex.Search(null, 0, null));
        assertThat(listing.search(page(0), 1, b)).isEqualTo(new MatchIndex.Search(null, 0, null));
        // A listing that ends before its total cannot say that none holds it.
        assertThat(listing.search(page(5), 3, b).problem()).isEqualTo("its list ended at 2 of 5 users");
        assertThat(listing.search(new ScimResponse(200, JSON.readTree("{}"), null), 1, b).problem())
                .isEqualTo("its list response has no totalResults or Resources");
    }

    @Test
    void aListedAccountReadByIdAnswersAsAMatchQueryWould() throws Exception {
        ObjectPlan.MatchCandidate a = new ObjectPlan.MatchCandidate("userName", "A@x");
        JsonNode account = JSON.readTree("{\"id\":\"id-a\",\"userName\":\"a@x\"}");

        ScimResponse found = MatchIndex.listedAccount(a, new ScimResponse(200, account, null));
        assertThat(found.body().path("totalResults").asInt()).isEqualTo(1);
        assertThat(found.body().path("Resources").get(0)).isEqualTo(account);
        assertThat(MatchIndex.listedAccount(new ObjectPlan.MatchCandidate("userName", "b@x"),
                new ScimResponse(200, account, null))).isSameAs(MatchIndex.NO_MATCH);
        assertThat(MatchIndex.listedAccount(a, new ScimResponse(404, JSON.createObjectNode(), null)))
                .isSameAs(MatchIndex.NO_MATCH);
        ScimResponse failed = new ScimResponse(500, JSON.createObjectNode(), null);
        assertThat(MatchIndex.listedAccount(a, failed)).isSameAs(failed);
    }

    @Test
    void theGroupListingAsksForGroupsAndIsReadOnlyForATargetWithoutFilters() throws Exception {
        TargetCapabilities filters = new TargetCapabilities(ScimDialect.COMPLIANT, false);
        TargetCapabilities none = new TargetCapabilities(ScimDialect.COMPLIANT, false);
        none.read(new ScimResponse(200, JSON.readTree("{\"filter\":{\"supported\":false}}"), null));

        assertThat(new MatchIndex("/Groups", MatchIndex.Mode.OFF, List.of("displayName"), 100, RETRIES, filters)
                .begin(initial)).isFalse();
        MatchIndex groups = new MatchIndex("/Groups", MatchIndex.Mode.OFF, List.of("displayName"), 100, RETRIES,
                none);
        assertThat(groups.begin(initial)).isTrue();
        assertThat(groups.pageRequest().path()).isEqualTo("/Groups");
        assertThat(groups.pageRequest().query()).isEqualTo("attributes=displayName&startIndex=1&count=100");
    }

    @Test
    void incrementalCyclesAndOffNeverList() {
        assertThat(index.begin(new CycleRun("c3", CycleRun.Type.INCREMENTAL, Instant.now()))).isFalse();
        assertThat(new MatchIndex(MatchIndex.Mode.OFF, List.of("userName"), 10, RETRIES).begin(initial)).isFalse();
        assertThatThrownBy(() -> MatchIndex.Mode.of("sometimes")).hasMessageContaining("scim.match-index");
    }

    private static List<ObjectPlan.MatchCandidate> candidates(String attribute, String value) {
        return List.of(new ObjectPlan.MatchCandidate(attribute, value));
    }

    /** A list response page; each name becomes an account with userName name@x and work e-mail name@work. */
    private static ScimResponse page(int total, String... names) throws Exception {
        StringBuilder resources = new StringBuilder();
        for (String name : names) {
            resources.append(resources.isEmpty() ? "" : ",").append("{\"id\":\"id-").append(name)
                    .append("\",\"userName\":\"").append(name)
                    .append("@x\",\"emails\":[{\"type\":\"work\",\"value\":\"").append(name).append("@work\"}]}");
        }
        JsonNode body = JSON.readTree("{\"totalResults\":" + total + ",\"Resources\":[" + resources + "]}");
        return new ScimResponse(200, body, null);
    }
}
