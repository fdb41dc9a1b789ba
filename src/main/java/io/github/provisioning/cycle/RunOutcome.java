package io.github.provisioning.cycle;

import java.util.concurrent.atomic.AtomicReference;

/** The last cycle's report, which decides the exit code of a {@code provisioning.once=true} run. */
public final class RunOutcome {

    private final AtomicReference<CycleReport> last = new AtomicReference<>();
    private final AtomicReference<CycleReport> lastReal = new AtomicReference<>();
    private volatile boolean decidesExit;

    public void record(CycleReport report) {
        last.set(report);
        if (!Boolean.TRUE.equals(report.dryRun())) {
            lastReal.set(report);
        }
    }

    /** The run ends after this cycle ({@code provisioning.once}, sandbox demo): its outcome is the exit code. */
    public void ending() {
        decidesExit = true;
    }

    public boolean decidesExit() {
        return decidesExit;
    }

    /** The last report, a dry run's too (a {@code provisioning.dry-run} run exits with its outcome). */
    public CycleReport last() {
        return last.get();
    }

    /** The last report of a real cycle: what the job's health is about (a dry run changes nothing). */
    public CycleReport lastReal() {
        return lastReal.get();
    }

    /** 0 when the last cycle ran to its end (even with per-object failures), 1 otherwise. */
    public int exitCode() {
        CycleReport report = last.get();
        return report != null && report.completed() ? 0 : 1;
    }

    /** The one-line reason for a non-zero exit code. */
    public String reason() {
        CycleReport report = last.get();
        if (report == null) {
            return "no provisioning cycle ran";
        }
        return report.error() == null ? report.summary() : "provisioning cycle failed: " + report.error();
    }
}
