package io.github.provisioning.sandbox.scim;

import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every request the sandbox received, in order of arrival (not completion), so parallel clients still read a
 * consistent story. Entries are added before the response is sent: once a client has its answer, the request is
 * visible here.
 */
final class RequestJournal {

    static final int UNBOUNDED = Integer.MAX_VALUE;

    private final int capacity;
    private final AtomicLong arrivals = new AtomicLong();
    private final AtomicInteger size = new AtomicInteger();
    private final ConcurrentSkipListMap<Long, RecordedRequest> entries = new ConcurrentSkipListMap<>();

    RequestJournal(int capacity) {
        this.capacity = capacity;
    }

    /** Called when a request arrives; its number fixes its place in the journal. */
    long arrival() {
        return arrivals.incrementAndGet();
    }

    void record(long arrival, RecordedRequest request) {
        if (capacity == 0) {
            return;
        }
        entries.put(arrival, request);
        if (size.incrementAndGet() > capacity && entries.pollFirstEntry() != null) {
            size.decrementAndGet();
        }
    }

    List<RecordedRequest> requests() {
        return List.copyOf(entries.values());
    }

    void clear() {
        entries.clear();
        size.set(0);
    }
}
