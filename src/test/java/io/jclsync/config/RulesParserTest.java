package io.jclsync.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jclsync.filter.Filter;
import io.jclsync.fs.FileType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RulesParserTest {
    private static Filter filter(String... lines) throws ConfigException {
        return new Filter(RulesParser.parse(List.of(lines), "rules"), List.of());
    }

    @Test
    void firstMatchingRuleWinsAndNoMatchSyncs() throws ConfigException {
        Filter f = filter("# keep logs of the app", "+f^app/log/keep\\.log$", "-*\\.log$", "-d^cache$");
        assertTrue(f.accepts(Path.of("app/log/keep.log"), FileType.FILE));
        assertFalse(f.accepts(Path.of("app/log/other.log"), FileType.FILE));
        assertFalse(f.accepts(Path.of("cache"), FileType.DIRECTORY));
        assertTrue(f.accepts(Path.of("cache"), FileType.FILE), "-d only applies to directories");
        assertTrue(f.accepts(Path.of("src/Main.java"), FileType.FILE));
        assertFalse(f.acceptsEverything());
    }

    @Test
    void typeLettersSelectEntryTypes() throws ConfigException {
        Filter f = filter("-l.", "-s.");
        assertFalse(f.accepts(Path.of("link"), FileType.SYMLINK));
        assertFalse(f.accepts(Path.of("fifo"), FileType.SPECIAL));
        assertTrue(f.accepts(Path.of("file"), FileType.FILE));
    }

    @Test
    void walkOnlyRulesDecideWhichDirectoriesAreDescended() throws ConfigException {
        Filter f = filter("-w^tmp$", "-d^skipped$");
        assertFalse(f.walks(Path.of("tmp")));
        assertTrue(f.accepts(Path.of("tmp"), FileType.DIRECTORY), "w rules only decide walking");
        assertFalse(f.walks(Path.of("skipped")), "an excluded directory is not walked either");
        assertTrue(f.walks(Path.of("src")));
        assertTrue(f.walks(Path.of("")));
    }

    @Test
    void badLinesAreErrorsNamingFileAndLine(@TempDir Path dir) throws Exception {
        Path rules = dir.resolve("rules");
        Files.writeString(rules, "+f^ok$\n\n-x.*\n");
        ConfigException e = assertThrows(ConfigException.class, () -> RulesParser.parse(rules));
        assertTrue(e.getMessage().startsWith(rules + ":3: unknown entry type 'x'"), e.getMessage());

        Files.writeString(rules, "-*(unclosed\n");
        e = assertThrows(ConfigException.class, () -> RulesParser.parse(rules));
        assertTrue(e.getMessage().startsWith(rules + ":1: bad regular expression"), e.getMessage());

        Files.writeString(rules, "*foo\n");
        e = assertThrows(ConfigException.class, () -> RulesParser.parse(rules));
        assertTrue(e.getMessage().contains(":1: a rule starts with '+'"), e.getMessage());

        e = assertThrows(ConfigException.class, () -> RulesParser.parse(dir.resolve("missing")));
        assertTrue(e.getMessage().contains("cannot read rules file"), e.getMessage());
    }

    @Test
    void theShippedExampleRulesFileParsesAndMeansWhatItSays() throws ConfigException {
        Filter f = new Filter(RulesParser.parse(Path.of("examples/rules")), List.of());
        assertFalse(f.accepts(Path.of("src/.main.c.swp"), FileType.FILE));
        assertFalse(f.accepts(Path.of("var/cache"), FileType.DIRECTORY));
        assertTrue(f.accepts(Path.of("var/log/app.log.1"), FileType.FILE));
        assertFalse(f.accepts(Path.of("var/log/app.log.2.gz"), FileType.FILE));
        assertTrue(f.accepts(Path.of("var/log/app.log"), FileType.FILE));
        assertFalse(f.walks(Path.of("web/node_modules")));
        assertTrue(f.walks(Path.of("web/src")));
    }

    @Test
    void alwaysExcludedPathsBeatTheRules() throws ConfigException {
        Filter f = filter("+*.").withAlwaysExcluded(Path.of(".jclsync"));
        assertFalse(f.accepts(Path.of(".jclsync/list"), FileType.FILE));
        assertTrue(f.accepts(Path.of(".jclsyncx"), FileType.FILE));
    }
}
