package io.github.provisioning;

import io.github.provisioning.cycle.RunOutcome;
import io.github.provisioning.scim.ConnectionDiagnosis;
import io.github.provisioning.admin.JobList;
import io.github.provisioning.state.JobId;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.camel.main.Main;

/**
 * Runs the route bundle with Camel Main. Settings come from application.properties and -Dname=value. With
 * {@code provisioning.once=true} (and in the sandbox demo) the exit code says whether the cycle ran to its end.
 * {@code --test-connection} runs Test Connection (a Graph token, then the SCIM target) instead, and exits 0 when it
 * passed.
 * {@code --help} prints {@link #USAGE}; an unknown option exits 2 with it on stderr.
 */
public final class ProvisioningApplication {

    public static final String TEST_CONNECTION = "--test-connection";

    /**
     * The only routes a Test Connection run has: no schedule, no cycle (so no state store, which a running engine
     * holds), no admin API (whose port a running engine holds).
     */
    private static final String TEST_CONNECTION_ROUTES =
            ".+\\.(test-connection|scim-exchange|scim-send|scim-token|graph-token|graph-exchange)";

    /**
     * Camel Main's options that take a value, passed on as they are: {@code mvn camel:run} gives them
     * ({@code -Dcamel.duration}, {@code -Dcamel.profile}, ...).
     */
    private static final Set<String> CAMEL_MAIN_OPTIONS = Set.of("-d", "-duration", "-dm", "-durationMaxMessages",
            "-di", "-durationIdle", "-profile");

    static final String USAGE = """
            Usage: java [-Dsetting=value ...] -jar provisioning.jar [--test-connection | --help]

            Entra ID -> SCIM provisioning engine (Apache Camel). What it does depends on the settings:

              no tenant settings         sandbox demo: a Graph simulator (50 sample users) and a SCIM target on
                                         127.0.0.1, two cycles (initial, then incremental after scripted changes),
                                         then exit. -Dsandbox.keep-running=true keeps it up after the demo (admin
                                         API, preview, expression tester) until Ctrl-C.
              tenant and target set      scheduled engine: an initial cycle, then one every provisioning.interval.
              -Dprovisioning.once=true   one cycle, its report, then exit (0: the cycle ran to its end).
              ... -Dprovisioning.dry-run=true
                                         that cycle as a dry run: planned and reported, no SCIM write sent, the
                                         state left as it was.
              --test-connection          Test Connection: a Graph token, then the SCIM target; one line, then exit
                                         (0: passed).
              --help, -h                 this text.

            Main settings (-Dname=value, environment variables such as SCIM_TOKEN, or application.properties):
              graph.tenant-id, graph.client-id, graph.client-secret   the engine's app registration in Entra ID
              graph.client-certificate   instead of the secret: a PEM or PKCS#12 file with the certificate and its
                                         key (graph.client-certificate-password opens a PKCS#12 file)
              graph.url                  Microsoft Graph (default global; a national cloud's, with its graph.login-url)
              graph.app-id               object id of the SCIM app's service principal (its assignments: the scope)
              scim.url, scim.token       the SCIM target (or scim.oauth2.* / scim.meta.* for its token)
              provisioning.mapping       attribute mapping file (default classpath:mappings/meta-work-accounts.yaml)
              provisioning.interval      time between cycles (default 40m)
              provisioning.data-dir      state, provisioning log and cycle reports (default ./data)
              admin.port, admin.token    admin API on 127.0.0.1:8080 (default), its bearer token
              sandbox.enabled            auto (default: on without tenant settings), true or false

            Every setting: docs/configuration.md
            """;

    private ProvisioningApplication() {
    }

    /** The first argument that is neither ours nor one of Camel Main's that {@code mvn camel:run} passes; or null. */
    private static String unknownOption(List<String> arguments) {
        for (int i = 0; i < arguments.size(); i++) {
            if (CAMEL_MAIN_OPTIONS.contains(arguments.get(i)) && i + 1 < arguments.size()) {
                i++;
            } else {
                return arguments.get(i);
            }
        }
        return null;
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args));
    }

    public static int run(String... args) throws Exception {
        List<String> arguments = new ArrayList<>(List.of(args));
        if (arguments.contains("--help") || arguments.contains("-h")) {
            System.out.print(USAGE);
            return 0;
        }
        boolean testConnection = arguments.remove(TEST_CONNECTION);
        String unknown = unknownOption(arguments);
        if (unknown != null) {
            System.err.println("Unknown option: " + unknown);
            System.err.print(USAGE);
            return 2;
        }
        if (testConnection) {
            return testConnection(arguments.toArray(String[]::new));
        }
        RunOutcome outcome = new RunOutcome();
        Main main = newMain(outcome);
        int code;
        try {
            code = main.run(arguments.toArray(String[]::new));
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
     * Starts Camel with the routes the probe needs and no cycle, runs Test Connection once for each job, prints its
     * one line (stdout when it passed, stderr otherwise; with several jobs, after {@code Job <job>: }) and stops.
     * Exit code 0 when every job's passed, 1 otherwise, start-up failures (a missing setting) included.
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
            List<JobId> jobs = main.getCamelContext().getRegistry().lookupByNameAndType("jobList", JobList.class)
                    .jobs();
            int failed = 0;
            for (JobId job : jobs) {
                failed += testConnection(main, job, jobs.size() > 1 ? "Job " + job + ": " : "") ? 0 : 1;
            }
            return failed == 0 ? 0 : 1;
        } finally {
            main.stop();
        }
    }

    /** One job's Test Connection: its line, with {@code prefix} before it; whether it passed. */
    private static boolean testConnection(Main main, JobId job, String prefix) {
        try {
            ConnectionDiagnosis diagnosis = main.getCamelTemplate()
                    .requestBody("direct:" + job.part("test-connection"), null, ConnectionDiagnosis.class);
            (diagnosis.ok() ? System.out : System.err).println(prefix + diagnosis.line());
            return diagnosis.ok();
        } catch (Exception e) {
            System.err.println(prefix + "Test Connection failed: " + rootMessage(e));
            return false;
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
