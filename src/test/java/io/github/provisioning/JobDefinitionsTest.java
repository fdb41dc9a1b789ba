package io.github.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.provisioning.state.JobId;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** How the jobs of one engine are read from job files and prefixed settings, and what each job inherits. */
class JobDefinitionsTest {

    /** A complete job's connection: its tenant, app, target and their credentials. */
    private static final Map<String, String> CONNECTION = Map.of(
            "graph.tenant-id", "t", "graph.client-id", "c", "graph.client-secret", "s", "graph.app-id", "a",
            "scim.url", "https://scim.example", "scim.token", "tok");

    /** The application settings: application.properties' defaults, which define no job of their own. */
    private final Map<String, String> engine = new HashMap<>(Map.of(
            "graph.login-url", "https://login.microsoftonline.com", "graph.url", "https://graph.microsoft.com/v1.0",
            "scim.meta.token-url", "https://graph.work.meta.com/work_get_token", "provisioning.interval", "40m",
            "provisioning.jobs-dir", ""));
    private final Map<String, String> prefixed = new TreeMap<>();
    private Function<String, String> resolve = value -> value;

    @TempDir
    Path tmp;
    private Path jobs;

    @BeforeEach
    void jobsDirectory() throws IOException {
        jobs = Files.createDirectory(tmp.resolve("jobs"));
    }

    private Settings engineSettings() {
        return new Settings(name -> Optional.ofNullable(engine.get(name)));
    }

    private List<JobDefinition> read() {
        return JobDefinitions.read(engineSettings(), prefixed, resolve);
    }

    private void useJobsDir() {
        engine.put("provisioning.jobs-dir", jobs.toString());
    }

    private Path jobFile(String name, Map<String, String> values) throws IOException {
        useJobsDir();
        StringBuilder text = new StringBuilder("# job " + name + "\n");
        values.forEach((key, value) -> text.append(key).append(" = ").append(value).append('\n'));
        return Files.writeString(jobs.resolve(name + ".properties"), text, StandardCharsets.UTF_8);
    }

    private Path jobFile(String name) throws IOException {
        return jobFile(name, CONNECTION);
    }

    private void prefixJob(String name, Map<String, String> values) {
        values.forEach((key, value) -> prefixed.put("provisioning.jobs." + name + "." + key, value));
    }

    private static Map<String, String> with(Map<String, String> base, String... pairs) {
        Map<String, String> values = new HashMap<>(base);
        for (int i = 0; i < pairs.length; i += 2) {
            values.put(pairs[i], pairs[i + 1]);
        }
        return values;
    }

    private static Map<String, String> without(Map<String, String> base, String... names) {
        Map<String, String> values = new HashMap<>(base);
        List.of(names).forEach(values::remove);
        return values;
    }

    private static List<String> ids(List<JobDefinition> definitions) {
        return definitions.stream().map(job -> job.id().value()).toList();
    }

    @Test
    void todaysSettingsAreTheOneDefaultJobExactlyAsBefore() {
        engine.putAll(CONNECTION);
        resolve = value -> {
            throw new AssertionError("the application settings are resolved by Camel already");
        };
        Settings settings = engineSettings();

        List<JobDefinition> definitions = JobDefinitions.read(settings, Map.of(), resolve);

        assertThat(definitions).singleElement().satisfies(job -> {
            assertThat(job.id()).isEqualTo(JobId.DEFAULT);
            assertThat(job.origin()).isEqualTo("the application settings");
            assertThat(job.settings()).isSameAs(settings);
            assertThat(job.workDir(tmp)).isEqualTo(tmp);
        });
    }

    @Test
    void todaysMissingSettingsAreNamedAsBefore() {
        engine.putAll(without(CONNECTION, "scim.url", "scim.token"));

        assertThatThrownBy(this::read).hasMessage("Missing required settings: scim.url, scim.token (or"
                + " scim.oauth2.token-url, scim.oauth2.client-id and scim.oauth2.client-secret; or scim.meta.app-id"
                + " and scim.meta.app-secret). Set them in application.properties or with -Dname=value.");
    }

