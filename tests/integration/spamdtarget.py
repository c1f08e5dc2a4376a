"""spamdtarget - the spamd server a real-client test (Exim, node-spamc)
talks to, and the tools those tests need that are not on PATH.

By default that server is siftd's spamd worker with the stock SpamAssassin
rules (Debian's spamassassin package, network tests off as with `spamd -L`).
SIFT_AGAINST=spamd runs the same test against SpamAssassin's own spamd
(/usr/sbin/spamd -L) instead: that proves a harness against the reference
implementation, and shows what the real thing does where a test fails.
"""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

from siftlib import IS_ROOT, SLOW, Siftd, free_port, need_tool

AGAINST = os.environ.get("SIFT_AGAINST", "siftd")

# Installed by scripts/install-deps.sh outside the tree (TOOLS_DIR there).
TOOLS_DIR = os.environ.get("SIFT_TEST_TOOLS", "/opt/sift-test")
EXIM = os.path.join(TOOLS_DIR, "exim4", "usr", "sbin", "exim4")
NODE_MODULES = os.path.join(TOOLS_DIR, "node", "node_modules")

SA_RULES = "/usr/share/spamassassin"

# The 68-byte GTUBE line; any message carrying it scores 1000 (GTUBE rule).
GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X"


def missing(msg):
    """What need_tool does for a missing tool: a failure under CI, a skip elsewhere."""
    msg += " (scripts/install-deps.sh installs it)"
    if os.environ.get("CI") == "true":
        raise AssertionError(msg)
    raise unittest.SkipTest(msg)


def need_path(path, what):
    if not os.path.exists(path):
        missing(f"{what} is not installed at {path}")
    return path


def spamd_ping(port, timeout=1.0):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(b"PING SPAMC/1.5\r\n\r\n")
            s.shutdown(socket.SHUT_WR)
            return s.recv(100).startswith(b"SPAMD/1.5 0 PONG")
    except OSError:
        return False


class RealSpamd:
    """SpamAssassin's spamd on a free loopback port, local tests only, one
    child, no user preferences."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="sift-spamd-")
        os.chmod(self.dir, 0o755)
        self.ports = {"spamd": free_port()}
        self.logfile = os.path.join(self.dir, "spamd.log")
        self.proc = None

    def start(self, timeout=60):
        spamd = need_path(shutil.which("spamd") or "/usr/sbin/spamd", "spamd")
        args = [spamd, "-L", "-x", "-m", "1", "--min-spare=1", "--max-spare=1",
                "-i", f"127.0.0.1:{self.ports['spamd']}", "-A", "127.0.0.1",
                "-r", os.path.join(self.dir, "spamd.pid"), "-s", "stderr",
                "-H", self.dir]
        if IS_ROOT:
            args += ["-u", "nobody"]
        with open(self.logfile, "ab") as log:
            self.proc = subprocess.Popen(args, stdout=log, stderr=log, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"spamd exited {self.proc.returncode}: {self.log()}")
            if spamd_ping(self.ports["spamd"]):
                return self
            time.sleep(0.1)
        raise AssertionError(f"spamd did not get ready:\n{self.log()}")

    def log(self):
        with open(self.logfile, errors="replace") as f:
            return f.read()

    def cleanup(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # spamd ends its children itself
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        shutil.rmtree(self.dir, ignore_errors=True)


def start_scanner():
    """The server under test, started: an object with .ports["spamd"] and
    .cleanup(). siftd gets the stock rules; a cold pattern cache makes its
    first start take ~20 s, later ones well under a second."""
    need_tool("spamassassin")
    if not os.path.isdir(SA_RULES):
        raise AssertionError(f"{SA_RULES} is missing though spamassassin is installed")
    if AGAINST == "spamd":
        return RealSpamd().start()
    if AGAINST != "siftd":
        raise AssertionError(f"SIFT_AGAINST={AGAINST}: siftd or spamd")
    sd = Siftd(workers=("spamd",),
               overrides=["rules.rules_dir=auto", "rules.site_dir=/etc/spamassassin",
                          "rules.local_only=yes"])
    try:
        return sd.start(timeout=180)
    except BaseException:
        sd.cleanup()
        raise


def spamd_request(port, method, message, version="1.5", headers=(), timeout=30):
    """One raw request: the reply's bytes (server closes after replying)."""
    req = f"{method} SPAMC/{version}\r\n".encode()
    for h in headers:
        req += h.encode() + b"\r\n"
    req += b"Content-length: %d\r\n\r\n" % len(message) + message
    with socket.create_connection(("127.0.0.1", port), timeout=timeout * SLOW) as s:
        s.sendall(req)
        s.shutdown(socket.SHUT_WR)
        out = b""
        while True:
            b = s.recv(65536)
            if not b:
                return out
            out += b
