package io.github.provisioning.state;

import java.util.ArrayList;
import java.util.List;

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
    private final Object lock = new Object();
    /** Items waiting for the next write; guarded by {@link #lock}. */
    private List<Pending<T>> queue = new ArrayList<>();
    /** A leader is writing; guarded by {@link #lock}. */
    private boolean writing;

    /**
     * @param isolateFailures whether a failed batch of several items is written again one item at a time, so that
     *                        one bad item fails only its own caller (the batch must be all or nothing)
     */
    public GroupCommit(Batch<T> batch, boolean isolateFailures) {
        this.batch = batch;
        this.isolateFailures = isolateFailures;
    }

    /** Writes the item, with whatever else is queued; returns once it is durable, or throws the write's failure. */
    public void submit(T item) {
        Pending<T> mine = new Pending<>(item);
        List<Pending<T>> items;
        synchronized (lock) {
            queue.add(mine);
            boolean interrupted = false;
            // Never give up waiting: a leader may be writing this item right now.
            while (writing && !mine.done) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            if (mine.done) {
                mine.report();
                return;
            }
            writing = true;
            items = queue;
            queue = new ArrayList<>();
        }
        try {
            write(items);
        } finally {
            synchronized (lock) {
                for (Pending<T> pending : items) {
                    if (!pending.done) {
                        pending.fail(new IllegalStateException("the group commit ended without writing this item"));
                    }
                }
                writing = false;
                lock.notifyAll();
            }
        }
        mine.report();
    }

    /** Items queued for the next write (not the one running): for tests that need a batch to form. */
    public int queued() {
        synchronized (lock) {
            return queue.size();
        }
    }

    private void write(List<Pending<T>> items) {
        try {
            batch.write(items.stream().map(p -> p.item).toList());
            items.forEach(Pending::succeed);
        } catch (Exception e) {
            if (!isolateFailures || items.size() == 1) {
                items.forEach(p -> p.fail(e));
                return;
            }
            for (Pending<T> pending : items) {
                try {
                    batch.write(List.of(pending.item));
                    pending.succeed();
                } catch (Exception alone) {
                    pending.fail(alone);
                }
            }
        } catch (Error e) {
            items.forEach(p -> p.fail(e));
            throw e;
        }
    }

    /** One caller's item and how its write ended (the leader sets the failure first, then done). */
    private static final class Pending<T> {
        final T item;
        volatile boolean done;
        volatile Throwable failure;

        Pending(T item) {
            this.item = item;
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
