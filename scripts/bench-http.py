#!/usr/bin/env python3
"""bench-http - throughput, latency and memory of siftd's normal worker next
to the real rspamd, on the real corpus, over the HTTP scan API (/checkv2).

Starts siftd (the normal worker only, --count processes, default 2: one per
core of the reference machine) with the whole stock SpamAssassin ruleset, no
Bayes and no network tests (as scripts/bench-spamd.py does), and rspamd 3.4
(scripts/rspamd_server.py: its own default rules, network checks off, the
same number of normal workers, plus its controller), then runs
build/bench_spamd_load --http /checkv2 against each at the same concurrency
over the same messages: first a warm-up, then the measured requests, one
connection per request as rspamc sends it (--keepalive: kept while the
server allows; rspamd never does). Memory, CPU time per message and the
other processes' load are measured as bench-spamd.py measures them (PSS and
RSS summed over the server's processes, rspamd's controller and hs_helper
included).

    scripts/bench-http.py [-c 8] [-n 3000 | --duration SECONDS] [--warmup 200]
                          [--count 2] [--rounds 1] [--keepalive] [--path /checkv2]
                          [--sift-option KEY=VALUE]... [--no-rspamd] [--no-siftd]
                          [--mem-interval 0.5] [--corpus DIR] [--json]

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
import rspamd_server as rs  # noqa: E402
import spamd_servers as ss  # noqa: E402

# the goal: siftd (stock SA rules) at least this many times rspamd's
# messages/s at concurrency 8, with a lower p99
GOAL_RATIO = 2.0


class SiftdHttp(bl.SwappedSiftd):
    """siftd as spamd_servers starts it, with the normal worker in place of
    the spamd worker."""

    SWAP = {"workers.spamd.bind_socket": "workers.normal.bind_socket",
            "workers.spamd.count": "workers.normal.count",
            "workers.normal.enabled": "workers.spamd.enabled"}


def preflight(server, args, paths):
    """One scan of the first message: None if it passes, else why not."""
    files = ss.message_files(paths[:1])
    if not files:
        return None
    with open(files[0], "rb") as f:
        msg = f.read()
    try:
        status, body = rs.http_request(server.port, "POST", args.path, msg, timeout=args.timeout)
    except OSError as e:
        return str(e)
    if status != 200:
        return f"POST {args.path} answers HTTP {status}: {body[:120].decode('latin-1')!r}"
    return None


def drive_once(server, args, paths):
    """One run of the load driver against a server: its JSON result plus
    memory and CPU (measured as bench-spamd.py measures them)."""
    argv = [bl.driver_path("bench_spamd_load"), "-p", str(server.port),
            "--http", args.path, "-c", str(args.concurrency), "--warmup", str(args.warmup),
            "--timeout", str(args.timeout), "--json"]
    argv += ["-t", str(args.duration)] if args.duration else ["-n", str(args.requests)]
    if args.keepalive:
        argv.append("--keepalive")
    argv += paths
    return bl.measure(server, argv, args.warmup, args.mem_interval)


def drive(server, args, paths):
    """--rounds identical runs; the median one by messages/s, with the peak
    memory of all and every round's rate."""
    what = f"{args.duration} s" if args.duration else f"{args.requests} requests"
    print(f"{server.name}: {args.rounds} x ({args.warmup} warm-up and {what}) of POST "
          f"{args.path} at concurrency {args.concurrency} ...", flush=True)
    return bl.median_of_rounds(server, args.rounds, lambda: drive_once(server, args, paths))


