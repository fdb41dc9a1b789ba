package io.github.provisioning;

import io.github.provisioning.auth.TargetCredentials;
import io.github.provisioning.state.JobId;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The jobs one engine runs, read and checked at start-up. A job is one {@code <name>.properties} file in
 * {@code provisioning.jobs-dir}, or the settings {@code provisioning.jobs.<name>.<setting>}; without either, the
 * application settings are the one job {@code default}, as before jobs existed. A job inherits the engine's value of
 * each setting it does not set, except the settings that say which tenant and target it connects to and how it
 * authenticates there ({@link #NEVER_INHERITED}): one job's secret is never sent to another job's tenant or target.
 */
public final class JobDefinitions {

    /** The directory of job files. */
    static final String JOBS_DIR = "provisioning.jobs-dir";

    /** The start of a job's settings among the application settings: {@code provisioning.jobs.<name>.<setting>}. */
    static final String PREFIX = "provisioning.jobs.";

    /** The origin of the job the application settings define themselves. */
    static final String APPLICATION_SETTINGS = "the application settings";

    /**
     * Never inherited: where the job's tenant and target are, and its credentials for them. A token or secret goes
     * to the login, Graph and token URLs, so those stay the job's own too; the scope names the job's Graph; and
     * {@code graph.app-id} is an object of one tenant, which another job of that tenant must not read as its own.
     */
    static final Set<String> NEVER_INHERITED = Stream.concat(Settings.CONNECTION.stream(),
            Stream.of("graph.login-url", "graph.url", "graph.scope", "graph.app-id",
                    TargetCredentials.META_TOKEN_URL)).collect(Collectors.toUnmodifiableSet());

    /**
     * What a job that does not set them gets for the never-inherited settings with a default: the global cloud and
     * Meta's token endpoint (application.properties' defaults), never the engine's values.
     */
    static final Map<String, String> CONNECTION_DEFAULTS = Map.of(
            "graph.login-url", "https://login.microsoftonline.com",
            "graph.url", "https://graph.microsoft.com/v1.0",
            TargetCredentials.META_TOKEN_URL, TargetCredentials.META_DEFAULT_TOKEN_URL);

    /** Settings of the whole engine, which a job reads but cannot set: the process, its server, store and mail. */
    private static final Set<String> ENGINE_WIDE = Set.of("provisioning.data-dir", JOBS_DIR, "provisioning.once",
            "provisioning.dry-run", "provisioning.test-connection");
    private static final List<String> ENGINE_WIDE_PREFIXES = List.of("admin.", "camel.", "mail.smtp.", "sandbox.",
            "log.", "provisioning.state.", "provisioning.cluster.", PREFIX);

    /** Derived at start-up for the routes (docs/configuration.md): nobody sets them, a job neither. */
    private static final Set<String> DERIVED = Set.of("provisioning.scheduled", "provisioning.run-once",
            "provisioning.clustered", "provisioning.work-dir", "scim.auth.token-url");

    private static final String JOB_FILE = ".properties";

    /** A job as it was written, before its values are resolved. */
    private record Source(JobId id, String origin, String setThem, Map<String, String> values) { }

    private JobDefinitions() {
    }

    /**
     * The engine's jobs, {@code default} first, then by name; each one's settings validated.
     *
     * @param engine   the application settings
     * @param prefixed every application setting whose name starts with {@code provisioning.jobs.}, unresolved
     *                 (others are ignored)
     * @param resolve  resolves the property placeholders of a value of a job file or a prefixed setting
     *                 ({@code {{env:HR_SCIM_TOKEN}}}), as the engine's own settings are
     * @throws IllegalArgumentException naming every problem found, one a line, each with its job and origin; with
     *                                  no jobs defined, exactly today's message of {@link Settings#validate()}
     */
    public static List<JobDefinition> read(Settings engine, Map<String, String> prefixed,
                                           Function<String, String> resolve) {
        Optional<String> dir = engine.get(JOBS_DIR);
        Map<String, String> jobSettings = new TreeMap<>();
        prefixed.forEach((name, value) -> {
            if (name.startsWith(PREFIX) && value != null) {
                jobSettings.put(name, value);
            }
        });
        if (dir.isEmpty() && jobSettings.isEmpty()) {
            engine.validate();
            return List.of(new JobDefinition(JobId.DEFAULT, APPLICATION_SETTINGS, engine));
        }
        List<String> problems = new ArrayList<>();
        Map<JobId, Source> sources = new TreeMap<>(Comparator.comparing(JobId::value));
        dir.ifPresent(d -> readDirectory(d, sources, problems));
        readPrefixed(jobSettings, sources, problems);

        List<JobDefinition> jobs = new ArrayList<>();
        List<String> topLevel = Settings.CONNECTION.stream().filter(name -> engine.get(name).isPresent()).toList();
        if (!topLevel.isEmpty()) {
            Source explicit = sources.remove(JobId.DEFAULT);
            if (explicit != null) {
                problems.add("Job default is defined twice: in " + explicit.origin() + ", and by " + APPLICATION_SETTINGS
                        + ", which set " + String.join(", ", topLevel) + " themselves. Move those into one of them.");
            }
            try {
                engine.validate();
            } catch (IllegalArgumentException e) {
                problems.add(about(JobId.DEFAULT, APPLICATION_SETTINGS) + e.getMessage());
            }
            jobs.add(new JobDefinition(JobId.DEFAULT, APPLICATION_SETTINGS, engine));
        }
        Optional.ofNullable(sources.remove(JobId.DEFAULT)).ifPresent(s -> define(s, engine, resolve, problems, jobs));
        sources.values().forEach(s -> define(s, engine, resolve, problems, jobs));

        jobs.stream().collect(Collectors.groupingBy(job -> job.id().value().toLowerCase(Locale.ROOT),
                        TreeMap::new, Collectors.mapping(job -> job.id().value(), Collectors.toList())))
                .values().stream().filter(names -> names.size() > 1)
                .forEach(names -> problems.add("Jobs " + String.join(", ", names) + " differ only in case: their data"
                        + " directories would be one on a case-insensitive file system. Rename all but one."));
        if (jobs.isEmpty() && problems.isEmpty()) {
            problems.add("No job to run: " + JOBS_DIR + " (" + dir.orElseThrow() + ") holds no job file (<name>"
                    + JOB_FILE + "), no " + PREFIX + "<name>.* setting is set, and " + APPLICATION_SETTINGS
                    + " define no tenant or target of their own.");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("\n", problems));
        }
        return List.copyOf(jobs);
    }

    /**
     * Whether a job that does not set {@code name} reads the engine's value: yes for tuning and for the engine-wide
     * settings, no for its connection and anything secret ({@link #NEVER_INHERITED}).
     */
    static boolean inherited(String name) {
        return engineWide(name) || !NEVER_INHERITED.contains(name) && !secret(name);
    }

    /** A setting whose value must never be shown: a secret, token or password. */
    static boolean secret(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.endsWith("secret") || lower.endsWith("token") || lower.endsWith("password");
    }

    static boolean engineWide(String name) {
        return ENGINE_WIDE.contains(name) || ENGINE_WIDE_PREFIXES.stream().anyMatch(name::startsWith);
    }

    private static boolean derived(String name) {
        return DERIVED.contains(name) || name.endsWith("-millis");
    }

    private static String about(JobId id, String origin) {
        return "Job " + id + " (" + origin + "): ";
    }

    /** One job per {@code <name>.properties} file of the directory, not its subdirectories; hidden files ignored. */
    private static void readDirectory(String setting, Map<JobId, Source> sources, List<String> problems) {
        Path dir;
        try {
            dir = Path.of(setting);
        } catch (InvalidPathException e) {
            problems.add("Setting " + JOBS_DIR + " is not a path: '" + setting + "'");
            return;
        }
        if (!Files.exists(dir)) {
            problems.add("Setting " + JOBS_DIR + ": " + dir + " does not exist");
            return;
        }
        if (!Files.isDirectory(dir)) {
            problems.add("Setting " + JOBS_DIR + ": " + dir + " is not a directory");
            return;
        }
        List<Path> files;
        try (Stream<Path> listing = Files.list(dir)) {
            files = listing.filter(JobDefinitions::jobFile).sorted().toList();
        } catch (IOException | UncheckedIOException e) {
            problems.add("Setting " + JOBS_DIR + ": cannot list " + dir + " (" + e.getClass().getSimpleName() + ")");
            return;
        }
        for (Path file : files) {
            String fileName = file.getFileName().toString();
            JobId id;
            try {
                id = new JobId(fileName.substring(0, fileName.length() - JOB_FILE.length()));
            } catch (IllegalArgumentException e) {
                problems.add("Job file " + file + ": " + e.getMessage());
                continue;
            }
            Properties properties = new Properties();
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                properties.load(reader);
            } catch (CharacterCodingException e) {
                problems.add("Job file " + file + " cannot be read: it is not UTF-8");
                continue;
            } catch (IOException e) {
                problems.add("Job file " + file + " cannot be read (" + e.getClass().getSimpleName() + ")");
                continue;
            } catch (IllegalArgumentException e) {
                problems.add("Job file " + file + " cannot be read (" + e.getMessage() + ")");
                continue;
            }
            Map<String, String> values = new HashMap<>();
            properties.stringPropertyNames().forEach(name -> values.put(name, properties.getProperty(name)));
            sources.put(id, new Source(id, file.toString(), "Set them in " + file + ".", values));
        }
    }

    private static boolean jobFile(Path path) {
        String name = path.getFileName().toString();
        return name.endsWith(JOB_FILE) && !name.startsWith(".") && Files.isRegularFile(path);
    }

    /** One job per name among {@code provisioning.jobs.<name>.<setting>}; the name ends at the first dot. */
    private static void readPrefixed(Map<String, String> settings, Map<JobId, Source> sources,
                                     List<String> problems) {
        Map<JobId, Map<String, String>> jobs = new LinkedHashMap<>();
        Set<String> badNames = new HashSet<>();
        settings.forEach((key, value) -> {
            String rest = key.substring(PREFIX.length());
            int dot = rest.indexOf('.');
            String name = dot < 0 ? rest : rest.substring(0, dot);
            JobId id;
            try {
                id = new JobId(name);
            } catch (IllegalArgumentException e) {
                if (badNames.add(name)) {
                    problems.add("Setting " + key + ": " + e.getMessage());
                }
                return;
            }
            if (dot < 0 || dot == rest.length() - 1) {
                problems.add("Setting " + key + " names no setting of job " + id + ": use " + PREFIX + id
                        + ".<setting>");
                return;
            }
            jobs.computeIfAbsent(id, x -> new HashMap<>()).put(rest.substring(dot + 1), value);
        });
        jobs.forEach((id, values) -> {
            String origin = PREFIX + id + ".*";
            Source file = sources.get(id);
            if (file != null) {
                problems.add("Job " + id + " is defined twice: in " + file.origin() + " and as " + origin
                        + ". Keep one.");
                return;
            }
            sources.put(id, new Source(id, origin, "Set them as " + PREFIX + id + ".<setting>.", values));
        });
    }

    /** A job's own values resolved, its settings over the engine's, validated. */
    private static void define(Source source, Settings engine, Function<String, String> resolve,
                               List<String> problems, List<JobDefinition> jobs) {
        String about = about(source.id(), source.origin());
        List<String> names = source.values().keySet().stream().sorted().toList();
        List<String> engineWide = names.stream().filter(JobDefinitions::engineWide).toList();
        if (!engineWide.isEmpty()) {
            problems.add(about + String.join(", ", engineWide) + (engineWide.size() > 1
                    ? " are engine-wide settings: set them" : " is an engine-wide setting: set it")
                    + " once, in " + APPLICATION_SETTINGS + ", not per job.");
        }
        List<String> derived = names.stream().filter(name -> !engineWide(name) && derived(name)).toList();
        if (!derived.isEmpty()) {
            problems.add(about + String.join(", ", derived) + (derived.size() > 1 ? " are" : " is")
                    + " derived at start-up: do not set " + (derived.size() > 1 ? "them." : "it."));
        }
        Map<String, String> own = new HashMap<>();
        boolean resolved = true;
        for (String name : names) {
            if (engineWide(name) || derived(name)) {
                continue;
            }
            try {
                own.put(name, Optional.ofNullable(resolve.apply(source.values().get(name))).orElse(""));
            } catch (RuntimeException e) {
                // The message of a failed resolution may quote the value.
                problems.add(about + "cannot resolve the placeholders of " + name
                        + (secret(name) ? "" : " (" + e.getMessage() + ")"));
                resolved = false;
            }
        }
        Settings settings = new Settings(name -> own.containsKey(name) ? Optional.of(own.get(name))
                : inherited(name) ? engine.get(name) : Optional.ofNullable(CONNECTION_DEFAULTS.get(name)));
        if (resolved) {
            try {
                settings.validate(source.setThem());
            } catch (IllegalArgumentException e) {
                problems.add(about + e.getMessage());
            }
        }
        jobs.add(new JobDefinition(source.id(), source.origin(), settings));
    }
}
