package dev.pgpulse.cli;

import dev.pgpulse.config.ConfigLoader;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;

/** One in-process run of the command line with its own environment, home folder and streams. */
record CliRun(int code, String out, String err) {
    static CliRun of(Map<String, String> env, Path home, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = PgPulseCli.run(new PgPulseCli.Context(new ConfigLoader(env, home, "tester", 2), new PrintWriter(out),
                new PrintWriter(err)), args);
        return new CliRun(code, out.toString(), err.toString());
    }
}
