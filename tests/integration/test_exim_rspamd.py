"""Exim's `spam =` ACL condition in its rspamd variant (`spamd_address =
127.0.0.1 PORT variant=rspamd`) against siftd's normal worker: Exim sends
the legacy `CHECK RSPAMC/1.3` request (envelope headers, Content-length, no
half-close) and reads the `RSPAMD/1.3 0 EX_OK` / `Metric:` / `Action:`
reply (spec/exim-spam-integration.md section 5). The same harness as
test_exim.py (the real Exim as a daemon on a free port, swaks, a maildir);
the ACL puts $spam_score, $spam_action, $spam_report... into headers, and
refuses mail whose $spam_action is reject.

siftd runs the minimal rules plus a site local.cf whose rules see what
Exim passed on: the envelope sender (from Exim's own Received header) and
a Subject for a middle score."""

import os
import re
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # run as a file, too
from siftlib import Siftd
from test_exim import DOMAIN, EXIM, EXIM_USER, EximHarness, exim_bar

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
spamd_address = 127.0.0.1 {port} variant=rspamd tmo=20s
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
  # deny on the action, as sites running rspamd do
  deny  condition  = ${{if eq{{$h_X-Test-Mode:}}{{action}}}}
        spam       = nobody:true
        condition  = ${{if eq{{$spam_action}}{{reject}}}}
        message    = Refused ($spam_action, $spam_score points)
  # the condition's own answer: score >= required_score (the reject threshold)
  deny  condition  = ${{if eq{{$h_X-Test-Mode:}}{{condition}}}}
        spam       = nobody
        message    = Spam ($spam_action, $spam_score points)
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

LOCAL_CF = r"""
header   SIFT_ENVFROM EnvelopeFrom =~ /alice\@example\.org/
describe SIFT_ENVFROM Envelope sender is alice
score    SIFT_ENVFROM 2
header   SIFT_OFFER   Subject =~ /special offer/
score    SIFT_OFFER   4
"""


class EximRspamdTest(EximHarness):
    @classmethod
    def start_target(cls):
        cls.site = tempfile.mkdtemp(prefix="sift-exim-site-")
        with open(os.path.join(cls.site, "local.cf"), "w") as f:
            f.write(LOCAL_CF)
        sd = Siftd(workers=("normal",), overrides=[f"rules.site_dir={cls.site}"])
        try:
            return sd.start()
        except BaseException:
            sd.cleanup()
            shutil.rmtree(cls.site, ignore_errors=True)
            raise

    @classmethod
    def exim_config(cls):
        return CONFIG.format(exim=EXIM, domain=DOMAIN, dir=cls.dir,
                             port=cls.scanner.ports["normal"], user=EXIM_USER)

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(cls.site, ignore_errors=True)

    def setUp(self):
        self.mark = len(self.log())

    def tearDown(self):
        # Exim read every reply (a reply it cannot parse is a defer and a log line)
        log = self.log()[self.mark:]
        self.assertNotIn("spam acl condition", log)
        panic = [l for l in self.log("panic").splitlines()
                 if "exim user lost privilege for using -C option" not in l]  # (each -C run)
        self.assertEqual(panic, [])

    def queue_id(self, out):
        m = re.search(r"<-  250 OK id=(\S+)", out)
        self.assertIsNotNone(m, out)
        return m.group(1)

    def headers(self, subject):
        msg = self.delivered(subject)
        return {k[len("X-Spam-"):].lower(): msg[k] for k in
                ("X-Spam-Score", "X-Spam-Score-Int", "X-Spam-Bar", "X-Spam-Action",
                 "X-Spam-Report")}

    def check_report(self, h, action, symbols, mid):
        """$spam_report: the reply after its Metric line, CRs gone, folded."""
        self.assertNotIn("\r", h["report"])
        lines = h["report"].split("\n")
        self.assertEqual(lines[0], f"Action: {action}")
        self.assertTrue(all(l.startswith(" ") for l in lines[1:]), h)
        self.assertEqual([l.strip() for l in lines[1:]],
                         [f"Symbol: {name}({score:.2f})" for name, score in sorted(symbols)] +
                         [f"Message-ID: {mid}"])
        score = sum(s for _, s in symbols)
        self.assertEqual(h["score"], f"{score:.1f}")
        self.assertEqual(h["bar"], exim_bar(score))
        self.assertEqual(int(h["score-int"]), int(round(score * 10)))
        self.assertEqual(h["action"], action)

    # --- tests -----------------------------------------------------------
    def test_ham(self):
        subject = "ham via the rspamd variant"
        rc, out = self.send(self.ham(subject))
        self.assertEqual(rc, 0, out)
        h = self.headers(subject)
        self.check_report(h, "no action", [("SIFT_ENVFROM", 2.0)],
                          "ham-via-the-rspamd-variant@example.org")
        # what Exim sent came through: its queue id, the client, the envelope
        qid = self.queue_id(out)
        self.assertRegex(self.scanner.log(),
                         r"RSPAMC from 127\.0\.0\.1:\d+: qid=%s, mid=<ham-via-the-rspamd-variant@"
                         r"example\.org>, ip=127\.0\.0\.1, from=<alice@example\.org>, user=-: "
                         r"no action \[2\.00/15\.00\] \[SIFT_ENVFROM\(2\.00\)\]"
                         % re.escape(qid))

    def test_add_header(self):
        subject = "a special offer via the rspamd variant"
        rc, out = self.send(self.ham(subject))
        self.assertEqual(rc, 0, out)
        self.check_report(self.headers(subject), "add header",
                          [("SIFT_ENVFROM", 2.0), ("SIFT_OFFER", 4.0)],
                          "a-special-offer-via-the-rspamd-variant@example.org")

    def test_gtube_is_reject(self):
        subject = "gtube via the rspamd variant"
        rc, out = self.send(self.gtube(subject))
        self.assertEqual(rc, 0, out)
        h = self.headers(subject)
        self.check_report(h, "reject", [("GTUBE", 1000.0), ("SIFT_ENVFROM", 2.0)],
                          "gtube-via-the-rspamd-variant@example.org")
        self.assertEqual(h["bar"], "+" * 51)

    def test_deny_on_reject_action(self):
        rc, out = self.send(self.gtube("gtube to refuse", "X-Test-Mode: action\n"))
        self.assertNotEqual(rc, 0, out)
        self.assertRegex(out, r"<\*\* +550 Refused \(reject, 1002\.0 points\)")
        self.assertRegex(self.log()[self.mark:], r"F=<alice@example\.org> rejected after DATA: "
                                                 r"Refused \(reject, 1002\.0 points\)")
        # what is not reject passes the same statement
        for subject in ("ham past the action deny", "a special offer past the action deny"):
            rc, out = self.send(self.ham(subject, "X-Test-Mode: action\n"))
            self.assertEqual(rc, 0, out)
            self.delivered(subject)

    def test_condition_is_score_over_required(self):
        # required_score is the reject threshold: 6 points is not spam to the
        # condition, 1002 is
        subject = "a special offer past the condition"
        rc, out = self.send(self.ham(subject, "X-Test-Mode: condition\n"))
        self.assertEqual(rc, 0, out)
        self.delivered(subject)
        rc, out = self.send(self.gtube("gtube to the condition", "X-Test-Mode: condition\n"))
        self.assertNotEqual(rc, 0, out)
        self.assertRegex(out, r"<\*\* +550 Spam \(reject, 1002\.0 points\)")


if __name__ == "__main__":
    unittest.main()
