package dev.pgpulse.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What of a URL may reach a message, a log line or {@code pgpulse config}. A database URL keeps scheme, host,
 * port and path (its path is the database name, which a DBA needs to see); a password in the user info, every
 * query value ({@code ?token=...}, {@code ?password=...}) and the fragment are masked. An http(s) URL is a
 * webhook, and is shown as {@link #webhook(String)} shows it: scheme, host and port only.
 *
 * <p>The input may be malformed (that is usually why it is in a message), so this works on the text and
 * errs towards masking: with no {@code @}, anything after a colon in the authority that is not a port
 * number may be a password ({@code postgresql://u:S3cr3t}), and everything from that colon on is masked; an
 * {@code @} after a {@code ?} or {@code #} may be inside a query value, so then all but the scheme is masked.
 */
public final class Redact {
    public static final String MASK = "********";
    /** Stands for a webhook's path, query and fragment. */
    public static final String ELIDED = "/…";

    /** A URL inside free text: an exception's message, an argument picocli echoes. */
    private static final Pattern URL_IN_TEXT = Pattern.compile(
            "(?i)(?:jdbc:postgresql:|\\b[a-z][a-z0-9+.-]*://)[^\\s'\"<>]*");
    private static final Pattern PASSWORD_IN_TEXT = Pattern.compile("(?i)(password=)[^&\\s'\"]*");
    /** A host name, IPv4 or bracketed IPv6 address, and an optional port: nothing else is shown of a broken URL. */
    private static final Pattern HOST_PORT = Pattern.compile("(?:[A-Za-z0-9.-]+|\\[[0-9A-Fa-f:.]+])(?::[0-9]{1,5})?");

    private Redact() {
    }

    public static String url(URI uri) {
        return url(uri.toString());
    }

    public static String url(String url) {
        int schemeEnd = url.indexOf("://");
        int start = schemeEnd >= 0 ? schemeEnd + 3 : 0;
        String scheme = schemeEnd >= 0 ? url.substring(0, schemeEnd).toLowerCase(Locale.ROOT) : "";
        if (scheme.equals("http") || scheme.equals("https")) {
            return webhook(url);
        }
        StringBuilder out = new StringBuilder(url.substring(0, start));
        String rest = url.substring(start);
        // The last '@': a password may hold an unencoded '@', '/' or '?', so any earlier one may be inside it.
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = rest.substring(0, at);
            if (userInfo.indexOf('?') >= 0 || userInfo.indexOf('#') >= 0) {
                // The '@' may be inside a query value or the fragment (?password=a@b): what follows it may be the
                // rest of a secret, and nothing tells the two readings apart.
                return out.append(MASK).toString();
            }
            int colon = userInfo.indexOf(':');
            String user = colon >= 0 ? userInfo.substring(0, colon) : userInfo;
            // A '/' before the colon: not a user name but a host and path, and the '@' is in the path.
            out.append(user.indexOf('/') >= 0 ? MASK : colon >= 0 ? user + ":" + MASK : user);
            out.append('@');
            rest = rest.substring(at + 1);
        } else if (schemeEnd >= 0) {
            int colon = nonPortColon(rest);
            if (colon >= 0) {
                return out.append(rest, 0, colon + 1).append(MASK).toString();
            }
        }
        int hash = rest.indexOf('#');
        String fragment = hash >= 0 ? rest.substring(hash) : "";
        rest = hash >= 0 ? rest.substring(0, hash) : rest;
        int q = rest.indexOf('?');
        if (q < 0) {
            out.append(rest);
        } else {
            out.append(rest, 0, q + 1);
            String[] pairs = rest.substring(q + 1).split("&", -1);
            for (int i = 0; i < pairs.length; i++) {
                int eq = pairs[i].indexOf('=');
                out.append(i == 0 ? "" : "&").append(eq >= 0 ? pairs[i].substring(0, eq + 1) + MASK
                        : pairs[i].isEmpty() ? "" : MASK);
            }
        }
        if (!fragment.isEmpty()) {
            out.append('#').append(MASK);
        }
        return out.toString();
    }

    public static String webhook(URI uri) {
        return webhook(uri.toString());
    }

    /**
     * A webhook URL as a message may show it: {@code scheme://host[:port]/…}. Slack
     * ({@code /services/T../B../token}), Discord ({@code /api/webhooks/id/token}), Teams and most other
     * receivers put the secret in the path itself, so the path, query, fragment and user info are all left
     * out; a bare {@code /} is kept, since it hides nothing. Works on malformed text too (then it is usually
     * in a problem): what cannot be read as a host and port is masked.
     */
    public static String webhook(String url) {
        String text = url.strip();
        try {
            URI uri = new URI(text);
            if (uri.getScheme() != null && uri.getHost() != null) {
                String path = uri.getRawPath() == null ? "" : uri.getRawPath();
                boolean bare = (path.isEmpty() || path.equals("/")) && uri.getRawQuery() == null
                        && uri.getRawFragment() == null;
                return uri.getScheme().toLowerCase(Locale.ROOT) + "://" + uri.getHost()
                        + (uri.getPort() >= 0 ? ":" + uri.getPort() : "") + (bare ? path : ELIDED);
            }
        } catch (URISyntaxException e) {
            // read as text below
        }
        int schemeEnd = text.indexOf("://");
        boolean hasScheme = schemeEnd > 0 && text.substring(0, schemeEnd).matches("[A-Za-z][A-Za-z0-9+.-]*");
        String rest = hasScheme ? text.substring(schemeEnd + 3) : text;
        int end = authorityEnd(rest);
        String authority = rest.substring(0, end);
        String host = authority.substring(authority.lastIndexOf('@') + 1);
        // An '@' further on means the user info held a '/', '?' or '#': what stands before them is not a host.
        boolean readable = HOST_PORT.matcher(host).matches() && rest.indexOf('@', end) < 0;
        return (hasScheme ? text.substring(0, schemeEnd).toLowerCase(Locale.ROOT) + "://" : "")
                + (readable ? host : MASK) + (end < rest.length() ? ELIDED : "");
    }

    /**
     * Every URL in {@code text} redacted as by {@link #url(String)} (so an http(s) one as a webhook), and any
     * {@code password=...}.
     */
    public static String urlsIn(String text) {
        if (text == null) {
            return null;
        }
        Matcher m = URL_IN_TEXT.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, Matcher.quoteReplacement(url(m.group())));
        }
        m.appendTail(sb);
        return PASSWORD_IN_TEXT.matcher(sb.toString()).replaceAll("$1" + Matcher.quoteReplacement(MASK));
    }

    /** The colon in the authority (before the first / ? #) whose tail is not a port number, or -1. */
    private static int nonPortColon(String rest) {
        int end = authorityEnd(rest);
        String authority = rest.substring(0, end);
        // host:port,host:port is libpq's multi-host form: every tail must be a port.
        int offset = 0;
        for (String hostPort : authority.split(",", -1)) {
            int from = hostPort.startsWith("[") ? Math.max(hostPort.indexOf(']'), 0) : 0;
            int colon = hostPort.indexOf(':', from);
            if (colon >= 0 && !hostPort.substring(colon + 1).matches("[0-9]*")) {
                return offset + colon;
            }
            offset += hostPort.length() + 1;
        }
        return -1;
    }

    /** Where the authority of {@code rest} (a URL after its {@code scheme://}) ends: the first / ? or #. */
    private static int authorityEnd(String rest) {
        int end = rest.length();
        for (char c : new char[] {'/', '?', '#'}) {
            int i = rest.indexOf(c);
            if (i >= 0 && i < end) {
                end = i;
            }
        }
        return end;
    }
}