    @Test
    void aFileJobAndAPrefixJobRunTogetherWithoutADefaultJob() throws IOException {
        Path hr = jobFile("hr");
        prefixJob("sales", CONNECTION);

        List<JobDefinition> definitions = read();

        assertThat(ids(definitions)).containsExactly("hr", "sales");
        assertThat(definitions.get(0).origin()).isEqualTo(hr.toString());
        assertThat(definitions.get(1).origin()).isEqualTo("provisioning.jobs.sales.*");
        assertThat(definitions.get(1).settings().get("scim.url")).contains("https://scim.example");
    }

    @Test
    void theDefaultJobRunsFirstWhenTheApplicationSettingsDefineATenant() throws IOException {
        engine.putAll(CONNECTION);
        jobFile("b");
        prefixJob("a", CONNECTION);
        jobFile("C");

        List<JobDefinition> definitions = read();

        assertThat(ids(definitions)).containsExactly("default", "C", "a", "b");
        assertThat(definitions.get(0).origin()).isEqualTo("the application settings");
    }

    @ParameterizedTest
    @ValueSource(strings = {"graph.client-id", "graph.client-certificate", "scim.oauth2.token-url", "scim.meta.app-id"})
    void anyConnectionSettingAtTopLevelMakesTheDefaultJob(String name) throws IOException {
        jobFile("hr");
        engine.put(name, "x");

        // The default job is then checked like any other: this one is incomplete.
        assertThatThrownBy(this::read).hasMessageStartingWith("Job default (the application settings): ");
    }

    @Test
    void aJobInheritsTheTuningItDoesNotSet() throws IOException {
        engine.putAll(Map.of("provisioning.interval", "15m", "provisioning.deletion-threshold", "20",
                "scim.compat.op-case", "capitalized", "provisioning.mapping", "file:/etc/mapping.yaml",
                "scim.concurrency", "4"));
        jobFile("hr", with(CONNECTION, "scim.concurrency", "2", "scim.compat.op-case", ""));

        Settings hr = read().get(0).settings();

        assertThat(hr.duration("provisioning.interval")).isEqualTo(Duration.ofMinutes(15));
        assertThat(hr.deletionThreshold()).isEqualTo(20);
        assertThat(hr.get("provisioning.mapping")).contains("file:/etc/mapping.yaml");
        assertThat(hr.get("scim.concurrency")).contains("2");
        // Set empty in the job: the setting's own default, not the engine's value.
        assertThat(hr.get("scim.compat.op-case")).isEmpty();
    }

    @Test
    void aJobNeverInheritsTheApplicationSettingsTenantTargetOrCredentials() throws IOException {
        engine.putAll(CONNECTION);
        Path hr = jobFile("hr", Map.of("provisioning.interval", "1h"));

        assertThatThrownBy(this::read).hasMessage("Job hr (" + hr + "): Missing required settings: graph.tenant-id,"
                + " graph.client-id, scim.url, graph.client-secret (or graph.client-certificate), scim.token (or"
                + " scim.oauth2.token-url, scim.oauth2.client-id and scim.oauth2.client-secret; or scim.meta.app-id"
                + " and scim.meta.app-secret), graph.app-id (needed by provisioning.scope=assigned). Set them in "
                + hr + ".");
    }

    @Test
    void aJobsEndpointsAreItsOwnOrTheGlobalDefaultsNeverTheEngines() throws IOException {
        engine.putAll(CONNECTION);
        engine.putAll(Map.of("graph.login-url", "https://login.microsoftonline.us",
                "graph.url", "https://graph.microsoft.us/v1.0", "graph.scope", "https://graph.microsoft.us/.default",
                "scim.meta.token-url", "https://meta.test/work_get_token"));
        jobFile("hr", with(without(CONNECTION, "scim.token"), "scim.oauth2.token-url", "https://idp.hr/token",
                "scim.oauth2.client-id", "hr", "scim.oauth2.client-secret", "hr-secret"));

        Settings hr = read().get(1).settings();

        assertThat(hr.get("scim.token")).isEmpty();
        assertThat(hr.get("graph.login-url")).contains("https://login.microsoftonline.com");
        assertThat(hr.get("graph.url")).contains("https://graph.microsoft.com/v1.0");
        assertThat(hr.graphScope()).isEqualTo("https://graph.microsoft.com/.default");
        assertThat(hr.get("scim.meta.token-url")).contains("https://graph.work.meta.com/work_get_token");
    }

