package io.github.provisioning.notify;

/**
 * One e-mail to the job's recipients: a plain-text body and the same content as HTML (multipart/alternative).
 * The subject is made safe for a header here, whatever built it, so no kind of notification can inject headers.
 *
 * @param kind what it is about
 */
public record Notification(Kind kind, String subject, String text, String html) {

    /** The kinds of e-mail the engine sends; each has one builder that turns its facts into a Notification. */
    public enum Kind {
        CYCLE_DIGEST,
        QUARANTINE,
        /** The deletion guard held a cycle's disables and deletes and paused the job. */
        DELETIONS_HELD;

        /** As logs and metric tags show it: {@code cycle-digest}. */
        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    public Notification {
        subject = MailText.headerValue(subject);
    }
}
