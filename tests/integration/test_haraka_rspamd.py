"""Haraka's rspamd plugin (npm haraka-plugin-rspamd, the version
tests/node/package.json pins; scripts/install-deps.sh installs it under
/opt/sift-test/node) against siftd's normal worker. tests/node/haraka_rspamd.js
loads the plugin as Haraka loads a plugin package and runs its data_post
hook on one transaction: the plugin's own code builds the request (the
envelope as IP/Helo/Hostname/From/Rcpt/Deliver-To/Queue-Id/User headers),
pipes the message to /checkv2 as Node does (HTTP/1.1, keep-alive, a chunked
body with CRLF line ends), parses the reply and decides: DENY for reject, a
rewritten Subject for rewrite subject, X-Rspamd-Score/Bar/Report headers,
and the reply's milter block applied to the headers.

What the plugin recorded is checked against the /checkv2 reply this test
fetches itself with the headers the plugin sent. siftd runs the minimal
rules, a local.cf whose rules see the envelope, and rewrite_subject at 9."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # run as a file, too
from siftlib import ROOT, SLOW, Siftd, need_tool
from spamdtarget import GTUBE, NODE_MODULES, need_path

SCRIPT = os.path.join(ROOT, "tests", "node", "haraka_rspamd.js")

# SIFT_RELAY: the hop siftd prepends for IP, Hostname and Helo (http_scan.h)
LOCAL_CF = (r"""
header   SIFT_RELAY   X-Spam-Relays-Untrusted =~ """
            r"""/ip=192\.0\.2\.7 rdns=mx\.example\.org helo=mail\.example\.org /
describe SIFT_RELAY   Relayed by the test client, as Haraka saw it
score    SIFT_RELAY   3
header   SIFT_ENVFROM EnvelopeFrom =~ /alice\@example\.org/
score    SIFT_ENVFROM 2
header   SIFT_RCPT    Received =~ /\bfor <bob\@example\.net>/
score    SIFT_RCPT    0.5
header   SIFT_OFFER   Subject =~ /special offer/
score    SIFT_OFFER   4
""")

# the headers siftd's milter block removes (http_scan.c): the plugin removes them too
REMOVED = ["X-Spam", "X-Spam-Flag", "X-Spam-Status", "X-Spam-Level", "X-Spam-Checker-Version",
           "X-Spam-Report"]
RSPAMD_HEADERS = ["X-Rspamd-Bar", "X-Rspamd-Report", "X-Rspamd-Score"]

MESSAGE = """\
From: Alice Example <alice@example.org>
To: Bob Example <bob@example.net>
Subject: {subject}
Date: Tue, 24 Nov 2026 10:00:00 +0000
Message-ID: <{mid}@example.org>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

Hi Bob,

{body}

