package io.github.provisioning.state;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Group commit: concurrent writers share one durable write (one transaction, one flush) instead of paying for one
 * each, and none returns before the write that carried its item has ended. Each caller queues its item; the first
 * caller that finds no write running becomes the leader and writes every item queued at that moment in one go,
 * while the items that arrive meanwhile make up the next batch. A lone caller writes alone, at once.
 *
 * <p>So {@link #submit} keeps the promise of a plain write: when it returns, the item is durable; when the write
 * failed, it throws that failure. With {@code isolateFailures}, a batch that fails is written again item by item,
 * so that only the callers whose items fail get the failure (a batch in one transaction fails whole).
 *
 * <p>An item that need not be durable at once is {@linkplain #defer deferred}: it waits, without its caller, for
 * the next write (a later submit's batch) or for {@link #flush}, and a failure of its own goes to the handler
 * given for deferred items.
 *
 * @param <T> what one caller writes
 */
public final class GroupCommit<T> {

    /** Writes a batch durably, or throws (and leaves nothing of it behind, where that matters). */
    @FunctionalInterface
    public interface Batch<T> {
        void write(List<T> items) throws Exception;
    }

    private final Batch<T> batch;
    private final boolean isolateFailures;
    private final BiConsumer<T, Throwable> deferredFailed;
    private final Object lock = new Object();
    /** Items waiting for the next write; guarded by {@link #lock}. */
    private List<Pending<T>> queue = new ArrayList<>();
    /** A leader is writing; guarded by {@link #lock}. */
    private boolean writing;
    /** Deferred items queued or being written; guarded by {@link #lock}. */
    private int deferredUnwritten;

    /**
     * @param isolateFailures whether a failed batch of several items is written again one item at a time, so that
     *                        one bad item fails only its own caller (the batch must be all or nothing)
     */
    public GroupCommit(Batch<T> batch, boolean isolateFailures) {
        this(batch, isolateFailures, null);
    }

    /**
     * @param deferredFailed told of each deferred item that could not be written, once no other attempt is due;
     *                       null when nothing is ever deferred
     */
    public GroupCommit(Batch<T> batch, boolean isolateFailures, BiConsumer<T, Throwable> deferredFailed) {
        this.batch = batch;
        this.isolateFailures = isolateFailures;
        this.deferredFailed = deferredFailed;
    }

    /** Queues the item for the next write and returns at once; it is durable once that write, or a flush, ends. */
    public void defer(T item) {
        if (deferredFailed == null) {
            throw new IllegalStateException("This group commit takes no deferred items");
        }
        synchronized (lock) {
            queue.add(new Pending<>(item, true));
            deferredUnwritten++;
        }
    }

    /**
     * Returns once every item deferred before the call is written, or has gone to the deferred-failure handler: at
     * once when none waits. Writes them itself when no write is running.
     */
    public void flush() {
        synchronized (lock) {
            if (deferredUnwritten == 0) {
                return;
            }
        }
        // A marker with nothing to write: behind the deferred items in the queue, so done only after them.
        submit(null);
    }

    /** Writes the item, with whatever else is queued; returns once it is durable, or throws the write's failure. */
    public void submit(T item) {
        submitAll(Collections.singletonList(item));
    }

    /**
     * Writes the items in one batch with whatever else is queued; returns once they are durable, or throws the
     * first failure among them (with {@code isolateFailures}, the others may be written).
     */
    public void submitAll(List<T> items) {
        List<Pending<T>> mine = items.stream().map(item -> new Pending<>(item, false)).toList();
        List<Pending<T>> taken;
        synchronized (lock) {
            queue.addAll(mine);
            boolean interrupted = false;
            // Never give up waiting: a leader may be writing these items right now.
            while (writing && !allDone(mine)) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            if (allDone(mine)) {
                mine.forEach(Pending::report);
                return;
            }
            writing = true;
            taken = queue;
            queue = new ArrayList<>();
        }
        try {
            write(taken);
        } finally {
            synchronized (lock) {
                for (Pending<T> pending : taken) {
                    if (!pending.done) {
                        fail(pending, new IllegalStateException("the group commit ended without writing this item"));
                    }
                    if (pending.deferred) {
                        deferredUnwritten--;
                    }
                }
                writing = false;
                lock.notifyAll();
            }
        }
        mine.forEach(Pending::report);
    }

    private static boolean allDone(List<? extends Pending<?>> pendings) {
        return pendings.stream().allMatch(p -> p.done);
    }

    /** Items queued for the next write (not the one running): for tests that need a batch to form. */
    public int queued() {
        synchronized (lock) {
            return queue.size();
        }
    }

    private void write(List<Pending<T>> queued) {
        // A flush's marker (no item) is done when the items queued before it are.
        queued.stream().filter(p -> p.item == null).forEach(Pending::succeed);
        List<Pending<T>> items = queued.stream().filter(p -> p.item != null).toList();
        if (items.isEmpty()) {
            return;
        }
        try {
            batch.write(items.stream().map(p -> p.item).toList());
            items.forEach(Pending::succeed);
        } catch (Exception e) {
            if (!isolateFailures || items.size() == 1) {
                items.forEach(p -> fail(p, e));
                return;
            }
            for (Pending<T> pending : items) {
                try {
                    batch.write(List.of(pending.item));
                    pending.succeed();
                } catch (Exception alone) {
                    fail(pending, alone);
                }
            }
        } catch (Error e) {
            items.forEach(p -> fail(p, e));
            throw e;
        }
    }

    /** A caller hears of its failure from {@link Pending#report}; a deferred item's goes to the handler. */
    private void fail(Pending<T> pending, Throwable failure) {
        pending.fail(failure);
        if (pending.deferred) {
            try {
                deferredFailed.accept(pending.item, failure);
            } catch (RuntimeException handlerFailed) {
                failure.addSuppressed(handlerFailed);
            }
        }
    }

    /** One caller's item and how its write ended (the leader sets the failure first, then done). */
    private static final class Pending<T> {
        final T item;
        /** No caller waits for it. */
        final boolean deferred;
        volatile boolean done;
        volatile Throwable failure;

        Pending(T item, boolean deferred) {
            this.item = item;
            this.deferred = deferred;
        }

        void succeed() {
            done = true;
        }

        void fail(Throwable cause) {
            failure = cause;
            done = true;
        }

        void report() {
            if (failure instanceof RuntimeException e) {
                throw e;
            }
            if (failure instanceof Error e) {
                throw e;
            }
            if (failure != null) {
                throw new IllegalStateException(failure.getMessage(), failure);
            }
        }
    }
}
