package io.github.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.provisioning.state.JobId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
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
