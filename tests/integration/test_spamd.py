"""The spamd worker as a drop-in spamd: Debian's spamc in each of its modes,
and the reply bytes of every method and protocol version, with the stock
SpamAssassin rules loaded (network tests off, as `spamd -L`).

The byte-exact expectations are those of spec/spamd-protocol.md section 7,
captured from the real spamd 4.0.1, with one deliberate difference: the
X-Spam-Checker-Version header names sift in its _SUBVERSION_ slot."""

import os
import re
import socket
import subprocess
import unittest
import zlib

from siftlib import SLOW, Siftd, need_tool

SA_RULES = "/usr/share/spamassassin"

HAM = (b"From: alice@example.org\r\nTo: bob@example.net\r\nSubject: lunch\r\n"
       b"Message-ID: <abc123@example.org>\r\nDate: Mon, 24 Nov 2025 10:00:00 +0000\r\n"
       b"\r\nSee you at noon.\r\n")
GTUBE_LINE = b"XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X"
GTUBE = (b"Subject: Test spam mail (GTUBE)\nMessage-ID: <GTUBE1.1010101@example.net>\n"
         b"Date: Wed, 23 Jul 2003 23:30:00 +0200\nFrom: Sender <sender@example.net>\n"
         b"To: Recipient <recipient@example.net>\nPrecedence: junk\nMIME-Version: 1.0\n"
         b"Content-Type: text/plain; charset=us-ascii\nContent-Transfer-Encoding: 7bit\n\n"
         b"This is the GTUBE, the\n\tGeneric\n\tTest for\n\tUnsolicited\n\tBulk\n\tEmail\n\n"
         + GTUBE_LINE + b"\n\n")

HAM_REPORT = (
    b'Spam detection software, running on the system "HOST",\n'
    b"has NOT identified this incoming email as spam.  The original\n"
    b"message has been attached to this so you can view it or label\n"
    b"similar future email.  If you have any questions, see\n"
    b"@@CONTACT_ADDRESS@@ for details.\n\n"
    b"Content preview:  See you at noon. \n\n"
    b"Content analysis details:   (-0.0 points, 5.0 required)\n\n"
    b" pts rule name              description\n"
    b"---- ---------------------- --------------------------------------------------\n"
    b"-0.0 NO_RECEIVED            Informational: message has no Received headers\n"
    b"-0.0 NO_RELAYS              Informational: message was not relayed via SMTP\n\n")


def request(method, body, version="1.5", headers=(), length=True):
    if version == "1.0":
        return f"{method} SPAMC/1.0\r\n".encode() + body
    h = "".join(f"{k}: {v}\r\n" for k, v in headers)
    if length:
        h += f"Content-length: {len(body)}\r\n"
    return f"{method} SPAMC/{version}\r\n{h}\r\n".encode() + body


class SpamdTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        need_tool("spamassassin")
        if not os.path.isdir(SA_RULES):
            raise AssertionError(f"{SA_RULES} is missing though spamassassin is installed")
        cls.sd = Siftd(workers=("spamd",), overrides=[
            f"rules.rules_dir={SA_RULES}", "rules.local_only=yes"])
        cls.sock = os.path.join(cls.sd.dir, "spamd.sock")
        cls.sd.overrides.append(
            f'workers.spamd.bind_socket=["127.0.0.1:{cls.sd.ports["spamd"]}", "{cls.sock}"]')
        cls.sd.start(timeout=120)
        cls.host = socket.gethostname().encode()

    @classmethod
    def tearDownClass(cls):
        cls.sd.cleanup()

    def spamd(self, data, shut=True):
        return self.sd.spamd(data, shut=shut, timeout=30)

    def spamc(self, *args, stdin=b"", rc=None):
        spamc = need_tool("spamc")
        r = subprocess.run([spamc, "-d", "127.0.0.1", "-p", str(self.sd.ports["spamd"])]
                           + list(args), input=stdin, capture_output=True, timeout=60 * SLOW)
        if rc is not None:
            self.assertEqual(r.returncode, rc, r.stderr)
        return r

    # --- the real spamc ----------------------------------------------------
    def test_spamc_check(self):
        self.assertEqual(self.spamc("-c", stdin=HAM, rc=0).stdout, b"0.0/5.0\n")
        self.assertEqual(self.spamc("-c", stdin=GTUBE, rc=1).stdout, b"1000.0/5.0\n")

    def test_spamc_symbols(self):
        self.assertEqual(self.spamc("-y", stdin=HAM, rc=0).stdout, b"NO_RECEIVED,NO_RELAYS")
        out = self.spamc("-y", stdin=GTUBE, rc=0).stdout.decode()
        self.assertIn("GTUBE", out.split(","))
        self.assertEqual(out.split(","), sorted(out.split(",")))
        # -E: exit 1 for spam in the other modes too
        self.spamc("-y", "-E", stdin=GTUBE, rc=1)
        self.spamc("-y", "-E", stdin=HAM, rc=0)

    def test_spamc_report(self):
        out = self.spamc("-R", stdin=HAM, rc=0).stdout
        self.assertEqual(out, b"0.0/5.0\n" + HAM_REPORT.replace(b"HOST", self.host))
        out = self.spamc("-R", stdin=GTUBE, rc=0).stdout
        self.assertTrue(out.startswith(b"1000.0/5.0\nSpam detection software"), out)
        self.assertRegex(out, rb"\n1000 GTUBE                  BODY: Generic Test for Unsolicited "
                              rb"Bulk Email\n")

    def test_spamc_report_if_spam(self):
        # spamd says Yes/No here, which spamc reads as "not spam": no score line
        self.assertEqual(self.spamc("-r", stdin=HAM, rc=0).stdout, b"")
        out = self.spamc("-r", stdin=GTUBE, rc=0).stdout
        self.assertTrue(out.startswith(b"Spam detection software"), out)

    def test_spamc_process_ham(self):
        # Bayes autolearns it as ham (SA's points: -0.002 < 0.1) the first time
        # it is seen; later scans say "unavailable", as SA's did_learn is false
        out = self.spamc(stdin=HAM, rc=0).stdout
        learned = b"ham" if b"autolearn=ham" in out else b"unavailable"
        self.assertEqual(
            out,
            b"X-Spam-Checker-Version: SpamAssassin 4.0.1 (sift 0.1.0) on " + self.host + b"\r\n"
            b"X-Spam-Level: \r\n"
            b"X-Spam-Status: No, score=-0.0 required=5.0 tests=NO_RECEIVED,NO_RELAYS\r\n"
            b"\tautolearn=" + learned + b" autolearn_force=no version=4.0.1\r\n" + HAM)
        out = self.spamc(stdin=HAM, rc=0).stdout
        self.assertIn(b"\tautolearn=unavailable autolearn_force=no version=4.0.1\r\n", out)

    def test_spamc_process_spam_is_wrapped(self):
        out = self.spamc(stdin=GTUBE, rc=0).stdout.decode()
        head, _, body = out.partition("\n\n")
        self.assertRegex(head, r"^Received: from localhost by \S+\n\twith SpamAssassin "
                               r"\(version 4\.0\.1\);\n\t\w{3}, \d\d \w{3} \d{4} ")
        self.assertIn("\nX-Spam-Flag: YES\n", head)
        self.assertIn("\nX-Spam-Level: " + "*" * 50 + "\n", head)
        self.assertIn("\nX-Spam-Status: Yes, score=1000.0 required=5.0 tests=GTUBE,", head)
        self.assertIn("\nSubject: Test spam mail (GTUBE)\n", head)
        m = re.search(r'boundary="(----------=_[0-9A-F]{8}\.[0-9A-F]{8})"', head)
        self.assertIsNotNone(m, head)
        b = m.group(1)
        self.assertIn(f"--{b}\nContent-Type: text/plain; charset=UTF-8\n", body)
        self.assertIn(f"--{b}\nContent-Type: message/rfc822; x-spam-type=original\n"
                      "Content-Description: original message before SpamAssassin\n"
                      "Content-Disposition: inline\nContent-Transfer-Encoding: 8bit\n\n"
                      + GTUBE.decode() + f"\n--{b}--\n\n", body)
        # -E exits 1 for spam in filter mode
        self.spamc("-E", stdin=GTUBE, rc=1)

    def test_spamc_headers(self):
        out = self.spamc("--headers", stdin=HAM, rc=0).stdout
        self.assertTrue(out.startswith(b"X-Spam-Checker-Version: "), out)
        self.assertTrue(out.endswith(b"\r\n\r\nSee you at noon.\r\n"), out)

    def test_spamc_ping_and_unix_socket(self):
        self.assertIn(b"SPAMD/1.5 0", self.spamc("-K", rc=0).stdout)
        spamc = need_tool("spamc")
        r = subprocess.run([spamc, "-U", self.sock, "-c"], input=GTUBE, capture_output=True,
                           timeout=60 * SLOW)
        self.assertEqual((r.returncode, r.stdout), (1, b"1000.0/5.0\n"), r.stderr)

    def test_spamc_max_size_passes_the_message_unscanned(self):
        big = HAM + b"x" * 2000 + b"\r\n"
        r = self.spamc("-s", "1000", stdin=big, rc=0)
        self.assertEqual(r.stdout, big)
        self.assertEqual(self.spamc("-s", "1000", "-c", stdin=big, rc=0).stdout, b"0/0\n")

    def test_spamc_server_down(self):
        from siftlib import free_port
        spamc = need_tool("spamc")
        port = str(free_port())
        r = subprocess.run([spamc, "-d", "127.0.0.1", "-p", port, "--connect-retries", "1"],
                           input=HAM, capture_output=True, timeout=60 * SLOW)
        self.assertEqual((r.returncode, r.stdout), (0, HAM))  # safe fallback
        r = subprocess.run([spamc, "-d", "127.0.0.1", "-p", port, "--connect-retries", "1", "-x",
                            "-c"], input=HAM, capture_output=True, timeout=60 * SLOW)
        self.assertEqual((r.returncode, r.stdout), (69, b"0/0\n"))

    # --- reply bytes --------------------------------------------------------
    def test_spec_examples(self):
        self.assertEqual(self.spamd(request("CHECK", HAM, headers=[("User", "nobody")])),
                         b"SPAMD/1.1 0 EX_OK\r\nSpam: False ; -0.0 / 5.0\r\n\r\n")
        self.assertEqual(self.spamd(request("CHECK", GTUBE)),
                         b"SPAMD/1.1 0 EX_OK\r\nSpam: True ; 1000.0 / 5.0\r\n\r\n")
        self.assertEqual(self.spamd(request("SYMBOLS", HAM)),
                         b"SPAMD/1.1 0 EX_OK\r\nContent-length: 21\r\nSpam: False ; -0.0 / 5.0"
                         b"\r\n\r\nNO_RECEIVED,NO_RELAYS")
        self.assertEqual(self.spamd(request("SYMBOLS", HAM, "1.2")),
                         b"SPAMD/1.1 0 EX_OK\r\nSpam: False ; -0.0 / 5.0\r\n\r\n"
                         b"NO_RECEIVED,NO_RELAYS\r\n")
        report = HAM_REPORT.replace(b"HOST", self.host)
        self.assertEqual(self.spamd(request("REPORT", HAM)),
                         b"SPAMD/1.1 0 EX_OK\r\nContent-length: %d\r\nSpam: False ; -0.0 / 5.0"
                         b"\r\n\r\n" % len(report) + report)
        self.assertEqual(self.spamd(request("REPORT_IFSPAM", HAM)),
                         b"SPAMD/1.1 0 EX_OK\r\nContent-length: 0\r\nSpam: No ; -0.0 / 5.0\r\n\r\n")
        got = self.spamd(request("REPORT_IFSPAM", GTUBE))
        self.assertTrue(got.startswith(b"SPAMD/1.1 0 EX_OK\r\nContent-length: "), got)
        self.assertIn(b"\r\nSpam: Yes ; 1000.0 / 5.0\r\n\r\nSpam detection software", got)

    def test_process_shapes_by_version(self):
        process = self.spamd(request("PROCESS", HAM))
        head, _, msg = process.partition(b"\r\n\r\n")
        self.assertEqual(head, b"SPAMD/1.1 0 EX_OK\r\nContent-length: %d\r\n"
                               b"Spam: False ; -0.0 / 5.0" % len(msg))
        self.assertTrue(msg.startswith(b"X-Spam-Checker-Version: "))
        self.assertTrue(msg.endswith(HAM))
        v12 = self.spamd(request("PROCESS", HAM, "1.2"))
        self.assertEqual(v12, b"SPAMD/1.1 0 EX_OK\r\nContent-length: %d\r\n\r\n" % len(msg) + msg)
        self.assertEqual(self.spamd(request("PROCESS", HAM, "1.1")), b"SPAMD/1.0 0 EX_OK\r\n" + msg)
        self.assertEqual(self.spamd(request("PROCESS", HAM, "1.0")), b"SPAMD/1.0 0 EX_OK\r\n" + msg)
        headers = self.spamd(request("HEADERS", HAM))
        hmsg = msg[:msg.index(b"\r\n\r\n") + 4]
        self.assertEqual(headers, b"SPAMD/1.1 0 EX_OK\r\nContent-length: %d\r\n"
                                  b"Spam: False ; -0.0 / 5.0\r\n\r\n" % len(hmsg) + hmsg)

    def test_check_at_every_version(self):
        for v in ("1.0", "1.1", "1.2", "1.3", "1.4", "1.5"):
            with self.subTest(version=v):
                self.assertEqual(self.spamd(request("CHECK", GTUBE, v)),
                                 b"SPAMD/1.1 0 EX_OK\r\nSpam: True ; 1000.0 / 5.0\r\n\r\n")

    def test_body_read_to_eof_without_content_length(self):
        # Haraka: HEADERS at 1.4, no Content-length, half-close
        got = self.spamd(request("HEADERS", HAM, "1.4", headers=[("User", "x")], length=False))
        self.assertIn(b"\r\nSpam: False ; -0.0 / 5.0\r\n\r\nX-Spam-Checker-Version: ", got)
        self.assertTrue(got.endswith(b"Date: Mon, 24 Nov 2025 10:00:00 +0000\r\n\r\n"), got)

    def test_mbox_from_line_is_kept(self):
        # Exim sends an mbox "From " line first: SA keeps it on top of PROCESS output
        msg = b"From alice@example.org Mon Nov 24 10:00:00 2025\n" + HAM.replace(b"\r\n", b"\n")
        got = self.spamd(request("PROCESS", msg))
        body = got.partition(b"\r\n\r\n")[2]
        self.assertTrue(body.startswith(b"From alice@example.org Mon Nov 24 10:00:00 2025\n"
                                        b"X-Spam-Checker-Version: "), body)
        self.assertEqual(self.spamd(request("SYMBOLS", msg)).partition(b"\r\n\r\n")[2],
                         b"NO_RECEIVED,NO_RELAYS")

    def test_compress_zlib(self):
        z = zlib.compress(GTUBE, 3)
        self.assertEqual(self.spamd(request("CHECK", z, headers=[("Compress", "zlib")])),
                         b"SPAMD/1.1 0 EX_OK\r\nSpam: True ; 1000.0 / 5.0\r\n\r\n")
        self.assertEqual(self.spamd(request("CHECK", z[:-6], headers=[("Compress", "zlib")])),
                         b"SPAMD/1.0 69 Service Unavailable: zlib: failed to find end of zlib "
                         b"stream\r\n")
        self.assertEqual(self.spamd(request("CHECK", b"garbage", headers=[("Compress", "zlib")])),
                         b"SPAMD/1.0 69 Service Unavailable: zlib: failed to find end of zlib "
                         b"stream\r\n")
        # the worker is unharmed
        self.assertEqual(self.spamd(b"PING SPAMC/1.5\r\n\r\n"), b"SPAMD/1.5 0 PONG\r\n")

    def test_empty_and_odd_messages(self):
        for body in (b"", b"\n", b"no header at all", b"\xff\xfe\x00binary\r\n\r\n\x00",
                     b"Subject: " + b"x" * 5000 + b"\n\nbody\n"):
            with self.subTest(body=body[:20]):
                got = self.spamd(request("PROCESS", body))
                self.assertTrue(got.startswith(b"SPAMD/1.1 0 EX_OK\r\nContent-length: "), got)
                n = int(re.search(rb"Content-length: (\d+)", got).group(1))
                self.assertEqual(len(got.partition(b"\r\n\r\n")[2]), n)

    def test_long_status_header_is_folded_as_sa_folds(self):
        got = self.spamd(request("PROCESS", GTUBE)).decode()
        status = re.search(r"\nX-Spam-Status: (.*?)\n(?![ \t])", got, re.S).group(1)
        lines = status.split("\n")
        self.assertGreater(len(lines), 1)
        for i, line in enumerate(lines):
            if i:
                self.assertTrue(line.startswith("\t"), lines)
            self.assertLessEqual(len(line.replace("\t", " " * 8)) + (15 if i == 0 else 0), 79)

    def test_log_line_per_scan(self):
        self.spamd(request("CHECK", GTUBE, headers=[("User", "carol")]))
        self.sd.wait_log(r"CHECK identified spam for carol from 127\.0\.0\.1:\d+: Y "
                         r"\(1000\.0/5\.0\) in [\d.]+ ms, \d+ bytes, "
                         r"mid=<GTUBE1\.1010101@example\.net>, tests=GTUBE,")


