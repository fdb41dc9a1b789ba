package io.github.provisioning.sandbox.graph;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who reports to whom: each user's manager link, as the user's {@code manager} navigation property holds it.
 * Sample users report as {@link SampleDirectory#managerIndex(int)} says until their line is first touched, so a
 * million-user sample costs nothing here; a touched line is stored, along with a reverse index by manager.
 * Guarded by the tenant's lock.
 *
 * <p>What Graph shows is the <em>current</em> manager: the link while its target is live. A deleted manager
 * disappears from its reports ({@code /users/{id}/manager} answers 404, delta reports the link removed); the
 * simulator keeps the link through a soft delete, so a restore brings it back as it brings back group
 * memberships, and drops it for good on a hard delete.
 */
final class ReportingLines {

    private static final long NEVER = -1;

    /** A touched line: the link, the last manager shown before it went away, and when what is shown changed. */
    private static final class Line {
        UserEntry manager;
        UserEntry former;
        long version = NEVER;
    }

    private final List<UserEntry> slots;
    private final Map<UserEntry, Line> lines = new IdentityHashMap<>();
    private final Map<UserEntry, Set<UserEntry>> touchedReports = new IdentityHashMap<>();
    private SampleDirectory sample;
    private int sampleBase;
    private long sampleVersion;

    ReportingLines(List<UserEntry> slots) {
        this.slots = slots;
    }

    /** Sample users at {@code base..} report as the sample says, from {@code version} on. */
    void sample(SampleDirectory directory, int base, long version) {
        sample = directory;
        sampleBase = base;
        sampleVersion = version;
    }

    /** The manager the link points at, live or soft-deleted; null when the user has none. */
    UserEntry assigned(UserEntry user) {
        Line line = lines.get(user);
        return line != null ? line.manager : sampleManager(user);
    }

    /** The manager Graph shows; null when the user has none or its manager is deleted. */
    UserEntry current(UserEntry user) {
        UserEntry manager = assigned(user);
        return manager != null && manager.live() ? manager : null;
    }

    /** The manager shown last before the user was left without one; null when there was none. */
    UserEntry former(UserEntry user) {
        Line line = lines.get(user);
        return line == null ? null : line.former;
    }

    /** The tenant version at which the current manager (or its absence) began to show. */
    long version(UserEntry user) {
        Line line = lines.get(user);
        if (line != null) {
            return line.version;
        }
        return sampleManager(user) != null ? sampleVersion : NEVER;
    }

    /** Points the user at {@code manager} (null: none); what Graph shows changes at {@code version}. */
    void assign(UserEntry user, UserEntry manager, long version) {
        UserEntry shownBefore = current(user);
        Line line = touch(user);
        unlink(user, line.manager);
        line.manager = manager;
        link(user, manager);
        if (current(user) != shownBefore) {
            shown(line, shownBefore, version);
        }
    }

    /** The manager was deleted: its reports show no manager from {@code version} on. */
    void managerLeft(UserEntry manager, long version) {
        for (UserEntry report : reports(manager)) {
            shown(touch(report), manager, version);
        }
    }

    /** The manager was restored: its reports show it again from {@code version} on. */
    void managerReturned(UserEntry manager, long version) {
        for (UserEntry report : reports(manager)) {
            touch(report).version = version;
        }
    }

    /**
     * The manager is gone for good: its reports lose the link; those that still showed it see the change at
     * {@code version}.
     */
    void managerGoneForGood(UserEntry manager, boolean wasShown, long version) {
        for (UserEntry report : reports(manager)) {
            Line line = touch(report);
            unlink(report, manager);
            line.manager = null;
            if (wasShown) {
                shown(line, manager, version);
            }
        }
        touchedReports.remove(manager);
    }

    /** A restored user shows its manager again, as a change at {@code version}. */
    void userReturned(UserEntry user, long version) {
        if (current(user) != null) {
            touch(user).version = version;
        }
    }

    /** A hard-deleted user's own line goes; it is a tombstone from now on. */
    void forget(UserEntry user) {
        Line line = lines.remove(user);
        if (line != null) {
            unlink(user, line.manager);
        }
    }

    /** The users whose link points at {@code manager}, live or soft-deleted. */
    List<UserEntry> reports(UserEntry manager) {
        List<UserEntry> reports = new ArrayList<>();
        if (sample != null && manager.sampleIndex() >= 0) {
            for (int index : sample.reportIndexes(manager.sampleIndex())) {
                UserEntry report = slots.get(sampleBase + index);
                if (report.state != Lifecycle.HARD_DELETED && !lines.containsKey(report)) {
                    reports.add(report);
                }
            }
        }
        reports.addAll(touchedReports.getOrDefault(manager, Set.of()));
        return reports;
    }

    private static void shown(Line line, UserEntry shownBefore, long version) {
        line.version = version;
        if (line.manager == null || !line.manager.live()) {
            line.former = shownBefore;
        }
    }

    private UserEntry sampleManager(UserEntry user) {
        if (sample == null || user.sampleIndex() < 0) {
            return null;
        }
        int index = sample.managerIndex(user.sampleIndex());
        return index < 0 ? null : slots.get(sampleBase + index);
    }

    /** The user's stored line, made from the sample's on first touch. */
    private Line touch(UserEntry user) {
        Line line = lines.get(user);
        if (line == null) {
            line = new Line();
            line.manager = sampleManager(user);
            line.version = version(user);
            lines.put(user, line);
            link(user, line.manager);
        }
        return line;
    }

    private void link(UserEntry report, UserEntry manager) {
        if (manager != null) {
            touchedReports.computeIfAbsent(manager, m -> Collections.newSetFromMap(new IdentityHashMap<>()))
                    .add(report);
        }
    }

    private void unlink(UserEntry report, UserEntry manager) {
        Set<UserEntry> reports = manager == null ? null : touchedReports.get(manager);
        if (reports != null) {
            reports.remove(report);
            if (reports.isEmpty()) {
                touchedReports.remove(manager);
            }
        }
    }
}
