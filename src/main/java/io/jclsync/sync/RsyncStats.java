package io.jclsync.sync;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the numbers jclsync logs from rsync's {@code --stats} output. */
final class RsyncStats {
    private static final Pattern SENT = Pattern.compile("(?m)^Total bytes sent: ([\\d,.]+)");
    private static final Pattern LITERAL = Pattern.compile("(?m)^Literal data: ([\\d,.]+)");

    private RsyncStats() {}

    static long bytesSent(String output) {
        return number(SENT, output);
    }

    static long literalBytes(String output) {
        return number(LITERAL, output);
    }

    private static long number(Pattern p, String output) {
        Matcher m = p.matcher(output);
        long value = 0;
        while (m.find()) value = Long.parseLong(m.group(1).replaceAll("[,.]", ""));
        return value;
    }
}