    @ParameterizedTest
    @ValueSource(strings = {"graph.tenant-id", "graph.client-id", "graph.client-secret", "graph.client-certificate",
            "graph.client-certificate-password", "graph.login-url", "graph.url", "graph.scope", "graph.app-id",
            "scim.url", "scim.token", "scim.oauth2.token-url", "scim.oauth2.client-id", "scim.oauth2.client-secret",
            "scim.oauth2.scope", "scim.meta.token-url", "scim.meta.app-id", "scim.meta.app-secret",
            "scim.future-api-token"})
    void connectionSettingsAndSecretsAreNotInherited(String name) {
        assertThat(JobDefinitions.inherited(name)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"provisioning.interval", "provisioning.concurrency", "provisioning.escrow.max-attempts",
            "provisioning.quarantine.retry-delays", "provisioning.deletion-threshold", "notify.to", "notify.from",
            "provisioning.mapping", "provisioning.scope", "scim.response-timeout", "graph.max-attempts",
            "scim.compat.groups", "provisioning.log.max-size", "scim.user-agent", "mail.smtp.password", "admin.token"})
    void tuningAndTheEnginesOwnSettingsAreInherited(String name) {
        assertThat(JobDefinitions.inherited(name)).isTrue();
    }

    @Test
    void theJobsReadTheEngineWideSettings() throws IOException {
        engine.putAll(Map.of("notify.to", "ops@example.com", "notify.from", "engine@example.com",
                "mail.smtp.host", "smtp.example", "provisioning.data-dir", "/var/lib/provisioning"));
        jobFile("hr");

        Settings hr = read().get(0).settings();

        assertThat(hr.get("mail.smtp.host")).contains("smtp.example");
        assertThat(hr.get("provisioning.data-dir")).contains("/var/lib/provisioning");
    }

    @ParameterizedTest
    @ValueSource(strings = {"admin.port", "admin.token", "camel.main.name", "mail.smtp.host", "provisioning.data-dir",
            "provisioning.state.jdbc-url", "provisioning.cluster.enabled", "provisioning.jobs-dir",
            "provisioning.jobs.x.scim.url", "provisioning.once", "provisioning.dry-run",
            "provisioning.test-connection", "sandbox.enabled", "log.format"})
    void aJobCannotSetAnEngineWideSetting(String name) throws IOException {
        Path hr = jobFile("hr", with(CONNECTION, name, "x"));

        assertThatThrownBy(this::read).hasMessage("Job hr (" + hr + "): " + name + " is an engine-wide setting: set"
                + " it once, in the application settings, not per job.");
    }

    @Test
    void aPrefixJobCannotSetEngineWideSettingsEither() {
        prefixJob("sales", with(CONNECTION, "admin.port", "9090", "mail.smtp.host", "smtp.sales"));

        assertThatThrownBy(this::read).hasMessage("Job sales (provisioning.jobs.sales.*): admin.port, mail.smtp.host"
                + " are engine-wide settings: set them once, in the application settings, not per job.");
    }

    @Test
    void aJobCannotSetWhatStartUpDerives() {
        prefixJob("sales", with(CONNECTION, "provisioning.work-dir", "/tmp", "provisioning.interval-millis", "1"));

        assertThatThrownBy(this::read).hasMessage("Job sales (provisioning.jobs.sales.*): provisioning.interval-millis,"
                + " provisioning.work-dir are derived at start-up: do not set them.");
    }

