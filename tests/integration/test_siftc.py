"""siftc, the native client, against a real siftd: ping, stat, learn and fuzzy
(with the controller's errors as siftc reports them), scans of files,
directories and stdin in every output form, zstd, the exit status; and
against a small fake server on loopback: the request siftc sends (every
option's header), chunked and compressed replies, replies it cannot read,
timeouts and Unix sockets."""

import json
import os
import re
import socket
import subprocess
import threading
import time

from siftlib import SIFTC, SLOW, SiftdTest, need_tool

GTUBE = b"XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X"


def message(mid, spam=False):
    body = GTUBE if spam else b"Nothing to see here."
    return (b"From: Someone <bob@example.org>\r\nTo: alice@example.net\r\nSubject: hello\r\n"
            b"Message-Id: <%s>\r\n\r\n%s\r\n" % (mid.encode(), body))


def siftc(*args, input=None, timeout=30):
    r = subprocess.run([SIFTC, *args], input=input, capture_output=True, timeout=timeout * SLOW)
    r.stdout, r.stderr = r.stdout.decode(), r.stderr.decode()
    return r


class SiftcServerTest(SiftdTest):
    """One siftd (normal and controller) for the tests that only read."""

    @classmethod
    def setUpClass(cls):
        from siftlib import Siftd
        cls.sd = Siftd(workers=("normal", "controller")).start()
        cls.normal = f"127.0.0.1:{cls.sd.ports['normal']}"
        cls.ctl = f"127.0.0.1:{cls.sd.ports['controller']}"

    @classmethod
    def tearDownClass(cls):
        cls.sd.cleanup()

    def files(self, *msgs):
        d = self.tmpdir()
        paths = []
        for name, data in msgs:
            path = os.path.join(d, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)
            paths.append(path)
        return d, paths

    # --- ping, stat -------------------------------------------------------
    def test_ping_both_workers(self):
        for host in (self.normal, self.ctl):
            r = siftc("-h", host, "ping")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertRegex(r.stdout, r"^pong from 127\.0\.0\.1:\d+ in [\d.]+ ms\n$")

    def test_stat_human_and_json(self):
        r = siftc("-h", self.ctl, "stat")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"^Results for command: stat \([\d.]+ seconds\)\n")
        self.assertRegex(r.stdout, r"\nMessages scanned: \d+\n")
        self.assertRegex(r.stdout, r"\nMessages with action reject: \d+, [\d.]+%\n")
        self.assertRegex(r.stdout, r"\nControl connections count: \d+\n")
        r = siftc("-h", self.ctl, "--json", "stat")
        self.assertEqual(r.returncode, 0, r.stderr)
        st = json.loads(r.stdout)
        for key in ("version", "scanned", "actions", "spam_count", "ham_count"):
            self.assertIn(key, st)
        r = siftc("-h", self.ctl, "--ucl", "stat")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn('\n  "scanned": ', r.stdout)

    def test_stat_counts_what_siftc_scanned(self):
        before = json.loads(siftc("-h", self.ctl, "-j", "stat").stdout)["scanned"]
        _, paths = self.files(("a.eml", message("s1@example.org")),
                              ("b.eml", message("s2@example.org", True)))
        r = siftc("-h", self.normal, *paths)
        self.assertEqual(r.returncode, 5, r.stderr)
        after = json.loads(siftc("-h", self.ctl, "-j", "stat").stdout)["scanned"]
        self.assertEqual(after, before + 2)

    def test_stat_takes_no_file(self):
        r = siftc("-h", self.ctl, "stat", "x.eml")
        self.assertEqual(r.returncode, 64)
        self.assertIn("stat takes no file", r.stderr)

    # --- learn into Bayes, fuzzy: the controller's answers -----------------
    def test_learn_spam_from_stdin(self):
        # as from /etc/aliases: "| siftc learn_spam"; a message learned
        # before is rspamd's 208: a note on stderr, and still exit 0 (an
        # alias pipe must not bounce it)
        msg = message("l1@example.org", True)
        r = siftc("-h", self.ctl, "learn_spam", input=msg)
        self.assertEqual((r.returncode, r.stderr), (0, ""))
        r = siftc("-h", self.ctl, "learn_spam", input=msg)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("has been already learned as spam", r.stderr)

    def test_learn_ham_files_and_the_empty_message(self):
        d, paths = self.files(("m.eml", message("l2@example.org")), ("empty.eml", b""))
        r = siftc("-h", self.ctl, "learn_ham", "-c", "bayes", *paths)
        self.assertEqual(r.returncode, 69)
        self.assertEqual(r.stderr.splitlines(), [
            f"siftc: {paths[1]}: learn_ham failed: 400 Empty body is not permitted",
        ])

    def test_fuzzy_add_and_del_give_the_servers_error(self):
        _, paths = self.files(("m.eml", message("f1@example.org")))
        for cmd in ("fuzzy_add", "fuzzy_del"):
            with self.subTest(cmd=cmd):
                r = siftc("-h", self.ctl, cmd, "-f", "1", "-w", "10", paths[0])
                self.assertEqual(r.returncode, 69)
                self.assertEqual(r.stderr, f"siftc: {paths[0]}: {cmd} failed: 500 Module disabled\n")

    # --- scans --------------------------------------------------------------
    def test_scan_a_file_human(self):
        _, paths = self.files(("spam.eml", message("g1@example.org", True)))
        r = siftc("-h", self.normal, paths[0])
        self.assertEqual(r.returncode, 5, r.stderr)
        lines = r.stdout.splitlines()
        self.assertRegex(lines[0], r"^Results for file: %s \([\d.]+ seconds\)$"
                         % re.escape(paths[0]))
        self.assertEqual(lines[1:5], ["[Metric: default]", "Action: reject", "Spam: true",
                                      "Score: 1000.00 / 15.00"])
        self.assertIn("Symbol: GTUBE (1000.00)", lines)
        self.assertEqual(lines[-1], "Message-ID: g1@example.org")
        symbols = [ln for ln in lines if ln.startswith("Symbol: ")]
        self.assertEqual(symbols, sorted(symbols))

    def test_scan_ham_exits_0(self):
        _, paths = self.files(("ham.eml", message("h1@example.org")))
        r = siftc("-h", self.normal, paths[0])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("\nAction: no action\nSpam: false\n", r.stdout)

    def test_scan_stdin_and_dash(self):
        msg = message("in1@example.org", True)
        for args in ((), ("-",)):
            with self.subTest(args=args):
                r = siftc("-h", self.normal, *args, input=msg)
                self.assertEqual(r.returncode, 5, r.stderr)
                self.assertRegex(r.stdout, r"^Results for file: stdin \(")
                self.assertIn("Message-ID: in1@example.org\n", r.stdout)

    def test_scan_a_directory_in_parallel_keeps_the_order(self):
        msgs = [(f"m{i:02d}.eml", message(f"d{i}@example.org", i == 7)) for i in range(12)]
        msgs.append(("sub/deeper/z.eml", message("dz@example.org")))
        d, paths = self.files(*msgs)
        os.symlink(d, os.path.join(d, "sub", "loop"))  # not followed
        for n in ("1", "4"):
            with self.subTest(n=n):
                r = siftc("-h", self.normal, "-n", n, d)
                self.assertEqual(r.returncode, 5, r.stderr)
                names = re.findall(r"^Results for file: (\S+) ", r.stdout, re.M)
                self.assertEqual(names, sorted(paths))
                ids = re.findall(r"^Message-ID: (\S+)$", r.stdout, re.M)
                self.assertEqual(ids, [f"d{i}@example.org" for i in range(12)] + ["dz@example.org"])
                # one blank line between results
                self.assertEqual(r.stdout.count("\n\nResults for file: "), 12)

    def test_scan_json_one_line_per_message(self):
        d, paths = self.files(("a.eml", message("j1@example.org")),
                              ("b.eml", message("j2@example.org", True)))
        r = siftc("-h", self.normal, "--json", d)
        self.assertEqual(r.returncode, 5, r.stderr)
        lines = r.stdout.splitlines()
        self.assertEqual(len(lines), 2)
        a, b = (json.loads(ln) for ln in lines)
        self.assertEqual((a["action"], a["message-id"]), ("no action", "j1@example.org"))
        self.assertEqual((b["action"], b["message-id"]), ("reject", "j2@example.org"))
        self.assertEqual(b["symbols"]["GTUBE"]["score"], 1000)
        for key in ("is_skipped", "score", "required_score", "symbols", "messages", "time_real"):
            self.assertIn(key, a)

    def test_scan_pretty_json(self):
        _, paths = self.files(("a.eml", message("p1@example.org", True)))
        for opt in ("--raw", "--ucl"):
            r = siftc("-h", self.normal, opt, paths[0])
            self.assertEqual(r.returncode, 5, r.stderr)
            head, _, body = r.stdout.partition("\n")
            self.assertTrue(head.startswith("Results for file: "), head)
            self.assertEqual(json.loads(body)["action"], "reject")
            self.assertIn('\n  "action": "reject",\n', body)

    def test_scan_headers(self):
        _, paths = self.files(("a.eml", message("x1@example.org", True)),
                              ("b.eml", message("x2@example.org")))
        r = siftc("-h", self.normal, "--headers", *paths)
        self.assertEqual(r.returncode, 5, r.stderr)
        spam, ham = r.stdout.split("\n\n")
        self.assertIn("\nX-Spam-Action: reject\nX-Spam-Score: 1000.00\nX-Spam: Yes\n"
                      "X-Spamd-Result: default: True [1000.00 / 15.00];\n\tGTUBE(1000.00)", spam)
        self.assertIn("\nX-Spam-Action: no action\n", ham)
        self.assertNotIn("X-Spam: Yes", ham)
        self.assertIn("X-Spamd-Result: default: False [", ham)

    def test_scan_zstd(self):
        _, paths = self.files(("a.eml", message("z1@example.org", True)))
        plain = siftc("-h", self.normal, "-j", paths[0])
        r = siftc("-h", self.normal, "-z", "-j", paths[0])
        self.assertEqual(r.returncode, 5, r.stderr)
        a, b = json.loads(plain.stdout), json.loads(r.stdout)
        for key in ("action", "score", "symbols", "message-id"):
            self.assertEqual(a[key], b[key])

    def test_scan_on_the_controller(self):
        _, paths = self.files(("a.eml", message("c1@example.org", True)))
        r = siftc("-h", self.ctl, paths[0])
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("Action: reject", r.stdout)

    def test_scan_with_every_option(self):
        _, paths = self.files(("a.eml", message("o1@example.org")))
        r = siftc("-h", self.normal, "-i", "192.0.2.10", "-F", "alice@example.org",
                  "-r", "bob@example.net", "-r", "carol@example.net", "--helo", "mail.example.org",
                  "--hostname", "mail.example.org", "-u", "alice", "-d", "bob@example.net",
                  "--queue-id", "4ABC123DEF", "--settings", '{"symbols_disabled":["X"]}',
                  "--settings-id", "none", "--header", "X-Test: yes", "-p", paths[0])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("Action: no action", r.stdout)

    def test_missing_file_is_66_and_the_rest_is_scanned(self):
        _, paths = self.files(("a.eml", message("n1@example.org", True)))
        r = siftc("-h", self.normal, "/nonexistent/x.eml", paths[0])
        self.assertEqual(r.returncode, 66)
        self.assertEqual(r.stderr, "siftc: /nonexistent/x.eml: No such file or directory\n")
        self.assertIn("Action: reject", r.stdout)

    def test_no_server_is_75(self):
        from siftlib import free_port
        _, paths = self.files(("a.eml", message("u1@example.org")))
        port = free_port()
        r = siftc("-h", f"127.0.0.1:{port}", paths[0])
        self.assertEqual(r.returncode, 75)
        self.assertEqual(r.stderr, f"siftc: {paths[0]}: scan failed: cannot connect to "
                                   f"127.0.0.1:{port}: Connection refused\n")
        r = siftc("-h", f"127.0.0.1:{port}", "learn_spam", input=b"x")
        self.assertEqual(r.returncode, 75)
        r = siftc("-h", f"127.0.0.1:{port}", "ping")
        self.assertEqual(r.returncode, 75)

    def test_bad_command_lines_are_64(self):
        for args in (("-n", "0"), ("-t", "x"), ("--header", "no colon"), ("-r", "a\nb"),
                     ("--bogus",), ("-h", "nonsense")):
            with self.subTest(args=args):
                r = siftc(*args, "x.eml")
                self.assertEqual(r.returncode, 64, r.stderr)


