#!/bin/sh
# jclsync --conflict-hook: one node's version always wins (e.g. the primary of a pair).
# Set PREFERRED to that node's --node-name. If neither candidate is from it, say keep-both
# (jclsync's default policy then decides; the other version is kept as a conflict copy).
PREFERRED=${PREFERRED:-n1}
for n in "$JCLSYNC_NODE_1" "$JCLSYNC_NODE_2"; do
    if [ "$n" = "$PREFERRED" ]; then
        echo "$n"
        exit 0
    fi
done
echo keep-both
