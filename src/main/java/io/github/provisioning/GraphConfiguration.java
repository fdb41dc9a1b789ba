package io.github.provisioning;

import io.github.provisioning.cycle.Cycles;
import io.github.provisioning.graph.GraphResponses;
import io.github.provisioning.graph.GraphRetry;
import io.github.provisioning.graph.GraphToken;
import io.github.provisioning.graph.PageExpressions;
import io.github.provisioning.http.RetryPolicy;
import io.github.provisioning.observe.ProvisioningMetrics;
import java.time.Clock;
import java.time.Duration;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Expression;
import org.apache.camel.Predicate;
import org.apache.camel.PropertyInject;

/**
 * Microsoft Graph's beans: the token, the retries of every Graph request, and what the routes read from a page.
 * {@link ProvisioningConfiguration} binds these.
 */
public class GraphConfiguration {

    /** Graph's retries: graph.max-attempts, graph.retry-base-delay and graph.retry-max-delay (checked at start-up). */
    @BindToRegistry(value = "graphRetryPolicy", lazy = true)
    public RetryPolicy graphRetryPolicy(@BeanInject("settings") Settings settings) {
        return new RetryPolicy(settings.graphMaxAttempts(), settings.duration("graph.retry-base-delay"),
                settings.duration("graph.retry-max-delay"), Clock.systemUTC());
    }

    /**
     * Renewed 5 minutes before it expires, and earlier by the longest a request can spend in its retries, so that a
     * request never outlives the token it started with.
     */
    @BindToRegistry(value = "graphToken", lazy = true)
    public GraphToken graphToken(@BeanInject("settings") Settings settings,
                                 @PropertyInject("graph.client-id") String clientId,
                                 @BeanInject("graphRetryPolicy") RetryPolicy retries) {
        Duration renewBefore = Duration.ofMinutes(5).plus(retries.maxDelay().multipliedBy(retries.maxAttempts() - 1L));
        return new GraphToken(clientId, settings.graphCredential(), settings.graphScope(), renewBefore,
                Clock.systemUTC());
    }

    /**
     * Every Graph request's retries; each retryable answer is counted in the metrics and the running cycle. A
     * {@code --test-connection} run has neither (it must not open the state store a running engine holds).
     */
    @BindToRegistry(value = "graphRetry", lazy = true)
    public GraphRetry graphRetry(JobBeans job, @BeanInject("graphRetryPolicy") RetryPolicy retries,
                                 @BeanInject("graphToken") GraphToken token,
                                 @PropertyInject("graph.login-url") String loginUrl,
                                 @PropertyInject("graph.tenant-id") String tenantId,
                                 @BeanInject("settings") Settings settings) {
        return new GraphRetry(retries, token, loginUrl + "/" + tenantId + "/oauth2/v2.0/token",
                settings.flag("provisioning.test-connection")
                ? answer -> { }
                : answer -> {
                    job.bean("provisioningMetrics", ProvisioningMetrics.class).graphRetry(answer);
                    job.bean("cycles", Cycles.class).current()
                            .ifPresent(cycle -> cycle.graphRetry(answer));
                });
    }

    @BindToRegistry(value = "graphResponses", lazy = true)
    public GraphResponses graphResponses() {
        return new GraphResponses();
    }

    // What the Graph routes read from a page in the body (the ref language).
    @BindToRegistry("graphNextLink")
    public Expression graphNextLink() {
        return PageExpressions.nextLink();
    }

    @BindToRegistry("graphPageChanges")
    public Expression graphPageChanges() {
        return PageExpressions.changes();
    }

    /** The paging routes' loop condition: a next page is left to read (PageExpressions.NEXT_PAGE). */
    @BindToRegistry("morePages")
    public Predicate morePages() {
        return PageExpressions.morePages();
    }

    // graph-exchange's loop over the attempts of one Graph request.
    @BindToRegistry("graphCallPending")
    public Predicate graphCallPending() {
        return GraphRetry.callPending();
    }

    @BindToRegistry("graphRetryDelay")
    public Expression graphRetryDelay() {
        return GraphRetry.retryDelay();
    }
}
