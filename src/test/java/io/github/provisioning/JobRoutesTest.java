package io.github.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.provisioning.state.JobId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every job gets a route from each template, with its own parameters, and again when the template is reloaded. */
class JobRoutesTest {

    @TempDir
    Path dir;

    @Test
    void eachJobHasItsRouteFromEveryTemplateAndAReloadedTemplateCreatesThemAgain() throws Exception {
        Path file = dir.resolve("greet.camel.yaml");
        Files.writeString(file, template("hello"));
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            JobRoutes routes = new JobRoutes(context);
            routes.add(JobId.DEFAULT, Map.of());
            routes.add(new JobId("hr"), Map.of("greeting.to", "HR"));
            context.getRegistry().bind("jobRoutes", routes);
            context.addModelLifecycleStrategy(routes);
            context.getPropertiesComponent().addInitialProperty("greeting.to", "everyone");
            Resource resource = ResourceHelper.resolveMandatoryResource(context, "file:" + file);
            PluginHelper.getRoutesLoader(context).loadRoutes(resource);
            context.start();
            ProducerTemplate template = context.createProducerTemplate();

            assertThat(context.getRoutes()).extracting(r -> r.getRouteId())
                    .containsExactlyInAnyOrder("default.greet", "hr.greet");
            assertThat(template.requestBody("direct:default.greet", null, String.class)).isEqualTo("hello everyone");
            assertThat(template.requestBody("direct:hr.greet", null, String.class)).isEqualTo("hello HR");

            // camel run --dev: the saved file's templates are loaded again.
            Files.writeString(file, template("bye"));
            PluginHelper.getRoutesLoader(context).updateRoutes(Set.of(resource));

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                    template.requestBody("direct:default.greet", null, String.class)).isEqualTo("bye everyone"));
            assertThat(context.getRoutes()).extracting(r -> r.getRouteId())
                    .containsExactlyInAnyOrder("default.greet", "hr.greet");
            assertThat(template.requestBody("direct:hr.greet", null, String.class)).isEqualTo("bye HR");
        }
    }

    /**
     * A placeholder a template reads that is neither a template parameter nor engine-wide would give every job the
     * job default's value: its target, its timeouts.
     */
    @Test
    void everySettingTheRouteTemplatesReadIsTheJobsOwnOrTheEngines() throws Exception {
        Set<String> read = new TreeSet<>();
        try (Stream<Path> files = Files.list(Path.of("src/main/resources/routes"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".camel.yaml")).toList()) {
                Matcher placeholder = Pattern.compile("\\{\\{([^}:]+)").matcher(Files.readString(file));
                while (placeholder.find()) {
                    read.add(placeholder.group(1));
                }
            }
        }
        assertThat(read).contains("scim.url", "graph.url", "mail.smtp.host");

        assertThat(read).filteredOn(name -> !name.equals("job") && !JobDefinitions.engineWide(name))
                .isSubsetOf(JobRoutes.ROUTE_SETTINGS);
    }

    private static String template(String word) {
        return """
                - routeTemplate:
                    id: greet
                    parameters:
                      - name: job
                    route:
                      from:
                        uri: "direct:{{job}}.greet"
                        steps:
                          - setBody:
                              constant: "%s {{greeting.to}}"
                """.formatted(word);
    }
}
