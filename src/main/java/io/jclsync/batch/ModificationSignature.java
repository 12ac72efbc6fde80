package io.jclsync.batch;

import io.jclsync.fs.FileType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * clsync's {@code --modification-signature}: a file or symlink is synced only when one of the
 * listed stat fields differs from when it was last synced (e.g. {@code size,mtime}: a chmod or a
 * read that touches atime is not worth a sync). Directories, deletes and paths never synced
 * before always pass. Remembers one signature per synced path.
 */
public final class ModificationSignature {
    /** The stat fields a signature may use. */
    public enum Field {
        DEV("dev"), INO("ino"), MODE("mode"), UID("uid"), GID("gid"), NLINK("nlink"), SIZE("size"),
        MTIME("lastModifiedTime"), CTIME("ctime"), ATIME("lastAccessTime");

        final String attribute;

        Field(String attribute) {
            this.attribute = attribute;
        }
    }

    private final Path root;
    private final List<Field> fields;
    private final String attributes;
    private final Map<Path, Object[]> synced = new HashMap<>();

    public ModificationSignature(Path root, Set<Field> fields) {
        this.root = root;
        this.fields = List.copyOf(fields);
        this.attributes = "unix:" + String.join(",", this.fields.stream().map(f -> f.attribute).toList());
    }

    /** Parses {@code "size,mtime"} or {@code "*"} (every field). */
    public static Set<Field> parse(String text) {
        if (text.strip().equals("*")) return EnumSet.allOf(Field.class);
        Set<Field> out = EnumSet.noneOf(Field.class);
        for (String name : text.split(",")) {
            String n = name.strip().toUpperCase(Locale.ROOT);
            try {
                out.add(Field.valueOf(n));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + name.strip() + "' is not a stat field (use "
                        + Arrays.toString(Field.values()).toLowerCase(Locale.ROOT) + " or *)");
            }
        }
        if (out.isEmpty()) throw new IllegalArgumentException("no stat fields given");
        return out;
    }

    /** The batch without the files whose signature is what was synced last. */
    public synchronized Batch changedOnly(Batch batch) {
        if (batch.full()) return batch;
        List<Batch.Entry> kept = new ArrayList<>();
        for (Batch.Entry e : batch.entries()) {
            if (e.type() != FileType.FILE && e.type() != FileType.SYMLINK) {
                kept.add(e);
                continue;
            }
            Object[] now = signature(e.path());
            Object[] before = synced.get(e.path());
            if (now == null || before == null || !Arrays.equals(now, before)) kept.add(e);
        }
        return new Batch(batch.renames(), kept, false);
    }

    /** {@code batch} was synced: remember its files' signatures (and forget what it deleted). */
    public synchronized void synced(Batch batch) {
        if (batch.full()) {
            synced.clear(); // everything was compared by rsync itself
            return;
        }
        for (Batch.Entry e : batch.entries()) {
            Object[] now = e.exists() && e.type() != FileType.DIRECTORY ? signature(e.path()) : null;
            if (now == null) synced.remove(e.path());
            else synced.put(e.path(), now);
        }
    }

    private Object[] signature(Path rel) {
        try {
            Map<String, Object> a = Files.readAttributes(root.resolve(rel), attributes, LinkOption.NOFOLLOW_LINKS);
            Object[] out = new Object[fields.size()];
            for (int i = 0; i < out.length; i++) {
                Object v = a.get(fields.get(i).attribute);
                out[i] = v instanceof FileTime t ? t.toInstant() : v;
            }
            return out;
        } catch (IOException gone) {
            return null;
        }
    }
}
