#!/bin/sh
# check-format.sh - every C file as clang-format (the committed .clang-format,
# clang-format 14) would write it. `make format` rewrites them in place.
set -eu
cd "$(dirname "$0")/.."
files=$(find server compat migrate client tests -name '*.[ch]' 2>/dev/null | sort)
[ -n "$files" ] || exit 0
# shellcheck disable=SC2086
if ! clang-format --dry-run --Werror $files; then
    echo "check-format: run 'make format' and commit the result" >&2
    exit 1
fi
echo "check-format: $(echo "$files" | wc -l) files formatted"
