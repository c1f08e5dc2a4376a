"""rspamd's own command-line client against siftd: the real `rspamc` (Debian's
rspamd package, 3.x) scanning through the controller (where rspamc sends
everything for a localhost host, spec/rspamd-http-protocol.md 8.4) and
through the normal worker, with its envelope options, --json, -z (zstd),
stat, learn_spam, and a controller that wants a password. What rspamc
prints (Action:, Spam:, Score: x / y, Symbol: lines) is checked against the
/checkv2 JSON this test fetches itself for the same message and envelope.

siftd runs the stock SpamAssassin rules (network tests off) and a site
directory with Debian's .pre files and a local.cf whose rules see the
envelope: the hop siftd prepends for Ip:/Helo:/Hostname: (http_scan.h), the
envelope sender and the one recipient it records there. Messages come from
../shared/corpus when it is there, and inline."""

import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # run as a file, too
from siftlib import ROOT, SLOW, Siftd, SiftdTest, exchange, need_tool
from spamdtarget import GTUBE, SA_RULES

CORPUS = os.path.join(os.path.dirname(ROOT), "shared", "corpus")

LOCAL_CF = r"""
header   SIFT_RELAY   X-Spam-Relays-Untrusted =~ /ip=192\.0\.2\.7 /
describe SIFT_RELAY   Relayed by the test client's address
score    SIFT_RELAY   3
header   SIFT_HELO    X-Spam-Relays-Untrusted =~ /helo=mail\.example\.org /
score    SIFT_HELO    0.5
header   SIFT_RDNS    X-Spam-Relays-Untrusted =~ /rdns=mx\.example\.org /
score    SIFT_RDNS    0.25
header   SIFT_ENVFROM EnvelopeFrom =~ /alice\@example\.org/
describe SIFT_ENVFROM Envelope sender is alice
score    SIFT_ENVFROM 2
header   SIFT_RCPT    Received =~ /\bfor <bob\@example\.net>/
score    SIFT_RCPT    0.75
"""
SIFT_SYMBOLS = {"SIFT_RELAY", "SIFT_HELO", "SIFT_RDNS", "SIFT_ENVFROM", "SIFT_RCPT"}

HAM = """\
From: Alice Example <alice@example.org>
To: Bob Example <bob@example.net>
Subject: minutes of the meeting
Date: Tue, 24 Nov 2026 10:00:00 +0000
Message-ID: <rspamc-ham-1@example.org>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

Hi Bob,

the minutes of Tuesday's meeting are below. We agreed to move the review
to next week and to keep the current schedule for the release; see
https://www.example.org/minutes for the rest.

Alice
"""

SPAM = f"""\
From: Sam Sender <sam@example.org>
To: Bob Example <bob@example.net>
Subject: Test spam mail (GTUBE)
Date: Tue, 24 Nov 2026 10:05:00 +0000
Message-ID: <rspamc-gtube-1@example.org>

This is the GTUBE, the
\tGeneric
\tTest for
\tUnsolicited
\tBulk
\tEmail

{GTUBE}

You should send this test mail from an account outside of your network.
"""


def corpus_files(n=3):
    """The first n messages of each half of the corpus, or a skip."""
    if not os.path.isdir(CORPUS):
        raise unittest.SkipTest(f"no corpus at {CORPUS}")
    files = []
    for half in ("ham", "spam"):
        files += sorted(glob.glob(os.path.join(CORPUS, half, "*.eml")))[:n]
    if not files:
        raise unittest.SkipTest(f"the corpus at {CORPUS} is empty")
    return files


