package io.github.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.provisioning.sandbox.graph.Contoso;
import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import io.github.provisioning.cycle.CycleReport;
import io.github.provisioning.sandbox.scim.RecordedRequest;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Entra's accidental-deletions prevention, end to end with threshold 3: within it, disables and deletes go out in
 * the cycle; above it none goes out, they are held and logged as staged-delete, the job pauses and one e-mail
 * (real SMTP, GreenMail) asks an admin, whose approval sends them and whose rejection drops them.
 */
class DeletionGuardTest extends EngineTest {

    private static final String OPS = TestMailServer.OPS;
    private static final String ONCALL = TestMailServer.ONCALL;

    private static final List<String> NAMES = List.of("adele", "brian", "chen", "dora", "emil", "fay", "gus");
    private static final List<String> GROUPS = List.of("Sales", "Buyers", "Interns", "Finance");

    @RegisterExtension
    final TestMailServer mail = new TestMailServer();
    private Map<String, String> settings;
    private AdminClient admin;
    /** Graph id by name, and the account's id in the target by name. */
    private final Map<String, String> ids = new LinkedHashMap<>();
    private final Map<String, String> accounts = new LinkedHashMap<>();

    @BeforeEach
    void configureMail() {
        settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        settings.put("provisioning.deletion-threshold", "3");
        mail.configure(settings, true, OPS, ONCALL);
        admin = new AdminClient(settings.get("admin.port"), null);
    }

    private void startWithSevenProvisionedUsers() throws Exception {
        addSevenAssignedUsers();
        engine = EngineUnderTest.start(settings, dataDir);
        assertThat(engine.awaitInitialCycle().counts()).containsEntry("created", 7).containsEntry("failed", 0);
        rememberAccountsAndForgetRequests();
    }

    private void addSevenAssignedUsers() {
        for (String name : NAMES) {
            ids.put(name, tenant.addUser(Contoso.employee(name, "Sales", "Buyer")));
            tenant.assign(ids.get(name));
        }
    }

    private void rememberAccountsAndForgetRequests() {
        for (String name : NAMES) {
            accounts.put(name, scim.userByUserName(Contoso.upn(name)).orElseThrow().path("id").asText());
        }
        scim.clearRequests();
    }

    /** Five users to disable or delete: two unassigned, one soft-deleted, two hard-deleted. */
    private CycleReport cycleWithFiveDeletions() throws Exception {
        tenant.unassign(ids.get("adele"));
        tenant.unassign(ids.get("brian"));
        tenant.softDeleteUser(ids.get("chen"));
        tenant.hardDeleteUser(ids.get("dora"));
        tenant.hardDeleteUser(ids.get("emil"));
        return engine.runCycle();
    }

    @Test
    void withinTheThresholdDisablesAndDeletesAreSentInTheSameCycle() throws Exception {
        startWithSevenProvisionedUsers();
        tenant.unassign(ids.get("adele"));
        tenant.softDeleteUser(ids.get("brian"));
        tenant.hardDeleteUser(ids.get("chen"));

        CycleReport report = engine.runCycle();

        assertThat(report.summary()).endsWith(": created=0 updated=0 disabled=2 deleted=1 skipped=0 failed=0 permanent=0");
        assertThat(writes()).extracting(r -> r.method() + " " + r.path()).containsExactlyInAnyOrder(
                "PATCH /Users/" + accounts.get("adele"), "PATCH /Users/" + accounts.get("brian"),
                "DELETE /Users/" + accounts.get("chen"));
        assertThat(scim.userByUserName(Contoso.upn("adele")).orElseThrow().path("active").asBoolean()).isFalse();
        assertThat(scim.userByUserName(Contoso.upn("chen"))).isEmpty();
        assertThat(linesOf(report)).extracting(l -> l.path("action").asText()).containsExactlyInAnyOrder(
                "disable", "disable", "delete");
        JsonNode status = admin.ok(admin.get("/api/status"));
        assertThat(status.path("state").asText()).isEqualTo("running");
        assertThat(status.path("deletions").path("held").asInt()).isZero();
        assertThat(status.path("deletions").path("threshold").asInt()).isEqualTo(3);
        assertThat(status.path("deletions").path("since").isNull()).isTrue();
        // Nothing held: nothing to approve or reject.
        for (String decision : List.of("/api/deletions/approve", "/api/deletions/reject")) {
            HttpResponse<String> refused = admin.post(decision);
            assertThat(refused.statusCode()).as(decision).isEqualTo(409);
            assertThat(AdminClient.json(refused).path("error").path("message").asText()).contains("No disables");
        }
    }

