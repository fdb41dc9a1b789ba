package io.github.provisioning.cycle;

import java.util.function.Function;
import org.apache.camel.Exchange;
import org.apache.camel.Expression;
import org.apache.camel.Predicate;
import org.apache.camel.support.ExpressionAdapter;

/**
 * What the provisioning routes read from the {@link ObjectPlan} in an exchange property on every pass of their
 * loop: whether a request is pending, how long to wait before it, and the request. Bound in the registry and used
 * with Camel's {@code ref} language. A simple expression such as {@code ${exchangeProperty.plan.pending}} finds
 * the getter by reflection and calls it on a copy of the exchange, every time it is evaluated.
 */
public final class PlanExpressions {

    private PlanExpressions() {
    }

    /** True while the plan in {@code property} has a SCIM request to send. */
    public static Predicate pending(String property) {
        return new Predicate() {
            @Override
            public boolean matches(Exchange exchange) {
                return plan(exchange, property).isPending();
            }

            @Override
            public String toString() {
                return property + ".pending";
            }
        };
    }

    /** The pause before the plan's pending request, in milliseconds (a retry's; else 0). */
    public static Expression delayMillis(String property) {
        return of(property, "delayMillis", ObjectPlan::getDelayMillis);
    }

    /** The plan's pending request (a {@link io.github.provisioning.scim.ScimRequest}). */
    public static Expression request(String property) {
        return of(property, "request", ObjectPlan::getRequest);
    }

    /** Reads {@code field} of the plan in {@code property}; named as the simple expression it replaces. */
    private static Expression of(String property, String field, Function<ObjectPlan, Object> read) {
        return new ExpressionAdapter() {
            @Override
            public Object evaluate(Exchange exchange) {
                return read.apply(plan(exchange, property));
            }

            @Override
            public String toString() {
                return property + "." + field;
            }
        };
    }

    private static ObjectPlan plan(Exchange exchange, String property) {
        return exchange.getProperty(property, ObjectPlan.class);
    }
}
