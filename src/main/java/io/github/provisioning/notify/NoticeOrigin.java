package io.github.provisioning.notify;

/**
 * Which engine and which of its jobs an e-mail is about. An operator with several engines, or several jobs in one,
 * tells them apart in the inbox by the subject, {@code [<engine>] job <job>: <what happened>}, and in the body by
 * its first lines.
 *
 * @param engine the engine's name ({@code camel.main.name})
 * @param job    the job's id ({@code default} for the single job of today's settings)
 */
public record NoticeOrigin(String engine, String job) {

    /** The subject of an e-mail saying {@code what}. */
    public String subject(String what) {
        return "[" + engine + "] job " + job + ": " + what;
    }

    /** The first lines of a text body, each ended by a line break. */
    public String textLines() {
        return "Job: " + MailText.oneLine(job) + "\nEngine: " + MailText.oneLine(engine) + "\n";
    }

    /** How an HTML body's heading names the job: {@code job <job> (<engine>)}, escaped. */
    public String htmlName() {
        return MailText.html("job " + job + " (" + engine + ")");
    }
}