    @Test
    void aboveTheThresholdNothingIsSentTheJobPausesAndOneMailAsksForApprovalWhichSendsThem() throws Exception {
        startWithSevenProvisionedUsers();

        CycleReport held = cycleWithFiveDeletions();

        assertThat(held.completed()).isTrue();
        assertThat(held.summary()).endsWith(
                ": created=0 updated=0 disabled=0 deleted=0 skipped=0 failed=0 permanent=0 staged=5");
        assertThat(writes()).isEmpty();
        assertThat(scim.users()).hasSize(7).allMatch(u -> u.path("active").asBoolean());
        List<JsonNode> staged = linesOf(held);
        assertThat(staged).hasSize(5).allSatisfy(line -> {
            assertThat(line.path("action").asText()).isEqualTo("staged-delete");
            assertThat(line.path("status").asText()).isEqualTo("skipped");
            assertThat(line.path("reason").asText()).contains("5 disables and deletes",
                    "provisioning.deletion-threshold (3)");
        });
        assertThat(staged).extracting(l -> l.path("sourceId").asText()).containsExactlyInAnyOrder(
                ids.get("adele"), ids.get("brian"), ids.get("chen"), ids.get("dora"), ids.get("emil"));
        assertThat(lineFor(staged, "dora").path("reason").asText()).contains("planned delete: deleted in Entra ID");
        assertThat(lineFor(staged, "adele").path("reason").asText())
                .contains("planned disable: no longer assigned to the application");
        assertThat(lineFor(staged, "adele").path("targetId").asText()).isEqualTo(accounts.get("adele"));

        JsonNode status = admin.ok(admin.get("/api/status"));
        assertThat(status.path("state").asText()).isEqualTo("stopped");
        assertThat(status.path("deletions").path("held").asInt()).isEqualTo(5);
        assertThat(status.path("deletions").path("threshold").asInt()).isEqualTo(3);
        assertThat(status.path("deletions").path("since").asText()).isNotEmpty();
        JsonNode list = admin.ok(admin.get("/api/deletions?limit=2"));
        assertThat(list.path("held").asInt()).isEqualTo(5);
        assertThat(list.path("objects")).hasSize(2);
        assertThat(heldObjects()).extracting(u -> u.path("objectType").asText() + " " + u.path("action").asText())
                .containsExactlyInAnyOrder("user disable", "user disable", "user disable", "user delete", "user delete");
        for (String bad : List.of("zero", "0", "1001")) {
            java.net.http.HttpResponse<String> refused = admin.get("/api/deletions?limit=" + bad);
            assertThat(refused.statusCode()).isEqualTo(400);
            assertThat(refused.body()).contains("limit must be a whole number from 1 to 1000");
        }
        assertThat(heldGauge()).isEqualTo(5);
        HttpResponse<String> start = admin.post("/api/job/start");
        assertThat(start.statusCode()).isEqualTo(409);
        assertThat(AdminClient.json(start).path("error").path("message").asText()).contains("approve or reject");
        assertThat(engine.context().getRouteController().getRouteStatus("default.cycle-schedule").isStopped()).isTrue();

        MimeMessage notice = awaitMails(2).get(0);
        assertThat(mail.server().getReceivedMessages()).extracting(MimeMessage::getMessageID).containsOnly(notice.getMessageID());
        assertThat(notice.getSubject()).isEqualTo(
                "[entra-provisioning] job default: Provisioning paused: 5 disables and deletes held (threshold 3)");
        assertThat(NotificationTest.addresses(notice.getRecipients(Message.RecipientType.TO))).containsExactly(OPS, ONCALL);
        String text = NotificationTest.part(notice, "text/plain");
        assertThat(text).contains("Cycle: " + held.cycleId(), "more than provisioning.deletion-threshold (3)",
                "user " + ids.get("dora") + " (" + Contoso.upn("dora") + ") delete: deleted in Entra ID",
                "user " + ids.get("chen") + " (" + Contoso.upn("chen") + ") disable: soft-deleted in Entra ID",
                "POST /api/deletions/approve", "POST /api/deletions/reject");
        assertThat(NotificationTest.part(notice, "text/html")).contains(ids.get("adele"), Contoso.upn("emil"),
                "<td>delete</td>", "/api/deletions/approve");
        assertThat(GreenMailUtil.getWholeMessage(notice)).doesNotContain(graph.config().clientSecret(),
                scim.config().bearerToken(), mail.password(), "Bearer");

        JsonNode approved = admin.ok(admin.post("/api/deletions/approve"));

        assertThat(approved.path("approved").asInt()).isEqualTo(5);
        assertThat(approved.path("status").path("state").asText()).isEqualTo("running");
        String sent = awaitNextCycle(held);
        List<JsonNode> lines = engine.logLines().stream().filter(l -> l.path("cycleId").asText().equals(sent)).toList();
        assertThat(lines).extracting(l -> l.path("action").asText() + " " + l.path("status").asText())
                .containsExactlyInAnyOrder("disable success", "disable success", "disable success", "delete success",
                        "delete success");
        assertThat(writes()).extracting(r -> r.method() + " " + r.path()).containsExactlyInAnyOrder(
                "PATCH /Users/" + accounts.get("adele"), "PATCH /Users/" + accounts.get("brian"),
                "PATCH /Users/" + accounts.get("chen"), "DELETE /Users/" + accounts.get("dora"),
                "DELETE /Users/" + accounts.get("emil"));
        for (String name : List.of("adele", "brian", "chen")) {
            assertThat(scim.userByUserName(Contoso.upn(name)).orElseThrow().path("active").asBoolean()).as(name).isFalse();
        }
        assertThat(scim.userByUserName(Contoso.upn("dora"))).isEmpty();
        assertThat(scim.userByUserName(Contoso.upn("emil"))).isEmpty();
        JsonNode after = admin.ok(admin.get("/api/status"));
        assertThat(after.path("state").asText()).isEqualTo("running");
        assertThat(after.path("deletions").path("held").asInt()).isZero();
        assertThat(after.path("lastCycle").path("counts").path("disabled").asInt()).isEqualTo(3);
        assertThat(after.path("lastCycle").path("counts").path("deleted").asInt()).isEqualTo(2);
        assertThat(heldGauge()).isZero();
        assertThat(admin.post("/api/deletions/approve").statusCode()).isEqualTo(409);
    }

