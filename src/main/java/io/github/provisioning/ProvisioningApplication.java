package io.github.provisioning;

import io.github.provisioning.cycle.RunOutcome;
import org.apache.camel.main.Main;

/**
 * Runs the route bundle with Camel Main. Settings come from application.properties and -Dname=value. With
 * {@code provisioning.once=true} (and in the sandbox demo) the exit code says whether the cycle ran to its end.
 */
public final class ProvisioningApplication {

    private ProvisioningApplication() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args));
    }

    public static int run(String... args) throws Exception {
        RunOutcome outcome = new RunOutcome();
        Main main = newMain(outcome);
        int code;
        try {
            code = main.run(args);
        } catch (Exception e) {
            System.err.println("Provisioning could not start: " + rootMessage(e));
            return 2;
        }
        if (code != 0) {
            System.err.println("Provisioning could not start (see the log above)");
            return code;
        }
        if (outcome.decidesExit() && outcome.exitCode() != 0) {
            System.err.println(outcome.reason());
            return outcome.exitCode();
        }
        return 0;
    }

    /**
     * Camel Main with the bundle's routes. The routes pattern is set here, not in application.properties, because
     * there it would override the files given to {@code camel run}.
     */
    public static Main newMain(RunOutcome outcome) {
        Main main = new Main();
        main.configure().withRoutesIncludePattern("classpath:routes/*.camel.yaml");
        main.bind("runOutcome", outcome);
        return main;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
