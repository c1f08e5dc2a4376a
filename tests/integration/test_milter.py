"""The proxy worker as a milter (self-scan), with real peers:

- the real Postfix (Debian's package, run as root with a private
  configuration directory: `postfix -c DIR start-fg`, smtpd on free
  loopback ports, `smtpd_milters` pointed at siftd, mail delivered by
  virtual(8) into maildirs of the temporary directory). swaks and smtplib
  send; the test reads what was delivered and what the SMTP client was
  told: ham with SpamAssassin's X-Spam-* headers, a forged X-Spam removed,
  GTUBE refused with 554 5.7.1, greylist deferred with 451 4.7.1, add header
  and rewrite subject, several messages in one SMTP session, the envelope
  as the rules see it (the Received hop), /history rows; and with nothing
  listening on the milter port, milter_default_action (tempfail, accept).
- miltertest (OpenDKIM's MTA simulator, Lua scripts in tests/integration/
  milter/) for protocol edge cases Postfix does not show on demand: ABORT
  mid-message, two messages on one connection, missing macros, a body over
  max_size, an MTA that offers no "no reply" bits, secure_ip and SMTP AUTH
  (never refused), extended_spam_headers; plus raw sockets for an HTTP
  ping and a broken packet.
"""

import email
import email.policy
import glob
import json
import os
import pwd
import re
import shutil
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # run as a file, too
from siftlib import IS_ROOT, SLOW, Siftd, free_port, need_tool, read_all, wait_for

HERE = os.path.dirname(os.path.abspath(__file__))
LUA_DIR = os.path.join(HERE, "milter")
DOMAIN = "sift-test.example"
GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X"

# SpamAssassin's own add_header lines (10_default_prefs.cf: the minimal test
# rules have none), and rules whose Subject words pick an action:
# greylist 4 <= add header 5 (required_score) <= rewrite subject 8 <= reject 15
SITE_CF = r"""
add_header all Checker-Version SpamAssassin _VERSION_ (_SUBVERSION_) on _HOSTNAME_
add_header spam Flag _YESNOCAPS_
add_header all Level _STARS(*)_
add_header all Status "_YESNO_, score=_SCORE_ required=_REQD_ tests=_TESTS_ autolearn=_AUTOLEARN_ version=_VERSION_"
header   SIFT_GREY     Subject =~ /\bgreylist-me\b/
score    SIFT_GREY     4.5
header   SIFT_MARK     Subject =~ /\bmark-me\b/
score    SIFT_MARK     6
header   SIFT_REWRITE  Subject =~ /\brewrite-me\b/
score    SIFT_REWRITE  9
header   SIFT_ENVFROM  EnvelopeFrom =~ /envelope-check\@example\.org/
describe SIFT_ENVFROM  The envelope sender reached the rules
score    SIFT_ENVFROM  0.01
header   SIFT_RELAY    X-Spam-Relays-Trusted =~ /helo=relay-check\.example\.org /
describe SIFT_RELAY    The HELO reached the rules
score    SIFT_RELAY    0.01
"""
ACTIONS = ["actions.greylist=4", "actions.rewrite_subject=8", "actions.reject=15"]

MAIN_CF = """\
compatibility_level = 3.6
queue_directory = {dir}/queue
data_directory = {dir}/data
mail_owner = postfix
setgid_group = postdrop
maillog_file = {dir}/maillog
maillog_file_prefixes = {dir}
myhostname = mx.{domain}
mydomain = {domain}
myorigin = $myhostname
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mydestination =
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
local_recipient_maps =
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtputf8_enable = no
biff = no
virtual_mailbox_domains = {domain}
virtual_mailbox_base = {dir}/mail
virtual_mailbox_maps = texthash:{dir}/vmailbox
virtual_uid_maps = static:{uid}
virtual_gid_maps = static:{gid}
virtual_minimum_uid = 1
smtpd_milters = inet:127.0.0.1:{milter}
milter_protocol = 6
milter_default_action = tempfail
milter_mail_macros = i {{mail_addr}} {{client_addr}} {{client_name}} {{auth_authen}} {{auth_type}}
"""

