package io.jclsync.fs;

import java.util.Map;

/** The little JSON jclsync writes (status, counters, conflict hooks): string quoting and flat objects. */
public final class Json {
    private Json() {}

    /** {@code s} as a JSON string: quotes, backslashes and control characters escaped. */
    public static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            if (ch == '"' || ch == '\\') sb.append('\\').append(ch);
            else if (ch < 0x20) sb.append(String.format("\\u%04x", (int) ch));
            else sb.append(ch);
        }
        return sb.append('"').toString();
    }

    /** A flat object of numbers, in the map's order: {@code {"a": 1, "b": 2}}. */
    public static String object(Map<String, Long> values) {
        StringBuilder sb = new StringBuilder("{");
        values.forEach((k, v) -> sb.append(sb.length() > 1 ? ", " : "").append(quote(k)).append(": ").append(v));
        return sb.append('}').toString();
    }
}
