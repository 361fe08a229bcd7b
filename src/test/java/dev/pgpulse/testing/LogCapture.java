package dev.pgpulse.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import java.util.List;

/** Captures one logger's events for the duration of a test; close it to detach. */
public final class LogCapture implements AutoCloseable {
    private final Logger logger;
    private final Level previousLevel;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    public LogCapture(String loggerName) {
        logger = (Logger) LoggerFactory.getLogger(loggerName);
        previousLevel = logger.getLevel();
        // The assertions need INFO and above whatever logback-test.xml says.
        if (!logger.isInfoEnabled()) {
            logger.setLevel(Level.INFO);
        }
        appender.setContext(logger.getLoggerContext());
        appender.start();
        logger.addAppender(appender);
    }

    public LogCapture(Class<?> type) {
        this(type.getName());
    }

    /**
     * A copy taken under the appender's lock: events arrive on pool and housekeeper threads while the test
     * thread reads, and AppenderBase appends while holding that same lock.
     */
    public List<ILoggingEvent> events() {
        synchronized (appender) {
            return List.copyOf(appender.list);
        }
    }

    public List<ILoggingEvent> events(Level level, String messagePart) {
        return events().stream()
                .filter(e -> e.getLevel() == level && e.getFormattedMessage().contains(messagePart))
                .toList();
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
        logger.setLevel(previousLevel);
    }
}
