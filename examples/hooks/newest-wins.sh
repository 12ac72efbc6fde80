#!/bin/sh
# jclsync --conflict-hook: the version with the newer modification time wins.
# jclsync passes each candidate as JCLSYNC_NODE_n, JCLSYNC_MTIME_NS_n, JCLSYNC_SIZE_n,
# JCLSYNC_SHA256_n, JCLSYNC_FILES_n (n = 1, 2; sorted by node name) and the whole conflict as
# JSON on stdin. For a subtree (JCLSYNC_CONFLICT_SCOPE=subtree, --conflict-scope subtree:N) the
# mtime is the latest found anywhere below it on that side -- what
#     find "$JCLSYNC_CONFLICT_PATH" -printf '%T@\n' | sort -n | tail -1
# gives on that node -- so the side where the container was used last wins.
# Print the winning node's name, or keep-both to leave the choice to jclsync's default.
if [ "$JCLSYNC_MTIME_NS_1" -gt "$JCLSYNC_MTIME_NS_2" ]; then
    echo "$JCLSYNC_NODE_1"
elif [ "$JCLSYNC_MTIME_NS_2" -gt "$JCLSYNC_MTIME_NS_1" ]; then
    echo "$JCLSYNC_NODE_2"
else
    echo keep-both
fi
