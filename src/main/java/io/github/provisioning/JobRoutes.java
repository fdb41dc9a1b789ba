package io.github.provisioning;

import io.github.provisioning.state.JobId;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.apache.camel.CamelContext;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.ModelLifecycleStrategy;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.RouteTemplateDefinition;
import org.apache.camel.spi.RouteTemplateParameterSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every job's routes: one route from each route template (the {@code routeTemplate}s of {@code routes/*.camel.yaml})
 * for each job, named {@code <job>.<template>}, with the template parameter {@code job} and the job's own settings.
 * Camel creates them when it starts, once the templates are loaded. A template loaded again while the engine runs
 * ({@code camel run --dev} reloads a saved route file) creates its routes again, for every job.
 */
final class JobRoutes implements RouteTemplateParameterSource, ModelLifecycleStrategy {

    private static final Logger LOG = LoggerFactory.getLogger(JobRoutes.class);

    private final CamelContext context;
    /** Creates a reloaded template's routes again; started on the first reload. */
    private ExecutorService reloads;
    private final Map<JobId, Map<String, Object>> jobs = new LinkedHashMap<>();
    /** Each route's template and parameters, by route id. */
    private final Map<String, Map<String, Object>> routes = new LinkedHashMap<>();

    JobRoutes(CamelContext context) {
        this.context = context;
    }

    /**
     * Adds a job; {@code settings} are what its routes' placeholders read before the engine's settings (a setting
     * the job does not name is the engine's).
     */
    void add(JobId job, Map<String, String> settings) {
        Map<String, Object> parameters = new HashMap<>(settings);
        parameters.put("job", job.value());
        jobs.put(job, parameters);
    }

    /**
     * The settings the job's routes read through placeholders, besides the engine-wide ones: the job's URLs and
     * limits, its notification addresses, and what {@link ProvisioningConfiguration} derives from its settings.
     */
    static final List<String> ROUTE_SETTINGS = List.of("graph.url", "scim.url", "scim.user-agent",
            "scim.concurrency", "notify.to", "notify.from", "scim.auth.token-url", "scim.connect-timeout-millis",
            "scim.response-timeout-millis", "graph.connect-timeout-millis", "graph.response-timeout-millis",
            "provisioning.interval-millis", "provisioning.progress-interval-millis", "provisioning.dry-run",
            "provisioning.scheduled", "provisioning.run-once", "provisioning.clustered",
            "provisioning.cluster.heartbeat-millis");

    /** The template parameters of a job whose settings are not the engine's: {@link #ROUTE_SETTINGS}, resolved. */
    static Map<String, String> parameters(Function<String, Optional<String>> settings) {
        Map<String, String> parameters = new HashMap<>();
        for (String name : ROUTE_SETTINGS) {
            parameters.put(name, settings.apply(name).orElse(""));
        }
        return parameters;
    }

    /** The route of a job from a template: its id. */
    static String routeId(JobId job, String template) {
        return job.part(template);
    }

    @Override
    public Set<String> routeIds() {
        routes.clear();
        for (Map.Entry<JobId, Map<String, Object>> job : jobs.entrySet()) {
            for (RouteTemplateDefinition template : templates()) {
                Map<String, Object> parameters = new HashMap<>(job.getValue());
                parameters.put(TEMPLATE_ID, template.getId());
                routes.put(routeId(job.getKey(), template.getId()), parameters);
            }
        }
        return new LinkedHashSet<>(routes.keySet());
    }

    @Override
    public Map<String, Object> parameters(String routeId) {
        Map<String, Object> parameters = routes.get(routeId);
        if (parameters == null) {
            throw new IllegalArgumentException("No job has the route " + routeId);
        }
        return new HashMap<>(parameters);
    }

    @Override
    public void onAddRouteTemplateDefinition(RouteTemplateDefinition template) {
        // At start-up, Camel creates the routes itself (routeIds, parameters).
        if (!context.isStarted()) {
            return;
        }
        // Camel tells of the template before it holds it: the routes are created again once it does.
        if (reloads == null) {
            reloads = context.getExecutorServiceManager().newSingleThreadExecutor(this, "job-routes-reload");
        }
        reloads.submit(() -> createAgain(template));
    }

    private void createAgain(RouteTemplateDefinition template) {
        ModelCamelContext model = (ModelCamelContext) context;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (model.getRouteTemplateDefinitions().stream().noneMatch(t -> t == template)) {
            if (System.nanoTime() > deadline) {
                LOG.warn("The reloaded route template {} did not arrive: its routes run as before", template.getId());
                return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        try {
            // The template it replaces may still be there; the routes come from the new one.
            for (RouteTemplateDefinition old : List.copyOf(model.getRouteTemplateDefinitions())) {
                if (old != template && old.getId().equals(template.getId())) {
                    model.removeRouteTemplateDefinition(old);
                }
            }
            for (Map.Entry<JobId, Map<String, Object>> job : jobs.entrySet()) {
                String id = routeId(job.getKey(), template.getId());
                if (context.getRoute(id) != null) {
                    context.getRouteController().stopRoute(id);
                    context.removeRoute(id);
                }
                model.addRouteFromTemplate(id, template.getId(), new HashMap<>(job.getValue()));
            }
            LOG.info("Reloaded route template {}: its route created again for {} job(s)", template.getId(),
                    jobs.size());
        } catch (Exception e) {
            LOG.error("Cannot create the routes of the reloaded route template {}", template.getId(), e);
        }
    }

    @Override
    public void onAddRouteDefinition(RouteDefinition definition) {
    }

    @Override
    public void onRemoveRouteDefinition(RouteDefinition definition) {
    }

    @Override
    public void onRemoveRouteTemplateDefinition(RouteTemplateDefinition template) {
    }

    private Iterable<RouteTemplateDefinition> templates() {
        return ((ModelCamelContext) context).getRouteTemplateDefinitions();
    }
}
