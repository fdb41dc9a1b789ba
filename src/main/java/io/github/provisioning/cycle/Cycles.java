package io.github.provisioning.cycle;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.github.provisioning.graph.GraphException;
import io.github.provisioning.graph.GraphPage;
import io.github.provisioning.graph.GraphResponses;
import io.github.provisioning.graph.PrincipalPage;
import io.github.provisioning.graph.SourceChange;
import io.github.provisioning.state.AppRoleStore;
import io.github.provisioning.state.JobStateStore;
import io.github.provisioning.state.LinkStore;
import io.github.provisioning.state.ScopeStore;
import io.github.provisioning.state.StateDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.camel.Body;
import org.apache.camel.CamelContext;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life of a cycle: starts it (initial or incremental), says where to read Graph, collects the assignment
 * scope, and ends it by storing the watermark and writing the report. Only one cycle runs at a time.
 */
public final class Cycles {

    private static final Logger LOG = LoggerFactory.getLogger(Cycles.class);
    private static final String USERS_WATERMARK = "users-delta";
    /** The users delta round in progress (a {@link DeltaRound}), stored after each page whose work is done. */
    static final String USERS_ROUND = "users-round";
    /** The groups delta round in progress, likewise after each page staged. */
    static final String GROUPS_ROUND = "groups-round";
    static final String GROUPS_WATERMARK = "groups-delta";
    /** What the scope reads of an assignment: who is assigned, and with which app role. */
    static final String ASSIGNMENT_SELECT = "principalId,principalType,appRoleId";
    private static final String CONFIGURATION_WATERMARK = "configuration";
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).enable(SerializationFeature.INDENT_OUTPUT);

    /** The state's database, switched to a copy for a dry run. */
    private final StateDatabase database;
    private final LinkStore links;
    private final ScopeStore scope;
    private final AppRoleStore roleAssignments;
    private final JobStateStore jobState;
    private final Path dataDir;
    private final String graphUrl;
    private final String appId;
    private final boolean assignedScope;
    /** A mapping reads [appRoleAssignments]: the app roles and each user's assignments are read every cycle. */
    private final boolean readRoles;
    /** The service principal's app roles, read at the start of the running cycle. */
    private volatile Map<String, GraphResponses.AppRole> appRoles = Map.of();
    private final String userSelect;
    private final String configurationFingerprint;
    private final RunOutcome outcome;
    private final Clock clock;
    private final AtomicReference<CycleRun> running = new AtomicReference<>();
    /** Held by admin work that must not overlap a cycle (restart, provision on demand); a cycle waits for it. */
    private final Semaphore cyclesPaused = new Semaphore(1, true);

    /**
     * @param configurationFingerprint changes when the mapping or the scope changes; Entra then runs a full cycle
     */
    public Cycles(StateDatabase database, LinkStore links, ScopeStore scope, AppRoleStore roleAssignments,
                  JobStateStore jobState, Path dataDir, String graphUrl, String appId, boolean assignedScope,
                  String userSelect, String configurationFingerprint, RunOutcome outcome, Clock clock) {
        this(database, links, scope, roleAssignments, jobState, dataDir, graphUrl, appId, assignedScope, false,
                userSelect, configurationFingerprint, outcome, clock);
    }

    /**
     * @param readRoles whether a mapping reads {@code [appRoleAssignments]}; then every cycle reads the app roles and
     *                  the assignments (also with scope all), and users whose roles changed are re-evaluated
     */
    public Cycles(StateDatabase database, LinkStore links, ScopeStore scope, AppRoleStore roleAssignments,
                  JobStateStore jobState, Path dataDir, String graphUrl, String appId, boolean assignedScope,
                  boolean readRoles, String userSelect, String configurationFingerprint, RunOutcome outcome,
                  Clock clock) {
        if (readRoles && (appId == null || appId.isBlank())) {
            throw new IllegalArgumentException("Missing required setting: graph.app-id (needed because the mapping "
                    + "reads [appRoleAssignments], which come from the app's service principal)");
        }
        this.database = database;
        this.links = links;
        this.scope = scope;
        this.roleAssignments = roleAssignments;
        this.jobState = jobState;
        this.readRoles = readRoles;
        this.dataDir = dataDir;
        this.graphUrl = graphUrl.replaceAll("/+$", "");
        this.appId = appId;
        this.assignedScope = assignedScope;
        this.userSelect = userSelect;
        this.configurationFingerprint = configurationFingerprint;
        this.outcome = outcome;
        this.clock = clock;
    }

    /** The header that asks direct:run-cycle for a dry run ({@code POST /api/job/dry-run}, provisioning.dry-run). */
    public static final String DRY_RUN_HEADER = "provisioningDryRun";

    public CycleRun begin() {
        return begin(false);
    }

    /** The cycle direct:run-cycle was asked for: a dry run when its header says so. */
    public CycleRun beginAsked(@Header(DRY_RUN_HEADER) Boolean dryRun) {
        return begin(Boolean.TRUE.equals(dryRun));
    }

    public CycleRun begin(boolean dryRun) {
        cyclesPaused.acquireUninterruptibly();
        try {
            return beginUnpaused(dryRun);
        } finally {
            cyclesPaused.release();
        }
    }

    private CycleRun beginUnpaused(boolean dryRun) {
        boolean sameConfiguration = jobState.watermark(CONFIGURATION_WATERMARK)
                .filter(configurationFingerprint::equals).isPresent();
        // A round an earlier cycle did not finish goes on where it stopped, unless the mapping or scope changed since.
        Optional<DeltaRound> unfinished = jobState.watermark(USERS_ROUND).flatMap(DeltaRound::decode)
                .filter(round -> configurationFingerprint.equals(round.configuration()));
        boolean incremental = unfinished.map(round -> !round.full())
                .orElseGet(() -> sameConfiguration && jobState.watermark(USERS_WATERMARK).isPresent());
        CycleRun cycle = new CycleRun(UUID.randomUUID().toString(),
                incremental ? CycleRun.Type.INCREMENTAL : CycleRun.Type.INITIAL, clock.instant(), dryRun);
        unfinished.ifPresentOrElse(cycle.usersRound()::resume,
                () -> cycle.usersRound().start(cycle.id(), !incremental));
        if (!running.compareAndSet(null, cycle)) {
            throw new IllegalStateException("cycle " + running.get().id() + " is still running");
        }
        // The type above came from the stored state; from here on a dry run reads and writes a copy of it. A cycle
        // that cannot start (its start not stored) leaves neither a copy nor itself behind: its route has no cycle
        // to abort, and the next one must find the job idle.
        try {
            if (dryRun) {
                database.beginDryRun(jobState.job());
            }
            jobState.cycleStarted(cycle.id(), typeName(cycle), cycle.start());
        } catch (RuntimeException e) {
            if (dryRun) {
                database.endDryRun();
            }
            running.compareAndSet(cycle, null);
            throw e;
        }
        CycleMdc.begin(cycle.id());
        if (dryRun) {
            LOG.info("Cycle {} ({}) started as a dry run: no SCIM write is sent, the stored state is left as it is",
                    cycle.id(), typeName(cycle));
        } else if (cycle.resumed() != null) {
            LOG.info("Cycle {} ({}) started: resumes users delta round {} after its {} pages done", cycle.id(),
                    typeName(cycle), cycle.roundId(), cycle.resumed().pagesDone());
        } else {
            LOG.info("Cycle {} ({}) started", cycle.id(), typeName(cycle));
        }
        return cycle;
    }

    /** The cycle in progress, if any. */
    public Optional<CycleRun> current() {
        return Optional.ofNullable(running.get());
    }

    /** How far the cycle in progress is, if one runs. */
    public Optional<CycleProgress.Snapshot> progress() {
        return current().map(cycle -> cycle.progress().snapshot(clock.instant()));
    }

    /** The timer's progress line (every 30 s) for the cycle in progress, if one runs. */
    public void logProgress() {
        current().ifPresent(cycle -> cycle.progress().log(cycle.progress().snapshot(clock.instant())));
    }

    /** The scope step is done: with assigned scope, its users are the total of an initial cycle's progress. */
    public void scopeRead(@ExchangeProperty("cycle") CycleRun cycle) {
        if (assignedScope) {
            cycle.progress().scopeSize(scope.nextScopeSize());
        }
    }

    /** The schedule starts a cycle only when none runs (a cycle may outlast the interval). */
    public boolean idle() {
        CycleRun cycle = running.get();
        if (cycle != null) {
            LOG.info("Scheduled cycle skipped: cycle {} is still running", cycle.id());
        }
        return cycle == null;
    }

    /**
     * Keeps cycles from starting (they wait) until {@link #resumeCycles()}, for admin work that must not overlap a
     * cycle. False, and nothing held, when a cycle is running.
     */
    public boolean pauseCycles() {
        cyclesPaused.acquireUninterruptibly();
        if (running.get() != null) {
            cyclesPaused.release();
            return false;
        }
        return true;
    }

    public void resumeCycles() {
        cyclesPaused.release();
    }

    /**
     * Runs {@code work} and answers true when no cycle runs and no admin work holds the cycles, keeping cycles from
     * starting meanwhile; else answers false at once. In a cluster, the job's lease is given up to another node so.
     */
    public boolean whileIdle(Runnable work) {
        if (!cyclesPaused.tryAcquire()) {
            return false;
        }
        try {
            if (running.get() != null) {
                return false;
            }
            work.run();
            return true;
        } finally {
            cyclesPaused.release();
        }
    }

    /**
     * Entra's restart: the users watermark and the escrows go, so the next cycle is initial and reads everyone;
     * links stay unless {@code breakLinks} (then every account is matched again). Call between
     * {@link #pauseCycles()} and {@link #resumeCycles()}.
     */
    public JobStateStore.Restart restart(boolean breakLinks) {
        return jobState.restart(List.of(USERS_WATERMARK, USERS_ROUND, GROUPS_ROUND), breakLinks);
    }

    /**
     * Where this cycle reads users: the first page not done of the round it resumes, the stored deltaLink, or a new
     * delta round for an initial cycle.
     */
    public String userDeltaUrl(@ExchangeProperty("cycle") CycleRun cycle) {
        if (cycle.resumed() != null) {
            return cycle.resumed().nextLink();
        }
        if (cycle.type() == CycleRun.Type.INCREMENTAL) {
            return jobState.watermark(USERS_WATERMARK).orElseThrow();
        }
        return fullRoundUrl();
    }

    private String fullRoundUrl() {
        return graphUrl + "/users/delta?$select=" + encode(userSelect);
    }

    /**
     * Graph refused the link the cycle read users from: the stored delta token expired, or the page a resumed round
     * stopped at is no longer served (its skip token expired: 400, 404 or 410). Starts a full round instead, as
     * Entra does, and answers an empty page whose next link is that round's first page, so the read loop goes on.
     * Any other refusal fails the cycle.
     */
    public GraphPage restartDeltaRound(@ExchangeProperty("cycle") CycleRun cycle,
                                       @ExchangeProperty("CamelExceptionCaught") GraphException cause) {
        if (!DeltaRound.startsOver(cause, cycle.usersRound().atResumedPage())) {
            throw cause;
        }
        LOG.warn("Cycle {}: Graph no longer serves the users delta {} ({}); reading all users again", cycle.id(),
                cycle.resumed() != null ? "page round " + cycle.roundId() + " stopped at" : "token",
                cause.getMessage());
        cycle.usersRound().start(UUID.randomUUID().toString(), true);
        return new GraphPage(List.of(), fullRoundUrl(), null);
    }

    /**
     * The work of a page is done (every user of it saved or escrowed): counts it, in a full round marks its users
     * listed by the round (one statement), and returns the next page's URL, stored as the round's place so that a
     * cycle that stops later resumes there. The last page's deltaLink becomes the pending watermark.
     */
    public String pageRead(@ExchangeProperty("cycle") CycleRun cycle, @Body GraphPage page) {
        cycle.pageRead();
        int done = cycle.usersRound().pageDone();
        if (cycle.fullRound()) {
            links.markListed(cycle.roundId(), page.changes().stream().map(SourceChange::id).toList());
        }
        if (page.nextLink() == null) {
            if (page.deltaLink() == null) {
                throw new IllegalStateException("Graph's last page carries neither a nextLink nor a deltaLink");
            }
            cycle.userDeltaLink(page.deltaLink());
        } else {
            jobState.putWatermarkDurably(USERS_ROUND,
                    cycle.usersRound().next(page.nextLink(), done, configurationFingerprint).encode());
        }
        return page.nextLink();
    }

    // ---- assignment scope

    /** The service principal's URL for its app roles, read once per cycle; null when no mapping reads roles. */
    public String appRolesUrl() {
        return readRoles ? graphUrl + "/servicePrincipals/" + encode(appId) + "?$select=appRoles" : null;
    }

    public void useAppRoles(@Body Map<String, GraphResponses.AppRole> roles) {
        appRoles = Map.copyOf(roles);
    }

    /**
     * Starts collecting the scope (and the role assignments, when read); returns the first appRoleAssignedTo page's
     * URL, or null when scope is all and no mapping reads roles.
     */
    public String beginScope(@ExchangeProperty("cycle") CycleRun cycle) {
        if (!assignedScope && !readRoles) {
            return null;
        }
        if (assignedScope) {
            scope.startNextScope(cycle.id());
        }
        if (readRoles) {
            roleAssignments.startNextRoles();
        }
        // Only what the scope needs: a fraction of each entry's bytes, and Graph's $select costs fewer resource units.
        return graphUrl + "/servicePrincipals/" + encode(appId) + "/appRoleAssignedTo?$select="
                + encode(ASSIGNMENT_SELECT) + "&$top=999";
    }

    /** A group assignment: its members get the assignment's app role, and with assigned scope are in scope. */
    public record AssignedGroup(String groupId, String appRoleId, String membersUrl) {
    }

    /** Users assigned directly are in scope and hold the assigned role; returns the assigned groups to expand. */
    public List<AssignedGroup> assign(@Body PrincipalPage page) {
        List<GraphResponses.Principal> principals = page.principals();
        List<GraphResponses.Principal> users = principals.stream().filter(GraphResponses.Principal::isUser).toList();
        if (assignedScope) {
            // Assigned groups are provisioned themselves (when the profile provisions groups).
            scope.addToNextGroupScope(principals.stream().filter(GraphResponses.Principal::isGroup)
                    .map(GraphResponses.Principal::id).toList());
            scope.addToNextScope(users.stream().map(GraphResponses.Principal::id).toList());
        }
        if (readRoles) {
            roleAssignments.addToNextRoles(users.stream().map(u -> role(u.id(), u.appRoleId()))
                    .filter(Objects::nonNull).toList());
        }
        return principals.stream().filter(GraphResponses.Principal::isGroup)
                // With scope all, a group matters only for the role it gives its members.
                .filter(g -> assignedScope || (g.appRoleId() != null && appRoles.containsKey(g.appRoleId())))
                .map(g -> new AssignedGroup(g.id(), g.appRoleId(),
                        // Graph's largest page (999; 100 by default): the scope is read every cycle, a page at a time.
                        graphUrl + "/groups/" + encode(g.id()) + "/members?$select=id&$top=999"))
                .toList();
    }

    /**
     * Entra: only the direct members of an assigned group are in scope; nested groups are not expanded. They hold
     * the group assignment's app role.
     */
    public void addMembers(@Body PrincipalPage page, @ExchangeProperty("assignedGroup") AssignedGroup group) {
        List<String> users = page.principals().stream()
                .filter(GraphResponses.Principal::isUser).map(GraphResponses.Principal::id).toList();
        if (assignedScope) {
            scope.addToNextScope(users);
        }
        if (readRoles && group != null) {
            roleAssignments.addToNextRoles(users.stream().map(id -> role(id, group.appRoleId()))
                    .filter(Objects::nonNull).toList());
        }
    }

    /**
     * Entra evaluates users with the default access (appRoleId all zeros) like any other assigned user, but that
     * assignment is no app role of the application: it gives no entry in [appRoleAssignments]. Neither does an
     * appRoleId the service principal no longer lists.
     */
    private AppRoleStore.RoleAssignment role(String userId, String appRoleId) {
        GraphResponses.AppRole role = appRoleId == null ? null : appRoles.get(appRoleId);
        return role == null ? null
                : new AppRoleStore.RoleAssignment(userId, role.id(), role.displayName(), role.value());
    }

    /**
     * The user's app role assignments in the running cycle, for its source attributes; null when no mapping reads
     * them.
     */
    public List<Map<String, String>> appRoleAssignments(String sourceId) {
        return readRoles ? roleAssignments.appRoleAssignments(sourceId, false) : null;
    }

    public boolean inScope(String sourceId) {
        return !assignedScope || scope.inNextScope(sourceId);
    }

    /**
     * What the state store holds for a delta page's users, read at once before they are provisioned ({@link
     * PageState}: their links, scope, and managers' links).
     */
    public PageState pageState(@ExchangeProperty("cycle") CycleRun cycle, @Body GraphPage page) {
        changesRead(cycle, page.changes());
        return PageState.read(links, scope, page.changes(), assignedScope, readsManager());
    }

    /** Users that left the assignment scope since the last cycle and did not change themselves. */
    public List<SourceChange> leftScope(@ExchangeProperty("cycle") CycleRun cycle) {
        if (!assignedScope) {
            return List.of();
        }
        return changesRead(cycle, scope.leftScope(cycle.id()).stream()
                .map(id -> new SourceChange(id, null, SourceChange.Kind.LEFT_SCOPE)).toList());
    }

    /** Users to read by id: newly assigned ones the delta did not bring, and failed ones due for a retry. */
    public List<String> toRefresh(@ExchangeProperty("cycle") CycleRun cycle) {
        String resumedFullRound = cycle.resumed() != null && cycle.fullRound() ? cycle.roundId() : null;
        return changesRead(cycle,
                links.toRefresh(cycle.id(), resumedFullRound, assignedScope, readRoles, cycle.start()));
    }

    /**
     * At the end of a completed full round: the linked, active users it did not list (deleted or soft-deleted, and
     * perhaps never seen so by a cycle that was cut short) or, with assigned scope, that are outside the final scope.
     * They are read by id and provisioned by the usual rules. Empty when the round was not a full one.
     */
    public List<String> unlistedAccounts(@ExchangeProperty("cycle") CycleRun cycle) {
        if (!cycle.fullRound()) {
            return List.of();
        }
        return changesRead(cycle, links.unlistedAccounts(cycle.roundId(), cycle.id(), assignedScope));
    }

    /** Users the cycle will give an outcome: an incremental cycle's progress is of the changes read so far. */
    private static <T> List<T> changesRead(CycleRun cycle, List<T> users) {
        cycle.progress().changesRead(users.size());
        return users;
    }

    public String userUrl(@Body String id) {
        // A single user carries its manager only when expanded (manager@delta exists in delta rounds alone).
        String expand = readsManager() ? "&$expand=" + encode("manager($select=id)") : "";
        return graphUrl + "/users/" + encode(id) + "?$select=" + encode(userSelect) + expand;
    }

    /** A mapping reads the manager: the users' selected properties name it. */
    private boolean readsManager() {
        return java.util.Arrays.asList(userSelect.split(",")).contains("manager");
    }

    // ---- end of a cycle

    /** Stores the watermark and the scope the cycle ran with, and writes the report. */
    public CycleReport complete(@ExchangeProperty("cycle") CycleRun cycle) {
        Map<String, String> watermarks = new LinkedHashMap<>();
        watermarks.put(USERS_WATERMARK, cycle.userDeltaLink());
        // The rounds are done: the next cycle starts from their deltaLinks, not from a page of them.
        watermarks.put(USERS_ROUND, null);
        watermarks.put(GROUPS_ROUND, null);
        if (cycle.groupDeltaLink() != null) {
            watermarks.put(GROUPS_WATERMARK, cycle.groupDeltaLink());
        }
        jobState.completeCycle(watermarks, assignedScope, readRoles);
        jobState.putWatermark(CONFIGURATION_WATERMARK, configurationFingerprint);
        return finish(cycle, "completed", null);
    }

    /** The cycle could not run to its end; the watermark stays where it was, so the next cycle reads it all again. */
    public CycleReport abort(@ExchangeProperty("cycle") CycleRun cycle,
                             @ExchangeProperty("CamelExceptionCaught") Exception e) {
        String reason = reason(e);
        if (cycle == null) {
            CycleReport report = new CycleReport("none", "none", clock.instant(), clock.instant(), 0, Map.of(),
                    "failed", reason, 0);
            outcome.record(report);
            LOG.error("Cycle could not start: {}", reason);
            return report;
        }
        return finish(cycle, "failed", reason);
    }

    /**
     * In a cluster: this node lost the job's lease during the cycle. The cycle stops; its report stays in this node's
     * data directory only, since the node may no longer write the job's state, and it neither counts towards a
     * quarantine nor sends an e-mail: the node that holds the lease now runs the job.
     */
    public CycleReport handOver(@ExchangeProperty("cycle") CycleRun cycle,
                                @ExchangeProperty("CamelExceptionCaught") Exception e) {
        String reason = "handed over: " + reason(e);
        if (cycle == null) {
            LOG.warn("Cycle could not start: {}", reason);
            return null;
        }
        return finish(cycle, "failed", reason, false);
    }

    /** The first cause that is ours or the transport's, not Camel's wrapper around a parallel split. */
    private static String reason(Throwable e) {
        if (e == null) {
            return "unknown error";
        }
        Throwable cause = e;
        while (cause.getCause() != null && cause instanceof org.apache.camel.CamelExchangeException) {
            cause = cause.getCause();
        }
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }

    private CycleReport finish(CycleRun cycle, String result, String error) {
        return finish(cycle, result, error, true);
    }

    private CycleReport finish(CycleRun cycle, String result, String error, boolean stored) {
        Instant end = clock.instant();
        Map<String, Integer> counts = new LinkedHashMap<>();
        cycle.counts().forEach((k, v) -> counts.put(k.name().toLowerCase(Locale.ROOT), v));
        if (cycle.groupsProvisioned()) {
            // Groups have no disable.
            cycle.groupCounts().forEach((k, v) -> {
                if (k != CycleRun.Outcome.DISABLED) {
                    counts.put("groups." + k.name().toLowerCase(Locale.ROOT), v);
                }
            });
        }
        CycleReport report = new CycleReport(cycle.id(), typeName(cycle), cycle.start(), end,
                end.toEpochMilli() - cycle.start().toEpochMilli(), counts, result, error, cycle.pages(),
                cycle.graphRetries(), cycle.dryRun() ? Boolean.TRUE : null);
        try {
            String json = JSON.writeValueAsString(report);
            Path file = dataDir.resolve("cycles").resolve(cycle.id() + ".json");
            Files.createDirectories(file.getParent());
            // Whole or not at all: a reader polling the folder (a script, the benchmark) never finds half a report.
            Path partial = file.resolveSibling("." + file.getFileName() + ".partial");
            Files.writeString(partial, json);
            Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            if (stored) {
                jobState.cycleEnded(cycle.id(), result, end, json);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the cycle report", e);
        } finally {
            if (cycle.dryRun()) {
                database.endDryRun();
            }
            running.compareAndSet(cycle, null);
            outcome.record(report);
        }
        if (report.completed()) {
            LOG.info(report.summary());
        } else {
            LOG.error(report.summary());
        }
        return report;
    }

    /** After a {@code provisioning.once} cycle: stop Camel, which ends the application. */
    public void stopAfterOnce(CamelContext context) {
        outcome.ending();
        Thread stopper = new Thread(context::stop, "provisioning-once-stop");
        stopper.setDaemon(false);
        stopper.start();
    }

    private static String typeName(CycleRun cycle) {
        return cycle.type().name().toLowerCase(Locale.ROOT);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
