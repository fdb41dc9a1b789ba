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
}
