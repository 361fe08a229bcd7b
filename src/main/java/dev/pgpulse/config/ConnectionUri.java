package dev.pgpulse.config;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the two URL forms PostgreSQL users hand around: libpq's connection URI
 * ({@code postgresql://user:secret@host:5432/db?sslmode=require}) and pgjdbc's
 * ({@code jdbc:postgresql://host:5432/db?user=app}) into the configuration's endpoint keys:
 * host, port, database, user, password, sslmode, application_name, connect_timeout.
 *
 * <p>Several hosts ({@code postgresql://app@db1:5432,db2:5433/app}) come out as libpq's own variables hold them:
 * {@code host} {@code db1,db2} and {@code port} {@code 5432,5433}, an empty entry where a host has no port (libpq's
 * default port). A primary's {@code target_session_attrs} ({@code read-write} or {@code primary}, or pgjdbc's
 * {@code targetServerType=primary}) comes out as {@code target_session_attrs}; other values are refused, since the
 * primary endpoint takes writes.
 */
final class ConnectionUri {
    static final String EXPECTED = "postgresql://[user[:password]@]host[:port][,host[:port]...]/database[?sslmode=...] "
            + "or jdbc:postgresql://host[:port][,host[:port]...]/database";
    /** The key of a primary's target_session_attrs in {@link Parsed#parts()}: its value is always {@code read-write}. */
    static final String TARGET_SESSION_ATTRS = "target_session_attrs";

    private static final Pattern LIBPQ = Pattern.compile("(?i)postgres(?:ql)?://([^/?#]*)(?:/([^?#]*))?(?:\\?([^#]*))?");
    private static final Pattern JDBC = Pattern.compile("(?i)jdbc:postgresql:(?://([^/?#]*))?/?([^?#]*)(?:\\?([^#]*))?");
    private static final Pattern HOST_PORT = Pattern.compile("(\\[[^\\]]+\\]|[^:\\[\\]]*)(?::(.*))?");

    private static final Pattern SCHEME = Pattern.compile("(?i)postgres(?:ql)?://|jdbc:postgresql:");
    private static final Pattern LIST_SEPARATOR = Pattern.compile("\\s*,[\\s,]*(?=(?i)(?:postgres(?:ql)?://|jdbc:postgresql:))");

    /** libpq URI query parameters and our key for each. */
    private static final Map<String, String> LIBPQ_PARAMS = Map.of(
            "host", "host", "port", "port", "dbname", "database", "user", "user", "password", "password",
            "sslmode", "sslmode", "application_name", "application_name", "connect_timeout", "connect_timeout",
            TARGET_SESSION_ATTRS, TARGET_SESSION_ATTRS);
    /** pgjdbc property names (case-sensitive in pgjdbc; matched ignoring case here) and our key for each. */
    private static final Map<String, String> JDBC_PARAMS = Map.of(
            "user", "user", "password", "password", "sslmode", "sslmode",
            "applicationname", "application_name", "connecttimeout", "connect_timeout",
            "targetservertype", TARGET_SESSION_ATTRS);

    record Parsed(Map<String, String> parts, List<String> warnings) {
    }

    private ConnectionUri() {
    }

    /** @throws IllegalArgumentException with a reason a person can act on (no password in it) */
    static Parsed parse(String url) {
        String trimmed = url.trim();
        Matcher libpq = LIBPQ.matcher(trimmed);
        if (libpq.matches()) {
            return parseLibpq(libpq);
        }
        Matcher jdbc = JDBC.matcher(trimmed);
        if (jdbc.matches()) {
            return parseJdbc(jdbc);
        }
        if (SCHEME.matcher(trimmed).lookingAt() && trimmed.indexOf('#') >= 0) {
            throw new IllegalArgumentException("has a '#', which ends a URL's address (what follows is a fragment, not "
                    + "read); percent-encode a '#' in the user, password or a value as %23");
        }
        throw new IllegalArgumentException("not a PostgreSQL URL");
    }

    private static Parsed parseLibpq(Matcher m) {
        Map<String, String> parts = new LinkedHashMap<>();
        String authority = m.group(1);
        if (!authority.contains("@") && (contains(m.group(2), '@') || contains(m.group(3), '@'))) {
            // A password with an unencoded '/' or '?' cuts the authority short; say so without echoing it.
            throw new IllegalArgumentException("has an '@' after the host; percent-encode special characters in "
                    + "the user or password (/ as %2F, ? as %3F, @ as %40)");
        }
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = authority.substring(0, at);
            authority = authority.substring(at + 1);
            int colon = userInfo.indexOf(':');
            String user = decode(colon >= 0 ? userInfo.substring(0, colon) : userInfo);
            if (!user.isEmpty()) {
                parts.put("user", user);
            }
            if (colon >= 0) {
                parts.put("password", decode(userInfo.substring(colon + 1)));
            }
        }
        hostAndPort(authority, parts);
        if (m.group(2) != null && !m.group(2).isEmpty()) {
            parts.put("database", decode(m.group(2)));
        }
        List<String> warnings = new ArrayList<>();
        for (var param : query(m.group(3))) {
            String key = LIBPQ_PARAMS.get(param.getKey().toLowerCase(Locale.ROOT));
            if (key == null) {
                throw new IllegalArgumentException("unsupported URI parameter " + shown(param.getKey()) + " (supported: "
                        + String.join(", ", new java.util.TreeSet<>(LIBPQ_PARAMS.keySet())) + ")");
            }
            parts.put(key, key.equals(TARGET_SESSION_ATTRS) ? targetSessionAttrs(param.getKey(), param.getValue())
                    : param.getValue());
        }
        return new Parsed(parts, warnings);
    }

    private static Parsed parseJdbc(Matcher m) {
        Map<String, String> parts = new LinkedHashMap<>();
        if (m.group(1) != null && m.group(1).contains("@")) {
            throw new IllegalArgumentException("has user or password before the host, which JDBC URLs do not take; "
                    + "use ?user=...&password=... or a postgresql:// URL");
        }
        if (m.group(1) != null) {
            hostAndPort(m.group(1), parts);
        }
        if (m.group(2) != null && !m.group(2).isEmpty()) {
            parts.put("database", decode(m.group(2)));
        }
        List<String> warnings = new ArrayList<>();
        for (var param : query(m.group(3))) {
            String key = JDBC_PARAMS.get(param.getKey().toLowerCase(Locale.ROOT));
            if (key == null) {
                warnings.add("JDBC URL property " + shown(param.getKey()) + " is not used by PgPulse and was ignored");
                continue;
            }
            parts.put(key, key.equals(TARGET_SESSION_ATTRS) ? targetSessionAttrs(param.getKey(), param.getValue())
                    : param.getValue());
        }
        return new Parsed(parts, warnings);
    }

    /**
     * libpq's {@code read-write} and {@code primary} (the same for a primary: a server not in recovery that takes
     * writes), pgjdbc's {@code primary} and {@code master}; anything else would let the primary endpoint's writes reach
     * a standby, or pick one at random.
     */
    private static String targetSessionAttrs(String name, String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.equals("read-write") || v.equals("primary") || v.equals("master")) {
            return "read-write";
        }
        throw new IllegalArgumentException(name + "=" + (v.matches("[a-z-]{1,32}") ? v : "(not shown)")
                + " is not taken: the primary endpoint takes writes, so only read-write or primary (the same here) "
                + "may be asked for; give standbys to read from as replicas (DATABASE_READ_URLS, --replica)");
    }

    /**
     * One {@code host[:port]} or libpq's list of them: {@code host} and {@code port} then hold comma-separated lists,
     * as PGHOST and PGPORT would (a port left out is an empty entry).
     */
    private static void hostAndPort(String authority, Map<String, String> parts) {
        String[] entries = authority.split(",", -1);
        List<String> hosts = new ArrayList<>();
        List<String> ports = new ArrayList<>();
        for (String entry : entries) {
            Matcher hp = HOST_PORT.matcher(entry);
            if (!hp.matches()) {
                // Not quoted: with no '@' before it, the authority may be user:password.
                throw new IllegalArgumentException("has a malformed host:port (an IPv6 address goes in brackets: [::1]:5432)");
            }
            String host = hp.group(1);
            if (host.startsWith("[")) {
                host = host.substring(1, host.length() - 1);
            }
            String port = hp.group(2) == null ? "" : hp.group(2);
            if (!port.isEmpty() && !port.matches("\\d{1,5}")) {
                throw new IllegalArgumentException("has a port that is not a number from 1 to 65535; percent-encode "
                        + "special characters in the password (/ as %2F, ? as %3F, @ as %40)");
            }
            hosts.add(decode(host));
            ports.add(port);
        }
        if (hosts.size() > 1 && hosts.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("lists several hosts with an empty one among them; write each as "
                    + "host[:port], separated by commas");
        }
        if (hosts.stream().anyMatch(h -> h.indexOf(',') >= 0)) {
            throw new IllegalArgumentException("has a host name holding a comma (%2C), which a host list cannot hold");
        }
        if (!hosts.getFirst().isEmpty()) {
            parts.put("host", String.join(",", hosts));
        }
        if (ports.stream().anyMatch(p -> !p.isEmpty())) {
            parts.put("port", String.join(",", ports));
        }
    }

    /** A parameter's name, quoted, when it is one: "password:hunter2" (a typed ':' for '=') is not shown. */
    private static String shown(String name) {
        return name.matches("[A-Za-z0-9_.-]{1,64}") ? "'" + name + "'" : "(a name that is not letters, digits, "
                + "'_', '.' or '-': not shown, it may hold a value; write name=value)";
    }

    private static boolean contains(String s, char c) {
        return s != null && s.indexOf(c) >= 0;
    }

    private static List<Map.Entry<String, String>> query(String query) {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        if (query == null || query.isEmpty()) {
            return out;
        }
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = decode(eq >= 0 ? pair.substring(0, eq) : pair);
            String v = eq >= 0 ? decode(pair.substring(eq + 1)) : "";
            out.add(Map.entry(k, v));
        }
        return out;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("has a malformed percent-escape (write % as %25)");
        }
    }

    /**
     * Splits a comma-separated list of URLs (DATABASE_READ_URLS) only where a new URL starts: a comma inside a
     * password ({@code postgresql://u:a,b@h/db}) stays in it. A password holding ",postgresql://" cannot be told
     * apart; percent-encode its comma as %2C.
     */
    static List<String> splitList(String list) {
        String trimmed = list.replaceAll("^[\\s,]+|[\\s,]+$", "");
        return Arrays.stream(LIST_SEPARATOR.split(trimmed)).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /**
     * A comma between the user info and the query cannot belong to a password: in a list item it means the
     * list could not be split there (an item that is not a URL, or several hosts).
     */
    static boolean hasStrayComma(String url) {
        return url.substring(url.lastIndexOf('@') + 1).split("\\?", 2)[0].indexOf(',') >= 0;
    }

    /** Whether the URL carries a password (in its user info or query); false when it does not parse. */
    static boolean hasPassword(String url) {
        try {
            String pw = parse(url).parts().get("password");
            return pw != null && !pw.isEmpty();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * A libpq URI of {@code parts} (the keys {@link #parse} returns, less the password, which is never written),
     * which {@link #parse} reads back to the same parts: how the profiles dialog shows an endpoint a profile file gives
     * as fields.
     */
    static String format(Map<String, String> parts) {
        StringBuilder b = new StringBuilder("postgresql://");
        if (parts.containsKey("user")) {
            b.append(encode(parts.get("user"))).append('@');
        }
        // host and port may be libpq's lists ("db1,db2", "5432,5433", or one port for every host)
        String[] hosts = parts.getOrDefault("host", "").split(",", -1);
        String[] ports = parts.containsKey("port") ? parts.get("port").split(",", -1) : new String[0];
        for (int i = 0; i < hosts.length; i++) {
            b.append(i == 0 ? "" : ",").append(hosts[i].contains(":") ? "[" + hosts[i] + "]" : encode(hosts[i]));
            String port = ports.length == 0 ? "" : ports.length == 1 ? ports[0] : i < ports.length ? ports[i] : "";
            if (!port.isEmpty()) {
                b.append(':').append(port);
            }
        }
        if (parts.containsKey("database")) {
            b.append('/').append(encode(parts.get("database")));
        }
        String sep = "?";
        for (String key : List.of("sslmode", "application_name", "connect_timeout", TARGET_SESSION_ATTRS)) {
            if (parts.containsKey(key)) {
                b.append(sep).append(key).append('=').append(encode(parts.get(key)));
                sep = "&";
            }
        }
        return b.toString();
    }

    private static String encode(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** The URL as messages and logs may show it: see {@link Redact}. */
    static String mask(String url) {
        return Redact.url(url);
    }
}
