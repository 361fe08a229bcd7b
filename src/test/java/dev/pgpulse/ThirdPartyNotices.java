package dev.pgpulse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads packaging/THIRD-PARTY.txt as license-maven-plugin's add-third-party writes it, one line a dependency:
 * {@code     (Licence A) (Licence B) Name (group:artifact:version - url)}.
 */
final class ThirdPartyNotices {
    static final Path FILE = Path.of("packaging/THIRD-PARTY.txt");
    private static final Pattern LINE = Pattern.compile(
            "^\\s+((?:\\([^)]*\\)\\s*)+)\\S.* \\(([^:() ]+):([^:() ]+):([^:() ]+)(?: - [^)]*)?\\)\\s*$", Pattern.MULTILINE);

    private ThirdPartyNotices() {
    }

    /** group:artifact:version -> its licences as listed, e.g. "(EPL-2.0) (LGPL-2.1-only)". */
    static Map<String, String> read(Path file) throws IOException {
        Map<String, String> listed = new LinkedHashMap<>();
        var m = LINE.matcher(Files.readString(file));
        while (m.find()) {
            listed.put(m.group(2) + ":" + m.group(3) + ":" + m.group(4), m.group(1).strip());
        }
        return listed;
    }

    /** Whether a licence is named: the plugin writes "(Unknown license)" for a POM that declares none. */
    static boolean named(String licences) {
        return !licences.isBlank() && !licences.toLowerCase(java.util.Locale.ROOT).contains("unknown");
    }
}
