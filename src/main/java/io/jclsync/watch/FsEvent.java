package io.jclsync.watch;

import java.nio.file.Path;

/**
 * A change seen under the watch dir.
 *
 * @param kind what happened
 * @param path the path relative to the watch dir (for a move: where it is now)
 * @param from for {@link Kind#MOVE}, where it was; otherwise null
 * @param directory whether the entry is a directory
 */
public record FsEvent(Kind kind, Path path, Path from, boolean directory) {
    /**
     * {@code WRITE}: data was written and the file is still open ({@code IN_MODIFY});
     * {@code CLOSE_WRITE}: a writer closed it; {@code MODIFY}: metadata changed ({@code IN_ATTRIB}).
     */
    public enum Kind { CREATE, WRITE, CLOSE_WRITE, MODIFY, DELETE, MOVE }

    public static FsEvent create(Path path, boolean dir) {
        return new FsEvent(Kind.CREATE, path, null, dir);
    }

    public static FsEvent modify(Path path, boolean dir) {
        return new FsEvent(Kind.MODIFY, path, null, dir);
    }

    public static FsEvent write(Path path) {
        return new FsEvent(Kind.WRITE, path, null, false);
    }

    public static FsEvent closeWrite(Path path) {
        return new FsEvent(Kind.CLOSE_WRITE, path, null, false);
    }

    public static FsEvent delete(Path path, boolean dir) {
        return new FsEvent(Kind.DELETE, path, null, dir);
    }

    public static FsEvent move(Path from, Path to, boolean dir) {
        return new FsEvent(Kind.MOVE, to, from, dir);
    }
}
