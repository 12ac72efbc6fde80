package io.jclsync.sync;

import io.jclsync.process.ListFile;
import io.jclsync.transfer.Outcome;
import io.jclsync.transfer.Transfer;
import io.jclsync.transfer.TransferResult;

import io.jclsync.batch.Batch;
import io.jclsync.filter.Filter;
import io.jclsync.fs.PathBytes;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The {@code rsyncshell} and {@code shell} modes: a user's handler ({@code -S}) does the transfer.
 *
 * <pre>
 *   HANDLER initialsync LABEL WATCH_DIR          full sync (start, overflow, SIGUSR1)
 *   HANDLER synclist    LABEL LIST_FILE          rsyncshell: NUL-separated relative paths,
 *                                                ready for rsync --from0 --files-from
 *   HANDLER sync        LABEL PATH...            shell: absolute paths, one call per batch
 * </pre>
 * Environment: {@code JCLSYNC_LABEL}, {@code JCLSYNC_WATCH_DIR}, {@code JCLSYNC_DESTINATION} (when
 * {@code -D} is set), {@code JCLSYNC_EXCLUDE_FILE} (NUL-separated anchored rsync exclude
 * patterns for what the rules reject) and, for {@code synclist}, {@code JCLSYNC_DELETE_FILE}:
 * NUL-separated rsync include rules selecting exactly the listed paths that no longer exist, for
 * a deletion pass ({@code rsync -r --existing --ignore-existing --delete --from0
 * --include-from=$JCLSYNC_DELETE_FILE --exclude='*'}), since Debian 12's rsync 3.2.7 aborts on
 * {@code --delete-missing-args}. The exit code goes through the rsync exit-code table.
 */
public final class HandlerTransfer implements Transfer {
    private static final Logger LOG = Logger.getLogger(HandlerTransfer.class.getName());
    /** Keeps one shell-mode call well under the kernel's argument size limit. */
    private static final int MAX_ARG_BYTES = 100_000;

    public enum Style { RSYNCSHELL, SHELL }

    private final Style style;
    private final Path root;
    private final String handler;
    private final String label;
    private final Destination destination;
    private final Supplier<Filter> filter;
    private final ListsDir lists;
    private final Duration timeout;
    private final ExitCodePolicy policy;

    public HandlerTransfer(Style style, Path root, String handler, String label, Destination destination,
                           Supplier<Filter> filter, ListsDir lists, Duration timeout, ExitCodePolicy policy) {
        this.style = style;
        this.root = root;
        this.handler = handler;
        this.label = label;
        this.destination = destination;
        this.filter = filter;
        this.lists = lists;
        this.timeout = timeout;
        this.policy = policy;
    }

    @Override
    public TransferResult run(Batch batch) throws InterruptedException {
        Path excludeFile = lists.next(".exclude");
        Path listFile = null;
        Path deleteFile = null;
        try {
            List<Path> recursive = new ArrayList<>();
            if (batch.full()) recursive.add(Path.of(""));
            batch.entries().stream().filter(Batch.Entry::isDirectory).forEach(e -> recursive.add(e.path()));
            ListFile.writeExcludes(excludeFile, ExclusionScan.scan(root, recursive, filter.get()));
            Map<String, String> env = new HashMap<>();
            env.put("JCLSYNC_LABEL", label);
            env.put("JCLSYNC_WATCH_DIR", root.toString());
            env.put("JCLSYNC_EXCLUDE_FILE", excludeFile.toString());
            if (destination != null) env.put("JCLSYNC_DESTINATION", destination.spec());
            if (batch.full()) return call(List.of("initialsync", label, root.toString()), env);
            if (batch.entries().isEmpty()) return TransferResult.ok(0, 0, 0);
            if (style == Style.RSYNCSHELL) {
                listFile = lists.next(".list");
                ListFile.writePaths(listFile, batch.entries().stream().map(Batch.Entry::path).toList());
                deleteFile = lists.next(".delete");
                ListFile.writeIncludes(deleteFile, batch.entries().stream().filter(e -> !e.exists())
                        .map(Batch.Entry::path).toList());
                env.put("JCLSYNC_DELETE_FILE", deleteFile.toString());
                return call(List.of("synclist", label, listFile.toString()), env);
            }
            return callPerChunk(batch, env);
        } catch (IOException e) {
            return new TransferResult(Outcome.RETRY, -1, 0, 0, 0, "cannot prepare lists in " + lists.dir()
                    + ": " + e.getMessage());
        } finally {
            ListsDir.deleteQuietly(excludeFile);
            ListsDir.deleteQuietly(listFile);
            ListsDir.deleteQuietly(deleteFile);
        }
    }

    private TransferResult callPerChunk(Batch batch, Map<String, String> env) throws InterruptedException {
        List<String> args = new ArrayList<>(List.of("sync", label));
        int bytes = 0;
        for (Batch.Entry e : batch.entries()) {
            Path abs = root.resolve(e.path());
            String s = abs.toString();
            if (!PathBytes.display(abs).equals(s) || s.indexOf('\uFFFD') >= 0) {
                LOG.warning("shell mode cannot pass " + PathBytes.display(abs) + " as an argument (not "
                        + "printable UTF-8); use -M rsyncshell, whose list file carries raw names");
                continue;
            }
            if (bytes + s.length() > MAX_ARG_BYTES && args.size() > 2) {
                TransferResult r = call(args, env);
                if (r.outcome() != Outcome.OK) return r;
                args = new ArrayList<>(List.of("sync", label));
                bytes = 0;
            }
            args.add(s);
            bytes += s.length() + 1;
        }
        return args.size() > 2 ? call(args, env) : TransferResult.ok(0, 0, 0);
    }

    private TransferResult call(List<String> args, Map<String, String> env) throws InterruptedException {
        List<String> argv = new ArrayList<>();
        argv.add(handler);
        argv.addAll(args);
        return ChildRun.run("handler", argv, env, timeout, policy, 0, "check -S: it must be an executable file");
    }
}
