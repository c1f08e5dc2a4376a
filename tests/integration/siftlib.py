"""siftlib - start the real siftd on free loopback ports and talk to it.

Every integration test runs the binaries `make` built (SIFT_BUILD selects
build/ or build-asan/), with the stock config/sift.yaml copied into a private
directory so a test can add local.d/ and override.d/ files, and -o options
for its ports, data directory, PID file and log file.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, os.environ.get("SIFT_BUILD", "build"))
SIFTD = os.path.join(BUILD, "siftd")
SIFTADM = os.path.join(BUILD, "siftadm")
SIFTC = os.path.join(BUILD, "siftc")
IS_ROOT = os.geteuid() == 0

RULES_MINIMAL = os.path.join(ROOT, "tests", "data", "rules", "minimal")
# compiled pattern databases, kept between runs of the tests (a cold compile
# of the stock SpamAssassin set takes ~20 s)
RULES_CACHE = os.path.join(BUILD, "test-rules-cache")

# Under ASan everything is slower; give timing checks room.
SLOW = 3.0 if "asan" in os.environ.get("SIFT_BUILD", "") else 1.0


def need_tool(name):
    """The path of a tool a test needs. Missing: a failure under CI (install-deps
    installs it), a skip with a message elsewhere."""
    path = shutil.which(name)
    if path is None:
        msg = f"{name} is not installed (scripts/install-deps.sh installs it)"
        if os.environ.get("CI") == "true":
            raise AssertionError(msg)
        raise unittest.SkipTest(msg)
    return path


def free_port(family=socket.AF_INET, host="127.0.0.1"):
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def ipv6_loopback():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


def wait_for(cond, timeout, what, step=0.02):
    deadline = time.monotonic() + timeout * SLOW
    while time.monotonic() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout * SLOW:.1f} s waiting for {what}")


def exchange(addr, data, shut=True, timeout=10.0, family=None):
    """Send data on a new connection, optionally half-close, read until EOF."""
    if family is None:
        family = socket.AF_UNIX if isinstance(addr, str) else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.settimeout(timeout * SLOW)
        s.connect(addr)
        if data:
            s.sendall(data)
        if shut:
            s.shutdown(socket.SHUT_WR)
        return read_all(s)


def read_all(s):
    out = b""
    while True:
        try:
            b = s.recv(65536)
        except ConnectionResetError:
            break
        if not b:
            break
        out += b
    return out


def proc_ppid(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def proc_title(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().split(b"\0")[0].decode(errors="replace")
    except OSError:
        return ""


def proc_uid(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("Uid:"):
                return int(line.split()[1])
    return None


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


class Siftd:
    """A siftd on free ports: spamd, normal and controller, one process each
    unless told otherwise; "proxy" (the milter) when workers names it."""

    def __init__(self, workers=("spamd", "normal", "controller"), counts=None, overrides=(),
                 user=""):
        self.dir = tempfile.mkdtemp(prefix="sift-it-")
        os.chmod(self.dir, 0o755)
        self.confdir = os.path.join(self.dir, "etc")
        os.makedirs(os.path.join(self.confdir, "local.d"))
        os.makedirs(os.path.join(self.confdir, "override.d"))
        self.config = os.path.join(self.confdir, "sift.yaml")
        self.dbdir = os.path.join(self.dir, "db")
        self.pidfile = os.path.join(self.dir, "run", "siftd.pid")
        self.logfile = os.path.join(self.dir, "siftd.log")
        self.stderr_path = os.path.join(self.dir, "stderr.txt")
        self.ports = {w: free_port() for w in ("spamd", "normal", "controller", "proxy")}
        # The stock file with this test's workers in place of the stock ones, so
        # that local.d/ and override.d/ files a test writes act on them as on a
        # real installation (a -o would pin them above every layer).
        with open(os.path.join(ROOT, "config", "sift.yaml")) as f:
            stock = f.read()
        text = stock[:stock.index("\nworkers:\n") + 1] + "workers:\n"
        counts = counts or {}
        for w in ("spamd", "normal", "controller"):
            text += f"  {w}:\n"
            if w in workers:
                text += (f"    bind_socket: [\"127.0.0.1:{self.ports[w]}\"]\n"
                         f"    count: {counts.get(w, 1)}\n")
            else:
                text += "    enabled: no\n"
        if "proxy" in workers:  # only then: a siftd without the type would refuse it
            text += (f"  proxy:\n    bind_socket: [\"127.0.0.1:{self.ports['proxy']}\"]\n"
                     f"    count: {counts.get('proxy', 1)}\n")
        with open(self.config, "w") as f:
            f.write(text)
        self.overrides = [
            f"options.dbdir={self.dbdir}",
            f"options.pidfile={self.pidfile}",
            f'options.user="{user}"',  # "" quoted: an empty -o value means "the default"
            "logging.type=file",
            f"logging.filename={self.logfile}",
            "logging.level=debug",
            "options.shutdown_timeout=5s",
            # a small rules directory: the daemon starts at once; the stock
            # SpamAssassin set is test_rules.py's business
            f"rules.rules_dir={RULES_MINIMAL}",
            'rules.site_dir=""',
            f"rules.native_dir={os.path.join(ROOT, 'rules')}",
            f"rules.cache_dir={RULES_CACHE}",
        ]
        self.overrides += list(overrides)
        self.proc = None

    # --- files -----------------------------------------------------------
    def write(self, rel, text):
        path = os.path.join(self.confdir, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        return path

    def log(self):
        try:
            with open(self.logfile, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def stderr(self):
        try:
            with open(self.stderr_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def wait_log(self, pattern, timeout=10, after=0):
        rx = re.compile(pattern)
        return wait_for(lambda: rx.search(self.log(), after), timeout, f"log line /{pattern}/")

    # --- process ---------------------------------------------------------
    def argv(self, extra=()):
        args = [SIFTD, "-c", self.config]
        for o in self.overrides + list(extra):
            args += ["-o", o]
        return args

    def start(self, extra=(), foreground=True, timeout=20):
        args = self.argv(extra)
        if foreground:
            args.insert(1, "-f")
        mark = len(self.log())
        with open(self.stderr_path, "ab") as err:
            self.proc = subprocess.Popen(args, stdout=err, stderr=err, stdin=subprocess.DEVNULL)
        if not foreground:
            rc = self.proc.wait(timeout=(30 + timeout) * SLOW)
            if rc != 0:
                raise AssertionError(f"siftd exited {rc}: {self.stderr()}")
            self.proc = None
        deadline = time.monotonic() + timeout * SLOW
        while time.monotonic() < deadline:
            if "siftd ready" in self.log()[mark:]:
                return self
            if self.proc is not None and self.proc.poll() is not None:
                raise AssertionError(f"siftd exited {self.proc.returncode}: {self.stderr()}"
                                     f"\n{self.log()}")
            time.sleep(0.02)
        raise AssertionError(f"siftd did not get ready:\n{self.stderr()}\n{self.log()}")

    def main_pid(self):
        if self.proc is not None:
            return self.proc.pid
        with open(self.pidfile) as f:
            return int(f.read())

    def workers(self, name=None):
        """{pid: title} of the live workers (optionally of one worker name)."""
        main = self.main_pid()
        found = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit() and proc_ppid(int(entry)) == main and alive(int(entry)):
                title = proc_title(int(entry))
                if name is None or title.startswith(f"siftd: {name} worker"):
                    found[int(entry)] = title
        return found

    def signal(self, sig):
        os.kill(self.main_pid(), sig)

    def stop(self, timeout=20):
        if self.proc is None and not os.path.exists(self.pidfile):
            return None
        pid = self.main_pid()
        children = list(self.workers())
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        if self.proc is not None:
            rc = self.proc.wait(timeout=timeout * SLOW)
            self.proc = None
        else:
            wait_for(lambda: not alive(pid), timeout, "siftd to exit")
            rc = None
        wait_for(lambda: not any(alive(c) for c in children), timeout, "workers to exit")
        return rc

    def kill_all(self):
        pids = []
        try:
            pids = [self.main_pid()] + list(self.workers())
        except (OSError, ValueError):
            pass
        for p in pids:
            try:
                os.kill(p, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.proc is not None:
            self.proc.wait()
            self.proc = None

    def crashes(self):
        """Sanitizer reports and crashed processes: what no test may leave behind."""
        found = []
        for line in (self.stderr() + self.log()).splitlines():
            if ("ERROR: AddressSanitizer" in line or "ERROR: LeakSanitizer" in line
                    or "runtime error:" in line or re.search(r"signal \d+ \(SIG(ABRT|SEGV|BUS|FPE|"
                                                            r"ILL)", line)):
                found.append(line)
        return found

    def cleanup(self):
        try:
            self.stop()
        except Exception:
            self.kill_all()
        crashes = self.crashes()
        if os.environ.get("SIFT_KEEP_TMP") or crashes:
            print(f"kept {self.dir}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)
        if crashes:
            raise AssertionError("siftd crashed or a sanitizer complained:\n" +
                                 "\n".join(crashes[:20]))

    # --- clients ---------------------------------------------------------
    def spamd(self, data, shut=True, timeout=10.0):
        return exchange(("127.0.0.1", self.ports["spamd"]), data, shut, timeout)

    def http(self, worker, data, timeout=10.0):
        return exchange(("127.0.0.1", self.ports[worker]), data, True, timeout)


class SiftdTest(unittest.TestCase):
    """A test case that cleans up every Siftd it made."""

    def siftd(self, **kw):
        sd = Siftd(**kw)
        self.addCleanup(sd.cleanup)
        return sd

    def tmpdir(self):
        d = tempfile.mkdtemp(prefix="sift-it-")
        self.addCleanup(shutil.rmtree, d, True)
        return d

    def run_tool(self, args, input=None, timeout=60):
        return subprocess.run(args, input=input, capture_output=True, text=True,
                              timeout=timeout * SLOW)
