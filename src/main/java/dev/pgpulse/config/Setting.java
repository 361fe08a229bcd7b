package dev.pgpulse.config;

/**
 * One resolved configuration value and where it came from, for {@code pgpulse config}.
 * {@code displayValue} is already masked when the key holds a secret.
 */
public record Setting(String key, String displayValue, ConfigSource source) {

    static final String MASK = Redact.MASK;

    static Setting of(String key, String rawValue, ConfigSource source) {
        return new Setting(key, isSecret(key) ? MASK : rawValue, source);
    }

    static boolean isSecret(String key) {
        return key.endsWith("password");
    }
}
