package io.github.provisioning.cycle;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * What one cycle did, written to {@code {data-dir}/cycles/<cycleId>.json}.
 *
 * @param state completed, or failed when the cycle could not run to its end (the watermark did not move)
 * @param error the one-line reason of a failed cycle, or null
 * @param graph how Microsoft Graph throttled the cycle's requests, and how long they waited to be sent again
 * @param dryRun true for a dry run (its counts are what the next real cycle would do); null, and left out of the
 *               JSON, for a real cycle
 */
public record CycleReport(String cycleId, String type, Instant start, Instant end, long durationMs,
                          Map<String, Integer> counts, String state, String error, int pages, GraphRetries graph,
                          @JsonInclude(JsonInclude.Include.NON_NULL) Boolean dryRun) {

    /**
     * The cycle's Graph requests (the token request included) that Graph throttled or that were sent again.
     *
     * @param throttled     answers 429 TooManyRequests
     * @param retried       requests sent again after a 429, a 500, 502, 503 or 504, or no answer
     * @param waitedSeconds the waits before those retries, added up (parallel requests wait at the same time)
     */
    public record GraphRetries(int throttled, int retried, double waitedSeconds) {
        public static final GraphRetries NONE = new GraphRetries(0, 0, 0);
    }

    /** A real cycle's report (not a dry run). */
    public CycleReport(String cycleId, String type, Instant start, Instant end, long durationMs,
                       Map<String, Integer> counts, String state, String error, int pages, GraphRetries graph) {
        this(cycleId, type, start, end, durationMs, counts, state, error, pages, graph, null);
    }

    /** A report without Graph retries. */
    public CycleReport(String cycleId, String type, Instant start, Instant end, long durationMs,
                       Map<String, Integer> counts, String state, String error, int pages) {
        this(cycleId, type, start, end, durationMs, counts, state, error, pages, GraphRetries.NONE, null);
    }

    public boolean completed() {
        return "completed".equals(state);
    }

    /** How long it ran, as people read it: {@code 1.2s}, {@code 3m4s}. */
    public String duration() {
        return format(Duration.ofMillis(durationMs));
    }

    public String summary() {
        StringBuilder line = new StringBuilder(Boolean.TRUE.equals(dryRun) ? "Dry run " : "Cycle ").append(cycleId).append(" (").append(type).append(") ")
                .append(state).append(" in ").append(duration()).append(':');
        counts.forEach((k, v) -> line.append(' ').append(k).append('=').append(v));
        if (graph.retried() > 0 || graph.throttled() > 0) {
            line.append(" graph.throttled=").append(graph.throttled()).append(" graph.retried=")
                    .append(graph.retried()).append(" graph.waited=")
                    .append(format(Duration.ofMillis(Math.round(graph.waitedSeconds() * 1000))));
        }
        if (error != null) {
            line.append(" - ").append(error);
        }
        return line.toString();
    }

    private static String format(Duration d) {
        return d.toMillis() < 60_000 ? String.format("%.1fs", d.toMillis() / 1000.0)
                : d.toMinutes() + "m" + d.toSecondsPart() + "s";
    }
}
