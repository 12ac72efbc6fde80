package io.jclsync.config;

import io.jclsync.filter.Rule;
import io.jclsync.fs.FileType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Parses a rules file in clsync's syntax, one rule a line:
 * <pre>
 *   [+-][*fdlspcbw]REGEX
 * </pre>
 * {@code +} permits, {@code -} rejects; the second character is the entry type the rule applies
 * to ({@code *} any, {@code f} file, {@code d} directory, {@code l} symlink, {@code s}/{@code p}/
 * {@code c}/{@code b} special files, {@code w} directory walking only). Blank lines and lines
 * starting with {@code #} are ignored. Unlike clsync, which warns and skips a line it cannot
 * parse, every bad line is an error naming file:line: a silently dropped exclude could sync
 * (or delete) what the user meant to keep out.
 */
public final class RulesParser {
    private RulesParser() {}

    public static List<Rule> parse(Path file) throws ConfigException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("cannot read rules file " + file + ": " + e.getMessage()
                    + " (check that it exists and is readable)");
        }
        return parse(lines, file.toString());
    }

    public static List<Rule> parse(List<String> lines, String name) throws ConfigException {
        List<Rule> rules = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank() || line.startsWith("#")) continue;
            rules.add(parseLine(line, name + ":" + (i + 1)));
        }
        return List.copyOf(rules);
    }

    static Rule parseLine(String line, String origin) throws ConfigException {
        char sign = line.charAt(0);
        if (sign != '+' && sign != '-') {
            throw new ConfigException(origin + ": a rule starts with '+' (sync) or '-' (skip), not '"
                    + sign + "': " + line);
        }
        if (line.length() < 3) {
            throw new ConfigException(origin + ": a rule is [+-][*fdlspcbw]REGEX, got: " + line);
        }
        char typeChar = Character.toLowerCase(line.charAt(1));
        FileType type;
        boolean walkOnly = false;
        switch (typeChar) {
            case '*' -> type = null;
            case 'f' -> type = FileType.FILE;
            case 'd' -> type = FileType.DIRECTORY;
            case 'l' -> type = FileType.SYMLINK;
            case 's', 'p', 'c', 'b' -> type = FileType.SPECIAL;
            case 'w' -> {
                type = FileType.DIRECTORY;
                walkOnly = true;
            }
            default -> throw new ConfigException(origin + ": unknown entry type '" + line.charAt(1)
                    + "' (use one of * f d l s p c b w): " + line);
        }
        String regex = line.substring(2);
        try {
            return new Rule(sign == '+', type, walkOnly, Pattern.compile(regex), origin);
        } catch (PatternSyntaxException e) {
            throw new ConfigException(origin + ": bad regular expression '" + regex + "': "
                    + e.getDescription());
        }
    }
}
