package dev.pgpulse.query;

/**
 * One statement of a SQL script, as {@link SqlScript#split} found it.
 *
 * @param text      what to send to the server: from the statement's first token to its last, comments inside
 *                  kept, the terminating {@code ;} and the comments and blanks around it left out
 * @param start     offset of {@code text}'s first character in the script (so a server error position,
 *                  1-based within {@code text}, is {@code start + position - 1} in the script)
 * @param end       offset just after {@code text}'s last character in the script ({@code text.length() == end - start})
 * @param startLine 1-based line of {@code start} in the script
 */
public record SqlStatement(String text, int start, int end, int startLine) {
    public SqlStatement {
        if (text == null) {
            throw new IllegalArgumentException("text must not be null");
        }
        if (start < 0 || end < start || text.length() != end - start) {
            throw new IllegalArgumentException("start and end must frame text (0 <= start <= end, end - start == "
                    + text.length() + "), but were " + start + " and " + end);
        }
        if (startLine < 1) {
            throw new IllegalArgumentException("startLine is 1-based, but was " + startLine);
        }
    }
}
