package io.jclsync.cli;

import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import picocli.CommandLine.Option;

/** {@code -v}, {@code -d}, {@code -q} as a mixin, and the log setup they drive. */
public final class Verbosity {
    @Option(names = "-v", description = "More output: each batch's paths. Repeat (-vv) for more.")
    boolean[] verbose = new boolean[0];

    @Option(names = {"-d", "--debug"}, description = "Debug output (everything jclsync logs).")
    boolean[] debug = new boolean[0];

    @Option(names = {"-q", "--quiet"}, description = "Only warnings and errors.")
    boolean quiet;

    Level level() {
        if (debug.length > 0 || verbose.length > 1) return Level.FINEST;
        if (verbose.length == 1) return Level.FINE;
        if (quiet) return Level.WARNING;
        return Level.INFO;
    }

    /** Logs to stderr, one line a record; without timestamps under systemd, whose journal adds them. */
    void apply() {
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        ConsoleHandler handler = new ConsoleHandler();
        handler.setLevel(Level.ALL);
        handler.setFormatter(new LineFormatter(System.getenv("JOURNAL_STREAM") == null));
        root.addHandler(handler);
        root.setLevel(Level.WARNING);
        Logger.getLogger("io.jclsync").setLevel(level());
    }

    static final class LineFormatter extends Formatter {
        private final boolean timestamps;

        LineFormatter(boolean timestamps) {
            this.timestamps = timestamps;
        }

        @Override
        public String format(LogRecord r) {
            String level = switch (r.getLevel().getName()) {
                case "SEVERE" -> "ERROR";
                case "WARNING" -> "WARN";
                case "INFO" -> "INFO";
                default -> "DEBUG";
            };
            StringBuilder line = new StringBuilder();
            if (timestamps) line.append(String.format("%1$tF %1$tT.%1$tL ", r.getMillis()));
            line.append(level).append(' ').append(formatMessage(r)).append('\n');
            if (r.getThrown() != null && r.getLevel().intValue() < Level.INFO.intValue()) {
                line.append(r.getThrown()).append('\n');
            }
            return line.toString();
        }
    }
}
