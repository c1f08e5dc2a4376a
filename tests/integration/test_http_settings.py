"""What the request headers of the HTTP scan API do to the scan
(spec/rspamd-http-protocol.md 2.1), against a real siftd over its socket:
IP/Helo/Hostname/From/Rcpt reach SpamAssassin's relay and envelope rules
as the MTA's Received hop; User (else Deliver-To) picks a user_prefs file;
Settings (inline JSON) and Settings-ID (the settings section) rescore,
disable and re-threshold for one scan; query parameters act as headers."""

import json
import os
import socket
import sys
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # run as a file, too
from siftlib import Siftd

LOCAL_CF = r"""
header SIFT_RELAY X-Spam-Relays-Untrusted =~ /ip=192\.0\.2\.7 /
score SIFT_RELAY 3
header SIFT_HELO X-Spam-Relays-Untrusted =~ /helo=mx\.example\.net /
score SIFT_HELO 1
header SIFT_RDNS X-Spam-Relays-Untrusted =~ /rdns=mx\.example\.net /
score SIFT_RDNS 0.5
header SIFT_ENVFROM EnvelopeFrom =~ /alice\@example\.org/
score SIFT_ENVFROM 2
header SIFT_TWO_HOPS X-Spam-Relays-Untrusted =~ /ip=192\.0\.2\.7 .*ip=192\.0\.2\.7 /
score SIFT_TWO_HOPS 50
body SIFT_WORD /sesquipedalian/
score SIFT_WORD 4
"""

SETTINGS = """\
outbound:
  actions: { reject: 3, add_header: 2.5, greylist: ~ }
  symbols_disabled: [SIFT_WORD]
  SIFT_ENVFROM: 7
broken:
  actions: { reject: 1 }
"""

MSG = (b"From: Bob <bob@example.com>\r\nTo: carol@example.net\r\n"
       b"Subject: words\r\nMessage-ID: <settings-1@example.com>\r\n"
       b"Date: Wed, 25 Nov 2026 07:00:00 +0000\r\n\r\n"
       b"A sesquipedalian message.\r\n")


class HttpScanSettingsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sd = Siftd(workers=("normal",))
        site = os.path.join(cls.sd.dir, "site")
        os.makedirs(site)
        with open(os.path.join(site, "local.cf"), "w") as f:
            f.write(LOCAL_CF)
        cls.users = os.path.join(cls.sd.dir, "users")
        for user, text in (("alice", "score SIFT_WORD 10\n"),
                           ("bob@example.net", "score SIFT_WORD 0.25\n")):
            os.makedirs(os.path.join(cls.users, user))
            with open(os.path.join(cls.users, user, "user_prefs"), "w") as f:
                f.write(text)
        cls.sd.write("local.d/settings.yaml", SETTINGS)
        cls.sd.overrides += [f"rules.site_dir={site}",
                             f"rules.user_prefs={cls.users}/%u/user_prefs"]
        cls.sd.start(timeout=60)

    @classmethod
    def tearDownClass(cls):
        cls.sd.cleanup()

    def post(self, headers=(), body=MSG, path="/checkv2"):
        req = f"POST {path} HTTP/1.0\r\nContent-Length: {len(body)}\r\n"
        for name, value in headers:
            req += f"{name}: {value}\r\n"
        raw = self.sd.http("normal", req.encode() + b"\r\n" + body)
        head, _, payload = raw.partition(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        return status, json.loads(payload)

    def scan(self, headers=(), **kw):
        status, reply = self.post(headers, **kw)
        self.assertEqual(status, 200, reply)
        return reply

    def test_without_envelope_only_the_body_rule(self):
        r = self.scan()
        self.assertIn("SIFT_WORD", r["symbols"])
        for name in ("SIFT_RELAY", "SIFT_HELO", "SIFT_ENVFROM"):
            self.assertNotIn(name, r["symbols"])

    def test_envelope_becomes_the_received_hop(self):
        r = self.scan([("IP", "192.0.2.7"), ("Helo", "mx.example.net"),
                       ("Hostname", "mx.example.net"), ("From", "<alice@example.org>"),
                       ("Rcpt", "carol@example.net"), ("Queue-Id", "4ABC123")])
        for name in ("SIFT_RELAY", "SIFT_HELO", "SIFT_RDNS", "SIFT_ENVFROM", "SIFT_WORD"):
            self.assertIn(name, r["symbols"])
        self.assertEqual(r["score"], 10.5)
        self.assertEqual(r["message-id"], "settings-1@example.com")

    def test_bracketed_and_bad_ips(self):
        r = self.scan([("IP", "[192.0.2.7]")])
        self.assertIn("SIFT_RELAY", r["symbols"])
        r = self.scan([("IP", "not-an-ip")])
        self.assertNotIn("SIFT_RELAY", r["symbols"])
        self.assertTrue(self.sd.wait_log(r'IP header "not-an-ip" is not an address; ignored'))

    def test_a_hop_already_recorded_is_not_added_twice(self):
        body = (b"Received: from mx.example.net (mx.example.net [192.0.2.7])\r\n"
                b"\tby mail.example.com with ESMTP id X; Wed, 25 Nov 2026 07:00:00 +0000\r\n" + MSG)
        r = self.scan([("IP", "192.0.2.7")], body=body)
        self.assertIn("SIFT_RELAY", r["symbols"])
        self.assertNotIn("SIFT_TWO_HOPS", r["symbols"])

    def test_query_parameters_act_as_headers(self):
        q = urllib.parse.urlencode({"ip": "192.0.2.7", "from": "alice@example.org",
                                    "settings": '{"SIFT_WORD": 1.5}'})
        r = self.scan(path="/checkv2?" + q)
        self.assertIn("SIFT_RELAY", r["symbols"])
        self.assertIn("SIFT_ENVFROM", r["symbols"])
        self.assertEqual(r["symbols"]["SIFT_WORD"]["score"], 1.5)

    def test_settings_json(self):
        r = self.scan([("Settings", json.dumps({
            "symbols_disabled": ["SIFT_WORD"], "SIFT_ENVFROM": 6,
            "actions": {"reject": 5.5, "add header": 4}})), ("From", "alice@example.org"),
            ("IP", "192.0.2.7")])
        self.assertNotIn("SIFT_WORD", r["symbols"])
        self.assertEqual(r["symbols"]["SIFT_ENVFROM"]["score"], 6.0)
        self.assertEqual(r["score"], 9.0)
        self.assertEqual(r["required_score"], 5.5)
        self.assertEqual(r["action"], "reject")
        # only some symbols
        r = self.scan([("Settings", '{"symbols_enabled": ["SIFT_RELAY"]}'), ("IP", "192.0.2.7")])
        self.assertEqual(list(r["symbols"]), ["SIFT_RELAY"])

    def test_bad_settings_are_refused(self):
        for value, text in (("{not json", "bad Settings: byte 1"),
                            ('{"actions": {"reject": 1}}', "thresholds must rise"),
                            ('{"actions": {"discard": 1}}', "not an action sift knows"),
                            ('["x"]', "expected a JSON object")):
            with self.subTest(value=value):
                status, reply = self.post([("Settings", value)])
                self.assertEqual(status, 400)
                self.assertIn(text, reply["error"])
                self.assertEqual(reply["error_domain"], "protocol-error")

    def test_settings_id_from_the_settings_section(self):
        r = self.scan([("Settings-ID", "outbound"), ("From", "alice@example.org"),
                       ("IP", "192.0.2.7")])
        self.assertNotIn("SIFT_WORD", r["symbols"])
        self.assertEqual(r["symbols"]["SIFT_ENVFROM"]["score"], 7.0)
        self.assertEqual(r["required_score"], 3.0)
        self.assertEqual(r["action"], "reject")
        # Settings wins over Settings-ID
        r = self.scan([("Settings-ID", "outbound"), ("Settings", '{"SIFT_WORD": 2}')])
        self.assertEqual(r["symbols"]["SIFT_WORD"]["score"], 2.0)
        self.assertEqual(r["required_score"], 15.0)
        # an unknown id is ignored with a warning naming the known ones
        r = self.scan([("Settings-ID", "nonesuch")])
        self.assertEqual(r["symbols"]["SIFT_WORD"]["score"], 4.0)
        self.assertTrue(self.sd.wait_log(r'unknown Settings-ID "nonesuch" ignored \(known: outbound, broken\)'))

    def test_user_and_deliver_to_pick_user_prefs(self):
        self.assertEqual(self.scan([("User", "alice")])["symbols"]["SIFT_WORD"]["score"], 10.0)
        r = self.scan([("Deliver-To", "<bob@example.net>")])
        self.assertEqual(r["symbols"]["SIFT_WORD"]["score"], 0.25)
        # User wins over Deliver-To
        r = self.scan([("User", "alice"), ("Deliver-To", "bob@example.net")])
        self.assertEqual(r["symbols"]["SIFT_WORD"]["score"], 10.0)
        self.assertEqual(self.scan([("User", "nobody")])["symbols"]["SIFT_WORD"]["score"], 4.0)

    def test_legacy_rspamc_request_carries_the_envelope(self):
        req = (f"CHECK RSPAMC/1.3\r\nContent-length: {len(MSG)}\r\nIP: 192.0.2.7\r\n"
               f"From: alice@example.org\r\n\r\n").encode() + MSG
        got = self.sd.http("normal", req).decode()
        self.assertTrue(got.startswith("RSPAMD/1.3 0 EX_OK\r\nMetric: default; False; 9.00 / 15.00 / 0.0\r\n"
                                       "Action: add header\r\n"), got)
        self.assertIn("Symbol: SIFT_ENVFROM(2.00)\r\n", got)
        self.assertTrue(got.endswith("Message-ID: settings-1@example.com\r\n"), got)

    def test_log_line_has_the_envelope(self):
        self.scan([("IP", "192.0.2.7"), ("From", "alice@example.org"), ("User", "alice"),
                   ("Queue-Id", "QID42")])
        self.assertTrue(self.sd.wait_log(
            r"checkv2 from .*: qid=QID42, mid=<settings-1@example.com>, ip=192\.0\.2\.7, "
            r"from=<alice@example\.org>, user=alice \(user_prefs\): reject \[15\.00/15\.00\] "
            r"\[SIFT_ENVFROM\(2\.00\),SIFT_RELAY\(3\.00\),SIFT_WORD\(10\.00\)\], len: \d+, time: "))

    def test_settings_id_with_thresholds_out_of_order(self):
        status, reply = self.post([("Settings-ID", "broken")])
        self.assertEqual(status, 400)
        self.assertIn("Settings-ID broken: actions: reject (1) is below add_header (5)",
                      reply["error"])


if __name__ == "__main__":
    unittest.main()
