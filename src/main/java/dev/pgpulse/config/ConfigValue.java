package dev.pgpulse.config;

/** A raw value as given, with its source; typed and checked later, in one place. */
record ConfigValue(String raw, ConfigSource source) {
    /** Never prints the raw value: the key is not known here, and it may be a password. */
    @Override
    public String toString() {
        return "ConfigValue[" + source + "]";
    }
}
