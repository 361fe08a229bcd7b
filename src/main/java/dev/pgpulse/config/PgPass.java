package dev.pgpulse.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * libpq's password file: lines of {@code hostname:port:database:username:password}, {@code *} matching
 * anything in the first four fields, {@code \:} and {@code \\} as escapes, {@code #} comments, first match
 * wins. Like libpq, a file readable by group or others is ignored with a warning.
 */
final class PgPass {

    record Match(String password, int line) {
        @Override
        public String toString() {
            return "Match[line=" + line + ", password=" + Setting.MASK + "]";
        }
    }

    private PgPass() {
    }

    static Optional<Match> lookup(Path file, String host, int port, String database, String user,
                                  List<String> warnings) {
        if (!Files.isRegularFile(file)) {
            if (Files.exists(file)) {
                warnings.add("password file " + file + " is not a plain file and was ignored, as libpq does");
            }
            return Optional.empty();
        }
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            if (perms.stream().anyMatch(p -> p.name().startsWith("GROUP_") || p.name().startsWith("OTHERS_"))) {
                warnings.add("password file " + file + " has group or world access ("
                        + PosixFilePermissions.toString(perms) + ") and was ignored, as libpq does; fix it with: chmod 0600 "
                        + file);
                return Optional.empty();
            }
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: libpq skips the check there too
        } catch (IOException e) {
            warnings.add("password file " + file + " could not be read (" + e.getMessage() + ") and was ignored");
            return Optional.empty();
        }
        List<String> lines;
        try {
            lines = SmallFile.readString(file, SmallFile.DEFAULT_LIMIT).lines().toList();
        } catch (IOException e) {
            warnings.add("password file " + file + " could not be read (" + e.getMessage() + ") and was ignored");
            return Optional.empty();
        }
        String portText = Integer.toString(port);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            List<String> fields = split(line);
            if (fields.size() < 5) {
                continue;
            }
            if (matches(fields.get(0), host) && matches(fields.get(1), portText) && matches(fields.get(2), database)
                    && matches(fields.get(3), user)) {
                return Optional.of(new Match(fields.get(4), i + 1));
            }
        }
        return Optional.empty();
    }

    private static boolean matches(String pattern, String value) {
        return pattern.equals("*") || pattern.equals(value);
    }

    /** Splits the first four fields on unescaped colons; the fifth (the password) is the rest of the line. */
    static List<String> split(String line) {
        List<String> fields = new ArrayList<>(5);
        StringBuilder current = new StringBuilder();
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\' && i + 1 < line.length()) {
                current.append(line.charAt(++i));
            } else if (c == ':' && fields.size() < 4) {
                fields.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        fields.add(current.toString());
        return fields;
    }
}