Alice
"""

# a client as Haraka saw it: the relay rule's address, rDNS and HELO
RELAY = {"remote_ip": "192.0.2.7", "remote_host": "mx.example.org", "helo": "mail.example.org"}
OTHER = {"remote_ip": "198.51.100.9", "remote_host": "mail.example.com",
         "helo": "mail.example.com"}


class HarakaRspamdTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.node = need_tool("node")
        need_path(os.path.join(NODE_MODULES, "haraka-plugin-rspamd", "package.json"),
                  "Haraka's rspamd plugin (npm haraka-plugin-rspamd)")
        cls.tmp = tempfile.mkdtemp(prefix="sift-haraka-")
        site = os.path.join(cls.tmp, "site")
        os.mkdir(site)
        with open(os.path.join(site, "local.cf"), "w") as f:
            f.write(LOCAL_CF)
        cls.sd = Siftd(overrides=[f"rules.site_dir={site}", "actions.rewrite_subject=9"])
        try:
            cls.sd.start()
        except BaseException:
            cls.sd.cleanup()
            shutil.rmtree(cls.tmp, ignore_errors=True)
            raise
        cls.n = 0

    @classmethod
    def tearDownClass(cls):
        cls.sd.cleanup()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def haraka_dir(self, ini=""):
        """A Haraka directory whose config/rspamd.ini points at siftd, plus ini."""
        type(self).n += 1
        d = os.path.join(self.tmp, f"haraka{self.n}")
        os.makedirs(os.path.join(d, "config"))
        with open(os.path.join(d, "config", "rspamd.ini"), "w") as f:
            f.write(f"[main]\nhost = 127.0.0.1\nport = {self.sd.ports['normal']}\ntimeout = 20\n")
            f.write(ini)
        return d

    def run_script(self, text, client, mail_from, rcpt_to, ini="", auth_user=None):
        """haraka_rspamd.js's account of one transaction, and siftd's log meanwhile."""
        type(self).n += 1
        path = os.path.join(self.tmp, f"msg{self.n}.eml")
        with open(path, "w") as f:
            f.write(text)
        session = dict(client, haraka_dir=self.haraka_dir(ini), message=path,
                       mail_from=mail_from, rcpt_to=rcpt_to, auth_user=auth_user,
                       uuid=f"4A2B{self.n:04d}-C0DE-4F00-9F00-SIFT")
        spath = os.path.join(self.tmp, f"session{self.n}.json")
        with open(spath, "w") as f:
            json.dump(session, f)
        env = dict(os.environ, NODE_PATH=NODE_MODULES)
        env.pop("HARAKA", None)  # haraka-config would read its config from there
        env.pop("HARAKA_TEST_DIR", None)
        mark = len(self.sd.log())
        r = subprocess.run([self.node, SCRIPT, spath], capture_output=True, text=True,
                           timeout=60 * SLOW, env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        out = json.loads(r.stdout)
        self.assertEqual(out["hooks"], [["data_post", "rspamd_data_post"]])
        out["siftd_log"] = self.sd.log()[mark:]
        out["uuid"] = session["uuid"]
        return out

    def run_plugin(self, text, client, mail_from, rcpt_to, ini="", auth_user=None):
        """What the plugin did with one transaction it scanned, checked against
        /checkv2 (as "want")."""
        out = self.run_script(text, client, mail_from, rcpt_to, ini, auth_user)
        # what the plugin made of the reply is the reply
        want = self.checkv2(text, out["request_headers"])
        got = out["results"][0]
        self.assertEqual(got["emit"], True, out)
        self.assertEqual({k: got[k] for k in ("score", "action", "required_score", "is_skipped")},
                         {k: want[k] for k in ("score", "action", "required_score",
                                               "is_skipped")})
        self.assertEqual(got["symbols"], {k: v["score"] for k, v in want["symbols"].items()})
        self.assertEqual(out["results"][1]["symbols"], want["symbols"])
        out["want"] = want
        # the plugin's request was served by siftd's normal worker, under its queue id
        self.assertRegex(out["siftd_log"], r"#\d+\(normal\) info: <\w+> checkv2 from "
                                           r"127\.0\.0\.1:\d+: qid=%s, " % out["uuid"])
        return out

    def checkv2(self, text, headers):
        """/checkv2 of the message as the plugin sent it, with its headers."""
        req = b"POST /checkv2 HTTP/1.0\r\n"
        for k, v in headers.items():
            for one in v if isinstance(v, list) else [v]:
                req += f"{k}: {one}\r\n".encode()
        body = text.replace("\n", "\r\n").encode()
        raw = self.sd.http("normal", req + b"Content-Length: %d\r\n\r\n" % len(body) + body)
        head, _, out = raw.partition(b"\r\n\r\n")
        self.assertTrue(head.startswith(b"HTTP/1.1 200 "), raw)
        return json.loads(out)

    def message(self, subject, body="the minutes of the meeting are below."):
        type(self).n += 1
        return MESSAGE.format(subject=subject, mid=f"haraka{self.n}", body=body)

    # --- tests -----------------------------------------------------------
    def test_clean_message_passes_untouched(self):
        out = self.run_plugin(self.message("minutes"), OTHER, "bob@example.com",
                              ["carol@example.net"])
        self.assertEqual(out["next"], {"code": "CONT", "msg": None})
        self.assertEqual(out["request_headers"], {
            "IP": "198.51.100.9", "Hostname": "mail.example.com", "Helo": "mail.example.com",
            "From": "bob@example.com", "Rcpt": ["carol@example.net"],
            "Deliver-To": "carol@example.net", "Queue-Id": out["uuid"]})
        self.assertEqual((out["want"]["action"], out["want"]["score"], out["want"]["symbols"]),
                         ("no action", 0.0, {}))
        # add_headers = sometimes: nothing to add for no action; the milter
        # block's removals are done
        self.assertEqual(out["added"], [])
        self.assertEqual(out["removed"], REMOVED)

    def test_envelope_reaches_the_rules_and_add_header_adds_headers(self):
        out = self.run_plugin(self.message("minutes"), RELAY, "alice@example.org",
                              ["bob@example.net"])
        want = out["want"]
        self.assertEqual(sorted(want["symbols"]), ["SIFT_ENVFROM", "SIFT_RCPT", "SIFT_RELAY"])
        self.assertEqual((want["action"], want["score"]), ("add header", 5.5))
        self.assertEqual(out["next"], {"code": "CONT", "msg": None})
        added = dict(out["added"])
        self.assertEqual(len(added), len(out["added"]), out["added"])
        self.assertEqual(added["X-Rspamd-Score"], "5.5")
        self.assertEqual(added["X-Rspamd-Bar"], "+++++")
        self.assertEqual(sorted(added["X-Rspamd-Report"].split(" ")),
                         ["SIFT_ENVFROM(2)", "SIFT_RCPT(0.5)", "SIFT_RELAY(3)"])
        # the milter block: X-Spam: Yes for a spam action
        self.assertEqual(added["X-Spam"], "Yes")
        self.assertEqual(out["removed"], REMOVED + RSPAMD_HEADERS)

    def test_rewrite_subject(self):
        out = self.run_plugin(self.message("a special offer"), RELAY, "alice@example.org",
                              ["bob@example.net"])
        want = out["want"]
        self.assertEqual((want["action"], want["score"], want["subject"]),
                         ("rewrite subject", 9.5, "***SPAM*** a special offer"))
        self.assertEqual(out["next"], {"code": "CONT", "msg": None})
        self.assertEqual(out["removed"][0], "Subject")
        added = dict(out["added"])
        self.assertEqual(added["Subject"], "***SPAM*** a special offer")
        self.assertEqual(added["X-Spam"], "Yes")
        self.assertNotIn("X-Rspamd-Score", added)  # sometimes: only for add header

    def test_gtube_is_rejected(self):
        out = self.run_plugin(self.message("hello", GTUBE), OTHER, "bob@example.com",
                              ["carol@example.net"])
        self.assertEqual((out["want"]["action"], out["want"]["symbols"]["GTUBE"]["score"]),
                         ("reject", 1000))
        self.assertEqual(out["next"], {"code": "DENY", "msg": "Detected as spam"})
        self.assertEqual(out["added"], [])  # refused before any header is added
        # the site's own message, when it sets one
        out = self.run_plugin(self.message("hello", GTUBE), OTHER, "bob@example.com",
                              ["carol@example.net"], ini="[reject]\nmessage = Go away\n")
        self.assertEqual(out["next"], {"code": "DENY", "msg": "Go away"})

    def test_always_add_headers(self):
        out = self.run_plugin(self.message("minutes"), OTHER, "bob@example.com",
                              ["carol@example.net"], ini="add_headers = always\n")
        self.assertEqual(out["want"]["score"], 0.0)
        self.assertEqual(out["next"], {"code": "CONT", "msg": None})
        self.assertEqual(dict(out["added"]), {"X-Rspamd-Bar": "/", "X-Rspamd-Report": "",
                                              "X-Rspamd-Score": "0"})

    def test_authenticated_user_and_two_recipients(self):
        out = self.run_plugin(self.message("minutes"), RELAY, "alice@example.org",
                              ["bob@example.net", "carol@example.net"],
                              ini="[check]\nauthenticated = true\n", auth_user="alice")
        self.assertEqual(out["request_headers"]["User"], "alice")
        self.assertEqual(out["request_headers"]["Rcpt"], ["bob@example.net", "carol@example.net"])
        self.assertNotIn("Deliver-To", out["request_headers"])
        # two recipients are not written into the Received hop
        self.assertEqual(sorted(out["want"]["symbols"]), ["SIFT_ENVFROM", "SIFT_RELAY"])
        self.assertRegex(out["siftd_log"], r"qid=%s, mid=<haraka\d+@example\.org>, "
                                           r"ip=192\.0\.2\.7, from=<alice@example\.org>, "
                                           r"user=alice: add header \[5\.00/15\.00\]" % out["uuid"])
        # without check.authenticated the plugin leaves authenticated mail alone
        out = self.run_script(self.message("minutes"), RELAY, "alice@example.org",
                              ["bob@example.net"], auth_user="alice")
        self.assertEqual(out["next"], {"code": "CONT", "msg": None})
        self.assertEqual(out["results"], [{"skip": "authed"}])
        self.assertNotIn("checkv2 from", out["siftd_log"])


if __name__ == "__main__":
    unittest.main()
