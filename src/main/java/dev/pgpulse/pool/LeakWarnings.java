package dev.pgpulse.pool;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.micrometer.core.instrument.Counter;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts HikariCP's leak-detection warnings per pool. HikariCP has no meter for them, only a WARN from
 * {@code com.zaxxer.hikari.pool.ProxyLeakTask} that names the connection, not the pool; the task runs on the pool's
 * housekeeper thread ("{@code <pool name>:housekeeper}"), which tells the pool. One appender, added beside the
 * logger's others (the warning is still logged as before), serves every pool that {@link #track}s a counter.
 */
final class LeakWarnings extends AppenderBase<ILoggingEvent> {
    static final String LOGGER = "com.zaxxer.hikari.pool.ProxyLeakTask";
    private static final String HOUSEKEEPER = ":housekeeper";
    private static final LeakWarnings INSTANCE = install();

    private final Map<String, Counter> byPool = new ConcurrentHashMap<>();

    private LeakWarnings() {
    }

    private static LeakWarnings install() {
        LeakWarnings appender = new LeakWarnings();
        if (LoggerFactory.getLogger(LOGGER) instanceof Logger logger) {
            appender.setContext(logger.getLoggerContext());
            appender.setName("pgpulse-leak-warnings");
            appender.start();
            logger.addAppender(appender);
        }
        return appender;
    }

    /** From now on a leak warning of the pool named poolName counts in counter. */
    static void track(String poolName, Counter counter) {
        INSTANCE.byPool.put(poolName, counter);
    }

    /** Stops counting for the pool, unless another pool of that name has taken its place since. */
    static void untrack(String poolName, Counter counter) {
        INSTANCE.byPool.remove(poolName, counter);
    }

    @Override
    protected void append(ILoggingEvent event) {
        String thread = event.getThreadName();
        if (thread == null || !thread.endsWith(HOUSEKEEPER)
                || !event.getMessage().startsWith("Connection leak detection triggered")) {
            return;
        }
        Counter counter = byPool.get(thread.substring(0, thread.length() - HOUSEKEEPER.length()));
        if (counter != null) {
            counter.increment();
        }
    }
}
