#!/bin/sh
# jclsync --conflict-hook: no preference, and a record of every conflict. Both versions are
# kept whatever the hook says; this one logs the conflict (the JSON on stdin) to syslog.
json=$(cat)
logger -t jclsync-conflict -- "$json" 2>/dev/null || true
echo keep-both
