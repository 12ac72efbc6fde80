#!/bin/sh
# jclsync --conflict-hook: the version with the newer modification time wins.
# jclsync passes each candidate as JCLSYNC_NODE_n, JCLSYNC_MTIME_NS_n, JCLSYNC_SIZE_n,
# JCLSYNC_SHA256_n (n = 1, 2; sorted by node name) and the whole conflict as JSON on stdin.
# Print the winning node's name, or keep-both to leave the choice to jclsync's default.
if [ "$JCLSYNC_MTIME_NS_1" -gt "$JCLSYNC_MTIME_NS_2" ]; then
    echo "$JCLSYNC_NODE_1"
elif [ "$JCLSYNC_MTIME_NS_2" -gt "$JCLSYNC_MTIME_NS_1" ]; then
    echo "$JCLSYNC_NODE_2"
else
    echo keep-both
fi
