package io.github.provisioning.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.provisioning.cluster.JobLease;
import io.github.provisioning.cycle.CycleProgress;
import io.github.provisioning.cycle.CycleRun;
import io.github.provisioning.cycle.Cycles;
import io.github.provisioning.cycle.Quarantine;
import io.github.provisioning.state.QuarantineState;
import io.github.provisioning.state.StagedDeletion;
import io.github.provisioning.state.JobStateStore;
import io.github.provisioning.state.EscrowStore;
import io.github.provisioning.state.StagedDeletionStore;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.Header;
import org.apache.camel.ServiceStatus;
import org.apache.camel.spi.RouteController;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entra's job controls on the scheduled job, its quartz route ({@code <job>.cycle-schedule}): start, stop, restart, and
 * the job's status. Start and stop go through Camel's route controller, so the job's state is the route's state as
 * Camel (and its CLI) sees it. The schedule only hands a cycle over to its own thread, so stopping the route never
 * waits for, nor cuts short, a running cycle.
 */
public final class JobControl {

    private static final Logger LOG = LoggerFactory.getLogger(JobControl.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final CamelContext context;
    private final Cycles cycles;
    private final EscrowStore escrows;
    private final StagedDeletionStore deletions;
    private final JobStateStore jobState;
    private final Quarantine quarantine;
    private final int deletionThreshold;
    private final JobLease lease;
    private final String scheduleRoute;

    /**
     * @param deletionThreshold {@code provisioning.deletion-threshold}, shown in the status
     * @param lease             whether this node runs the job, and which node does (in a cluster)
     * @param scheduleRoute     the id of the job's schedule route
     */
    public JobControl(CamelContext context, Cycles cycles, EscrowStore escrows, StagedDeletionStore deletions,
                      JobStateStore jobState, Quarantine quarantine, int deletionThreshold, JobLease lease,
                      String scheduleRoute) {
        this.context = context;
        this.scheduleRoute = scheduleRoute;
        this.lease = lease;
        this.cycles = cycles;
        this.escrows = escrows;
        this.deletions = deletions;
        this.jobState = jobState;
        this.quarantine = quarantine;
        this.deletionThreshold = deletionThreshold;
    }

    /**
     * Resumes the schedule; the route then asks for a cycle at once (a resumed quartz trigger fires only at its next
     * tick). Idempotent; a quarantined job tries again at once. Refused while deletions are held: the job paused
     * for them, and only an approval or a rejection resumes it.
     */
    public synchronized ApiReply start() throws Exception {
        StagedDeletion.Held held = deletions.heldDeletions();
        if (held.count() > 0) {
            return ApiErrors.error(409, held.count() + " disables and deletes are held (more than "
                    + "provisioning.deletion-threshold in one cycle); approve or reject them: "
                    + "POST /api/deletions/approve or POST /api/deletions/reject (see GET /api/deletions)");
        }
        boolean quarantined = quarantine.current().isPresent();
        if (quarantined) {
            quarantine.retryNow();
        }
        if (!scheduled()) {
            routes().startRoute(scheduleRoute);
            LOG.info("Provisioning job started from the admin API{}", quarantined ? " (quarantined: tries now)" : "");
        }
        return status();
    }

    /**
     * Whether a dry run may start now: not while a cycle runs (409, like restart), nor while deletions are held (409:
     * no real cycle runs then, so there is nothing to compare with). Answers 202; the route then asks for the dry run,
     * which runs whether the schedule runs or not and leaves the job's state as it is.
     */
    public synchronized ApiReply dryRun() {
        if (cycles.current().isPresent()) {
            return cycleRunning("a dry run");
        }
        StagedDeletion.Held held = deletions.heldDeletions();
        if (held.count() > 0) {
            return ApiErrors.error(409, held.count() + " disables and deletes are held; no cycle runs until they are "
                    + "approved or rejected (see GET /api/deletions), so a dry run has nothing to foresee");
        }
        return new ApiReply(202, new DryRunRequested("requested",
                "GET /api/status while it runs; then {data-dir}/cycles/<cycleId>.json with \"dryRun\": true"));
    }

    /** The dry run's answer: requested, and where its report will be. */
    public record DryRunRequested(String dryRun, String report) {
    }

    /** No new cycle is scheduled; a running cycle runs to its end. Idempotent. */
    public synchronized ApiReply stop() throws Exception {
        if (scheduled()) {
            routes().stopRoute(scheduleRoute);
            LOG.info("Provisioning job stopped from the admin API{}", cycles.current()
                    .map(c -> "; cycle " + c.id() + " runs to its end").orElse(""));
        }
        return status();
    }

    /**
     * The job stops itself, as {@link #stop()} does, for the reason given (held deletions); a running cycle runs to
     * its end. Called on the cycle's own thread, which the schedule only hands work to.
     */
    public synchronized void pause(String reason) throws Exception {
        if (scheduled()) {
            routes().stopRoute(scheduleRoute);
        }
        LOG.warn("Provisioning job paused: {}", reason);
    }

    /**
     * Entra's restart, which also ends a quarantine; {@code full=true} also breaks the links. Refused while a cycle
     * runs.
     */
    public ApiReply restart(@Header("full") String full) {
        boolean breakLinks;
        if (full == null || full.isEmpty() || full.equalsIgnoreCase("false")) {
            breakLinks = false;
        } else if (full.equalsIgnoreCase("true")) {
            breakLinks = true;
        } else {
            return ApiErrors.error(400, "full must be true or false, not \"" + full + "\"");
        }
        if (!cycles.pauseCycles()) {
            return cycleRunning("restart");
        }
        JobStateStore.Restart cleared;
        boolean quarantineCleared;
        try {
            cleared = cycles.restart(breakLinks);
            quarantineCleared = quarantine.clear();
        } finally {
            cycles.resumeCycles();
        }
        LOG.info("Provisioning job restarted{} from the admin API: {} pending retries cleared, {} links removed{}",
                breakLinks ? " (full)" : "", cleared.retriesCleared(), cleared.linksRemoved(),
                quarantineCleared ? ", quarantine ended" : "");
        return new ApiReply(200, new Restarted(true, breakLinks, cleared.retriesCleared(), cleared.linksRemoved(),
                quarantineCleared, "initial", state()));
    }

    /** What a restart cleared; the next cycle is an initial one. */
    public record Restarted(boolean restarted, boolean full, int retriesCleared, int linksRemoved,
                            boolean quarantineCleared, String nextCycle, String state) {
    }

    /**
     * The job's state (running: the schedule is on; stopped), the cycle in progress with its pages and counts so
     * far, the last cycle's report, the escrow count, the quarantine (null: none) with its reason and next
     * attempt, and the held deletions.
     */
    public ApiReply status() {
        EscrowStore.EscrowCounts escrow = escrows.escrowCounts();
        return new ApiReply(200, new JobStatus(state(), new NodeStatus(lease.nodeId(), lease.held()),
                lease.holder().orElse(null), cycles.current().map(JobControl::running).orElse(null),
                jobState.lastCycleReport().map(JobControl::json).orElse(null), escrow.total(),
                escrow,
                quarantine.current().map(this::quarantined).orElse(null),
                DeletionApproval.summary(deletions.heldDeletions(), deletionThreshold)));
    }

    /**
     * The job's status.
     *
     * @param cycle      the cycle in progress, or null
     * @param lastCycle  the last cycle's report as its file has it, or null before the first
     * @param quarantine null when the job is not quarantined
     * @param runsOn     the id of the node that runs the job; null while no node of a cluster holds its lease
     */
    public record JobStatus(String state, NodeStatus node, String runsOn, RunningCycle cycle, JsonNode lastCycle,
                            int escrows, EscrowStore.EscrowCounts escrow, QuarantineStatus quarantine,
                            DeletionApproval.HeldSummary deletions) {
    }

    /**
     * The node that answers.
     *
     * @param id     provisioning.cluster.node-id, else the host name and the process id
     * @param active whether this node runs the job (alone, always; in a cluster, while it holds the job's lease)
     */
    public record NodeStatus(String id, boolean active) {
    }

    /** @param nextAttempt null once the quarantine has stopped retrying */
    public record QuarantineStatus(String reason, String detail, String since, int retries, String nextAttempt,
                                   boolean stopped, String stopsAt) {
    }

    /**
     * The cycle in progress: its pages and counts so far, the scope's size (null until the scope step is done, and
     * with scope all), the users processed, what the percent is of (the scope, or an incremental cycle's changes
     * read so far), and the times.
     *
     * @param dryRun true for a dry run; absent otherwise
     */
    public record RunningCycle(String cycleId, String type, @JsonInclude(JsonInclude.Include.NON_NULL) Boolean dryRun,
                               String start, int pagesRead, Integer scopeSize, int processed, Integer total,
                               String totalOf, Double percent, long elapsedSeconds, Long remainingSeconds,
                               Map<String, Integer> counts) {
    }

    private QuarantineStatus quarantined(QuarantineState q) {
        return new QuarantineStatus(q.reason(), q.detail(), q.since().toString(), q.retries(),
                q.stopped() ? null : q.nextAttempt().toString(), q.stopped(), quarantine.stopsAt(q).toString());
    }

    private static RunningCycle running(CycleRun cycle) {
        CycleProgress.Snapshot progress = cycle.progress().snapshot(Instant.now());
        Map<String, Integer> counts = new LinkedHashMap<>();
        cycle.counts().forEach((outcome, n) -> counts.put(outcome.name().toLowerCase(Locale.ROOT), n));
        return new RunningCycle(cycle.id(), cycle.type().name().toLowerCase(Locale.ROOT),
                cycle.dryRun() ? Boolean.TRUE : null, cycle.start().toString(), cycle.pages(),
                progress.scopeSize(), progress.processed(), progress.total(),
                "incremental".equals(progress.type()) ? "changes read" : "scope", progress.percent(),
                progress.elapsedSeconds(), progress.remainingSeconds(), counts);
    }

    static ApiReply cycleRunning(String what) {
        return ApiErrors.error(409, "A provisioning cycle is running; " + what
                + " waits until it has ended (see GET /api/status)");
    }

    private String state() {
        return scheduled() ? "running" : "stopped";
    }

    private boolean scheduled() {
        return routes().getRouteStatus(scheduleRoute) == ServiceStatus.Started;
    }

    private RouteController routes() {
        return context.getRouteController();
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalStateException("The stored cycle report is not JSON", e);
        }
    }
}
