package io.github.provisioning.graph;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.provisioning.http.RetryPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Expression;
import org.apache.camel.Header;
import org.apache.camel.Message;
import org.apache.camel.Predicate;
import org.apache.camel.support.ExpressionAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends Graph requests again while Graph throttles them or cannot serve them, as Microsoft's throttling guidance
 * asks: wait the Retry-After Graph names (seconds, decimals or an HTTP date), never retry at once, and back off
 * exponentially (with jitter) when it names none. A 429, 500, 502, 503, 504 or no answer at all (no connection, no
 * answer within {@code graph.response-timeout}) is retried, up to {@code graph.max-attempts} attempts; every other
 * answer goes to its reader ({@link GraphResponses}, {@link GraphToken}), so rejected credentials still stop the
 * cycle at once. A request is never sent sooner than its Retry-After: when Graph asks for a longer wait than
 * {@code graph.retry-max-delay}, or the attempts run out, a {@link GraphUnavailableException} names the request and
 * its last answer.
 *
 * <p>The steps of {@code graph-exchange}, on the {@link GraphCall} in the exchange property {@value #CALL}.
 */
public final class GraphRetry {

    /** The exchange property holding the {@link GraphCall} being sent. */
    public static final String CALL = "graphCall";

    private static final Logger LOG = LoggerFactory.getLogger(GraphRetry.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The answers sent again; 0 stands for no answer. */
    private static final Set<Integer> RETRIED = Set.of(0, 429, 500, 502, 503, 504);

    /**
     * An answer that is retried (status 0: none came) and the delay before the next attempt, or {@code null} when
     * it ended the retries.
     */
    public record Retryable(int status, Duration delay) {
        public boolean throttled() {
            return status == 429;
        }

        public boolean retried() {
            return delay != null;
        }
    }

    private final RetryPolicy policy;
    private final GraphToken token;
    private final String tokenUrl;
    private final Consumer<Retryable> observer;

    /**
     * @param tokenUrl the token endpoint, {@code {graph.login-url}/{graph.tenant-id}/oauth2/v2.0/token}
     * @param observer hears of every retryable answer: the metrics, and the running cycle's report
     */
    public GraphRetry(RetryPolicy policy, GraphToken token, String tokenUrl, Consumer<Retryable> observer) {
        this.policy = policy;
        this.token = token;
        this.tokenUrl = tokenUrl;
        this.observer = observer;
    }

    /** True until Graph has answered the call in the exchange property {@value #CALL} in a way not sent again. */
    public static Predicate callPending() {
        return new Predicate() {
            @Override
            public boolean matches(Exchange exchange) {
                return exchange.getProperty(CALL, GraphCall.class).isPending();
            }

            @Override
            public String toString() {
                return "graphCall.pending";
            }
        };
    }

    /** The wait before the next attempt of the call in the exchange property {@value #CALL}: 0 before the first. */
    public static Expression retryDelay() {
        return new ExpressionAdapter() {
            @Override
            public Object evaluate(Exchange exchange) {
                return exchange.getProperty(CALL, GraphCall.class).getDelayMillis();
            }

            @Override
            public String toString() {
                return "graphCall.delayMillis";
            }
        };
    }

    /** A GET of {@code url} with the current token, which the route has made sure is fresh. */
    public GraphCall get(@ExchangeProperty("graphRequestUrl") String url) {
        return GraphCall.get(url, token.authorization());
    }

    /** The client-credentials token request. */
    public GraphCall tokenRequest() {
        return GraphCall.token(tokenUrl, () -> token.requestForm(tokenUrl));
    }

    /** Puts the call on the message as an HTTP request, dropping the previous answer's headers. */
    public void request(@ExchangeProperty(CALL) GraphCall call, Message message) {
        message.getHeaders().clear();
        message.setHeader(Exchange.HTTP_URI, call.url());
        message.setHeader(Exchange.HTTP_METHOD, call.method());
        message.setHeader("Accept", "application/json");
        String form = call.form();
        if (form != null) {
            message.setHeader(Exchange.CONTENT_TYPE, "application/x-www-form-urlencoded");
            message.setBody(form);
        } else {
            message.setHeader("Authorization", call.authorization());
            message.setBody("");
        }
    }

    /**
     * The HTTP component got no answer (refused, reset, timed out): status 0, and the reason in the body for
     * {@link #answered}.
     */
    public void noAnswer(@ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception failure, Message message) {
        Throwable cause = failure;
        while (cause.getCause() != null && !(cause instanceof IOException)) {
            cause = cause.getCause();
        }
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, 0);
        message.setBody(cause.getClass().getSimpleName()
                + (cause.getMessage() == null ? "" : ": " + cause.getMessage()));
    }

    /**
     * Takes the answer to one attempt: done when it is not retried; otherwise the wait before the next attempt.
     *
     * @throws GraphUnavailableException when the attempts ran out, or Graph asked for a longer wait than allowed
     */
    public void answered(@ExchangeProperty(CALL) GraphCall call, @Header(Exchange.HTTP_RESPONSE_CODE) int status,
                         @Header("Retry-After") String retryAfter, @Body Object body) {
        if (!RETRIED.contains(status)) {
            call.done();
            return;
        }
        int attempt = call.answered();
        // Read only here: a page Graph served is left whole for its reader.
        String answer = status == 0 ? "no answer: " + text(body) : describe(status, text(body));
        if (attempt >= policy.maxAttempts()) {
            observer.accept(new Retryable(status, null));
            throw new GraphUnavailableException(status, call + " failed after " + attempt + " attempts; the last"
                    + " answer: " + answer);
        }
        Duration asked = policy.retryAfter(retryAfter);
        if (asked != null && asked.compareTo(policy.maxDelay()) > 0) {
            observer.accept(new Retryable(status, null));
            throw new GraphUnavailableException(status, call + ": Graph asked to be called again in "
                    + seconds(asked) + ", later than graph.retry-max-delay (" + seconds(policy.maxDelay())
                    + ") allows; the last answer: " + answer);
        }
        Duration wait = policy.delay(attempt, retryAfter);
        observer.accept(new Retryable(status, wait));
        LOG.warn("Sending Graph request {} again in {} (attempt {} of {}: {})", call, seconds(wait), attempt,
                policy.maxAttempts(), answer);
        call.retryIn(wait.toMillis());
    }

    /**
     * {@code 503 serviceNotAvailable: The service is…} from Graph's error body, or {@code 429
     * temporarily_unavailable: AADSTS…} from the token endpoint's; the status alone when the body says nothing.
     */
    private static String describe(int status, String body) {
        JsonNode json;
        try {
            json = body == null || body.isBlank() ? null : JSON.readTree(body);
        } catch (IOException notJson) {
            json = null;
        }
        JsonNode error = json == null ? null : json.path("error");
        String code = null;
        String message = null;
        if (error != null && error.isObject()) {
            code = error.path("code").asText(null);
            message = error.path("message").asText(null);
        } else if (error != null && error.isTextual()) {
            code = error.asText();
            message = GraphToken.reason(json.path("error_description").asText(null));
        }
        return status + (code == null ? "" : " " + code) + (message == null || message.isBlank() ? "" : ": " + message);
    }

    private static String text(Object body) {
        if (body instanceof InputStream in) {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException unreadable) {
                return null;
            }
        }
        return body instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8)
                : body == null ? null : body.toString();
    }

    /** {@code 1s}, {@code 0.25s}, {@code 120s}. */
    private static String seconds(Duration duration) {
        return java.math.BigDecimal.valueOf(duration.toMillis(), 3).stripTrailingZeros().toPlainString() + "s";
    }
}
