package io.jclsync.versions;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;

/**
 * The name of one version in the store: the file's own name (raw bytes, as they were) followed by
 * {@code ~YYYYMMDD-HHMMSS.mmm}, the UTC time it was kept, to the millisecond. Versions of one path
 * sort by time as plain names do. The suffix is always the last 20 bytes, so a file whose own name
 * looks like a version ({@code a~20260101-000000.000}) is still read right: its versions carry a
 * second suffix, and only the last one is stripped.
 */
record VersionName(byte[] name, Instant time) {
    static final int SUFFIX_BYTES = 20;
    /** NAME_MAX on Linux file systems. */
    static final int MAX_NAME_BYTES = 255;
    private static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss.SSS").withZone(ZoneOffset.UTC);

    VersionName {
        time = time.truncatedTo(ChronoUnit.MILLIS);
    }

    /** The stored file name; throws when the name is too long for the suffix to fit. */
    byte[] encode() {
        if (name.length + SUFFIX_BYTES > MAX_NAME_BYTES) {
            throw new IllegalArgumentException("a name of " + name.length + " bytes leaves no room for the version's time ("
                    + SUFFIX_BYTES + " bytes, " + MAX_NAME_BYTES + " at most in all)");
        }
        byte[] suffix = ("~" + FORMAT.format(time)).getBytes(StandardCharsets.US_ASCII);
        byte[] out = Arrays.copyOf(name, name.length + suffix.length);
        System.arraycopy(suffix, 0, out, name.length, suffix.length);
        return out;
    }

    /** The version a stored name stands for, or null when it is not a version's name. */
    static VersionName decode(byte[] stored) {
        int at = stored.length - SUFFIX_BYTES;
        if (at < 1 || stored[at] != '~') return null;
        String stamp = new String(stored, at + 1, SUFFIX_BYTES - 1, StandardCharsets.ISO_8859_1);
        try {
            Instant time = FORMAT.parse(stamp, Instant::from);
            return new VersionName(Arrays.copyOf(stored, at), time);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** The time as it appears in a name and in {@code versions list}. */
    static String format(Instant time) {
        return FORMAT.format(time.truncatedTo(ChronoUnit.MILLIS));
    }

    /** A time as {@code versions restore --at} takes it: our own format or ISO-8601 ({@code 2026-01-02T15:04:05Z}). */
    static Instant parseTime(String text) {
        try {
            return FORMAT.parse(text, Instant::from);
        } catch (DateTimeParseException e) {
            return Instant.parse(text);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VersionName v && Arrays.equals(name, v.name) && time.equals(v.time);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(name) * 31 + time.hashCode();
    }
}
