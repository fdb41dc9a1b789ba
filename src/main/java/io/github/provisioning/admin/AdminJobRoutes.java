package io.github.provisioning.admin;

import io.github.provisioning.cluster.JobLease;
import io.github.provisioning.cluster.LeaseLostException;
import io.github.provisioning.state.JobId;
import org.apache.camel.Exchange;
import org.apache.camel.Predicate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.RouteDefinition;

/**
 * The short flows of one job's admin endpoints ({@link AdminRoutes}): one bean of the job, then the answer
 * ({@code direct:admin-reply}). Routes and endpoints are named {@code <job>.admin-...}, as the job's other routes.
 */
public class AdminJobRoutes extends RouteBuilder {

    private final JobId job;

    public AdminJobRoutes(JobId job) {
        this.job = job;
    }

    @Override
    public void configure() {
        // In a cluster, a standby engine refuses what would write for the job (its lease fences the write): the
        // engine that runs the job answers those.
        onException(LeaseLostException.class).handled(true)
                .process(this::notThisNode)
                .to("direct:admin-reply");

        flow("admin-preview").bean(bean("adminApi"), "preview").to("direct:admin-reply");
        flow("admin-evaluate-expression").bean(bean("adminApi"), "evaluate").to("direct:admin-reply");
        flow("admin-test-connection")
                .to(jobEndpoint("test-connection"))
                .bean(bean("adminApi"), "connectionTested")
                .to("direct:admin-reply");
        flow("admin-job-start")
                .bean(bean("jobControl"), "start")
                // A resumed quartz trigger fires only at its next tick, up to provisioning.interval later.
                .filter(answered(200)).to(jobEndpoint("request-cycle")).end()
                .to("direct:admin-reply");
        flow("admin-job-stop").bean(bean("jobControl"), "stop").to("direct:admin-reply");
        flow("admin-job-restart").bean(bean("jobControl"), "restart").to("direct:admin-reply");
        flow("admin-job-dry-run")
                .bean(bean("jobControl"), "dryRun")
                .filter(answered(202))
                    .to("seda:" + job.part("dry-run-requests") + "?size=1&discardWhenFull=true&waitForTaskToComplete=Never")
                .end()
                .to("direct:admin-reply");
        flow("admin-status").bean(bean("jobControl"), "status").to("direct:admin-reply");
        flow("admin-cycles").bean(bean("cycleHistory"), "list").to("direct:admin-reply");
        flow("admin-deletions").bean(bean("deletionApproval"), "held").to("direct:admin-reply");
        flow("admin-deletions-approve")
                .bean(bean("deletionApproval"), "approve")
                .filter(answered(200)).to(jobEndpoint("request-cycle")).end()
                .to("direct:admin-reply");
        flow("admin-deletions-reject")
                .bean(bean("deletionApproval"), "reject")
                .filter(answered(200)).to(jobEndpoint("request-cycle")).end()
                .to("direct:admin-reply");
        flow("admin-escrow").bean(bean("escrowList"), "list").to("direct:admin-reply");
        flow("admin-logs").bean(bean("provisioningLogQuery"), "query").to("direct:admin-reply");
    }

    private RouteDefinition flow(String name) {
        return from(jobEndpoint(name)).routeId(job.part(name));
    }

    private String jobEndpoint(String name) {
        return "direct:" + job.part(name);
    }

    private String bean(String name) {
        return job.part(name);
    }

    /** 409: this engine does not run the job; names the one that does, if one does. */
    private void notThisNode(Exchange exchange) {
        JobLease lease = exchange.getContext().getRegistry().lookupByNameAndType(bean("jobLease"), JobLease.class);
        exchange.getMessage().setBody(ApiErrors.error(409, "This engine (" + lease.nodeId() + ") does not run the job"
                + lease.holder().map(node -> "; engine " + node + " does: send this request to it")
                .orElse(", and no engine of the cluster runs it now: try again in a moment")));
    }

    private static Predicate answered(int status) {
        return exchange -> exchange.getMessage().getBody(ApiReply.class).status() == status;
    }
}
