"""A spamd client from another ecosystem against siftd's spamd worker: the
npm `spamc` package (node-spamc, the version tests/node/package.json pins;
scripts/install-deps.sh installs it under /opt/sift-test/node), driven by
tests/node/spamc_client.js. What the client hands its caller is checked
against fixed facts (GTUBE is spam at 1000 / 5.0) and against the raw reply
to the very bytes the client sends (the message plus CRLF, Content-length in
bytes, no half-close: the server must stop at Content-length and close).

The client's own quirks, which hold against SpamAssassin's spamd too: it
cannot parse a negative score (`-0.0` included), so the hams here score
above zero (no Message-ID: MISSING_MID); its SYMBOLS list drops the last
symbol (it takes names followed by a comma); it appends a second CRLF after
the Content-length bytes. SIFT_AGAINST=spamd runs it against the real spamd
(spamdtarget.py)."""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # run as a file, too
from siftlib import ROOT, SLOW, need_tool
from spamdtarget import AGAINST, GTUBE, NODE_MODULES, need_path, spamd_request, start_scanner

SCRIPT = os.path.join(ROOT, "tests", "node", "spamc_client.js")

GTUBE_MSG = f"""\
From: Sam Sender <sam@example.org>
To: Bob Example <bob@example.net>
Subject: Test spam mail (GTUBE)
Date: Tue, 24 Nov 2026 10:05:00 +0000
Message-ID: <gtube-node@example.org>

This is the GTUBE, the
\tGeneric
\tTest for
\tUnsolicited
\tBulk
\tEmail

{GTUBE}

You should send this test mail from an account outside of your network.
"""

# no Message-ID: MISSING_MID lifts the score above zero, which the client
# needs to parse it
HAM_MSG = """\
From: Alice Example <alice@example.org>
To: Bob Example <bob@example.net>
Subject: Minutes of the meeting
Date: Tue, 24 Nov 2026 10:00:00 +0000
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

Hi Bob,

the minutes of the meeting are below. We agreed to move the review
to next week and to keep the current schedule for the release.

Alice
"""

UTF8_MSG = """\
From: J\u00f6rg Example <joerg@example.org>
To: Bob Example <bob@example.net>
Subject: Gr\u00fc\u00dfe aus K\u00f6ln
Date: Tue, 24 Nov 2026 10:00:00 +0000
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Hallo Bob,

viele Gr\u00fc\u00dfe aus K\u00f6ln, wir sehen uns n\u00e4chste Woche zur Besprechung.
Bis dann, und einen sch\u00f6nen Abend noch w\u00fcnscht dir Joerg aus dem B\u00fcro
"""


def parse_reply(raw):
    """status line, {header: value}, body of a spamd reply."""
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = dict(l.split(": ", 1) for l in lines[1:])
    return lines[0], headers, body


def spam_header(value):
    m = re.fullmatch(r"(True|False|Yes|No) ; (-?\d+\.\d) / (-?\d+\.\d)", value)
    assert m, value
    return m.group(1), float(m.group(2)), float(m.group(3))


class NodeSpamcTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.node = need_tool("node")
        need_path(os.path.join(NODE_MODULES, "spamc", "package.json"), "the npm spamc client")
        cls.tmp = tempfile.mkdtemp(prefix="sift-node-")
        cls.files = {}
        for name, text in (("gtube", GTUBE_MSG), ("ham", HAM_MSG), ("utf8", UTF8_MSG)):
            path = os.path.join(cls.tmp, name + ".eml")
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            cls.files[name] = path
        try:
            cls.scanner = start_scanner()
        except BaseException:
            shutil.rmtree(cls.tmp, ignore_errors=True)
            raise
        cls.port = cls.scanner.ports["spamd"]

    @classmethod
    def tearDownClass(cls):
        cls.scanner.cleanup()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def client(self, method, *names):
        """node-spamc's answers, one per message (ping: one); each must come
        exactly once and without an error."""
        env = dict(os.environ, NODE_PATH=NODE_MODULES)
        r = subprocess.run([self.node, SCRIPT, str(self.port), method] +
                           [self.files[n] for n in names],
                           capture_output=True, text=True, timeout=60 * SLOW, env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        out = [json.loads(l) for l in r.stdout.splitlines()]
        self.assertEqual([o["call"] for o in out], list(range(max(len(names), 1))),
                         f"one callback per request: {r.stdout}")
        for o in out:
            self.assertIsNone(o["error"], o)
        return [o["result"] for o in out]

    def raw(self, method, name):
        """The server's reply to the bytes node-spamc sends for this message."""
        with open(self.files[name], encoding="utf-8") as f:
            data = (f.read() + "\r\n").encode()
        return parse_reply(spamd_request(self.port, method, data))

    # --- tests -----------------------------------------------------------
    def test_ping(self):
        self.assertEqual(self.client("ping"), [True])

    def test_check(self):
        gtube, ham = self.client("check", "gtube", "ham")
        self.assertEqual(gtube, {"responseCode": 0, "responseMessage": "EX_OK", "isSpam": True,
                                 "spamScore": 1000, "baseSpamScore": 5})
        self.assertIs(ham["isSpam"], False, ham)
        self.assertEqual(ham["baseSpamScore"], 5)
        self.assertGreater(ham["spamScore"], 0)
        self.assertLess(ham["spamScore"], 5)
        status, headers, body = self.raw("CHECK", "ham")
        self.assertEqual(status, "SPAMD/1.1 0 EX_OK")
        self.assertEqual(spam_header(headers["Spam"]), ("False", ham["spamScore"], 5.0))
        self.assertEqual(body, b"")

    def test_symbols(self):
        gtube, ham = self.client("symbols", "gtube", "ham")
        self.assertIs(gtube["isSpam"], True)
        self.assertEqual(gtube["spamScore"], 1000)
        self.assertIs(ham["isSpam"], False)
        hits = {}
        for name, res in (("gtube", gtube), ("ham", ham)):
            status, headers, body = self.raw("SYMBOLS", name)
            self.assertEqual(int(headers["Content-length"]), len(body))
            hits[name] = body.decode().split(",")
            self.assertEqual(hits[name], sorted(hits[name]), body)
            # the client keeps the names that a comma follows: all but the last
            self.assertEqual(res["matches"], hits[name][:-1], (name, body))
        self.assertIn("GTUBE", gtube["matches"])
        self.assertIn("MISSING_MID", hits["ham"])

    def test_report(self):
        gtube, ham = self.client("report", "gtube", "ham")
        self.assertIs(gtube["isSpam"], True)
        self.assertEqual(gtube["spamScore"], 1000)
        self.assertIs(ham["isSpam"], False)
        # the client's report entries are the summary lines of the report
        status, headers, body = self.raw("REPORT", "ham")
        self.assertEqual(int(headers["Content-length"]), len(body))
        text = body.decode()
        lines = re.findall(r"^ ?-?([\d.]+) ([A-Z0-9_]+) +([^:\n]+?) *:", text, re.M)
        self.assertTrue(lines, text)
        # (sorted: SpamAssassin's hit order changes from one scan to the next)
        self.assertEqual(sorted((e["score"], e["name"], e["description"]) for e in ham["report"]),
                         sorted(lines), text)
        self.assertIn("MISSING_MID", [e["name"] for e in ham["report"]])
        self.assertIn(f"({ham['spamScore']:.1f} points, 5.0 required)", text)

    def test_report_if_spam(self):
        gtube, ham = self.client("reportIfSpam", "gtube", "ham")
        # `Spam: Yes ; ...` and `Spam: No ; ...`: this client reads both
        self.assertIs(gtube["isSpam"], True)
        self.assertEqual(gtube["spamScore"], 1000)
        self.assertIs(ham["isSpam"], False)
        self.assertNotIn("report", ham)
        status, headers, body = self.raw("REPORT_IFSPAM", "ham")
        self.assertEqual(headers["Content-length"], "0")
        self.assertEqual(body, b"")

    def test_process(self):
        gtube, ham = self.client("process", "gtube", "ham")
        self.assertIs(gtube["isSpam"], True)
        self.assertEqual(gtube["spamScore"], 1000)
        self.assertIn("X-Spam-Flag: YES\r\n", gtube["message"])
        self.assertIn(GTUBE, gtube["message"])
        self.assertIs(ham["isSpam"], False)
        self.assertRegex(ham["message"], r"X-Spam-Status: No, score=%.1f required=5\.0 " %
                         ham["spamScore"])
        self.assertIn("Subject: Minutes of the meeting\r\n", ham["message"])
        self.assertIn("to next week and to keep the current schedule", ham["message"])
        # the message the client returns is the reply's body, less its empty lines
        status, headers, body = self.raw("PROCESS", "ham")
        self.assertEqual(int(headers["Content-length"]), len(body))
        want = "".join(l + "\r\n" for l in body.decode().split("\r\n") if l)
        self.assertEqual(ham["message"], want)

    def test_non_ascii_message(self):
        # npm spamc 0.0.5 counts Content-length in bytes (Buffer.byteLength):
        # a UTF-8 message is scanned whole, as SpamAssassin's spamd does
        (res,) = self.client("check", "utf8")
        self.assertIs(res["isSpam"], False, res)
        self.assertGreater(res["spamScore"], 0)
        status, headers, body = self.raw("CHECK", "utf8")
        self.assertEqual(spam_header(headers["Spam"]), ("False", res["spamScore"], 5.0))

    def test_utf16_content_length_is_a_mismatch(self):
        # node-spamc's repository version (not the npm release) sends the
        # message's JavaScript string length, UTF-16 units, as Content-length:
        # fewer than the bytes sent. spamd reads whole lines until it has that
        # many bytes, finds more, and refuses.
        with open(self.files["utf8"], encoding="utf-8") as f:
            text = f.read() + "\r\n"
        data = text.encode()
        n = len(text.encode("utf-16-le")) // 2
        self.assertLess(n, len(data))
        got = data.index(b"\n", n - 1) + 1  # through the line holding byte n
        self.assertNotEqual(got, n, "the test message must cut a line")
        req = (f"CHECK SPAMC/1.5\r\nContent-length: {n}\r\n\r\n").encode() + data
        with socket.create_connection(("127.0.0.1", self.port), timeout=30 * SLOW) as s:
            s.sendall(req)  # and no half-close, as the client does
            out = b""
            while True:
                b = s.recv(65536)
                if not b:
                    break
                out += b
        self.assertEqual(out, b"SPAMD/1.0 76 Bad header line: (Content-Length mismatch: "
                              b"Expected %d bytes, got %d bytes)\r\n" % (n, got))


if __name__ == "__main__":
    unittest.main()