    @Test
    void rejectedDeletionsAreNeverSentAndTheJobResumes() throws Exception {
        startWithSevenProvisionedUsers();
        CycleReport held = cycleWithFiveDeletions();
        assertThat(held.counts()).containsEntry("staged", 5);

        JsonNode rejected = admin.ok(admin.post("/api/deletions/reject"));

        assertThat(rejected.path("rejected").asInt()).isEqualTo(5);
        assertThat(rejected.path("status").path("state").asText()).isEqualTo("running");
        assertThat(rejected.path("status").path("deletions").path("held").asInt()).isZero();
        String next = awaitNextCycle(held);
        assertThat(writes()).isEmpty();
        assertThat(scim.users()).hasSize(7).allMatch(u -> u.path("active").asBoolean());
        assertThat(engine.logLines()).noneMatch(l -> l.path("cycleId").asText().equals(next)
                && List.of("disable", "delete").contains(l.path("action").asText()));
        JsonNode status = admin.ok(admin.get("/api/status"));
        assertThat(status.path("state").asText()).isEqualTo("running");
        assertThat(status.path("lastCycle").path("state").asText()).isEqualTo("completed");
        assertThat(admin.post("/api/deletions/reject").statusCode()).isEqualTo(409);
        // The job goes on as usual: a later change is provisioned.
        tenant.updateUser(ids.get("fay"), Map.of("jobTitle", "Head Buyer"));
        assertThat(engine.runCycle().counts()).containsEntry("updated", 1);
    }

    @Test
    void heldDeletionsKeepTheJobFromRunningCyclesAlsoAfterTheEngineRestartsUntilApproved() throws Exception {
        startWithSevenProvisionedUsers();
        CycleReport held = cycleWithFiveDeletions();
        assertThat(held.counts()).containsEntry("staged", 5);
        engine.close();

        // The engine starts again on the same state, with its schedule on and ticking every 300 ms.
        settings.put("provisioning.interval", "300ms");
        engine = EngineUnderTest.start(settings, dataDir);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> {
            JsonNode status = admin.ok(admin.get("/api/status"));
            return status.path("cycle").isNull() && status.path("deletions").path("held").asInt() == 5
                    && status.path("lastCycle").path("cycleId").asText().equals(held.cycleId());
        });
        assertThat(writes()).isEmpty();

