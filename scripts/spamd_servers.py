"""spamd_servers - start siftd's spamd worker and SpamAssassin's spamd side by
side, with the same rules, for scripts/bench-spamd.py and
scripts/spamd-agreement.py.

Both read the stock rules (/usr/share/spamassassin, or sa-update's directory)
and a private site directory: Debian's /etc/spamassassin/*.pre (the plugins
SpamAssassin loads, without which most stock rules are skipped) and a
local.cf that turns Bayes off. Neither runs network tests (spamd -L,
rules.local_only=yes) or reads per-user preferences. siftd uses the binaries
of $SIFT_BUILD (default build/); its compiled pattern databases are kept in
$SIFT_BUILD/bench-rules-cache so that a second start is quick.

Python 3 standard library only.
"""

import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, os.environ.get("SIFT_BUILD", "build"))
CORPUS = os.path.join(os.path.dirname(ROOT), "shared", "corpus")
SPAMD = "/usr/sbin/spamd"
SA_SITE = "/etc/spamassassin"
IS_ROOT = os.geteuid() == 0

LOCAL_CF = """# written by scripts/spamd_servers.py: no Bayes, as for both servers
use_bayes 0
bayes_auto_learn 0
"""


class ServerError(Exception):
    """A server did not start (the message says why, with its log's tail)."""


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def message_files(paths):
    """Every file under paths (dot files left out), sorted."""
    out = []
    for p in paths:
        if os.path.isdir(p):
            for d, dirs, names in os.walk(p):
                dirs[:] = [x for x in dirs if not x.startswith(".")]
                out += [os.path.join(d, n) for n in names if not n.startswith(".")]
        elif os.path.exists(p):
            out.append(p)
    return sorted(out)


def make_site_dir(parent):
    """The site directory both servers read: Debian's *.pre and our local.cf."""
    site = os.path.join(parent, "site")
    os.makedirs(site, exist_ok=True)
    for pre in glob.glob(os.path.join(SA_SITE, "*.pre")):
        shutil.copy(pre, site)
    with open(os.path.join(site, "local.cf"), "w") as f:
        f.write(LOCAL_CF)
    return site


# --- talking spamd --------------------------------------------------------

def exchange(port, data, timeout=60.0):
    """One request on a new connection: send, half-close, read to EOF."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        chunks = []
        while True:
            try:
                b = s.recv(65536)
            except ConnectionResetError:
                break
            if not b:
                break
            chunks.append(b)
    return b"".join(chunks)


def ping(port, timeout=2.0):
    try:
        return exchange(port, b"PING SPAMC/1.5\r\n\r\n", timeout).startswith(b"SPAMD/1.5 0 PONG")
    except OSError:
        return False


class Reply:
    """A parsed spamd reply: status line, headers, body, and the Spam: header's
    verdict, score and threshold (None when absent)."""

    def __init__(self, raw):
        self.raw = raw
        head, _, self.body = raw.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        self.status = lines[0]
        self.headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(": ")
            self.headers[name] = value
        self.ok = self.status == "SPAMD/1.1 0 EX_OK"
        self.is_spam = self.score = self.threshold = None
        spam = self.headers.get("Spam")
        if spam:
            try:
                flag, _, rest = spam.partition(" ; ")
                score, _, thr = rest.partition(" / ")
                self.is_spam = flag in ("True", "Yes")
                self.score, self.threshold = float(score), float(thr)
            except ValueError:
                self.ok = False

    def symbols(self):
        text = self.body.decode("latin-1").strip()
        return set(text.split(",")) if text else set()


def request(port, method, msg, timeout=120.0):
    head = f"{method} SPAMC/1.5\r\nUser: bench\r\nContent-length: {len(msg)}\r\n\r\n"
    return Reply(exchange(port, head.encode() + msg, timeout))


# --- processes and their memory ---------------------------------------------

def _children():
    """{ppid: [pid, ...]} of every process."""
    kids = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        kids.setdefault(ppid, []).append(int(entry))
    return kids


def process_tree(pid):
    kids = _children()
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += kids.get(p, [])
    return out


def _rollup(pid):
    """(Pss, Rss) of one process in kB, from smaps_rollup."""
    pss = rss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1])
                elif line.startswith("Rss:"):
                    rss = int(line.split()[1])
    except OSError:
        pass
    return pss, rss


def tree_memory(pid):
    """(PSS sum, RSS sum, process count) of pid and its descendants, in MiB."""
    pids = process_tree(pid)
    pss = rss = 0
    for p in pids:
        a, b = _rollup(p)
        pss += a
        rss += b
    return pss / 1024.0, rss / 1024.0, len(pids)


def tree_cpu(pid):
    """CPU seconds (user + system) used so far by pid and its descendants."""
    ticks = 0
    for p in process_tree(pid):
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, IndexError, ValueError):
            pass
    return ticks / os.sysconf("SC_CLK_TCK")


def machine_busy():
    """CPU seconds the whole machine has been busy (all cores), from /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + (v[4] if len(v) > 4 else 0)  # idle + iowait
    return (sum(v[:8]) - idle) / os.sysconf("SC_CLK_TCK")


