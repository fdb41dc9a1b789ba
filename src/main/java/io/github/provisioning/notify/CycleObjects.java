package io.github.provisioning.notify;

import io.github.provisioning.cycle.LogEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the provisioning log recorded for each running cycle, kept until the cycle ends: counts by object type,
 * action and status, and the first failed objects. Fed by the log as each line is written, so a digest never
 * reads the log file back; bounded by {@code maxListed} failures per cycle, whatever the cycle's size.
 */
public final class CycleObjects {

    /** A failed object as the digest lists it. Values come from source data: escape them where they go. */
    public record FailedObject(String objectType, String sourceId, String identity, String action, String reason) {
    }

    /**
     * One cycle's objects.
     *
     * @param counts   "objectType action status" to how many log lines said so, sorted
     * @param failures the first failed objects, in log order
     * @param failed   how many objects failed in all (may be more than {@code failures} lists)
     */
    public record Summary(Map<String, Integer> counts, List<FailedObject> failures, int failed) {

        static final Summary EMPTY = new Summary(Map.of(), List.of(), 0);
    }

    private final int maxListed;
    private final Map<String, Tally> running = new ConcurrentHashMap<>();

    public CycleObjects(int maxListed) {
        this.maxListed = maxListed;
    }

    public void record(LogEntry entry) {
        if (entry.cycleId() == null) {
            return;
        }
        running.computeIfAbsent(entry.cycleId(), id -> new Tally()).add(entry, maxListed);
    }

    /** The cycle's summary, forgotten here: a cycle ends once. */
    public Summary take(String cycleId) {
        Tally tally = cycleId == null ? null : running.remove(cycleId);
        return tally == null ? Summary.EMPTY : tally.summary();
    }

    private static final class Tally {
        private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
        private final List<FailedObject> failures = new ArrayList<>();
        private final AtomicInteger failed = new AtomicInteger();

        void add(LogEntry entry, int maxListed) {
            counts.computeIfAbsent(entry.objectType() + " " + entry.action() + " " + entry.status(),
                    k -> new AtomicInteger()).incrementAndGet();
            if ("failure".equals(entry.status())) {
                failed.incrementAndGet();
                synchronized (failures) {
                    if (failures.size() < maxListed) {
                        failures.add(new FailedObject(entry.objectType(), entry.sourceId(), entry.sourceIdentity(),
                                entry.action(), reason(entry)));
                    }
                }
            }
        }

        Summary summary() {
            Map<String, Integer> sorted = new TreeMap<>();
            counts.forEach((k, v) -> sorted.put(k, v.get()));
            synchronized (failures) {
                return new Summary(sorted, List.copyOf(failures), failed.get());
            }
        }

        private static String reason(LogEntry entry) {
            if (entry.error() != null && entry.error().reason() != null) {
                return entry.error().code() == null ? entry.error().reason()
                        : entry.error().code() + ": " + entry.error().reason();
            }
            return entry.reason();
        }
    }
}
