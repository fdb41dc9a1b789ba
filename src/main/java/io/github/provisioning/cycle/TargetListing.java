package io.github.provisioning.cycle;

import io.github.provisioning.scim.ScimResponse;
import org.apache.camel.Exchange;
import org.apache.camel.Expression;
import org.apache.camel.Predicate;
import org.apache.camel.Processor;
import org.apache.camel.support.ExpressionAdapter;

/**
 * The steps of the {@code list-target} route, which reads a listing of the target a page at a time into the
 * {@link MatchIndex} whose registry name is in the exchange property {@value #PROPERTY}: whether a page is left to
 * read, the wait before asking for it, its request, and reading its answer. Bound in the registry (the ref language).
 */
public final class TargetListing {

    /** The exchange property naming the MatchIndex bean being filled ({@code matchIndex}, {@code groupMatchIndex}). */
    public static final String PROPERTY = "targetListing";
    /** False once the listing is read to its end or given up. */
    static final String PAGES_LEFT = "targetListingPagesLeft";

    private TargetListing() {
    }

    /** True while a page of the listing is left to read (or to read again after a transient failure). */
    public static Predicate pagesLeft() {
        return new Predicate() {
            @Override
            public boolean matches(Exchange exchange) {
                return !Boolean.FALSE.equals(exchange.getProperty(PAGES_LEFT));
            }

            @Override
            public String toString() {
                return "listing.pagesLeft";
            }
        };
    }

    /** The wait before asking for the page: 0, or a retry's delay. */
    public static Expression retryDelay() {
        return expression("listing.retryDelay", exchange -> index(exchange).delayMillis());
    }

    /** The request for the next page. */
    public static Expression pageRequest() {
        return expression("listing.pageRequest", exchange -> index(exchange).pageRequest());
    }

    /** Reads the answer in the body into the index; the listing ends after its last page, or when it is given up. */
    public static Processor pageRead() {
        return exchange -> exchange.setProperty(PAGES_LEFT,
                index(exchange).read(exchange.getMessage().getMandatoryBody(ScimResponse.class)));
    }

    /** Forgets the listing's progress, for the next listing on this exchange. */
    public static Processor end() {
        return exchange -> {
            exchange.removeProperty(PAGES_LEFT);
            exchange.removeProperty(PROPERTY);
        };
    }

    private static MatchIndex index(Exchange exchange) {
        String name = exchange.getProperty(PROPERTY, String.class);
        MatchIndex index = name == null ? null
                : exchange.getContext().getRegistry().lookupByNameAndType(name, MatchIndex.class);
        if (index == null) {
            throw new IllegalStateException("list-target needs the exchange property " + PROPERTY
                    + " to name a MatchIndex bean; it is " + name);
        }
        return index;
    }

    private static Expression expression(String name, java.util.function.Function<Exchange, Object> read) {
        return new ExpressionAdapter() {
            @Override
            public Object evaluate(Exchange exchange) {
                return read.apply(exchange);
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }
}