    @Test
    void aJobsProblemsNameTheJobAndWhereItIsDefined() throws IOException {
        Path hr = jobFile("hr", without(CONNECTION, "scim.url"));

        assertThatThrownBy(this::read).hasMessage("Job hr (" + hr + "): Missing required setting: scim.url. Set them"
                + " in " + hr + ".");

        Files.delete(hr);
        prefixJob("sales", with(CONNECTION, "provisioning.interval", "soon"));

        assertThatThrownBy(this::read).hasMessage("Job sales (provisioning.jobs.sales.*): Setting"
                + " provisioning.interval must be a zero or positive duration (e.g. 500ms, 10s, 2m), not 'soon'");
    }

    @Test
    void aMalformedInheritedSettingIsNamedForEachJob() throws IOException {
        engine.put("provisioning.interval", "soon");
        jobFile("hr");
        prefixJob("sales", CONNECTION);

        assertThatThrownBy(this::read).message().isEqualTo(String.join("\n",
                "Job hr (" + jobs.resolve("hr.properties") + "): Setting provisioning.interval must be a zero or"
                        + " positive duration (e.g. 500ms, 10s, 2m), not 'soon'",
                "Job sales (provisioning.jobs.sales.*): Setting provisioning.interval must be a zero or positive"
                        + " duration (e.g. 500ms, 10s, 2m), not 'soon'"));
    }

    @Test
    void everyJobsProblemsAreNamedAtOnce() throws IOException {
        engine.putAll(without(CONNECTION, "scim.token"));
        Path hr = jobFile("hr", with(CONNECTION, "admin.port", "1"));
        prefixJob("sales", without(CONNECTION, "graph.app-id"));

        assertThatThrownBy(this::read).message().isEqualTo(String.join("\n",
                "Job default (the application settings): Missing required setting: scim.token (or"
                        + " scim.oauth2.token-url, scim.oauth2.client-id and scim.oauth2.client-secret; or"
                        + " scim.meta.app-id and scim.meta.app-secret). Set them in application.properties or with"
                        + " -Dname=value.",
                "Job hr (" + hr + "): admin.port is an engine-wide setting: set it once, in the application"
                        + " settings, not per job.",
                "Job sales (provisioning.jobs.sales.*): Missing required setting: graph.app-id (needed by"
                        + " provisioning.scope=assigned). Set them as provisioning.jobs.sales.<setting>."));
    }

    @Test
    void placeholdersInAJobsValuesAreResolved() throws IOException {
        Map<String, String> environment = Map.of("HR_SCIM_TOKEN", "hr-token", "SALES_SECRET", "sales-secret");
        resolve = value -> value.startsWith("{{env:")
                ? environment.get(value.substring(6, value.length() - 2)) : value;
        jobFile("hr", with(CONNECTION, "scim.token", "{{env:HR_SCIM_TOKEN}}"));
        prefixJob("sales", with(CONNECTION, "graph.client-secret", "{{env:SALES_SECRET}}"));

        List<JobDefinition> definitions = read();

        assertThat(definitions.get(0).settings().get("scim.token")).contains("hr-token");
        assertThat(definitions.get(1).settings().get("graph.client-secret")).contains("sales-secret");
        assertThat(definitions.get(1).settings().get("scim.token")).contains("tok");
    }

    @Test
    void aPlaceholderThatCannotBeResolvedIsNamedWithoutASecretsValue() throws IOException {
        resolve = value -> {
            if (value.contains("{{")) {
                throw new IllegalArgumentException("Property with key [env:X] not found in properties from text: "
                        + value);
            }
            return value;
        };
        Path hr = jobFile("hr", with(CONNECTION, "scim.token", "Bearer-half-{{env:X}}",
                "notify.to", "{{env:X}}@example.com"));

        assertThatThrownBy(this::read).message().isEqualTo(String.join("\n",
                "Job hr (" + hr + "): cannot resolve the placeholders of notify.to (Property with key [env:X] not"
                        + " found in properties from text: {{env:X}}@example.com)",
                "Job hr (" + hr + "): cannot resolve the placeholders of scim.token"));
    }

