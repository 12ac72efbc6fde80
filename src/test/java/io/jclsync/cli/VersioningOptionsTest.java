package io.jclsync.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --versioning}, {@code --versions-dir} and {@code jclsync versions}: every mistake is refused (exit 2) and named. */
class VersioningOptionsTest {
    @TempDir
    Path tmp;
    Path src;
    Path dst;

    @BeforeEach
    void dirs() throws IOException {
        src = Files.createDirectories(tmp.resolve("src"));
        dst = Files.createDirectories(tmp.resolve("dst"));
    }

    private void fails(String expected, String... args) {
        StringWriter err = new StringWriter();
        var cl = Main.commandLine();
        cl.setErr(new PrintWriter(err));
        cl.setOut(new PrintWriter(new StringWriter()));
        int code = cl.execute(args);
        assertEquals(2, code, err.toString());
        assertTrue(err.toString().contains(expected), "expected '" + expected + "' in:\n" + err);
    }

    private String[] oneWay(String... more) {
        String[] base = {"-W", src.toString(), "-D", dst.toString()};
        String[] out = Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, out, base.length, more.length);
        return out;
    }

    @Test
    void badPoliciesAndDirsAreNamed() throws IOException {
        String v = tmp.resolve("v").toString();
        fails("--versioning 'weekly': unknown kind 'weekly'; expected none, trash[:DAYS]",
                oneWay("--versioning", "weekly", "--versions-dir", v));
        fails("'0' is not a number of versions from 1", oneWay("--versioning", "simple:0", "--versions-dir", v));
        fails("--versioning needs --versions-dir in rsyncdirect mode", oneWay("--versioning", "trash"));
        fails("--versions-dir without versioning", oneWay("--versions-dir", v));
        fails("and the watch dir " + src + " overlap", oneWay("--versioning", "trash", "--versions-dir", src.resolve("v").toString()));
        fails("and the destination " + dst + " overlap", oneWay("--versioning", "trash", "--versions-dir", dst.resolve("v").toString()));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), Files.createDirectories(tmp.resolve("real")));
        fails("is a symlink", oneWay("--versioning", "trash", "--versions-dir", link.toString()));
        fails("rsyncshell hands each change to your script", "-W", src.toString(), "-M", "rsyncshell", "-S", "/bin/true",
                "--versioning", "trash");
        fails("give --versions-dir as rsync's --backup-dir on the remote", "-W", src.toString(), "-D", "backup:/srv/tree",
                "--versioning", "trash", "--versions-dir", "versions");
        fails("use --versioning trash there", "-W", src.toString(), "-D", "backup:/srv/tree",
                "--versioning", "simple:3", "--versions-dir", "../versions");
    }

    @Test
    void versionsCommandMistakes() throws IOException {
        Path v = Files.createDirectories(tmp.resolve("v"));
        fails("no versions dir at " + tmp.resolve("none"), "versions", "list", "--versions-dir", tmp.resolve("none").toString());
        fails("restore needs -W DIR", "versions", "restore", "a.txt", "--versions-dir", v.toString());
        fails("--at yesterday: not a time", "versions", "restore", "a.txt", "--at", "yesterday", "--to",
                tmp.resolve("out").toString(), "--versions-dir", v.toString());
        Files.writeString(tmp.resolve("exists"), "x");
        fails("exists: give a new path", "versions", "restore", "a.txt", "--to", tmp.resolve("exists").toString(),
                "--versions-dir", v.toString());
        fails("'..' component", "versions", "restore", "../a.txt", "-W", src.toString(), "--versions-dir", v.toString());
    }
}
