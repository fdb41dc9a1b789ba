package io.github.provisioning.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The group commit's promise, made deterministic by a first write that waits until the other callers have queued:
 * they share the next write, none returns before it, and a failing item fails its own caller.
 */
class GroupCommitTest {

    private final ExecutorService threads = Executors.newFixedThreadPool(8);
    private final List<List<String>> written = new CopyOnWriteArrayList<>();
    private final CountDownLatch firstWriteStarted = new CountDownLatch(1);
    private final CountDownLatch firstWriteMayEnd = new CountDownLatch(1);

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    /** Writes a batch unless it holds "bad"; the very first write waits for the test. */
    private void write(List<String> items) throws InterruptedException {
        if (firstWriteStarted.getCount() > 0) {
            firstWriteStarted.countDown();
            if (!firstWriteMayEnd.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never let the first write end");
            }
        }
        if (items.contains("bad")) {
            written.add(List.of());
            throw new IllegalArgumentException("cannot write bad");
        }
        written.add(List.copyOf(items));
    }

    private CompletableFuture<Void> submit(GroupCommit<String> commit, String item) {
        return CompletableFuture.runAsync(() -> commit.submit(item), threads);
    }

    /** A first caller is writing alone; the others have queued behind it. */
    private List<CompletableFuture<Void>> queuedBehindAWrite(GroupCommit<String> commit, List<String> items)
            throws InterruptedException {
        CompletableFuture<Void> first = submit(commit, "first");
        assertThat(firstWriteStarted.await(30, TimeUnit.SECONDS)).isTrue();
        List<CompletableFuture<Void>> rest = items.stream().map(item -> submit(commit, item)).toList();
        await().atMost(Duration.ofSeconds(30)).until(() -> commit.queued() == items.size());
        assertThat(first).isNotDone();
        assertThat(rest).noneMatch(CompletableFuture::isDone);
        firstWriteMayEnd.countDown();
        return rest;
    }

    @Test
    void aLoneCallerWritesAtOnce() {
        firstWriteMayEnd.countDown();
        GroupCommit<String> commit = new GroupCommit<>(this::write, true);

        commit.submit("a");
        commit.submit("b");

        assertThat(written).containsExactly(List.of("a"), List.of("b"));
    }

    @Test
    void callersThatArriveDuringAWriteShareTheNextOneAndReturnAfterIt() throws Exception {
        GroupCommit<String> commit = new GroupCommit<>(this::write, true);

        List<CompletableFuture<Void>> rest = queuedBehindAWrite(commit, List.of("b", "c", "d", "e"));

        CompletableFuture.allOf(rest.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        assertThat(written).hasSize(2);
        assertThat(written.get(0)).containsExactly("first");
        assertThat(written.get(1)).containsExactlyInAnyOrder("b", "c", "d", "e");
    }

    @Test
    void anItemThatFailsFailsItsOwnCallerAndTheOthersAreWrittenAlone() throws Exception {
        GroupCommit<String> commit = new GroupCommit<>(this::write, true);

        List<CompletableFuture<Void>> rest = queuedBehindAWrite(commit, List.of("b", "bad", "c"));

        assertThatThrownBy(() -> rest.get(1).get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasRootCauseMessage("cannot write bad");
        rest.get(0).get(30, TimeUnit.SECONDS);
        rest.get(2).get(30, TimeUnit.SECONDS);
        assertThat(written.stream().flatMap(List::stream)).containsExactlyInAnyOrder("first", "b", "c");
    }

    @Test
    void withoutIsolationAFailedWriteFailsEveryCallerInIt() throws Exception {
        GroupCommit<String> commit = new GroupCommit<>(this::write, false);

        List<CompletableFuture<Void>> rest = queuedBehindAWrite(commit, List.of("b", "bad", "c"));

        for (CompletableFuture<Void> caller : rest) {
            assertThatThrownBy(() -> caller.get(30, TimeUnit.SECONDS)).hasRootCauseMessage("cannot write bad");
        }
        assertThat(written.stream().flatMap(List::stream)).containsExactly("first");
    }

    @Test
    void deferredItemsGoWithTheNextSubmitOrAFlushAndAFailedOneGoesToTheHandler() {
        firstWriteMayEnd.countDown();
        List<String> failed = new CopyOnWriteArrayList<>();
        GroupCommit<String> commit = new GroupCommit<>(this::write, true, (item, failure) -> failed.add(item));

        commit.defer("a");
        commit.defer("b");
        assertThat(written).isEmpty();
        commit.submit("c");
        assertThat(written).containsExactly(List.of("a", "b", "c"));

        commit.defer("d");
        commit.flush();
        commit.flush();
        assertThat(written).containsExactly(List.of("a", "b", "c"), List.of("d"));

        // The batch fails; each item is written alone, and only the bad one fails, to the handler, not the flush.
        commit.defer("e");
        commit.defer("bad");
        commit.flush();
        assertThat(written.stream().flatMap(List::stream)).containsExactly("a", "b", "c", "d", "e");
        assertThat(failed).containsExactly("bad");
    }

    @Test
    void aGroupCommitWithoutAHandlerTakesNoDeferredItem() {
        GroupCommit<String> commit = new GroupCommit<>(this::write, true);

        assertThatThrownBy(() -> commit.defer("a")).isInstanceOf(IllegalStateException.class);
        commit.flush();
        assertThat(written).isEmpty();
    }
}
