package io.jclsync.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Writes the man page {@code jclsync.1} (troff) from the picocli model, so it always lists the
 * options the program has. Run at build time: {@code ManPage OUTPUT_DIR}.
 */
public final class ManPage {
    private ManPage() {}

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : ".");
        Files.createDirectories(dir);
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(dir.resolve("jclsync.1"), StandardCharsets.UTF_8))) {
            write(Main.commandLine(), out);
        }
    }

    static void write(CommandLine cl, PrintWriter out) {
        CommandSpec spec = cl.getCommandSpec();
        out.println(".TH JCLSYNC 1 \"\" \"jclsync\" \"User Commands\"");
        out.println(".SH NAME");
        out.println("jclsync \\- " + escape(String.join(" ", spec.usageMessage().description())));
        out.println(".SH SYNOPSIS");
        out.println(".B jclsync");
        out.println("[\\fIOPTIONS\\fR] \\fB\\-W\\fR \\fIDIR\\fR [\\fB\\-D\\fR \\fIDEST\\fR]");
        out.println(".br");
        out.println(".B jclsync");
        out.println("\\fBdemo\\fR | \\fBstatus\\fR | \\fBmembers\\fR | \\fBctl\\fR | \\fBversions\\fR [\\fIOPTIONS\\fR]");
        out.println(".SH DESCRIPTION");
        out.println("jclsync watches a directory tree with inotify, collects changes into batches and moves them");
        out.println("with one rsync per batch: one way to a local or remote destination, to a handler script,");
        out.println("or, with \\fB\\-M cluster\\fR, in every direction between the nodes of a cluster.");
        out.println("Options may also come from a config file block (\\fB\\-H\\fR, \\fB\\-K\\fR); the command line overrides it.");
        out.println(".SH OPTIONS");
        for (OptionSpec o : spec.options()) {
            if (o.hidden()) continue;
            out.println(".TP");
            StringBuilder names = new StringBuilder();
            for (String n : o.names()) {
                if (names.length() > 0) names.append(", ");
                names.append("\\fB").append(escape(n)).append("\\fR");
            }
            if (o.arity().max() > 0 && !o.typeInfo().isBoolean()) names.append(" \\fI").append(escape(o.paramLabel())).append("\\fR");
            out.println(names);
            String desc = String.join(" ", o.description());
            if (o.defaultValue() != null && !o.typeInfo().isBoolean()) desc += " (default: " + o.defaultValue() + ")";
            out.println(escape(desc.isEmpty() ? "clsync option; see README." : desc));
        }
        out.println(".SH COMMANDS");
        for (var sub : spec.subcommands().entrySet()) {
            if (sub.getKey().equals("help")) continue;
            out.println(".TP");
            out.println("\\fB" + escape(sub.getKey()) + "\\fR");
            out.println(escape(String.join(" ", sub.getValue().getCommandSpec().usageMessage().description())));
        }
        out.println(".SH EXIT STATUS");
        for (var e : List.of("0 clean stop", "1 sync or watch failure", "2 bad options, configuration or rules")) {
            out.println(".TP");
            out.println("\\fB" + e.substring(0, 1) + "\\fR");
            out.println(e.substring(2));
        }
        out.println(".SH FILES");
        out.println("~/.jclsync.conf, /etc/jclsync/jclsync.conf (config blocks); STATE_DIR/index (cluster mode);");
        out.println("VERSIONS_DIR/files/DIR/NAME~YYYYMMDD\\-HHMMSS.mmm (\\fB\\-\\-versioning\\fR: old versions, UTC time kept).");
        out.println(".SH SEE ALSO");
        out.println("rsync(1), clsync(1); README.md and PROTOCOL.md in the source tree.");
    }

    /** Escapes troff's special characters; a leading dot or quote would start a request. */
    static String escape(String s) {
        String e = s.replace("\\", "\\e").replace("-", "\\-");
        if (e.startsWith(".") || e.startsWith("'")) e = "\\&" + e;
        return e;
    }
}
