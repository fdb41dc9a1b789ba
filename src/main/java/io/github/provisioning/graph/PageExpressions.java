package io.github.provisioning.graph;

import java.util.function.Function;
import org.apache.camel.Exchange;
import org.apache.camel.Expression;
import org.apache.camel.Predicate;
import org.apache.camel.support.ExpressionAdapter;

/**
 * What the Graph routes read from the page in the body: its next page's URL ({@link Paged}) and a delta page's users
 * ({@link GraphPage}); and whether a paging route has a next page to read (the exchange property
 * {@value #NEXT_PAGE}). Bound in the registry and used with Camel's {@code ref} language (docs/benchmarks.md, "Why
 * the routes are shaped this way").
 */
public final class PageExpressions {

    /** The exchange property of a paging route: the URL of the next page to read, null after the last page. */
    public static final String NEXT_PAGE = "nextPage";

    private PageExpressions() {
    }

    /** True while the exchange property {@value #NEXT_PAGE} holds the URL of a page to read. */
    public static Predicate morePages() {
        return new Predicate() {
            @Override
            public boolean matches(Exchange exchange) {
                return exchange.getProperty(NEXT_PAGE) != null;
            }

            @Override
            public String toString() {
                return "morePages";
            }
        };
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
