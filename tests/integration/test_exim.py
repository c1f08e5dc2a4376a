"""Exim's `spam =` ACL condition (the classic SpamAssassin variant) against
siftd's spamd worker, with the real Exim: exim4-daemon-heavy's binary, which
scripts/install-deps.sh unpacks into /opt/sift-test/exim4 (the package itself
would replace the machine's MTA), run as a daemon on a free loopback port
with a private configuration. swaks sends the mail; Exim scans it in its
DATA ACL (`REPORT SPAMC/1.2`, an mbox `From ` line, LF line ends), puts
$spam_score, $spam_bar, $spam_report... into headers, and delivers into a
maildir, where the test reads them. SIFT_AGAINST=spamd runs the same test
against SpamAssassin's own spamd (spamdtarget.py)."""

import email
import email.policy
import glob
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # run as a file, too
from siftlib import IS_ROOT, SLOW, free_port, need_tool, wait_for
from spamdtarget import EXIM, GTUBE, need_path, start_scanner

EXIM_USER = "Debian-exim"  # compiled into Debian's binary; install-deps makes it
DOMAIN = "sift-test.example"

CONFIG = """\
exim_path = {exim}
keep_environment =
primary_hostname = {domain}
qualify_domain = {domain}
spool_directory = {dir}/spool
log_file_path = {dir}/log/%slog
pid_file_path = {dir}/exim.pid
local_interfaces = 127.0.0.1
host_lookup =
rfc1413_hosts =
tls_advertise_hosts =
queue_only = false
# the scanner, or (X-Test-Scanner: down) a port nothing listens on
spamd_address = ${{if eq{{$h_X-Test-Scanner:}}{{down}}{{127.0.0.1 {dead} tmo=20s}}\
{{127.0.0.1 {port} tmo=20s}}}}
acl_smtp_rcpt = acl_rcpt
acl_smtp_data = acl_data

begin acl

acl_rcpt:
  accept

acl_data:
  # X-Test-Mode picks the statement: none, the headers of every variable
  warn  condition  = ${{if eq{{$h_X-Test-Mode:}}{{}}}}
        spam       = nobody:true
        add_header = X-Spam-Score: $spam_score
        add_header = X-Spam-Score-Int: $spam_score_int
        add_header = X-Spam-Bar: $spam_bar
        add_header = X-Spam-Action: $spam_action
        add_header = X-Spam-Report: $spam_report
  # deny: spam is refused, and a scan that cannot be done defers
  deny  condition  = ${{if eq{{$h_X-Test-Mode:}}{{deny}}}}
        spam       = nobody
        message    = This message scored $spam_score spam points.
  # deny_defer_ok: the same, but a scan that cannot be done lets mail pass
  deny  condition  = ${{if eq{{$h_X-Test-Mode:}}{{deny_defer_ok}}}}
        spam       = nobody/defer_ok
        message    = This message scored $spam_score spam points.
  accept

begin routers

local:
  driver = accept
  transport = maildir

begin transports

maildir:
  driver = appendfile
  directory = {dir}/mail
  maildir_format
  create_directory
  user = {user}
  group = {user}
"""

HAM = """\
From: Alice Example <alice@example.org>
To: Bob Example <bob@{domain}>
Subject: {subject}
Date: Tue, 24 Nov 2026 10:00:00 +0000
Message-ID: <{tag}@example.org>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii
{extra}
Hi Bob,

the minutes of Tuesday's meeting are below. We agreed to move the review
to next week and to keep the current schedule for the release.

Alice
"""

GTUBE_MSG = """\
From: Sam Sender <sam@example.org>
To: Bob Example <bob@{domain}>
Subject: {subject}
Date: Tue, 24 Nov 2026 10:05:00 +0000
Message-ID: <{tag}@example.org>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii
{extra}
This is the GTUBE, the
\tGeneric
\tTest for
\tUnsolicited
\tBulk
\tEmail

{gtube}

You should send this test mail from an account outside of your network.
"""