def compare(a, b):
    """siftd's row a against rspamd's row b: the ratios and the goal."""
    if a["ok"] == 0 or b["ok"] == 0:
        print("ratios: not computed, a server gave no successful reply")
        return
    ratio = a["msgs_per_s"] / max(b["msgs_per_s"], 1e-6)
    p99a, p99b = a["latency_ms"]["p99"], b["latency_ms"]["p99"]
    print(f"throughput siftd/rspamd: {ratio:.2f}x; p99 siftd/rspamd: {p99a:.1f}/{p99b:.1f} ms; "
          f"CPU per message rspamd/siftd: "
          f"{b['server_cpu_ms_per_msg'] / max(a['server_cpu_ms_per_msg'], 1e-6):.2f}x; "
          f"memory (PSS at the end) siftd/rspamd: {a['pss_mib'] / max(b['pss_mib'], 0.001):.2f}")
    print(f"goal for siftd: >= {GOAL_RATIO:.0f}x rspamd's msgs/s: {ratio:.2f}x "
          f"{bl.mark(ratio >= GOAL_RATIO)}; lower p99: {bl.mark(p99a < p99b)}"
          f"{'' if a['errors'] == 0 and b['errors'] == 0 else '; with errors'}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-c", "--concurrency", type=int, default=8)
    ap.add_argument("-n", "--requests", type=int, default=3000, help="measured, per server")
    ap.add_argument("-t", "--duration", type=float, default=0,
                    help="measure for this many seconds per server instead of -n requests")
    ap.add_argument("--warmup", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=1,
                    help="measure each server this many times and keep the median")
    ap.add_argument("--count", type=int, default=2,
                    help="worker processes of each server (siftd's normal, rspamd's normal)")
    ap.add_argument("--path", default="/checkv2", help="the scan endpoint POSTed to")
    ap.add_argument("--keepalive", action="store_true",
                    help="ask for keep-alive connections (rspamd closes them anyway)")
    ap.add_argument("--sift-option", action="append", default=[], metavar="KEY=VALUE",
                    help="a siftd -o setting (repeatable), e.g. workers.normal.max_conns=2")
    ap.add_argument("--timeout", type=float, default=60, help="per request, seconds")
    ap.add_argument("--mem-interval", type=float, default=0.5,
                    help="seconds between memory samples during a run (0: at the end only)")
    ap.add_argument("--corpus", default=ss.CORPUS)
    ap.add_argument("--no-rspamd", action="store_true", help="measure siftd only")
    ap.add_argument("--no-siftd", action="store_true", help="measure rspamd only")
    ap.add_argument("--json", action="store_true", help="also print the results as JSON lines")
    args = ap.parse_args()

    paths = bl.corpus_or_exit("bench-http", args.corpus, "bench_spamd_load")

    servers, rows = [], []
    with bl.temp_dir("sift-http-") as tmp:
        try:
            if not args.no_siftd:
                servers.append(SiftdHttp(tmp, ss.make_site_dir(tmp), args.count,
                                         args.sift_option))
            if not args.no_rspamd:
                servers.append(rs.Rspamd(tmp, args.count))
            bl.start_all(servers)
            for s in servers:
                why = preflight(s, args, paths)
                if why is not None:
                    print(f"{s.name}: not measured: {why}")
                    continue
                rows.append(drive(s, args, paths))
            dns = [s.dns_requests() for s in servers if isinstance(s, rs.Rspamd)]
        except ss.ServerError as e:
            print(f"bench-http: {e}", file=sys.stderr)
            return 1
        finally:
            for s in servers:
                s.stop()

    if not rows:
        return 0
    print()
    print(f"bench-http: POST {args.path} at concurrency {args.concurrency}"
          f"{' with keep-alive' if args.keepalive else ''}, {bl.corpus_note(rows[0])}, "
          f"{args.count} worker processes each")
    bl.scan_table(rows)
    if dns and dns[0] > 0:
        print(f"rspamd made {dns[0]} DNS requests (network checks should be off)")
    by_name = {r["server"]: r for r in rows}
    if "siftd" in by_name and "rspamd" in by_name:
        compare(by_name["siftd"], by_name["rspamd"])
    if args.json:
        for r in rows:
            print(json.dumps(r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