# smtpd on three ports: siftd's milter, and a milter port nothing listens
# on (siftd stopped) with each milter_default_action
MASTER_CF = """\
127.0.0.1:{port} inet n - n - - smtpd
127.0.0.1:{port_tempfail} inet n - n - - smtpd
  -o smtpd_milters=inet:127.0.0.1:{dead}
  -o milter_default_action=tempfail
127.0.0.1:{port_accept} inet n - n - - smtpd
  -o smtpd_milters=inet:127.0.0.1:{dead}
  -o milter_default_action=accept
cleanup   unix n - n - 0 cleanup
qmgr      unix n - n 300 1 qmgr
rewrite   unix - - n - - trivial-rewrite
bounce    unix - - n - 0 bounce
defer     unix - - n - 0 bounce
trace     unix - - n - 0 bounce
verify    unix - - n - 1 verify
flush     unix n - n 1000? 0 flush
proxymap  unix - - n - - proxymap
smtp      unix - - n - - smtp
relay     unix - - n - - smtp
showq     unix n - n - - showq
error     unix - - n - - error
retry     unix - - n - - error
discard   unix - - n - - discard
local     unix - n n - - local
virtual   unix - n n - - virtual
anvil     unix - - n - 1 anvil
scache    unix - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
"""

HAM = """\
From: Alice Example <alice@example.org>
To: Bob Example <bob@{domain}>
Subject: {subject}
Date: Tue, 24 Nov 2026 10:00:00 +0000
Message-ID: <{mid}>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii
{extra}
Hi Bob,

the minutes of Tuesday's meeting are below. We agreed to move the review
to next week and to keep the current schedule for the release.

Alice
"""


def message(subject, mid, extra="", body=None):
    text = HAM.format(domain=DOMAIN, subject=subject, mid=mid, extra=extra)
    if body is not None:
        text = text[:text.index("\n\n") + 2] + body
    return text


