package io.github.provisioning;

import io.github.provisioning.cluster.JobLease;
import io.github.provisioning.scim.ScimRequest;
import static io.github.provisioning.ProvisioningConfiguration.template;

import io.github.provisioning.auth.TargetToken;
import io.github.provisioning.auth.TokenRoute;
import io.github.provisioning.cycle.DryRunTarget;
import io.github.provisioning.cycle.TargetListing;
import io.github.provisioning.graph.GraphToken;
import io.github.provisioning.http.RetryPolicy;
import io.github.provisioning.mapping.MappingRule;
import io.github.provisioning.mapping.MappingTable;
import io.github.provisioning.observe.ScimRequestTimer;
import io.github.provisioning.scim.ConnectionCheck;
import io.github.provisioning.scim.ScimDialect;
import io.github.provisioning.scim.ScimGate;
import io.github.provisioning.scim.ScimHttpRequest;
import io.github.provisioning.scim.ScimHttpResponse;
import io.github.provisioning.scim.ScimResponses;
import io.github.provisioning.scim.TargetCapabilities;
import java.time.Clock;
import java.util.function.Function;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Expression;
import org.apache.camel.Predicate;
import org.apache.camel.Processor;
import org.apache.camel.PropertyInject;

/**
 * The SCIM target's beans: its dialect and capabilities, the token and request/response handling of every SCIM
 * request, its retries and the gate that paces them.
 * {@link ProvisioningConfiguration} binds these.
 */
public class ScimConfiguration {

    @BindToRegistry(value = "retryPolicy", lazy = true)
    public RetryPolicy retryPolicy(@PropertyInject("scim.max-attempts") int maxAttempts,
                                   @BeanInject("settings") Settings settings) {
        return new RetryPolicy(maxAttempts, settings.duration("scim.retry-base-delay"),
                settings.duration("scim.retry-max-delay"), Clock.systemUTC());
    }

    @BindToRegistry(value = "scimGate", lazy = true)
    public ScimGate scimGate(@PropertyInject("scim.concurrency") int concurrency,
                             @PropertyInject("scim.max-requests-per-second") double requestsPerSecond) {
        return new ScimGate(concurrency, requestsPerSecond);
    }

    @BindToRegistry(value = "scimDialect", lazy = true)
    public ScimDialect scimDialect(CamelContext context, @BeanInject("mappingTable") MappingTable mapping) {
        return ScimDialect.of(mapping.compat(), compatSetting(context));
    }

    @BindToRegistry(value = "targetCapabilities", lazy = true)
    public TargetCapabilities targetCapabilities(CamelContext context, @BeanInject("mappingTable") MappingTable mapping,
                                                 @BeanInject("scimDialect") ScimDialect dialect) {
        return new TargetCapabilities(dialect, ScimDialect.isChosen(mapping.compat(), compatSetting(context),
                "update-method"));
    }

    /** {@code scim.compat.<switch>}, or null when not set. */
    private static Function<String, String> compatSetting(CamelContext context) {
        return name -> context.getPropertiesComponent().resolveProperty("scim.compat." + name).orElse(null);
    }

    /**
     * The Authorization of every SCIM request, in the mode the settings choose (checked in
     * {@link ProvisioningConfiguration#configure}).
     */
    @BindToRegistry(value = "targetToken", lazy = true)
    public TargetToken targetToken(CamelContext context, JobBeans job,
                                   @PropertyInject("scim.auth.token-url") String tokenUrl,
                                   @BeanInject("settings") Settings settings) {
        return new TargetToken(settings.scimCredentials(),
                new TokenRoute(template(context, "the token request"), "direct:" + job.job().part("scim-token"), tokenUrl),
                Clock.systemUTC());
    }

    /** After a SCIM answer: whether the target rejected an obtained token, which is then renewed for one resend. */
    @BindToRegistry(value = "targetTokenRejected", lazy = true)
    public Predicate targetTokenRejected(@BeanInject("targetToken") TargetToken token) {
        return token.rejectedAndRenewed();
    }

    @BindToRegistry(value = "connectionCheck", lazy = true)
    public ConnectionCheck connectionCheck(@BeanInject("mappingTable") MappingTable mapping,
                                           @BeanInject("targetToken") TargetToken token,
                                           @BeanInject("graphToken") GraphToken graphToken,
                                           @PropertyInject("scim.url") String scimUrl) {
        String matchingAttribute = mapping.user().matchingRules().stream().map(MappingRule::target).findFirst()
                .orElse("userName");
        return new ConnectionCheck(scimUrl, matchingAttribute, token.credentials().settings(), token.renewable(),
                graphToken.credentialSettings());
    }

    @BindToRegistry(value = "scimHttpRequest", lazy = true)
    public ScimHttpRequest scimHttpRequest(@BeanInject("targetToken") TargetToken token,
                                           @PropertyInject("scim.user-agent") String userAgent) {
        return new ScimHttpRequest(token::authorization, userAgent);
    }

    @BindToRegistry("scimRequestStart")
    public Processor scimRequestStart() {
        return ScimRequestTimer.START;
    }

    @BindToRegistry(value = "scimResponses", lazy = true)
    public ScimResponses scimResponses() {
        return new ScimResponses();
    }

    @BindToRegistry(value = "scimHttpResponse", lazy = true)
    public ScimHttpResponse scimHttpResponse(@BeanInject("scimResponses") ScimResponses responses) {
        return new ScimHttpResponse(responses);
    }

    @BindToRegistry(value = "dryRunTarget", lazy = true)
    public DryRunTarget dryRunTarget() {
        return new DryRunTarget();
    }

    /** In scim-exchange: a dry run's request that must not reach the target, and its answer (DryRunTarget). */
    /** In a cluster, a SCIM write leaves only the node that runs the job; reads (a preview's) leave any node. */
    @BindToRegistry(value = "scimWriteFence", lazy = true)
    public Processor scimWriteFence(@BeanInject("jobLease") JobLease lease) {
        return exchange -> {
            ScimRequest request = exchange.getProperty(ScimHttpRequest.PROPERTY, ScimRequest.class);
            if (request != null && !"GET".equals(request.method())) {
                lease.checkWrite();
            }
        };
    }

    @BindToRegistry(value = "dryRunWrite", lazy = true)
    public Predicate dryRunWrite(@BeanInject("dryRunTarget") DryRunTarget target) {
        return target.interceptsRequest();
    }

    @BindToRegistry(value = "dryRunAnswer", lazy = true)
    public Processor dryRunAnswer(@BeanInject("dryRunTarget") DryRunTarget target) {
        return target.answersRequest();
    }

    // list-target's loop over the pages of a listing of the target (TargetListing).
    @BindToRegistry("targetPagesLeft")
    public Predicate targetPagesLeft() {
        return TargetListing.pagesLeft();
    }

    @BindToRegistry("targetListingRetryDelay")
    public Expression targetListingRetryDelay() {
        return TargetListing.retryDelay();
    }

    @BindToRegistry("targetListingPageRequest")
    public Expression targetListingPageRequest() {
        return TargetListing.pageRequest();
    }

    @BindToRegistry("targetListingPageRead")
    public Processor targetListingPageRead() {
        return TargetListing.pageRead();
    }

    @BindToRegistry("targetListingEnd")
    public Processor targetListingEnd() {
        return TargetListing.end();
    }
}