class SiftcPasswordTest(SiftdTest):
    def test_401_and_the_password(self):
        sd = self.siftd(workers=("controller",),
                        overrides=["workers.controller.secure_ip=192.0.2.0/24",
                                   "workers.controller.password=readpw"]).start()
        host = f"127.0.0.1:{sd.ports['controller']}"
        r = siftc("-h", host, "stat")
        self.assertEqual(r.returncode, 69)
        self.assertEqual(r.stderr, "siftc: stat failed: 401 Unauthorized (the controller's "
                                   "password goes in -P)\n")
        r = siftc("-h", host, "-P", "readpw", "stat")
        self.assertEqual(r.returncode, 0, r.stderr)
        r = siftc("-h", host, "-P", "readpw", "learn_spam", input=message("pw@example.org"))
        self.assertEqual(r.returncode, 0, r.stderr)  # one password: it reads and writes


class FakeServer:
    """Accepts connections on loopback (or a Unix socket), keeps each request
    and answers it with the next canned reply (None: never answer)."""

    def __init__(self, replies, unix_path=None):
        self.replies = list(replies)
        self.requests = []
        if unix_path:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.bind(unix_path)
            self.addr = unix_path
        else:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.sock.bind(("127.0.0.1", 0))
            self.addr = f"127.0.0.1:{self.sock.getsockname()[1]}"
        self.sock.listen(16)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def read_request(self, c):
        data = b""
        while b"\r\n\r\n" not in data:
            b = c.recv(65536)
            if not b:
                return data
            data += b
        head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1")
        m = re.search(r"\r\ncontent-length: *(\d+)", head, re.I)
        want = len(head) + 4 + (int(m.group(1)) if m else 0)
        while len(data) < want:
            b = c.recv(65536)
            if not b:
                break
            data += b
        return data

    def run(self):
        self.sock.settimeout(0.2)
        held = []
        while not self.stop.is_set():
            try:
                c, _ = self.sock.accept()
            except socket.timeout:
                continue
            c.settimeout(10)
            self.requests.append(self.read_request(c))
            reply = self.replies.pop(0) if self.replies else None
            if reply is None:
                held.append(c)  # never answer
                continue
            c.sendall(reply)
            c.close()
        for c in held:
            c.close()

    def close(self):
        self.stop.set()
        self.thread.join()
        self.sock.close()