def parse_results(out):
    """rspamc's output for a scan: {file: result}, where result has action,
    spam, score, required (the strings as printed), symbols {name: (score,
    options)}, message_id, urls, emails, messages, or error."""
    results = {}
    for block in re.split(r"^(?=Results for file: )", out, flags=re.M):
        if not block.strip():
            continue
        lines = block.rstrip("\n").split("\n")
        m = re.fullmatch(r"Results for file: (.+) \([\d.]+ seconds\)", lines[0])
        assert m, block
        r = {"symbols": {}, "messages": {}}
        for line in lines[1:]:
            if line == "[Metric: default]" or line == "":
                continue
            key, _, value = line.partition(": ")
            if key == "Symbol":
                s = re.fullmatch(r"(\S+) \((-?\d+\.\d\d)\)(?:\[(.*)\])?", value)
                assert s, line
                assert s.group(1) not in r["symbols"], line
                r["symbols"][s.group(1)] = (s.group(2), s.group(3).split(", ")
                                            if s.group(3) is not None else None)
            elif key == "Score":
                r["score"], r["required"] = value.split(" / ")
            elif key == "Spam":
                r["spam"] = {"true": True, "false": False}[value]
            elif key in ("Action", "Subject"):
                r[key.lower()] = value
            elif key == "Message-ID":
                r["message_id"] = value
            elif key in ("Urls", "Emails"):
                r[key.lower()] = json.loads(value)
            elif key.startswith("Message - "):
                r["messages"][key[len("Message - "):]] = value
            elif key == "HTTP error":
                r["error"] = value
            else:
                raise AssertionError(f"unexpected line {line!r} in\n{block}")
        results[m.group(1)] = r
    return results


def parse_stat(out):
    """rspamc stat's lines: {label: value} (the action lines as (count, percent))."""
    st = {"actions": {}}
    for line in out.splitlines():
        m = re.fullmatch(r"Messages with action (.+): (\d+), (\d+\.\d\d)%", line)
        if m:
            st["actions"][m.group(1)] = (int(m.group(2)), m.group(3))
            continue
        k, sep, v = line.partition(": ")
        if sep:
            st[k] = v
    return st


class RspamcBase(SiftdTest):
    @classmethod
    def need_rspamc(cls):
        cls.rspamc_path = need_tool("rspamc")

    def rspamc(self, port, *args, rc=0):
        r = subprocess.run([self.rspamc_path, "-h", f"127.0.0.1:{port}", "-t", str(30 * SLOW)] +
                           list(args), capture_output=True, text=True, timeout=60 * SLOW)
        self.assertEqual(r.returncode, rc, f"rspamc {args}: {r.stdout}\n{r.stderr}")
        return r.stdout

    @staticmethod
    def http(port, method, path, body=b"", headers=()):
        """(status, body) of one request; headers a list of (name, value), names may repeat."""
        req = f"{method} {path} HTTP/1.0\r\nContent-Length: {len(body)}\r\n".encode()
        req += b"".join(f"{k}: {v}\r\n".encode() for k, v in headers)
        raw = exchange(("127.0.0.1", port), req + b"\r\n" + body, shut=False, timeout=30)
        head, _, out = raw.partition(b"\r\n\r\n")
        return int(head.split(b" ", 2)[1]), out

    def checkv2(self, sd, body, headers=()):
        status, out = self.http(sd.ports["normal"], "POST", "/checkv2", body, headers)
        self.assertEqual(status, 200, out)
        return json.loads(out)

    def assert_same(self, printed, j, what):
        """What rspamc printed for a scan is the /checkv2 result j."""
        self.assertNotIn("error", printed, what)
        self.assertEqual(printed["action"], j["action"], what)
        self.assertEqual(printed["spam"], j["action"] not in ("no action", "greylist"), what)
        self.assertEqual((printed["score"], printed["required"]),
                         (f"{j['score']:.2f}", f"{j['required_score']:.2f}"), what)
        self.assertEqual(printed["symbols"],
                         {k: (f"{v['score']:.2f}", v.get("options"))
                          for k, v in j["symbols"].items()}, what)
        self.assertEqual(printed["message_id"], j["message-id"], what)
        self.assertEqual(printed.get("urls"), j.get("urls"), what)
        self.assertEqual(printed.get("emails"), j.get("emails"), what)
        self.assertEqual(printed["messages"], j["messages"], what)
        self.assertEqual(printed.get("subject"), j.get("subject"), what)


