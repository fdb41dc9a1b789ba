package io.github.provisioning.admin;

import io.github.provisioning.scim.ConnectionDiagnosis;
import io.github.provisioning.state.JobId;
import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.direct.DirectConsumerNotAvailableException;
import org.apache.camel.model.dataformat.JsonLibrary;
import org.apache.camel.model.rest.ParamDefinition;
import org.apache.camel.model.rest.ResponseMessageDefinition;
import org.apache.camel.model.rest.RestBindingMode;
import org.apache.camel.model.rest.RestDefinition;
import org.apache.camel.model.rest.RestParamType;
import org.apache.camel.model.rest.VerbDefinition;

/**
 * The admin API on {@code admin.host:admin.port}, declared with the REST DSL: every endpoint, its parameters and
 * answers, and its OpenAPI document at {@value #OPENAPI}. Each endpoint calls a {@code direct:} route of the job
 * {@code default}. The short ones (one bean, then the answer) are in {@link AdminJobRoutes}; the on-demand flows,
 * which run the engine's Graph and SCIM sub-flows, are in {@code routes/admin-on-demand.camel.yaml}. Every answer is an {@link ApiReply} that {@code direct:admin-reply}
 * writes with camel-jackson. Who may call is decided before any of this, by {@link AdminAccess}.
 */
public class AdminRoutes extends RouteBuilder {

    /** The OpenAPI document of the admin API. */
    public static final String OPENAPI = "/api/openapi.json";
    private static final String JSON = "application/json";
    private static final String BEARER = "adminToken";
    /** The start of the endpoints that call the flow of the job named in the path. */
    private static final String JOB_FLOW = "jobs.";
    private static final String BAD_LIMIT = "limit is not a whole number from 1 to " + ListLimit.MAX;

    @Override
    public void configure() {
        // The answers are built by the beans and written by admin-reply, so the REST binding leaves bodies alone
        // (the beans parse request bodies themselves, to answer 400 with the reason). Routes are not inlined: the
        // YAML flows the endpoints call keep their ids and error handling.
        restConfiguration()
                .component("platform-http")
                .bindingMode(RestBindingMode.off)
                .inlineRoutes(false)
                .apiContextPath(OPENAPI)
                // The document's server is the admin API's address, not the 0.0.0.0 the REST configuration guesses.
                // (With X-Forwarded headers on, it would be "" unless a proxy sends X-Forwarded-Proto.)
                .apiHost("{{admin.host}}:{{admin.port}}")
                .apiContextRouteId("admin-openapi")
                .apiProperty("api.title", "Entra provisioning engine: admin API")
                .apiProperty("api.version", "0.1.0")
                .apiProperty("api.description", "Test Connection, preview, expression tester, job control, held "
                        + "deletions, status, cycles, escrow, provisioning log, provision on demand "
                        + "(docs/admin-api.md)");

        // A job's endpoint whose job this engine does not run: its direct route does not exist.
        onException(DirectConsumerNotAvailableException.class).handled(true)
                .process(exchange -> exchange.getMessage().setBody(
                        JobList.noSuchJob(exchange.getMessage().getHeader("job", JobId.DEFAULT.value(), String.class))))
                .to("direct:admin-reply");

        RestDefinition api = rest("/api")
                .description("The engine's admin API")
                .securityDefinitions()
                .bearerToken(BEARER, "admin.token, when set: every request carries Authorization: Bearer "
                        + "<admin.token>; without it the API answers loopback callers only")
                .end();

        // Every job's endpoints: the job default's at today's paths, any job's under /api/jobs/{job}.
        endpoints(api, Scope.DEFAULT);
        endpoints(api, Scope.ANY_JOB);
        // The path's job's flow (the REST DSL calls a fixed endpoint).
        for (VerbDefinition verb : api.getVerbs()) {
            String to = verb.getTo().getUri();
            if (to.startsWith("direct:" + JOB_FLOW)) {
                String flow = to.substring(("direct:" + JOB_FLOW).length());
                from(to).routeId(JOB_FLOW + flow).toD("direct:${header.job}." + flow);
            }
        }
        get(api, Scope.ENGINE, "/jobs", "admin-jobs", "The engine's jobs, each with its status",
                answer(200, JobList.Jobs.class, "The jobs"));
        from("direct:admin-jobs").routeId("admin-jobs")
                .bean("jobList", "list")
                .to("direct:admin-reply");

        // Body: an ApiReply. Writes its status, and its body as JSON with camel-jackson.
        from("direct:admin-reply").routeId("admin-reply")
                .removeHeaders("*")
                .process(AdminRoutes::statusAndBody)
                .marshal().json(JsonLibrary.Jackson);
    }

