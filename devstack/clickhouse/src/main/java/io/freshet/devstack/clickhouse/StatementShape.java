package io.freshet.devstack.clickhouse;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * What the HTTP layer must know about a statement before running it, read with a small lexer that
 * skips literals, quoted names and comments (never a full parser: the engine parses for real):
 * <ul>
 *   <li>for {@code INSERT ... FORMAT f} or {@code INSERT ... VALUES}: where the statement head ends
 *   and where the inline data starts, so the data can be streamed instead of parsed as SQL text;</li>
 *   <li>otherwise: the output format named by a {@code FORMAT} clause, and whether the text holds
 *   more than one statement (ClickHouse's HTTP interface refuses that).</li>
 * </ul>
 * Offsets are byte offsets: the text is read as ISO-8859-1, which maps every byte to one char, and
 * every keyword is ASCII.
 *
 * @param keyword          the first word, upper-cased ("SELECT", "INSERT", ...), or "" for none
 * @param empty            true when the text holds nothing but blanks and comments
 * @param complete         false when the text ended inside the head (a literal or comment still open,
 *                         or an INSERT whose FORMAT clause was cut off)
 * @param insertFormat     the input format of an INSERT that carries data, else null
 * @param insertHeadEnd    the offset where FORMAT/VALUES begins (the head sent to the engine ends here)
 * @param insertDataStart  the offset where the data begins
 * @param outputFormat     the format named by a non-INSERT statement's FORMAT clause, else null
 * @param multiStatement   true when another statement follows a top-level semicolon
 * @param sessionBound     true when the statement must run in a session of its own: it changes the session
 *                         (SET, USE, a word TEMPORARY at the top level), it is an INSERT with its own SETTINGS
 *                         clause, to which the request's settings cannot be added, or it was not read whole
 */
record StatementShape(String keyword, boolean empty, boolean complete, String insertFormat, int insertHeadEnd,
                      int insertDataStart, String outputFormat, boolean multiStatement, boolean sessionBound) {

    boolean insertsData() {
        return insertFormat != null;
    }

    static StatementShape of(byte[] text, int length) {
        return new Lexer(text, length).shape();
    }

    private static final class Lexer {
        private final byte[] text;
        private final int length;
        private int pos;

        Lexer(byte[] text, int length) {
            this.text = text;
            this.length = length;
        }

        StatementShape shape() {
            String keyword = "";
            String outputFormat = null;
            boolean sawSelect = false;
            boolean ended = false;
            boolean sawToken = false;
            boolean sawSettings = false;
            boolean sawTemporary = false;
            int depth = 0;
            while (true) {
                if (!skipBlanksAndComments()) {
                    return incomplete(keyword);
                }
                if (pos >= length || ended) {
                    boolean bound = sawTemporary || keyword.equals("SET") || keyword.equals("USE");
                    return new StatementShape(keyword, !sawToken, true, null, -1, -1, outputFormat, pos < length, bound);
                }
                char c = at(pos);
                sawToken = true;
                if (c == ';' && depth == 0) {
                    ended = true;
                    pos++;
                } else if (c == '(' || c == '[' || c == '{') {
                    depth++;
                    pos++;
                } else if (c == ')' || c == ']' || c == '}') {
                    depth--;
                    pos++;
                } else if (c == '\'' || c == '"' || c == '`') {
                    if (!skipQuoted(c)) {
                        return incomplete(keyword);
                    }
                } else if (c == '$' && heredocTagEnd() > 0) {
                    if (!skipHeredoc()) {
                        return incomplete(keyword);
                    }
                } else if (isWordStart(c)) {
                    int start = pos;
                    String word = readWord();
                    if (keyword.isEmpty()) {
                        keyword = word;
                    }
                    if (depth != 0) {
                        continue;
                    }
                    if (word.equals("SELECT") || word.equals("WITH")) {
                        sawSelect = true;
                    }
                    sawSettings |= word.equals("SETTINGS");
                    sawTemporary |= word.equals("TEMPORARY");
                    if (keyword.equals("INSERT") && word.equals("FORMAT")) {
                        return insertWithFormat(start, sawSettings || sawTemporary);
                    }
                    if (keyword.equals("INSERT") && word.equals("VALUES") && !sawSelect) {
                        return new StatementShape(keyword, false, true, "Values", start, pos, null, false,
                                sawSettings || sawTemporary);
                    }
                    if (word.equals("FORMAT")) {
                        String format = formatClauseName();
                        if (format != null) {
                            outputFormat = format;
                        }
                    }
                } else {
                    pos++;
                }
            }
        }

        /** After {@code INSERT ... FORMAT}: the format name, then the data, as ClickHouse's parser finds it. */
        private StatementShape insertWithFormat(int formatStart, boolean sessionBound) {
            if (!skipBlanksAndComments() || pos >= length || !isWordStart(at(pos))) {
                return incomplete("INSERT");
            }
            String format = readName();
            if (pos >= length) {
                // The text may have been cut right after the name: only the caller knows if more follows.
                return new StatementShape("INSERT", false, true, format, formatStart, pos, null, false, sessionBound);
            }
            // Data starts after spaces and at most one line break: a binary body is never trimmed further.
            while (pos < length && (at(pos) == ' ' || at(pos) == '\t' || at(pos) == '\f')) {
                pos++;
            }
            if (pos < length && at(pos) == '\r') {
                pos++;
            }
            if (pos < length && at(pos) == '\n') {
                pos++;
            }
            return new StatementShape("INSERT", false, true, format, formatStart, pos, null, false, sessionBound);
        }

        /**
         * The name after a FORMAT word, if it is the output clause: only SETTINGS, a semicolon or the end
         * may follow it. That keeps a column or function called {@code format} from being taken for one.
         */
        private String formatClauseName() {
            int afterKeyword = pos;
            if (!skipBlanksAndComments() || pos >= length || !isWordStart(at(pos))) {
                pos = afterKeyword;
                return null;
            }
            String name = readName();
            int afterName = pos;
            boolean clause = skipBlanksAndComments()
                    && (pos >= length || at(pos) == ';' || (isWordStart(at(pos)) && readWord().equals("SETTINGS")));
            pos = afterName;
            if (!clause) {
                pos = afterKeyword;
                return null;
            }
            return name;
        }

        private StatementShape incomplete(String keyword) {
            return new StatementShape(keyword, false, false, null, -1, -1, null, false, true);
        }

        /** @return false if a comment is still open at the end of the text */
        private boolean skipBlanksAndComments() {
            while (pos < length) {
                char c = at(pos);
                if (Character.isWhitespace(c)) {
                    pos++;
                } else if (c == '-' && pos + 1 < length && at(pos + 1) == '-') {
                    skipLine();
                } else if (c == '#' && pos + 1 < length && (at(pos + 1) == ' ' || at(pos + 1) == '!')) {
                    skipLine();
                } else if (c == '/' && pos + 1 < length && at(pos + 1) == '*') {
                    if (!skipBlockComment()) {
                        return false;
                    }
                } else {
                    return true;
                }
            }
            return true;
        }

        private void skipLine() {
            while (pos < length && at(pos) != '\n') {
                pos++;
            }
        }

        /** ClickHouse block comments nest. */
        private boolean skipBlockComment() {
            int nesting = 0;
            while (pos + 1 < length) {
                if (at(pos) == '/' && at(pos + 1) == '*') {
                    nesting++;
                    pos += 2;
                } else if (at(pos) == '*' && at(pos + 1) == '/') {
                    nesting--;
                    pos += 2;
                    if (nesting == 0) {
                        return true;
                    }
                } else {
                    pos++;
                }
            }
            pos = length;
            return false;
        }

        /** Literals and quoted names: backslash escapes, or the quote doubled. */
        private boolean skipQuoted(char quote) {
            pos++;
            while (pos < length) {
                char c = at(pos);
                if (c == '\\') {
                    pos += 2;
                } else if (c == quote) {
                    if (pos + 1 < length && at(pos + 1) == quote) {
                        pos += 2;
                    } else {
                        pos++;
                        return true;
                    }
                } else {
                    pos++;
                }
            }
            return false;
        }

        /** The end of a {@code $tag$} opener at pos, or -1. */
        private int heredocTagEnd() {
            int i = pos + 1;
            while (i < length && (Character.isLetterOrDigit(at(i)) || at(i) == '_')) {
                i++;
            }
            return i < length && at(i) == '$' ? i + 1 : -1;
        }

        private boolean skipHeredoc() {
            int tagEnd = heredocTagEnd();
            String tag = new String(text, pos, tagEnd - pos, StandardCharsets.ISO_8859_1);
            pos = tagEnd;
            while (pos + tag.length() <= length) {
                if (at(pos) == '$' && tag.equals(new String(text, pos, tag.length(), StandardCharsets.ISO_8859_1))) {
                    pos += tag.length();
                    return true;
                }
                pos++;
            }
            pos = length;
            return false;
        }

        private String readWord() {
            return readName().toUpperCase(Locale.ROOT);
        }

        private String readName() {
            int start = pos;
            while (pos < length && isWordPart(at(pos))) {
                pos++;
            }
            return new String(text, start, pos - start, StandardCharsets.ISO_8859_1);
        }

        private char at(int index) {
            return (char) (text[index] & 0xFF);
        }

        private static boolean isWordStart(char c) {
            return c < 128 && (Character.isLetter(c) || c == '_');
        }

        private static boolean isWordPart(char c) {
            return c < 128 && (Character.isLetterOrDigit(c) || c == '_');
        }
    }
}
