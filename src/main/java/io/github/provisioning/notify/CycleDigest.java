package io.github.provisioning.notify;

import io.github.provisioning.cycle.CycleReport;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The e-mail about a cycle that failed, or that completed with failed objects: what ran, what it did, and the
 * first failed objects with the reason each failed. Every value is from the cycle report and the provisioning
 * log, which hold no secrets; values from source data are kept on one line and HTML-escaped.
 */
public final class CycleDigest {

    private CycleDigest() {
    }

    /** Entra notifies about failures, not about every cycle: a clean cycle sends nothing. */
    public static boolean wanted(CycleReport report, CycleObjects.Summary objects) {
        return !report.completed() || objects.failed() > 0 || report.counts().getOrDefault("failed", 0) > 0;
    }

    public static Notification of(NoticeOrigin job, CycleReport report, CycleObjects.Summary objects) {
        String subject = job.subject(report.completed()
                ? "Provisioning cycle (" + report.type() + ") completed with " + failed(report, objects)
                + " failed object" + (failed(report, objects) == 1 ? "" : "s") + ": " + counts(report.counts())
                : "Provisioning cycle (" + report.type() + ") failed: " + counts(report.counts()));
        return new Notification(Notification.Kind.CYCLE_DIGEST, subject, text(job, report, objects),
                html(job, report, objects));
    }

    private static int failed(CycleReport report, CycleObjects.Summary objects) {
        return Math.max(report.counts().getOrDefault("failed", 0), objects.failed());
    }

    private static String counts(Map<String, Integer> counts) {
        StringJoiner line = new StringJoiner(" ");
        counts.forEach((k, v) -> line.add(k + "=" + v));
        return counts.isEmpty() ? "nothing done" : line.toString();
    }

    private static String text(NoticeOrigin job, CycleReport report, CycleObjects.Summary objects) {
        StringBuilder out = new StringBuilder();
        out.append(job.textLines());
        out.append("Cycle: ").append(report.cycleId()).append(" (").append(report.type()).append(")\n");
        out.append("Result: ").append(report.state());
        if (report.error() != null) {
            out.append(": ").append(MailText.oneLine(report.error()));
        }
        out.append('\n');
        out.append("Started: ").append(report.start()).append('\n');
        out.append("Ended: ").append(report.end()).append(" (").append(report.duration()).append(")\n");
        out.append("Counts: ").append(counts(report.counts())).append("\n\n");
        if (!objects.counts().isEmpty()) {
            out.append("Objects by action and status:\n");
            objects.counts().forEach((k, v) -> out.append("  ").append(k).append(": ").append(v).append('\n'));
            out.append('\n');
        }
        if (!objects.failures().isEmpty()) {
            out.append(failuresHeading(objects)).append(":\n");
            for (CycleObjects.FailedObject f : objects.failures()) {
                out.append("  ").append(f.objectType()).append(' ').append(MailText.oneLine(f.sourceId()));
                if (f.identity() != null) {
                    out.append(" (").append(MailText.oneLine(f.identity())).append(')');
                }
                out.append(" ").append(f.action()).append(": ").append(MailText.oneLine(f.reason())).append('\n');
            }
            out.append('\n');
        }
        out.append("The provisioning log has a line per object: provisioning-log.jsonl in the data directory.\n");
        return out.toString();
    }

    private static String html(NoticeOrigin job, CycleReport report, CycleObjects.Summary objects) {
        StringBuilder out = new StringBuilder("<!DOCTYPE html><html><body>\n");
        out.append("<h2>").append(job.htmlName()).append(": provisioning cycle ").append(MailText.html(report.state()))
                .append("</h2>\n<table>\n");
        row(out, "Cycle", report.cycleId() + " (" + report.type() + ")");
        row(out, "Result", report.error() == null ? report.state() : report.state() + ": " + report.error());
        row(out, "Started", String.valueOf(report.start()));
        row(out, "Ended", report.end() + " (" + report.duration() + ")");
        row(out, "Counts", counts(report.counts()));
        out.append("</table>\n");
        if (!objects.counts().isEmpty()) {
            out.append("<h3>Objects by action and status</h3>\n<table>\n");
            objects.counts().forEach((k, v) -> row(out, k, String.valueOf(v)));
            out.append("</table>\n");
        }
        if (!objects.failures().isEmpty()) {
            out.append("<h3>").append(MailText.html(failuresHeading(objects))).append("</h3>\n<table>\n")
                    .append("<tr><th>object</th><th>source id</th><th>identity</th><th>action</th><th>reason</th></tr>\n");
            for (CycleObjects.FailedObject f : objects.failures()) {
                out.append("<tr><td>").append(MailText.html(f.objectType())).append("</td><td>")
                        .append(MailText.html(f.sourceId())).append("</td><td>").append(MailText.html(f.identity()))
                        .append("</td><td>").append(MailText.html(f.action())).append("</td><td>")
                        .append(MailText.html(f.reason())).append("</td></tr>\n");
            }
            out.append("</table>\n");
        }
        out.append("<p>The provisioning log has a line per object: provisioning-log.jsonl in the data directory.</p>\n")
                .append("</body></html>\n");
        return out.toString();
    }

    private static String failuresHeading(CycleObjects.Summary objects) {
        return objects.failed() > objects.failures().size()
                ? "Failed objects (the first " + objects.failures().size() + " of " + objects.failed() + ")"
                : "Failed objects";
    }

    private static void row(StringBuilder out, String name, String value) {
        out.append("<tr><th align=\"left\">").append(MailText.html(name)).append("</th><td>")
                .append(MailText.html(value)).append("</td></tr>\n");
    }
}