    /** The endpoints of one job; {@code scope} says which job and at which paths. */
    private static void endpoints(RestDefinition api, Scope scope) {
        // Mapping preview, expression tester, Test Connection
        post(api, scope, "/preview", "admin-preview",
                "A Graph user (JSON body): is it in scope, how is it matched, what SCIM resource a create would send",
                answer(200, AdminApi.Preview.class, "The scope decision, the match filter and the resource"),
                answer(400, "The body is not a Graph user object"),
                answer(422, "The mapping cannot be applied to this user"))
                .consumes(JSON);
        post(api, scope, "/expressions/evaluate", "admin-evaluate-expression",
                "{expression, user, target?}: the expression's value, or its error and position. With target, "
                        + "SelectUniqueValue asks the SCIM target about its candidates",
                answer(200, AdminApi.ExpressionValue.class, "The value"),
                answer(400, "No expression, a bad target, or the expression does not parse (with the position)"),
                answer(409, "Every SelectUniqueValue candidate is taken in the target"),
                answer(502, "The SCIM target could not be asked"))
                .consumes(JSON);
        post(api, scope, "/test-connection", "admin-test-connection", "Test Connection against the SCIM target",
                answer(200, ConnectionDiagnosis.class, "{ok, diagnosis, request, status}, whatever the target did"));

        // Job controls and status
        post(api, scope, "/job/start", "admin-job-start", "Resume the schedule and run a cycle now",
                answer(200, JobControl.JobStatus.class, "The status"), answer(409, "Deletions are held"));
        post(api, scope, "/job/stop", "admin-job-stop", "No new cycle is scheduled, a running one ends normally",
                answer(200, JobControl.JobStatus.class, "The status"));
        post(api, scope, "/job/restart", "admin-job-restart",
                "Clear the watermark, the escrows and the quarantine (full: the links too)",
                answer(200, JobControl.Restarted.class, "What was cleared"), answer(400, "full is not true or false"),
                answer(409, "A cycle is running"))
                .param().name("full").type(RestParamType.query).dataType("boolean").required(false)
                .description("true: also remove the links, so every account is matched again").endParam();
        post(api, scope, "/job/dry-run", "admin-job-dry-run",
                "Run one dry run now: plans the cycle, sends no SCIM write, leaves the state as it is",
                answer(202, JobControl.DryRunRequested.class, "The dry run is requested"),
                answer(409, "A cycle is running or deletions are held"));
        get(api, scope, "/status", "admin-status", "Running or stopped, the cycle in progress, the last cycle's report, "
                + "escrows, quarantine, held deletions", answer(200, JobControl.JobStatus.class, "The status"));
        get(api, scope, "/cycles", "admin-cycles", "The last cycles' reports, newest first",
                answer(200, CycleHistory.CycleReports.class, "The reports"), answer(400, BAD_LIMIT))
                .param(limit(20));

        // Held deletions
        get(api, scope, "/deletions", "admin-deletions",
                "The disables and deletes held above the threshold: count, since, the first users and groups",
                answer(200, DeletionApproval.HeldDeletions.class, "The held deletions"), answer(400, BAD_LIMIT))
                .param(limit(100));
        post(api, scope, "/deletions/approve", "admin-deletions-approve",
                "Approve the held deletions and resume the job; a cycle runs at once and sends them",
                answer(200, DeletionApproval.Approved.class, "How many, and the status"),
                answer(409, "Nothing is held, or a cycle is running"));
        post(api, scope, "/deletions/reject", "admin-deletions-reject",
                "Drop the held deletions unsent and resume the job; a cycle runs at once",
                answer(200, DeletionApproval.Rejected.class, "How many, and the status"),
                answer(409, "Nothing is held, or a cycle is running"));

        // Escrow
        get(api, scope, "/escrow", "admin-escrow",
                "The users and groups in escrow: attempts, next retry, whether permanent, the last error",
                answer(200, EscrowList.EscrowListing.class, "The counts, then the objects, the soonest retry first"),
                answer(400, BAD_LIMIT))
                .param(limit(100));

        // The provisioning log
        get(api, scope, "/logs", "admin-logs", "Provisioning log lines, newest first",
                answer(200, ProvisioningLogQuery.LogLines.class, "The lines"),
                answer(400, "A filter is malformed or given twice"))
                .param(query("cycle", "string", "a cycle id"))
                .param(query("status", "string", "success, failure, skipped or warning"))
                .param(query("action", "string", "create, update, disable, delete or other"))
                .param(query("source-id", "string", "a Graph object id"))
                .param(limit(100));

        // On demand: the flows are in admin-on-demand.camel.yaml.
        post(api, scope, "/provision/users/{id}", "admin-provision-on-demand",
                "Provision one user now (read from Graph by id, then as in a cycle)",
                onDemand(ProvisionOnDemand.UserProvisioned.class, "The steps Import, Scope, Match and Action"))
                .param(path("the user's Graph object id (or userPrincipalName)"));
        get(api, scope, "/preview/users/{id}", "admin-preview-user", "What provisioning one user now would do; sends the "
                + "target reads only, stores nothing", onDemand(ProvisionOnDemand.UserPreview.class,
                "create, update with each attribute's old and new value, disable, delete or none, with the reason"))
                .param(path("the user's Graph object id (or userPrincipalName)"));
        post(api, scope, "/provision/groups/{id}", "admin-provision-group-on-demand",
                "Provision one group now with at most 5 of its direct user members",
                onDemand(GroupOnDemand.GroupProvisioned.class, "The group's steps and each member's"))
                .param(path("the group's Graph object id"))
                .param(query("members", "string", "comma-separated Graph ids of at most 5 direct user members"));
    }

