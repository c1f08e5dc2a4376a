#!/bin/sh
# check-layers.sh - fail on an #include that points up the layers
# (DESIGN.md and STYLE.md section 1):
#   core <- mime <- scan <- stat, checks <- proto <- daemon
#   compat -> scan, mime, core;  daemon -> compat
# stat and checks are siblings and never include each other; nothing under
# server/ includes client/ or migrate/; migrate/ uses server/ and compat/,
# not client/.
set -eu
cd "$(dirname "$0")/.."

rank() {
    case "$1" in
    core) echo 0 ;; mime) echo 1 ;; scan) echo 2 ;; stat | checks) echo 3 ;;
    proto) echo 4 ;; compat) echo 5 ;; daemon) echo 6 ;; *) echo 99 ;;
    esac
}

# may FROM include TO?
allowed() {
    from=$1 to=$2
    [ "$from" = "$to" ] && return 0
    case "$from:$to" in
    stat:checks | checks:stat) return 1 ;;
    compat:core | compat:mime | compat:scan) return 0 ;;
    compat:*) return 1 ;;
    proto:compat) return 1 ;;
    esac
    [ "$(rank "$to")" -le "$(rank "$from")" ]
}

for f in $(find server compat -name '*.[ch]' | sort); do
    case "$f" in
    server/*) from=$(echo "$f" | cut -d/ -f2) ;;
    compat/*) from=compat ;;
    esac
    grep -n '^#include "' "$f" | while IFS= read -r line; do
        inc=$(echo "$line" | sed 's/.*#include "\([^"]*\)".*/\1/')
        to=$(echo "$inc" | cut -d/ -f1)
        [ "$to" = "$inc" ] && continue # a same-directory include
        case "$to" in
        client | migrate)
            echo "$f:${line%%:*}: $from includes $inc: nothing under server/ or compat/ includes $to/"
            echo x >>"${TMPDIR:-/tmp}/sift-layers.$$" ;;
        *)
            if ! allowed "$from" "$to"; then
                echo "$f:${line%%:*}: $from includes $inc: an upward include (see DESIGN.md)"
                echo x >>"${TMPDIR:-/tmp}/sift-layers.$$"
            fi ;;
        esac
    done
done
for f in $(find migrate -name '*.[ch]' 2>/dev/null | sort); do
    grep -n '^#include "' "$f" | while IFS= read -r line; do
        inc=$(echo "$line" | sed 's/.*#include "\([^"]*\)".*/\1/')
        case "$inc" in
        client/*)
            echo "$f:${line%%:*}: migrate includes $inc: migrate/ uses server/ and compat/ only"
            echo x >>"${TMPDIR:-/tmp}/sift-layers.$$" ;;
        esac
    done
done
if [ -s "${TMPDIR:-/tmp}/sift-layers.$$" ]; then
    rm -f "${TMPDIR:-/tmp}/sift-layers.$$"
    exit 1
fi
rm -f "${TMPDIR:-/tmp}/sift-layers.$$"
echo "check-layers: every include points down"