class MemorySampler:
    """Samples a process tree's PSS and RSS sums in a thread; keeps the peaks."""

    def __init__(self, pid, interval=0.5):
        self.pid, self.interval = pid, interval
        self.peak_pss = self.peak_rss = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while self.interval > 0:  # 0: the caller samples at the end only
            pss, rss, _ = tree_memory(self.pid)
            self.peak_pss, self.peak_rss = max(self.peak_pss, pss), max(self.peak_rss, rss)
            if self._stop.wait(self.interval):
                return

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


class Server:
    """A server process started by us: its port, log and a temp directory."""

    name = "server"

    def __init__(self, tmp, site):
        self.tmp = os.path.join(tmp, self.name)
        os.makedirs(self.tmp, exist_ok=True)
        os.chmod(self.tmp, 0o755)
        self.site = site
        self.port = free_port()
        self.log = os.path.join(self.tmp, "log")
        self.proc = None

    def argv(self):
        raise NotImplementedError

    def alive(self):
        """Whether it answers: spamd's PING here (an HTTP server answers /ping)."""
        return ping(self.port)

    def start(self, timeout):
        with open(os.path.join(self.tmp, "stderr"), "wb") as err:
            self.proc = subprocess.Popen(self.argv(), stdin=subprocess.DEVNULL, stdout=err,
                                         stderr=err, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ServerError(f"{self.name} exited {self.proc.returncode}:\n{self.tail()}")
            if self.alive():
                return self
            time.sleep(0.2)
        self.stop()
        raise ServerError(f"{self.name} did not answer PING in {timeout} s:\n{self.tail()}")

    def tail(self, n=30):
        text = ""
        for path in (os.path.join(self.tmp, "stderr"), self.log):
            try:
                with open(path, errors="replace") as f:
                    text += "".join(f.readlines()[-n:])
            except OSError:
                pass
        return text

    def memory(self):
        return tree_memory(self.proc.pid)

    def stop(self, timeout=30):
        if self.proc is None or self.proc.poll() is not None:
            return
        tree = process_tree(self.proc.pid)
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            for p in tree:  # only the processes of this server's tree
                try:
                    os.kill(p, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            self.proc.wait()


class Siftd(Server):
    name = "siftd"

    def __init__(self, tmp, site, count=2, extra=()):
        super().__init__(tmp, site)
        self.count = count
        self.extra = list(extra)  # more -o KEY=VALUE, applied last
        self.exe = os.path.join(BUILD, "siftd")

    def argv(self):
        o = [
            f"workers.spamd.bind_socket=127.0.0.1:{self.port}",
            f"workers.spamd.count={self.count}",
            "workers.normal.enabled=no",
            "workers.controller.enabled=no",
            f"options.dbdir={os.path.join(self.tmp, 'db')}",
            f"options.pidfile={os.path.join(self.tmp, 'siftd.pid')}",
            'options.user=""',  # stay who we are ("" quoted: an empty -o value is the default)
            "logging.type=file",
            f"logging.filename={self.log}",
            "logging.level=notice",
            "rules.local_only=yes",
            f"rules.site_dir={self.site}",
            f"rules.native_dir={os.path.join(ROOT, 'rules')}",
            f"rules.cache_dir={os.path.join(BUILD, 'bench-rules-cache')}",
        ] + self.extra
        argv = [self.exe, "-f", "-c", os.path.join(ROOT, "config", "sift.yaml")]
        for kv in o:
            argv += ["-o", kv]
        return argv

    def start(self, timeout=180):
        if not os.access(self.exe, os.X_OK):
            raise ServerError(f"{self.exe} is missing: run make (SIFT_BUILD={BUILD})")
        super().start(timeout)
        # a worker answers PING once it runs; "siftd ready" says they all do
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with open(self.log, errors="replace") as f:
                if "siftd ready" in f.read():
                    return self
            time.sleep(0.1)
        self.stop()
        raise ServerError(f"siftd answered PING but never said it was ready:\n{self.tail()}")


class Spamd(Server):
    name = "spamd"

    def __init__(self, tmp, site, children=8):
        super().__init__(tmp, site)
        self.children = children

    def argv(self):
        argv = [SPAMD, "-L", "-x", f"--siteconfigpath={self.site}",
                f"--min-children={self.children}", f"--max-children={self.children}",
                "-i", f"127.0.0.1:{self.port}", "-r", os.path.join(self.tmp, "spamd.pid"),
                "-s", self.log]
        if IS_ROOT:
            argv += ["-u", "nobody"]
        return argv

    def start(self, timeout=180):
        if not os.access(SPAMD, os.X_OK):
            raise ServerError(f"{SPAMD} is not installed (apt-get install spamd)")
        open(self.log, "a").close()
        if IS_ROOT:  # spamd writes its log after dropping to nobody
            shutil.chown(self.log, "nobody")
        super().start(timeout)
        # the children start one after the other: wait until all are there
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(process_tree(self.proc.pid)) >= self.children + 1:
                break
            time.sleep(0.2)
        return self


class Servers:
    """`with Servers(...) as s:` starts the ones asked for (s.siftd, s.spamd)
    and stops them at the end, keeping the temp directory only with
    SIFT_KEEP_TMP=1."""

    def __init__(self, siftd=True, spamd=True, sift_count=2, spamd_children=8, log=print,
                 sift_options=()):
        self.want_siftd, self.want_spamd = siftd, spamd
        self.sift_options = list(sift_options)
        self.sift_count, self.spamd_children = sift_count, spamd_children
        self.siftd = self.spamd = None
        self.say = log
        self.tmp = None

    def __enter__(self):
        self.tmp = tempfile.mkdtemp(prefix="sift-spamd-")
        os.chmod(self.tmp, 0o755)
        site = make_site_dir(self.tmp)
        try:
            # both start at once: spamd's start-up (~15 s) overlaps siftd's
            if self.want_spamd:
                self.spamd = Spamd(self.tmp, site, self.spamd_children)
            if self.want_siftd:
                self.siftd = Siftd(self.tmp, site, self.sift_count, self.sift_options)
            started = [s for s in (self.siftd, self.spamd) if s]
            errors = []

            def run(s):
                t0 = time.monotonic()
                try:
                    s.start()
                    self.say(f"{s.name}: ready on 127.0.0.1:{s.port} after "
                             f"{time.monotonic() - t0:.1f} s")
                except ServerError as e:
                    errors.append(str(e))

            threads = [threading.Thread(target=run, args=(s,)) for s in started]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            if errors:
                raise ServerError("\n".join(errors))
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc):
        for s in (self.siftd, self.spamd):
            if s is not None:
                s.stop()
        if os.environ.get("SIFT_KEEP_TMP"):
            self.say(f"kept {self.tmp}")
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)