    /**
     * Which job an endpoint serves: the job default at today's paths ({@code /api/status}), the job its path names
     * ({@code /api/jobs/{job}/status}), or the engine itself ({@code /api/jobs}).
     */
    private enum Scope {
        DEFAULT, ANY_JOB, ENGINE
    }

    /**
     * A POST endpoint that calls the job's route {@code flow} ({@code direct:<job>.<flow>}), or the engine's
     * ({@code direct:<flow>}); its own route is named
     * {@code api-...} for it. It answers JSON: the answers given, and 401 without the token.
     */
    private static RestDefinition post(RestDefinition api, Scope scope, String path, String flow,
                                       String description, Answer... answers) {
        return endpoint(api.post(path(scope, path)), scope, flow, description, answers);
    }

    private static RestDefinition get(RestDefinition api, Scope scope, String path, String flow,
                                      String description, Answer... answers) {
        return endpoint(api.get(path(scope, path)), scope, flow, description, answers);
    }

    private static String path(Scope scope, String path) {
        return scope == Scope.ANY_JOB ? "/jobs/{job}" + path : path;
    }

    private static RestDefinition endpoint(RestDefinition verb, Scope scope, String flow, String description,
                                           Answer... answers) {
        verb.routeId(flow.replaceFirst("^admin-", scope == Scope.ANY_JOB ? "api-jobs-" : "api-"))
                .description(description).produces(JSON).security(BEARER);
        if (scope == Scope.ANY_JOB) {
            verb.param().name("job").type(RestParamType.path).dataType("string").required(true)
                    .description("the job's id (GET /api/jobs lists them)").endParam();
        }
        for (Answer answer : answers) {
            // Not responseMessage(int, String): it drops what it is given.
            ResponseMessageDefinition message = verb.responseMessage().code(answer.code()).message(answer.why());
            if (answer.model() != null) {
                // By its binary name: responseModel(Class) gives the canonical one, which cannot load a nested class.
                message.setResponseModel(answer.model().getName());
            }
            message.endResponseMessage();
        }
        verb.responseMessage().code(401).message("admin.token is set and the request does not carry it")
                .endResponseMessage();
        if (scope == Scope.ANY_JOB) {
            verb.responseMessage().code(404).message("This engine runs no such job").endResponseMessage();
        }
        return switch (scope) {
            case DEFAULT -> verb.to("direct:" + JobId.DEFAULT.part(flow));
            case ANY_JOB -> verb.to("direct:" + JOB_FLOW + flow);
            case ENGINE -> verb.to("direct:" + flow);
        };
    }

    /** An HTTP status an endpoint answers, when, and the record its body is written from (null: an error). */
    private record Answer(int code, Class<?> model, String why) {
    }

    private static Answer answer(int code, String why) {
        return new Answer(code, null, why);
    }

    private static Answer answer(int code, Class<?> model, String why) {
        return new Answer(code, model, why);
    }

    /** The answers of the on-demand endpoints, with what a 200 holds. */
    private static Answer[] onDemand(Class<?> model, String ok) {
        return new Answer[] {answer(200, model, ok), answer(400, "The id or a parameter is malformed"),
            answer(404, "Graph has no such object"),
            answer(409, "A cycle is running, or the profile does not provision this object type"),
            answer(502, "Graph or the SCIM target failed")};
    }

    private static ParamDefinition path(String description) {
        return new ParamDefinition().name("id").type(RestParamType.path).dataType("string").required(true)
                .description(description);
    }

    private static ParamDefinition limit(int byDefault) {
        return query("limit", "integer", "how many, 1 to " + ListLimit.MAX + " (default " + byDefault + ")");
    }

    private static ParamDefinition query(String name, String type, String description) {
        return new ParamDefinition().name(name).type(RestParamType.query)
                .dataType(type).required(false).description(description);
    }

    static void statusAndBody(Exchange exchange) throws InvalidPayloadException {
        ApiReply reply = exchange.getMessage().getMandatoryBody(ApiReply.class);
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, reply.status());
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, JSON);
        exchange.getMessage().setBody(reply.body());
    }
}
