"""The controller worker over real sockets: who may use it (secure_ip,
trusted proxies, the two passwords, plain and argon2id, q1/q2, the
failed-password limit), and what it reports of the scans other processes
did (/stat, /history, /errors), the rules (/actions, /symbols), the learn,
fuzzy and save endpoints' errors, CORS and unknown paths."""

import json
import os
import re
import signal
import socket
import subprocess
import time

from siftlib import SIFTADM, SIFTD, SLOW, SiftdTest, need_tool, read_all, wait_for

GTUBE = b"XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X"


def message(mid, spam, sender="bob@example.org", subject="hello"):
    body = GTUBE if spam else b"Nothing to see here."
    return (b"From: Someone <%s>\r\nTo: alice@example.net\r\nSubject: %s\r\n"
            b"Message-Id: <%s>\r\n\r\n%s\r\n" % (sender.encode(), subject.encode(),
                                                   mid.encode(), body))


def check_request(msg, user=b"alice"):
    return b"CHECK SPAMC/1.5\r\nUser: %s\r\nContent-length: %d\r\n\r\n" % (user, len(msg)) + msg


def parse(raw):
    """(status, reason, {header: value}, body) of one HTTP reply."""
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    _, status, reason = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    return int(status), reason, headers, body


class Client:
    """HTTP/1.0 requests to one siftd's controller."""

    def __init__(self, sd):
        self.sd = sd

    def raw(self, method, path, headers=None, body=b""):
        req = f"{method} {path} HTTP/1.0\r\n".encode()
        for k, v in (headers or {}).items():
            req += f"{k}: {v}\r\n".encode()
        if body or method == "POST":
            req += b"Content-Length: %d\r\n" % len(body)
        return self.sd.http("controller", req + b"\r\n" + body)

    def req(self, method, path, headers=None, body=b""):
        return parse(self.raw(method, path, headers, body))

    def get(self, path, password=None, headers=None):
        h = dict(headers or {})
        if password is not None:
            h["Password"] = password
        return self.req("GET", path, h)

    def json(self, path, password=None, headers=None):
        status, reason, hdrs, body = self.get(path, password, headers)
        if status != 200:
            raise AssertionError(f"{path}: {status} {reason} {body!r}")
        assert hdrs["content-type"] == "application/json", hdrs
        return json.loads(body)


def siftadm_pw(password):
    r = subprocess.run([SIFTADM, "pw"], input=password + "\n", capture_output=True, text=True,
                       timeout=60 * SLOW)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


