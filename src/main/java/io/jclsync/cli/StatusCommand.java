package io.jclsync.cli;

import io.jclsync.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Prints a cluster node's counters (announced, received, pulled, echoes suppressed). */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Print a cluster node's counters from its --state-dir.")
final class StatusCommand implements Callable<Integer> {
    @Option(names = "--state-dir", required = true, paramLabel = "DIR", description = "The node's --state-dir.")
    Path stateDir;

    @Option(names = "--json", description = "Print the counters as JSON.")
    boolean json;

    @Override
    public Integer call() throws ConfigException {
        String text;
        try {
            text = Files.readString(stateDir.resolve("counters.json"));
        } catch (NoSuchFileException e) {
            throw new ConfigException("no counters in " + stateDir + ": is it the --state-dir of a node started with -M cluster?");
        } catch (IOException e) {
            throw new ConfigException("cannot read " + stateDir.resolve("counters.json") + ": " + e.getMessage());
        }
        if (json) {
            System.out.print(text);
            return 0;
        }
        Matcher m = Pattern.compile("\"([a-z_]+)\": (\\d+)").matcher(text);
        while (m.find()) System.out.printf("%-20s %s%n", m.group(1).replace('_', ' '), m.group(2));
        return 0;
    }
}
