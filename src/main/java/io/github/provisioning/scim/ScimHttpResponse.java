package io.github.provisioning.scim;

import java.io.InputStream;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;

/**
 * Replaces camel-http's answer in the message by a {@link ScimResponse} ({@link ScimResponses#read}): its status,
 * JSON body and Retry-After. A processor rather than a bean call, which binds the three parameters by reflection
 * and type conversion on every request.
 */
public final class ScimHttpResponse implements Processor {

    private final ScimResponses responses;

    public ScimHttpResponse(ScimResponses responses) {
        this.responses = responses;
    }

    @Override
    public void process(Exchange exchange) {
        Message message = exchange.getMessage();
        Integer status = message.getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        InputStream body = message.getBody(InputStream.class);
        String retryAfter = message.getHeader("Retry-After", String.class);
        message.setBody(responses.read(status == null ? 0 : status, body, retryAfter));
    }
}
