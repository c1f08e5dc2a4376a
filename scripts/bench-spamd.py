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
import resource
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import spamd_servers as ss  # noqa: E402

# the goals for siftd on the 2-core reference machine
GOAL_RATE, GOAL_P99_MS, GOAL_MEM_MIB = 1200.0, 15.0, 150.0


def corpus_paths(corpus):
    """ham/ and spam/ (every subdirectory) of a corpus, or the path itself."""
    if not os.path.isdir(corpus):
        return [corpus] if os.path.isfile(corpus) else []
    subs = sorted(os.path.join(corpus, d) for d in os.listdir(corpus)
                  if not d.startswith(".") and os.path.isdir(os.path.join(corpus, d)))
    return subs or [corpus]


def _kids_cpu():
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def drive_once(server, args, requests, warmup, paths):
    """One run of the load driver against a server: its JSON result plus memory."""
    argv = [os.path.join(ss.BUILD, "bench_spamd_load"), "-p", str(server.port),
            "-c", str(args.concurrency), "-n", str(requests), "--warmup", str(warmup),
            "-m", args.method, "--timeout", str(args.timeout), "--json"] + paths
    cpu0, busy0, kids0, t0 = ss.tree_cpu(server.proc.pid), ss.machine_busy(), _kids_cpu(), \
        time.monotonic()
    with ss.MemorySampler(server.proc.pid, args.mem_interval) as mem:
        r = subprocess.run(argv, capture_output=True, text=True, check=False)
        pss, rss, nproc = server.memory()
    wall = time.monotonic() - t0
    cpu = ss.tree_cpu(server.proc.pid) - cpu0
    # what else ran meanwhile (other people's builds on a shared machine)
    other = ss.machine_busy() - busy0 - cpu - (_kids_cpu() - kids0)
    if r.returncode not in (0, 1) or not r.stdout.strip():
        sys.stderr.write(r.stderr)
        raise SystemExit(f"bench_spamd_load failed ({r.returncode}) against {server.name}")
    sys.stderr.write(r.stderr)
    res = json.loads(r.stdout)
    res.update(server=server.name, pss_mib=pss, rss_mib=rss, processes=nproc,
               peak_pss_mib=max(mem.peak_pss, pss), peak_rss_mib=max(mem.peak_rss, rss),
               server_cpu_ms_per_msg=1000.0 * cpu / max(requests + warmup, 1),
               other_load_pct=max(0.0, 100.0 * other / (wall * (os.cpu_count() or 1))))
    if res["errors"]:
        for text, n in res["error_details"].items():
            print(f"  {server.name}: {n} x {text}")
    return res


def drive(server, args, requests, warmup, paths, rounds=1):
    """rounds identical runs (same warm-up, same messages); the median one by
    messages/s, with the peak memory of all and every round's rate."""
    print(f"{server.name}: {rounds} x ({warmup} warm-up and {requests} {args.method} "
          f"requests) at concurrency {args.concurrency} ...", flush=True)
    runs = [drive_once(server, args, requests, warmup, paths) for _ in range(rounds)]
    res = sorted(runs, key=lambda r: r["msgs_per_s"])[len(runs) // 2]
    res["peak_pss_mib"] = max(r["peak_pss_mib"] for r in runs)
    res["peak_rss_mib"] = max(r["peak_rss_mib"] for r in runs)
    res["rounds_msgs_per_s"] = [r["msgs_per_s"] for r in runs]
    if rounds > 1:
        print(f"  {server.name}: messages/s per round: "
              f"{', '.join(f'{r:.1f}' for r in res['rounds_msgs_per_s'])} (median kept)")
    return res


def table(rows):
    head = (f"{'server':7s} {'procs':>5s} {'requests':>8s} {'msgs/s':>8s} {'p50 ms':>7s} "
            f"{'p99 ms':>7s} {'max ms':>7s} {'errors':>6s} {'PSS MiB':>8s} {'peak PSS':>8s} "
            f"{'peak RSS':>8s} {'CPU ms/msg':>10s} {'other load':>10s}")
    print(head)
    print("-" * len(head))
    for r in rows:
        lat = r["latency_ms"]
        print(f"{r['server']:7s} {r['processes']:5d} {r['requests']:8d} {r['msgs_per_s']:8.1f} "
              f"{lat['p50']:7.1f} {lat['p99']:7.1f} {lat['max']:7.1f} {r['errors']:6d} "
              f"{r['pss_mib']:8.1f} {r['peak_pss_mib']:8.1f} {r['peak_rss_mib']:8.1f} "
              f"{r['server_cpu_ms_per_msg']:10.2f} {r['other_load_pct']:9.0f}%")
    print("(CPU ms/msg: the server's CPU time per request, warm-up included; other load: CPU "
          "used by other processes during the run, share of all cores)")


def goals(r):
    if r["ok"] == 0:
        print("goals for siftd: not judged, siftd gave no successful reply")
        return
    rate, p99, mem = r["msgs_per_s"], r["latency_ms"]["p99"], r["peak_pss_mib"]
    mark = lambda ok: "met" if ok else "NOT met"  # noqa: E731
    print(f"goals for siftd: >= {GOAL_RATE:.0f} msgs/s: {rate:.0f} {mark(rate >= GOAL_RATE)}; "
          f"p99 < {GOAL_P99_MS:.0f} ms: {p99:.1f} {mark(p99 < GOAL_P99_MS)}; "
          f"memory < {GOAL_MEM_MIB:.0f} MiB: {mem:.1f} (peak PSS) {mark(mem < GOAL_MEM_MIB)}"
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

    paths = corpus_paths(args.corpus)
    if not paths:
        print(f"bench-spamd: no corpus at {args.corpus}; skipped")
        return 0
    driver = os.path.join(ss.BUILD, "bench_spamd_load")
    if not os.access(driver, os.X_OK):
        print(f"bench-spamd: {driver} is missing: make {os.path.relpath(driver, ss.ROOT)}",
              file=sys.stderr)
        return 1

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
          f"{rows[0]['messages']} messages ({rows[0]['skipped']} over 512000 bytes skipped), "
          f"{os.cpu_count()} cores")
    table(rows)
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