class PostfixMilterTest(unittest.TestCase):
    """Postfix with smtpd_milters = siftd's proxy worker."""

    @classmethod
    def setUpClass(cls):
        cls.postfix = need_tool("postfix")
        cls.swaks = need_tool("swaks")
        if not IS_ROOT:
            raise unittest.SkipTest("Postfix's master runs as root (its daemons as postfix)")
        cls.site = tempfile.mkdtemp(prefix="sift-milter-site-")
        with open(os.path.join(cls.site, "local.cf"), "w") as f:
            f.write(SITE_CF)
        cls.sd = Siftd(workers=("proxy", "controller"),
                       overrides=[f"rules.site_dir={cls.site}", "workers.proxy.secure_ip=[]"]
                       + ACTIONS)
        try:
            cls.sd.start()
            cls.start_postfix()
        except BaseException:
            cls.stop_postfix()
            cls.sd.cleanup()
            shutil.rmtree(cls.site, ignore_errors=True)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.stop_postfix()
        cls.sd.cleanup()
        shutil.rmtree(cls.site, ignore_errors=True)

    @classmethod
    def start_postfix(cls):
        cls.dir = tempfile.mkdtemp(prefix="sift-postfix-")
        os.chmod(cls.dir, 0o755)
        cls.conf = os.path.join(cls.dir, "etc")
        os.mkdir(cls.conf)
        os.mkdir(os.path.join(cls.dir, "queue"))  # postfix makes the rest of it
        for d in ("mail", "data"):
            os.mkdir(os.path.join(cls.dir, d))
            shutil.chown(os.path.join(cls.dir, d), "postfix", "postfix")
        cls.port, cls.port_tempfail, cls.port_accept = free_port(), free_port(), free_port()
        pw = pwd.getpwnam("postfix")
        with open(os.path.join(cls.conf, "main.cf"), "w") as f:
            f.write(MAIN_CF.format(dir=cls.dir, domain=DOMAIN, uid=pw.pw_uid, gid=pw.pw_gid,
                                   milter=cls.sd.ports["proxy"]))
        with open(os.path.join(cls.conf, "master.cf"), "w") as f:
            f.write(MASTER_CF.format(port=cls.port, port_tempfail=cls.port_tempfail,
                                     port_accept=cls.port_accept, dead=free_port()))
        with open(os.path.join(cls.dir, "vmailbox"), "w") as f:
            f.write(f"bob@{DOMAIN} bob/\ncarol@{DOMAIN} carol/\n")
        # start-fg: the master stays a child of this test (logging to maillog_file)
        cls.out = open(os.path.join(cls.dir, "postfix.out"), "wb")
        cls.master = subprocess.Popen([cls.postfix, "-c", cls.conf, "start-fg"],
                                      stdin=subprocess.DEVNULL, stdout=cls.out,
                                      stderr=subprocess.STDOUT)

        def listening():
            if cls.master.poll() is not None:
                raise AssertionError(f"postfix exited {cls.master.returncode}: "
                                     f"{cls.read('postfix.out')}\n{cls.read('maillog')}")
            try:
                for p in (cls.port, cls.port_tempfail, cls.port_accept):
                    socket.create_connection(("127.0.0.1", p), timeout=1).close()
                return True
            except OSError:
                return False
        wait_for(listening, 30, "Postfix to listen")

    @classmethod
    def stop_postfix(cls):
        proc = getattr(cls, "master", None)
        if proc is not None and proc.poll() is None:
            subprocess.run([cls.postfix, "-c", cls.conf, "stop"], capture_output=True,
                           timeout=30)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if getattr(cls, "out", None) is not None:
            cls.out.close()
        d = getattr(cls, "dir", None)
        if d:
            if os.environ.get("SIFT_KEEP_TMP"):
                print(f"kept {d}")
            else:
                shutil.rmtree(d, ignore_errors=True)

    @classmethod
    def read(cls, name):
        try:
            with open(os.path.join(cls.dir, name), errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    # --- helpers ---------------------------------------------------------
    def send(self, text, port=None, sender="alice@example.org", helo="client.example.org",
             to=None):
        """swaks: (exit status, transcript)."""
        r = subprocess.run([self.swaks, "--server", f"127.0.0.1:{port or self.port}",
                            "--from", sender, "--to", to or f"bob@{DOMAIN}", "--helo", helo,
                            "--data", "-", "--timeout", str(int(60 * SLOW))],
                           input=text, capture_output=True, text=True, timeout=90 * SLOW)
        return r.returncode, r.stdout + r.stderr

    def delivered(self, mid, box="bob", timeout=20):
        """The delivered message with this Message-ID (waits for it)."""
        def find():
            for path in glob.glob(os.path.join(self.dir, "mail", box, "new", "*")):
                with open(path, "rb") as f:
                    msg = email.message_from_binary_file(f, policy=email.policy.compat32)
                if msg["Message-ID"] == f"<{mid}>":
                    return msg
            return None
        try:
            return wait_for(find, timeout, f"delivery of <{mid}>", step=0.05)
        except AssertionError as e:
            raise AssertionError(f"{e}\nmaillog:\n{self.read('maillog')[-4000:]}"
                                 f"\nsiftd:\n{self.sd.log()[-4000:]}")

    def not_delivered(self, mid):
        time.sleep(0.5)
        for path in glob.glob(os.path.join(self.dir, "mail", "*", "new", "*")):
            with open(path, errors="replace") as f:
                self.assertNotIn(f"<{mid}>", f.read())

    def sift_log(self, mid):
        return self.sd.wait_log(r"<\w+> milter from [^\n]*mid=<" + re.escape(mid) + r">[^\n]*")

    # --- tests -----------------------------------------------------------
    def test_ham_is_delivered_with_spamassassin_headers(self):
        rc, out = self.send(message("minutes", "ham-1@example.org"))
        self.assertEqual(rc, 0, out)
        msg = self.delivered("ham-1@example.org")
        self.assertRegex(msg["X-Spam-Status"], r"^No, score=-?\d+\.\d required=5\.0 ", str(msg))
        self.assertRegex(msg["X-Spam-Checker-Version"], r"^SpamAssassin 4\.0\.1 ", str(msg))
        self.assertIsNone(msg["X-Spam"], str(msg))
        self.assertIsNone(msg["X-Spam-Flag"], str(msg))
        # Postfix's own Received is there, and sift's added headers are after
        # the message's own (appended)
        self.assertRegex(msg["Received"], r"by mx\.sift-test\.example \(Postfix\)")
        keys = [k.lower() for k in msg.keys()]
        self.assertGreater(keys.index("x-spam-status"), keys.index("content-type"))
        log = self.sift_log("ham-1@example.org")
        self.assertRegex(log.group(0), r"ip=127\.0\.0\.1, from=<alice@example\.org>, "
                         r"rcpt=<bob@sift-test\.example>, user=-: no action \[")
        self.assertRegex(log.group(0), r"qid=[0-9A-F]+, ")
        self.assertTrue(log.group(0).endswith("reply: accept"), log.group(0))

    def test_forged_spam_headers_are_removed(self):
        forged = ("X-Spam: Yes\nX-Spam-Flag: YES\nX-Spam-Status: Yes, score=99.0 forged\n"
                  "X-Spam-Level: ***************\n")
        rc, out = self.send(message("minutes again", "forged-1@example.org", forged))
        self.assertEqual(rc, 0, out)
        msg = self.delivered("forged-1@example.org")
        self.assertIsNone(msg["X-Spam"], str(msg))
        self.assertIsNone(msg["X-Spam-Flag"], str(msg))
        self.assertEqual(len(msg.get_all("X-Spam-Status")), 1, str(msg))
        self.assertTrue(msg["X-Spam-Status"].startswith("No, score="), str(msg))
        self.assertEqual(msg.get_all("X-Spam-Level"), [""], str(msg))

    def test_gtube_is_rejected(self):
        rc, out = self.send(message("gtube", "gtube-1@example.org", body=GTUBE + "\n"))
        self.assertNotEqual(rc, 0, out)
        self.assertRegex(out, r"<\*\* +554 5\.7\.1 Spam message rejected", out)
        self.not_delivered("gtube-1@example.org")
        log = self.sift_log("gtube-1@example.org")
        self.assertRegex(log.group(0), r": reject \[1000\.\d\d/15\.00\] \[GTUBE\(1000\.00\)")
        self.assertIn("reply: reject 554 5.7.1 Spam message rejected", log.group(0))
        maillog = wait_for(lambda: (lambda l: "milter-reject" in l and l)(self.read("maillog")),
                           10, "Postfix to log the milter reject")
        self.assertRegex(maillog, r"milter-reject: END-OF-MESSAGE from [^:]*: 5\.7\.1 Spam "
                         r"message rejected;")

    def test_add_header_marks_spam(self):
        rc, out = self.send(message("mark-me please", "mark-1@example.org"))
        self.assertEqual(rc, 0, out)
        msg = self.delivered("mark-1@example.org")
        self.assertEqual(msg["X-Spam"], "Yes", str(msg))
        self.assertEqual(msg["X-Spam-Flag"], "YES", str(msg))
        self.assertRegex(msg["X-Spam-Status"], r"^Yes, score=6\.\d required=5\.0 ")
        self.assertIn("SIFT_MARK", msg["X-Spam-Status"])
        self.assertEqual(msg["Subject"], "mark-me please")

    def test_greylist_defers(self):
        rc, out = self.send(message("greylist-me please", "grey-1@example.org"))
        self.assertNotEqual(rc, 0, out)
        self.assertRegex(out, r"<\*\* +451 4\.7\.1 Try again later", out)
        self.not_delivered("grey-1@example.org")
        self.assertIn("reply: tempfail 451 4.7.1 Try again later",
                      self.sift_log("grey-1@example.org").group(0))

    def test_rewrite_subject(self):
        rc, out = self.send(message("rewrite-me please", "rewrite-1@example.org"))
        self.assertEqual(rc, 0, out)
        msg = self.delivered("rewrite-1@example.org")
        self.assertEqual(msg["Subject"], "***SPAM*** rewrite-me please", str(msg))
        self.assertEqual(len(msg.get_all("Subject")), 1, str(msg))
        self.assertEqual(msg["X-Spam"], "Yes", str(msg))

    def test_envelope_reaches_the_rules(self):
        # Postfix does not show milters its own Received header: sift adds
        # the hop (HELO, client, envelope sender) the way spamd behind
        # Postfix would see it
        rc, out = self.send(message("envelope", "env-1@example.org"),
                            sender="envelope-check@example.org", helo="relay-check.example.org")
        self.assertEqual(rc, 0, out)
        msg = self.delivered("env-1@example.org")
        tests = re.sub(r"\s+", "", msg["X-Spam-Status"])
        self.assertIn("SIFT_ENVFROM", tests, str(msg))
        self.assertIn("SIFT_RELAY", tests, str(msg))
        # the hop is for the rules only: the message has Postfix's own
        self.assertNotIn("(sift)", str(msg))

    def test_several_messages_in_one_session(self):
        # one SMTP session, one milter connection: ham, spam, ham
        with smtplib.SMTP("127.0.0.1", self.port, timeout=60 * SLOW) as s:
            s.ehlo("client.example.org")
            s.sendmail("alice@example.org", [f"bob@{DOMAIN}"],
                       message("first of three", "multi-1@example.org"))
            with self.assertRaises(smtplib.SMTPDataError) as e:
                s.sendmail("alice@example.org", [f"bob@{DOMAIN}"],
                           message("second", "multi-2@example.org", body=GTUBE + "\n"))
            self.assertEqual(e.exception.smtp_code, 554)
            self.assertIn(b"5.7.1 Spam message rejected", e.exception.smtp_error)
            s.sendmail("alice@example.org", [f"bob@{DOMAIN}", f"carol@{DOMAIN}"],
                       message("third", "multi-3@example.org"))
        self.assertIsNone(self.delivered("multi-1@example.org")["X-Spam"])
        third = self.delivered("multi-3@example.org")
        self.assertTrue(third["X-Spam-Status"].startswith("No,"), str(third))
        self.delivered("multi-3@example.org", box="carol")
        self.not_delivered("multi-2@example.org")
        tags = {re.search(r"<(\w+)> milter from", self.sift_log(m).group(0)).group(1)
                for m in ("multi-1@example.org", "multi-2@example.org", "multi-3@example.org")}
        self.assertEqual(len(tags), 1, tags)  # one connection
        self.assertIn("rcpt=<bob@sift-test.example>,<carol@sift-test.example>",
                      self.sift_log("multi-3@example.org").group(0))

    def test_history_shows_milter_scans(self):
        rc, out = self.send(message("for the history", "hist-1@example.org"))
        self.assertEqual(rc, 0, out)
        self.delivered("hist-1@example.org")

        def row():
            raw = read_all_http(self.sd.ports["controller"], "/history")
            for r in json.loads(raw):
                if r.get("id") == "hist-1@example.org":
                    return r
            return None
        r = wait_for(row, 10, "the /history row")
        self.assertEqual(r["ip"], "127.0.0.1")
        self.assertEqual(r["action"], "no action")
        self.assertEqual(r.get("from"), "alice@example.org")

    def test_milter_down_default_action_tempfail(self):
        rc, out = self.send(message("nobody listens", "down-1@example.org"),
                            port=self.port_tempfail)
        self.assertNotEqual(rc, 0, out)
        self.assertRegex(out, r"<\*\* +451 4\.7\.1 ", out)
        self.not_delivered("down-1@example.org")

    def test_milter_down_default_action_accept(self):
        rc, out = self.send(message("nobody listens either", "down-2@example.org",
                                    "X-Spam: Yes\n"), port=self.port_accept)
        self.assertEqual(rc, 0, out)
        msg = self.delivered("down-2@example.org")
        self.assertIsNone(msg["X-Spam-Status"], str(msg))
        self.assertEqual(msg["X-Spam"], "Yes")  # nobody removed it: not scanned


def read_all_http(port, path):
    with socket.create_connection(("127.0.0.1", port), timeout=10 * SLOW) as s:
        s.sendall(f"GET {path} HTTP/1.0\r\n\r\n".encode())
        raw = read_all(s)
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), raw[:300]
    return body


