"""benchlib - what scripts/bench-spamd.py, bench-http.py and bench-milter.py
share: the corpus and the load driver they need, siftd with another worker
in the spamd worker's place, starting servers side by side, one measured
run of a load driver (its JSON plus the server's memory and CPU), the median
of several rounds, and the result tables.

The servers themselves are scripts/spamd_servers.py's and
scripts/rspamd_server.py's. Python 3 standard library only.
"""

import contextlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rspamd_server as rs  # noqa: E402
import spamd_servers as ss  # noqa: E402

SKIP_NOTE = "over 512000 bytes skipped"  # the drivers' default --max-size


# --- what a benchmark needs ---------------------------------------------------

def corpus_paths(corpus):
    """ham/ and spam/ (every subdirectory) of a corpus, or the path itself."""
    if not os.path.isdir(corpus):
        return [corpus] if os.path.isfile(corpus) else []
    subs = sorted(os.path.join(corpus, d) for d in os.listdir(corpus)
                  if not d.startswith(".") and os.path.isdir(os.path.join(corpus, d)))
    return subs or [corpus]


def driver_path(name):
    """A load driver of $SIFT_BUILD (build/bench_spamd_load ...)."""
    return os.path.join(ss.BUILD, name)


def corpus_or_exit(prog, corpus, driver):
    """The paths to give the load driver: the corpus's ham/ and spam/. Without
    a corpus, says so and exits 0; without the driver, exits 1."""
    paths = corpus_paths(corpus)
    if not paths:
        print(f"{prog}: no corpus at {corpus}; skipped")
        raise SystemExit(0)
    exe = driver_path(driver)
    if not os.access(exe, os.X_OK):
        print(f"{prog}: {exe} is missing: make {os.path.relpath(exe, ss.ROOT)}",
              file=sys.stderr)
        raise SystemExit(1)
    return paths


@contextlib.contextmanager
def temp_dir(prefix):
    """A temp directory for the servers, removed at the end unless
    SIFT_KEEP_TMP is set."""
    tmp = tempfile.mkdtemp(prefix=prefix)
    os.chmod(tmp, 0o755)  # rspamd's workers run as _rspamd
    try:
        yield tmp
    finally:
        if os.environ.get("SIFT_KEEP_TMP"):
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


# --- servers ----------------------------------------------------------------

class SwappedSiftd(ss.Siftd):
    """siftd as spamd_servers starts it, with another worker in place of the
    spamd worker: SWAP renames spamd_servers' -o keys, MORE adds settings
    (before the --sift-option ones). It answers GET /ping."""

    SWAP = {}
    MORE = ()

    def argv(self):
        extra, self.extra = self.extra, []
        try:
            argv = super().argv()
        finally:
            self.extra = extra
        swapped = set()
        for i, a in enumerate(argv):
            key, eq, value = a.partition("=")
            if argv[i - 1] == "-o" and eq and key in self.SWAP:
                argv[i] = f"{self.SWAP[key]}={value}"
                swapped.add(key)
        if swapped != set(self.SWAP):  # spamd_servers changed its settings
            raise ss.ServerError(f"siftd: no {set(self.SWAP) - swapped} to swap in {argv}")
        for kv in list(self.MORE) + self.extra:
            argv += ["-o", kv]
        return argv

    def alive(self):
        return rs.http_ping(self.port)


