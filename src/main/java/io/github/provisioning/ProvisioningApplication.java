package io.github.provisioning;

import io.github.provisioning.cycle.RunOutcome;
import io.github.provisioning.scim.ConnectionDiagnosis;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.main.Main;

/**
 * Runs the route bundle with Camel Main. Settings come from application.properties and -Dname=value. With
 * {@code provisioning.once=true} (and in the sandbox demo) the exit code says whether the cycle ran to its end.
 * {@code --test-connection} runs Test Connection against the SCIM target instead, and exits 0 when it passed.
 */
public final class ProvisioningApplication {

    public static final String TEST_CONNECTION = "--test-connection";

    /**
     * The only routes a Test Connection run has: no schedule, no cycle (so no state store, which a running engine
     * holds), no admin API (whose port a running engine holds).
     */
    private static final String TEST_CONNECTION_ROUTES = "test-connection,scim-exchange,scim-token";

    private ProvisioningApplication() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args));
    }

    public static int run(String... args) throws Exception {
        List<String> arguments = new ArrayList<>(List.of(args));
        if (arguments.remove(TEST_CONNECTION)) {
            return testConnection(arguments.toArray(String[]::new));
        }
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
     * Starts Camel with the routes the probe needs and no cycle, runs Test Connection once, prints its one line
     * (stdout when it passed, stderr otherwise) and stops. Exit code 0 when it passed, 1 otherwise, start-up
     * failures (a missing setting) included.
     */
    static int testConnection(String... args) {
        Main main = newMain(new RunOutcome());
        main.configure().withRouteFilterIncludePattern(TEST_CONNECTION_ROUTES);
        main.addOverrideProperty("provisioning.test-connection", "true");
        main.addOverrideProperty("camel.server.enabled", "false");
        main.addOverrideProperty("camel.management.enabled", "false");
        try {
            if (args.length > 0) {
                main.parseArguments(args);
            }
            main.start();
        } catch (Exception e) {
            System.err.println("Test Connection failed: provisioning could not start: " + rootMessage(e));
            return 1;
        }
        try {
            ConnectionDiagnosis diagnosis = main.getCamelTemplate()
                    .requestBody("direct:test-connection", null, ConnectionDiagnosis.class);
            (diagnosis.ok() ? System.out : System.err).println(diagnosis.line());
            return diagnosis.ok() ? 0 : 1;
        } catch (Exception e) {
            System.err.println("Test Connection failed: " + rootMessage(e));
            return 1;
        } finally {
            main.stop();
        }
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
