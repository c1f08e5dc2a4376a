#!/usr/bin/env python3
"""bench-milter - throughput and added latency of siftd's proxy worker as a
milter next to rspamd's proxy, both scanning in their own processes
(self-scan), on the real corpus, in the same run.

Starts siftd with the proxy worker only (--count processes, default 2: one
per core of the reference machine), the whole stock SpamAssassin ruleset, no
Bayes and no network tests (as scripts/bench-spamd.py starts it), and rspamd
3.4 (scripts/rspamd_server.py: its own default rules, network checks off)
with its proxy worker in milter mode with `self_scan = yes` and the same
number of processes (plus one idle normal worker, which rspamd_server needs
to see it ready; hfilter's HELO lookups are off as the other network checks
are). Then build/bench_milter_load drives each with CONCURRENCY milter
sessions over loopback, as Postfix opens them (OPTNEG with Postfix's bits,
CONNECT, HELO, MAIL, RCPT, DATA, one HEADER per field, EOH, BODY chunks,
EOM; --per-session messages a session, default 1), the same messages in
the same order: a warm-up, then the measured messages. The latency is the
time from EOM written to the decision read: what the milter adds to the
MTA's end of DATA. Memory is PSS summed over each server's processes
(rspamd's idle normal worker, controller-less, included), CPU the server's
time per message.

    scripts/bench-milter.py [-c 16] [-n 3000 | --duration SECONDS] [--warmup 200]
                            [--count 2] [--per-session 1] [--rounds 1]
                            [--sift-option KEY=VALUE]... [--no-rspamd] [--no-siftd]
                            [--corpus DIR] [--json]

SIFT_BUILD=build-x selects the build directory (default build); it needs
siftd and bench_milter_load there (`make all build/bench_milter_load`). The
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


class SiftdMilter(bl.SwappedSiftd):
    """siftd as spamd_servers starts it, with the proxy worker (self-scan)
    in place of the spamd worker; its milter port answers GET /ping."""

    SWAP = {"workers.spamd.bind_socket": "workers.proxy.bind_socket",
            "workers.spamd.count": "workers.proxy.count"}
    MORE = ("workers.spamd.enabled=no",)


class RspamdMilter(rs.Rspamd):
    """rspamd with its proxy as a milter (self_scan); the driver talks to
    the proxy's port."""

    def __init__(self, tmp, count):
        super().__init__(tmp, count=1, controller=False, proxy_count=count, helo_checks=False)
        self.milter_port = self.proxy_port


def drive_once(server, port, args, paths):
    argv = [bl.driver_path("bench_milter_load"), "-p", str(port),
            "-c", str(args.concurrency), "--warmup", str(args.warmup),
            "--per-session", str(args.per_session), "--timeout", str(args.timeout), "--json"]
    argv += ["-t", str(args.duration)] if args.duration else ["-n", str(args.requests)]
    argv += paths
    return bl.measure(server, argv, args.warmup, peak_rss=False)


def drive(server, port, args, paths):
    what = f"{args.duration} s" if args.duration else f"{args.requests} messages"
    print(f"{server.name}: {args.rounds} x ({args.warmup} warm-up and {what}) over milter at "
          f"concurrency {args.concurrency} ...", flush=True)
    return bl.median_of_rounds(server, args.rounds,
                               lambda: drive_once(server, port, args, paths))


