package io.github.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import io.github.provisioning.cycle.CycleReport;
import io.github.provisioning.sandbox.Sandbox;
import io.github.provisioning.sandbox.graph.Contoso;
import io.github.provisioning.sandbox.graph.GraphSimulator;
import io.github.provisioning.sandbox.graph.GraphSimulatorConfig;
import io.github.provisioning.sandbox.scim.ScimSandbox;
import io.github.provisioning.sandbox.scim.ScimSandboxConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page as an admin uses it, in headless Chromium against a running engine with a small sandbox tenant:
 * the token asked for once, the job state, the last cycles, held deletions approved (and sent to the target) and
 * rejected (never sent), and nothing loaded from outside 127.0.0.1. Leaves its screenshot in target/status-page.png;
 * {@code -Dstatus-page.screenshot=docs/status-page.png} renews the one the docs show.
 */
class StatusPageBrowserTest extends EngineTest {

    private static final List<String> NAMES = List.of("adele", "brian", "chen", "dora", "emil", "fay", "gus");
    private static final Duration PAGE_TIMEOUT = Duration.ofSeconds(20);
    private static final Path SCREENSHOT =
            Path.of(System.getProperty("status-page.screenshot", "target/status-page.png"));

    @TempDir
    Path profile;

    private final String token = "admin-" + UUID.randomUUID();
    private final Map<String, String> ids = new LinkedHashMap<>();

    /** Chromium, or a skip when the machine has none; CI always runs this test, so there it fails instead. */
    private static Path chromium() {
        Optional<Path> binary = HeadlessChromium.binary();
        if (binary.isEmpty()) {
            String message = "No Chromium on the PATH (chromium, chromium-browser or google-chrome; or set CHROMIUM to "
                    + "its path): install Debian's chromium package (apt-get install -y chromium) to run this test";
            if (System.getenv("CI") != null) {
                fail(message + ". CI (CI is set) must run it, so it fails here instead of skipping.");
            }
            Assumptions.abort(message);
        }
        return binary.get();
    }

    @Test
    void withSeveralJobsThePageShowsTheJobChosenInItsJobList() throws Exception {
        Path chromium = chromium();
        Map<String, String> settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        tenant.assign(tenant.addUser(Contoso.employee("adele", "Sales", "Buyer")));
        try (GraphSimulator hrGraph = GraphSimulator.start(GraphSimulatorConfig.defaults());
             ScimSandbox hrScim = ScimSandbox.start(ScimSandboxConfig.defaults().withBearerToken("t-" + UUID.randomUUID()))) {
            for (String name : List.of("brian", "chen")) {
                hrGraph.tenant().assign(hrGraph.tenant().addUser(Contoso.employee(name, "Sales", "Buyer")));
            }
            Sandbox.connectionSettings(hrGraph, hrScim)
                    .forEach((name, value) -> settings.put("provisioning.jobs.hr." + name, value));
            engine = EngineUnderTest.start(settings, dataDir);
            assertThat(engine.awaitInitialCycle().counts()).containsEntry("created", 1);
            await().atMost(PAGE_TIMEOUT).until(() -> hrScim.users().size() == 2);
            String page = "http://127.0.0.1:" + settings.get("admin.port");

            try (HeadlessChromium browser = HeadlessChromium.start(chromium, profile, 1280, 1600)) {
                browser.navigate(page + "/");
                // The job default first, as today's paths serve it; the list names both jobs.
                await().atMost(PAGE_TIMEOUT).until(() -> browser.visible("job-choice")
                        && browser.text("cycles").lines().findFirst().orElse("").endsWith("created 1"));
                assertThat(browser.evaluate("[...document.getElementById('job-select').options].map(o => o.value)"
                        + ".join(',')").asText()).isEqualTo("default,hr");

                browser.evaluate("(() => { const s = document.getElementById('job-select'); s.value = 'hr';"
                        + " s.dispatchEvent(new Event('change')); })()");

                await().atMost(PAGE_TIMEOUT).until(() ->
                        browser.text("cycles").lines().findFirst().orElse("").endsWith("created 2"));
                assertThat(browser.evaluate("location.search").asText()).isEqualTo("?job=hr");
                assertThat(browser.text("job-state")).isEqualTo("running");
            }
        }
    }

