package io.jclsync.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A configuration file in clsync's key-file style: {@code [block]} headers, {@code key = value}
 * lines whose keys are the long option names without dashes, {@code #} or {@code ;} comments.
 * A block may name another with {@code config-block-inherits = NAME}: it starts from that block's
 * settings and overrides them. Every error names the file and line.
 */
public final class ConfigFile {
    /** The key that makes a block start from another. */
    public static final String INHERITS = "config-block-inherits";

    /** One {@code key = value} line. */
    public record Setting(String key, String value, Path file, int line) {
        /** {@code file:line}, for messages. */
        public String where() {
            return file + ":" + line;
        }
    }

    private final Path file;
    private final Map<String, Map<String, Setting>> blocks;

    private ConfigFile(Path file, Map<String, Map<String, Setting>> blocks) {
        this.file = file;
        this.blocks = blocks;
    }

    public static ConfigFile parse(Path file) throws ConfigException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
        }
        Map<String, Map<String, Setting>> blocks = new LinkedHashMap<>();
        Map<String, Setting> current = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            String where = file + ":" + (i + 1);
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) continue;
            if (line.startsWith("[")) {
                if (!line.endsWith("]") || line.length() < 3) throw new ConfigException(where + ": a block header is [NAME]");
                String name = line.substring(1, line.length() - 1).strip();
                if (blocks.containsKey(name)) throw new ConfigException(where + ": block [" + name + "] appears twice");
                current = new LinkedHashMap<>();
                blocks.put(name, current);
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) throw new ConfigException(where + ": expected key = value or [block], got '" + line + "'");
            if (current == null) throw new ConfigException(where + ": '" + line + "' is outside any [block]");
            String key = line.substring(0, eq).strip();
            String value = unquote(line.substring(eq + 1).strip());
            if (!key.matches("[a-z][a-z0-9-]*")) {
                throw new ConfigException(where + ": '" + key + "' is not a key (long option names without the dashes, e.g. delay-collect)");
            }
            if (current.put(key, new Setting(key, value, file, i + 1)) != null) {
                throw new ConfigException(where + ": " + key + " is set twice in this block");
            }
        }
        return new ConfigFile(file, blocks);
    }

    private static String unquote(String v) {
        if (v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
            return v.substring(1, v.length() - 1);
        }
        return v;
    }

    public boolean has(String block) {
        return blocks.containsKey(block);
    }

    public Path file() {
        return file;
    }

    /**
     * The settings of {@code block} with everything it inherits, in order: an inherited block's
     * settings first, each overridden by the block that inherits it.
     */
    public List<Setting> resolve(String block) throws ConfigException {
        Map<String, Setting> out = new LinkedHashMap<>();
        List<Map<String, Setting>> chain = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        String name = block;
        while (name != null) {
            if (!seen.add(name)) throw new ConfigException(file + ": blocks inherit in a circle: " + seen + " → " + name);
            Map<String, Setting> b = blocks.get(name);
            if (b == null) {
                throw new ConfigException(file + ": no block [" + name + "]" + (name.equals(block) ? "" : " (inherited)")
                        + "; blocks: " + blocks.keySet());
            }
            chain.add(0, b);
            Setting parent = b.get(INHERITS);
            name = parent == null ? null : parent.value();
        }
        for (Map<String, Setting> b : chain) {
            for (Setting s : b.values()) {
                if (!s.key().equals(INHERITS)) {
                    out.remove(s.key());
                    out.put(s.key(), s);
                }
            }
        }
        return List.copyOf(out.values());
    }
}
