/**
 * Writing a peer's change into the tree, as {@code conflict} decides: {@link io.jclsync.apply.Applier}
 * runs each change, {@link io.jclsync.apply.PeerDeletes} removes what a delete takes and announces what
 * stays, {@link io.jclsync.apply.PeerRenames} moves what a rename moves, {@link io.jclsync.apply.Puller}
 * fetches file contents (one rsync per batch, over TLS), and {@link io.jclsync.apply.LocalTree} is the
 * only class that writes (through directory handles, each write registered with the echo filter
 * first; its {@link io.jclsync.apply.Placing} puts pulled files in place, its
 * {@link io.jclsync.apply.Deleting} removes what a peer's delete takes, and its
 * {@link io.jclsync.apply.AsideCopier} makes the conflict and subtree copies on the same handles).
 * May import {@code beneath}, {@code conflict}, {@code state}, {@code echo}, {@code versions},
 * {@code process}, {@code fs}, {@code cluster} and {@code cluster.tls} (the pull transport) and {@code cluster.wire}.
 */
package io.jclsync.apply;
