package io.jclsync.filter;

import io.jclsync.fs.FileType;
import java.util.regex.Pattern;

/**
 * One rule line: permit or reject paths of a type whose relative path matches {@code regex}.
 *
 * @param permit   {@code +} (true) or {@code -} (false)
 * @param type     the type the rule applies to, or null for any ({@code *})
 * @param walkOnly a {@code w} rule: decides only whether a directory is descended into
 * @param regex    matched (find, not full match, as POSIX regexec does) against the path
 *                 relative to the watch dir, without a leading slash
 * @param origin   {@code file:line}, for messages
 */
public record Rule(boolean permit, FileType type, boolean walkOnly, Pattern regex, String origin) {

    boolean appliesTo(String relPath, FileType entryType) {
        return (type == null || type == entryType) && regex.matcher(relPath).find();
    }
}
