package io.github.provisioning.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.provisioning.http.RetryPolicy;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The retry decision for each answer to a Graph request: what is sent again, when, and until when. */
class GraphRetryTest {

    private static final Instant NOW = Instant.parse("2026-11-26T08:00:00Z");
    private static final String URL = "https://graph.example/v1.0/users/delta?$skiptoken=secret-ish";
    private static final String THROTTLED = """
            {"error":{"code":"TooManyRequests","message":"Too many requests.","innerError":{"request-id":"r"}}}""";

    private final List<GraphRetry.Retryable> heard = new ArrayList<>();
    private final GraphRetry retry = retry(8);

    private GraphRetry retry(int maxAttempts) {
        RetryPolicy policy = new RetryPolicy(maxAttempts, Duration.ofMillis(100), Duration.ofMinutes(2),
                Clock.fixed(NOW, ZoneOffset.UTC));
        GraphToken token = new GraphToken("client", new GraphCredential.Secret("secret"), ".default",
                Duration.ofMinutes(5), Clock.systemUTC());
        return new GraphRetry(policy, token, "https://login.example/tenant/oauth2/v2.0/token", heard::add);
    }

    @Test
    void aThrottledRequestIsSentAgainAfterExactlyItsRetryAfterInSecondsDecimalsOrAnHttpDate() {
        GraphCall call = GraphCall.get(URL, "Bearer t");

        retry.answered(call, 429, "2.128", THROTTLED);
        assertThat(call.isPending()).isTrue();
        assertThat(call.getDelayMillis()).isEqualTo(2128);

        retry.answered(call, 429, "Thu, 26 Nov 2026 08:00:30 GMT", THROTTLED);
        assertThat(call.getDelayMillis()).isEqualTo(30_000);

        retry.answered(call, 200, null, "{}");
        assertThat(call.isPending()).isFalse();
        assertThat(heard).containsExactly(new GraphRetry.Retryable(429, Duration.ofMillis(2128)),
                new GraphRetry.Retryable(429, Duration.ofSeconds(30)));
        assertThat(heard).allMatch(GraphRetry.Retryable::throttled);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 500, 502, 503, 504})
    void serverErrorsAndNoAnswerBackOffExponentiallyWithJitterWhenGraphNamesNoWait(int status) {
        GraphCall call = GraphCall.get(URL, "Bearer t");

        retry.answered(call, status, null, null);
        long first = call.getDelayMillis();
        retry.answered(call, status, null, null);
        long second = call.getDelayMillis();
        retry.answered(call, status, null, null);
        long third = call.getDelayMillis();

        assertThat(first).isBetween(50L, 100L);
        assertThat(second).isBetween(100L, 200L);
        assertThat(third).isBetween(200L, 400L);
        assertThat(call.isPending()).isTrue();
        assertThat(heard).hasSize(3).noneMatch(GraphRetry.Retryable::throttled).allMatch(GraphRetry.Retryable::retried);
    }

    @ParameterizedTest
    @ValueSource(ints = {200, 400, 401, 403, 404, 410})
    void everyOtherAnswerGoesToItsReaderUntouched(int status) {
        GraphCall call = GraphCall.get(URL, "Bearer t");
        ByteArrayInputStream body = new ByteArrayInputStream("{}".getBytes(StandardCharsets.UTF_8));

        retry.answered(call, status, "5", body);

        assertThat(call.isPending()).isFalse();
        assertThat(body.available()).isEqualTo(2);
        assertThat(heard).isEmpty();
    }

    @Test
    void whenTheAttemptsRunOutTheFailureNamesTheRequestWithoutItsQueryAndTheLastAnswer() {
        GraphRetry threeAttempts = retry(3);
        GraphCall call = GraphCall.get(URL, "Bearer t");
        threeAttempts.answered(call, 503, null, null);
        threeAttempts.answered(call, 0, null, "SocketTimeoutException: Read timed out");

        assertThatThrownBy(() -> threeAttempts.answered(call, 429, "1", THROTTLED))
                .isInstanceOf(GraphUnavailableException.class)
                .hasMessage("GET /v1.0/users/delta failed after 3 attempts; the last answer: 429 TooManyRequests: Too"
                        + " many requests.");
        assertThat(heard).extracting(GraphRetry.Retryable::retried).containsExactly(true, true, false);

        assertThatThrownBy(() -> retry(1).answered(GraphCall.get(URL, "Bearer t"), 0, null,
                "ConnectException: Connection refused"))
                .hasMessage("GET /v1.0/users/delta failed after 1 attempts; the last answer: no answer:"
                        + " ConnectException: Connection refused");
    }

    @Test
    void aRetryAfterLongerThanTheMaxDelayEndsTheRetriesRatherThanComingBackSooner() {
        GraphCall token = retry.tokenRequest();

        assertThatThrownBy(() -> retry.answered(token, 429, "300", """
                {"error":"temporarily_unavailable","error_description":"AADSTS50196: The server terminated an\
                 operation. Trace ID: 1 Correlation ID: 2","error_codes":[50196]}"""))
                .isInstanceOf(GraphUnavailableException.class)
                .hasMessage("POST /tenant/oauth2/v2.0/token: Graph asked to be called again in 300s, later than"
                        + " graph.retry-max-delay (120s) allows; the last answer: 429 temporarily_unavailable:"
                        + " AADSTS50196: The server terminated an operation.");
        assertThat(heard).containsExactly(new GraphRetry.Retryable(429, null));
    }

    @Test
    void theTokenRequestCarriesTheFormAndAGetItsTokenButNeitherShowsInTheCallsText() {
        GraphCall token = retry.tokenRequest();
        GraphCall get = GraphCall.get(URL, "Bearer abc");

        assertThat(token.method()).isEqualTo("POST");
        assertThat(token.form()).contains("client_secret=secret");
        assertThat(token.authorization()).isNull();
        assertThat(get.authorization()).isEqualTo("Bearer abc");
        assertThat(token).hasToString("POST /tenant/oauth2/v2.0/token");
        assertThat(get).hasToString("GET /v1.0/users/delta");
    }

    @Test
    void graphExchangeLoopsWhileTheCallInItsPropertyIsPendingAndWaitsItsDelay() throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            Exchange exchange = new DefaultExchange(context);
            GraphCall call = GraphCall.get(URL, "Bearer t");
            exchange.setProperty(GraphRetry.CALL, call);
            assertThat(GraphRetry.callPending().matches(exchange)).isTrue();
            assertThat(GraphRetry.retryDelay().evaluate(exchange, Long.class)).isZero();

            retry.answered(call, 429, "3", THROTTLED);
            assertThat(GraphRetry.callPending().matches(exchange)).isTrue();
            assertThat(GraphRetry.retryDelay().evaluate(exchange, Long.class)).isEqualTo(3000L);

            retry.answered(call, 200, null, "{}");
            assertThat(GraphRetry.callPending().matches(exchange)).isFalse();
        }
    }
}
