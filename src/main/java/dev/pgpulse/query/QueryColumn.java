package dev.pgpulse.query;

import java.sql.Types;
import java.util.Locale;
import java.util.Objects;

/**
 * A column of a result as the server described it.
 *
 * @param name     the column's label
 * @param typeName PostgreSQL's type name as the driver reports it ({@code int4}, {@code numeric},
 *                 {@code timestamptz}, {@code jsonb}, {@code _int4} for an array of int4, {@code bytea})
 * @param jdbcType the {@link Types} constant
 */
public record QueryColumn(String name, String typeName, int jdbcType) {
    public QueryColumn {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(typeName, "typeName");
    }

    /** Numbers, shown right-aligned. */
    public boolean numeric() {
        return switch (jdbcType) {
            case Types.TINYINT, Types.SMALLINT, Types.INTEGER, Types.BIGINT, Types.REAL, Types.FLOAT, Types.DOUBLE,
                 Types.NUMERIC, Types.DECIMAL -> true;
            default -> false;
        } || typeName.equalsIgnoreCase("oid");
    }

    public boolean array() {
        return jdbcType == Types.ARRAY || typeName.startsWith("_");
    }

    public boolean json() {
        String t = typeName.toLowerCase(Locale.ROOT);
        return t.equals("json") || t.equals("jsonb");
    }

    public boolean bytea() {
        return typeName.equalsIgnoreCase("bytea");
    }

    public boolean timestamp() {
        String t = typeName.toLowerCase(Locale.ROOT);
        return t.equals("timestamptz") || t.equals("timestamp") || t.equals("date") || t.equals("timetz")
                || t.equals("time");
    }

    /** The type as a DBA writes it: {@code int4[]} for {@code _int4}. */
    public String displayType() {
        return typeName.startsWith("_") ? typeName.substring(1) + "[]" : typeName;
    }
}
