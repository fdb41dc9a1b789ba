package io.github.provisioning.notify;

import io.github.provisioning.cycle.Quarantine;
import io.github.provisioning.state.QuarantineState;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The e-mail about a change of the job's quarantine: it entered quarantine, its reason changed, it was stopped
 * after the longest quarantine allowed, or it left quarantine. One per change, so a job that stays quarantined for
 * the same reason sends nothing more. The detail is the failed cycle's error or the failure figures: no secret.
 */
public final class QuarantineNotice {

    private QuarantineNotice() {
    }

    public static Notification of(NoticeOrigin job, Quarantine.Change change) {
        QuarantineState q = change.state();
        String subject = job.subject(switch (change.kind()) {
            case ENTERED -> "Provisioning job quarantined (" + q.reason() + ")" + (q.stopped() ? " and stopped" : "");
            case REASON_CHANGED -> "Provisioning job still quarantined, now for " + q.reason()
                    + " (was " + change.previous().reason() + ")";
            case STOPPED -> "Provisioning job stopped after a quarantine of " + days(change) + " days (" + q.reason()
                    + ")";
            case LEFT -> "Provisioning job left quarantine (" + q.reason() + ")";
        });
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("Job", job.job());
        facts.put("Engine", job.engine());
        facts.put("Quarantine reason", q.reason() + ": " + explanation(q.reason()));
        facts.put("Cause", q.detail() == null ? "unknown" : q.detail());
        facts.put("Quarantined since", String.valueOf(q.since()));
        if (change.kind() != Quarantine.Change.Kind.LEFT) {
            facts.put("Cycles run in quarantine", String.valueOf(q.retries()));
            facts.put("Next cycle", q.stopped() ? "none: the job is stopped" : String.valueOf(q.nextAttempt()));
            facts.put("Stopped at", q.stopped() ? "now" : "after " + change.stopsAt() + " if still quarantined");
        }
        String advice = switch (change.kind()) {
            case LEFT -> "A cycle completed; the job runs at its usual interval again.";
            case STOPPED -> "Fix the cause, then start the job (POST /api/job/start); it tries again at once.";
            default -> "Fix the cause. The job tries again at the next cycle shown above; POST /api/job/start tries "
                    + "at once, POST /api/job/restart clears the quarantine (and the watermark).";
        };
        return new Notification(Notification.Kind.QUARANTINE, subject, text(facts, advice), html(subject, facts,
                advice));
    }

    private static long days(Quarantine.Change change) {
        return java.time.Duration.between(change.state().since(), change.stopsAt()).toDays();
    }

    private static String explanation(String reason) {
        return switch (reason) {
            case Quarantine.CREDENTIALS -> "the SCIM target or a token endpoint rejected the credentials";
            case Quarantine.FAILURE_RATE -> "too large a share of the objects failed in a cycle";
            case Quarantine.FAILURE_COUNT -> "too many objects failed in a cycle";
            default -> "see the cause";
        };
    }

    private static String text(Map<String, String> facts, String advice) {
        StringBuilder out = new StringBuilder();
        facts.forEach((name, value) -> out.append(name).append(": ").append(MailText.oneLine(value)).append('\n'));
        return out.append('\n').append(advice).append('\n').toString();
    }

    private static String html(String subject, Map<String, String> facts, String advice) {
        StringBuilder out = new StringBuilder("<!DOCTYPE html><html><body>\n<h2>")
                .append(MailText.html(subject)).append("</h2>\n<table>\n");
        facts.forEach((name, value) -> out.append("<tr><th align=\"left\">").append(MailText.html(name))
                .append("</th><td>").append(MailText.html(value)).append("</td></tr>\n"));
        return out.append("</table>\n<p>").append(MailText.html(advice)).append("</p>\n</body></html>\n").toString();
    }
}
