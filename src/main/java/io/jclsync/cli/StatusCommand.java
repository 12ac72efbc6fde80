package io.jclsync.cli;

import io.jclsync.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Prints what a running (or stopped) jclsync reported last: its state, queue, syncs, failures,
 * and in cluster mode its peers and counters. Reads the JSON the daemon keeps next to its
 * {@code --status-file} or in its {@code --state-dir}.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Print a jclsync's state, queue, last sync, failures and (cluster) peers and counters.")
final class StatusCommand implements Callable<Integer> {
    static final class Source {
        @Option(names = "--state-dir", paramLabel = "DIR", description = "A cluster node's --state-dir.")
        Path stateDir;

        @Option(names = "--status-file", paramLabel = "FILE", description = "The --status-file it was started with.")
        Path statusFile;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--json", description = "Print it as JSON (the fields are listed in README).")
    boolean json;

    @Override
    public Integer call() throws ConfigException {
        Path file = source.stateDir != null ? source.stateDir.resolve("status.json")
                : source.statusFile.resolveSibling(source.statusFile.getFileName() + ".json");
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException("no status in " + file + ": is jclsync running with "
                    + (source.stateDir != null ? "this --state-dir (-M cluster)?" : "this --status-file?"));
        } catch (IOException e) {
            throw new ConfigException("cannot read " + file + ": " + e.getMessage());
        }
        if (json) {
            System.out.print(text);
            return 0;
        }
        // One line per top-level field; nested objects as they are.
        String body = text.strip();
        body = body.substring(1, body.length() - 1);
        int depth = 0;
        boolean quoted = false;
        StringBuilder field = new StringBuilder();
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == '"' && (i == 0 || body.charAt(i - 1) != '\\')) quoted = !quoted;
            if (!quoted && (c == '{' || c == '[')) depth++;
            if (!quoted && (c == '}' || c == ']')) depth--;
            if (!quoted && depth == 0 && c == ',') {
                print(field.toString());
                field.setLength(0);
            } else {
                field.append(c);
            }
        }
        print(field.toString());
        return 0;
    }

    private static void print(String field) {
        String f = field.strip();
        int colon = f.indexOf("\": ");
        if (colon < 0) return;
        System.out.printf("%-18s %s%n", f.substring(1, colon).replace('_', ' '), f.substring(colon + 3).replace("\"", ""));
    }
}
