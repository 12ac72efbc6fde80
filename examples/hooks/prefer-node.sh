#!/bin/sh
# jclsync --conflict-hook: one node's version always wins (e.g. the primary of a pair).
# Set PREFERRED to that node's --node-name, or to the names of every node of the preferred
# site ("n1 n2"): in a subtree conflict (--conflict-scope subtree:N) any node of a side may
# compare for it. If neither candidate is preferred, say keep-both (jclsync's default policy
# then decides; the other version is kept, as a conflict copy or under --conflict-dir).
PREFERRED=${PREFERRED:-n1}
for n in "$JCLSYNC_NODE_1" "$JCLSYNC_NODE_2"; do
    for p in $PREFERRED; do
        if [ "$n" = "$p" ]; then
            echo "$n"
            exit 0
        fi
    done
done
echo keep-both
