package io.jclsync.batch;

/** What a batch must do for one path, after coalescing. */
public enum ChangeKind {
    CREATE, MODIFY, DELETE;

    /**
     * Row: the state already queued; column: the new event. {@code null} means the path drops out
     * of the batch (created and deleted within one window: the destination never saw it).
     */
    private static final ChangeKind[][] TABLE = {
        //            +CREATE  +MODIFY  +DELETE
        /* CREATE */ {CREATE, CREATE, null},
        /* MODIFY */ {MODIFY, MODIFY, DELETE},
        /* DELETE */ {MODIFY, MODIFY, DELETE},
    };

    /** The state after {@code next} happens to a path whose queued state is {@code queued} (null: none). */
    public static ChangeKind combine(ChangeKind queued, ChangeKind next) {
        if (queued == null) return next;
        if (next == null) return queued;
        return TABLE[queued.ordinal()][next.ordinal()];
    }
}
