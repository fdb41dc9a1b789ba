package io.github.provisioning.scim;

/** The SCIM target answered 401 or 403: no object can succeed with these credentials, so the cycle stops. */
public class ScimCredentialsException extends RuntimeException {
    public ScimCredentialsException(String message) {
        super(message);
    }

    /** The target's 401/403 to a request of the cycle: the reason every such stop gives. */
    public static ScimCredentialsException rejectedBy(ScimResponse response) {
        return new ScimCredentialsException("the SCIM target rejected the credentials (" + response.errorReason()
                + "); the cycle stops until they are fixed");
    }
}
