package io.jclsync.cli;

import io.jclsync.config.Mode;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

final class ModeConverter implements ITypeConverter<Mode> {
    @Override
    public Mode convert(String value) {
        for (Mode m : Mode.values()) {
            if (m.cliName().equals(value.toLowerCase(Locale.ROOT))) return m;
        }
        throw new TypeConversionException("unknown mode '" + value + "'; use one of "
                + Arrays.stream(Mode.values()).map(Mode::cliName).collect(Collectors.joining(", ")));
    }
}

/** Seconds, with a fraction if wanted: {@code 1}, {@code 0.5}. */
final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        try {
            double seconds = Double.parseDouble(value);
            if (seconds < 0 || Double.isNaN(seconds) || Double.isInfinite(seconds)) throw new NumberFormatException();
            return Duration.ofNanos((long) (seconds * 1e9));
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + value + "' is not a number of seconds");
        }
    }
}

/** Bytes, with an optional K, M or G (binary) suffix. */
final class SizeConverter implements ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
        String v = value.trim().toUpperCase(Locale.ROOT);
        long unit = 1;
        if (v.endsWith("K")) unit = 1L << 10;
        else if (v.endsWith("M")) unit = 1L << 20;
        else if (v.endsWith("G")) unit = 1L << 30;
        if (unit > 1) v = v.substring(0, v.length() - 1);
        try {
            long n = Long.parseLong(v);
            if (n < 0) throw new NumberFormatException();
            return Math.multiplyExact(n, unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new TypeConversionException("'" + value + "' is not a size in bytes (e.g. 1048576, 512K, 128M)");
        }
    }
}

/** {@code host:port}, e.g. {@code 127.0.0.2:7800}. */
final class HostPort implements ITypeConverter<InetSocketAddress> {
    @Override
    public InetSocketAddress convert(String value) {
        int colon = value.lastIndexOf(':');
        if (colon <= 0) throw new TypeConversionException("'" + value + "' is not HOST:PORT");
        int port;
        try {
            port = Integer.parseInt(value.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + value + "': the port is not a number");
        }
        if (port < 1 || port > 65535) throw new TypeConversionException("'" + value + "': port out of range");
        InetSocketAddress a = new InetSocketAddress(value.substring(0, colon), port);
        if (a.isUnresolved()) throw new TypeConversionException("'" + value + "': unknown host");
        return a;
    }
}
