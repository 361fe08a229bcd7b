package dev.pgpulse.health.alert;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * PgPulse's alert rules as a Prometheus alerting rules file over the agent's {@code /metrics} names, so a team that
 * runs Prometheus and Alertmanager gets the same rules there ({@code pgpulse alerts export --format prometheus}).
 * One group {@code pgpulse}; per rule {@code alert: PgPulse<CamelCaseId>}, {@code expr} the key's PromQL
 * ({@link #expression}) compared with the threshold, {@code for}, {@code keep_firing_for} (half of {@code for}: the
 * engine's hold-down, Prometheus 2.42+), labels {@code severity} and {@code rule_id}, annotations {@code summary}
 * (the rule's name) and {@code description} (the engine's alert message, {@code key = value > threshold}).
 * <p>
 * Rules not exported are a comment in their place naming the rule and why: disabled ones (unless asked for), and
 * any whose key has no series on /metrics. The text depends on the rules only (no time stamp), so exporting twice
 * gives the same file; every string is a YAML double-quoted scalar, escaped, so a rule's name can hold anything.
 */
public final class PrometheusRules {
    public static final String GROUP = "pgpulse";

    /** A rule left out of the file, and why (a comment in the file says the same). */
    public record Skipped(String ruleId, String reason) {
        public Skipped {
            Objects.requireNonNull(ruleId, "ruleId");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** The rules file's text, and what it left out. */
    public record Export(String yaml, int exported, List<Skipped> skipped) {
        public Export {
            Objects.requireNonNull(yaml, "yaml");
            skipped = List.copyOf(skipped);
        }
    }

    /** An export target that is no file to replace: a folder, a FIFO or device, a link to nowhere. */
    public static final class OutputRefused extends java.io.IOException {
        OutputRefused(String why) {
            super(why);
        }
    }

    private PrometheusRules() {
    }

    /**
     * Writes an export to {@code file}, replaced atomically ({@link dev.pgpulse.config.AtomicFile}, its mode kept).
     * A symbolic link is written through (the link stays, its target gets the rules: a rules folder of links into a
     * checkout keeps working); a folder, FIFO, device or socket is refused, never replaced by a regular file (an
     * atomic rename over {@code /dev/null} or a pipe someone reads would swap it for a file).
     *
     * @return the file written (the link's target for a link)
     * @throws OutputRefused saying what the target is and what to give instead
     */
    public static java.nio.file.Path write(java.nio.file.Path file, Export export) throws java.io.IOException {
        java.nio.file.Path target = file.toAbsolutePath();
        if (java.nio.file.Files.isSymbolicLink(target)) {
            try {
                target = target.toRealPath();
            } catch (java.nio.file.NoSuchFileException e) {
                throw new OutputRefused(file + " is a symbolic link to " + java.nio.file.Files.readSymbolicLink(target)
                        + ", which does not exist; point it at a file, or give the file itself");
            }
        }
        if (java.nio.file.Files.exists(target)) {
            java.nio.file.attribute.BasicFileAttributes a = java.nio.file.Files.readAttributes(target,
                    java.nio.file.attribute.BasicFileAttributes.class);
            if (a.isDirectory()) {
                throw new OutputRefused(file + " is a folder; give a file in it, such as "
                        + file.resolve("pgpulse-rules.yml"));
            }
            if (!a.isRegularFile()) {
                throw new OutputRefused(file + " is not a regular file (a device, FIFO or socket), which an export "
                        + "would replace; give a regular file instead");
            }
        }
        dev.pgpulse.config.AtomicFile.write(target, export.yaml().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                dev.pgpulse.config.AtomicFile.Mode.KEEP_EXISTING);
        return target;
    }

    /**
     * @param includeDisabled export disabled rules too (they are written as they are, enabled in Prometheus: a rules
     *                        file has no "disabled")
     */
    public static Export export(List<AlertRule> rules, boolean includeDisabled) {
        StringBuilder y = new StringBuilder();
        y.append("# PgPulse alert rules for Prometheus, written by `pgpulse alerts export --format prometheus`.\n")
                .append("# The expressions read the PgPulse agent's /metrics names (`pgpulse agent`); scrape it at\n")
                .append("# health.interval or faster, and at most every 15s for the rates and per-minute counts.\n")
                .append("groups:\n")
                .append("  - name: ").append(quote(GROUP)).append('\n');
        List<String> body = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        int exported = 0;
        for (AlertRule r : rules) {
            Optional<String> expr = expression(r.metric());
            String why = !r.enabled() && !includeDisabled ? "is disabled (export it with --include-disabled)"
                    : expr.isEmpty() ? "watches " + r.metric() + ", which no series on the agent's /metrics carries"
                    : null;
            if (why != null) {
                skipped.add(new Skipped(r.id(), why));
                // the id is a slug: safe in a comment, where the name (any characters) would not be
                body.add("      # skipped: rule '" + r.id() + "' " + why + "\n");
                continue;
            }
            body.add(rule(r, expr.get()));
            exported++;
        }
        y.append(exported == 0 ? "    rules: []\n" : "    rules:\n");
        body.forEach(y::append);
        return new Export(y.toString(), exported, skipped);
    }

    /**
     * The PromQL of a rule's metric key ({@code pool.*.awaiting}, {@code server.rollback_ratio}), in the key's
     * unit, one series per subject; empty when no series on /metrics carries the key.
     */
    public static Optional<String> expression(String metricKey) {
        return PrometheusExpressions.of(metricKey);
    }

    /** Whether every documented key has an expression (the ones that do not: {@link #unmapped()}). */
    public static List<String> unmapped() {
        return MetricKeys.DOCUMENTED.stream().filter(k -> !PrometheusExpressions.mapped(k)).toList();
    }

    /** The rule's condition: the expression compared with the threshold, NaN never firing (as in the engine). */
    static String condition(AlertRule r, String expr) {
        String t = number(r.threshold());
        if (r.operator() == Operator.NE) {
            // NaN != x holds in PromQL but not in the engine: x == x drops NaN first
            return "(" + expr + " == " + expr + ") != " + t;
        }
        return expr + " " + r.operator().symbol() + " " + t;
    }

    /** {@code PgPulse} and the id in CamelCase, split at '-', '.' and '_': {@code breaker-open} is PgPulseBreakerOpen. */
    public static String alertName(String id) {
        StringBuilder s = new StringBuilder("PgPulse");
        for (String part : id.split("[-._]")) {
            if (!part.isEmpty()) {
                s.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
            }
        }
        return s.toString();
    }

    /** A Prometheus duration: {@code 1h30m}, {@code 2s500ms}, {@code 0s}. */
    static String duration(Duration d) {
        long ms = d.toMillis();
        if (ms == 0) {
            return "0s";
        }
        StringBuilder s = new StringBuilder();
        long[] sizes = {86_400_000, 3_600_000, 60_000, 1_000, 1};
        String[] units = {"d", "h", "m", "s", "ms"};
        for (int i = 0; i < sizes.length; i++) {
            if (ms >= sizes[i]) {
                s.append(ms / sizes[i]).append(units[i]);
                ms %= sizes[i];
            }
        }
        return s.toString();
    }

    /** A threshold as PromQL writes it: plain digits, no exponent ({@code 1500000000}, {@code 0.8}, {@code -1}). */
    static String number(double v) {
        return new BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString();
    }

    private static String rule(AlertRule r, String expr) {
        StringBuilder y = new StringBuilder();
        y.append("      - alert: ").append(quote(alertName(r.id()))).append('\n');
        y.append("        expr: ").append(quote(condition(r, expr))).append('\n');
        if (!r.forDuration().isZero()) {
            y.append("        for: ").append(quote(duration(r.forDuration()))).append('\n');
            Duration holdDown = r.forDuration().dividedBy(2);
            if (holdDown.toMillis() > 0) {
                y.append("        keep_firing_for: ").append(quote(duration(holdDown))).append('\n');
            }
        }
        y.append("        labels:\n");
        y.append("          severity: ").append(quote(r.severity().json())).append('\n');
        y.append("          rule_id: ").append(quote(r.id())).append('\n');
        y.append("        annotations:\n");
        y.append("          summary: ").append(quote(literalInTemplate(r.name()))).append('\n');
        y.append("          description: ").append(quote(description(r))).append('\n');
        return y.toString();
    }

    /**
     * The engine's message with Prometheus' template values: {@code pool.{{ $labels.endpoint }}.awaiting = {{ $value }}
     * > 0 for 30s}, a {@code *} in the key standing for the subject's label.
     */
    static String description(AlertRule r) {
        String key = r.metric();
        String documented = PrometheusExpressions.documented(key).orElse(key);
        if (key.contains("*")) {
            String label = documented.contains("<operation>") ? "operation" : "endpoint";
            key = key.replace("*", "{{ $labels." + label + " }}");
        }
        return key + " = {{ $value }} " + r.operator().symbol() + " " + number(r.threshold())
                + (r.forDuration().isZero() ? "" : " for " + duration(r.forDuration()));
    }

    /**
     * Text that Prometheus' Go templates print as it is: {@code {{} opens an action there, so each one becomes an action
     * printing it. A rule's name may hold one; it must neither break the file nor run as a template.
     */
    static String literalInTemplate(String text) {
        return text.replace("{{", "{{ \"{{\" }}");
    }

    /** A YAML double-quoted scalar: backslash, quote, control and line-breaking characters escaped. */
    static String quote(String s) {
        StringBuilder q = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> q.append("\\\"");
                case '\\' -> q.append("\\\\");
                case '\n' -> q.append("\\n");
                case '\r' -> q.append("\\r");
                case '\t' -> q.append("\\t");
                default -> {
                    if (Character.isSurrogate(c)) {
                        // a pair is one character, written as it is; a lone half cannot be written in UTF-8
                        boolean paired = Character.isHighSurrogate(c) && i + 1 < s.length()
                                && Character.isLowSurrogate(s.charAt(i + 1));
                        if (paired) {
                            q.append(c).append(s.charAt(++i));
                        } else {
                            q.append('\uFFFD');
                        }
                        continue;
                    }
                    // C0, DEL, C1 (U+0085 breaks a line in YAML), the Unicode line and paragraph separators, the BOM,
                    // and the two non-characters YAML's reader refuses raw ("control characters are not allowed")
                    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029' || c == '\uFEFF'
                            || c == '\uFFFE' || c == '\uFFFF') {
                        q.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        q.append(c);
                    }
                }
            }
        }
        return q.append('"').toString();
    }
}
