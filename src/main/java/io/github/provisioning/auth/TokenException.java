package io.github.provisioning.auth;

import io.github.provisioning.scim.ScimCredentialsException;

/**
 * No access token for the SCIM target: the token endpoint rejected the credentials, answered something that is
 * not a token, or did not answer. Like a 401 from the target, no object can succeed without one, so the cycle
 * stops. The message names the endpoint and the settings to check, never a secret.
 */
public class TokenException extends ScimCredentialsException {

    public TokenException(String message, Throwable cause) {
        super(message);
        if (cause != null) {
            initCause(cause);
        }
    }
}
