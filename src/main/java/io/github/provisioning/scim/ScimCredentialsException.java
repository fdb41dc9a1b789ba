package io.github.provisioning.scim;

/** The SCIM target answered 401 or 403: no object can succeed with these credentials, so the cycle stops. */
public class ScimCredentialsException extends RuntimeException {
    public ScimCredentialsException(String message) {
        super(message);
    }
}