    @Test
    void anAdminSeesTheJobAndTheCyclesThenApprovesAndRejectsHeldDeletions() throws Exception {
        Path chromium = chromium();
        Map<String, String> settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        settings.put("provisioning.deletion-threshold", "2");
        settings.put("admin.token", token);
        for (String name : NAMES) {
            ids.put(name, tenant.addUser(Contoso.employee(name, "Sales", "Buyer")));
            tenant.assign(ids.get(name));
        }
        engine = EngineUnderTest.start(settings, dataDir);
        assertThat(engine.awaitInitialCycle().counts()).containsEntry("created", 7).containsEntry("failed", 0);
        // The target rejects gus's update: a failure in the log, and gus in escrow until he changes in Entra ID.
        tenant.updateUser(ids.get("gus"), Map.of("jobTitle", "Head Buyer"));
        scim.failNext(1, 400, null, "/Users/");
        assertThat(engine.runCycle().counts()).containsEntry("failed", 1).containsEntry("permanent", 1);
        CycleReport held = unassign("adele", "brian", "chen");
        String page = "http://127.0.0.1:" + settings.get("admin.port");

        try (HeadlessChromium browser = HeadlessChromium.start(chromium, profile, 1280, 1600)) {
            browser.navigate(page + "/");
            // The API answers 401 without the token: the page asks for it.
            await().atMost(PAGE_TIMEOUT).until(() -> browser.visible("token-form"));
            assertThat(browser.visible("main")).isFalse();
            browser.type("token", token);
            browser.click("token-submit");

            await().atMost(PAGE_TIMEOUT).until(() -> browser.text("job-state").equals("stopped"));
            assertThat(browser.text("quarantine")).isEqualTo("none");
            assertThat(browser.text("deletions-held")).startsWith("yes: 3 held since");
            assertThat(browser.text("deletions-summary"))
                    .startsWith("3 disables and deletes are held (threshold 2, since");
            assertThat(browser.text("deletions").lines().toList()).hasSize(3).allSatisfy(row ->
                    assertThat(row).contains("user", "disable", "no longer assigned to the application"))
                    .anySatisfy(row -> assertThat(row).contains(Contoso.upn("adele")))
                    .anySatisfy(row -> assertThat(row).contains(Contoso.upn("brian")))
                    .anySatisfy(row -> assertThat(row).contains(Contoso.upn("chen")));
            List<String> cycles = browser.text("cycles").lines().toList();
            assertThat(cycles).hasSize(3);
            assertThat(cycles.get(0)).startsWith("incremental\t").contains("\tcompleted\t").endsWith("staged 3");
            assertThat(cycles.get(1)).startsWith("incremental\t").endsWith("failed 1, permanent 1");
            assertThat(cycles.get(2)).startsWith("initial\t").contains("\tcompleted\t").endsWith("created 7");
            assertThat(held.counts()).containsEntry("staged", 3);
            assertThat(browser.text("no-cycle")).isEqualTo("No cycle is running.");
            assertThat(browser.text("escrow-counts")).isEqualTo("1 (0 waiting for a retry, 1 permanent)");
            assertThat(browser.text("escrow").lines().toList()).singleElement().satisfies(row -> assertThat(row)
                    .contains(Contoso.upn("gus"), ids.get("gus"), "\t1\tpermanent: when it changes in Entra ID"));
            assertThat(browser.text("logs").lines().toList()).singleElement().satisfies(row -> assertThat(row)
                    .contains(Contoso.upn("gus"), "\tupdate\tfailure\t", "permanent failure after 1 failed attempt"));
            browser.screenshot(SCREENSHOT);

            // Filtered by status and user: adele's held disable.
            browser.evaluate("document.getElementById('logs-status').value = 'skipped'");
            browser.type("logs-user", ids.get("adele"));
            browser.click("logs-submit");
            await().atMost(PAGE_TIMEOUT).until(() -> browser.text("logs").lines().toList().size() == 1
                    && browser.text("logs").contains(Contoso.upn("adele")));
            assertThat(browser.text("logs")).contains("\tstaged-delete\tskipped\t");

            // Preview of gus, whose rejected update is still to be made: the diff, with nothing sent.
            scim.clearRequests();
            browser.type("preview-id", ids.get("gus"));
            browser.click("preview-submit");
            await().atMost(PAGE_TIMEOUT).until(() -> browser.text("preview").startsWith("Action: update"));
            assertThat(browser.text("preview")).contains(Contoso.upn("gus") + ": in scope",
                    "title\t\"Buyer\"\t\"Head Buyer\"");
            assertThat(writes()).isEmpty();

            // Asked once: the token is kept for the session, so a reload shows the page at once.
            browser.navigate(page + "/");
            await().atMost(PAGE_TIMEOUT).until(() -> browser.text("job-state").equals("stopped"));
            assertThat(browser.visible("token-form")).isFalse();

            scim.clearRequests();
            browser.click("approve");

            await().atMost(PAGE_TIMEOUT).until(() -> browser.text("deletions-result")
                    .equals("3 disables and deletes approved; a cycle sends them now."));
            assertThat(engine.awaitNextReport().counts()).containsEntry("disabled", 3);
            assertThat(writes()).extracting(r -> r.method() + " " + r.path()).containsExactlyInAnyOrder(
                    "PATCH /Users/" + accountId("adele"), "PATCH /Users/" + accountId("brian"),
                    "PATCH /Users/" + accountId("chen"));
            for (String name : List.of("adele", "brian", "chen")) {
                assertThat(account(name).path("active").asBoolean()).as(name).isFalse();
            }
            await().atMost(PAGE_TIMEOUT).until(() -> browser.text("job-state").equals("running")
                    && browser.text("deletions-summary").equals("No disables or deletes are held.")
                    && browser.text("cycles").lines().findFirst().orElse("").endsWith("disabled 3"));
            assertThat(browser.visible("approve")).isTrue();

            // A second hold, rejected: nothing is sent, and the page says so.
            unassign("dora", "emil", "fay");
            scim.clearRequests();
            await().atMost(PAGE_TIMEOUT).until(() -> browser.text("deletions-summary")
                    .startsWith("3 disables and deletes are held"));
            assertThat(browser.text("deletions")).contains(Contoso.upn("dora"), Contoso.upn("emil"),
                    Contoso.upn("fay"));
            browser.click("reject");

            await().atMost(PAGE_TIMEOUT).until(() -> browser.text("deletions-result")
                    .equals("3 disables and deletes rejected; none is sent."));
            engine.awaitNextReport();
            assertThat(writes()).isEmpty();
            for (String name : List.of("dora", "emil", "fay")) {
                assertThat(account(name).path("active").asBoolean()).as(name).isTrue();
            }
            await().atMost(PAGE_TIMEOUT).until(() -> browser.text("job-state").equals("running")
                    && browser.text("deletions-summary").equals("No disables or deletes are held."));

            // Start runs a cycle at once; held mid-way, the page shows it in progress.
            tenant.updateUser(ids.get("gus"), Map.of("jobTitle", "Chief Buyer"));
            try (CycleHold hold = CycleHold.install(engine.context())) {
                browser.click("start");
                hold.awaitHeldCycle();
                // The page's next refresh (the one after Start may precede the first page read) shows it held.
                await().atMost(PAGE_TIMEOUT).until(() -> browser.text("cycle-pages").equals("1"));
                assertThat(browser.text("job-result")).isEqualTo("Job running.");
                assertThat(browser.text("no-cycle")).isEmpty();
                assertThat(browser.text("cycle-type")).startsWith("incremental, started ");
                assertThat(browser.text("progress-label")).startsWith("Progress: ");
                hold.release();
            }
            CycleReport started = engine.awaitNextReport();
            assertThat(started.counts()).containsEntry("updated", 1);
            await().atMost(PAGE_TIMEOUT).until(() -> browser.text("no-cycle").equals("No cycle is running.")
                    && browser.text("escrow").equals("Nothing is in escrow."));

            List<String> requested = browser.requestedUrls();
            assertThat(requested).contains(page + "/", page + "/page.css", page + "/page.js", page + "/api/status",
                    page + "/api/cycles?limit=10", page + "/api/deletions?limit=10", page + "/api/escrow?limit=20",
                    page + "/api/deletions/approve", page + "/api/deletions/reject", page + "/api/job/start",
                    page + "/api/logs?status=skipped&limit=20&source-id=" + ids.get("adele"));
            assertThat(requested).as("every request of the page").allSatisfy(url ->
                    assertThat(url).startsWith(page + "/"));
        }
    }

    /** Unassigns the users and runs a cycle, which holds their disables (3, above the threshold of 2). */
    private CycleReport unassign(String... names) throws Exception {
        for (String name : names) {
            tenant.unassign(ids.get(name));
        }
        CycleReport held = engine.runCycle();
        assertThat(held.counts()).containsEntry("staged", names.length).containsEntry("disabled", 0);
        return held;
    }

    private com.fasterxml.jackson.databind.JsonNode account(String name) {
        return scim.userByUserName(Contoso.upn(name)).orElseThrow();
    }

    private String accountId(String name) {
        return account(name).path("id").asText();
    }
}
