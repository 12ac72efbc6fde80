# Shared checks for the scripts in scripts/. Source it, then call the functions.

# Makes sure rsync is on PATH: installs it with apt-get when running as root,
# otherwise says exactly what to run and fails.
require_rsync() {
    command -v rsync >/dev/null 2>&1 && return 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "rsync is missing; installing it with apt-get" >&2
        DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rsync >&2
        command -v rsync >/dev/null 2>&1 && return 0
    fi
    echo "jclsync needs rsync: run 'sudo apt-get install rsync' and try again" >&2
    return 1
}

# Makes sure a Java 17+ runtime is on PATH.
require_java() {
    if ! command -v java >/dev/null 2>&1; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
            echo "java is missing; installing openjdk-17-jdk-headless with apt-get" >&2
            DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jdk-headless >&2
        fi
    fi
    if ! command -v java >/dev/null 2>&1; then
        echo "jclsync needs Java 17 or newer: run 'sudo apt-get install openjdk-17-jdk-headless'" >&2
        return 1
    fi
}
