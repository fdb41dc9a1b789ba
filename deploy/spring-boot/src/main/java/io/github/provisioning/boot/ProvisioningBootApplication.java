package io.github.provisioning.boot;

import io.github.provisioning.cycle.RunOutcome;
import java.util.List;
import org.apache.camel.CamelContext;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Runs the route bundle on Spring Boot: the bundle's route files and beans, its application.properties as the
 * defaults, and this jar's config/application.properties over them. The exit codes are Camel Main's
 * ({@code io.github.provisioning.ProvisioningApplication}): with {@code provisioning.once=true} (and in the sandbox
 * demo) 0 when the cycle ran to its end, 1 with the reason when it did not; 2 when provisioning could not start.
 */
@SpringBootApplication
public class ProvisioningBootApplication {

    public static void main(String[] args) {
        if (List.of(args).contains("--test-connection")) {
            // Spring would take it for a setting and start provisioning.
            System.err.println("--test-connection runs on Camel Main (target/provisioning.jar); here, "
                    + "POST /api/test-connection on the admin API");
            System.exit(2);
        }
        ConfigurableApplicationContext context;
        try {
            context = SpringApplication.run(ProvisioningBootApplication.class, args);
        } catch (Throwable e) {
            System.err.println("Provisioning could not start: " + rootMessage(e));
            System.exit(2);
            return;
        }
        CamelContext camel = context.getBean(CamelContext.class);
        if (Boolean.parseBoolean(camel.getPropertiesComponent().resolveProperty("provisioning.scheduled")
                .orElse("true"))) {
            return; // runs until stopped, as Spring Boot applications do
        }
        // One cycle (provisioning.once, sandbox demo): the engine stops Camel after it; its outcome is the exit code.
        context.getBean(CamelStopped.class).await();
        RunOutcome outcome = context.getBean(RunOutcome.class);
        int code = outcome.decidesExit() ? outcome.exitCode() : 1;
        SpringApplication.exit(context, () -> code);
        if (code != 0) {
            System.err.println(outcome.decidesExit() ? outcome.reason() : "Provisioning stopped before its cycle ended");
        }
        System.exit(code);
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
