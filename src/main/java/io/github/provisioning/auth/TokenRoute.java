package io.github.provisioning.auth;

import java.io.IOException;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;

/** The token request goes through the {@code scim-token} route, so the Camel HTTP component sends it. */
public final class TokenRoute implements TargetToken.Endpoint {

    private final ProducerTemplate template;
    private final String route;
    private final String tokenUrl;

    /** @param route the job's token route ({@code direct:<job>.scim-token}), which posts to {@code tokenUrl} */
    public TokenRoute(ProducerTemplate template, String route, String tokenUrl) {
        this.template = template;
        this.route = route;
        this.tokenUrl = tokenUrl;
    }

    @Override
    public TargetToken.Reply post(String form) {
        Exchange answer = template.send(route, exchange -> exchange.getIn().setBody(form));
        Exception failure = answer.getException();
        if (failure != null) {
            Throwable cause = transportCause(failure);
            throw new TokenException("could not obtain a SCIM access token: no answer from the token endpoint "
                    + tokenUrl + " (" + cause.getClass().getSimpleName()
                    + (cause.getMessage() == null ? "" : ": " + cause.getMessage()) + ")", cause);
        }
        return new TargetToken.Reply(answer.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class),
                answer.getMessage().getBody(String.class));
    }

    /** The I/O failure under Camel's wrappers: it says why (refused, unknown host, TLS), and carries no body. */
    private static Throwable transportCause(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof IOException) {
                return t;
            }
        }
        return failure;
    }
}
