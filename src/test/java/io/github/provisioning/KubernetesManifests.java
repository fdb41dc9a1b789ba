package io.github.provisioning;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** The manifests of deploy/kubernetes, read as YAML documents, and the parts of them the tests check. */
final class KubernetesManifests {

    static final Path FOLDER = Path.of("deploy/kubernetes");

    private KubernetesManifests() {
    }

    /** Every document of one manifest file. */
    static List<Map<String, Object>> documents(String file) throws IOException {
        List<Map<String, Object>> documents = new ArrayList<>();
        new Load(LoadSettings.builder().build()).loadAllFromString(Files.readString(FOLDER.resolve(file)))
                .forEach(document -> documents.add(map(document)));
        return documents;
    }

    /** The one document of a manifest file. */
    static Map<String, Object> document(String file) throws IOException {
        List<Map<String, Object>> documents = documents(file);
        if (documents.size() != 1) {
            throw new AssertionError(file + " holds " + documents.size() + " documents, not one");
        }
        return documents.get(0);
    }

    /** The Deployment's one container. */
    static Map<String, Object> engineContainer() throws IOException {
        List<Object> containers = list(at(document("deployment.yaml"), "spec", "template", "spec", "containers"));
        if (containers.size() != 1) {
            throw new AssertionError("deployment.yaml has " + containers.size() + " containers, not one");
        }
        return map(containers.get(0));
    }

    /** The path of one of the container's probes (livenessProbe, readinessProbe, startupProbe). */
    static String probePath(String probe) throws IOException {
        return (String) at(engineContainer(), probe, "httpGet", "path");
    }

    /** The value of one of the container's environment variables that has one (not from a Secret). */
    static String env(String name) throws IOException {
        return list(engineContainer().get("env")).stream().map(KubernetesManifests::map)
                .filter(v -> name.equals(v.get("name")) && v.get("value") != null).map(v -> (String) v.get("value"))
                .findFirst().orElseThrow(() -> new AssertionError("no " + name + " value in the container's env"));
    }

    /** The settings file the ConfigMap holds. */
    static Properties configMapSettings() throws IOException {
        Map<String, Object> data = map(at(document("configmap.yaml"), "data"));
        Properties settings = new Properties();
        settings.load(new StringReader((String) data.get("provisioning.properties")));
        return settings;
    }

    /** The value at a path of keys, or null. */
    static Object at(Map<String, Object> node, String... keys) {
        Object value = node;
        for (String key : keys) {
            if (!(value instanceof Map<?, ?> map)) {
                return null;
            }
            value = map.get(key);
        }
        return value;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object node) {
        if (!(node instanceof Map)) {
            throw new AssertionError("not a mapping: " + node);
        }
        return (Map<String, Object>) node;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object node) {
        if (!(node instanceof List)) {
            throw new AssertionError("not a list: " + node);
        }
        return (List<Object>) node;
    }
}
