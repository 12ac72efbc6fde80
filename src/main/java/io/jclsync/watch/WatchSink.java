package io.jclsync.watch;

import java.nio.file.Path;
import java.util.List;

/** Where the watcher delivers what it sees. Called from the watcher's reader thread only. */
public interface WatchSink {
    /** Events in kernel order, one call per read of the inotify queue. */
    void events(List<FsEvent> events);

    /** Events under {@code relDir} were lost (queue overflow): everything below it must be re-checked. */
    void rescan(Path relDir);

    /** The watcher stopped for good; the daemon must not go on as if the tree were watched. */
    void failed(WatchException cause);
}