class RspamcScanTest(RspamcBase):
    """One siftd with the stock rules for the scans."""

    @classmethod
    def setUpClass(cls):
        cls.need_rspamc()
        need_tool("spamassassin")
        if not os.path.isdir(SA_RULES):
            raise AssertionError(f"{SA_RULES} is missing though spamassassin is installed")
        cls.tmp = tempfile.mkdtemp(prefix="sift-rspamc-")
        site = os.path.join(cls.tmp, "site")
        os.mkdir(site)
        for f in glob.glob("/etc/spamassassin/*.pre") + glob.glob("/etc/spamassassin/*.cf"):
            if os.path.basename(f) != "local.cf":
                shutil.copy(f, site)
        with open(os.path.join(site, "local.cf"), "w") as f:
            f.write(LOCAL_CF)
        cls.files = {}
        for name, text in (("ham", HAM), ("spam", SPAM)):
            cls.files[name] = os.path.join(cls.tmp, name + ".eml")
            with open(cls.files[name], "w") as f:
                f.write(text)
        cls.sd = Siftd(overrides=["rules.rules_dir=auto", f"rules.site_dir={site}",
                                  "rules.local_only=yes"])
        try:
            # a cold pattern cache (a changed local.cf) takes ~30 s, later starts < 1 s
            cls.sd.start(timeout=180)
        except BaseException:
            cls.sd.cleanup()
            shutil.rmtree(cls.tmp, ignore_errors=True)
            raise
        cls.normal, cls.ctl = cls.sd.ports["normal"], cls.sd.ports["controller"]

    @classmethod
    def tearDownClass(cls):
        cls.sd.cleanup()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def read(self, path):
        with open(path, "rb") as f:
            return f.read()

    def scan_both_ports(self, files):
        """rspamc's results for files through the controller and the normal
        worker, checked against /checkv2; the /checkv2 results."""
        want = {f: self.checkv2(self.sd, self.read(f)) for f in files}
        mark = len(self.sd.log())
        for port, worker in ((self.ctl, "controller"), (self.normal, "normal")):
            with self.subTest(worker=worker):
                got = parse_results(self.rspamc(port, "symbols", *files))
                self.assertEqual(sorted(got), sorted(files))
                for f in files:
                    self.assert_same(got[f], want[f], f)
        # the controller scanned the first round itself
        log = self.sd.log()[mark:]
        self.assertEqual(len(re.findall(r"#\d+\(controller\) info: <\w+> controller: POST "
                                        r"/checkv2 from 127\.0\.0\.1 .*: allowed", log)),
                         len(files), log)
        self.assertEqual(len(re.findall(r"#\d+\(controller\) info: <\w+> checkv2 from ", log)),
                         len(files), log)
        self.assertEqual(len(re.findall(r"#\d+\(normal\) info: <\w+> checkv2 from ", log)),
                         len(files), log)
        return want

    # --- tests -----------------------------------------------------------
    def test_symbols_inline_messages(self):
        want = self.scan_both_ports([self.files["ham"], self.files["spam"]])
        ham, spam = want[self.files["ham"]], want[self.files["spam"]]
        self.assertEqual(ham["action"], "no action")
        self.assertEqual(ham["message-id"], "rspamc-ham-1@example.org")
        self.assertEqual(spam["action"], "reject")
        self.assertGreater(spam["score"], 990)
        self.assertEqual(spam["symbols"]["GTUBE"]["score"], 1000)
        self.assertEqual(spam["required_score"], 15.0)
        self.assertFalse(SIFT_SYMBOLS & (set(ham["symbols"]) | set(spam["symbols"])))

    def test_symbols_corpus_messages(self):
        files = corpus_files()
        want = self.scan_both_ports(files)
        # real mail hits rules, with options (addresses, domains) among them
        self.assertTrue(all(w["symbols"] for w in want.values()), want)
        self.assertTrue(any(s.get("options") for w in want.values()
                            for s in w["symbols"].values()), want)
        self.assertGreater(len({w["action"] for w in want.values()}), 1, want)

    def test_json_output(self):
        for name in ("ham", "spam"):
            with self.subTest(message=name):
                f = self.files[name]
                want = self.checkv2(self.sd, self.read(f))
                for port in (self.ctl, self.normal):
                    got = json.loads(self.rspamc(port, "--json", "symbols", f))
                    # rspamc adds what it knows of the request
                    self.assertEqual(got.pop("filename"), f)
                    self.assertGreaterEqual(got.pop("scan_time"), 0)
                    self.assertGreaterEqual(got.pop("time_real"), 0)
                    want.pop("time_real", None)
                    self.assertEqual(got, want)

    def test_zstd(self):
        f = self.files["spam"]
        plain = parse_results(self.rspamc(self.normal, "symbols", f))[f]
        self.assertEqual(plain["action"], "reject")
        for port in (self.ctl, self.normal):
            out = self.rspamc(port, "-z", "--headers", "symbols", f)
            # --headers prints the reply's headers between the file line and the result
            head = out.split("[Metric: default]")[0]
            self.assertRegex(head, r"(?m)^Compression: zstd$")
            self.assertRegex(head, r"(?m)^Content-Encoding: zstd$")
            got = parse_results(re.sub(r"(?s)(Results for file: [^\n]*\n).*?(\[Metric)", r"\1\2",
                                       out))[f]
            self.assertEqual(got, plain)
            js = json.loads(self.rspamc(port, "-z", "--json", "symbols", f))
            self.assertEqual(f"{js['score']:.2f}", plain["score"])

    def test_envelope_options(self):
        f = self.files["ham"]
        body = self.read(f)
        cases = (
            # (rspamc options, the request headers they stand for, SIFT_ rules hit)
            ([], [], set()),
            (["-i", "192.0.2.7", "-F", "alice@example.org", "-r", "bob@example.net",
              "--helo", "mail.example.org", "--hostname", "mx.example.org"],
             [("Ip", "192.0.2.7"), ("From", "alice@example.org"), ("Rcpt", "bob@example.net"),
              ("Helo", "mail.example.org"), ("Hostname", "mx.example.org")], SIFT_SYMBOLS),
            # another client, sender and no rDNS; two recipients are not recorded in Received
            (["-i", "192.0.2.8", "-F", "<carol@example.org>", "-r", "bob@example.net",
              "-r", "carol@example.net", "--helo", "mail.example.org"],
             [("Ip", "192.0.2.8"), ("From", "<carol@example.org>"), ("Rcpt", "bob@example.net"),
              ("Rcpt", "carol@example.net"), ("Helo", "mail.example.org")], {"SIFT_HELO"}),
        )
        scores = []
        for opts, headers, hits in cases:
            with self.subTest(opts=opts):
                got = parse_results(self.rspamc(self.normal, *opts, "symbols", f))[f]
                want = self.checkv2(self.sd, body, headers)
                self.assertEqual(SIFT_SYMBOLS & set(got["symbols"]), hits)
                self.assert_same(got, want, opts)
                # an IP without a Hostname is a relay without rDNS
                if opts:
                    self.assertEqual("RDNS_NONE" in got["symbols"], "--hostname" not in opts)
                scores.append(float(got["score"]))
        self.assertGreaterEqual(scores[1] - scores[0], 6.0, scores)  # the SIFT_ rules' 6.5

    def test_user_and_deliver_to_reach_history(self):
        f = self.files["ham"]
        self.rspamc(self.normal, "-u", "alice", "-d", "bob@example.net", "-i", "198.51.100.4",
                    "symbols", f)
        status, body = self.http(self.ctl, "GET", "/history")
        self.assertEqual(status, 200)
        row = json.loads(body)[0]
        self.assertEqual((row["id"], row["user"], row["ip"]),
                         ("rspamc-ham-1@example.org", "alice", "198.51.100.4"))
        self.rspamc(self.normal, "-d", "<bob@example.net>", "symbols", f)
        row = json.loads(self.http(self.ctl, "GET", "/history")[1])[0]
        self.assertEqual((row["user"], row["ip"]), ("bob@example.net", "127.0.0.1"))

    def test_stat(self):
        self.rspamc(self.ctl, "symbols", self.files["ham"], self.files["spam"])
        status, body = self.http(self.ctl, "GET", "/stat")
        self.assertEqual(status, 200)
        st = json.loads(body)
        out = self.rspamc(self.ctl, "stat")
        self.assertTrue(out.startswith("Results for command: stat ("), out)
        got = parse_stat(out)
        scanned = st["scanned"]
        self.assertGreaterEqual(scanned, 2)
        self.assertEqual(int(got["Messages scanned"]), scanned)
        self.assertEqual(got["actions"], {a: (n, f"{100.0 * n / scanned:.2f}")
                                          for a, n in st["actions"].items()})
        self.assertGreaterEqual(got["actions"]["reject"][0], 1)
        self.assertGreaterEqual(got["actions"]["no action"][0], 1)
        self.assertEqual(got["Messages treated as spam"],
                         f"{st['spam_count']}, {100.0 * st['spam_count'] / scanned:.2f}%")
        self.assertEqual(got["Messages treated as ham"],
                         f"{st['ham_count']}, {100.0 * st['ham_count'] / scanned:.2f}%")
        self.assertEqual(st["spam_count"] + st["ham_count"], scanned)
        self.assertEqual(got["Messages learned"], str(st["learned"]))
        self.assertEqual(int(got["Connections count"]), st["connections"])
        self.assertGreater(int(got["Control connections count"]), st["control_connections"] - 1)
        # rspamd keeps scan times in seconds; rspamc prints their mean as such
        times = [t for t in st["scan_times"] if t is not None]
        self.assertEqual(len(times), min(scanned, 31))
        avg = re.fullmatch(r"(\d+\.\d{3}) sec", got["Average scan time"])
        self.assertIsNotNone(avg, got)
        self.assertAlmostEqual(float(avg.group(1)), sum(times) / len(times), delta=0.0011)
        self.assertLess(float(avg.group(1)), 1.0 * SLOW, "scan_times are not in seconds")
        self.assertEqual(got["Total learns"], "0")
        # rspamc --json prints the reply itself
        js = json.loads(self.rspamc(self.ctl, "--json", "stat"))
        self.assertEqual((js["scanned"], js["actions"]), (scanned, st["actions"]))

    def test_uptime(self):
        out = self.rspamc(self.ctl, "uptime")
        m = re.search(r"(?m)^Uptime: (\d+) second", out)  # rspamc 3.4 prints a stray %s after
        self.assertIsNotNone(m, out)
        status, body = self.http(self.ctl, "GET", "/auth")
        self.assertLessEqual(abs(int(m.group(1)) - json.loads(body)["uptime"]), 2)

    def test_learn_spam_and_ham(self):
        # learned into Bayes; learning it again is rspamd's 208, which rspamc
        # shows as an error; as the other class it is moved
        out = self.rspamc(self.ctl, "learn_spam", self.files["spam"])
        self.assertRegex(out, r"(?m)^success = true;$")
        # (rspamc 3.4 prints the 208's reason and exits 0)
        out = self.rspamc(self.ctl, "learn_spam", self.files["spam"])
        self.assertRegex(out, r'(?m)^error = "<rspamc-gtube-1@example\.org> has been already '
                              r'learned as spam, ignore it";$')
        out = self.rspamc(self.ctl, "learn_ham", self.files["spam"])
        self.assertRegex(out, r"(?m)^success = true;$")
        # the normal worker has no learning endpoint: rspamd's "invalid command"
        out = self.rspamc(self.normal, "learn_spam", self.files["spam"], rc=1)
        self.assertIn("HTTP error: 500, invalid command", out)