        admin.ok(admin.post("/api/deletions/approve"));
        awaitNextCycle(held);
        assertThat(writes()).hasSize(5);
    }

    @Test
    void aHeldDeletionWhoseUserWasAssignedAgainIsDroppedUnsent() throws Exception {
        startWithSevenProvisionedUsers();
        CycleReport held = cycleWithFiveDeletions();
        assertThat(held.counts()).containsEntry("staged", 5);
        tenant.assign(ids.get("adele"));

        admin.ok(admin.post("/api/deletions/approve"));
        String sent = awaitNextCycle(held);

        assertThat(writes()).extracting(r -> r.method() + " " + r.path()).containsExactlyInAnyOrder(
                "PATCH /Users/" + accounts.get("brian"), "PATCH /Users/" + accounts.get("chen"),
                "DELETE /Users/" + accounts.get("dora"), "DELETE /Users/" + accounts.get("emil"));
        assertThat(scim.userByUserName(Contoso.upn("adele")).orElseThrow().path("active").asBoolean()).isTrue();
        assertThat(engine.logLines()).noneMatch(l -> l.path("cycleId").asText().equals(sent)
                && l.path("sourceId").asText().equals(ids.get("adele"))
                && List.of("disable", "delete").contains(l.path("action").asText()));
        assertThat(admin.ok(admin.get("/api/status")).path("deletions").path("held").asInt()).isZero();
        assertThat(heldObjects()).isEmpty();
    }

    @Test
    void aCycleThatStopsDuringTheReleaseKeepsItsWatermarkAndTheNextOneStagesAgainAndSendsOnce() throws Exception {
        startWithSevenProvisionedUsers();
        tenant.unassign(ids.get("adele"));
        // The target rejects the credentials: the cycle stops in its release step, as a crash there would.
        scim.failNext(1, 401, null, "/Users/");

        CycleReport stopped = engine.runCycle();

        assertThat(stopped.completed()).isFalse();
        assertThat(scim.userByUserName(Contoso.upn("adele")).orElseThrow().path("active").asBoolean()).isTrue();
        CycleReport next = engine.runCycle();
        assertThat(next.completed()).isTrue();
        assertThat(next.counts()).containsEntry("disabled", 1).doesNotContainKey("staged");
        assertThat(scim.userByUserName(Contoso.upn("adele")).orElseThrow().path("active").asBoolean()).isFalse();
        // The refused PATCH and the one that applied: the replay sent it once more, not twice.
        assertThat(writes()).extracting(r -> r.method() + " " + r.path()).containsExactly(
                "PATCH /Users/" + accounts.get("adele"), "PATCH /Users/" + accounts.get("adele"));
        assertThat(heldObjects()).isEmpty();
        scim.clearRequests();
        assertThat(engine.runCycle().counts()).containsEntry("disabled", 0);
        assertThat(writes()).isEmpty();
    }

    // ---- groups: Entra counts every object it would disable or delete, groups with users

    /** Graph id by group name, and the group's id in the target by name. */
    private final Map<String, String> groupIds = new LinkedHashMap<>();
    private final Map<String, String> targetGroups = new LinkedHashMap<>();

    /**
     * The generic SCIM profile (it provisions groups): the seven users assigned, and four assigned groups. Sales
     * and Interns have members who are assigned themselves, so that no group change moves a user out of scope.
     */
    private void startWithUsersAndFourProvisionedGroups() throws Exception {
        settings.put("provisioning.mapping", "classpath:mappings/generic-scim.yaml");
        addSevenAssignedUsers();
        for (String group : GROUPS) {
            groupIds.put(group, tenant.addGroup(group));
            tenant.assign(groupIds.get(group));
        }
        tenant.addMember(groupIds.get("Sales"), ids.get("fay"));
        tenant.addMember(groupIds.get("Sales"), ids.get("gus"));
        tenant.addMember(groupIds.get("Interns"), ids.get("gus"));
        engine = EngineUnderTest.start(settings, dataDir);
        assertThat(engine.awaitInitialCycle().counts()).containsEntry("created", 7).containsEntry("failed", 0)
                .containsEntry("groups.created", 4).containsEntry("groups.failed", 0);
        for (String group : GROUPS) {
            targetGroups.put(group, scim.groupByDisplayName(group).orElseThrow().path("id").asText());
        }
        rememberAccountsAndForgetRequests();
    }

    /** Two users and two groups to disable or delete: each type alone is within the threshold of 3. */
    private CycleReport cycleWithTwoUserAndTwoGroupDeletions() throws Exception {
        tenant.unassign(ids.get("adele"));
        tenant.hardDeleteUser(ids.get("brian"));
        tenant.unassign(groupIds.get("Finance"));
        tenant.hardDeleteGroup(groupIds.get("Interns"));
        return engine.runCycle();
    }

    @Test
    void withinTheThresholdGroupDeletesAreSentInTheSameCycleWithTheUsers() throws Exception {
        startWithUsersAndFourProvisionedGroups();
        tenant.unassign(ids.get("adele"));
        tenant.unassign(groupIds.get("Finance"));
        tenant.deleteGroup(groupIds.get("Buyers"));

        CycleReport report = engine.runCycle();

        assertThat(report.counts()).containsEntry("disabled", 1).containsEntry("groups.deleted", 2)
                .containsEntry("failed", 0).containsEntry("groups.failed", 0)
                .doesNotContainKeys("staged", "groups.staged");
        assertThat(writes()).extracting(RecordedRequest::line).containsExactlyInAnyOrder(
                "PATCH /Users/" + accounts.get("adele"), "DELETE /Groups/" + targetGroups.get("Finance"),
                "DELETE /Groups/" + targetGroups.get("Buyers"));
        // Counted and released together at the end of the cycle: the user's disable first, then the group deletes.
        assertThat(writes()).extracting(r -> r.path().split("/")[1]).containsExactly("Users", "Groups", "Groups");
        assertThat(scim.groups()).extracting(g -> g.path("displayName").asText())
                .containsExactlyInAnyOrder("Sales", "Interns");
        assertThat(linesOf(report)).filteredOn(l -> l.path("objectType").asText().equals("group"))
                .extracting(l -> l.path("sourceIdentity").asText() + " " + l.path("action").asText() + " "
                        + l.path("status").asText())
                .containsExactlyInAnyOrder("Finance delete success", "Buyers delete success");
        assertThat(heldObjects()).isEmpty();
    }

    @Test
    void groupDeletesAloneAboveTheThresholdAreHeldAndAnApprovalDeletesThem() throws Exception {
        startWithUsersAndFourProvisionedGroups();
        tenant.unassign(groupIds.get("Sales"));
        tenant.deleteGroup(groupIds.get("Buyers"));
        tenant.hardDeleteGroup(groupIds.get("Interns"));
        tenant.unassign(groupIds.get("Finance"));

        CycleReport held = engine.runCycle();

        assertThat(held.completed()).isTrue();
        assertThat(held.counts()).containsEntry("groups.staged", 4).containsEntry("groups.deleted", 0)
                .doesNotContainKey("staged");
        assertThat(writes()).isEmpty();
        assertThat(scim.groups()).hasSize(4);
        List<JsonNode> staged = linesOf(held);
        assertThat(staged).hasSize(4).allSatisfy(line -> {
            assertThat(line.path("objectType").asText()).isEqualTo("group");
            assertThat(line.path("action").asText()).isEqualTo("staged-delete");
            assertThat(line.path("status").asText()).isEqualTo("skipped");
            assertThat(line.path("reason").asText()).contains("4 disables and deletes",
                    "provisioning.deletion-threshold (3)");
        });
        JsonNode sales = staged.stream().filter(l -> l.path("sourceIdentity").asText().equals("Sales")).findFirst()
                .orElseThrow();
        assertThat(sales.path("sourceId").asText()).isEqualTo(groupIds.get("Sales"));
        assertThat(sales.path("targetId").asText()).isEqualTo(targetGroups.get("Sales"));
        assertThat(sales.path("reason").asText()).contains("planned delete: no longer assigned to the application");
        JsonNode status = admin.ok(admin.get("/api/status"));
        assertThat(status.path("state").asText()).isEqualTo("stopped");
        assertThat(status.path("deletions").path("held").asInt()).isEqualTo(4);
        assertThat(heldGauge()).isEqualTo(4);
        MimeMessage notice = awaitMails(2).get(0);
        assertThat(notice.getSubject()).isEqualTo(
                "[entra-provisioning] job default: Provisioning paused: 4 disables and deletes held (threshold 3)");
        assertThat(NotificationTest.part(notice, "text/plain")).contains(
                "group " + groupIds.get("Interns") + " (Interns) delete: deleted in Entra ID",
                "group " + groupIds.get("Buyers") + " (Buyers) delete: soft-deleted in Entra ID");

        admin.ok(admin.post("/api/deletions/approve"));
        String sent = awaitNextCycle(held);

        assertThat(writes()).extracting(RecordedRequest::line).containsExactlyInAnyOrder(
                GROUPS.stream().map(g -> "DELETE /Groups/" + targetGroups.get(g)).toArray(String[]::new));
        assertThat(scim.groups()).isEmpty();
        assertThat(engine.logLines()).filteredOn(l -> l.path("cycleId").asText().equals(sent))
                .extracting(l -> l.path("objectType").asText() + " " + l.path("action").asText() + " "
                        + l.path("status").asText())
                .containsExactly("group delete success", "group delete success", "group delete success",
                        "group delete success");
        JsonNode after = admin.ok(admin.get("/api/status"));
        assertThat(after.path("deletions").path("held").asInt()).isZero();
        assertThat(after.path("lastCycle").path("counts").path("groups.deleted").asInt()).isEqualTo(4);
        // The members of the deleted groups are of no more use: nothing is written for them later.
        scim.clearRequests();
        assertThat(engine.runCycle().counts()).containsEntry("groups.deleted", 0).containsEntry("groups.failed", 0);
        assertThat(writes()).isEmpty();
    }

    @Test
    void usersAndGroupsThatCrossTheThresholdTogetherAreHeldTogetherAndAnApprovalSendsThemAll() throws Exception {
        startWithUsersAndFourProvisionedGroups();

        CycleReport held = cycleWithTwoUserAndTwoGroupDeletions();

        assertThat(held.counts()).containsEntry("staged", 2).containsEntry("groups.staged", 2)
                .containsEntry("disabled", 0).containsEntry("deleted", 0).containsEntry("groups.deleted", 0);
        assertThat(writes()).isEmpty();
        assertThat(scim.groups()).hasSize(4);
        assertThat(scim.users()).hasSize(7).allMatch(u -> u.path("active").asBoolean());
        assertThat(linesOf(held)).extracting(l -> l.path("objectType").asText() + " " + l.path("action").asText())
                .containsExactlyInAnyOrder("user staged-delete", "user staged-delete", "group staged-delete",
                        "group staged-delete");
        assertThat(linesOf(held)).allSatisfy(line -> assertThat(line.path("reason").asText())
                .contains("4 disables and deletes in this cycle are more than provisioning.deletion-threshold (3)"));

        JsonNode list = admin.ok(admin.get("/api/deletions"));
        assertThat(list.path("held").asInt()).isEqualTo(4);
        assertThat(list.path("objects")).extracting(o -> o.path("objectType").asText() + " "
                + o.path("sourceIdentity").asText() + " " + o.path("action").asText() + " "
                + o.path("targetId").asText())
                .containsExactlyInAnyOrder(
                        "user " + Contoso.upn("adele") + " disable " + accounts.get("adele"),
                        "user " + Contoso.upn("brian") + " delete " + accounts.get("brian"),
                        "group Finance delete " + targetGroups.get("Finance"),
                        "group Interns delete " + targetGroups.get("Interns"));
        // Users first, then groups: the order they are released in.
        assertThat(list.path("objects")).extracting(o -> o.path("objectType").asText())
                .containsExactly("user", "user", "group", "group");
        assertThat(admin.ok(admin.get("/api/deletions?limit=3")).path("objects")).hasSize(3);
        MimeMessage notice = awaitMails(2).get(0);
        String text = NotificationTest.part(notice, "text/plain");
        assertThat(text).contains("would have disabled or deleted 4 objects (2 users, 2 groups)",
                "user " + ids.get("adele") + " (" + Contoso.upn("adele") + ") disable: no longer assigned",
                "group " + groupIds.get("Finance") + " (Finance) delete: no longer assigned to the application",
                "group " + groupIds.get("Interns") + " (Interns) delete: deleted in Entra ID");
        assertThat(NotificationTest.part(notice, "text/html")).contains("<td>group</td><td>" + groupIds.get("Finance")
                + "</td><td>Finance</td><td>delete</td>");

        JsonNode approved = admin.ok(admin.post("/api/deletions/approve"));

        assertThat(approved.path("approved").asInt()).isEqualTo(4);
        String sent = awaitNextCycle(held);
        assertThat(writes()).extracting(RecordedRequest::line).containsExactlyInAnyOrder(
                "PATCH /Users/" + accounts.get("adele"), "DELETE /Users/" + accounts.get("brian"),
                "DELETE /Groups/" + targetGroups.get("Finance"), "DELETE /Groups/" + targetGroups.get("Interns"));
        // The users' disables and deletes go first, the group deletes after them, as in the cycle.
        assertThat(writes()).extracting(r -> r.path().split("/")[1]).containsExactly("Users", "Users", "Groups",
                "Groups");
        assertThat(scim.userByUserName(Contoso.upn("adele")).orElseThrow().path("active").asBoolean()).isFalse();
        assertThat(scim.userByUserName(Contoso.upn("brian"))).isEmpty();
        assertThat(scim.groups()).extracting(g -> g.path("displayName").asText())
                .containsExactlyInAnyOrder("Sales", "Buyers");
        JsonNode counts = admin.ok(admin.get("/api/status")).path("lastCycle").path("counts");
        assertThat(counts.path("disabled").asInt()).isEqualTo(1);
        assertThat(counts.path("deleted").asInt()).isEqualTo(1);
        assertThat(counts.path("groups.deleted").asInt()).isEqualTo(2);
        assertThat(engine.logLines()).filteredOn(l -> l.path("cycleId").asText().equals(sent))
                .filteredOn(l -> l.path("objectType").asText().equals("group"))
                .extracting(l -> l.path("sourceIdentity").asText() + " " + l.path("action").asText() + " "
                        + l.path("status").asText() + " " + l.path("reason").asText())
                .containsExactlyInAnyOrder("Finance delete success no longer assigned to the application",
                        "Interns delete success deleted in Entra ID");
        assertThat(heldObjects()).isEmpty();
    }

    @Test
    void aRejectionDropsTheHeldUsersAndGroupsAlike() throws Exception {
        startWithUsersAndFourProvisionedGroups();
        CycleReport held = cycleWithTwoUserAndTwoGroupDeletions();
        assertThat(held.counts()).containsEntry("staged", 2).containsEntry("groups.staged", 2);

        JsonNode rejected = admin.ok(admin.post("/api/deletions/reject"));

        assertThat(rejected.path("rejected").asInt()).isEqualTo(4);
        String next = awaitNextCycle(held);
        assertThat(writes()).isEmpty();
        assertThat(scim.groups()).hasSize(4);
        assertThat(scim.users()).hasSize(7).allMatch(u -> u.path("active").asBoolean());
        assertThat(engine.logLines()).noneMatch(l -> l.path("cycleId").asText().equals(next)
                && List.of("disable", "delete").contains(l.path("action").asText()));
        assertThat(heldObjects()).isEmpty();
        // Dropped for good: a later cycle sends them neither.
        assertThat(engine.runCycle().counts()).containsEntry("groups.deleted", 0).containsEntry("deleted", 0)
                .doesNotContainKeys("staged", "groups.staged");
        assertThat(writes()).isEmpty();
    }

    @Test
    void aHeldGroupThatIsAssignedAgainOrRestoredIsDroppedUnsent() throws Exception {
        startWithUsersAndFourProvisionedGroups();
        tenant.unassign(groupIds.get("Sales"));
        tenant.deleteGroup(groupIds.get("Buyers"));
        tenant.hardDeleteGroup(groupIds.get("Interns"));
        tenant.unassign(groupIds.get("Finance"));
        CycleReport held = engine.runCycle();
        assertThat(held.counts()).containsEntry("groups.staged", 4);
        tenant.assign(groupIds.get("Sales"));
        tenant.restoreGroup(groupIds.get("Buyers"));

        admin.ok(admin.post("/api/deletions/approve"));
        String sent = awaitNextCycle(held);

        assertThat(writes()).extracting(RecordedRequest::line).containsExactlyInAnyOrder(
                "DELETE /Groups/" + targetGroups.get("Interns"), "DELETE /Groups/" + targetGroups.get("Finance"));
        assertThat(scim.groups()).extracting(g -> g.path("displayName").asText())
                .containsExactlyInAnyOrder("Sales", "Buyers");
        assertThat(engine.logLines()).noneMatch(l -> l.path("cycleId").asText().equals(sent)
                && List.of(groupIds.get("Sales"), groupIds.get("Buyers")).contains(l.path("sourceId").asText())
                && l.path("action").asText().equals("delete"));
        assertThat(heldObjects()).isEmpty();
        assertThat(admin.ok(admin.get("/api/status")).path("deletions").path("held").asInt()).isZero();
    }

    @Test
    void aCycleThatStopsWhileReleasingAGroupDeleteKeepsItsWatermarkAndTheNextOneDeletesItOnce() throws Exception {
        startWithUsersAndFourProvisionedGroups();
        tenant.unassign(ids.get("adele"));
        tenant.hardDeleteGroup(groupIds.get("Interns"));
        // The target rejects the credentials: the cycle stops in its release step, as a crash there would.
        scim.failNext(1, 401, null, "/Groups/");
        graph.clearRequests();

        CycleReport stopped = engine.runCycle();

        assertThat(stopped.completed()).isFalse();
        assertThat(scim.group(targetGroups.get("Interns"))).isPresent();
        // Both were released at the end of the cycle: the user's disable, then the group's delete (refused).
        assertThat(writes()).extracting(RecordedRequest::line).containsExactly(
                "PATCH /Users/" + accounts.get("adele"), "DELETE /Groups/" + targetGroups.get("Interns"));
        String stoppedDelta = groupsDeltaQuery();
        graph.clearRequests();
        scim.clearRequests();
        CycleReport next = engine.runCycle();

        assertThat(groupsDeltaQuery()).as("the groups watermark did not move past the staged delete")
                .isEqualTo(stoppedDelta);
        assertThat(next.completed()).isTrue();
        assertThat(next.counts()).containsEntry("groups.deleted", 1).doesNotContainKeys("staged", "groups.staged");
        assertThat(scim.group(targetGroups.get("Interns"))).isEmpty();
        assertThat(writes()).extracting(RecordedRequest::line)
                .containsExactly("DELETE /Groups/" + targetGroups.get("Interns"));
        assertThat(linesOf(next)).filteredOn(l -> l.path("objectType").asText().equals("group"))
                .extracting(l -> l.path("sourceIdentity").asText() + " " + l.path("action").asText())
                .containsExactly("Interns delete");
        assertThat(heldObjects()).isEmpty();
        scim.clearRequests();
        assertThat(engine.runCycle().counts()).containsEntry("groups.deleted", 0);
        assertThat(writes()).isEmpty();
    }

    /** The query of the cycle's first groups delta request: the stored deltaLink's token, in an incremental cycle. */
    private String groupsDeltaQuery() {
        return graph.requests().stream().filter(r -> r.path().endsWith("/groups/delta")).findFirst().orElseThrow()
                .query();
    }

    /** The held objects GET /api/deletions lists: an array, also when none is held. */
    private JsonNode heldObjects() {
        JsonNode objects = admin.ok(admin.get("/api/deletions")).path("objects");
        assertThat(objects.isArray()).as("objects in GET /api/deletions").isTrue();
        return objects;
    }

    private List<JsonNode> linesOf(CycleReport report) {
        return engine.logLines().stream().filter(l -> l.path("cycleId").asText().equals(report.cycleId())).toList();
    }

    private JsonNode lineFor(List<JsonNode> lines, String name) {
        return lines.stream().filter(l -> l.path("sourceId").asText().equals(ids.get(name))).findFirst().orElseThrow();
    }

    /** Waits for the cycle an approval or rejection starts to complete; answers its id. */
    private String awaitNextCycle(CycleReport previous) {
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            JsonNode status = admin.ok(admin.get("/api/status"));
            return status.path("cycle").isNull()
                    && !status.path("lastCycle").path("cycleId").asText().equals(previous.cycleId());
        });
        JsonNode last = admin.ok(admin.get("/api/status")).path("lastCycle");
        assertThat(last.path("state").asText()).isEqualTo("completed");
        return last.path("cycleId").asText();
    }

    /** Waits for {@code deliveries} (GreenMail keeps one per recipient) and answers them. */
    private List<MimeMessage> awaitMails(int deliveries) {
        await().atMost(Duration.ofSeconds(30)).until(() -> mail.server().getReceivedMessages().length >= deliveries);
        return List.of(mail.server().getReceivedMessages());
    }

    private double heldGauge() {
        String metrics = admin.get("/observe/metrics").body();
        Matcher m = Pattern.compile("(?m)^provisioning_deletions_held(\\{[^}]*})? (\\S+)$").matcher(metrics);
        assertThat(m.find()).as("provisioning_deletions_held in%n%s", metrics).isTrue();
        return Double.parseDouble(m.group(2));
    }
}
