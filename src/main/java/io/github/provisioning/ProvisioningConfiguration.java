package io.github.provisioning;

import io.github.provisioning.admin.AdminAccess;
import io.github.provisioning.admin.AdminJobRoutes;
import io.github.provisioning.admin.AdminRoutes;
import io.github.provisioning.admin.JobControl;
import io.github.provisioning.admin.JobList;
import io.github.provisioning.auth.TargetCredentials;
import io.github.provisioning.cluster.ClusterNode;
import io.github.provisioning.cycle.CycleMdc;
import io.github.provisioning.cycle.LogFiles;
import io.github.provisioning.cycle.ProvisioningLog;
import io.github.provisioning.cycle.Quarantine;
import io.github.provisioning.cycle.RunOutcome;
import io.github.provisioning.notify.CycleObjects;
import io.github.provisioning.notify.NotificationSettings;
import io.github.provisioning.observe.LastCycleHealthCheck;
import io.github.provisioning.observe.ProvisioningMetrics;
import io.github.provisioning.observe.QuarantineHealthCheck;
import io.github.provisioning.state.JobId;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.StartupListener;
import org.apache.camel.component.mail.MailComponent;
import org.apache.camel.component.micrometer.routepolicy.MicrometerRoutePolicyConfiguration;
import org.apache.camel.component.micrometer.routepolicy.MicrometerRoutePolicyFactory;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.spi.RoutePolicyFactory;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.support.service.ServiceSupport;
import org.apache.camel.util.TimeUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the engine. {@link #configure} runs before the routes are created: it starts the sandbox when no tenant
 * and target are configured, checks the settings, derives the few values routes need, and binds the beans of each
 * area ({@link #areas}). The beans are lazy, so they are built after that, from the final settings.
 */
public class ProvisioningConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(ProvisioningConfiguration.class);
    /** Every job's routes that Camel's route metrics leave out ({@link #leaveOutOfRouteMetrics}), a regular expression. */
    static final String UNMETERED_ROUTES =
            ".+\\.(provision-user|provision-group|send-plan|scim-exchange|scim-send)";

    /**
     * The bean methods of each area. They are bound from here, not listed in camel.main.configuration-classes, so
     * that Camel Main, camel run and the Spring Boot starter, which all call this class, find every bean.
     */
    static List<Object> areas() {
        return List.of(new GraphConfiguration(), new ScimConfiguration(), new StateConfiguration(),
                new ClusterConfiguration(),
                new CycleConfiguration(), new AdminConfiguration(), new ObserveConfiguration());
    }

    @Override
    public void configure(CamelContext context) throws Exception {
        PropertiesComponent properties = context.getPropertiesComponent();
        Settings settings = new Settings(properties::resolveProperty);
        Map<String, String> jobSettings = jobSettings(properties);
        // The sandbox stands in for a tenant and target only when no job names its own.
        boolean sandbox = settings.sandboxWanted() && settings.get(JobDefinitions.JOBS_DIR).isEmpty()
                && jobSettings.isEmpty();
        // --test-connection: one probe of the target, then exit; no cycle, no schedule, no sandbox demo.
        boolean testConnection = settings.flag("provisioning.test-connection");
        Properties derived = sandbox ? startSandbox(context, settings, testConnection) : new Properties();
        Settings effective = new Settings(name -> derived.containsKey(name)
                ? Optional.of(derived.getProperty(name)) : properties.resolveProperty(name));
        List<JobDefinition> jobs = JobDefinitions.read(effective, jobSettings,
                // A job's value may name a secret elsewhere ({{env:HR_SCIM_TOKEN}}); parseUri reads plain text as a key.
                value -> value.contains("{{") ? properties.parseUri(value) : value);
        context.getRegistry().bind("settings", effective);
        // The leases of the engine's jobs share it, to spread the jobs over the nodes of a cluster.
        context.getRegistry().bind("clusterNode", new ClusterNode(effective.nodeId(), jobs.size()));
        boolean once = effective.flag("provisioning.once");
        // A dry run is one cycle: set alone, it would leave a scheduled engine that writes.
        if (effective.flag("provisioning.dry-run") && !once) {
            throw new IllegalArgumentException("Setting provisioning.dry-run=true needs provisioning.once=true (one "
                    + "cycle, then exit); on a running engine, POST /api/job/dry-run runs one");
        }
        if (once && jobs.size() > 1) {
            throw new IllegalArgumentException("Setting provisioning.once=true runs one cycle of one job, and this "
                    + "engine has " + jobs.size() + " jobs: run each job's once-run with its own settings");
        }
        // Derived for the routes, not for users to set: which of the three starters runs (schedule, once, sandbox
        // demo), and in a cluster, how often the jobs' leases are asked for or confirmed.
        Map<String, String> starters = Map.of(
                "provisioning.scheduled", String.valueOf(!once && !sandbox && !testConnection),
                "provisioning.run-once", String.valueOf(once && !sandbox && !testConnection),
                "provisioning.clustered", String.valueOf(effective.cluster() && !testConnection),
                "provisioning.cluster.heartbeat-millis",
                String.valueOf(effective.duration(Settings.CLUSTER_FAILOVER_TIMEOUT).toMillis() / 10));
        Path dataDir = Path.of(sandbox ? derived.getProperty("provisioning.work-dir")
                : effective.get("provisioning.data-dir").orElse("./data"));
        if (context.getRegistry().lookupByName("runOutcome") == null) {
            context.getRegistry().bind("runOutcome", new RunOutcome());
        }
        JobBeans.bindShared(context, areas());
        JobRoutes routes = new JobRoutes(context);
        context.getRegistry().bind("jobRoutes", routes);
        ((ModelCamelContext) context).addModelLifecycleStrategy(routes);
        List<JobBeans> jobBeans = new ArrayList<>();
        for (JobDefinition job : jobs) {
            Map<String, String> jobDerived = new HashMap<>(starters);
            jobDerived.putAll(derivedSettings(job.settings(), job.workDir(dataDir)));
            if (job.isDefault()) {
                // Today's settings are the job default's (with the sandbox's, when it stands in for the tenant and
                // target): its routes and beans read the engine's properties.
                derived.forEach((name, value) -> properties.addOverrideProperty((String) name, (String) value));
                jobDerived.forEach(properties::addOverrideProperty);
            }
            jobBeans.add(bindJob(context, job, jobDerived, routes));
        }
        // The engine's jobs: GET /api/jobs, and the jobs --test-connection tests.
        context.getRegistry().bind("jobList", new JobList(jobs.stream().map(JobDefinition::id).toList(),
                job -> context.getRegistry().lookupByNameAndType(JobBeans.name(job, "jobControl"), JobControl.class)));
        configureSmtpLogin(context, effective);
        leaveOutOfRouteMetrics(context);
        // The cycle id in the application log's MDC while a cycle's steps run; the routes are created after this.
        context.getCamelContextExtension().addInterceptStrategy(new CycleMdc());
        if (testConnection) {
            jobs.forEach(job -> LOG.info("Test Connection of job {} against {}{}", job.id(),
                    job.settings().require("scim.url"), sandbox ? " (sandbox)" : ""));
            return;
        }
        // The admin API's REST DSL routes: added here, not through a routes setting, so that Camel Main, camel run
        // and the Spring Boot starter, which all call this class, serve them (--test-connection has no admin API).
        context.addRoutes(new AdminRoutes());
        for (JobBeans job : jobBeans) {
            observeJob(context, job);
        }
        protectAdminApi(context, effective);
        for (JobDefinition job : jobs) {
            Settings own = job.settings();
            LOG.info("Job {}: provisioning {} users from {} to {} every {}{}", job.id(),
                    own.get("provisioning.scope").orElse("assigned"), own.require("graph.url"), own.require("scim.url"),
                    TimeUtils.printDuration(own.duration("provisioning.interval"), true),
                    sandbox ? " (sandbox)" : once ? " (once)" : "");
        }
    }

    /** Starts the sandbox's tenant and target (and its demo, but for a Test Connection): their settings. */
    private static Properties startSandbox(CamelContext context, Settings settings, boolean testConnection)
            throws Exception {
        SandboxProvider.RunningSandbox started = sandboxProvider().start(
                Math.toIntExact(settings.wholeNumber("sandbox.users", 50)), settings.wholeNumber("sandbox.seed", 42),
                Path.of(settings.get("provisioning.data-dir").orElse("./data")));
        context.addService(started, true, true);
        context.getRegistry().bind("sandbox", started);
        if (!testConnection) {
            // The demo route exists only in sandbox mode; it references the sandbox bean.
            PluginHelper.getRoutesLoader(context).loadRoutes(
                    ResourceHelper.resolveMandatoryResource(context, "classpath:sandbox/sandbox-demo.camel.yaml"));
        }
        Properties derived = new Properties();
        derived.putAll(started.settings());
        return derived;
    }

    /**
     * Binds a job's beans and routes: the job default reads the engine's properties (today's settings), any other
     * job its own settings, an unset one empty (as in application.properties). Its last-cycle health check too.
     */
    private static JobBeans bindJob(CamelContext context, JobDefinition job, Map<String, String> derived,
                                    JobRoutes routes) {
        PropertiesComponent properties = context.getPropertiesComponent();
        Function<String, Optional<String>> jobProperties = job.isDefault() ? properties::resolveProperty
                : name -> Optional.ofNullable(derived.get(name)).or(() -> job.settings().get(name))
                        .or(() -> Optional.of(""));
        routes.add(job.id(), job.isDefault() ? Map.of() : JobRoutes.parameters(jobProperties));
        RunOutcome outcome = job.isDefault()
                ? context.getRegistry().lookupByNameAndType("runOutcome", RunOutcome.class) : new RunOutcome();
        // Found by Camel's health registry (camel.health.registry-enabled), served at /observe/health.
        context.getRegistry().bind(healthCheckName(job.id(), "lastCycleHealthCheck"),
                new LastCycleHealthCheck(healthCheckId(job.id(), "last-cycle"), outcome));
        // A job's quarantine policy is checked at start-up, used after each of its cycles.
        return new JobBeans(context, job.id(), jobProperties, areas(), Map.of("settings", job.settings(),
                "runOutcome", outcome, "quarantinePolicy", job.settings().quarantinePolicy()));
    }

    /** A job's provisioning log observers, its quarantine health check and its admin endpoints' flows. */
    private static void observeJob(CamelContext context, JobBeans job) throws Exception {
        // Metrics and the cycle digest see each provisioning-log line as it is written; wired when Camel has started
        // (the beans are built from the final settings), before any route runs a cycle.
        context.addStartupListener((started, alreadyStarted) -> {
            ProvisioningLog log = job.bean("provisioningLog", ProvisioningLog.class);
            log.observe(job.bean("cycleObjects", CycleObjects.class)::record);
            log.observe(job.bean("provisioningMetrics", ProvisioningMetrics.class)::objectLogged);
            // Retention at start-up; cycle-ended applies it after each cycle.
            job.bean("logFiles", LogFiles.class).prune();
        });
        context.getRegistry().bind(healthCheckName(job.job(), "quarantineHealthCheck"),
                new QuarantineHealthCheck(healthCheckId(job.job(), "quarantine"),
                        () -> job.bean("quarantine", Quarantine.class).current()));
        context.addRoutes(new AdminJobRoutes(job.job()));
    }

    /**
     * What a job's routes and beans read that is derived from its settings: the token route's endpoint, the
     * durations in milliseconds, and its working directory.
     */
    private static Map<String, String> derivedSettings(Settings job, Path workDir) {
        Map<String, String> derived = new HashMap<>();
        // The token route needs an endpoint in every mode; with a static token it is never called.
        derived.put("scim.auth.token-url", job.scimCredentials() instanceof TargetCredentials.TokenGrant grant
                ? grant.tokenUrl() : job.require("scim.url"));
        // The routes' schedule and HTTP timeouts take milliseconds.
        for (String name : List.of("provisioning.interval", "provisioning.progress-interval", "scim.connect-timeout",
                "scim.response-timeout", "graph.connect-timeout", "graph.response-timeout")) {
            derived.put(name + "-millis", String.valueOf(job.duration(name).toMillis()));
        }
        derived.put("provisioning.work-dir", workDir.toString());
        return derived;
    }

    /**
     * Every setting named provisioning.jobs.*: from the settings files, then Camel's initial and override
     * properties (Camel Main's arguments, -D), then the system properties, a later source winning.
     */
    private static Map<String, String> jobSettings(PropertiesComponent properties) {
        Map<String, String> found = new HashMap<>();
        List<Properties> sources = new ArrayList<>();
        sources.add(properties.loadProperties(name -> name.startsWith(JobDefinitions.PREFIX)));
        if (properties instanceof org.apache.camel.component.properties.PropertiesComponent camel) {
            sources.add(camel.getInitialProperties());
            sources.add(camel.getOverrideProperties());
        }
        sources.add(System.getProperties());
        for (Properties source : sources) {
            if (source != null) {
                source.stringPropertyNames().stream().filter(name -> name.startsWith(JobDefinitions.PREFIX))
                        .forEach(name -> found.put(name, source.getProperty(name)));
            }
        }
        return found;
    }

    /** The job default's health checks keep the names they had before jobs; another job's carry its id. */
    private static String healthCheckName(JobId job, String name) {
        return job.equals(JobId.DEFAULT) ? name : job.part(name);
    }

    private static String healthCheckId(JobId job, String id) {
        return job.equals(JobId.DEFAULT) ? id : id + "-" + job;
    }

    /**
     * The sandbox jar's starter. The thin route bundle has none: with no tenant settings it cannot start, and says
     * which settings to set.
     */
    private static SandboxProvider sandboxProvider() {
        return SandboxProvider.find(ProvisioningConfiguration.class.getClassLoader()).orElseThrow(() ->
                new IllegalStateException("No tenant is configured and the sandbox is not on the class path: set "
                        + "graph.tenant-id, graph.client-id, graph.client-secret (or graph.client-certificate),"
                        + " graph.app-id, scim.url and scim.token"
                        + " (or scim.oauth2.* / scim.meta.*), see docs/configuration.md; or run provisioning.jar,"
                        + " which has the sandbox"));
    }

    /**
     * Camel's route metrics (camel.metrics.enableRoutePolicy) for every route but the ones that run once per object
     * and per SCIM request: the provisioning_objects_total and provisioning_scim_requests series count that work,
     * without a timer per exchange (its cost is in docs/benchmarks.md). Camel Main has added its route policy
     * factory by now (camel.metrics.* is applied before the configuration classes); the routes that use it are
     * created after this. The factory's configuration is replaced, not changed: its default is shared.
     */
    private static void leaveOutOfRouteMetrics(CamelContext context) {
        for (RoutePolicyFactory factory : context.getRoutePolicyFactories()) {
            if (factory instanceof MicrometerRoutePolicyFactory micrometer) {
                MicrometerRoutePolicyConfiguration current = micrometer.getPolicyConfiguration();
                MicrometerRoutePolicyConfiguration changed = new MicrometerRoutePolicyConfiguration();
                changed.setContextEnabled(current.isContextEnabled());
                changed.setRouteEnabled(current.isRouteEnabled());
                changed.setAdditionalCounters(current.isAdditionalCounters());
                changed.setExchangesSucceeded(current.isExchangesSucceeded());
                changed.setExchangesFailed(current.isExchangesFailed());
                changed.setExchangesTotal(current.isExchangesTotal());
                changed.setExternalRedeliveries(current.isExternalRedeliveries());
                changed.setFailuresHandled(current.isFailuresHandled());
                changed.setLongTask(current.isLongTask());
                changed.setTimerInitiator(current.getTimerInitiator());
                changed.setLongTaskInitiator(current.getLongTaskInitiator());
                changed.setExcludePattern(current.getExcludePattern() == null ? UNMETERED_ROUTES
                        : current.getExcludePattern() + "," + UNMETERED_ROUTES);
                micrometer.setPolicyConfiguration(changed);
            }
        }
    }

    /**
     * The SMTP login goes on the smtp component, not in the endpoint URI, so the password is in no URI that
     * Camel could log or tag a metric with; without a username the server is used without login.
     */
    private static void configureSmtpLogin(CamelContext context, Settings settings) {
        if (!NotificationSettings.enabled(settings::get)) {
            return;
        }
        settings.get(NotificationSettings.USERNAME).ifPresent(username -> {
            MailComponent smtp = context.getComponent("smtp", MailComponent.class);
            smtp.getConfiguration().setUsername(username);
            smtp.getConfiguration().setPassword(settings.require(NotificationSettings.PASSWORD));
        });
    }

    /**
     * admin.token: required off loopback; when set, every admin request must carry it (never logged). With or without
     * it, cross-site writes are refused.
     */
    private static void protectAdminApi(CamelContext context, Settings settings) throws Exception {
        if (!settings.flag("camel.server.enabled")) {
            return;
        }
        AdminAccess access = AdminAccess.of(settings.get("admin.host").orElse("127.0.0.1"),
                settings.get("admin.token").orElse(""));
        int port = Math.toIntExact(settings.wholeNumber("admin.port", 8080));
        // The admin server is up once the context has started its services, before any route starts.
        context.addStartupListener(new StartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext started, boolean alreadyStarted) {
                access.install(started, port);
            }
        });
    }

    /**
     * Closes a resource when Camel stops, if it was ever created. (A destroyMethod on a lazy bean would create the
     * bean at shutdown just to close it: opening, and migrating, the state database in --test-connection mode.)
     */
    static <T extends AutoCloseable> T closedOnStop(CamelContext context, T resource) {
        try {
            context.addService(new ServiceSupport() {
                @Override
                protected void doStop() throws Exception {
                    resource.close();
                }
            }, true, true);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot register " + resource.getClass().getSimpleName()
                    + " for closing", e);
        }
        return resource;
    }

    /** A producer template that the context stops with itself. */
    static ProducerTemplate template(CamelContext context, String purpose) {
        ProducerTemplate template = context.createProducerTemplate();
        try {
            context.addService(template, true, false);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot register the template for " + purpose, e);
        }
        return template;
    }
}
