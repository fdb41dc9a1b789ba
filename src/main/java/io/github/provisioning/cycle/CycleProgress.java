package io.github.provisioning.cycle;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How far a running cycle is. An initial cycle's total is its scope (the users assigned, known after the scope
 * step) and it counts the assigned users that got their outcome; an incremental cycle's total is the changes read
 * so far (delta pages, users that left or entered the scope, retries), since Graph does not say how many changes
 * are still to come, and it counts those that got their outcome. Per-user work is parallel: counts are atomic.
 */
public final class CycleProgress {

    private static final Logger LOG = LoggerFactory.getLogger(CycleProgress.class);
    /**
     * A cycle whose total reaches this many users is long: it also logs a line at each tenth (every cycle that runs
     * has one each 30 s). A short one says only that it started and how it ended.
     */
    public static final int LONG_CYCLE_USERS = 1_000;

    private final CycleRun cycle;
    private final AtomicInteger processed = new AtomicInteger();
    private final AtomicInteger changesRead = new AtomicInteger();
    /** The users in the assignment scope; -1 until the scope step is done, or with scope all. */
    private volatile int scopeSize = -1;
    /** The last tenth of the total a progress line was logged for; also the lock of the lines. */
    private final AtomicInteger loggedTenths = new AtomicInteger();

    CycleProgress(CycleRun cycle) {
        this.cycle = cycle;
    }

    /**
     * What is known now.
     *
     * @param scopeSize        the users in scope, null until known (and with scope all)
     * @param total            what percent is of: the scope (initial) or the changes read so far (incremental)
     * @param percent          0 to 100 with one decimal, null while the total is unknown or zero
     * @param remainingSeconds an estimate from the pace so far, null until some percent is done
     */
    public record Snapshot(String cycleId, String type, Integer scopeSize, int processed, Integer total,
                           Double percent, long elapsedSeconds, Long remainingSeconds) {
    }

    void scopeSize(int users) {
        scopeSize = users;
    }

    /** Changes an incremental cycle has read and will give an outcome. */
    void changesRead(int changes) {
        changesRead.addAndGet(changes);
    }

    /**
     * A user got its outcome; {@code assigned} whether it is in the assignment scope (what an initial cycle counts).
     * Logs a progress line each time another tenth of a long cycle's total is done (a tenth passed by several users
     * at once gives one line).
     */
    void userDone(boolean assigned, Instant now) {
        if (cycle.type() == CycleRun.Type.INITIAL && !assigned) {
            return;
        }
        int done = processed.incrementAndGet();
        int total = cycle.type() == CycleRun.Type.INCREMENTAL ? changesRead.get() : scopeSize;
        // Most users pass no new tenth, and a short cycle logs none: no lock and no snapshot for them.
        if (total < LONG_CYCLE_USERS || done * 10L / total <= loggedTenths.get()) {
            return;
        }
        // One thread at a time, so that the lines' percents only go up.
        synchronized (loggedTenths) {
            Snapshot snapshot = snapshot(now);
            int tenths = (int) (snapshot.percent() / 10);
            if (tenths > loggedTenths.get()) {
                loggedTenths.set(tenths);
                log(snapshot);
            }
        }
    }

    public Snapshot snapshot(Instant now) {
        int done = processed.get();
        int scope = scopeSize;
        int total = cycle.type() == CycleRun.Type.INCREMENTAL ? changesRead.get() : scope;
        Double percent = total > 0 ? Math.min(100.0, Math.round(done * 1000.0 / total) / 10.0) : null;
        long elapsedMillis = Math.max(0, Duration.between(cycle.start(), now).toMillis());
        Long remaining = percent != null && percent > 0
                ? Math.round(elapsedMillis * (100.0 - percent) / percent / 1000.0) : null;
        return new Snapshot(cycle.id(), cycle.type().name().toLowerCase(Locale.ROOT), scope >= 0 ? scope : null, done,
                total >= 0 ? total : null, percent, elapsedMillis / 1000, remaining);
    }

    /** One line: the cycle, its percent, processed of the total, the counts so far and the pages read. */
    void log(Snapshot s) {
        String counts = cycle.counts().entrySet().stream().filter(e -> e.getValue() > 0)
                .map(e -> e.getValue() + " " + e.getKey().name().toLowerCase(Locale.ROOT))
                .collect(Collectors.joining(", "));
        String of = s.total() == null ? "scope not known yet"
                : (cycle.type() == CycleRun.Type.INCREMENTAL ? "changes read so far" : "users in scope");
        LOG.info("Cycle {} ({}) progress: {} {}/{} {}; {}; {} pages read, {}s elapsed{}", s.cycleId(), s.type(),
                s.percent() == null ? "-" : s.percent() + "%", s.processed(),
                s.total() == null ? "?" : s.total(), of, counts.isEmpty() ? "nothing done yet" : counts,
                cycle.pages(), s.elapsedSeconds(),
                s.remainingSeconds() == null ? "" : ", about " + s.remainingSeconds() + "s to go");
    }
}