class ControllerStatsTest(SiftdTest):
    """What the controller reports comes from the other processes."""

    def test_stat_and_history_count_scans_of_two_spamd_processes(self):
        sd = self.siftd(counts={"spamd": 2}).start()
        ctl = Client(sd)
        # Hold one spamd process with a request that has not finished (max_conns
        # is 1: it takes no other connection), so that the next scan goes to the
        # second process.
        held = socket.create_connection(("127.0.0.1", sd.ports["spamd"]))
        held.settimeout(10 * SLOW)
        a = message("a1@example.org", True, subject="first")
        req_a = check_request(a)
        held.sendall(req_a[:20])
        sd.wait_log(r"#\d+\(spamd\) debug: <\w+> connection from 127\.0\.0\.1:%d\b"
                    % held.getsockname()[1])
        b = message("b1@example.org", False, sender="carol@example.org", subject="a test")
        self.assertTrue(sd.spamd(check_request(b, b"bob")).startswith(b"SPAMD/1.1 0 EX_OK"))
        held.sendall(req_a[20:])
        held.shutdown(socket.SHUT_WR)
        self.assertIn(b"Spam: True", read_all(held))
        held.close()
        c = message("c1@example.org", True)
        self.assertIn(b"Spam: True", sd.spamd(check_request(c)))
        pids = set(re.findall(r"#(\d+)\(spamd\) info: <\w+> CHECK ", sd.log()))
        self.assertEqual(len(pids), 2, sd.log())

        st = ctl.json("/stat")
        self.assertEqual(st["scanned"], 3)
        self.assertEqual(st["actions"]["reject"], 2)
        self.assertEqual(st["actions"]["no action"], 1)
        self.assertEqual(st["actions"]["soft reject"], 0)
        self.assertEqual(st["spam_count"], 2)
        self.assertEqual(st["ham_count"], 1)
        self.assertEqual(st["connections"], 3)
        self.assertGreaterEqual(st["control_connections"], 1)
        self.assertEqual(st["learned"], 0)
        self.assertFalse(st["read_only"])
        self.assertEqual(len(st["scan_times"]), 31)
        self.assertEqual([t is None for t in st["scan_times"]], [True] * 28 + [False] * 3)
        self.assertRegex(st["config_id"], r"^[0-9a-f]{64}$")
        for key in ("version", "uptime", "statfiles", "fuzzy_hashes", "total_learns"):
            self.assertIn(key, st)

        hist = ctl.json("/history")
        self.assertEqual([r["id"] for r in hist],
                         ["c1@example.org", "a1@example.org", "b1@example.org"])
        ham = hist[2]
        self.assertEqual(ham["action"], "no action")
        self.assertEqual(ham["symbols"], {"SUBJ_TEST": {"score": 0.1}})
        self.assertAlmostEqual(ham["score"], 0.1)
        self.assertEqual(ham["required_score"], 5)
        self.assertEqual(ham["user"], "bob")
        self.assertEqual(ham["from"], "carol@example.org")
        self.assertEqual(ham["ip"], "127.0.0.1")
        self.assertEqual(ham["size"], len(b))
        spam = hist[0]
        self.assertEqual(spam["action"], "reject")
        self.assertEqual(spam["symbols"], {"GTUBE": {"score": 1000}})
        self.assertEqual(spam["user"], "alice")
        self.assertRegex(spam["time"], r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")
        self.assertLessEqual(abs(spam["unix_time"] - time.time()), 60)
        self.assertGreaterEqual(spam["scan_time"], 0)

        auth = ctl.json("/auth")
        self.assertEqual((auth["auth"], auth["scanned"], auth["reject"], auth["clean"],
                          auth["probable"], auth["read_only"]), ("ok", 3, 2, 1, 0, False))

        # the shared memory outlives a reload and the death of any worker
        mark = len(sd.log())
        sd.signal(signal.SIGHUP)
        sd.wait_log(r"new workers serve", after=mark)
        self.assertEqual(ctl.json("/stat")["scanned"], 3)
        (cpid,) = wait_for(lambda: len(sd.workers("controller")) == 1 and sd.workers("controller"),
                           20, "the old controller to exit")
        os.kill(cpid, signal.SIGKILL)
        wait_for(lambda: set(sd.workers("controller")) - {cpid}, 20, "a new controller")
        st = wait_for(lambda: self._try_json(ctl, "/stat"), 20, "the new controller to serve")
        self.assertEqual(st["scanned"], 3)
        self.assertEqual(len(ctl.json("/history")), 3)

        # statreset answers the counts, then starts again; historyreset empties /history
        self.assertEqual(ctl.json("/statreset")["scanned"], 3)
        self.assertEqual(ctl.json("/stat")["scanned"], 0)
        self.assertEqual(ctl.json("/historyreset"), {"success": True})
        self.assertEqual(ctl.json("/history"), [])
        sd.spamd(check_request(message("d1@example.org", True)))
        self.assertEqual([r["id"] for r in ctl.json("/history")], ["d1@example.org"])

    @staticmethod
    def _try_json(ctl, path):
        try:
            return ctl.json(path)
        except (OSError, AssertionError):
            return None

    def test_errors_show_a_warning_a_worker_logged(self):
        prefs = self.tmpdir()
        # a directory where bob's user_prefs file should be: the spamd worker warns
        os.makedirs(os.path.join(prefs, "bob", "user_prefs"))
        sd = self.siftd(overrides=[f"rules.user_prefs={prefs}/%u/user_prefs"]).start()
        ctl = Client(sd)
        sd.spamd(check_request(message("e1@example.org", False), b"bob"))
        (spamd_pid,) = sd.workers("spamd")
        errors = ctl.json("/errors")
        mine = [e for e in errors if "not a regular file" in e["message"]]
        self.assertEqual(len(mine), 1, errors)
        e = mine[0]
        self.assertEqual((e["type"], e["module"], e["pid"]), ("spamd", "warning", spamd_pid))
        self.assertIn("bob/user_prefs", e["message"])
        self.assertLessEqual(abs(e["ts"] - time.time()), 60)
        self.assertIn("id", e)
        # newest first
        self.assertEqual(errors[0], e)

    def test_actions_and_symbols_come_from_the_loaded_rules(self):
        sd = self.siftd(overrides=["actions.greylist=3", "actions.reject=20"]).start()
        ctl = Client(sd)
        actions = {a["action"]: a["value"] for a in ctl.json("/actions")}
        self.assertEqual(actions, {"greylist": 3, "add header": 5, "rewrite subject": None,
                                   "reject": 20, "soft reject": None})
        groups = ctl.json("/symbols")
        rules = {r["symbol"]: (g["group"], r) for g in groups for r in g["rules"]}
        group, gtube = rules["GTUBE"]
        self.assertEqual(gtube["weight"], 1000)
        self.assertEqual(gtube["description"], "Generic Test for Unsolicited Bulk Email")
        self.assertEqual(rules["SUBJ_TEST"][1]["weight"], 0.1)
        self.assertEqual(rules["SUBJ_TEST"][0], group)
        self.assertEqual(len({g["group"] for g in groups}), len(groups))  # each group once
        self.assertFalse(any(name.startswith("__") for name in rules))


class ControllerAuthTest(SiftdTest):
    """secure_ip is elsewhere: passwords decide."""

    @classmethod
    def setUpClass(cls):
        from siftlib import Siftd
        cls.hash = siftadm_pw("writepw")
        assert cls.hash.startswith("$argon2id$"), cls.hash
        cls.sd = Siftd()
        cls.sd.write("local.d/workers.yaml",
                     "controller:\n"
                     "  password: readpw\n"
                     f"  enable_password: \"{cls.hash}\"\n"
                     "  secure_ip: [\"10.0.0.0/8\"]\n"
                     "  trusted_proxies: [127.0.0.1]\n")
        cls.sd.start()
        cls.ctl = Client(cls.sd)

    @classmethod
    def tearDownClass(cls):
        cls.sd.cleanup()

    def status(self, method, path, password=None, query="", headers=None, body=b""):
        h = dict(headers or {})
        if password is not None:
            h["Password"] = password
        return self.ctl.req(method, path + query, h, body)[:2]

    def test_plain_password_is_a_warning_at_load(self):
        self.assertRegex(self.sd.log(), r"workers\.controller\.password: a plain-text password")
        self.assertNotRegex(self.sd.log(), r"workers\.controller\.enable_password: a plain")

    def test_auth_matrix(self):
        cases = [
            # (method, path, password, query, want status, read_only)
            ("GET", "/stat", None, "", 401, None),
            ("GET", "/stat", "", "", 401, None),
            ("GET", "/stat", "readpw", "", 200, True),
            ("GET", "/stat", "writepw", "", 200, False),  # the argon2id one
            ("GET", "/auth", None, "?password=readpw", 200, True),
            ("GET", "/auth", None, "?password=writepw", 200, False),
            ("GET", "/statreset", "readpw", "", 401, None),  # a read password on a write endpoint
            ("GET", "/errors", "writepw", "", 200, None),
            ("GET", "/errors", "readpw", "", 401, None),
            ("POST", "/historyreset", "writepw", "", 200, None),
            ("GET", "/actions", "readpw", "", 200, None),
            ("GET", "/ping", None, "", 200, None),  # open to all
        ]
        for method, path, pw, query, want, read_only in cases:
            with self.subTest(path=path, pw=pw, query=query):
                status, reason, hdrs, body = self.ctl.req(
                    method, path + query, {} if pw is None else {"Password": pw})
                self.assertEqual(status, want, body)
                self.assertEqual(hdrs.get("cache-control"), "no-store")
                if want == 401:
                    self.assertEqual(reason, "Unauthorized")
                    self.assertEqual(json.loads(body), {"error": "Unauthorized"})
                    self.assertEqual(hdrs["content-type"], "application/json")
                if read_only is not None:
                    self.assertEqual(json.loads(body)["read_only"], read_only)

    def test_wrong_password_is_forbidden_and_logged(self):
        status, reason, hdrs, body = self.ctl.req("GET", "/stat", {"Password": "nope",
                                                                   "X-Real-IP": "192.0.2.50"})
        self.assertEqual((status, reason), (403, "Forbidden"))
        self.assertEqual(json.loads(body), {"error": "Forbidden"})
        self.sd.wait_log(r"controller: GET /stat from 192\.0\.2\.50 \(peer 127\.0\.0\.1:\d+\): "
                         r"refused \(403\), wrong password")

    def test_q1_is_refused_as_a_password(self):
        self.assertEqual(self.status("GET", "/stat", "q1",
                                     headers={"X-Real-IP": "192.0.2.51"})[0], 401)

    def test_trusted_proxy_forwards_a_secure_client(self):
        # 127.0.0.1 is a trusted proxy; 10.1.2.3 is in secure_ip
        st = self.ctl.json("/stat", headers={"X-Forwarded-For": "198.51.100.1, 10.1.2.3"})
        self.assertFalse(st["read_only"])
        self.assertEqual(self.status("GET", "/stat", headers={"X-Real-IP": "10.9.9.9"})[0], 200)
        self.assertEqual(self.status("GET", "/stat",
                                     headers={"X-Forwarded-For": "10.1.2.3, 198.51.100.1"})[0],
                         401)  # the last element is the one the proxy saw
        self.sd.wait_log(r"controller: GET /stat from 10\.1\.2\.3 \(peer 127\.0\.0\.1:\d+\): "
                         r"allowed read-write, in secure_ip \(forwarded by a trusted proxy\)")

    def test_failed_passwords_are_limited_per_client(self):
        bad = {"Password": "guess", "X-Forwarded-For": "203.0.113.5"}
        for i in range(5):
            self.assertEqual(self.ctl.req("GET", "/auth", bad)[0], 403, i)
        status, reason, hdrs, body = self.ctl.req("GET", "/auth", bad)
        self.assertEqual(status, 429)
        self.assertEqual(hdrs["retry-after"], "60")
        self.assertIn("error", json.loads(body))
        # now not even the right password is looked at, from that client only
        right = {"Password": "readpw", "X-Forwarded-For": "203.0.113.5"}
        self.assertEqual(self.ctl.req("GET", "/auth", right)[0], 429)
        other = {"Password": "readpw", "X-Forwarded-For": "203.0.113.6"}
        self.assertEqual(self.ctl.req("GET", "/auth", other)[0], 200)

    def test_learn_fuzzy_and_save_errors(self):
        cases = [
            ("/learnspam", "readpw", b"x", 401, "Unauthorized"),
            ("/learnspam", "writepw", b"", 400, "Empty body is not permitted"),
            ("/learnclass", "writepw", b"Subject: x\r\n\r\nhi\r\n", 404,
             "cannot find classifier class: use Class: spam or ham"),
            ("/fuzzyadd", "writepw", b"Subject: x\r\n\r\nhi\r\n", 500, "Module disabled"),
            ("/fuzzydel", "writepw", b"Subject: x\r\n\r\nhi\r\n", 500, "Module disabled"),
            ("/fuzzydelhash", "writepw", b"", 500, "Module disabled"),
            ("/saveactions", "writepw", b"", 400, "Empty body is not permitted"),
            ("/saveactions", "writepw", b"[15,null,5,4]", 501,
             "Saving actions is not available yet"),
            ("/savesymbols", "writepw", b'[{"name":"GTUBE","value":5}]', 501,
             "Saving symbols is not available yet"),
        ]
        for path, pw, body, want, msg in cases:
            with self.subTest(path=path, body=body):
                status, reason, hdrs, got = self.ctl.req("POST", path, {"Password": pw}, body)
                self.assertEqual((status, reason), (want, msg))
                self.assertEqual(json.loads(got), {"error": msg})
                self.assertEqual(hdrs["content-type"], "application/json")

    def test_learn_into_bayes(self):
        msg = (b"To: bob@example.net\r\nDate: Mon, 24 Nov 2025 10:00:00 +0000\r\n"
               b"Message-ID: <learn-1@example.org>\r\nSubject: x\r\n\r\nSee you at noon.\r\n")
        status, _, _, got = self.ctl.req("POST", "/learnham", {"Password": "writepw"}, msg)
        self.assertEqual((status, json.loads(got)), (200, {"success": True}))
        status, reason, _, got = self.ctl.req("POST", "/learnham", {"Password": "writepw"}, msg)
        self.assertEqual((status, reason), (208, "<learn-1@example.org> has been already "
                                                 "learned as ham, ignore it"))
        # as the other class: moved (rspamd relearns too)
        status, _, _, got = self.ctl.req("POST", "/learnclass",
                                         {"Password": "writepw", "Class": "spam"}, msg)
        self.assertEqual((status, json.loads(got)), (200, {"success": True}))
        stat = json.loads(self.ctl.req("GET", "/stat", {"Password": "readpw"})[3])
        self.assertGreaterEqual(stat["learned"], 2)

    def test_cors_preflight_unknown_paths_and_methods(self):
        status, _, hdrs, body = self.ctl.req("OPTIONS", "/learnspam")
        self.assertEqual(status, 200)
        self.assertEqual(hdrs["access-control-allow-methods"], "POST, GET, OPTIONS")
        self.assertEqual(hdrs["access-control-allow-headers"],
                         "Classifier,Class,Content-Type,Password,Map,Weight,Flag,Hash")
        self.assertEqual(body, b"")
        status, reason, hdrs, body = self.ctl.req("GET", "/nothing", {"Password": "writepw"})
        self.assertEqual((status, hdrs["content-type"], body), (404, "text/plain", b"Not found"))
        status, reason, _, body = self.ctl.req("PUT", "/stat", {"Password": "writepw"})
        self.assertEqual((status, reason), (500, "Invalid method"))

    def test_curl_sees_the_errors(self):
        curl = need_tool("curl")
        url = f"http://127.0.0.1:{self.sd.ports['controller']}"
        for args, want, body in (
                ([f"{url}/stat"], "401 Unauthorized", '{"error":"Unauthorized"}'),
                (["-H", "Password: wrong", "-H", "X-Real-IP: 192.0.2.77", f"{url}/history"],
                 "403 Forbidden", '{"error":"Forbidden"}'),
                (["-X", "POST", "-H", "Password: writepw", "--data-binary", "", f"{url}/learnspam"],
                 "400 Empty body is not permitted", '{"error":"Empty body is not permitted"}'),
                (["-H", "Password: readpw", f"{url}/auth"], "200 OK", None)):
            with self.subTest(args=args):
                r = subprocess.run([curl, "-s", "-i", "--max-time", str(20 * SLOW)] + args,
                                   capture_output=True, timeout=30 * SLOW)
                out = r.stdout.decode()
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertTrue(out.startswith(f"HTTP/1.1 {want}\r\n"), out)
                self.assertIn("Cache-Control: no-store\r\n", out)
                if body is not None:
                    self.assertTrue(out.endswith("\r\n\r\n" + body), out)


class ControllerSecureIpTest(SiftdTest):
    def test_secure_ip_lets_loopback_in_without_a_password(self):
        # the default secure_ip holds 127.0.0.1: passwords are for the others
        sd = self.siftd(overrides=["workers.controller.password=readpw",
                                   "workers.controller.enable_password=writepw"]).start()
        ctl = Client(sd)
        self.assertFalse(ctl.json("/stat")["read_only"])
        self.assertEqual(ctl.req("GET", "/errors")[0], 200)
        # X-Forwarded-For from a peer not in trusted_proxies (the default: none)
        # is not believed, and such a request needs a password even from 127.0.0.1
        status = ctl.req("GET", "/stat", {"X-Forwarded-For": "127.0.0.1"})[0]
        self.assertEqual(status, 401)
        sd.wait_log(r"controller: GET /stat from 127\.0\.0\.1 \(peer 127\.0\.0\.1:\d+\): refused "
                    r"\(401\), no password given; X-Forwarded-For/X-Real-IP from a peer not in "
                    r"trusted_proxies")
        self.assertEqual(ctl.req("GET", "/stat", {"X-Forwarded-For": "127.0.0.1",
                                                  "Password": "readpw"})[0], 200)

    def test_secure_ip_elsewhere_asks_loopback_for_a_password(self):
        sd = self.siftd(overrides=["workers.controller.secure_ip=192.0.2.0/24",
                                   "workers.controller.password=readpw"]).start()
        ctl = Client(sd)
        self.assertEqual(ctl.req("GET", "/stat")[0], 401)
        self.assertTrue(ctl.json("/stat", "readpw")["read_only"] is False)  # no enable_password
        # an untrusted peer cannot claim a secure address
        self.assertEqual(ctl.req("GET", "/stat", {"X-Real-IP": "192.0.2.1"})[0], 401)


class ControllerConfigTest(SiftdTest):
    def test_rspamd_example_passwords_are_refused(self):
        for key in ("password", "enable_password"):
            for pw in ("q1", "q2"):
                with self.subTest(key=key, pw=pw):
                    sd = self.siftd()
                    opt = f"workers.controller.{key}={pw}"
                    r = self.run_tool(sd.argv([opt]) + ["-t"])
                    self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
                    self.assertRegex(r.stderr, rf"workers\.controller\.{key}: '{pw}' is rspamd's "
                                               r"example password and is refused")
                    r = self.run_tool([SIFTD, "-f"] + sd.argv([opt])[1:], timeout=60)
                    self.assertEqual(r.returncode, 1)
                    self.assertIn("example password", r.stderr)
                    r = self.run_tool([SIFTADM, "-c", sd.config, "-o", opt, "configtest"])
                    self.assertEqual(r.returncode, 1)
                    self.assertRegex(r.stderr, rf"workers\.controller\.{key}: '{pw}' is rspamd's")

    def test_configtest_warns_about_plain_passwords_only(self):
        sd = self.siftd()
        h = siftadm_pw("s3cret")
        sd.write("local.d/workers.yaml", f"controller:\n  password: plain\n"
                                         f"  enable_password: \"{h}\"\n")
        r = self.run_tool([SIFTADM, "-c", sd.config, "configtest"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stderr, r"local\.d/workers\.yaml:2:13: workers\.controller\.password: "
                                   r"a plain-text password")
        self.assertNotIn("enable_password", r.stderr)
        sd.write("local.d/workers.yaml", "controller:\n  enable_password: \"$argon2id$broken\"\n")
        r = self.run_tool([SIFTADM, "-c", sd.config, "configtest"])
        self.assertEqual(r.returncode, 1)
        self.assertIn("workers.controller.enable_password: not an argon2id hash", r.stderr)

    def test_confighelp_documents_the_keys(self):
        r = self.run_tool([SIFTADM, "confighelp", "workers.controller"])
        for key in ("password", "enable_password", "secure_ip", "trusted_proxies", "max_size"):
            self.assertIn(f"workers.controller.{key}", r.stdout)
        r = self.run_tool([SIFTADM, "confighelp", "history"])
        self.assertIn("history.rows", r.stdout)
        self.assertIn("restarts", r.stdout)
        r = self.run_tool([SIFTADM, "confighelp", "workers.normal"])
        self.assertNotIn("secure_ip", r.stdout)
