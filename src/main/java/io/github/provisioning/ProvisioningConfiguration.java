package io.github.provisioning;

import io.github.provisioning.admin.AdminAccess;
import io.github.provisioning.admin.AdminApi;
import io.github.provisioning.admin.CycleHistory;
import io.github.provisioning.admin.DeletionApproval;
import io.github.provisioning.admin.GroupOnDemand;
import io.github.provisioning.admin.JobControl;
import io.github.provisioning.admin.ProvisionOnDemand;
import io.github.provisioning.admin.ProvisioningLogQuery;
import io.github.provisioning.admin.TargetUniquenessCheck;
import io.github.provisioning.auth.TargetCredentials;
import io.github.provisioning.auth.TargetToken;
import io.github.provisioning.auth.TokenRoute;
import io.github.provisioning.cycle.CycleMdc;
import io.github.provisioning.cycle.Cycles;
import io.github.provisioning.cycle.DryRunTarget;
import io.github.provisioning.cycle.DeletionGuard;
import io.github.provisioning.cycle.GroupProvisioner;
import io.github.provisioning.cycle.Groups;
import io.github.provisioning.cycle.LogFiles;
import io.github.provisioning.cycle.MatchIndex;
import io.github.provisioning.cycle.UniqueValueReservations;
import io.github.provisioning.cycle.PlanExpressions;
import io.github.provisioning.cycle.ProvisioningLog;
import io.github.provisioning.cycle.Quarantine;
import io.github.provisioning.cycle.RetrySchedule;
import io.github.provisioning.cycle.RunOutcome;
import io.github.provisioning.cycle.UserProvisioner;
import io.github.provisioning.graph.EntraGroup;
import io.github.provisioning.graph.EntraUser;
import io.github.provisioning.graph.GraphResponses;
import io.github.provisioning.graph.GraphRetry;
import io.github.provisioning.graph.GraphToken;
import io.github.provisioning.graph.PageExpressions;
import io.github.provisioning.http.RetryPolicy;
import io.github.provisioning.mapping.MappingRule;
import io.github.provisioning.mapping.MappingTable;
import io.github.provisioning.mapping.ObjectMapping;
import io.github.provisioning.notify.CycleObjects;
import io.github.provisioning.notify.NotificationSettings;
import io.github.provisioning.notify.Notifier;
import io.github.provisioning.observe.LastCycleHealthCheck;
import io.github.provisioning.observe.ProvisioningMetrics;
import io.github.provisioning.observe.QuarantineHealthCheck;
import io.github.provisioning.observe.ScimRequestTimer;
import io.github.provisioning.scim.ConnectionCheck;
import io.github.provisioning.scim.ScimDialect;
import io.github.provisioning.scim.ScimGate;
import io.github.provisioning.scim.ScimHttpRequest;
import io.github.provisioning.scim.ScimHttpResponse;
import io.github.provisioning.scim.ScimResponse;
import io.github.provisioning.scim.ScimResponses;
import io.github.provisioning.scim.TargetCapabilities;
import io.github.provisioning.state.StateDatabase;
import io.github.provisioning.state.StateStore;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import org.apache.camel.BeanInject;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.Expression;
import org.apache.camel.Predicate;
import org.apache.camel.Processor;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.PropertyInject;
import org.apache.camel.StartupListener;
import org.apache.camel.component.mail.MailComponent;
import org.apache.camel.component.micrometer.routepolicy.MicrometerRoutePolicyConfiguration;
import org.apache.camel.component.micrometer.routepolicy.MicrometerRoutePolicyFactory;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.spi.Registry;
import org.apache.camel.spi.RoutePolicyFactory;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.support.service.ServiceSupport;
import org.apache.camel.util.TimeUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the engine. {@link #configure} runs before the routes are created: it starts the sandbox when no tenant
 * and target are configured, checks the settings, and derives the few values routes need. The beans are lazy, so
 * they are built after that, from the final settings.
 */
public class ProvisioningConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(ProvisioningConfiguration.class);
    /** The routes Camel's route metrics leave out ({@link #leaveOutOfRouteMetrics}). */
    static final String UNMETERED_ROUTES = "provision-user,provision-group,send-plan,scim-exchange";

    @Override
    public void configure(CamelContext context) throws Exception {
        PropertiesComponent properties = context.getPropertiesComponent();
        Settings settings = new Settings(properties::resolveProperty);
        Properties derived = new Properties();
        boolean sandbox = settings.sandboxWanted();
        // --test-connection: one probe of the target, then exit; no cycle, no schedule, no sandbox demo.
        boolean testConnection = Boolean.parseBoolean(settings.get("provisioning.test-connection").orElse("false"));
        if (sandbox) {
            SandboxProvider.RunningSandbox started = sandboxProvider().start(
                    Integer.parseInt(settings.get("sandbox.users").orElse("50")),
                    Long.parseLong(settings.get("sandbox.seed").orElse("42")),
                    Path.of(settings.get("provisioning.data-dir").orElse("./data")));
            context.addService(started, true, true);
            context.getRegistry().bind("sandbox", started);
            derived.putAll(started.settings());
            if (!testConnection) {
                // The demo route exists only in sandbox mode; it references the sandbox bean.
                PluginHelper.getRoutesLoader(context).loadRoutes(
                        ResourceHelper.resolveMandatoryResource(context, "classpath:sandbox/sandbox-demo.camel.yaml"));
            }
        }
        Settings effective = new Settings(name -> derived.containsKey(name)
                ? java.util.Optional.of(derived.getProperty(name)) : properties.resolveProperty(name));
        effective.validate();
        // Checked at start-up, used at the end of each cycle.
        context.getRegistry().bind("quarantinePolicy", Quarantine.Policy.of(effective::get));
        // The token route needs an endpoint in every mode; with a static token it is never called.
        derived.setProperty("scim.auth.token-url", effective.scimCredentials() instanceof TargetCredentials.TokenGrant grant
                ? grant.tokenUrl() : effective.require("scim.url"));
        boolean once = Boolean.parseBoolean(effective.get("provisioning.once").orElse("false"));
        // A dry run is one cycle: set alone, it would leave a scheduled engine that writes.
        if (Boolean.parseBoolean(effective.get("provisioning.dry-run").orElse("false")) && !once) {
            throw new IllegalArgumentException("Setting provisioning.dry-run=true needs provisioning.once=true (one "
                    + "cycle, then exit); on a running engine, POST /api/job/dry-run runs one");
        }
        String interval = effective.get("provisioning.interval").orElse("40m");
        long intervalMillis;
        try {
            intervalMillis = TimeUtils.toMilliSeconds(interval);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("Setting provisioning.interval is not a duration (e.g. 40m, 1h30m): " + interval);
        }
        derived.setProperty("provisioning.interval-millis", String.valueOf(intervalMillis));
        derived.setProperty("scim.connect-timeout-millis", String.valueOf(millis(effective, "scim.connect-timeout", "10s")));
        derived.setProperty("scim.response-timeout-millis", String.valueOf(millis(effective, "scim.response-timeout", "60s")));
        derived.setProperty("graph.connect-timeout-millis", String.valueOf(millis(effective, "graph.connect-timeout", "10s")));
        derived.setProperty("graph.response-timeout-millis", String.valueOf(millis(effective, "graph.response-timeout", "60s")));
        // Derived, not for users to set: which of the three starters runs (schedule, once, sandbox demo).
        derived.setProperty("provisioning.scheduled", String.valueOf(!once && !sandbox && !testConnection));
        derived.setProperty("provisioning.run-once", String.valueOf(once && !sandbox && !testConnection));
        derived.setProperty("provisioning.work-dir", sandbox ? derived.getProperty("provisioning.work-dir")
                : effective.get("provisioning.data-dir").orElse("./data"));
        derived.forEach((name, value) -> properties.addOverrideProperty((String) name, (String) value));
        if (context.getRegistry().lookupByName("runOutcome") == null) {
            context.getRegistry().bind("runOutcome", new RunOutcome());
        }
        // Found by Camel's health registry (camel.health.registry-enabled), served at /observe/health.
        context.getRegistry().bind("lastCycleHealthCheck",
                new LastCycleHealthCheck(context.getRegistry().lookupByNameAndType("runOutcome", RunOutcome.class)));
        configureSmtpLogin(context, effective);
        leaveOutOfRouteMetrics(context);
        // The cycle id in the application log's MDC while a cycle's steps run; the routes are created after this.
        context.getCamelContextExtension().addInterceptStrategy(new CycleMdc());
        if (testConnection) {
            LOG.info("Test Connection against {}{}", effective.require("scim.url"), sandbox ? " (sandbox)" : "");
            return;
        }
        // Metrics and the cycle digest see each provisioning-log line as it is written; wired when Camel has started
        // (the beans are built from the final settings), before any route runs a cycle.
        context.addStartupListener((started, alreadyStarted) -> {
            ProvisioningLog log = started.getRegistry().lookupByNameAndType("provisioningLog", ProvisioningLog.class);
            log.observe(started.getRegistry().lookupByNameAndType("cycleObjects", CycleObjects.class)::record);
            log.observe(started.getRegistry().lookupByNameAndType("provisioningMetrics", ProvisioningMetrics.class)
                    ::objectLogged);
            // Retention at start-up; cycle-ended applies it after each cycle.
            started.getRegistry().lookupByNameAndType("logFiles", LogFiles.class).prune();
        });
        context.getRegistry().bind("quarantineHealthCheck", new QuarantineHealthCheck(() -> context.getRegistry()
                .lookupByNameAndType("quarantine", Quarantine.class).current()));
        protectAdminApi(context, effective);
        LOG.info("Provisioning {} users from {} to {} every {}{}", effective.get("provisioning.scope").orElse("assigned"),
                effective.require("graph.url"), effective.require("scim.url"), interval,
                sandbox ? " (sandbox)" : once ? " (once)" : "");
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
     * and per SCIM request: their per-exchange timers and counters were 3 to 4 % of an initial cycle's CPU, and the
     * provisioning_objects_total and provisioning_scim_requests series count the same work. Camel Main has added its
     * route policy factory by now (camel.metrics.* is applied before the configuration classes); the routes that use
     * it are created after this. The factory's configuration is replaced, not changed: its default is shared.
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

    /** admin.token: required off loopback; when set, every admin request must carry it (never logged). */
    private static void protectAdminApi(CamelContext context, Settings settings) throws Exception {
        if (!Boolean.parseBoolean(settings.get("camel.server.enabled").orElse("true"))) {
            return;
        }
        AdminAccess access = AdminAccess.of(settings.get("admin.host").orElse("127.0.0.1"),
                settings.get("admin.token").orElse(""));
        if (access != null) {
            int port = Integer.parseInt(settings.get("admin.port").orElse("8080"));
            // The admin server is up once the context has started its services, before any route starts.
            context.addStartupListener(new StartupListener() {
                @Override
                public void onCamelContextStarted(CamelContext started, boolean alreadyStarted) {
                    access.install(started, port);
                }
            });
        }
    }

    private static long millis(Settings settings, String name, String fallback) {
        String value = settings.get(name).orElse(fallback);
        try {
            return TimeUtils.toMilliSeconds(value);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("Setting " + name + " is not a duration (e.g. 10s, 1m): " + value);
        }
    }

    @BindToRegistry(value = "retryPolicy", lazy = true)
    public RetryPolicy retryPolicy(@PropertyInject("scim.max-attempts") int maxAttempts,
                                   @PropertyInject("scim.retry-base-delay") String baseDelay,
                                   @PropertyInject("scim.retry-max-delay") String maxDelay) {
        return new RetryPolicy(maxAttempts, Duration.ofMillis(TimeUtils.toMilliSeconds(baseDelay)),
                Duration.ofMillis(TimeUtils.toMilliSeconds(maxDelay)), Clock.systemUTC());
    }

    @BindToRegistry(value = "retrySchedule", lazy = true)
    public RetrySchedule retrySchedule(@PropertyInject(value = "provisioning.escrow.base-delay", defaultValue = "0s")
                                       String baseDelay,
                                       @PropertyInject(value = "provisioning.escrow.max-delay", defaultValue = "24h")
                                       String maxDelay,
                                       @PropertyInject(value = "provisioning.escrow.max-attempts", defaultValue = "10")
                                       int maxAttempts) {
        return new RetrySchedule(escrowDelay("provisioning.escrow.base-delay", baseDelay),
                escrowDelay("provisioning.escrow.max-delay", maxDelay), maxAttempts);
    }

    private static Duration escrowDelay(String name, String value) {
        try {
            return Duration.ofMillis(TimeUtils.toMilliSeconds(value));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("Setting " + name + " is not a duration (e.g. 0s, 30m, 24h): " + value);
        }
    }

    @BindToRegistry(value = "targetCapabilities", lazy = true)
    public TargetCapabilities targetCapabilities(CamelContext context, @BeanInject("mappingTable") MappingTable mapping,
                                                 @BeanInject("scimDialect") ScimDialect dialect) {
        return new TargetCapabilities(dialect, ScimDialect.isChosen(mapping.compat(), compatSetting(context),
                "update-method"));
    }

    @BindToRegistry(value = "scimDialect", lazy = true)
    public ScimDialect scimDialect(CamelContext context, @BeanInject("mappingTable") MappingTable mapping) {
        return ScimDialect.of(mapping.compat(), compatSetting(context));
    }

    /** {@code scim.compat.<switch>}, or null when not set. */
    private static java.util.function.Function<String, String> compatSetting(CamelContext context) {
        return name -> context.getPropertiesComponent().resolveProperty("scim.compat." + name).orElse(null);
    }

    @BindToRegistry(value = "scimGate", lazy = true)
    public ScimGate scimGate(@PropertyInject("scim.concurrency") int concurrency,
                             @PropertyInject("scim.max-requests-per-second") double requestsPerSecond) {
        return new ScimGate(concurrency, requestsPerSecond);
    }

    @BindToRegistry(value = "mappingTable", lazy = true)
    public MappingTable mappingTable(@PropertyInject("provisioning.mapping") String location) {
        return MappingTable.load(location);
    }

    /** The state store's database: embedded H2 in the data directory, or provisioning.state.jdbc-url. */
    @BindToRegistry(value = "stateDatabase", lazy = true)
    public StateDatabase stateDatabase(CamelContext context,
                                       @PropertyInject("provisioning.work-dir") String dataDir,
                                       @PropertyInject("provisioning.state.jdbc-url")
                                       String jdbcUrl,
                                       @PropertyInject("provisioning.state.username")
                                       String username,
                                       @PropertyInject("provisioning.state.password")
                                       String password,
                                       @PropertyInject("provisioning.concurrency") int concurrency) {
        // A connection per provisioning thread and two to spare, as before; and one more, which the state store keeps
        // for its saves from the first one on: without it, it would take one of those the others wait for.
        StateDatabase database = StateDatabase.open(jdbcUrl, username, password, Path.of(dataDir), concurrency + 3);
        LOG.info("State store: {}", database.description());
        return closedOnStop(context, database);
    }

    /**
     * Closed on stop before its database: Camel stops services in the reverse order of their adding, and the
     * database was added first (injected into this method). The store gives back the connection it keeps.
     */
    @BindToRegistry(value = "stateStore", lazy = true)
    public StateStore stateStore(CamelContext context, @BeanInject("stateDatabase") StateDatabase database) {
        return closedOnStop(context, new StateStore(database.dataSource()));
    }

    @BindToRegistry(value = "provisioningLog", lazy = true)
    public ProvisioningLog provisioningLog(CamelContext context, @BeanInject("logFiles") LogFiles files,
                                           @PropertyInject(value = LogFiles.MAX_SIZE, defaultValue = "100MB")
                                           String maxSize) {
        return closedOnStop(context, new ProvisioningLog(files, LogFiles.maxSize(maxSize)));
    }

    /** The provisioning log's current and rotated files, and the retention of those and of the cycle reports. */
    @BindToRegistry(value = "logFiles", lazy = true)
    public LogFiles logFiles(@PropertyInject("provisioning.work-dir") String dataDir,
                             @PropertyInject(value = LogFiles.RETENTION_DAYS, defaultValue = "30") String days) {
        return new LogFiles(Path.of(dataDir), LogFiles.retention(days), Clock.systemUTC());
    }

    /**
     * Closes a resource when Camel stops, if it was ever created. (A destroyMethod on a lazy bean would create the
     * bean at shutdown just to close it: opening, and migrating, the state database in --test-connection mode.)
     */
    private static <T extends AutoCloseable> T closedOnStop(CamelContext context, T resource) {
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

    /** What each running cycle's log lines said, for its digest e-mail. */
    @BindToRegistry(value = "cycleObjects", lazy = true)
    public CycleObjects cycleObjects(@PropertyInject(value = NotificationSettings.MAX_FAILURES_LISTED,
            defaultValue = "20") int maxListed) {
        return new CycleObjects(maxListed);
    }

    @BindToRegistry(value = "notifier", lazy = true)
    public Notifier notifier(CamelContext context, @BeanInject("cycleObjects") CycleObjects cycleObjects,
                             @PropertyInject(value = "camel.main.name", defaultValue = "entra-provisioning") String job) {
        Settings settings = new Settings(context.getPropertiesComponent()::resolveProperty);
        return new Notifier(NotificationSettings.enabled(settings::get), job, cycleObjects);
    }

    /** On the registry Camel Main's metrics support creates ({@code camel.metrics.enabled}) and scrapes. */
    @BindToRegistry(value = "provisioningMetrics", lazy = true)
    public ProvisioningMetrics provisioningMetrics(@BeanInject("metricsRegistry") MeterRegistry registry,
                                                   @BeanInject("stateStore") StateStore state,
                                                   @BeanInject("cycles") Cycles cycles) {
        ProvisioningMetrics metrics = new ProvisioningMetrics(registry, state::awaitingRetry,
                () -> state.quarantine().isPresent(), () -> state.heldDeletions().count());
        metrics.cycleProgress(cycles::progress);
        return metrics;
    }

    /** Camel Main's registry when metrics are on ({@code camel.metrics.enabled}); else one of its own. */
    @BindToRegistry(value = "scimRequestTimer", lazy = true)
    public ScimRequestTimer scimRequestTimer(CamelContext context) {
        MeterRegistry registry = context.getRegistry().lookupByNameAndType("metricsRegistry", MeterRegistry.class);
        return new ScimRequestTimer(registry != null ? registry
                : new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
    }

    /** Graph's retries: graph.max-attempts, graph.retry-base-delay and graph.retry-max-delay (checked at start-up). */
    @BindToRegistry(value = "graphRetryPolicy", lazy = true)
    public RetryPolicy graphRetryPolicy(@PropertyInject(value = "graph.max-attempts", defaultValue = "8") int maxAttempts,
                                        @PropertyInject(value = "graph.retry-base-delay", defaultValue = "1s")
                                        String baseDelay,
                                        @PropertyInject(value = "graph.retry-max-delay", defaultValue = "2m")
                                        String maxDelay) {
        return new RetryPolicy(maxAttempts, Duration.ofMillis(TimeUtils.toMilliSeconds(baseDelay)),
                Duration.ofMillis(TimeUtils.toMilliSeconds(maxDelay)), Clock.systemUTC());
    }

    /**
     * Renewed 5 minutes before it expires, and earlier by the longest a request can spend in its retries, so that a
     * request never outlives the token it started with.
     */
    @BindToRegistry(value = "graphToken", lazy = true)
    public GraphToken graphToken(CamelContext context, @PropertyInject("graph.client-id") String clientId,
                                 @BeanInject("graphRetryPolicy") RetryPolicy retries) {
        Duration renewBefore = Duration.ofMinutes(5).plus(retries.maxDelay().multipliedBy(retries.maxAttempts() - 1L));
        Settings settings = new Settings(context.getPropertiesComponent()::resolveProperty);
        return new GraphToken(clientId, settings.graphCredential(), settings.graphScope(), renewBefore,
                Clock.systemUTC());
    }

    /**
     * Every Graph request's retries; each retryable answer is counted in the metrics and the running cycle. A
     * {@code --test-connection} run has neither (it must not open the state store a running engine holds).
     */
    @BindToRegistry(value = "graphRetry", lazy = true)
    public GraphRetry graphRetry(CamelContext context, @BeanInject("graphRetryPolicy") RetryPolicy retries,
                                 @BeanInject("graphToken") GraphToken token,
                                 @PropertyInject("graph.login-url") String loginUrl,
                                 @PropertyInject("graph.tenant-id") String tenantId,
                                 @PropertyInject(value = "provisioning.test-connection", defaultValue = "false")
                                 boolean testConnection) {
        Registry registry = context.getRegistry();
        return new GraphRetry(retries, token, loginUrl + "/" + tenantId + "/oauth2/v2.0/token", testConnection
                ? answer -> { }
                : answer -> {
                    registry.lookupByNameAndType("provisioningMetrics", ProvisioningMetrics.class).graphRetry(answer);
                    registry.lookupByNameAndType("cycles", Cycles.class).current()
                            .ifPresent(cycle -> cycle.graphRetry(answer));
                });
    }

    /** The Authorization of every SCIM request, in the mode the settings choose (checked in {@link #configure}). */
    @BindToRegistry(value = "targetToken", lazy = true)
    public TargetToken targetToken(CamelContext context, @PropertyInject("scim.auth.token-url") String tokenUrl) {
        PropertiesComponent properties = context.getPropertiesComponent();
        TargetCredentials credentials = new Settings(properties::resolveProperty).scimCredentials();
        return new TargetToken(credentials, new TokenRoute(template(context, "the token request"), tokenUrl),
                Clock.systemUTC());
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

    @BindToRegistry(value = "graphResponses", lazy = true)
    public GraphResponses graphResponses() {
        return new GraphResponses();
    }

    @BindToRegistry(value = "scimHttpRequest", lazy = true)
    public ScimHttpRequest scimHttpRequest(@BeanInject("targetToken") TargetToken token,
                                           @PropertyInject("scim.user-agent") String userAgent) {
        return new ScimHttpRequest(token::authorization, userAgent);
    }

    @BindToRegistry(value = "dryRunTarget", lazy = true)
    public DryRunTarget dryRunTarget() {
        return new DryRunTarget();
    }

    @BindToRegistry(value = "scimResponses", lazy = true)
    public ScimResponses scimResponses() {
        return new ScimResponses();
    }

    @BindToRegistry(value = "scimHttpResponse", lazy = true)
    public ScimHttpResponse scimHttpResponse(@BeanInject("scimResponses") ScimResponses responses) {
        return new ScimHttpResponse(responses);
    }

    @BindToRegistry("scimRequestStart")
    public Processor scimRequestStart() {
        return ScimRequestTimer.START;
    }

    /** After a SCIM answer: whether the target rejected an obtained token, which is then renewed for one resend. */
    @BindToRegistry(value = "targetTokenRejected", lazy = true)
    public Predicate targetTokenRejected(@BeanInject("targetToken") TargetToken token) {
        return token.rejectedAndRenewed();
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

    // The steps of direct:send-plan on the plan in the exchange property plan, once per SCIM request.
    @BindToRegistry("planPending")
    public Predicate planPending() {
        return PlanExpressions.pending();
    }

    @BindToRegistry("planDelayMillis")
    public Expression planDelayMillis() {
        return PlanExpressions.delayMillis();
    }

    @BindToRegistry("plannedRequest")
    public Expression plannedRequest() {
        return PlanExpressions.request();
    }

    @BindToRegistry("planTakesAnswer")
    public Processor planTakesAnswer() {
        return PlanExpressions.answer();
    }

    @BindToRegistry(value = "cycles", lazy = true)
    public Cycles cycles(@BeanInject("mappingTable") MappingTable mapping,
                         @BeanInject("stateStore") StateStore state,
                         @BeanInject("runOutcome") RunOutcome outcome,
                         @PropertyInject("provisioning.work-dir") String dataDir,
                         @PropertyInject("graph.url") String graphUrl,
                         @PropertyInject(value = "graph.app-id", defaultValue = "") String appId,
                         @PropertyInject("provisioning.scope") String scope) {
        return new Cycles(state, Path.of(dataDir), graphUrl, appId, "assigned".equals(scope),
                mapping.user().readsAppRoleAssignments(), EntraUser.select(mapping.user().sourceAttributes()),
                configurationFingerprint(mapping, scope), outcome, Clock.systemUTC());
    }

    /** Changes when the mapping or the scope changes: Entra then runs a full cycle, and no unfinished round goes on. */
    private static String configurationFingerprint(MappingTable mapping, String scope) {
        return mapping.fingerprint() + "|scope=" + scope;
    }

    @BindToRegistry(value = "userProvisioner", lazy = true)
    public UserProvisioner userProvisioner(@BeanInject("mappingTable") MappingTable mapping,
                                           @BeanInject("stateStore") StateStore state,
                                           @BeanInject("provisioningLog") ProvisioningLog log,
                                           @BeanInject("cycles") Cycles cycles,
                                           @BeanInject("retryPolicy") RetryPolicy retryPolicy,
                                           @BeanInject("targetCapabilities") TargetCapabilities target,
                                           @PropertyInject(value = "scim.verify-writes", defaultValue = "false")
                                           boolean verifyWrites,
                                           @BeanInject("retrySchedule") RetrySchedule escrow,
                                           @PropertyInject(value = Settings.DELETION_THRESHOLD, defaultValue = "500")
                                           int deletionThreshold,
                                           @BeanInject("matchIndex") MatchIndex matchIndex,
                                           @BeanInject("uniqueValueReservations")
                                           UniqueValueReservations reservations) {
        return new UserProvisioner(mapping.user(), state, log, cycles::inScope, retryPolicy, target, verifyWrites,
                cycles::appRoleAssignments, escrow, deletionThreshold, matchIndex, reservations);
    }

    /** SelectUniqueValue's values on their way to the target, reserved against the run's other users. */
    @BindToRegistry(value = "uniqueValueReservations", lazy = true)
    public UniqueValueReservations uniqueValueReservations() {
        return new UniqueValueReservations();
    }

    /**
     * The target's matching values (and SelectUniqueValue's targets), listed at the start of an initial cycle
     * (scim.match-index), or of every cycle for a target without filters.
     */
    @BindToRegistry(value = "matchIndex", lazy = true)
    public MatchIndex matchIndex(@BeanInject("mappingTable") MappingTable mapping,
                                 @BeanInject("retryPolicy") RetryPolicy retryPolicy,
                                 @BeanInject("targetCapabilities") TargetCapabilities target,
                                 @PropertyInject(value = "scim.match-index", defaultValue = "initial") String mode,
                                 @PropertyInject(value = "scim.list-page-size", defaultValue = "500") int pageSize) {
        java.util.List<String> paths = new java.util.ArrayList<>();
        mapping.user().matchingRules().forEach(rule -> paths.add(rule.target()));
        mapping.user().uniqueValueRules().forEach(rule -> paths.add(rule.target()));
        return new MatchIndex(MatchIndex.Mode.of(mode), paths, pageSize, retryPolicy, target);
    }

    /** The end of a cycle's accidental-deletions prevention: release the staged disables and deletes, or hold them. */
    @BindToRegistry(value = "deletionGuard", lazy = true)
    public DeletionGuard deletionGuard(@BeanInject("stateStore") StateStore state,
                                       @BeanInject("provisioningLog") ProvisioningLog log,
                                       @PropertyInject(value = Settings.DELETION_THRESHOLD, defaultValue = "500") int threshold,
                                       @PropertyInject(value = NotificationSettings.MAX_FAILURES_LISTED,
                                               defaultValue = "20") int maxListed) {
        return new DeletionGuard(state, log, threshold, maxListed);
    }

    @BindToRegistry(value = "deletionApproval", lazy = true)
    public DeletionApproval deletionApproval(@BeanInject("cycles") Cycles cycles,
                                             @BeanInject("stateStore") StateStore state,
                                             @BeanInject("jobControl") JobControl job,
                                             @PropertyInject(value = Settings.DELETION_THRESHOLD, defaultValue = "500")
                                             int threshold) {
        return new DeletionApproval(cycles, state, job, threshold);
    }

    @BindToRegistry(value = "groups", lazy = true)
    public Groups groups(@BeanInject("mappingTable") MappingTable mapping,
                         @BeanInject("stateStore") StateStore state,
                         @BeanInject("scimDialect") ScimDialect dialect,
                         @PropertyInject("graph.url") String graphUrl,
                         @PropertyInject("provisioning.scope") String scope) {
        boolean enabled = mapping.group() != null && dialect.groups();
        return new Groups(state, graphUrl, enabled, "assigned".equals(scope),
                EntraGroup.select(mapping.group() == null ? java.util.Set.of() : mapping.group().sourceAttributes()),
                configurationFingerprint(mapping, scope));
    }

    @BindToRegistry(value = "groupProvisioner", lazy = true)
    public GroupProvisioner groupProvisioner(@BeanInject("mappingTable") MappingTable mapping,
                                             @BeanInject("stateStore") StateStore state,
                                             @BeanInject("provisioningLog") ProvisioningLog log,
                                             @BeanInject("groups") Groups groups,
                                             @BeanInject("retryPolicy") RetryPolicy retryPolicy,
                                             @BeanInject("targetCapabilities") TargetCapabilities target,
                                             @PropertyInject(value = "scim.members-per-patch", defaultValue = "100")
                                             int membersPerPatch,
                                             @BeanInject("retrySchedule") RetrySchedule escrow,
                                             @PropertyInject(value = Settings.DELETION_THRESHOLD, defaultValue = "500")
                                             int deletionThreshold,
                                             @BeanInject("groupMatchIndex") MatchIndex listing) {
        ObjectMapping groupMapping = mapping.group() != null ? mapping.group()
                : new ObjectMapping(java.util.List.of(), ObjectMapping.TargetActions.ALL);
        return new GroupProvisioner(groupMapping, state, log, groups::inScope, retryPolicy, target, membersPerPatch,
                escrow, deletionThreshold, listing);
    }

    /**
     * The target's groups, listed (displayName, or the group mapping's matching attributes) at the start of a
     * cycle's groups when the target cannot filter; never otherwise.
     */
    @BindToRegistry(value = "groupMatchIndex", lazy = true)
    public MatchIndex groupMatchIndex(@BeanInject("mappingTable") MappingTable mapping,
                                      @BeanInject("retryPolicy") RetryPolicy retryPolicy,
                                      @BeanInject("targetCapabilities") TargetCapabilities target,
                                      @PropertyInject(value = "scim.list-page-size", defaultValue = "500")
                                      int pageSize) {
        java.util.List<String> paths = mapping.group() == null ? java.util.List.of()
                : mapping.group().matchingRules().stream().map(rule -> rule.target()).toList();
        return new MatchIndex("/Groups", MatchIndex.Mode.OFF, paths, pageSize, retryPolicy, target);
    }

    @BindToRegistry(value = "adminApi", lazy = true)
    public AdminApi adminApi(CamelContext context, @BeanInject("mappingTable") MappingTable mapping,
                             @BeanInject("stateStore") StateStore state,
                             @BeanInject("retryPolicy") RetryPolicy retryPolicy,
                             @BeanInject("targetCapabilities") TargetCapabilities target,
                             @PropertyInject("provisioning.scope") String scope) {
        // A Clock bound as "testerClock" stands in for the system clock behind the tester's Now() (tests only).
        Clock clock = context.getRegistry().lookupByNameAndType("testerClock", Clock.class);
        // The tester's SelectUniqueValue queries go through the engine's SCIM route, as the cycle's do.
        ProducerTemplate template = template(context, "the expression tester's SCIM queries");
        TargetUniquenessCheck targetCheck = new TargetUniquenessCheck(request -> {
            try {
                return template.requestBody("direct:scim-exchange", request, ScimResponse.class);
            } catch (CamelExecutionException e) {
                throw e.getCause() instanceof RuntimeException cause ? cause : e;
            }
        }, retryPolicy, target::filter);
        return AdminApi.of(mapping, "assigned".equals(scope), state, clock != null ? clock : Clock.systemUTC(),
                targetCheck);
    }

    /** A producer template that the context stops with itself. */
    private static ProducerTemplate template(CamelContext context, String purpose) {
        ProducerTemplate template = context.createProducerTemplate();
        try {
            context.addService(template, true, false);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot register the template for " + purpose, e);
        }
        return template;
    }

    @BindToRegistry(value = "quarantine", lazy = true)
    public Quarantine quarantine(@BeanInject("stateStore") StateStore state,
                                 @BeanInject("quarantinePolicy") Quarantine.Policy policy) {
        return new Quarantine(state, policy, Clock.systemUTC());
    }

    @BindToRegistry(value = "jobControl", lazy = true)
    public JobControl jobControl(CamelContext context, @BeanInject("cycles") Cycles cycles,
                                 @BeanInject("stateStore") StateStore state,
                                 @BeanInject("quarantine") Quarantine quarantine,
                                 @PropertyInject(value = Settings.DELETION_THRESHOLD, defaultValue = "500") int threshold) {
        return new JobControl(context, cycles, state, quarantine, threshold);
    }

    @BindToRegistry(value = "provisionOnDemand", lazy = true)
    public ProvisionOnDemand provisionOnDemand(@BeanInject("cycles") Cycles cycles,
                                               @BeanInject("mappingTable") MappingTable mapping) {
        return new ProvisionOnDemand(cycles, mapping.user(), Clock.systemUTC());
    }

    @BindToRegistry(value = "groupOnDemand", lazy = true)
    public GroupOnDemand groupOnDemand(@BeanInject("cycles") Cycles cycles, @BeanInject("groups") Groups groups,
                                       @BeanInject("provisionOnDemand") ProvisionOnDemand users,
                                       @BeanInject("mappingTable") MappingTable mapping,
                                       @PropertyInject("graph.url") String graphUrl) {
        return new GroupOnDemand(cycles, groups, users, mapping.group(), graphUrl, Clock.systemUTC());
    }

    /** Collects each member's steps when a group is provisioned on demand. */
    @BindToRegistry(value = "groupOnDemandMembers", lazy = true)
    public AggregationStrategy groupOnDemandMembers(@BeanInject("groupOnDemand") GroupOnDemand onDemand) {
        return onDemand::memberDone;
    }

    @BindToRegistry(value = "cycleHistory", lazy = true)
    public CycleHistory cycleHistory(@PropertyInject("provisioning.work-dir") String dataDir) {
        return new CycleHistory(Path.of(dataDir).resolve("cycles"));
    }

    @BindToRegistry(value = "provisioningLogQuery", lazy = true)
    public ProvisioningLogQuery provisioningLogQuery(@BeanInject("logFiles") LogFiles files) {
        return new ProvisioningLogQuery(files);
    }

    /** Per-object work of a cycle runs on this many threads; one object is never worked on by two at once. */
    @BindToRegistry(value = "provisioningThreads", lazy = true)  // Camel's executor manager shuts it down
    public ExecutorService provisioningThreads(CamelContext context,
                                               @PropertyInject("provisioning.concurrency") int concurrency) {
        return context.getExecutorServiceManager().newFixedThreadPool(this, "provisioning", concurrency);
    }
}
