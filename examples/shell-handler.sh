#!/bin/sh
# Handler for `jclsync -M shell -S examples/shell-handler.sh`: runs once per batch with the
# absolute paths that changed. This one appends them to a log; replace the body with what you
# need (reload a service, invalidate a cache, push to object storage, ...).
#
#   handler initialsync LABEL WATCH_DIR
#   handler sync        LABEL PATH...      (paths that no longer exist were deleted)
#
# Exit non-zero to have the batch retried (-r) or reported.
set -eu
log=${SHELL_HANDLER_LOG:-/tmp/jclsync-shell-handler.log}
cmd=$1 label=$2
shift 2
case "$cmd" in
initialsync) printf '%s initialsync %s\n' "$label" "$1" >>"$log" ;;
sync)
    for p in "$@"; do
        if [ -e "$p" ] || [ -L "$p" ]; then state=changed; else state=deleted; fi
        printf '%s %s %s\n' "$label" "$state" "$p" >>"$log"
    done
    ;;
*) echo "shell-handler: unknown command '$cmd'" >&2; exit 1 ;;
esac
