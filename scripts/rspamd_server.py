#!/usr/bin/env python3
"""rspamd_server - start the real rspamd (Debian's package, 3.4) on loopback
with a private configuration, for scripts/bench-http.py; run alone it starts
one and waits, or scans a few files with it.

The rules, modules and scores are rspamd's own (/etc/rspamd), read through a
top-level rspamd.conf of ours that starts only the normal worker (COUNT
processes) and the controller, each on a free port of 127.0.0.1: no fuzzy
storage, and the proxy only when asked (Rspamd(proxy_count=N), for
scripts/bench-milter.py: a milter scanning in its own processes, self_scan). Everything rspamd reads from local.d or writes (dbdir with
its hyperscan cache, rundir, the log) is in a temp directory, so
/etc/rspamd/local.d and a system rspamd are left alone. Redis is not
configured: the modules that need it (Bayes, greylist, ratelimit, neural,
replies, history) switch themselves off.

No network checks. DNS goes to a loopback port where nothing listens, with a
short timeout, and the modules that would ask it about every message are off
in local.d: rbl (which also runs the SURBL and email-list rules), dkim, spf,
dmarc, arc, asn, once_received (the client address's PTR), fuzzy_check
(rspamd.com's fuzzy servers), phishing's phishtank lookups and hfilter's
checks of the envelope sender's domain. The maps rspamd would fetch from
maps.rspamd.com (freemail lists and the like) are not fetched; those with a
copy in /etc/rspamd use it. Each task's log line says how many DNS requests
it made: dns_requests() sums them (0 with this setup on the corpus; hfilter
still resolves the HELO name of a request with both Helo and IP headers).

rspamd refuses to run its workers as root: as root they run as _rspamd
(-u/-g, as Debian's service does), who then owns the private directories;
without that user, with -i (workers as root).

    scripts/rspamd_server.py [--count 2] [--no-controller] [--scan FILE...]

Python 3 standard library only.
"""

import argparse
import http.client
import json
import os
import pwd
import re
import shutil
import signal
import socket
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import spamd_servers as ss  # noqa: E402

RSPAMD = "/usr/bin/rspamd"
CONFDIR = "/etc/rspamd"
USER = "_rspamd"  # Debian's, made by the package
DNS_TIMEOUT = "0.1s"

# the top level: rspamd's own rspamd.conf, less the proxy and fuzzy workers,
# with our ports ($VARS are rspamd's, set with --var)
RSPAMD_CONF = """# written by scripts/rspamd_server.py
.include "$CONFDIR/common.conf"

options {{
    pidfile = "$RUNDIR/rspamd.pid";
    .include "$CONFDIR/options.inc"
    .include(try=true; priority=1,duplicate=merge) "$LOCAL_CONFDIR/local.d/options.inc"
}}

logging {{
    type = "file";
    filename = "$LOGDIR/rspamd.log";
    .include "$CONFDIR/logging.inc"
}}

worker "normal" {{
    bind_socket = "127.0.0.1:{port}";
    .include "$CONFDIR/worker-normal.inc"
    count = {count};
}}
{controller}{proxy}"""

CONTROLLER_CONF = """
worker "controller" {{
    bind_socket = "127.0.0.1:{port}";
    .include "$CONFDIR/worker-controller.inc"
}}
"""

# the proxy as a milter scanning in its own processes (self_scan), with
# worker-proxy.inc's settings but its upstream (which names the normal worker)
PROXY_CONF = """
worker "rspamd_proxy" {{
    bind_socket = "127.0.0.1:{port}";
    milter = yes;
    timeout = 120s;
    upstream "local" {{
        default = yes;
        self_scan = yes;
    }}
    count = {count};
    max_retries = 5;
    discard_on_reject = false;
    quarantine_on_reject = false;
    spam_header = "X-Spam";
    reject_message = "Spam message rejected";
}}
"""

