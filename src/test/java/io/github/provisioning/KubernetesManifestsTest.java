package io.github.provisioning;

import static io.github.provisioning.KubernetesManifests.at;
import static io.github.provisioning.KubernetesManifests.configMapSettings;
import static io.github.provisioning.KubernetesManifests.document;
import static io.github.provisioning.KubernetesManifests.engineContainer;
import static io.github.provisioning.KubernetesManifests.list;
import static io.github.provisioning.KubernetesManifests.map;
import static io.github.provisioning.KubernetesManifests.probePath;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.provisioning.admin.AdminAccess;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

/**
 * deploy/kubernetes against the engine and its image: every setting the manifests pass is one the engine has, the
 * probes are the engine's probe paths on its admin port, the image is the one Jib builds, and the Deployment's two
 * replicas share the job as a cluster. ContainerImageIT runs the image against the same probes.
 */
class KubernetesManifestsTest {

    /** Camel Main's own settings the manifests use (deploy.md: the settings file they name). */
    private static final Set<String> CAMEL_MAIN_SETTINGS = Set.of("camel.main.override-properties-location");

    @Test
    void theConfigMapSetsOnlySettingsTheEngineHas() throws IOException {
        Properties settings = configMapSettings();

        assertThat(settings.stringPropertyNames()).isNotEmpty().allSatisfy(name ->
                assertThat(engineSettings()).as("a setting of application.properties").contains(name));
        assertThat(settings.stringPropertyNames()).as("the secrets are in the Secret")
                .noneMatch(name -> name.endsWith("secret") || name.endsWith("token") || name.endsWith("password"));
    }

    @Test
    void everyEnvironmentVariableOfTheDeploymentIsASettingTheEngineHas() throws IOException {
        Map<String, String> byVariable = new HashMap<>();
        for (String setting : engineSettings()) {
            byVariable.put(environmentVariable(setting), setting);
        }
        CAMEL_MAIN_SETTINGS.forEach(s -> byVariable.put(environmentVariable(s), s));

        List<Object> env = list(engineContainer().get("env"));
        assertThat(env).isNotEmpty();
        for (Object variable : env) {
            String name = (String) map(variable).get("name");
            assertThat(byVariable).as("%s is no setting's environment variable", name).containsKey(name);
        }
    }

    @Test
    void theSettingsFileAndTheSecretsAreWhereTheDeploymentSaysTheyAre() throws IOException {
        Map<String, Object> container = engineContainer();
        Map<String, Object> podSpec = map(at(document("deployment.yaml"), "spec", "template", "spec"));
        Map<String, String> mounts = list(container.get("volumeMounts")).stream().map(KubernetesManifests::map)
                .collect(Collectors.toMap(m -> (String) m.get("name"), m -> (String) m.get("mountPath")));
        Map<String, Map<String, Object>> volumes = list(podSpec.get("volumes")).stream()
                .map(KubernetesManifests::map).collect(Collectors.toMap(v -> (String) v.get("name"), v -> v));

        assertThat(KubernetesManifests.env("CAMEL_MAIN_OVERRIDE_PROPERTIES_LOCATION"))
                .isEqualTo("file:" + mounts.get("settings") + "/provisioning.properties");
        assertThat(at(volumes.get("settings"), "configMap", "name"))
                .isEqualTo(at(document("configmap.yaml"), "metadata", "name"));
        // the image's data volume and PROVISIONING_DATA_DIR
        assertThat(mounts.get("data")).isEqualTo("/data");
        // each pod's own: two replicas cannot share a ReadWriteOnce claim, and the state is in PostgreSQL
        assertThat(volumes.get("data")).containsKey("emptyDir");

        Map<String, Object> secret = document("secret.example.yaml");
        Map<String, Object> secretData = map(secret.get("stringData"));
        for (Object variable : list(container.get("env"))) {
            Object reference = at(map(variable), "valueFrom", "secretKeyRef");
            if (reference != null) {
                assertThat(map(reference).get("name")).isEqualTo(at(secret, "metadata", "name"));
                assertThat(secretData).containsKey((String) map(reference).get("key"));
            }
        }
        // Off loopback (the image's ADMIN_HOST) the engine does not start without an admin token.
        assertThat(list(container.get("env"))).anySatisfy(v -> assertThat(map(v).get("name")).isEqualTo("ADMIN_TOKEN"));
    }