def exim_bar(score):
    """Exim's $spam_bar for a score: '+' or '-' per whole point, at most
    MAX_SPAM_BAR_CHARS + 1 = 51 of them (the loop runs one past the
    documented 50), '/' below one point."""
    n = min(int(abs(score)), 51)
    if n == 0:
        return "/"
    return ("+" if score > 0 else "-") * n


class EximHarness(unittest.TestCase):
    """Exim as a daemon on a free loopback port with the configuration
    exim_config() writes, scanning with the server start_target() starts;
    swaks to send, the maildir to read. What the Exim tests share
    (test_exim_rspamd.py runs the rspamd variant with it)."""

    @classmethod
    def start_target(cls):
        return start_scanner()

    @classmethod
    def exim_config(cls):
        return CONFIG.format(exim=EXIM, domain=DOMAIN, dir=cls.dir, dead=free_port(),
                             port=cls.scanner.ports["spamd"], user=EXIM_USER)

    @classmethod
    def setUpClass(cls):
        need_path(EXIM, "Exim (exim4-daemon-heavy unpacked)")
        cls.swaks = need_tool("swaks")
        if not IS_ROOT:
            # Debian's Exim is setuid root and switches to Debian-exim for
            # reception and logging: as another user it cannot run a daemon
            # with a -C configuration.
            raise unittest.SkipTest("Exim's daemon needs root (it runs as Debian-exim)")
        cls.scanner = cls.start_target()
        try:
            cls.start_exim()
        except BaseException:
            cls.stop_exim()
            cls.scanner.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.stop_exim()
        cls.scanner.cleanup()

    @classmethod
    def start_exim(cls):
        cls.dir = tempfile.mkdtemp(prefix="sift-exim-")
        os.chmod(cls.dir, 0o755)
        for d in ("spool", "log", "mail"):
            os.mkdir(os.path.join(cls.dir, d))
            shutil.chown(os.path.join(cls.dir, d), EXIM_USER, EXIM_USER)
        cls.conf = os.path.join(cls.dir, "exim.conf")
        with open(cls.conf, "w") as f:
            f.write(cls.exim_config())
        cls.port = free_port()
        # -bdf: the daemon stays in the foreground, a child of this test
        with open(os.path.join(cls.dir, "exim.out"), "wb") as out:
            cls.exim = subprocess.Popen([EXIM, "-C", cls.conf, "-bdf", "-oX", str(cls.port)],
                                        stdin=subprocess.DEVNULL, stdout=out,
                                        stderr=subprocess.STDOUT)

        def listening():
            if cls.exim.poll() is not None:
                raise AssertionError(f"exim exited {cls.exim.returncode}: {cls.log('exim.out')}"
                                     f"\n{cls.log()}")
            try:
                socket.create_connection(("127.0.0.1", cls.port), timeout=1).close()
                return True
            except OSError:
                return False
        wait_for(listening, 20, "Exim to listen")

    @classmethod
    def stop_exim(cls):
        proc = getattr(cls, "exim", None)
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        d = getattr(cls, "dir", None)
        if d:
            if os.environ.get("SIFT_KEEP_TMP"):
                print(f"kept {d}")
            else:
                shutil.rmtree(d, ignore_errors=True)

    @classmethod
    def log(cls, name="main"):
        """Exim's mainlog, paniclog ("panic") or the daemon's output ("exim.out")."""
        path = os.path.join(cls.dir, name) if "." in name else \
            os.path.join(cls.dir, "log", f"{name}log")
        try:
            with open(path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    # --- helpers ---------------------------------------------------------
    def send(self, text):
        """swaks: the SMTP dialogue's transcript and exit status."""
        r = subprocess.run([self.swaks, "--server", f"127.0.0.1:{self.port}",
                            "--from", "alice@example.org", "--to", f"bob@{DOMAIN}",
                            "--helo", "client.example.org", "--data", "-",
                            "--timeout", str(int(60 * SLOW))],
                           input=text, capture_output=True, text=True, timeout=90 * SLOW)
        return r.returncode, r.stdout + r.stderr

    def ham(self, subject, extra=""):
        return HAM.format(domain=DOMAIN, subject=subject, tag=re.sub(r"\W", "-", subject),
                          extra=extra)

    def gtube(self, subject, extra=""):
        return GTUBE_MSG.format(domain=DOMAIN, subject=subject, tag=re.sub(r"\W", "-", subject),
                                gtube=GTUBE, extra=extra)

    def delivered(self, subject, timeout=20):
        """The delivered message whose Subject is subject (waits for it)."""
        def find():
            for path in glob.glob(os.path.join(self.dir, "mail", "new", "*")):
                with open(path, "rb") as f:
                    msg = email.message_from_binary_file(f, policy=email.policy.compat32)
                if msg["Subject"] == subject:
                    return msg
            return None
        try:
            return wait_for(find, timeout, f"delivery of {subject!r}", step=0.05)
        except AssertionError as e:
            raise AssertionError(f"{e}\nmainlog:\n{self.log()}\npaniclog:\n{self.log('panic')}")


class EximSpamTest(EximHarness):
    def spam_headers(self, msg):
        return {k: msg[k] for k in ("X-Spam-Score", "X-Spam-Score-Int", "X-Spam-Bar",
                                    "X-Spam-Action", "X-Spam-Report")}

    def check_variables(self, h):
        """What Exim derives from the score agrees with the score it parsed."""
        self.assertRegex(h["X-Spam-Score"], r"^-?\d+\.\d$", h)
        score = float(h["X-Spam-Score"])
        self.assertEqual(h["X-Spam-Bar"], exim_bar(score), h)
        # $spam_score_int: (score + 0.001) * 10, truncated (from the unrounded
        # score, so allow the one-decimal rounding either way)
        self.assertLessEqual(abs(int(h["X-Spam-Score-Int"]) - score * 10), 1, h)
        report = h["X-Spam-Report"]
        self.assertNotIn("\r", report)
        # the report's own figure is the score Exim parsed from `Spam:`
        m = re.search(r"Content analysis details: +\((-?[\d.]+) points, ([\d.]+) required\)",
                      report)
        self.assertIsNotNone(m, report)
        self.assertEqual(m.group(1), h["X-Spam-Score"])
        self.assertEqual(m.group(2), "5.0")
        return score

    # --- tests -----------------------------------------------------------
    def test_gtube_is_scored_and_reported(self):
        subject = "gtube via exim"
        rc, out = self.send(self.gtube(subject))
        self.assertEqual(rc, 0, out)
        self.assertRegex(out, r"<-  250 OK id=", out)
        h = self.spam_headers(self.delivered(subject))
        score = self.check_variables(h)
        # GTUBE is 1000; SpamAssassin takes a point off for ALL_TRUSTED (Exim's
        # own Received line from 127.0.0.1 is the only relay)
        self.assertGreaterEqual(score, 999.0, h)
        self.assertLessEqual(score, 1001.0, h)
        self.assertEqual(h["X-Spam-Bar"], "+" * 51, h)
        self.assertEqual(h["X-Spam-Action"], "reject", h)  # score >= threshold
        self.assertGreaterEqual(int(h["X-Spam-Score-Int"]), 9990, h)
        report = h["X-Spam-Report"]
        self.assertRegex(report, r"\n  ?1000 GTUBE +BODY: Generic Test for Unsolicited Bulk Email",
                         report)
        self.assertIn("has identified this incoming email as possible spam", report)
        # a multi-line $spam_report is a folded header: every line after the
        # first starts with the space Exim inserts
        lines = report.split("\n")
        self.assertGreater(len(lines), 5, report)
        self.assertTrue(all(l.startswith(" ") for l in lines[1:]), report)

    def test_ham_gets_a_small_score(self):
        subject = "ham via exim"
        rc, out = self.send(self.ham(subject))
        self.assertEqual(rc, 0, out)
        h = self.spam_headers(self.delivered(subject))
        score = self.check_variables(h)
        self.assertLess(abs(score), 5.0, h)
        self.assertEqual(h["X-Spam-Action"], "no action", h)
        self.assertIn("has NOT identified this incoming email as spam", h["X-Spam-Report"])
        self.assertNotIn("GTUBE", h["X-Spam-Report"])

    def test_scanner_down_warn_skips_the_statement(self):
        # `warn spam = nobody:true` and no server answers: the condition
        # defers, which a warn statement only logs; the message is accepted
        # without the statement's headers
        subject = "warn while the scanner is down"
        mark = len(self.log())
        rc, out = self.send(self.ham(subject, "X-Test-Scanner: down\n"))
        self.assertEqual(rc, 0, out)
        msg = self.delivered(subject)
        self.assertIsNone(msg["X-Spam-Score"], str(msg))
        log = self.log()[mark:]
        self.assertIn("spam acl condition: all spamd servers failed", log)
        self.assertIn('Warning: ACL "warn" statement skipped: condition test deferred', log)

    def test_deny_rejects_gtube(self):
        rc, out = self.send(self.gtube("gtube to deny", "X-Test-Mode: deny\n"))
        self.assertNotEqual(rc, 0, out)
        m = re.search(r"<\*\* +550 This message scored (\S+) spam points\.", out)
        self.assertIsNotNone(m, out)
        self.assertGreaterEqual(float(m.group(1)), 999.0, out)

    def test_deny_accepts_ham(self):
        subject = "ham past deny"
        rc, out = self.send(self.ham(subject, "X-Test-Mode: deny\n"))
        self.assertEqual(rc, 0, out)
        self.delivered(subject)

    def test_scanner_down_deny_defers_the_message(self):
        # `deny spam = nobody` without /defer_ok: the condition defers, so
        # does the ACL; the client gets a 451 after DATA, nothing is delivered
        subject = "deny while the scanner is down"
        mark = len(self.log())
        rc, out = self.send(self.ham(subject, "X-Test-Scanner: down\nX-Test-Mode: deny\n"))
        self.assertNotEqual(rc, 0, out)
        self.assertRegex(out, r"<\*\* +451 Temporary local problem", out)
        log = wait_for(lambda: (lambda l: "temporarily rejected" in l and l)(self.log()[mark:]),
                       10, "Exim to log the deferral")
        self.assertIn("spam acl condition: all spamd servers failed", log)
        self.assertRegex(log, r"H=\(client\.example\.org\) \[127\.0\.0\.1\] "
                         r"F=<alice@example\.org> temporarily rejected after DATA")
        time.sleep(0.5)
        for path in glob.glob(os.path.join(self.dir, "mail", "new", "*")):
            with open(path, errors="replace") as f:
                self.assertNotIn(subject, f.read())

    def test_scanner_down_deny_defer_ok_accepts(self):
        # with /defer_ok the scan that cannot be done is a false condition:
        # the message passes unscanned
        subject = "deny_defer_ok while the scanner is down"
        mark = len(self.log())
        rc, out = self.send(self.ham(subject,
                                     "X-Test-Scanner: down\nX-Test-Mode: deny_defer_ok\n"))
        self.assertEqual(rc, 0, out)
        self.delivered(subject)
        self.assertIn("spam acl condition: all spamd servers failed", self.log()[mark:])
        # the same statement with the scanner up does scan (and refuses GTUBE)
        rc, out = self.send(self.gtube("gtube to deny_defer_ok", "X-Test-Mode: deny_defer_ok\n"))
        self.assertRegex(out, r"<\*\* +550 This message scored \S+ spam points\.", out)

if __name__ == "__main__":
    unittest.main()
