package io.github.provisioning.auth;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * How the engine proves itself to the SCIM target: exactly one of a static bearer token, the OAuth2
 * client-credentials grant, or Meta's {@code work_get_token} flow, chosen by which settings are set. No
 * {@code toString} shows a secret. {@link CredentialSettings} reads them from the settings.
 */
public sealed interface TargetCredentials {

    String TOKEN = "scim.token";
    String OAUTH2_TOKEN_URL = "scim.oauth2.token-url";
    String OAUTH2_CLIENT_ID = "scim.oauth2.client-id";
    String OAUTH2_CLIENT_SECRET = "scim.oauth2.client-secret";
    String OAUTH2_SCOPE = "scim.oauth2.scope";
    String META_TOKEN_URL = "scim.meta.token-url";
    String META_APP_ID = "scim.meta.app-id";
    String META_APP_SECRET = "scim.meta.app-secret";
    String META_DEFAULT_TOKEN_URL = "https://graph.work.meta.com/work_get_token";

    /** The settings of this mode, to name when the target or the token endpoint rejects them. */
    String settings();

    /** A static bearer token, sent as it is ({@code scim.token}). */
    record BearerToken(String token) implements TargetCredentials {

        @Override
        public String settings() {
            return TOKEN;
        }

        @Override
        public String toString() {
            return "BearerToken[scim.token]";
        }
    }

    /** Credentials the engine exchanges for an access token at a token endpoint, renewed when rejected. */
    sealed interface TokenGrant extends TargetCredentials {

        String tokenUrl();

        /** The form-encoded body of the token request: the only place the secret goes. */
        String requestForm();
    }

    /**
     * The OAuth2 client-credentials grant (RFC 6749 §4.4), the client authenticated in the form body.
     *
     * @param scope the scope to ask for, or {@code null} for the endpoint's default
     */
    record OAuth2Client(String tokenUrl, String clientId, String clientSecret, String scope) implements TokenGrant {

        @Override
        public String requestForm() {
            return "grant_type=client_credentials"
                    + "&client_id=" + encode(clientId)
                    + "&client_secret=" + encode(clientSecret)
                    + (scope == null ? "" : "&scope=" + encode(scope));
        }

        @Override
        public String settings() {
            return OAUTH2_CLIENT_ID + ", " + OAUTH2_CLIENT_SECRET + (scope == null ? "" : ", " + OAUTH2_SCOPE);
        }

        @Override
        public String toString() {
            return "OAuth2Client[tokenUrl=" + tokenUrl + ", clientId=" + clientId + ", scope=" + scope + "]";
        }
    }

    /** Meta Work Accounts: {@code POST work_get_token} with {@code access_token=<app id>|<app secret>}. */
    record MetaApp(String tokenUrl, String appId, String appSecret) implements TokenGrant {

        @Override
        public String requestForm() {
            return "access_token=" + encode(appId + "|" + appSecret) + "&grant_type=client_credentials";
        }

        @Override
        public String settings() {
            return META_APP_ID + ", " + META_APP_SECRET;
        }

        @Override
        public String toString() {
            return "MetaApp[tokenUrl=" + tokenUrl + ", appId=" + appId + "]";
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
