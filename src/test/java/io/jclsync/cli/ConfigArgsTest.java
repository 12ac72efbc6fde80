package io.jclsync.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jclsync.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigArgsTest {
    private static final String CONF = """
            # shared by every block
            [default]
            delay-collect = 5
            ignore-exitcode = 23,24
            retries = 7

            [web]
            config-block-inherits = default
            watch-dir = /srv/www
            destination-dir = "/backup/www"
            delay-collect = 2
            exit-on-no-events = yes

            [web-fast]
            config-block-inherits = web
            delay-collect = 0.5
            """;

    private static String[] expand(Path dir, String... args) throws ConfigException {
        return ConfigArgs.expand(args, List.of(dir.resolve("no-such-default.conf")));
    }

    private static Path conf(Path dir, String text) throws Exception {
        Path f = dir.resolve("jclsync.conf");
        Files.writeString(f, text);
        return f;
    }

    @Test
    void aBlockInheritsAndTheCommandLineOverrides(@TempDir Path dir) throws Exception {
        String f = conf(dir, CONF).toString();
        assertArrayEquals(new String[] {"--ignore-exitcode=23,24", "--retries=7", "--watch-dir=/srv/www",
                "--destination-dir=/backup/www", "--exit-on-no-events", "--delay-collect=0.5", "-H", f, "-K", "web-fast"},
                expand(dir, "-H", f, "-K", "web-fast"), "inherited first; each block overrides what it inherits");
        assertArrayEquals(new String[] {"--watch-dir=/srv/www", "--destination-dir=/backup/www",
                "--delay-collect=2", "--exit-on-no-events", "--config-file=" + f, "-Kweb", "-r", "1", "-x", "12"},
                expand(dir, "--config-file=" + f, "-Kweb", "-r", "1", "-x", "12"),
                "-r and -x on the command line replace the file's retries and ignore-exitcode (a list)");
        assertArrayEquals(new String[] {"--delay-collect=5", "--ignore-exitcode=23,24", "--retries=7", "-H", f},
                expand(dir, "-H", f), "without -K: [default]");
        assertArrayEquals(new String[] {"status", "--state-dir", "/x"}, expand(dir, "status", "--state-dir", "/x"),
                "subcommands take no config");
        assertArrayEquals(new String[] {"-W", "/a"}, expand(dir, "-W", "/a"), "no file: arguments as they are");
    }

    @Test
    void mistakesNameTheFileAndLine(@TempDir Path dir) throws Exception {
        String f = conf(dir, "[default]\ndelay-collect = 1\nbogus-option = 3\n").toString();
        assertEquals(f + ":3: unknown key 'bogus-option' (keys are jclsync's long option names without the dashes; see jclsync --help)",
                assertThrows(ConfigException.class, () -> expand(dir, "-H", f)).getMessage());
        String g = conf(dir, "[default]\n\nretries = many\n").toString();
        assertTrue(assertThrows(ConfigException.class, () -> expand(dir, "-H", g)).getMessage().startsWith(g + ":3: "),
                "a bad value");
        String h = conf(dir, "[default]\nexit-on-no-events = maybe\n").toString();
        assertTrue(assertThrows(ConfigException.class, () -> expand(dir, "-H", h)).getMessage()
                .startsWith(h + ":2: exit-on-no-events is a switch"));
        String i = conf(dir, "retries = 1\n").toString();
        assertTrue(assertThrows(ConfigException.class, () -> expand(dir, "-H", i)).getMessage().startsWith(i + ":1: "),
                "outside any block");
        String j = conf(dir, "[a]\nconfig-block-inherits = b\n[b]\nconfig-block-inherits = a\n").toString();
        assertTrue(assertThrows(ConfigException.class, () -> expand(dir, "-H", j, "-K", "a")).getMessage()
                .contains("inherit in a circle"));
        assertTrue(assertThrows(ConfigException.class, () -> expand(dir, "-H", j, "-K", "nope")).getMessage()
                .contains("no block [nope]"));
        assertTrue(assertThrows(ConfigException.class, () -> expand(dir, "-H", dir.resolve("missing").toString()))
                .getMessage().startsWith("cannot read config file"));
        assertTrue(assertThrows(ConfigException.class, () -> expand(dir, "-H", j)).getMessage()
                .contains("has no [default] block"), "-H without -K needs [default]...");
        assertArrayEquals(new String[] {"--ctl-socket", "/s", "-H", j}, expand(dir, "--ctl-socket", "/s", "-H", j),
                "... but a --ctl-socket host may hold only its trees' blocks");
    }

    @Test
    void everyBlockOfTheExampleConfigIsValid(@TempDir Path dir) throws Exception {
        Path example = Path.of("examples", "jclsync.conf");
        for (String block : List.of("default", "www", "www-shell", "containers", "cluster-web")) {
            String[] args = expand(dir, "-H", example.toString(), "-K", block);
            assertTrue(args.length > 4, block);
        }
        assertTrue(List.of(expand(dir, "-H", example.toString(), "-K", "www-shell"))
                .containsAll(List.of("--mode=rsyncshell", "--watch-dir=/srv/www", "--delay-collect=1")), "inherited twice");
    }
}