    @Test
    void theProbesAreTheEnginesProbePathsOnItsAdminPort() throws IOException {
        Map<String, Object> container = engineContainer();
        Map<String, Object> port = map(list(container.get("ports")).get(0));

        assertThat(probePath("livenessProbe")).isEqualTo("/observe/health/live");
        assertThat(probePath("startupProbe")).isEqualTo("/observe/health/live");
        assertThat(probePath("readinessProbe")).isEqualTo("/observe/health/ready");
        assertThat(AdminAccess.PROBE_PATHS).as("they answer without the admin token")
                .contains(probePath("livenessProbe"), probePath("readinessProbe"));
        for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
            assertThat(at(container, probe, "httpGet", "port")).as(probe).isEqualTo(port.get("name"));
        }
        // admin.port, which the manifests leave as it is, and the port the image exposes
        assertThat(port.get("containerPort")).isEqualTo(Integer.valueOf(engineDefault("admin.port")));
        assertThat(list(container.get("env"))).noneSatisfy(v -> assertThat(map(v).get("name")).isEqualTo("ADMIN_PORT"));
        Map<String, Object> service = document("service.yaml");
        assertThat(at(map(list(at(service, "spec", "ports")).get(0)), "targetPort")).isEqualTo(port.get("name"));
    }

    @Test
    void theImageIsTheOneJibBuilds() throws Exception {
        Element pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Path.of("pom.xml").toFile())
                .getDocumentElement();
        String version = child(pom, "version");
        String image = child((Element) pom.getElementsByTagName("properties").item(0), "image.name")
                .replace("${project.version}", version);

        assertThat(engineContainer().get("image")).isEqualTo(image);
    }

    @Test
    void theReplicasShareTheJobAsAClusterOnThePostgresqlState() throws IOException {
        Map<String, Object> deployment = document("deployment.yaml");
        Properties settings = configMapSettings();
        // The Secret gives the state's URL (PROVISIONING_STATE_JDBC_URL); the engine checks the cluster's settings.
        Settings engine = new Settings(name -> name.equals("provisioning.state.jdbc-url")
                ? Optional.of("jdbc:postgresql://db:5432/provisioning") : Optional.ofNullable(settings.getProperty(name)));
        assertThat(engine.cluster()).as("provisioning.cluster.enabled").isTrue();
        assertThat(list(engineContainer().get("env"))).anySatisfy(v -> assertThat(map(v).get("name"))
                .isEqualTo(environmentVariable("provisioning.state.jdbc-url")));

        assertThat(at(deployment, "spec", "replicas")).isEqualTo(2);
        assertThat(at(deployment, "spec", "strategy", "type")).isEqualTo("RollingUpdate");
        assertThat(at(deployment, "spec", "strategy", "rollingUpdate", "maxUnavailable"))
                .as("the new pod stands by before an old one stops").isEqualTo(0);
        Map<String, Object> budget = document("pdb.yaml");
        assertThat(at(budget, "spec", "minAvailable")).as("a drain never stops both").isEqualTo(1);
        assertThat(at(budget, "spec", "selector", "matchLabels"))
                .isEqualTo(at(deployment, "spec", "selector", "matchLabels"));
        assertThat(at(document("service.yaml"), "spec", "selector"))
                .isEqualTo(at(deployment, "spec", "selector", "matchLabels"));
    }

    @Test
    void kustomizeAppliesEveryManifestButTheSecretsExample() throws IOException {
        assertThat(list(document("kustomization.yaml").get("resources"))).containsExactlyInAnyOrder(
                "configmap.yaml", "deployment.yaml", "service.yaml", "pdb.yaml");
    }

    /** The engine's settings: every name application.properties gives a default. */
    private static Set<String> engineSettings() throws IOException {
        return new TreeSet<>(applicationProperties().stringPropertyNames());
    }

    private static String engineDefault(String setting) throws IOException {
        return applicationProperties().getProperty(setting);
    }

    private static Properties applicationProperties() throws IOException {
        Properties properties = new Properties();
        try (InputStream in = KubernetesManifestsTest.class.getResourceAsStream("/application.properties")) {
            properties.load(in);
        }
        return properties;
    }

    /** Camel's rule: scim.token is SCIM_TOKEN, provisioning.state.jdbc-url is PROVISIONING_STATE_JDBC_URL. */
    private static String environmentVariable(String setting) {
        return setting.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static String child(Element parent, String name) {
        for (org.w3c.dom.Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element element && element.getTagName().equals(name)) {
                return element.getTextContent().trim();
            }
        }
        throw new AssertionError("no <" + name + "> in <" + parent.getTagName() + ">");
    }
}