if __name__ == "__main__":
    unittest.main()


class SpamdUserPrefsTest(unittest.TestCase):
    """User: selects a user_prefs file (rules.user_prefs, here the layout of
    spamd --virtual-config-dir=DIR/%u): required_score, score lines,
    welcomelist_from, rewrite_header and report_safe take effect for that
    user only; a changed file is read again; unknown or unsafe names get the
    site's settings."""

    @classmethod
    def setUpClass(cls):
        need_tool("spamassassin")
        cls.sd = Siftd(workers=("spamd",), overrides=[
            f"rules.rules_dir={SA_RULES}", "rules.local_only=yes"])
        cls.users = os.path.join(cls.sd.dir, "users")
        cls.sd.overrides.append(f"rules.user_prefs={cls.users}/%u/user_prefs")
        cls.prefs("alice", "required_score 3\nscore NO_RELAYS 2.5\nrewrite_header Subject [SPAM]\n"
                           "report_safe 0\nwelcomelist_from sender@example.net\n"
                           "body ALICE_RULE /noon/\nscore ALICE_RULE 5\n")
        cls.sd.start(timeout=120)

    @classmethod
    def tearDownClass(cls):
        cls.sd.cleanup()

    @classmethod
    def prefs(cls, user, text):
        os.makedirs(os.path.join(cls.users, user), exist_ok=True)
        path = os.path.join(cls.users, user, "user_prefs")
        with open(path + ".tmp", "w") as f:
            f.write(text)
        os.replace(path + ".tmp", path)

    def check(self, user, msg, method="CHECK"):
        return self.sd.spamd(request(method, msg, headers=[("User", user)]), timeout=30)

    def test_required_score_and_rescore(self):
        self.assertEqual(self.check("alice", HAM),
                         b"SPAMD/1.1 0 EX_OK\r\nSpam: False ; 2.5 / 3.0\r\n\r\n")
        self.assertEqual(self.check("nobody-here", HAM),
                         b"SPAMD/1.1 0 EX_OK\r\nSpam: False ; -0.0 / 5.0\r\n\r\n")

    def test_welcomelist_and_markup(self):
        self.assertEqual(self.check("alice", GTUBE),
                         b"SPAMD/1.1 0 EX_OK\r\nSpam: True ; 902.5 / 3.0\r\n\r\n")
        body = self.check("alice", GTUBE, "PROCESS").partition(b"\r\n\r\n")[2].decode()
        # report_safe 0: the message is kept, the report goes in a header
        # (without the site's .pre files the old USER_IN_WHITELIST name carries the score)
        self.assertRegex(body, r"\nX-Spam-Report: \n(\t\* .*\n)*\t\* -100 USER_IN_(WELCOME|WHITE)LIST ")
        self.assertIn("\nSubject: [SPAM] Test spam mail (GTUBE)\n", body)
        self.assertIn("\nX-Spam-Prev-Subject: Test spam mail (GTUBE)\n", body)
        self.assertNotIn("multipart/mixed", body)
        # the site's users still get the site's markup
        other = self.check("bob", GTUBE, "PROCESS").partition(b"\r\n\r\n")[2].decode()
        self.assertIn("multipart/mixed", other)
        self.assertIn("\nSubject: Test spam mail (GTUBE)\n", other)

    def test_header_bytes_are_kept_when_rewritten(self):
        # a NUL in the Subject (found by fuzz_sa_markup): the copy keeps every byte
        msg = GTUBE.replace(b"Subject: Test spam mail (GTUBE)", b"Subject: Test\x00spam mail")
        body = self.check("alice", msg, "PROCESS").partition(b"\r\n\r\n")[2]
        self.assertIn(b"\nSubject: [SPAM] Test\x00spam mail\n", body)
        self.assertIn(b"\nX-Spam-Prev-Subject: Test\x00spam mail\n", body)

    def test_user_rules_are_refused_and_logged(self):
        self.assertEqual(self.check("alice", HAM, "SYMBOLS").partition(b"\r\n\r\n")[2],
                         b"NO_RECEIVED,NO_RELAYS")
        self.sd.wait_log(r"user_prefs: \S+alice/user_prefs:6: left out .*ALICE_RULE")

    def test_changed_prefs_are_read_again(self):
        self.prefs("carol", "required_score 8\n")
        self.assertIn(b"/ 8.0\r\n", self.check("carol", HAM))
        self.prefs("carol", "required_score 9\n# changed\n")
        self.assertIn(b"/ 9.0\r\n", self.check("carol", HAM))
        os.unlink(os.path.join(self.users, "carol", "user_prefs"))
        self.assertIn(b"/ 5.0\r\n", self.check("carol", HAM))

    def test_unsafe_names_get_site_settings(self):
        # a name that would leave the users directory is never used in a path
        self.prefs("x", "required_score 1\n")
        for user in ("../users/x", "x/../x", ".x", "x\\y"):
            with self.subTest(user=user):
                self.assertIn(b"/ 5.0\r\n", self.check(user, HAM))


