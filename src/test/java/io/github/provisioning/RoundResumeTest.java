package io.github.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.provisioning.sandbox.graph.GraphRequest;
import io.github.provisioning.sandbox.scim.RecordedRequest;
import io.github.provisioning.state.TestDatabase;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A long users delta round that is killed ({@code kill -9}) in the middle resumes at the page it did not finish: the
 * next run reads only the pages left, plus at most the page in flight, and ends with the same target as one
 * uninterrupted run. A page Graph no longer serves starts the round over.
 *
 * <p>The state is in PostgreSQL, whose commit is on disk when it returns: "at most the page in flight" is exact
 * there. Embedded H2 writes a commit to its file a moment later, and a kill may cost a page or two more (docs/cycle.md,
 * step 6).
 */
class RoundResumeTest extends EngineTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration RUN = Duration.ofMinutes(5);

    private final TestDatabase state = TestDatabase.create(TestDatabase.Kind.POSTGRESQL);

    @AfterEach
    void dropTheStateSchema() {
        state.close();
    }

    @Test
    void aRoundKilledInTheMiddleResumesWithThePagesLeftPlusAtMostThePageInFlight() throws Exception {
        tenant.populateSample(5_000, 11);
        int roundPages = fullRoundPages();
        Map<String, String> settings = onceSettings();

        int pagesBeforeKill = killDuringTheRoundAfter(roundPages / 2, settings);
        graph.clearRequests();
        ApplicationProcess.Result resumed = ApplicationProcess.run(RUN, settings);

        assertThat(resumed.exitCode()).as(resumed.output()).isZero();
        List<GraphRequest> pages = deltaRequests();
        assertThat(pages).as("the resumed run's first users delta request").first()
                .satisfies(first -> assertThat(first.query()).contains("$skiptoken="));
        assertThat(pages.size()).as("pages the resumed run read, of %d in the round, %d read before the kill",
                roundPages, pagesBeforeKill).isLessThanOrEqualTo(roundPages - pagesBeforeKill + 1);
        assertThat(resumed.output()).contains("resumes users delta round");
        // Nothing changed in the tenant: no user the round already brought is read again by id.
        assertThat(graph.requests().stream().filter(r -> r.path().matches(".*/users/[^/]+") && !r.path()
                .endsWith("/delta")).toList()).as("users read by id").isEmpty();
        assertEveryUserInScopeHasExactlyOneAccount();
    }

    @Test
    void aResumedPageGraphNoLongerServesStartsTheRoundOver() throws Exception {
        tenant.populateSample(1_000, 12);
        int roundPages = fullRoundPages();
        Map<String, String> settings = onceSettings();

        killDuringTheRoundAfter(roundPages / 2, settings);
        graph.invalidateDeltaTokens(); // the stored page's skip token answers 400 syncStateNotFound
        graph.clearRequests();
        ApplicationProcess.Result restarted = ApplicationProcess.run(RUN, settings);

        assertThat(restarted.exitCode()).as(restarted.output()).isZero();
        List<GraphRequest> pages = deltaRequests();
        assertThat(pages.get(0).status()).isEqualTo(400);
        assertThat(pages.get(1).query()).doesNotContain("$skiptoken=");
        assertThat(pages.stream().filter(p -> p.status() == 200).count()).isEqualTo(roundPages);
        assertEveryUserInScopeHasExactlyOneAccount();

        // The round the restart began is complete: the next run reads the changes since, not a page of a round.
        graph.clearRequests();
        ApplicationProcess.Result next = ApplicationProcess.run(RUN, settings);
        assertThat(next.exitCode()).as(next.output()).isZero();
        assertThat(deltaRequests()).hasSize(1).first()
                .satisfies(request -> assertThat(request.query()).contains("$deltatoken="));
    }

    @Test
    void aGroupsRoundKilledInTheMiddleResumesWithThePagesLeftPlusAtMostThePageInFlight() throws Exception {
        tenant.populateSample(200, 13);
        for (int i = 0; i < 3_000; i++) {
            tenant.addGroup("Resume group " + i);
        }
        Map<String, String> settings = onceSettings();
        settings.put("provisioning.mapping", "classpath:mappings/generic-scim.yaml");

        int pagesBeforeKill = killAfter(10, settings, this::groupsDeltaRequests);
        // The round as the engine reads it: members@delta fill pages too.
        int roundPages = fullRoundPages("/groups/delta?" + groupsDeltaRequests().get(0).query());
        assertThat(roundPages).as("pages of the groups round").isGreaterThan(pagesBeforeKill + 1);
        graph.clearRequests();
        ApplicationProcess.Result resumed = ApplicationProcess.run(RUN, settings);

        assertThat(resumed.exitCode()).as(resumed.output()).isZero();
        assertThat(resumed.output()).contains("resumes groups delta round");
        List<GraphRequest> pages = groupsDeltaRequests();
        assertThat(pages.get(0).query()).contains("$skiptoken=");
        assertThat(pages.size()).as("groups pages the resumed run read, of %d, %d read before the kill", roundPages,
                pagesBeforeKill).isLessThanOrEqualTo(roundPages - pagesBeforeKill + 1);
    }

    private Map<String, String> onceSettings() {
        Map<String, String> settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        settings.put("provisioning.once", "true");
        settings.put("provisioning.state.jdbc-url", state.jdbcUrl());
        settings.put("provisioning.state.username", state.username());
        return settings;
    }

    private int killDuringTheRoundAfter(int page, Map<String, String> settings) throws Exception {
        return killAfter(page, settings, this::deltaRequests);
    }

    /**
     * Starts the application and kills it once it has asked for page {@code page} of a round; answers how many pages
     * of it were asked for, all told.
     */
    private int killAfter(int page, Map<String, String> settings, Supplier<List<GraphRequest>> pages)
            throws Exception {
        graph.clearRequests();
        try (ApplicationProcess.Running engine = ApplicationProcess.start(settings)) {
            await().atMost(RUN).pollInterval(Duration.ofMillis(5))
                    .until(() -> !engine.isAlive() || pages.get().size() >= page);
            assertThat(engine.isAlive()).as("the run ended before page %d:%n%s", page, engine.output()).isTrue();
            engine.kill();
        }
        return pages.get().size();
    }

    private List<GraphRequest> deltaRequests() {
        return graph.requests().stream().filter(r -> r.path().endsWith("/users/delta")).toList();
    }

    private List<GraphRequest> groupsDeltaRequests() {
        return graph.requests().stream().filter(r -> r.path().endsWith("/groups/delta")).toList();
    }

    private int fullRoundPages() throws Exception {
        return fullRoundPages("/users/delta?$select=id");
    }

    /** The pages of a whole delta round from {@code firstPage}, read here the way the engine reads them. */
    private int fullRoundPages(String firstPage) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String form = "grant_type=client_credentials&scope=" + encode(graph.loginUrl() + "/.default")
                + "&client_id=" + encode(graph.config().clientId())
                + "&client_secret=" + encode(graph.config().clientSecret());
        JsonNode token = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(graph.tokenUrl()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString()).body());
        String link = graph.graphUrl() + firstPage;
        int pages = 0;
        while (link != null) {
            JsonNode page = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(link))
                    .header("Authorization", "Bearer " + token.path("access_token").asText()).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            pages++;
            link = page.path("@odata.nextLink").asText(null);
        }
        graph.clearRequests();
        return pages;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** Each enabled user in scope has one account, created by one POST. */
    private void assertEveryUserInScopeHasExactlyOneAccount() {
        Map<String, Long> posts = new TreeMap<>();
        for (RecordedRequest r : scim.requests()) {
            if (r.method().equals("POST") && r.path().equals("/Users")) {
                posts.merge(r.json().path("userName").asText().toLowerCase(Locale.ROOT), 1L, Long::sum);
            }
        }
        assertThat(posts.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList())
                .as("userNames POSTed more than once").isEmpty();
        List<String> expected = tenant.users().stream()
                .filter(u -> u.path("accountEnabled").asBoolean(true))
                .filter(u -> tenant.assignedPrincipalIds().contains(u.get("id").asText())
                        || inAnAssignedGroup(u.get("id").asText()))
                .map(u -> u.path("userPrincipalName").asText().toLowerCase(Locale.ROOT)).sorted().toList();
        List<String> accounts = scim.users().stream()
                .map(u -> u.path("userName").asText().toLowerCase(Locale.ROOT)).sorted().toList();
        assertThat(accounts).containsExactlyElementsOf(expected);
    }

    private boolean inAnAssignedGroup(String userId) {
        return tenant.assignedPrincipalIds().stream().filter(principal -> tenant.group(principal).isPresent())
                .anyMatch(group -> tenant.memberIds(group).contains(userId));
    }
}
