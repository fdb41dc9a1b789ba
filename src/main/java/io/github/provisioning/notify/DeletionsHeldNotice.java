package io.github.provisioning.notify;

import io.github.provisioning.cycle.HeldDeletions;
import io.github.provisioning.state.StagedDeletion;

/**
 * The e-mail that the deletion guard held a cycle's disables and deletes and paused the job: how many, the
 * threshold, the first held users and groups with the planned action and its reason, and how to approve or reject
 * them.
 * Every value is from the state store, which holds no secrets; values from source data are kept on one line and
 * HTML-escaped.
 */
public final class DeletionsHeldNotice {

    private static final String HOW = "Approve them (sent by the next cycle): POST /api/deletions/approve. "
            + "Reject them (dropped, never sent): POST /api/deletions/reject. "
            + "Either resumes the job. GET /api/deletions lists them.";

    private DeletionsHeldNotice() {
    }

    public static Notification of(NoticeOrigin job, HeldDeletions held) {
        String subject = job.subject("Provisioning paused: " + held.held() + " disables and deletes held (threshold "
                + held.threshold() + ")");
        return new Notification(Notification.Kind.DELETIONS_HELD, subject, text(job, held), html(job, held));
    }

    private static String text(NoticeOrigin job, HeldDeletions held) {
        StringBuilder out = new StringBuilder();
        out.append(job.textLines());
        out.append("Cycle: ").append(held.cycleId()).append('\n');
        out.append(summary(held)).append("\n\n");
        out.append(heading(held)).append(":\n");
        for (StagedDeletion row : held.first()) {
            out.append("  ").append(row.objectType()).append(' ').append(MailText.oneLine(row.sourceId()));
            if (row.sourceIdentity() != null) {
                out.append(" (").append(MailText.oneLine(row.sourceIdentity())).append(')');
            }
            out.append(' ').append(row.action()).append(": ").append(MailText.oneLine(row.reason())).append('\n');
        }
        out.append('\n').append(HOW).append('\n');
        out.append("The provisioning log has a staged-delete line per held user and group: provisioning-log.jsonl in "
                + "the data directory.\n");
        return out.toString();
    }

    private static String html(NoticeOrigin job, HeldDeletions held) {
        StringBuilder out = new StringBuilder("<!DOCTYPE html><html><body>\n");
        out.append("<h2>").append(job.htmlName()).append(": provisioning paused</h2>\n");
        out.append("<p>").append(MailText.html(summary(held))).append("</p>\n");
        out.append("<h3>").append(MailText.html(heading(held))).append("</h3>\n<table>\n")
                .append("<tr><th>type</th><th>source id</th><th>identity</th><th>action</th><th>reason</th></tr>\n");
        for (StagedDeletion row : held.first()) {
            out.append("<tr><td>").append(MailText.html(row.objectType())).append("</td><td>")
                    .append(MailText.html(row.sourceId())).append("</td><td>")
                    .append(MailText.html(row.sourceIdentity())).append("</td><td>")
                    .append(MailText.html(row.action())).append("</td><td>").append(MailText.html(row.reason()))
                    .append("</td></tr>\n");
        }
        out.append("</table>\n<p>").append(MailText.html(HOW)).append("</p>\n</body></html>\n");
        return out.toString();
    }

    private static String summary(HeldDeletions held) {
        return "The cycle would have disabled or deleted " + held.staged() + " objects (" + held.stagedUsers()
                + " users, " + held.stagedGroups() + " groups), more than provisioning.deletion-threshold ("
                + held.threshold() + "). None was sent: " + held.held()
                + " disables and deletes are held since " + held.since() + ", and the job is paused.";
    }

    private static String heading(HeldDeletions held) {
        return held.held() > held.first().size()
                ? "Held users and groups (the first " + held.first().size() + " of " + held.held() + ")"
                : "Held users and groups";
    }
}