class SpamdTellTest(unittest.TestCase):
    """TELL with allow_tell on learns into the Bayes store as spamd does
    (spamc -L spam|ham|forget): DidSet/DidRemove local when the store
    changed, nothing when it was already so; the store stays readable by
    SpamAssassin's own sa-learn."""

    @classmethod
    def setUpClass(cls):
        cls.sd = Siftd(workers=("spamd",), overrides=["workers.spamd.allow_tell=yes"]).start()

    @classmethod
    def tearDownClass(cls):
        cls.sd.cleanup()

    def tell(self, msg, *headers):
        return self.sd.spamd(request("TELL", msg, headers=list(headers)))

    def test_tell(self):
        msg = HAM.replace(b"Subject:", b"X-Tell: raw\r\nSubject:")
        self.assertEqual(self.tell(msg, ("Message-class", "spam"), ("Set", "local")),
                         b"SPAMD/1.1 0 EX_OK\r\nDidSet: local\r\n\r\n\r\n")
        self.assertEqual(self.tell(msg, ("Message-class", "spam"), ("Set", "local")),
                         b"SPAMD/1.1 0 EX_OK\r\n\r\n\r\n")  # already learned
        self.assertEqual(self.tell(msg, ("Message-class", "ham"), ("Set", "local")),
                         b"SPAMD/1.1 0 EX_OK\r\nDidSet: local\r\n\r\n\r\n")  # moved
        self.assertEqual(self.tell(msg, ("Remove", "local")),
                         b"SPAMD/1.1 0 EX_OK\r\nDidRemove: local\r\n\r\n\r\n")
        self.assertEqual(self.tell(msg, ("Remove", "local")), b"SPAMD/1.1 0 EX_OK\r\n\r\n\r\n")
        got = self.tell(HAM, ("Set", "local"), ("Remove", "local"))
        self.assertEqual(got, b"SPAMD/1.0 76 Bad header line: Unable to set local and remove "
                              b"local in the same operation.\r\n")

    def test_spamc_learn_and_sa_learn_reads_it(self):
        spamc = need_tool("spamc")
        salearn = need_tool("sa-learn")
        msg = HAM.replace(b"Subject:", b"X-Tell: spamc\r\nSubject:")
        base = [spamc, "-d", "127.0.0.1", "-p", str(self.sd.ports["spamd"])]
        for cls, want in (("spam", b"successfully"), ("spam", b"already"),
                          ("forget", b"successfully"), ("ham", b"successfully")):
            r = subprocess.run(base + ["-L", cls], input=msg, capture_output=True,
                               timeout=60 * SLOW)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn(want, r.stdout, cls)
        self.assertTrue(self.sd.wait_log(r"Tell: Setting local \(ham\) for"))
        r = subprocess.run([salearn, "--dbpath", os.path.join(self.sd.dbdir, "bayes"),
                            "--dump", "magic"], capture_output=True, timeout=120 * SLOW)
        self.assertEqual(r.returncode, 0, r.stderr)
        magic = {m.group(2): int(m.group(1)) for m in
                 re.finditer(rb"^\S+\s+\S+\s+(\d+)\s+\S+\s+non-token data: (.+)$", r.stdout,
                             re.M)}
        self.assertEqual(magic[b"bayes db version"], 3)
        self.assertGreaterEqual(magic[b"nham"], 1)
        self.assertGreater(magic[b"ntokens"], 5)