    @Test
    void secretsNeverAppearInAMessage() throws IOException {
        engine.putAll(Map.of("graph.client-secret", "TOP-GRAPH-SECRET", "scim.token", "TOP-SCIM-TOKEN",
                "mail.smtp.password", "TOP-SMTP-PASSWORD", "provisioning.jobs-dir", jobs.toString()));
        Map<String, String> secrets = Map.of("graph.client-secret", "HR-GRAPH-SECRET",
                "scim.oauth2.client-secret", "HR-OAUTH-SECRET", "scim.meta.app-secret", "HR-META-SECRET",
                "graph.client-certificate-password", "HR-CERT-PASSWORD", "mail.smtp.password", "HR-SMTP-PASSWORD",
                "admin.token", "HR-ADMIN-TOKEN", "scim.token", "HR-SCIM-TOKEN");
        jobFile("hr", with(secrets, "provisioning.interval", "soon"));
        prefixJob("sales", Map.of("scim.token", "SALES-TOKEN", "graph.client-secret", "SALES-SECRET",
                "provisioning.deletion-threshold", "many"));
        prefixJob("default", Map.of("scim.token", "DEFAULT-TOKEN"));

        assertThatThrownBy(this::read).message()
                .contains("Job hr (", "Job sales (", "Job default is defined twice")
                .doesNotContain("TOP-", "HR-", "SALES-", "DEFAULT-TOKEN");
    }

    @Test
    void aJobNameMustBeAValidJobId() throws IOException {
        Path bad = jobFile("h r");

        assertThatThrownBy(this::read).hasMessage("Job file " + bad + ": Invalid job id 'h r': use 1 to 64 letters,"
                + " digits, '.', '_' or '-', starting with a letter or digit");

        Files.delete(bad);
        prefixJob("-sales", CONNECTION);

        assertThatThrownBy(this::read).hasMessageStartingWith("Setting provisioning.jobs.-sales.")
                .hasMessageEndingWith(": Invalid job id '-sales': use 1 to 64 letters, digits, '.', '_' or '-',"
                        + " starting with a letter or digit")
                .message().doesNotContain("\n");
    }

    @Test
    void aPrefixedSettingMustNameASetting() {
        prefixed.put("provisioning.jobs.sales", "x");

        assertThatThrownBy(this::read).hasMessage("Setting provisioning.jobs.sales names no setting of job sales: use"
                + " provisioning.jobs.sales.<setting>");
    }

    @Test
    void aJobFileWithADotInItsNameIsOneJob() throws IOException {
        jobFile("hr.eu");

        assertThat(ids(read())).containsExactly("hr.eu");
    }

    @Test
    void aJobDefinedAsAFileAndAsAPrefixIsRefused() throws IOException {
        Path hr = jobFile("hr");
        prefixJob("hr", Map.of("provisioning.interval", "1h"));

        assertThatThrownBy(this::read).hasMessage("Job hr is defined twice: in " + hr + " and as provisioning.jobs.hr.*."
                + " Keep one.");
    }

    @Test
    void anExplicitDefaultJobIsRefusedWhenTheApplicationSettingsDefineOne() throws IOException {
        engine.putAll(CONNECTION);
        Path defaultJob = jobFile("default");

        assertThatThrownBy(this::read).hasMessage("Job default is defined twice: in " + defaultJob + ", and by the"
                + " application settings, which set graph.tenant-id, graph.client-id, graph.client-secret, scim.url,"
                + " scim.token themselves. Move those into one of them.");
    }

    @Test
    void anExplicitDefaultJobKeepsTheDataDirectory() throws IOException {
        Path defaultJob = jobFile("default");
        jobFile("hr");

        List<JobDefinition> definitions = read();

        assertThat(ids(definitions)).containsExactly("default", "hr");
        assertThat(definitions.get(0).origin()).isEqualTo(defaultJob.toString());
        assertThat(definitions.get(0).workDir(tmp)).isEqualTo(tmp);
        assertThat(definitions.get(1).workDir(tmp)).isEqualTo(tmp.resolve("jobs").resolve("hr"));
    }