def start_all(servers, show_port=True):
    """Start them side by side (rspamd's start overlaps siftd's); stop all
    and raise if one fails."""
    errors = []

    def run(s):
        t0 = time.monotonic()
        try:
            s.start()
            where = f" on 127.0.0.1:{s.port}" if show_port else ""
            print(f"{s.name}: ready{where} after {time.monotonic() - t0:.1f} s", flush=True)
        except ss.ServerError as e:
            errors.append(str(e))

    threads = [threading.Thread(target=run, args=(s,)) for s in servers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        for s in servers:
            s.stop()
        raise ss.ServerError("\n".join(errors))


# --- measuring ----------------------------------------------------------------

def kids_cpu():
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def measure(server, argv, warmup, mem_interval=0.5, peak_rss=True):
    """One run of a load driver (argv, with --json) against a server: its JSON
    result plus the server's memory (PSS and RSS summed over its processes at
    the end, the peak PSS, and RSS when peak_rss, sampled every mem_interval
    s), its CPU time per message (warmup included) and the CPU the other
    processes used meanwhile. Exits when the driver fails."""
    cpu0, busy0, kids0, t0 = ss.tree_cpu(server.proc.pid), ss.machine_busy(), kids_cpu(), \
        time.monotonic()
    with ss.MemorySampler(server.proc.pid, mem_interval) as mem:
        r = subprocess.run(argv, capture_output=True, text=True, check=False)
        pss, rss, nproc = server.memory()
    wall = time.monotonic() - t0
    cpu = ss.tree_cpu(server.proc.pid) - cpu0
    # what else ran meanwhile (other people's builds on a shared machine)
    other = ss.machine_busy() - busy0 - cpu - (kids_cpu() - kids0)
    sys.stderr.write(r.stderr)
    if r.returncode not in (0, 1) or not r.stdout.strip():
        raise SystemExit(f"{os.path.basename(argv[0])} failed ({r.returncode}) against "
                         f"{server.name}")
    res = json.loads(r.stdout)
    res.update(server=server.name, pss_mib=pss, rss_mib=rss, processes=nproc,
               peak_pss_mib=max(mem.peak_pss, pss))
    if peak_rss:
        res.update(peak_rss_mib=max(mem.peak_rss, rss))
    res.update(server_cpu_ms_per_msg=1000.0 * cpu / max(res["requests"] + warmup, 1),
               other_load_pct=max(0.0, 100.0 * other / (wall * (os.cpu_count() or 1))))
    for text, n in res["error_details"].items():
        print(f"  {server.name}: {n} x {text}")
    return res


def median_of_rounds(server, rounds, once):
    """rounds identical runs (once() each); the median one by messages/s,
    with the peak memory of all and every round's rate."""
    runs = [once() for _ in range(rounds)]
    res = sorted(runs, key=lambda r: r["msgs_per_s"])[len(runs) // 2]
    res["peak_pss_mib"] = max(r["peak_pss_mib"] for r in runs)
    if "peak_rss_mib" in res:
        res["peak_rss_mib"] = max(r["peak_rss_mib"] for r in runs)
    res["rounds_msgs_per_s"] = [r["msgs_per_s"] for r in runs]
    if rounds > 1:
        print(f"  {server.name}: messages/s per round: "
              f"{', '.join(f'{r:.1f}' for r in res['rounds_msgs_per_s'])} (median kept)")
    return res


# --- results ------------------------------------------------------------------

def mark(ok):
    return "met" if ok else "NOT met"


def corpus_note(row):
    """The messages a driver read, and the machine: for a results line."""
    return (f"{row['messages']} messages ({row['skipped']} {SKIP_NOTE}), "
            f"{os.cpu_count()} cores")


def column(title, spec, key):
    """A right-aligned column: title over row[key] (or key(row)) in format spec."""
    width = int(spec.rstrip("dfs").split(".")[0])
    get = key if callable(key) else (lambda r: r[key])
    return f"{title:>{width}s}", lambda r: format(get(r), spec)


def latency(q):
    return lambda r: r["latency_ms"][q]


SERVER_COLUMN = (f"{'server':7s}", lambda r: f"{r['server']:7s}")
OTHER_LOAD_COLUMN = (f"{'other load':>10s}", lambda r: f"{r['other_load_pct']:9.0f}%")

# bench-spamd's and bench-http's table
SCAN_COLUMNS = [
    SERVER_COLUMN,
    column("procs", "5d", "processes"),
    column("requests", "8d", "requests"),
    column("msgs/s", "8.1f", "msgs_per_s"),
    column("p50 ms", "7.1f", latency("p50")),
    column("p99 ms", "7.1f", latency("p99")),
    column("max ms", "7.1f", latency("max")),
    column("errors", "6d", "errors"),
    column("PSS MiB", "8.1f", "pss_mib"),
    column("peak PSS", "8.1f", "peak_pss_mib"),
    column("peak RSS", "8.1f", "peak_rss_mib"),
    column("CPU ms/msg", "10.2f", "server_cpu_ms_per_msg"),
    OTHER_LOAD_COLUMN,
]
SCAN_NOTE = ("(CPU ms/msg: the server's CPU time per request, warm-up included; other load: "
             "CPU used by other processes during the run, share of all cores)")


def table(rows, columns, note):
    """rows under a header of columns ((title, format(row)) pairs), then note."""
    head = " ".join(title for title, _ in columns)
    print(head)
    print("-" * len(head))
    for r in rows:
        print(" ".join(fmt(r) for _, fmt in columns))
    print(note)


def scan_table(rows):
    table(rows, SCAN_COLUMNS, SCAN_NOTE)
