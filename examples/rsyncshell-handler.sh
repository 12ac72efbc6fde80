#!/bin/sh
# Sync handler for `jclsync -M rsyncshell -S examples/rsyncshell-handler.sh -D DEST`.
#
# jclsync calls it as
#   handler initialsync LABEL WATCH_DIR    sync the whole tree
#   handler synclist    LABEL LIST_FILE    sync the NUL-separated relative paths in LIST_FILE
# with JCLSYNC_WATCH_DIR, JCLSYNC_DESTINATION, JCLSYNC_EXCLUDE_FILE and (synclist)
# JCLSYNC_DELETE_FILE in the environment. The exit code is read like rsync's (24 is ignored by
# default, see -x). Change the rsync options to taste; keep --from0 for the list files.
set -eu

cmd=$1
src=${JCLSYNC_WATCH_DIR%/}/
dst=${JCLSYNC_DESTINATION%/}/
# --modify-window=-1 compares mtimes to the nanosecond, so files copied mid-write get fixed later.
opts="-a --no-D --modify-window=-1 --from0 --exclude-from=$JCLSYNC_EXCLUDE_FILE"

case "$cmd" in
initialsync)
    exec rsync $opts --delete --force "$src" "$dst"
    ;;
synclist)
    list=$3
    # Paths that no longer exist: delete exactly those (rsync's --delete-missing-args is broken
    # in Debian 12's rsync 3.2.7, so the deletion runs as a separate, filtered pass).
    if [ -s "$JCLSYNC_DELETE_FILE" ]; then
        rc=0
        rsync -r --no-D --existing --ignore-existing --delete --force --from0 \
            --include-from="$JCLSYNC_DELETE_FILE" --exclude='*' "$src" "$dst" || rc=$?
        [ "$rc" = 0 ] || [ "$rc" = 24 ] || exit "$rc"
    fi
    exec rsync $opts -r --delete --force --ignore-missing-args --files-from="$list" "$src" "$dst"
    ;;
*)
    echo "rsyncshell-handler: unknown command '$cmd'" >&2
    exit 1
    ;;
esac