def http_reply(body, status="200 OK", headers=""):
    return (f"HTTP/1.1 {status}\r\nConnection: close\r\n{headers}"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body


RESULT = json.dumps({"is_skipped": False, "score": 6.5, "required_score": 15.0,
                     "action": "add header",
                     "symbols": {"B_SYM": {"name": "B_SYM", "score": 5.5, "options": ["o1", "o2"]},
                                 "A_SYM": {"name": "A_SYM", "score": 1.0}},
                     "messages": {}, "message-id": "fake@example.org"}).encode()


class SiftcFakeServerTest(SiftdTest):
    def fake(self, replies, unix_path=None):
        fs = FakeServer(replies, unix_path)
        self.addCleanup(fs.close)
        return fs

    def msgfile(self, data=b"Subject: hi\r\n\r\nbody\r\n"):
        path = os.path.join(self.tmpdir(), "msg.eml")
        with open(path, "wb") as f:
            f.write(data)
        return path

    def test_the_request_siftc_sends(self):
        fs = self.fake([http_reply(RESULT)])
        path = self.msgfile()
        r = siftc("-h", fs.addr, "-i", "192.0.2.10", "-F", "alice@example.org",
                  "-r", "bob@example.net", "-r", "carol@example.net", "--helo", "helo.example",
                  "--hostname", "host.example", "-u", "alice", "-d", "bob@example.net",
                  "--queue-id", "Q1", "--settings", '{"a":1}', "--settings-id", "sid",
                  "--header", "X-Test: yes", "-p", "-P", "pw", path)
        self.assertEqual(r.returncode, 2, r.stderr)  # add header
        req = fs.requests[0]
        head, _, body = req.partition(b"\r\n\r\n")
        lines = head.decode().split("\r\n")
        self.assertEqual(lines[0], "POST /checkv2 HTTP/1.1")
        self.assertEqual(body, b"Subject: hi\r\n\r\nbody\r\n")
        for want in (f"Host: {fs.addr}", "Connection: close", "User-Agent: siftc",
                     f"Content-Length: {len(body)}", "IP: 192.0.2.10", "From: alice@example.org",
                     "Rcpt: bob@example.net", "Rcpt: carol@example.net", "Helo: helo.example",
                     "Hostname: host.example", "User: alice", "Deliver-To: bob@example.net",
                     "Queue-Id: Q1", 'Settings: {"a":1}', "Settings-ID: sid", "X-Test: yes",
                     "Pass: all", "Password: pw", f"Filename: {path}"):
            self.assertIn(want, lines)
        self.assertEqual(r.stdout.splitlines()[1:], [
            "[Metric: default]", "Action: add header", "Spam: true", "Score: 6.50 / 15.00",
            "Symbol: A_SYM (1.00)", "Symbol: B_SYM (5.50)[o1, o2]",
            "Message-ID: fake@example.org"])

    def test_learn_fuzzy_and_stat_requests(self):
        ok = http_reply(b'{"success":true}')
        fs = self.fake([ok, ok, http_reply(b'{"success":true,"hashes":["ab"]}'),
                        http_reply(b'{"scanned":0}')])
        path = self.msgfile()
        r = siftc("-h", fs.addr, "learn_spam", "-c", "bayes", path)
        self.assertEqual((r.returncode, r.stdout.splitlines()[1:]), (0, ["success = true"]))
        r = siftc("-h", fs.addr, "learn_ham", path)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = siftc("-h", fs.addr, "fuzzy_add", "-f", "3", "-w", "10", path)
        self.assertEqual((r.returncode, r.stdout.splitlines()[1:]),
                         (0, ["success = true", "hashes: ab"]))
        r = siftc("-h", fs.addr, "stat")
        self.assertEqual(r.returncode, 0, r.stderr)
        heads = [q.partition(b"\r\n\r\n")[0].decode().split("\r\n") for q in fs.requests]
        self.assertEqual([h[0] for h in heads], ["POST /learnspam HTTP/1.1",
                                                 "POST /learnham HTTP/1.1",
                                                 "POST /fuzzyadd HTTP/1.1", "GET /stat HTTP/1.1"])
        self.assertIn("Classifier: bayes", heads[0])
        self.assertIn("Flag: 3", heads[2])
        self.assertIn("Weight: 10", heads[2])
        self.assertFalse(any(h.startswith("Content-Length") for h in heads[3]))

    def test_already_learned_is_not_an_error(self):
        fs = self.fake([http_reply(b'{"error":"<m1> has been already learned as spam, ignore it"}',
                                   "208 <m1> has been already learned as spam, ignore it")])
        r = siftc("-h", fs.addr, "learn_spam", input=b"Subject: x\r\n\r\ny\r\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr, "siftc: stdin: learn_spam: 208 <m1> has been already learned "
                                   "as spam, ignore it\n")

    def test_chunked_reply(self):
        chunks = [RESULT[i:i + 7] for i in range(0, len(RESULT), 7)]
        body = b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks) + b"0\r\n\r\n"
        fs = self.fake([b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + body])
        r = siftc("-h", fs.addr, "-j", self.msgfile())
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertEqual(json.loads(r.stdout)["message-id"], "fake@example.org")

    def test_zstd_request_and_reply(self):
        zstd = need_tool("zstd")
        packed = subprocess.run([zstd, "-q", "-c"], input=RESULT, capture_output=True,
                                check=True).stdout
        fs = self.fake([http_reply(packed, headers="Compression: zstd\r\n"
                                                   "Content-Encoding: zstd\r\n")])
        msg = b"Subject: hi\r\n\r\n" + b"compress me " * 100
        r = siftc("-h", fs.addr, "-z", "-j", self.msgfile(msg))
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertEqual(json.loads(r.stdout)["action"], "add header")
        head, _, body = fs.requests[0].partition(b"\r\n\r\n")
        self.assertIn(b"\r\nCompression: zstd\r\n", head + b"\r\n")
        self.assertIn(b"\r\nContent-Encoding: zstd\r\n", head + b"\r\n")
        self.assertTrue(body.startswith(b"\x28\xb5\x2f\xfd"))
        plain = subprocess.run([zstd, "-q", "-d", "-c"], input=body, capture_output=True,
                               check=True).stdout
        self.assertEqual(plain, msg)

    def test_replies_siftc_cannot_read_are_69(self):
        cases = [
            (http_reply(b"not json"), "scan failed: the reply is not JSON: byte 0: unexpected "
                                      "'n', expected a value"),
            (http_reply(b'{"score":1}'), "scan failed: the reply is not what /checkv2 answers"),
            (b"garbage\r\n", "scan failed: unexpected reply: garbage"),
            (b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{}",
             "scan failed: the server closed the connection 2 bytes into a 100-byte body"),
            (http_reply(b'{"error":"invalid command","error_domain":"protocol-error"}',
                        "500 invalid command"), "scan failed: 500 invalid command"),
        ]
        for reply, want in cases:
            with self.subTest(want=want):
                fs = self.fake([reply])
                path = self.msgfile()
                r = siftc("-h", fs.addr, path)
                self.assertEqual(r.returncode, 69, r.stderr)
                self.assertEqual(r.stderr, f"siftc: {path}: {want}\n")

    def test_timeout_is_75(self):
        fs = self.fake([None])
        path = self.msgfile()
        t0 = time.monotonic()
        r = siftc("-h", fs.addr, "-t", "1", path)
        self.assertEqual(r.returncode, 75)
        self.assertEqual(r.stderr, f"siftc: {path}: scan failed: {fs.addr}: timed out\n")
        self.assertLess(time.monotonic() - t0, 5 * SLOW)

    def test_parallel_requests_overlap(self):
        # four requests the server holds: with -n 4 all four are out at once
        fs = self.fake([None] * 4)
        d = self.tmpdir()
        for i in range(4):
            with open(os.path.join(d, f"{i}.eml"), "wb") as f:
                f.write(b"Subject: %d\r\n\r\nx\r\n" % i)
        t0 = time.monotonic()
        r = siftc("-h", fs.addr, "-n", "4", "-t", "1", d)
        self.assertEqual(r.returncode, 75)
        self.assertEqual(r.stderr.count("timed out"), 4)
        self.assertEqual(len(fs.requests), 4)
        self.assertLess(time.monotonic() - t0, 3 * SLOW)  # not 4 s one after the other

    def test_unix_socket(self):
        path = os.path.join(self.tmpdir(), "fake.sock")
        fs = self.fake([http_reply(RESULT), http_reply(b"pong\r\n")], unix_path=path)
        r = siftc("-h", path, self.msgfile())
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn(b"\r\nHost: localhost\r\n", fs.requests[0])
        r = siftc("-h", path, "ping")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(r.stdout.startswith(f"pong from {path} in "), r.stdout)


if __name__ == "__main__":
    import unittest
    unittest.main()
