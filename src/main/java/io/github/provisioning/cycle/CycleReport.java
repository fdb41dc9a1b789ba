package io.github.provisioning.cycle;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * What one cycle did, written to {@code {data-dir}/cycles/<cycleId>.json}.
 *
 * @param state completed, or failed when the cycle could not run to its end (the watermark did not move)
 * @param error the one-line reason of a failed cycle, or null
 */
public record CycleReport(String cycleId, String type, Instant start, Instant end, long durationMs,
                          Map<String, Integer> counts, String state, String error, int pages) {

    public boolean completed() {
        return "completed".equals(state);
    }

    /** How long it ran, as people read it: {@code 1.2s}, {@code 3m4s}. */
    public String duration() {
        return format(Duration.ofMillis(durationMs));
    }

    public String summary() {
        StringBuilder line = new StringBuilder("Cycle ").append(cycleId).append(" (").append(type).append(") ")
                .append(state).append(" in ").append(duration()).append(':');
        counts.forEach((k, v) -> line.append(' ').append(k).append('=').append(v));
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
