package io.github.provisioning.cycle;

import io.github.provisioning.scim.ScimResponse;
import java.util.function.Function;
import org.apache.camel.Exchange;
import org.apache.camel.Expression;
import org.apache.camel.Predicate;
import org.apache.camel.Processor;
import org.apache.camel.support.ExpressionAdapter;

/**
 * The steps of {@code direct:send-plan} on the {@link ObjectPlan} (a user's or a group's) in the exchange property
 * {@value #PLAN}: whether a request is pending, how long to wait before it, the request, and the plan reading its
 * answer. Bound in the registry and used with Camel's {@code ref} language and {@code process}; they run once per
 * SCIM request, so they read the plan directly (docs/benchmarks.md, "Why the provisioning routes are shaped this
 * way").
 */
public final class PlanExpressions {

    /** The exchange property that holds the plan being sent. */
    public static final String PLAN = "plan";

    private PlanExpressions() {
    }

    /** True while the plan has a SCIM request to send. */
    public static Predicate pending() {
        return new Predicate() {
            @Override
            public boolean matches(Exchange exchange) {
                return plan(exchange).isPending();
            }

            @Override
            public String toString() {
                return PLAN + ".pending";
            }
        };
    }

    /** The pause before the plan's pending request, in milliseconds (a retry's; else 0). */
    public static Expression delayMillis() {
        return of("delayMillis", ObjectPlan::getDelayMillis);
    }

    /** The plan's pending request (a {@link io.github.provisioning.scim.ScimRequest}). */
    public static Expression request() {
        return of("request", ObjectPlan::getRequest);
    }

    /** The plan takes the answer in the body (a {@link ScimResponse}) and plans its next step. */
    public static Processor answer() {
        return new Processor() {
            @Override
            public void process(Exchange exchange) {
                plan(exchange).answer(exchange.getMessage().getBody(ScimResponse.class));
            }

            @Override
            public String toString() {
                return PLAN + ".answer";
            }
        };
    }

    private static Expression of(String field, Function<ObjectPlan, Object> read) {
        return new ExpressionAdapter() {
            @Override
            public Object evaluate(Exchange exchange) {
                return read.apply(plan(exchange));
            }

            @Override
            public String toString() {
                return PLAN + "." + field;
            }
        };
    }

    private static ObjectPlan plan(Exchange exchange) {
        return exchange.getProperty(PLAN, ObjectPlan.class);
    }
}
