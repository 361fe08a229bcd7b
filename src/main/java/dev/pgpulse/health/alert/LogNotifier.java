package dev.pgpulse.health.alert;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes each alert as one log line starting with the rule id, so that a grep for the id finds its history:
 * ERROR for critical, WARN for warning, INFO for info and for every RESOLVED (a recovery is not a problem).
 */
public final class LogNotifier implements AlertNotifier {
    private final Logger log;

    public LogNotifier() {
        this(LoggerFactory.getLogger(LogNotifier.class));
    }

    /** @param log where the lines go, for an application that routes alerts to their own appender */
    public LogNotifier(Logger log) {
        this.log = log;
    }

    @Override
    public void send(Alert a) {
        String format = "{} - {} {} [{}]: {}";
        Object[] args = {a.ruleId(), a.state(), a.severity().json(), a.subject(), a.message()};
        if (a.state() == AlertState.RESOLVED) {
            log.info(format, args);
            return;
        }
        switch (a.severity()) {
            case CRITICAL -> log.error(format, args);
            case WARNING -> log.warn(format, args);
            case INFO -> log.info(format, args);
        }
    }
}