class SpamdUserRulesTest(unittest.TestCase):
    """With rules.allow_user_rules, a user's own rules in user_prefs run for
    that user (beside the site's, in an engine of their own); they may not
    redefine a site rule; other users never see them."""

    @classmethod
    def setUpClass(cls):
        cls.sd = Siftd(workers=("spamd",), overrides=["rules.allow_user_rules=yes"])
        users = os.path.join(cls.sd.dir, "users")
        cls.sd.overrides.append(f"rules.user_prefs={users}/%u/user_prefs")
        os.makedirs(os.path.join(users, "dave"))
        with open(os.path.join(users, "dave", "user_prefs"), "w") as f:
            f.write("body DAVE_NOON /noon/\nscore DAVE_NOON 4.5\ndescribe DAVE_NOON Says noon\n"
                    "header DAVE_LUNCH Subject =~ /lunch/i\nscore DAVE_LUNCH 0.75\n"
                    "meta DAVE_BOTH DAVE_NOON && DAVE_LUNCH\nscore DAVE_BOTH 1\n"
                    "body GTUBE /never matches this/\n")
        cls.sd.start()

    @classmethod
    def tearDownClass(cls):
        cls.sd.cleanup()

    def test_user_rules_run_for_their_user(self):
        got = self.sd.spamd(request("SYMBOLS", HAM, headers=[("User", "dave")]))
        self.assertTrue(got.endswith(b"\r\n\r\nDAVE_BOTH,DAVE_LUNCH,DAVE_NOON"), got)
        self.assertIn(b"Spam: True ; 6.2 / 5.0\r\n", got)
        got = self.sd.spamd(request("SYMBOLS", HAM, headers=[("User", "erin")]))
        self.assertTrue(got.endswith(b"Spam: False ; 0.0 / 5.0\r\n\r\n"), got)

    def test_site_rules_cannot_be_redefined(self):
        gtube = b"Subject: x\r\n\r\n" + GTUBE_LINE + b"\r\n"
        got = self.sd.spamd(request("CHECK", gtube, headers=[("User", "dave")]))
        self.assertIn(b"Spam: True ; 1000.0 / 5.0", got)
        self.sd.wait_log(r"rule GTUBE: a user rule cannot redefine a site rule")
