package io.github.provisioning.graph;

import java.util.function.Function;
import org.apache.camel.Exchange;
import org.apache.camel.Expression;
import org.apache.camel.support.ExpressionAdapter;

/**
 * What the Graph routes read from the page in the body: its next page's URL ({@link Paged}) and a delta page's users
 * ({@link GraphPage}). Bound in the registry and used with Camel's {@code ref} language. As simple expressions
 * ({@code ${body.nextLink}}), Camel looks the page up in its bean-info cache by the page's own hash code, which for
 * a record walks every entry on the page, twice per evaluation: a few percent of a no-change cycle, whose scope is
 * read 999 entries a page.
 */
public final class PageExpressions {

    private PageExpressions() {
    }

    /** The URL of the next page, or null on the last page. */
    public static Expression nextLink() {
        return of("page.nextLink", Paged.class, Paged::nextLink);
    }

    /** The users on the page. */
    public static Expression changes() {
        return of("page.changes", GraphPage.class, GraphPage::changes);
    }

    private static <P> Expression of(String name, Class<P> type, Function<P, Object> read) {
        return new ExpressionAdapter() {
            @Override
            public Object evaluate(Exchange exchange) {
                return read.apply(exchange.getMessage().getBody(type));
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }
}
