package io.github.provisioning.notify;

import io.github.provisioning.cycle.CycleReport;
import io.github.provisioning.cycle.Quarantine;
import io.github.provisioning.cycle.HeldDeletions;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.Body;

/**
 * Decides which e-mails the job sends and builds them; {@code routes/notify.camel.yaml} sends them. Each kind of
 * notice has a method here that answers a {@link Notification} or null (nothing to say): the cycle digest, the
 * quarantine notices and the deletion guard's notice. At most one digest per cycle, whatever calls this how often.
 */
public final class Notifier {

    /** Enough to recognise a repeated end of a recent cycle; older ids are forgotten. */
    private static final int REMEMBERED_CYCLES = 64;

    private final boolean enabled;
    private final NoticeOrigin job;
    private final CycleObjects objects;
    private final Map<String, Boolean> notifiedCycles = Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > REMEMBERED_CYCLES;
                }
            });

    /**
     * @param enabled false when {@code notify.to} is empty: nothing is sent, but cycles are still forgotten
     * @param engine  the engine's name ({@code camel.main.name}), in every subject
     * @param job     the job's id, in every subject and in the first lines of every body
     */
    public Notifier(boolean enabled, String engine, String job, CycleObjects objects) {
        this.enabled = enabled;
        this.job = new NoticeOrigin(engine, job);
        this.objects = objects;
    }

    /** The digest of a cycle that failed or had failed objects, or null. */
    public Notification cycleDigest(@Body CycleReport report) {
        CycleObjects.Summary summary = objects.take(report.cycleId());
        if (!enabled || !CycleDigest.wanted(report, summary)
                || notifiedCycles.putIfAbsent(report.cycleId() + "|" + report.start(), Boolean.TRUE) != null) {
            return null;
        }
        return CycleDigest.of(job, report, summary);
    }

    /** The notice of a change of the job's quarantine (entered, reason changed, stopped, left), or null. */
    public Notification quarantine(@Body Quarantine.Change change) {
        return enabled && change != null ? QuarantineNotice.of(job, change) : null;
    }

    /** The notice that a cycle held disables and deletes and paused the job, or null when e-mail is off. */
    public Notification deletionsHeld(@Body HeldDeletions held) {
        return enabled ? DeletionsHeldNotice.of(job, held) : null;
    }
}
