#!/bin/sh
# fuzz.sh - run one libFuzzer target (built by `make fuzz` in build-fuzz/).
#
#   scripts/fuzz.sh NAME [SECONDS]   fuzz NAME (e.g. proto_spamd) for SECONDS
#                                    (default 600), growing the corpus in
#                                    build-fuzz/corpus/NAME from the seeds in
#                                    tests/fuzz/seeds/NAME; crashes are written
#                                    to build-fuzz/crashes/NAME/
#   scripts/fuzz.sh --check NAME     the short pass `make check` runs: every
#                                    seed and regression input once, then 10 s
#                                    of fuzzing in a scratch corpus
# A crash found here becomes a file in tests/fuzz/seeds/NAME (so --check
# replays it forever) and a unit test of the module.
set -eu
cd "$(dirname "$0")/.."

check=0
if [ "${1:-}" = "--check" ]; then
    check=1
    shift
fi
name=${1:?usage: scripts/fuzz.sh [--check] NAME [SECONDS]}
name=${name#fuzz_}
bin=build-fuzz/fuzz_$name
seeds=tests/fuzz/seeds/$name
[ -x "$bin" ] || { echo "fuzz: $bin is not built (make fuzz)" >&2; exit 1; }
[ -d "$seeds" ] || { echo "fuzz: no seeds in $seeds" >&2; exit 1; }

if [ $check -eq 1 ]; then
    scratch=$(mktemp -d)
    trap 'rm -rf "$scratch"' EXIT
    # replay every seed, then fuzz briefly; -close_fd_mask keeps the log short
    "$bin" -runs=0 "$seeds" >"$scratch/log" 2>&1 || { cat "$scratch/log"; exit 1; }
    "$bin" -max_total_time=10 -close_fd_mask=3 -artifact_prefix="$scratch/" \
        "$scratch" "$seeds" >"$scratch/log" 2>&1 || {
        tail -40 "$scratch/log"
        echo "fuzz: $name found a crash (input saved as $(ls "$scratch"/crash-* 2>/dev/null))" >&2
        cp "$scratch"/crash-* . 2>/dev/null || true
        exit 1
    }
    echo "fuzz: $name: $(grep -o 'Done [0-9]* runs' "$scratch/log" || echo 'ran') on $(ls "$seeds" | wc -l) seeds"
    exit 0
fi

secs=${2:-600}
mkdir -p "build-fuzz/corpus/$name" "build-fuzz/crashes/$name"
exec "$bin" -max_total_time="$secs" -artifact_prefix="build-fuzz/crashes/$name/" \
    "build-fuzz/corpus/$name" "$seeds"
