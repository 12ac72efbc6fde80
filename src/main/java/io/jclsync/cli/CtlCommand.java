package io.jclsync.cli;

import io.jclsync.config.ConfigException;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jclsync ctl add NAME [DIR] [-K BLOCK] | remove NAME | list | status}: talks to a running {@code --ctl-socket} host. */
@Command(name = "ctl", mixinStandardHelpOptions = true,
        description = "Add, remove or list the trees of a running jclsync --ctl-socket host.")
final class CtlCommand implements Callable<Integer> {
    @Option(names = "--socket", paramLabel = "PATH", defaultValue = "/run/jclsync/ctl.sock",
            description = "The host's --ctl-socket (default /run/jclsync/ctl.sock).")
    Path socket;

    @Parameters(arity = "1..3", paramLabel = "REQUEST",
            description = "add NAME [DIR] | remove NAME | list | status (each tree's status as JSON, one line per tree)")
    List<String> request = new ArrayList<>();

    @Option(names = {"-K", "--config-block"}, paramLabel = "BLOCK",
            description = "With add: configure the tree by this block of the host's config file (its own destination, "
                    + "rules, delays, ...) instead of the host's options; DIR then defaults to the block's watch-dir.")
    String block;

    @Override
    public Integer call() throws ConfigException {
        List<String> words = new ArrayList<>(request);
        boolean add = words.get(0).equals("add");
        if (add && words.size() == 3) {
            words.set(2, Path.of(words.get(2)).toAbsolutePath().normalize().toString()); // the host has another cwd
        }
        if (block != null) {
            if (!add || words.size() < 2) throw new ConfigException("-K BLOCK goes with add NAME [DIR]");
            if (block.isBlank() || block.contains(" ")) throw new ConfigException("-K " + block + ": a block name has no spaces");
            words.set(0, "add-block");
            words.add(2, block);
        } else if (add && words.size() != 3) {
            throw new ConfigException("usage: jclsync ctl add NAME DIR, or add NAME [DIR] -K BLOCK");
        }
        for (String w : words) {
            if (w.contains("\n")) throw new ConfigException("a request cannot hold a newline");
        }
        String answer;
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            Channels.newOutputStream(ch).write((String.join(" ", words) + "\n").getBytes(StandardCharsets.UTF_8));
            answer = new String(Channels.newInputStream(ch).readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("cannot reach " + socket + " (" + e.getMessage() + "): is jclsync running with --ctl-socket "
                    + socket + ", and may this user open it?");
        }
        if (answer.startsWith("ok ")) {
            System.out.print(answer.substring(3));
            return 0;
        }
        System.err.print("jclsync ctl: " + (answer.startsWith("error ") ? answer.substring(6) : answer));
        return 1;
    }
}
