package io.github.provisioning.scim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Header;

/** Reads an HTTP answer from the SCIM target into a {@link ScimResponse}. */
public final class ScimResponses {

    private static final ObjectMapper JSON = new ObjectMapper();

    public ScimResponse read(@Header(Exchange.HTTP_RESPONSE_CODE) int status, @Body InputStream body,
                             @Header("Retry-After") String retryAfter) {
        JsonNode json = JSON.createObjectNode();
        if (body != null) {
            try {
                JsonNode parsed = JSON.readTree(body);
                if (parsed != null) {
                    json = parsed;
                }
            } catch (IOException e) {
                // Not JSON (an HTML error page from a proxy, say): the status alone tells what happened.
            }
        }
        return new ScimResponse(status, json, retryAfter);
    }

    /** The request got no answer: refused, reset, timed out, or the reply was lost. */
    public ScimResponse noAnswer(@org.apache.camel.ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception e) {
        String reason = e == null ? "unknown" : e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : ": " + e.getMessage());
        return new ScimResponse(0, JSON.createObjectNode(), null, reason);
    }
}