class RspamcPasswordTest(RspamcBase):
    """A controller that trusts no address: rspamc's -P decides."""

    @classmethod
    def setUpClass(cls):
        cls.need_rspamc()

    def test_password(self):
        sd = self.siftd(overrides=["workers.controller.secure_ip=[]",
                                   "workers.controller.password=readpw",
                                   "workers.controller.enable_password=writepw"]).start()
        ctl, normal = sd.ports["controller"], sd.ports["normal"]
        path = os.path.join(self.tmpdir(), "spam.eml")
        with open(path, "w") as f:
            f.write(SPAM)
        for opts, want in (([], "401, Unauthorized"), (["-P", "wrong"], "403, Forbidden")):
            with self.subTest(opts=opts):
                r = parse_results(self.rspamc(ctl, *opts, "symbols", path, rc=1))[path]
                self.assertEqual(r, {"symbols": {}, "messages": {}, "error": want})
                out = self.rspamc(ctl, *opts, "stat", rc=1)
                self.assertIn(f"HTTP error: {want}", out)
        self.assertRegex(sd.log(), r"controller: POST /checkv2 from 127\.0\.0\.1 \(peer "
                                   r"127\.0\.0\.1:\d+\): refused \(403\)")
        # the read password scans and reads, but does not learn
        r = parse_results(self.rspamc(ctl, "-P", "readpw", "symbols", path))[path]
        self.assertEqual((r["action"], r["spam"], r["score"]), ("reject", True, "1000.10"))
        self.assertEqual(parse_stat(self.rspamc(ctl, "-P", "readpw", "stat"))["Messages scanned"],
                         "1")
        out = self.rspamc(ctl, "-P", "readpw", "learn_spam", path, rc=1)
        self.assertIn("HTTP error: 401, Unauthorized", out)
        out = self.rspamc(ctl, "-P", "writepw", "learn_spam", path)
        self.assertIn("success = true;", out)
        # the normal worker wants none
        r = parse_results(self.rspamc(normal, "symbols", path))[path]
        self.assertEqual(r["action"], "reject")


if __name__ == "__main__":
    unittest.main()
