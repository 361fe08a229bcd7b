package dev.pgpulse.query;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pgpulse.query.QueryHistory.Entry;
import dev.pgpulse.query.QueryHistory.Kind;
import dev.pgpulse.query.QueryHistory.Outcome;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/** The query history file's JSON, as {@link QueryHistory} documents it; compact, since no one edits it by hand. */
final class HistoryJson {
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private HistoryJson() {
    }

    static byte[] entry(Entry e) {
        try {
            return MAPPER.writeValueAsBytes(node(e));
        } catch (IOException ex) {
            throw new IllegalStateException("a history entry could not be written as JSON", ex);
        }
    }

    private static ObjectNode node(Entry e) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("statement", e.statement());
        o.put("endpoint", e.endpoint());
        o.put("ranAt", e.ranAt().toString());
        o.put("outcome", e.outcome().kind().name());
        o.put("count", e.outcome().count());
        if (e.outcome().sqlState() != null) {
            o.put("sqlState", e.outcome().sqlState());
        }
        o.put("durationMs", e.duration().toMillis());
        if (e.masked()) {
            o.put("masked", true);
        }
        return o;
    }

    static byte[] write(List<Entry> list) throws IOException {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("schemaVersion", QueryHistory.SCHEMA_VERSION);
        ArrayNode array = root.putArray("entries");
        for (Entry e : list) {
            array.add(node(e));
        }
        byte[] bytes = MAPPER.writeValueAsBytes(root);
        if (bytes.length > QueryHistory.FILE_LIMIT) {
            // bounded() keeps every list within the limit; never write what load() would refuse to read
            throw new IOException("the history came to " + bytes.length + " bytes, over the " + QueryHistory.FILE_LIMIT
                    + " it is read back with");
        }
        return bytes;
    }

    /** @throws IllegalArgumentException saying what is wrong, to follow the file's name */
    static List<Entry> parse(byte[] bytes) {
        JsonNode root;
        try {
            root = MAPPER.readTree(bytes);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("is not valid JSON (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot be parsed (" + e.getMessage() + ")");
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("does not hold a JSON object with \"schemaVersion\": "
                    + QueryHistory.SCHEMA_VERSION + " and \"entries\"");
        }
        JsonNode version = root.get("schemaVersion");
        if (version == null || !version.isIntegralNumber() || version.asLong() != QueryHistory.SCHEMA_VERSION) {
            throw new IllegalArgumentException("has " + (version == null ? "no \"schemaVersion\""
                    : "\"schemaVersion\" " + version) + "; expected " + QueryHistory.SCHEMA_VERSION);
        }
        JsonNode array = root.get("entries");
        if (array == null || !array.isArray()) {
            throw new IllegalArgumentException("has no \"entries\" array");
        }
        List<Entry> result = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            JsonNode n = array.get(i);
            try {
                Kind kind;
                try {
                    kind = Kind.valueOf(text(n, "outcome"));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("field 'outcome' is not one of ROWS, UPDATED, FAILED");
                }
                JsonNode count = n.get("count");
                JsonNode ms = n.get("durationMs");
                if (count == null || !count.isIntegralNumber() || ms == null || !ms.isIntegralNumber()) {
                    throw new IllegalArgumentException("fields 'count' and 'durationMs' must be whole numbers");
                }
                Outcome outcome = new Outcome(kind, count.asLong(),
                        n.hasNonNull("sqlState") ? n.get("sqlState").asText() : null);
                Instant ranAt;
                try {
                    ranAt = Instant.parse(text(n, "ranAt"));
                } catch (DateTimeParseException e) {
                    throw new IllegalArgumentException("field 'ranAt' is not an ISO-8601 UTC time");
                }
                // masked and cut again: the file is the user's and may have been edited by hand
                result.add(QueryHistory.kept(new Entry(text(n, "statement"), text(n, "endpoint"), ranAt, outcome,
                        Duration.ofMillis(ms.asLong()), n.path("masked").asBoolean(false))));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("has a bad entry at index " + i + " (" + e.getMessage() + ")");
            }
        }
        return result;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n == null ? null : n.get(field);
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException("field '" + field + "' is missing or not a text");
        }
        return v.asText();
    }
}
