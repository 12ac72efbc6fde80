package io.jclsync.filter;

import io.jclsync.fs.FileType;
import io.jclsync.fs.PathBytes;
import java.nio.file.Path;
import java.util.List;
import java.util.ArrayList;

/**
 * Decides which paths are synced. Rules are tried in order and the first that matches wins;
 * a path no rule matches is synced. A directory that is rejected (or not walked) hides
 * everything below it: it is neither watched nor synced.
 */
public final class Filter {
    public static final Filter ACCEPT_ALL = new Filter(List.of(), List.of());

    private final List<Rule> rules;
    private final List<Path> alwaysExcluded;

    /**
     * @param rules          the user's rules
     * @param alwaysExcluded relative paths that are never synced whatever the rules say
     *                       (jclsync's own working files when they live inside the watch dir)
     */
    public Filter(List<Rule> rules, List<Path> alwaysExcluded) {
        this.rules = List.copyOf(rules);
        this.alwaysExcluded = List.copyOf(alwaysExcluded);
    }

    public Filter withAlwaysExcluded(Path relPath) {
        List<Path> more = new ArrayList<>(alwaysExcluded);
        more.add(relPath);
        return new Filter(rules, more);
    }

    public List<Rule> rules() {
        return rules;
    }

    /** True when no rule can reject anything: callers may skip work such as exclusion scans. */
    public boolean acceptsEverything() {
        return alwaysExcluded.isEmpty() && rules.stream().allMatch(Rule::permit);
    }

    /** Whether the entry at {@code relPath} (relative to the watch dir) of this type is synced. */
    public boolean accepts(Path relPath, FileType type) {
        for (Path excluded : alwaysExcluded) {
            if (relPath.startsWith(excluded)) return false;
        }
        String text = PathBytes.display(relPath);
        for (Rule rule : rules) {
            if (!rule.walkOnly() && rule.appliesTo(text, type)) return rule.permit();
        }
        return true;
    }

    /** Whether the directory at {@code relDir} is watched and descended into. */
    public boolean walks(Path relDir) {
        if (relDir.toString().isEmpty()) return true;
        if (!accepts(relDir, FileType.DIRECTORY)) return false;
        String text = PathBytes.display(relDir);
        for (Rule rule : rules) {
            if (rule.walkOnly() && rule.appliesTo(text, FileType.DIRECTORY)) return rule.permit();
        }
        return true;
    }
}
