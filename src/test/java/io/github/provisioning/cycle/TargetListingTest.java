package io.github.provisioning.cycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.provisioning.http.RetryPolicy;
import io.github.provisioning.scim.ScimRequest;
import io.github.provisioning.scim.ScimResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

/** The steps of list-target: the MatchIndex named by the exchange property, read until its listing ends. */
class TargetListingTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void readsTheNamedIndexPageByPageUntilItsLastPage() throws Exception {
        MatchIndex index = new MatchIndex(MatchIndex.Mode.INITIAL, List.of("userName"), 2,
                new RetryPolicy(3, Duration.ofMillis(100), Duration.ofSeconds(1), Clock.systemUTC()));
        index.begin(new CycleRun("c1", CycleRun.Type.INITIAL, Instant.now()));
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.getRegistry().bind("usersListing", index);
            Exchange exchange = new DefaultExchange(context);
            exchange.setProperty(TargetListing.PROPERTY, "usersListing");

            assertThat(TargetListing.pagesLeft().matches(exchange)).isTrue();
            assertThat(TargetListing.retryDelay().evaluate(exchange, Long.class)).isZero();
            assertThat(TargetListing.pageRequest().evaluate(exchange, ScimRequest.class).query())
                    .endsWith("startIndex=1&count=2");

            exchange.getMessage().setBody(page(3, "a", "b"));
            TargetListing.pageRead().process(exchange);
            assertThat(TargetListing.pagesLeft().matches(exchange)).isTrue();
            assertThat(TargetListing.pageRequest().evaluate(exchange, ScimRequest.class).query())
                    .endsWith("startIndex=3&count=2");

            exchange.getMessage().setBody(page(3, "c"));
            TargetListing.pageRead().process(exchange);
            assertThat(TargetListing.pagesLeft().matches(exchange)).isFalse();

            TargetListing.end().process(exchange);
            assertThat(exchange.getProperties()).doesNotContainKeys(TargetListing.PROPERTY,
                    TargetListing.PAGES_LEFT);
            assertThat(TargetListing.pagesLeft().matches(exchange)).as("the next listing starts afresh").isTrue();
        }
    }

    @Test
    void aListingWithoutANamedIndexIsAClearError() throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            Exchange exchange = new DefaultExchange(context);
            exchange.setProperty(TargetListing.PROPERTY, "noSuchIndex");

            assertThatThrownBy(() -> TargetListing.pageRequest().evaluate(exchange, ScimRequest.class))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("list-target needs the exchange property targetListing to name a MatchIndex bean;"
                            + " it is noSuchIndex");
        }
    }

    private static ScimResponse page(int total, String... names) throws Exception {
        StringBuilder resources = new StringBuilder();
        for (String name : names) {
            resources.append(resources.isEmpty() ? "" : ",").append("{\"id\":\"id-").append(name)
                    .append("\",\"userName\":\"").append(name).append("@x\"}");
        }
        return new ScimResponse(200, JSON.readTree("{\"totalResults\":" + total + ",\"Resources\":[" + resources
                + "]}"), null);
    }
}
