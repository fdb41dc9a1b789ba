package io.github.provisioning.scim;

/**
 * What Test Connection found; the admin API answers it as JSON with these four fields.
 *
 * @param ok        whether the target answered the probe as a SCIM endpoint that accepts the credentials and
 *                  honours the filter (a target that says it cannot filter: answers the listing probe)
 * @param diagnosis one sentence: what happened and what to check
 * @param request   the probe as sent, e.g. {@code GET /Users?filter=userName eq "…"} or
 *                  {@code GET /Users?startIndex=1&count=1}
 * @param status    the HTTP status of the answer; 0 when none came (or no token could be obtained to send it)
 */
public record ConnectionDiagnosis(boolean ok, String diagnosis, String request, int status) {

    /** The one line {@code --test-connection} prints. */
    public String line() {
        return (ok ? "Test Connection succeeded: " : "Test Connection failed: ") + diagnosis;
    }
}