MILTER_COLUMNS = [
    bl.SERVER_COLUMN,
    bl.column("procs", "5d", "processes"),
    bl.column("msgs", "6d", "requests"),
    bl.column("msgs/s", "8.1f", "msgs_per_s"),
    bl.column("p50 ms", "7.1f", bl.latency("p50")),
    bl.column("p90 ms", "7.1f", bl.latency("p90")),
    bl.column("p99 ms", "7.1f", bl.latency("p99")),
    bl.column("max ms", "7.1f", bl.latency("max")),
    bl.column("errors", "6d", "errors"),
    bl.column("PSS MiB", "8.1f", "pss_mib"),
    bl.column("peak PSS", "8.1f", "peak_pss_mib"),
    bl.column("CPU ms/msg", "10.2f", "server_cpu_ms_per_msg"),
    bl.OTHER_LOAD_COLUMN,
    (" decisions", lambda r: " accept {accept}, marked {marked}, reject {reject}, "
                             "tempfail {tempfail}".format(**r["decisions"])),
]
MILTER_NOTE = ("(latency: EOM written to the decision read; CPU ms/msg: the server's CPU time "
               "per message, warm-up included; other load: CPU used by other processes "
               "meanwhile)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-c", "--concurrency", type=int, default=16, help="milter sessions at once")
    ap.add_argument("-n", "--requests", type=int, default=3000, help="measured, per server")
    ap.add_argument("-t", "--duration", type=float, default=0,
                    help="measure for this many seconds per server instead of -n messages")
    ap.add_argument("--warmup", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=1,
                    help="measure each server this many times and keep the median")
    ap.add_argument("--count", type=int, default=2, help="proxy processes of each server")
    ap.add_argument("--per-session", type=int, default=1, help="messages per milter session")
    ap.add_argument("--sift-option", action="append", default=[], metavar="KEY=VALUE",
                    help="a siftd -o setting (repeatable)")
    ap.add_argument("--timeout", type=float, default=120, help="per message, seconds")
    ap.add_argument("--corpus", default=ss.CORPUS)
    ap.add_argument("--no-rspamd", action="store_true", help="measure siftd only")
    ap.add_argument("--no-siftd", action="store_true", help="measure rspamd only")
    ap.add_argument("--json", action="store_true", help="also print the results as JSON lines")
    args = ap.parse_args()

    paths = bl.corpus_or_exit("bench-milter", args.corpus, "bench_milter_load")

    servers, rows, dns = [], [], None
    with bl.temp_dir("sift-milter-bench-") as tmp:
        try:
            if not args.no_siftd:
                servers.append(SiftdMilter(tmp, ss.make_site_dir(tmp), args.count,
                                           args.sift_option))
            if not args.no_rspamd:
                servers.append(RspamdMilter(tmp, args.count))
            bl.start_all(servers, show_port=False)
            for s in servers:
                rows.append(drive(s, s.milter_port if isinstance(s, RspamdMilter) else s.port,
                                  args, paths))
            for s in servers:
                if isinstance(s, RspamdMilter):
                    dns = s.dns_requests()
        except ss.ServerError as e:
            print(f"bench-milter: {e}", file=sys.stderr)
            return 1
        finally:
            for s in servers:
                s.stop()

    if not rows:
        return 0
    print()
    print(f"bench-milter: milter sessions at concurrency {args.concurrency}, "
          f"{args.per_session} message(s) each, {bl.corpus_note(rows[0])}, "
          f"{args.count} proxy processes each, self-scan")
    bl.table(rows, MILTER_COLUMNS, MILTER_NOTE)
    if dns:
        print(f"rspamd made {dns} DNS requests (network checks should be off)")
    by = {r["server"]: r for r in rows}
    if "siftd" in by and "rspamd" in by and by["siftd"]["ok"] and by["rspamd"]["ok"]:
        a, b = by["siftd"], by["rspamd"]
        print(f"siftd/rspamd: throughput {a['msgs_per_s'] / max(b['msgs_per_s'], 1e-6):.2f}x; "
              f"p99 {a['latency_ms']['p99']:.1f}/{b['latency_ms']['p99']:.1f} ms "
              f"({a['latency_ms']['p99'] / max(b['latency_ms']['p99'], 1e-6):.2f}x); "
              f"CPU per message {a['server_cpu_ms_per_msg']:.2f}/"
              f"{b['server_cpu_ms_per_msg']:.2f} ms")
    if args.json:
        for r in rows:
            print(json.dumps(r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
