package io.jclsync.cli;

import io.jclsync.config.ConfigException;
import io.jclsync.config.ConfigFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Turns a config file block ({@code -H FILE -K BLOCK}, as in clsync) into command-line arguments
 * placed before the user's own. An option given on the command line replaces the file's setting
 * of it (lists included). Without {@code -H}, {@code ~/.jclsync.conf} then
 * {@code /etc/jclsync/jclsync.conf} are used if they exist; without {@code -K}, block
 * {@code [default]} (if the file has one). Each setting is checked on its own, so a bad key or
 * value is reported with its file and line.
 */
final class ConfigArgs {
    static final String DEFAULT_BLOCK = "default";

    private ConfigArgs() {}

    static List<Path> defaultFiles() {
        return List.of(Path.of(System.getProperty("user.home"), ".jclsync.conf"), Path.of("/etc/jclsync/jclsync.conf"));
    }

    static String[] expand(String[] args) throws ConfigException {
        return expand(args, defaultFiles());
    }

    static String[] expand(String[] args, List<Path> defaults) throws ConfigException {
        CommandLine cl = Main.commandLine();
        CommandSpec spec = cl.getCommandSpec();
        if (args.length > 0 && spec.subcommands().containsKey(args[0])) return args;
        String file = value(args, "-H", "--config-file");
        String block = value(args, "-K", "--config-block");
        Path path = file != null ? Path.of(file) : defaults.stream().filter(Files::isRegularFile).findFirst().orElse(null);
        if (path == null) {
            if (block != null) throw new ConfigException("-K " + block + " needs a config file: -H FILE, ~/.jclsync.conf or /etc/jclsync/jclsync.conf");
            return args;
        }
        ConfigFile config = ConfigFile.parse(path);
        String name = block != null ? block : DEFAULT_BLOCK;
        if (block == null && !config.has(name)) {
            if (file == null) return args; // a default file without a [default] block: nothing to apply
            // A --ctl-socket host may be given the file for its trees' blocks only.
            if (value(args, "--ctl-socket", "--ctl-socket") != null) return args;
            throw new ConfigException(path + " has no [" + DEFAULT_BLOCK + "] block: name one with -K BLOCK");
        }
        Set<OptionSpec> onCommandLine = optionsIn(args, spec);
        List<String> out = new ArrayList<>();
        for (ConfigFile.Setting s : config.resolve(name)) {
            OptionSpec o = spec.findOption("--" + s.key());
            if (o == null || s.key().equals("config-file") || s.key().equals("config-block")) {
                throw new ConfigException(s.where() + ": unknown key '" + s.key() + "' (keys are jclsync's long option "
                        + "names without the dashes; see jclsync --help)");
            }
            if (onCommandLine.contains(o)) continue;
            if (o.typeInfo().isBoolean()) {
                if (bool(s)) out.add("--" + s.key());
                continue;
            }
            String arg = "--" + s.key() + "=" + s.value();
            try {
                cl.parseArgs(arg); // checks this one value; each parse starts from the defaults again
            } catch (CommandLine.ParameterException e) {
                throw new ConfigException(s.where() + ": " + e.getMessage());
            }
            out.add(arg);
        }
        out.addAll(List.of(args));
        return out.toArray(String[]::new);
    }

    private static boolean bool(ConfigFile.Setting s) throws ConfigException {
        return switch (s.value().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1", "on" -> true;
            case "false", "no", "0", "off" -> false;
            default -> throw new ConfigException(s.where() + ": " + s.key() + " is a switch: true or false, not '" + s.value() + "'");
        };
    }

    /** The value of an option given as "-H X", "-HX", "--config-file X" or "--config-file=X". */
    private static String value(String[] args, String shortName, String longName) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if ((a.equals(shortName) || a.equals(longName)) && i + 1 < args.length) return args[i + 1];
            if (a.startsWith(longName + "=")) return a.substring(longName.length() + 1);
            if (a.startsWith(shortName) && a.length() > 2 && !a.startsWith("--")) return a.substring(2);
        }
        return null;
    }

    private static Set<OptionSpec> optionsIn(String[] args, CommandSpec spec) {
        Set<OptionSpec> out = new HashSet<>();
        for (String a : args) {
            String name = a.startsWith("--") ? a.split("=", 2)[0] : a.startsWith("-") && a.length() >= 2 ? a.substring(0, 2) : null;
            OptionSpec o = name == null ? null : spec.findOption(name);
            if (o != null) out.add(o);
        }
        return out;
    }
}
