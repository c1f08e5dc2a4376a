"""sift-spamd: siftd started with spamd's own command line, as an init script,
an /etc/default/spamassassin OPTIONS line or a tool that starts spamd gives
it. The real spamc talks to it over TCP and the Unix socket; the log says
`spamd: server pid: N` when it serves; -d, SIGHUP, SIGTERM and
--max-conn-per-child behave as in spamd; SQL preferences are refused."""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # run as a file, too
from siftlib import (BUILD, ROOT, RULES_CACHE, RULES_MINIMAL, SIFTD, SLOW, alive, free_port,
                     need_tool, proc_ppid, proc_title, wait_for)

SIFT_SPAMD = os.path.join(BUILD, "sift-spamd")

GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X"
MESSAGE = f"""\
From: Sam Sender <sam@example.org>
To: Bob Example <bob@example.com>
Subject: hello
Message-ID: <sift-spamd@example.org>

{GTUBE}
"""

# What Debian's /etc/default/spamassassin ships.
DEBIAN_OPTIONS = "--create-prefs --max-children 5 --helper-home-dir"


class SiftSpamd:
    """A sift-spamd on a free port and a Unix socket in a private directory."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="sift-spamd-")
        os.chmod(self.dir, 0o755)
        self.config = os.path.join(self.dir, "etc", "sift.yaml")
        os.makedirs(os.path.dirname(self.config))
        shutil.copy(os.path.join(ROOT, "config", "sift.yaml"), self.config)
        self.site = os.path.join(self.dir, "site")
        os.makedirs(self.site)
        self.log_path = os.path.join(self.dir, "spamd.log")
        self.pidfile = os.path.join(self.dir, "spamd.pid")
        self.sock = os.path.join(self.dir, "spamd.sock")
        self.stderr_path = os.path.join(self.dir, "stderr.txt")
        self.port = free_port()
        self.proc = None
        # a detached daemon's stderr is /dev/null: sanitizer reports go to files
        self.env = dict(os.environ)
        for var in ("ASAN_OPTIONS", "UBSAN_OPTIONS"):
            opts = self.env.get(var, "")
            self.env[var] = (opts + ":" if opts else "") + f"log_path={self.dir}/sanitizer"

    def argv(self, extra=()):
        sift = [f"options.dbdir={self.dir}/db", 'options.user=""', f"rules.cache_dir={RULES_CACHE}",
                f"rules.native_dir={os.path.join(ROOT, 'rules')}", "options.shutdown_timeout=5s"]
        args = [SIFT_SPAMD, f"--sift-config={self.config}"]
        for kv in sift:
            args += ["--sift-option", kv]
        # spamd's own options, written as admins write them
        args += ["-L", "-p", str(self.port), "-i", "127.0.0.1", "-r", self.pidfile,
                 "-s", self.log_path, "-A", "127.0.0.1", f"--socketpath={self.sock}", "-x",
                 "-C", RULES_MINIMAL, f"--siteconfigpath={self.site}"]
        return args + list(extra)

    def start(self, extra=(), daemonize=False):
        args = self.argv(extra)
        with open(self.stderr_path, "ab") as err:
            if daemonize:
                rc = subprocess.run(args + ["-d"], stdout=err, stderr=err, env=self.env,
                                    stdin=subprocess.DEVNULL, timeout=60 * SLOW).returncode
                if rc != 0:
                    raise AssertionError(f"sift-spamd -d exited {rc}: {self.stderr()}{self.log()}")
            else:
                self.proc = subprocess.Popen(args, stdout=err, stderr=err, env=self.env,
                                             stdin=subprocess.DEVNULL)
        m = wait_for(lambda: self.dead() or re.search(r"spamd: server pid: (\d+)", self.log()),
                     20, "spamd: server pid: N")
        if m is True:
            raise AssertionError(f"sift-spamd exited: {self.stderr()}{self.log()}")
        return int(m.group(1))

    def dead(self):
        return self.proc is not None and self.proc.poll() is not None

    def log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def stderr(self):
        text = ""
        for name in sorted(os.listdir(self.dir)):
            if name == "stderr.txt" or name.startswith("sanitizer"):
                with open(os.path.join(self.dir, name), errors="replace") as f:
                    text += f.read()
        return text

    def pid_from_file(self):
        with open(self.pidfile) as f:
            return int(f.read())

    def workers(self, main):
        return {p for p in map(int, filter(str.isdigit, os.listdir("/proc")))
                if proc_ppid(p) == main and alive(p)
                and proc_title(p).startswith("siftd: spamd worker")}

    def spamc(self, *where):
        spamc = need_tool("spamc")
        return subprocess.run([spamc, *where, "-c"], input=MESSAGE, capture_output=True, text=True,
                              timeout=30 * SLOW)

    def stop(self, pid):
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        if self.proc is not None:
            self.proc.wait(timeout=30 * SLOW)
        wait_for(lambda: not alive(pid), 30, "sift-spamd to exit")

    def cleanup(self):
        pid = self.proc.pid if self.proc is not None else None
        if pid is None and os.path.exists(self.pidfile):
            try:
                pid = self.pid_from_file()
            except ValueError:
                pid = None
        if pid is not None and alive(pid):
            children = self.workers(pid)
            try:
                self.stop(pid)
            except AssertionError:
                for p in [pid, *children]:
                    try:
                        os.kill(p, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        crashes = [line for line in (self.stderr() + self.log()).splitlines()
                   if "Sanitizer" in line or "runtime error:" in line
                   or re.search(r"signal \d+ \(SIG(ABRT|SEGV|BUS|FPE|ILL)", line)]
        if crashes or os.environ.get("SIFT_KEEP_TMP"):
            print(f"kept {self.dir}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)
        if crashes:
            raise AssertionError("sift-spamd crashed or a sanitizer complained:\n" +
                                 "\n".join(crashes[:20]))


class SiftSpamdTest(unittest.TestCase):
    def setUp(self):
        if not os.path.exists(SIFT_SPAMD):
            self.fail(f"{SIFT_SPAMD} is missing: run make")
        need_tool("spamc")

    def server(self):
        s = SiftSpamd()
        self.addCleanup(s.cleanup)
        return s

    def assert_gtube(self, res):
        self.assertEqual(res.returncode, 1, res.stderr)  # spamc -c: 1 for spam
        self.assertEqual(res.stdout.strip(), "1000.0/5.0")

    def test_foreground_serves_tcp_and_unix_then_stops_on_sigterm(self):
        s = self.server()
        # a worker the site's configuration adds: spamd's command line decides what serves
        other = free_port()
        os.makedirs(os.path.join(s.dir, "etc", "local.d"))
        with open(os.path.join(s.dir, "etc", "local.d", "workers.yaml"), "w") as f:
            f.write(f'extra: {{type: spamd, bind_socket: ["127.0.0.1:{other}"], count: 1}}\n')
        pid = s.start(["-m", "2"])
        self.assertEqual(pid, s.proc.pid)  # the main process, as spamd's line says
        self.assertEqual(s.pid_from_file(), pid)
        self.assertRegex(s.log(), rf"spamd: server started on IO::Socket::IP \[127\.0\.0\.1\]:"
                                  rf"{s.port}, UNIX domain socket {re.escape(s.sock)} "
                                  r"\(running version 4\.0\.1, sift [\d.]+\)")
        self.assertEqual(len(s.workers(pid)), 2)
        self.assertIn("workers.extra is not started", s.log())
        with self.assertRaises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", other), timeout=5).close()
        self.assert_gtube(s.spamc("-p", str(s.port)))
        self.assert_gtube(s.spamc("-U", s.sock))
        os.kill(pid, signal.SIGTERM)
        self.assertEqual(s.proc.wait(timeout=30 * SLOW), 0)
        self.assertFalse(os.path.exists(s.sock))
        self.assertFalse(os.path.exists(s.pidfile))

    def test_daemonized_with_debian_options_reloads_on_sighup(self):
        s = self.server()
        pid = s.start(DEBIAN_OPTIONS.split(), daemonize=True)  # returns once it serves
        self.assertEqual(s.pid_from_file(), pid)
        self.assertTrue(alive(pid))
        self.assertEqual(len(s.workers(pid)), 5)  # --max-children 5
        self.assertIn("spamd option --create-prefs accepted without effect", s.log())
        self.assertIn("spamd option --helper-home-dir accepted without effect", s.log())
        self.assert_gtube(s.spamc("-p", str(s.port)))
        mark = len(s.log())
        os.kill(pid, signal.SIGHUP)
        wait_for(lambda: "new workers serve" in s.log()[mark:], 20, "the reload")
        self.assertIn("SIGHUP: reloading", s.log()[mark:])
        # spamd restarts itself on SIGHUP and says so again
        wait_for(lambda: f"spamd: server pid: {pid}" in s.log()[mark:], 10, "the pid line again")
        self.assert_gtube(s.spamc("-p", str(s.port)))
        self.assert_gtube(s.spamc("-U", s.sock))
        self.assertEqual(s.pid_from_file(), pid)
        s.stop(pid)
        self.assertFalse(os.path.exists(s.sock))
        self.assertFalse(os.path.exists(s.pidfile))

    def test_max_conn_per_child_replaces_the_worker(self):
        s = self.server()
        pid = s.start(["-m", "1", "--max-conn-per-child", "2"])
        first = s.workers(pid)
        self.assertEqual(len(first), 1)
        for i in range(5):
            self.assert_gtube(s.spamc("-p", str(s.port)) if i % 2 else s.spamc("-U", s.sock))
        now = wait_for(lambda: len(s.workers(pid)) == 1 and s.workers(pid), 10, "one worker")
        self.assertFalse(now & first, "the first worker still serves")
        self.assertGreaterEqual(len(re.findall(r"worker spamd#0 \(pid \d+\) retired", s.log())), 2)
        self.assertNotIn("restarting it in", s.log())  # no crash back-off

    def test_sql_and_extra_config_lines_are_refused(self):
        for prog, args, what in ((SIFT_SPAMD, ["-q"], "SQL"),
                                 (SIFT_SPAMD, ["--setuid-with-sql"], "SQL"),
                                 (SIFTD, ["--spamd", "-d", "--sql-config"], "SQL"),
                                 (SIFT_SPAMD, ["--cf", "required_score 3"], "--cf")):
            res = subprocess.run([prog, *args], capture_output=True, text=True, timeout=10 * SLOW)
            self.assertEqual(res.returncode, 2, res.stderr)
            self.assertIn(what, res.stderr)
            self.assertTrue(res.stderr.startswith("sift-spamd: "), res.stderr)

    def test_version_names_spamassassin_and_sift(self):
        res = subprocess.run([SIFT_SPAMD, "-V"], capture_output=True, text=True, timeout=10)
        self.assertEqual(res.returncode, 0)
        self.assertRegex(res.stdout, r"^SpamAssassin Server version 4\.0\.1 \(sift [\d.]+\)\n")


if __name__ == "__main__":
    unittest.main()
