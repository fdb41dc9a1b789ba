package io.github.provisioning.scim;

import java.util.function.Supplier;
import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;
import org.apache.camel.Message;
import org.apache.camel.Processor;

/**
 * Turns the {@link ScimRequest} in the body into the message camel-http sends: keeps the request in the exchange
 * property {@value #PROPERTY}, drops every header the message carried (a previous answer's), and sets the method,
 * path, query and JSON body, and the headers every request carries (Authorization, Content-Type, Accept,
 * User-Agent). One processor, because it runs for every request (docs/benchmarks.md, "Why the routes are shaped this
 * way").
 */
public final class ScimHttpRequest implements Processor {

    /** The exchange property holding the request being sent (read for the metrics and for a resend). */
    public static final String PROPERTY = "scimRequest";
    static final String CONTENT_TYPE = "application/scim+json";
    static final String ACCEPT = "application/scim+json, application/json";

    private final Supplier<String> authorization;
    private final String userAgent;

    /**
     * @param authorization the Authorization header's value, asked for once per request (it may obtain a token, or
     *                      throw a {@link ScimCredentialsException} when none can be obtained)
     * @param userAgent     {@code scim.user-agent}
     */
    public ScimHttpRequest(Supplier<String> authorization, String userAgent) {
        this.authorization = authorization;
        this.userAgent = userAgent;
    }

    @Override
    public void process(Exchange exchange) throws InvalidPayloadException {
        Message message = exchange.getMessage();
        ScimRequest request = message.getMandatoryBody(ScimRequest.class);
        exchange.setProperty(PROPERTY, request);
        message.removeHeaders("*");
        message.setHeader(Exchange.HTTP_METHOD, request.httpMethod());
        message.setHeader(Exchange.HTTP_PATH, request.path());
        message.setHeader(Exchange.HTTP_QUERY, request.query());
        message.setHeader("Authorization", authorization.get());
        message.setHeader(Exchange.CONTENT_TYPE, CONTENT_TYPE);
        message.setHeader("Accept", ACCEPT);
        message.setHeader("User-Agent", userAgent);
        message.setBody(request.body());
    }
}
