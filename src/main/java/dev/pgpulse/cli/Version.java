package dev.pgpulse.cli;

import picocli.CommandLine;

final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = Version.class.getPackage().getImplementationVersion();
        return new String[] {"PgPulse " + (v == null ? "development build" : v), "Java ${java.version} (${java.vendor})"};
    }
}
