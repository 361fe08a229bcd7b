package dev.pgpulse.resilience;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A bounded in-memory log of {@link ResilienceEvent}s plus listeners. A listener that throws is logged and
 * skipped: it never breaks the call that published the event.
 */
public final class EventLog {
    private static final Logger LOG = LoggerFactory.getLogger(EventLog.class);
    public static final int DEFAULT_CAPACITY = 500;

    private final int capacity;
    private final ArrayDeque<ResilienceEvent> events;
    private final List<Consumer<? super ResilienceEvent>> listeners = new CopyOnWriteArrayList<>();

    public EventLog(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, but was " + capacity);
        }
        this.capacity = capacity;
        this.events = new ArrayDeque<>(capacity);
    }

    public void publish(ResilienceEvent event) {
        synchronized (events) {
            if (events.size() == capacity) {
                events.removeFirst();
            }
            events.addLast(event);
        }
        for (Consumer<? super ResilienceEvent> l : listeners) {
            try {
                l.accept(event);
            } catch (RuntimeException e) {
                LOG.warn("event listener {} failed on {}: {}", l, event, e.toString());
            }
        }
    }

    /** @return a handle that removes the listener */
    public AutoCloseable subscribe(Consumer<? super ResilienceEvent> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** Oldest first. */
    public List<ResilienceEvent> recent() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }
}