# local.d/NAME: what turns the network off, module by module
LOCAL_D = {
    "options.inc": """dns {{
    nameserver = ["127.0.0.1:{dns_port}"];  # nothing listens there
    timeout = {timeout};
    retransmits = 1;
}}
""",
    "phishing.conf": "phishtank_enabled = false;\n",
    "hfilter.conf": "from_enabled = false;  # resolves the envelope sender's domain\n",
}
OFF_MODULES = ("rbl", "dkim", "spf", "dmarc", "arc", "asn", "fuzzy_check", "once_received")


def dead_udp_port():
    """A loopback UDP port that nothing listens on (just freed)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- talking HTTP -------------------------------------------------------------

def http_request(port, method, path, body=None, headers=None, timeout=30.0):
    """One request on a new connection: (status, body bytes)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


def http_ping(port, timeout=2.0):
    """Whether GET /ping answers pong (rspamd's and siftd's normal worker)."""
    try:
        status, body = http_request(port, "GET", "/ping", timeout=timeout)
    except (OSError, http.client.HTTPException):
        return False
    return status == 200 and body.startswith(b"pong")


# --- the server ---------------------------------------------------------------

class Rspamd(ss.Server):
    """rspamd with the normal worker on self.port (count processes) and the
    controller on self.controller_port (None: not started)."""

    name = "rspamd"

    def __init__(self, tmp, count=2, controller=True, proxy_count=0, helo_checks=True):
        super().__init__(tmp, None)
        self.count = count
        self.controller_port = ss.free_port() if controller else None
        # the milter proxy (self-scan), proxy_count processes on proxy_port
        self.proxy_count = proxy_count
        self.proxy_port = ss.free_port() if proxy_count else None
        # hfilter resolves the HELO name of a scan that has an IP too (every
        # milter scan): off, the network being off
        self.helo_checks = helo_checks
        self.dns_port = dead_udp_port()
        self.conf = os.path.join(self.tmp, "rspamd.conf")
        self.dirs = {d: os.path.join(self.tmp, d) for d in ("local", "db", "run", "logs")}
        self.log = os.path.join(self.dirs["logs"], "rspamd.log")

    def write_config(self):
        for d in self.dirs.values():
            os.makedirs(d, exist_ok=True)
        local_d = os.path.join(self.dirs["local"], "local.d")
        os.makedirs(local_d, exist_ok=True)
        controller = ""
        if self.controller_port is not None:
            controller = CONTROLLER_CONF.format(port=self.controller_port)
        proxy = ""
        if self.proxy_port is not None:
            proxy = PROXY_CONF.format(port=self.proxy_port, count=self.proxy_count)
        with open(self.conf, "w") as f:
            f.write(RSPAMD_CONF.format(port=self.port, count=self.count, controller=controller,
                                       proxy=proxy))
        for name, text in LOCAL_D.items():
            with open(os.path.join(local_d, name), "w") as f:
                f.write(text.format(dns_port=self.dns_port, timeout=DNS_TIMEOUT))
                if name == "hfilter.conf" and not self.helo_checks:
                    f.write("helo_enabled = false;  # resolves the HELO name\n")
        for m in OFF_MODULES:
            with open(os.path.join(local_d, m + ".conf"), "w") as f:
                f.write("enabled = false;  # network checks off\n")
        if self.run_as_user():  # the workers write the cache, run files and log
            for d in ("db", "run", "logs"):
                shutil.chown(self.dirs[d], USER, USER)

    @staticmethod
    def run_as_user():
        if os.geteuid() != 0:
            return False
        try:
            pwd.getpwnam(USER)
            return True
        except KeyError:
            return False

    def argv(self):
        argv = [RSPAMD, "-f", "-c", self.conf, "--var", f"CONFDIR={CONFDIR}",
                "--var", f"LOCAL_CONFDIR={self.dirs['local']}",
                "--var", f"DBDIR={self.dirs['db']}", "--var", f"RUNDIR={self.dirs['run']}",
                "--var", f"LOGDIR={self.dirs['logs']}"]
        if self.run_as_user():
            argv += ["-u", USER, "-g", USER]
        elif os.geteuid() == 0:
            argv.append("-i")  # no _rspamd: the workers stay root
        return argv

    def alive(self):
        return http_ping(self.port)

    def _log_text(self):
        try:
            with open(self.log, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def scanning_ready(self):
        """Whether every normal worker has its hyperscan database: until then
        (the hs_helper compiles it after the start, some seconds) rspamd
        scans with PCRE alone. True at once for an rspamd without hyperscan."""
        log = self._log_text()
        if "loaded hyperscan engine" not in log:
            return True
        loaded = re.findall(r"\((main|normal|rspamd_proxy)\).*full hyperscan database .* has "
                            r"been loaded", log)
        return "main" in loaded or (loaded.count("normal") >= self.count and
                                    loaded.count("rspamd_proxy") >= self.proxy_count)

    def start(self, timeout=180):
        if not os.access(RSPAMD, os.X_OK):
            raise ss.ServerError(f"{RSPAMD} is not installed (apt-get install rspamd, or "
                                 "scripts/install-deps.sh)")
        self.write_config()
        super().start(timeout)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ss.ServerError(f"rspamd exited {self.proc.returncode}:\n{self.tail()}")
            if self.scanning_ready():
                return self
            time.sleep(0.2)
        self.stop()
        raise ss.ServerError(f"rspamd's workers never loaded hyperscan:\n{self.tail()}")

    def dns_requests(self):
        """DNS requests made by the tasks logged so far (each task's log line says)."""
        return sum(int(n) for n in re.findall(r"dns req: (\d+)", self._log_text()))


class Running:
    """`with Running(count=2) as r:` an Rspamd in a temp directory of its
    own, stopped at the end (the directory kept only with SIFT_KEEP_TMP=1)."""

    def __init__(self, count=2, controller=True, timeout=180, log=print):
        self.count, self.controller, self.timeout, self.say = count, controller, timeout, log
        self.tmp = self.server = None

    def __enter__(self):
        self.tmp = tempfile.mkdtemp(prefix="sift-rspamd-")
        os.chmod(self.tmp, 0o755)  # for the workers, as _rspamd
        self.server = Rspamd(self.tmp, self.count, self.controller)
        try:
            self.server.start(self.timeout)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self.server

    def __exit__(self, *exc):
        if self.server is not None:
            self.server.stop()
        if os.environ.get("SIFT_KEEP_TMP"):
            self.say(f"kept {self.tmp}")
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)