class MiltertestEdgeTest(unittest.TestCase):
    """Protocol edge cases with miltertest's Lua scripts (milter/*.lua)."""

    @classmethod
    def setUpClass(cls):
        cls.miltertest = need_tool("miltertest")
        cls.site = tempfile.mkdtemp(prefix="sift-milter-site-")
        with open(os.path.join(cls.site, "local.cf"), "w") as f:
            f.write(SITE_CF)
        # secure_ip stays loopback (the default); 192.0.2.10 is an outside client
        cls.sd = Siftd(workers=("proxy",),
                       overrides=[f"rules.site_dir={cls.site}", "workers.proxy.max_size=32k",
                                  "workers.proxy.extended_spam_headers=yes"] + ACTIONS)
        try:
            cls.sd.start()
        except BaseException:
            cls.sd.cleanup()
            shutil.rmtree(cls.site, ignore_errors=True)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.sd.cleanup()
        shutil.rmtree(cls.site, ignore_errors=True)

    def run_lua(self, name, **defs):
        args = [self.miltertest, "-s", os.path.join(LUA_DIR, name),
                "-D", f"port={self.sd.ports['proxy']}", "-D", f"dir={LUA_DIR}",
                "-D", f"gtube={GTUBE}"]
        for k, v in defs.items():
            args += ["-D", f"{k}={v}"]
        r = subprocess.run(args, capture_output=True, text=True, timeout=60 * SLOW)
        self.assertEqual(r.returncode, 0, f"{name}: {r.stdout}{r.stderr}\n"
                         f"siftd:\n{self.sd.log()[-3000:]}")
        return r.stdout

    def test_abort_mid_message(self):
        out = self.run_lua("abort.lua")
        self.assertIn("ok abort", out)
        self.sd.wait_log(r"message of \d+ bytes abandoned by the MTA \(ABORT\)")

    def test_two_messages_on_one_connection(self):
        self.assertIn("ok two", self.run_lua("two_messages.lua"))

    def test_missing_macros(self):
        self.assertIn("ok macros", self.run_lua("no_macros.lua"))
        self.sd.wait_log(r"milter from [^\n]*qid=-, mid=<nomacro@example\.org>, ip=-, "
                         r"from=<[^\n]*reply: accept")

    def test_oversized_body(self):
        self.assertIn("ok oversized", self.run_lua("oversized.lua"))
        self.sd.wait_log(r"not scanned, \d+ bytes is over max_size \(32768\): accept")

    def test_mta_without_no_reply_bits(self):
        self.assertIn("ok continue", self.run_lua("no_nr_bits.lua"))

    def test_secure_ip_and_auth_are_never_refused(self):
        out = self.run_lua("trusted.lua")
        self.assertIn("ok trusted", out)
        self.sd.wait_log(r"reply: accept \(secure_ip: not refused\)")
        self.sd.wait_log(r"user=sasl-alice: reject [^\n]*reply: accept \(authenticated sender: "
                         r"not refused\)")

    def test_extended_spam_headers(self):
        self.assertIn("ok extended", self.run_lua("extended.lua"))

    def test_http_ping_on_the_milter_port(self):
        with socket.create_connection(("127.0.0.1", self.sd.ports["proxy"]),
                                      timeout=10 * SLOW) as s:
            s.sendall(b"GET /ping HTTP/1.1\r\nHost: x\r\n\r\n")
            raw = read_all(s)
        self.assertTrue(raw.startswith(b"HTTP/1.1 200 OK\r\n"), raw)
        self.assertTrue(raw.endswith(b"\r\n\r\npong\r\n"), raw)

    def test_broken_packet_closes(self):
        # a length of 0 is no packet (section 2): the connection is closed
        with socket.create_connection(("127.0.0.1", self.sd.ports["proxy"]),
                                      timeout=10 * SLOW) as s:
            s.sendall(b"\x00\x00\x00\x00")
            self.assertEqual(read_all(s), b"")
        self.sd.wait_log(r"milter protocol error from [^\n]*: a packet of length 0; closing")


if __name__ == "__main__":
    unittest.main()
