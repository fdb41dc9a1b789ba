package io.github.provisioning.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.postgresql.PGConnection;

/** Links, saves, retries, create intents and full-round marks (the link store), on embedded H2 and on PostgreSQL. */
class LinkStoreTest {

    @RegisterExtension
    final TestStores stores = new TestStores();

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void linksKeepTheirValuesAndAreReplacedWhole(TestDatabase.Kind kind) {
        Stores store = stores.state(stores.database(kind));
        Map<String, JsonNode> values = Map.of("userName", JsonNodeFactory.instance.textNode("ada@contoso.com"),
                "active", JsonNodeFactory.instance.booleanNode(true));
        store.links().save(ObjectType.USER,
                new Link("u1", "scim-1", "ada@contoso.com", true, values, "c1", null, null));

        assertThat(store.links().link(ObjectType.USER, "u1")).get().satisfies(link -> {
            assertThat(link.targetId()).isEqualTo("scim-1");
            assertThat(link.values()).isEqualTo(values);
            assertThat(link.retryAction()).isNull();
        });
        store.links().save(ObjectType.USER, new Link("u1", "scim-1", "ada@contoso.com", false, Map.of(), "c2",
                Link.RETRY_REFRESH, "x".repeat(3000)));
        assertThat(store.links().link(ObjectType.USER, "u1")).get().satisfies(link -> {
            assertThat(link.active()).isFalse();
            assertThat(link.values()).isEmpty();
            assertThat(link.retryAction()).isEqualTo(Link.RETRY_REFRESH);
            assertThat(link.lastError()).hasSize(2000);
        });
        assertThat(store.links().link("group", "u1")).isEmpty();
        assertThat(store.links().link(ObjectType.USER, "nobody")).isEmpty();
    }