    @Test
    void jobsWhoseNamesDifferOnlyInCaseAreRefused() throws IOException {
        jobFile("HR");
        prefixJob("hr", CONNECTION);

        assertThatThrownBy(this::read).hasMessage("Jobs HR, hr differ only in case: their data directories would be"
                + " one on a case-insensitive file system. Rename all but one.");
    }

    @Test
    void aMissingJobsDirectoryIsNamed() throws IOException {
        engine.put("provisioning.jobs-dir", tmp.resolve("gone").toString());

        assertThatThrownBy(this::read).hasMessage("Setting provisioning.jobs-dir: " + tmp.resolve("gone")
                + " does not exist");

        Path file = Files.writeString(tmp.resolve("jobs.txt"), "");
        engine.put("provisioning.jobs-dir", file.toString());

        assertThatThrownBy(this::read).hasMessage("Setting provisioning.jobs-dir: " + file + " is not a directory");
    }

    @Test
    void anEmptyJobsDirectoryAloneIsNoJobToRun() {
        useJobsDir();

        assertThatThrownBy(this::read).hasMessage("No job to run: provisioning.jobs-dir (" + jobs + ") holds no job"
                + " file (<name>.properties), no provisioning.jobs.<name>.* setting is set, and the application"
                + " settings define no tenant or target of their own.");

        engine.putAll(CONNECTION);

        assertThat(ids(read())).containsExactly("default");
    }

    @Test
    void onlyThePropertiesFilesOfTheDirectoryItselfAreJobs() throws IOException {
        jobFile("b");
        jobFile("a");
        Files.writeString(jobs.resolve("README.md"), "# jobs");
        Files.writeString(jobs.resolve("c.properties.bak"), "scim.url = x");
        Files.writeString(jobs.resolve(".hidden.properties"), "scim.url = x");
        Files.createDirectories(jobs.resolve("nested.properties"));
        Files.createDirectories(jobs.resolve("sub"));
        Files.writeString(jobs.resolve("sub").resolve("d.properties"), "scim.url = x");

        assertThat(ids(read())).containsExactly("a", "b");
    }

    @Test
    void aJobFileIsReadAsUtf8() throws IOException {
        engine.put("mail.smtp.host", "smtp.example");
        jobFile("hr", with(CONNECTION, "notify.from", "Müller <mueller@example.com>", "notify.to", "hr@example.com"));

        assertThat(read().get(0).settings().get("notify.from")).contains("Müller <mueller@example.com>");
    }

    @Test
    void aJobFileThatIsNotUtf8IsNamed() throws IOException {
        useJobsDir();
        Path hr = Files.write(jobs.resolve("hr.properties"), "notify.from = M\u00fcller".getBytes(
                StandardCharsets.ISO_8859_1));

        assertThatThrownBy(this::read).hasMessage("Job file " + hr + " cannot be read: it is not UTF-8");
    }

    @Test
    void aMalformedJobFileIsNamed() throws IOException {
        useJobsDir();
        Path hr = Files.writeString(jobs.resolve("hr.properties"), "scim.url = \\u12");

        assertThatThrownBy(this::read).hasMessageStartingWith("Job file " + hr + " cannot be read (Malformed");
    }

    @Test
    void theGlobalDefaultsOfAJobsEndpointsAreApplicationPropertiesOnes() throws IOException {
        Properties shipped = new Properties();
        try (InputStream in = getClass().getResourceAsStream("/application.properties")) {
            shipped.load(in);
        }

        JobDefinitions.CONNECTION_DEFAULTS.forEach((name, value) ->
                assertThat(shipped.getProperty(name)).as(name).isEqualTo(value));
        assertThat(shipped.getProperty("provisioning.jobs-dir")).isEmpty();
    }
}
