package io.github.provisioning.graph;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

class PageExpressionsTest {

    @Test
    void readTheNextLinkAndTheUsersOfThePageInTheBody() throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            Exchange exchange = new DefaultExchange(context);
            List<SourceChange> users = List.of(new SourceChange("u1", null, SourceChange.Kind.LEFT_SCOPE));
            exchange.getMessage().setBody(new GraphPage(users, "https://graph/next", null));
            assertThat(PageExpressions.nextLink().evaluate(exchange, String.class)).isEqualTo("https://graph/next");
            assertThat(PageExpressions.changes().evaluate(exchange, List.class)).isEqualTo(users);

            exchange.getMessage().setBody(new GraphPage(List.of(), null, "https://graph/delta"));
            assertThat(PageExpressions.nextLink().evaluate(exchange, String.class)).isNull();
        }
    }

    @Test
    void morePagesWhileTheNextPagePropertyHoldsAUrl() throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            Exchange exchange = new DefaultExchange(context);
            assertThat(PageExpressions.morePages().matches(exchange)).isFalse();
            exchange.setProperty(PageExpressions.NEXT_PAGE, "https://graph/next");
            assertThat(PageExpressions.morePages().matches(exchange)).isTrue();
            exchange.setProperty(PageExpressions.NEXT_PAGE, null);
            assertThat(PageExpressions.morePages().matches(exchange)).isFalse();
        }
    }
}