    @Test
    void theQueriesForRetriesReadTheRetryIndexNotEveryObject() throws Exception {
        StatementLog log = new StatementLog();
        Stores store = stores.state(stores.database(TestDatabase.Kind.H2), log::wrap);
        // Enough objects, few of them waiting, for H2 to read "retry_action IS NOT NULL" by the primary key.
        for (int i = 0; i < 2000; i++) {
            store.links().save(ObjectType.USER, new Link("u" + i, "scim-" + i, "u" + i, true, Map.of(), "c1",
                    i % 100 == 0 ? Link.RETRY_REFRESH : null, null));
        }
        store.scope().startNextScope();
        log.reset();
        store.links().toRefresh("c2", true);
        store.groups().groupsToProvision(true);
        store.escrows().awaitingRetry(ObjectType.USER);
        store.escrows().escrowCounts();

        List<StatementLog.Query> retries = log.queries().stream()
                .filter(q -> q.sql().contains(LinkStore.HAS_RETRY)).toList();
        assertThat(retries).hasSize(4);
        for (StatementLog.Query query : retries) {
            // The index is searched by the retry action too, not only walked for the object type.
            assertThat(log.plan(query).replaceAll("\\s+", " ")).as(query.sql())
                    .containsPattern("PROV_OBJECT_RETRY: [^*]*RETRY_ACTION");
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void theEndOfAFullRoundFindsEveryLinkedActiveAccountItDidNotListOrThatIsOutOfScope(TestDatabase.Kind kind) {
        Stores store = stores.state(stores.database(kind));
        // A first run of round r1 (cycle c1) lists a, e and f and is cut short; a second (c2) completes it.
        for (String id : List.of("a", "b", "c", "d", "e", "f", "g")) {
            boolean linked = !id.equals("d");
            store.links().save(ObjectType.USER,
                    new Link(id, linked ? "scim-" + id : null, id, !id.equals("c"), Map.of(), "c1", null, null));
        }
        store.links().markListed("r1", List.of("a", "e", "f", "nobody"));
        store.links().save(ObjectType.USER, new Link("g", "scim-g", "g", true, Map.of(), "c2", null, null));
        store.scope().startNextScope("c2");
        store.scope().addToNextScope(List.of("a", "b", "c", "d", "f", "g"));

        // b: linked and active, not listed; e: listed, but out of the final scope. Not a and f (listed, in scope),
        // c (inactive), d (unlinked), g (this cycle provisioned it).
        assertThat(store.links().unlistedAccounts("r1", "c2", true)).containsExactly("b", "e");
        assertThat(store.links().unlistedAccounts("r1", "c2", false)).containsExactly("b");
        // Another round listed none of them.
        assertThat(store.links().unlistedAccounts("r2", "c2", false)).containsExactly("a", "b", "e", "f");
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aPageOfListedUsersIsMarkedWithOneStatementPerChunk(TestDatabase.Kind kind) {
        StatementLog log = new StatementLog();
        Stores store = stores.state(stores.database(kind), log::wrap);
        List<String> ids = IntStream.range(0, 600).mapToObj(i -> "u" + i).toList();
        for (String id : ids) {
            store.links().save(ObjectType.USER, new Link(id, "scim-" + id, id, true, Map.of(), "c1", null, null));
        }
        log.reset();
        store.links().markListed("r1", ids);

        assertThat(log.updates()).extracting(StatementLog.Query::sql).hasSize(2)
                .allMatch(sql -> sql.contains("listed_round"));
        assertThat(store.links().unlistedAccounts("r1", "c2", false)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aCreateIntentStaysUntilASaveWithoutOneAndTheNextCycleReadsItsUser(TestDatabase.Kind kind) {
        Stores store = stores.state(stores.database(kind));
        Instant at = Instant.parse("2026-01-02T03:04:05Z");
        CreateIntent intent = new CreateIntent("userName", "ada@contoso.com", "c1", at);
        store.links().save(ObjectType.USER,
                new Link("u1", null, null, false, Map.of(), null, null, null).withIntent(intent));
        // An escrowed failure whose POST may have been applied keeps it.
        store.links().save(ObjectType.USER, new Link("u1", null, null, false, Map.of(), "c1", Link.RETRY_REFRESH,
                "no answer", new Escrow(1, at, false), intent));

        assertThat(store.links().link(ObjectType.USER, "u1").orElseThrow().intent()).isEqualTo(intent);
        assertThat(store.links().toRefresh("c1", false, false, at.minusSeconds(3600))).isEmpty();
        assertThat(store.links().toRefresh("c2", false, false, at.minusSeconds(3600))).containsExactly("u1");

        store.links().save(ObjectType.USER,
                new Link("u1", "scim-1", "ada@contoso.com", true, Map.of(), "c2", null, null));
        assertThat(store.links().link(ObjectType.USER, "u1").orElseThrow().intent()).isNull();
        assertThat(store.links().toRefresh("c3", false, false, at)).isEmpty();
    }

    @Test
    void theOpenCreateIntentsAndAPagesListedUsersAreFoundByIndexNotByReadingEveryObject() throws Exception {
        StatementLog log = new StatementLog();
        Stores store = stores.state(stores.database(TestDatabase.Kind.H2), log::wrap);
        for (int i = 0; i < 2000; i++) {
            Link link = new Link("u" + i, "scim-" + i, "u" + i, true, Map.of(), "c1", null, null);
            store.links().save(ObjectType.USER, i % 100 == 0 ? link.withIntent(
                    new CreateIntent("userName", "u" + i, "c1", Instant.now())) : link);
        }
        log.reset();
        assertThat(store.links().toRefresh("c2", false, false)).hasSize(20);

        StatementLog.Query intents = log.queries().stream().filter(q -> q.sql().contains(LinkStore.HAS_INTENT))
                .findFirst().orElseThrow();
        assertThat(log.plan(intents).replaceAll("\\s+", " ")).containsPattern("PROV_OBJECT_INTENT: [^*]*INTENT_CYCLE");

        // A page's users are marked by their primary key, not by reading every user.
        log.reset();
        store.links().markListed("r1", List.of("u1", "u2", "u3"));
        assertThat(log.plan(log.updates().get(0)).replaceAll("\\s+", " "))
                .containsPattern("PRIMARY_KEY_\\w+: IN\\(ROW");
        // The end of a full round: one pass over the users, the scope probed by its primary key.
        store.scope().startNextScope("c2");
        store.scope().addToNextScope(List.of("u1"));
        log.reset();
        store.links().unlistedAccounts("r1", "c2", true);
        StatementLog.Query unlisted = log.queries().stream().filter(q -> q.sql().contains("listed_round"))
                .findFirst().orElseThrow();
        assertThat(log.plan(unlisted).replaceAll("\\s+", " "))
                .containsPattern("PROV_SCOPE_MEMBER\" \"S\" /\\* PUBLIC.PRIMARY_KEY_\\w+:"
                        + " SCOPE_TYPE = 'user' AND OBJECT_ID = O.SOURCE_ID");
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void failedObjectsAreRetriedOnceDueAndPermanentFailuresWaitForAChange(TestDatabase.Kind kind) {
        Stores store = stores.state(stores.database(kind));
        Instant now = Instant.parse("2026-11-26T08:00:00Z");
        store.links().save(ObjectType.USER, new Link("due", null, null, false, Map.of(), "c1", Link.RETRY_REFRESH,
                "500", new Escrow(1, now.minusSeconds(1), false)));
        store.links().save(ObjectType.USER, new Link("later", "scim-l", "l", true, Map.of(), "c1", Link.RETRY_REFRESH,
                "500", new Escrow(3, now.plusSeconds(3600), false)));
        store.links().save(ObjectType.USER, new Link("gave-up", "scim-g", "g", true, Map.of(), "c1", Link.RETRY_REFRESH,
                "400 invalidValue", new Escrow(1, null, true)));
        store.links().save(ObjectType.USER, new Link("reference", "scim-r", "r", true, Map.of(), "c1",
                Link.RETRY_REFRESH, null));
        store.links().save(ObjectType.GROUP, new Link("g-due", null, null, false, Map.of(), "c1", Link.RETRY_REFRESH,
                "500", new Escrow(2, now, false)));
        store.links().save(ObjectType.GROUP, new Link("g-later", null, null, false, Map.of(), "c1",
                Link.RETRY_REFRESH, "500", new Escrow(2, now.plusSeconds(60), false)));

        assertThat(store.links().toRefresh("c2", false, false, now)).containsExactly("due", "reference");
        assertThat(store.links().toRefresh("c2", false, false, now.plusSeconds(3600))).containsExactly("due", "later",
                "reference");
        assertThat(store.groups().groupsToProvision(false, now)).containsExactly("g-due");
        assertThat(store.escrows().awaitingRetry(ObjectType.USER)).isEqualTo(3);
        assertThat(store.escrows().awaitingRetry(ObjectType.GROUP)).isEqualTo(2);
        assertThat(store.escrows().escrowCounts()).isEqualTo(new EscrowStore.EscrowCounts(5, 1));
        assertThat(store.links().link(ObjectType.USER, "later")).get().satisfies(link -> {
            assertThat(link.escrow()).isEqualTo(new Escrow(3, now.plusSeconds(3600), false));
            assertThat(link.failedAttempts()).isEqualTo(3);
        });
        assertThat(store.links().link(ObjectType.USER, "gave-up").orElseThrow().escrow())
                .isEqualTo(new Escrow(1, null, true));
        assertThat(store.links().link(ObjectType.USER, "reference").orElseThrow().escrow()).isNull();

        // A success clears the escrow.
        store.links().save(ObjectType.USER, new Link("later", "scim-l", "l", true, Map.of(), "c2", null, null));
        assertThat(store.links().link(ObjectType.USER, "later").orElseThrow().failedAttempts()).isZero();
        assertThat(store.escrows().escrowCounts()).isEqualTo(new EscrowStore.EscrowCounts(4, 1));

        // A restart clears the permanent ones too.
        assertThat(store.jobState().restart(List.of("users-delta"), false).retriesCleared()).isEqualTo(5);
        assertThat(store.escrows().escrowCounts()).isEqualTo(new EscrowStore.EscrowCounts(0, 0));
        assertThat(store.links().link(ObjectType.USER, "gave-up").orElseThrow().escrow()).isNull();
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void theLinksOfManyObjectsAreReadAtOnceAsOneByOne(TestDatabase.Kind kind) {
        Stores store = stores.state(stores.database(kind));
        // More ids than one IN list takes: the answer spans chunks.
        List<String> ids = IntStream.range(0, 1203).mapToObj(i -> "u" + i).toList();
        for (int i = 0; i < ids.size(); i += 2) {
            store.links().save(ObjectType.USER, new Link(ids.get(i), "scim-" + i, "m" + i, i % 4 == 0,
                    Map.of("title", JsonNodeFactory.instance.textNode("t" + i)), "c1", null, null));
        }
        store.links().save(ObjectType.GROUP, new Link("u1", "g-1", null, true, Map.of(), "c1", null, null));

        List<String> asked = new ArrayList<>(ids);
        asked.add("u0");
        asked.add("nobody");
        Map<String, Link> links = store.links().links(ObjectType.USER, asked);

        assertThat(links.keySet()).containsExactlyInAnyOrderElementsOf(
                IntStream.range(0, ids.size()).filter(i -> i % 2 == 0).mapToObj(ids::get).toList());
        for (String id : List.of("u0", "u2", "u1000", "u1202")) {
            assertThat(links.get(id)).isEqualTo(store.links().link(ObjectType.USER, id).orElseThrow());
        }
        assertThat(store.links().links(ObjectType.GROUP, List.of("u0", "u1"))).containsOnlyKeys("u1");
        assertThat(store.links().links(ObjectType.USER, List.of())).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void concurrentSavesAreAllStoredWhenTheyReturn(TestDatabase.Kind kind) throws Exception {
        Stores store = stores.state(stores.database(kind));
        for (int i = 0; i < 400; i += 2) {
            store.links().save(ObjectType.USER, new Link("u" + i, null, null, false, Map.of(), "c1", null, null));
        }
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> saves = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int first = t * 50;
                saves.add(threads.submit(() -> {
                    for (int i = first; i < first + 50; i++) {
                        // Each returns only once its row is committed: read it back at once.
                        Link link = new Link("u" + i, "scim-" + i, "m" + i, true,
                                Map.of("n", JsonNodeFactory.instance.numberNode(i)), "c2", null, null);
                        store.links().save(ObjectType.USER, link);
                        assertThat(store.links().link(ObjectType.USER, "u" + i)).contains(link);
                    }
                    return null;
                }));
            }
            for (Future<?> save : saves) {
                save.get(60, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
        Map<String, Link> links = store.links().links(ObjectType.USER,
                IntStream.range(0, 400).mapToObj(i -> "u" + i).toList());
        assertThat(links).hasSize(400);
        assertThat(links.values()).allSatisfy(link -> {
            assertThat(link.lastCycle()).isEqualTo("c2");
            assertThat(link.targetId()).isEqualTo("scim-" + link.sourceId().substring(1));
        });
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aDeferredSaveIsCommittedWithTheNextSaveOrBeforeTheNextStatement(TestDatabase.Kind kind) throws Exception {
        StateDatabase db = stores.open(stores.database(kind));
        Stores store = stores.state(db);

        store.links().saveDeferred(ObjectType.USER, linked("u1"));
        assertThat(committedUsers(db)).isEmpty();
        // A read of any store writes it first, and sees it.
        assertThat(store.links().link(ObjectType.USER, "u1")).get().extracting(Link::targetId).isEqualTo("scim-u1");
        assertThat(committedUsers(db)).containsExactly("u1");

        // A save that waits takes it into its own commit.
        store.links().saveDeferred(ObjectType.USER, linked("u2"));
        store.links().save(ObjectType.USER, linked("u3"));
        assertThat(committedUsers(db)).containsExactly("u1", "u2", "u3");

        // A durable write of another store (the round's place after a page) is committed after it.
        store.links().saveDeferred(ObjectType.USER, linked("u4"));
        store.jobState().putWatermarkDurably("users-round", "next page");
        assertThat(committedUsers(db)).containsExactly("u1", "u2", "u3", "u4");

        // A dry run's copy starts from the stored state with it; what the dry run defers stays in the copy.
        store.links().saveDeferred(ObjectType.USER, linked("u5"));
        db.beginDryRun(store.job());
        store.links().saveDeferred(ObjectType.USER, linked("dry"));
        db.endDryRun();
        assertThat(committedUsers(db)).containsExactly("u1", "u2", "u3", "u4", "u5");

        // Closing the store writes what is left; a save after that fails, deferred or not.
        store.links().saveDeferred(ObjectType.USER, linked("u6"));
        store.links().close();
        assertThat(committedUsers(db)).containsExactly("u1", "u2", "u3", "u4", "u5", "u6");
        assertThatThrownBy(() -> store.links().saveDeferred(ObjectType.USER, linked("u7")))
                .hasMessageContaining("closed");
    }

    @Test
    void theOutcomesThreadsDeferDuringAPageTakeOneCommitBeforeThePagesPlaceIsStored() throws Exception {
        StatementLog log = new StatementLog();
        Stores store = stores.state(stores.database(TestDatabase.Kind.H2), log::wrap);
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> page = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                page.add(threads.submit(() -> IntStream.range(0, 25).forEach(i ->
                        store.links().saveDeferred(ObjectType.USER, linked("t" + thread + "-" + i)))));
            }
            for (Future<?> saves : page) {
                saves.get(60, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
        log.reset();

        store.jobState().putWatermarkDurably("users-round", "next page");

        // One for the 200 outcomes, one for the round's place.
        assertThat(log.commits()).isEqualTo(2);
        assertThat(store.links().links(ObjectType.USER, IntStream.range(0, 8).boxed()
                .flatMap(t -> IntStream.range(0, 25).mapToObj(i -> "t" + t + "-" + i)).toList())).hasSize(200);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aDeferredSaveLongerThanItsColumnsFailsItsCallerAtOnce(TestDatabase.Kind kind) {
        Stores store = stores.state(stores.database(kind));

        assertThatThrownBy(() -> store.links().saveDeferred(ObjectType.USER, new Link("u1", "s", "x".repeat(1025),
                true, Map.of(), "c1", null, null))).isInstanceOf(StateStoreException.class);
        assertThat(store.links().link(ObjectType.USER, "u1")).isEmpty();
    }

    private static Link linked(String sourceId) {
        return new Link(sourceId, "scim-" + sourceId, sourceId, true, Map.of(), "c1", null, null);
    }

    /** The user rows another connection sees: what is committed. */
    private static List<String> committedUsers(StateDatabase db) throws Exception {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT source_id FROM prov_object ORDER BY source_id")) {
            return StateDatabase.strings(rs);
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aRowThatCannotBeStoredFailsItsOwnSaveOnly(TestDatabase.Kind kind) throws Exception {
        Stores store = stores.state(stores.database(kind));
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> saves = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                // Thread 3's rows carry a match value longer than the column takes.
                String match = t == 3 ? "x".repeat(1025) : "m";
                int thread = t;
                saves.add(threads.submit(() -> {
                    for (int i = 0; i < 20; i++) {
                        store.links().save(ObjectType.USER, new Link("t" + thread + "-" + i, "s", match, true, Map.of(),
                                "c1", null, null));
                    }
                    return null;
                }));
            }
            for (int t = 0; t < 8; t++) {
                if (t == 3) {
                    assertThatThrownBy(() -> saves.get(3).get(60, TimeUnit.SECONDS))
                            .hasCauseInstanceOf(StateStoreException.class);
                } else {
                    saves.get(t).get(60, TimeUnit.SECONDS);
                }
            }
        } finally {
            threads.shutdownNow();
        }
        List<String> ids = IntStream.range(0, 8).boxed()
                .flatMap(t -> IntStream.range(0, 20).mapToObj(i -> "t" + t + "-" + i)).toList();
        assertThat(store.links().links(ObjectType.USER, ids)).hasSize(7 * 20)
                .allSatisfy((id, link) -> assertThat(id).doesNotStartWith("t3-"));
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aBadRowInABatchFailsOnlyItsOwnSaveAndTheWriterKeepsItsConnection(TestDatabase.Kind kind) throws Exception {
        StateDatabase db = stores.open(stores.database(kind));
        Stores store = stores.state(db);
        store.links().save(ObjectType.USER, saved("held", "c1"));
        Connection writer = store.links().writerConnection();
        int writerPid = kind == TestDatabase.Kind.POSTGRESQL ? writer.unwrap(PGConnection.class).getBackendPID() : 0;
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try (Connection holder = db.dataSource().getConnection(); Statement s = holder.createStatement()) {
            // Another transaction holds the row: its next save waits, and the saves behind it form one batch.
            holder.setAutoCommit(false);
            s.executeUpdate("UPDATE prov_object SET last_cycle = 'holder' WHERE source_id = 'held'");
            Future<?> held = threads.submit(() -> store.links().save(ObjectType.USER, saved("held", "c2")));
            await().atMost(Duration.ofSeconds(30)).until(() -> waitsForALock(kind, db, writerPid));
            Future<?> good = threads.submit(() -> store.links().save(ObjectType.USER, saved("good", "c2")));
            Future<?> bad = threads.submit(() -> store.links().save(ObjectType.USER,
                    new Link("bad", "s", "x".repeat(1025), true, Map.of(), "c2", null, null)));
            Future<?> alsoGood = threads.submit(() -> store.links().save(ObjectType.USER, saved("also-good", "c2")));
            await().atMost(Duration.ofSeconds(30)).until(() -> store.links().savesQueued() == 3);
            holder.rollback();

            held.get(60, TimeUnit.SECONDS);
            good.get(60, TimeUnit.SECONDS);
            alsoGood.get(60, TimeUnit.SECONDS);
            assertThatThrownBy(() -> bad.get(60, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(StateStoreException.class);
        } finally {
            threads.shutdownNow();
        }
        assertThat(store.links().links(ObjectType.USER, List.of("held", "good", "bad", "also-good")))
                .containsOnlyKeys("held", "good", "also-good")
                .allSatisfy((id, link) -> assertThat(link.lastCycle()).isEqualTo("c2"));
        // A row the table refuses says nothing against the connection: it is kept.
        assertThat(store.links().writerConnection()).isSameAs(writer);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aSaveWhoseConnectionBrokeIsWrittenOnANewOne(TestDatabase.Kind kind) throws Exception {
        TestDatabase database = stores.database(kind);
        Stores store = stores.state(database);
        store.links().save(ObjectType.USER, saved("before", "c1"));
        Connection broken = store.links().writerConnection();
        breakBehindItsBack(kind, broken);

        store.links().save(ObjectType.USER, saved("after", "c1"));
        store.links().save(ObjectType.USER, saved("later", "c1"));

        assertThat(store.links().writerConnection()).isNotNull().isNotSameAs(broken);
        // Committed: a store on a pool of its own reads them.
        assertThat(stores.state(database).links().links(ObjectType.USER, List.of("before", "after", "later")))
                .containsOnlyKeys("before", "after", "later");
    }

    private static Link saved(String id, String cycle) {
        return new Link(id, "scim-" + id, id, true, Map.of(), cycle, null, null);
    }

    /** Whether the writer waits for a row lock: H2 names its blocker, PostgreSQL its wait. */
    private static boolean waitsForALock(TestDatabase.Kind kind, StateDatabase db, int writerPid) throws Exception {
        String sql = kind == TestDatabase.Kind.H2
                ? "SELECT COUNT(*) FROM INFORMATION_SCHEMA.SESSIONS WHERE BLOCKER_ID IS NOT NULL"
                : "SELECT COUNT(*) FROM pg_stat_activity WHERE pid = " + writerPid + " AND wait_event_type = 'Lock'";
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            return rs.next() && rs.getInt(1) > 0;
        }
    }

    /**
     * Breaks the store's writer connection as the world can: PostgreSQL ends its backend (a restart, an idle
     * timeout); embedded H2 has no session to lose that way, so its connection is closed under the store.
     */
    private static void breakBehindItsBack(TestDatabase.Kind kind, Connection writer) throws Exception {
        if (kind == TestDatabase.Kind.H2) {
            writer.close();
            return;
        }
        int pid = writer.unwrap(PGConnection.class).getBackendPID();
        TestDatabase.PostgresServer server = TestDatabase.postgres();
        try (Connection admin = DriverManager.getConnection(server.url(), server.username(), "");
             Statement s = admin.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT pg_terminate_backend(" + pid + ")")) {
                assertThat(rs.next() && rs.getBoolean(1)).as("backend %d terminated", pid).isTrue();
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM pg_stat_activity WHERE pid = " + pid)) {
                    return rs.next() && rs.getInt(1) == 0;
                }
            });
        }
    }
}