def scan(port, path):
    """POST one file to /checkv2: (action, score) or raises ValueError."""
    with open(path, "rb") as f:
        status, body = http_request(port, "POST", "/checkv2", f.read(), timeout=60)
    if status != 200:
        raise ValueError(f"HTTP {status}: {body[:200]!r}")
    r = json.loads(body)
    return r["action"], r["score"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, default=2, help="normal worker processes")
    ap.add_argument("--no-controller", action="store_true")
    ap.add_argument("--timeout", type=float, default=180, help="for the start, seconds")
    ap.add_argument("--scan", nargs="+", metavar="FILE",
                    help="scan these with /checkv2, print action and score, stop")
    args = ap.parse_args()
    t0 = time.monotonic()
    try:
        with Running(args.count, not args.no_controller, args.timeout) as r:
            print(f"rspamd: normal worker ({args.count}) on 127.0.0.1:{r.port}"
                  + (f", controller on 127.0.0.1:{r.controller_port}"
                     if r.controller_port else "")
                  + f", ready after {time.monotonic() - t0:.1f} s; configuration in {r.tmp}",
                  flush=True)
            if args.scan:
                for path in ss.message_files(args.scan):
                    try:
                        action, score = scan(r.port, path)
                        print(f"{path}: {action} {score:.2f}")
                    except (OSError, ValueError, KeyError) as e:
                        print(f"{path}: {e}")
                print(f"rspamd: {r.dns_requests()} DNS requests")
                return 0
            print("rspamd: Ctrl-C stops it", flush=True)
            signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
            try:
                while r.proc.poll() is None:
                    time.sleep(0.5)
            except KeyboardInterrupt:
                pass
    except ss.ServerError as e:
        print(f"rspamd_server: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
