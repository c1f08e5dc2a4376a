#!/usr/bin/env python3
"""bench-spamd - throughput, latency and memory of siftd's spamd worker next
to SpamAssassin's spamd, on the real corpus, over the spamd protocol.

Starts siftd (spamd worker only, --sift-count processes, default 2: one per
core) and /usr/sbin/spamd (-L, --spamd-children, default 8) with the same
stock rules, no Bayes and no network tests (scripts/spamd_servers.py), then
runs build/bench_spamd_load against each at the same concurrency: first a
warm-up, then the measured requests, one message per connection as spamc
sends it. Memory is the sum of PSS (and RSS) over the server's processes,
from /proc/PID/smaps_rollup, at the end of its run and at its peak (sampled
every --mem-interval seconds, default 0.5). The server's CPU time per message
and the CPU other processes used meanwhile are shown too: on a shared
machine the rate moves with the others' load, the CPU time much less.

    scripts/bench-spamd.py [-c 8] [-n 3000] [--warmup 200] [-m CHECK] [--rounds 1]
                           [--spamd-requests 150] [--spamd-warmup 16]
                           [--mem-interval 0.5] [--corpus DIR] [--no-spamd] [--json]

SIFT_BUILD=build-x selects the build directory (default build); it needs
siftd and bench_spamd_load there (`make all build/bench_spamd_load`). The
corpus is read at run time from ../shared/corpus; without it the script says
so and exits 0. Exit status 1 only when a server does not start.
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl  # noqa: E402
import spamd_servers as ss  # noqa: E402

# the goals for siftd on the 2-core reference machine
GOAL_RATE, GOAL_P99_MS, GOAL_MEM_MIB = 1200.0, 15.0, 150.0


def drive_once(server, args, requests, warmup, paths):
    """One run of the load driver against a server: its JSON result plus memory."""
    argv = [bl.driver_path("bench_spamd_load"), "-p", str(server.port),
            "-c", str(args.concurrency), "-n", str(requests), "--warmup", str(warmup),
            "-m", args.method, "--timeout", str(args.timeout), "--json"] + paths
    return bl.measure(server, argv, warmup, args.mem_interval)


def drive(server, args, requests, warmup, paths, rounds=1):
    """rounds identical runs (same warm-up, same messages); the median one by
    messages/s, with the peak memory of all and every round's rate."""
    print(f"{server.name}: {rounds} x ({warmup} warm-up and {requests} {args.method} "
          f"requests) at concurrency {args.concurrency} ...", flush=True)
    return bl.median_of_rounds(server, rounds,
                               lambda: drive_once(server, args, requests, warmup, paths))


def goals(r):
    if r["ok"] == 0:
        print("goals for siftd: not judged, siftd gave no successful reply")
        return
    rate, p99, mem = r["msgs_per_s"], r["latency_ms"]["p99"], r["peak_pss_mib"]
    print(f"goals for siftd: >= {GOAL_RATE:.0f} msgs/s: {rate:.0f} {bl.mark(rate >= GOAL_RATE)}; "
          f"p99 < {GOAL_P99_MS:.0f} ms: {p99:.1f} {bl.mark(p99 < GOAL_P99_MS)}; "
          f"memory < {GOAL_MEM_MIB:.0f} MiB: {mem:.1f} (peak PSS) {bl.mark(mem < GOAL_MEM_MIB)}"
          f"{'' if r['errors'] == 0 else '; with errors'}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-c", "--concurrency", type=int, default=8)
    ap.add_argument("-n", "--requests", type=int, default=3000, help="measured, against siftd")
    ap.add_argument("--warmup", type=int, default=200, help="against siftd")
    ap.add_argument("-m", "--method", default="CHECK",
                    choices=["CHECK", "SYMBOLS", "REPORT", "REPORT_IFSPAM", "PROCESS", "HEADERS"])
    ap.add_argument("--rounds", type=int, default=1,
                    help="measure siftd this many times and keep the median (a noisy machine)")
    ap.add_argument("--spamd-requests", type=int, default=150)
    ap.add_argument("--spamd-warmup", type=int, default=16)
    ap.add_argument("--sift-count", type=int, default=2, help="siftd spamd worker processes")
    ap.add_argument("--spamd-children", type=int, default=8)
    ap.add_argument("--sift-option", action="append", default=[], metavar="KEY=VALUE",
                    help="a siftd -o setting (repeatable), e.g. workers.spamd.max_conns=2")
    ap.add_argument("--timeout", type=float, default=60, help="per request, seconds")
    ap.add_argument("--mem-interval", type=float, default=0.5,
                    help="seconds between memory samples during a run (0: at the end only)")
    ap.add_argument("--corpus", default=ss.CORPUS)
    ap.add_argument("--no-spamd", action="store_true", help="measure siftd only")
    ap.add_argument("--json", action="store_true", help="also print the results as JSON lines")
    args = ap.parse_args()

    paths = bl.corpus_or_exit("bench-spamd", args.corpus, "bench_spamd_load")

    rows = []
    try:
        with ss.Servers(spamd=not args.no_spamd, sift_count=args.sift_count,
                        spamd_children=args.spamd_children,
                        sift_options=args.sift_option) as srv:
            rows.append(drive(srv.siftd, args, args.requests, args.warmup, paths, args.rounds))
            if srv.spamd is not None:
                rows.append(drive(srv.spamd, args, args.spamd_requests, args.spamd_warmup,
                                  paths))
    except ss.ServerError as e:
        print(f"bench-spamd: {e}", file=sys.stderr)
        return 1

    print()
    print(f"bench-spamd: {args.method} at concurrency {args.concurrency}, "
          f"{bl.corpus_note(rows[0])}")
    bl.scan_table(rows)
    if len(rows) == 2 and rows[1]["msgs_per_s"] > 0:
        a, b = rows
        print(f"throughput sift/spamd: {a['msgs_per_s'] / b['msgs_per_s']:.1f}x; CPU per message "
              f"spamd/sift: {b['server_cpu_ms_per_msg'] / max(a['server_cpu_ms_per_msg'], 1e-6):.1f}x;"
              f" memory (PSS at the end) sift/spamd: {a['pss_mib'] / max(b['pss_mib'], 0.001):.2f}")
    goals(rows[0])
    if args.json:
        for r in rows:
            print(json.dumps(r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
