"""rspamd's scan API on siftd's normal worker (and the controller's scans),
over raw sockets and curl: the error paths (unknown path, body over
max_size, broken zstd, HTTPCrypt's Key:, File:), query parameters as
headers, chunked bodies, keep-alive and close, the legacy one-line
protocols' byte shapes (CHECK RSPAMC/1.3, SYMBOLS SPAMC/1.2, the methods
that get no reply), empty bodies, /skip, the controller's password for
/checkv2 outside secure_ip, and /history rows of /checkv2 scans
(spec/rspamd-http-protocol.md sections 1-8)."""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # run as a file, too
from siftlib import SLOW, Siftd, SiftdTest, need_tool, read_all

GTUBE = b"XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X"
MAX_SIZE = 4096  # workers.normal.max_size of the shared siftd

# the envelope, as a site's rules see it: the hop siftd prepends for IP:, and
# the envelope sender it records there (http_scan.h)
LOCAL_CF = r"""
header   SIFT_RELAY   X-Spam-Relays-Untrusted =~ /ip=192\.0\.2\.7 /
describe SIFT_RELAY   Relayed by the test client's address
score    SIFT_RELAY   3
header   SIFT_ENVFROM EnvelopeFrom =~ /alice\@example\.org/
describe SIFT_ENVFROM Envelope sender is alice
score    SIFT_ENVFROM 2
"""


def message(mid, spam=False, subject="minutes"):
    body = GTUBE if spam else b"The minutes of the meeting are below."
    return (b"From: Alice Example <alice@example.org>\r\nTo: bob@example.net\r\n"
            b"Subject: %s\r\nMessage-ID: <%s>\r\n\r\n%s\r\n"
            % (subject.encode(), mid.encode(), body))


def request(method, path, headers=(), body=b"", version="HTTP/1.1", length=True):
    """The bytes of one request; headers a list of (name, value)."""
    req = f"{method} {path} {version}\r\n".encode()
    for k, v in headers:
        req += f"{k}: {v}\r\n".encode()
    if length:
        req += b"Content-Length: %d\r\n" % len(body)
    return req + b"\r\n" + body


def parse(raw):
    """(status, reason, {lower-case header: value}, body) of one HTTP reply."""
    head, sep, body = raw.partition(b"\r\n\r\n")
    assert sep, raw
    lines = head.decode("latin-1").split("\r\n")
    proto, status, reason = (lines[0].split(" ", 2) + [""])[:3]
    assert proto == "HTTP/1.1", lines[0]
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        assert k.lower() not in headers, (k, lines)
        headers[k.strip().lower()] = v.strip()
    if "content-length" in headers:
        assert int(headers["content-length"]) == len(body), (headers, body)
    return int(status), reason, headers, body


class Replies:
    """The replies off a connection that may stay open, one at a time: the head,
    then Content-Length bytes; what follows is kept for the next."""

    def __init__(self, s):
        self.s = s
        self.data = b""

    def _more(self, what):
        b = self.s.recv(65536)
        if not b:
            raise AssertionError(f"connection closed in a reply {what}: {self.data!r}")
        self.data += b

    def next(self):
        while b"\r\n\r\n" not in self.data:
            self._more("head")
        head, _, rest = self.data.partition(b"\r\n\r\n")
        n = int(re.search(rb"\r\nContent-Length: (\d+)", head, re.I).group(1))
        while len(rest) < n:
            self._more("body")
            head, _, rest = self.data.partition(b"\r\n\r\n")
        self.data = rest[n:]
        return head + b"\r\n\r\n" + rest[:n]


def read_reply(s):
    """The one reply on s; nothing may follow it but the close or the next
    request's reply (which is an error here)."""
    r = Replies(s)
    out = r.next()
    assert r.data == b"", f"more bytes than the reply: {r.data!r}"
    return out


def closed(s, timeout=5.0):
    """True when the peer closes (EOF) within timeout, with nothing more sent."""
    s.settimeout(timeout * SLOW)
    try:
        return s.recv(1) == b""
    except socket.timeout:
        return False
    except ConnectionResetError:
        return True


def stable(result):
    """A /checkv2 result without what changes from one scan to the next."""
    return {k: v for k, v in result.items() if k != "time_real"}


class ScanApi:
    """Requests to one siftd's normal worker (or controller)."""

    def __init__(self, sd, worker="normal"):
        self.sd = sd
        self.addr = ("127.0.0.1", sd.ports[worker])

    def raw(self, data, shut=False, timeout=10.0):
        """The bytes answered to data, read until the server closes (no half-close
        unless shut: the server must find the end from the framing)."""
        with socket.create_connection(self.addr, timeout=timeout * SLOW) as s:
            s.sendall(data)
            if shut:
                s.shutdown(socket.SHUT_WR)
            return read_all(s)

    def req(self, method, path, headers=(), body=b"", version="HTTP/1.1"):
        h = list(headers)
        if version == "HTTP/1.1":
            h.append(("Connection", "close"))
        return parse(self.raw(request(method, path, h, body, version)))

    def scan(self, body, headers=(), path="/checkv2"):
        status, reason, h, out = self.req("POST", path, headers, body)
        if status != 200:
            raise AssertionError(f"{path}: {status} {reason} {out!r}")
        assert h["content-type"] == "application/json", h
        return json.loads(out)


class HttpScanTest(SiftdTest):
    """One siftd (the minimal rules and LOCAL_CF, a small max_size) for the tests
    that change nothing in it."""

    @classmethod
    def setUpClass(cls):
        cls.site = tempfile.mkdtemp(prefix="sift-it-site-")
        with open(os.path.join(cls.site, "local.cf"), "w") as f:
            f.write(LOCAL_CF)
        cls.sd = Siftd(overrides=[f"rules.site_dir={cls.site}",
                                  f"workers.normal.max_size={MAX_SIZE}"])
        try:
            cls.sd.start()
        except BaseException:
            cls.sd.cleanup()
            raise
        cls.api = ScanApi(cls.sd)

    @classmethod
    def tearDownClass(cls):
        cls.sd.cleanup()
        shutil.rmtree(cls.site, ignore_errors=True)

    # --- errors ----------------------------------------------------------
    def test_unknown_path_is_500_invalid_command(self):
        for method, path in (("POST", "/foo"), ("POST", "/checkv2x"), ("GET", "/checkv"),
                             ("POST", "/checkv2/extra")):
            with self.subTest(path=path):
                status, reason, h, body = self.api.req(method, path, body=message("u1"))
                self.assertEqual((status, reason), (500, "invalid command"))
                self.assertEqual(h["content-type"], "application/json")
                self.assertEqual(json.loads(body), {"error": "invalid command",
                                                    "error_domain": "protocol-error"})
        # paths compare without case, and a scan GET with no body is a scan
        self.assertEqual(self.api.scan(message("u2@example.org"), path="/CheckV2")["message-id"],
                         "u2@example.org")
        status, _, _, body = self.api.req("GET", "/checkv2")
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body)["message-id"], "undef")

    def test_body_over_max_size_is_413(self):
        big = message("big1@example.org") + b"x" * MAX_SIZE
        status, reason, h, body = self.api.req("POST", "/checkv2", body=big)
        self.assertEqual(status, 413, reason)
        self.assertEqual(h["connection"], "close")
        self.assertEqual(body, b"Request entity too large: %d" % len(big))
        # exactly max_size is scanned
        exact = message("exact1@example.org", subject="x" * 8)
        exact += b"y" * (MAX_SIZE - len(exact))
        self.assertEqual(len(exact), MAX_SIZE)
        self.assertEqual(self.api.scan(exact)["message-id"], "exact1@example.org")
        # a chunked body is counted as it comes
        chunks = b"".join(b"%x\r\n%s\r\n" % (1000, b"z" * 1000) for _ in range(5)) + b"0\r\n\r\n"
        raw = self.api.raw(request("POST", "/checkv2", [("Transfer-Encoding", "chunked")],
                                   chunks, length=False))
        self.assertEqual(parse(raw)[0], 413, raw)
        # and so is the body a zstd frame unpacks to
        zstd = need_tool("zstd")
        z = subprocess.run([zstd, "-q", "-c"], input=b"a" * 100000, capture_output=True,
                           check=True).stdout
        self.assertLess(len(z), MAX_SIZE)
        status, reason, h, body = self.api.req("POST", "/checkv2", [("Compression", "zstd")], z)
        self.assertEqual(status, 400, reason)
        self.assertEqual(json.loads(body), {
            "error": f"the decompressed body is larger than {MAX_SIZE} bytes",
            "error_domain": "protocol-error"})

    def test_curl_expect_100_continue(self):
        # curl with `Expect: 100-continue` waits for the go-ahead: a body
        # within max_size gets it, a bigger one gets the 413 instead
        curl = need_tool("curl")
        d = self.tmpdir()
        for name, body, want in (("small", message("e1@example.org", spam=True), 200),
                                 ("big", message("e2@example.org") + b"x" * 100000, 413)):
            with self.subTest(body=name):
                path = os.path.join(d, name + ".eml")
                with open(path, "wb") as f:
                    f.write(body)
                r = subprocess.run([curl, "-sS", "-v", "-H", "Expect: 100-continue",
                                    "--expect100-timeout", "20", "--data-binary", f"@{path}",
                                    "-w", "\n%{http_code}",
                                    f"http://127.0.0.1:{self.sd.ports['normal']}/checkv2"],
                                   capture_output=True, timeout=30 * SLOW)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertIn(b"> Expect: 100-continue", r.stderr)
                out, _, code = r.stdout.rpartition(b"\n")
                self.assertEqual(int(code), want, r.stderr)
                if want == 200:
                    self.assertIn(b"< HTTP/1.1 100 Continue", r.stderr)
                    self.assertEqual(json.loads(out)["action"], "reject")
                else:
                    self.assertNotIn(b"100 Continue", r.stderr)
                    self.assertEqual(out, b"Request entity too large: %d" % len(body))

    def test_bad_zstd_is_400_json(self):
        for name, body in (("not zstd", b"Subject: plain\r\n\r\nhello\r\n"),
                           ("a broken frame", b"\x28\xb5\x2f\xfd" + b"garbage" * 4),
                           ("a cut frame", None)):
            if body is None:
                zstd = need_tool("zstd")
                body = subprocess.run([zstd, "-q", "-c"], input=message("cut1") * 20,
                                      capture_output=True, check=True).stdout[:-8]
            for header in ("Compression", "Content-Encoding"):
                with self.subTest(body=name, header=header):
                    status, reason, h, out = self.api.req("POST", "/checkv2", [(header, "zstd")],
                                                          body)
                    self.assertEqual(status, 400, reason)
                    self.assertEqual(h["content-type"], "application/json")
                    err = json.loads(out)
                    self.assertEqual(set(err), {"error", "error_domain"})
                    self.assertEqual(err["error_domain"], "protocol-error")
                    self.assertRegex(err["error"], r"zstd|decompress")
        # an encoding it does not know is refused too, not scanned as the message
        status, reason, _, out = self.api.req("POST", "/checkv2", [("Content-Encoding", "gzip")],
                                              b"\x1f\x8b")
        self.assertEqual(status, 415, reason)
        self.assertEqual(json.loads(out)["error"], "unsupported Content-Encoding: gzip")

    def test_zstd_request_and_reply(self):
        zstd = need_tool("zstd")
        msg = message("z1@example.org", spam=True)
        plain = self.api.scan(msg)
        z = subprocess.run([zstd, "-q", "-c"], input=msg, capture_output=True,
                           check=True).stdout
        self.assertEqual(z[:4], b"\x28\xb5\x2f\xfd")
        for headers in ([("Compression", "zstd")], [("Content-Encoding", "zstd")],
                        [("Compression", "zstd"), ("Content-Encoding", "zstd")]):
            with self.subTest(headers=headers):
                status, reason, h, out = self.api.req("POST", "/checkv2", headers, z)
                self.assertEqual(status, 200, reason)
                # a compressed request gets a compressed reply
                self.assertEqual((h["compression"], h["content-encoding"]), ("zstd", "zstd"))
                self.assertEqual(out[:4], b"\x28\xb5\x2f\xfd")
                text = subprocess.run([zstd, "-q", "-d", "-c"], input=out, capture_output=True,
                                      check=True).stdout
                self.assertEqual(stable(json.loads(text)), stable(plain))
        # a plain request that accepts zstd gets it too
        status, _, h, out = self.api.req("POST", "/checkv2", [("Accept-Encoding", "gzip, zstd")],
                                         msg)
        self.assertEqual(h.get("content-encoding"), "zstd")
        text = subprocess.run([zstd, "-q", "-d", "-c"], input=out, capture_output=True,
                              check=True).stdout
        self.assertEqual(stable(json.loads(text)), stable(plain))
        self.assertEqual(plain["action"], "reject")
        self.assertNotIn("content-encoding", self.api.req("POST", "/checkv2", (), msg)[2])

    def test_httpcrypt_key_is_400_with_a_clear_error(self):
        status, reason, h, body = self.api.req(
            "POST", "/checkv2", [("Key", "k4nz984k36xmcynm1hr9kdbn6jhcxf4ggbrb1quay7f88rpm9kay")],
            message("k1@example.org"))
        self.assertEqual(status, 400, reason)
        self.assertEqual(h["content-type"], "application/json")
        err = json.loads(body)
        self.assertEqual(err["error_domain"], "protocol-error")
        self.assertIn("HTTPCrypt", err["error"])
        self.assertIn("not supported", err["error"])
        self.assertRegex(self.sd.log(), r"checkv2 from 127\.0\.0\.1:\d+ refused: 400 encrypted")

    def test_file_path_shm_are_400(self):
        secret = os.path.join(self.tmpdir(), "secret.eml")
        with open(secret, "wb") as f:
            f.write(message("secret@example.org"))
        for headers, query in (([("File", secret)], ""), ([("Path", secret)], ""),
                               ([("Shm", "/sift-test")], ""), ([], f"?file={secret}")):
            with self.subTest(headers=headers, query=query):
                status, reason, _, body = self.api.req("POST", "/checkv2" + query, headers,
                                                       message("f1@example.org"))
                self.assertEqual(status, 400, reason)
                err = json.loads(body)
                self.assertIn("File, Path and Shm requests are not supported", err["error"])
                self.assertNotIn(b"secret@example.org", body)

    # --- what a request says ---------------------------------------------
    def test_query_parameters_act_like_headers(self):
        msg = message("q1@example.org")
        bare = self.api.scan(msg)
        self.assertEqual(bare["symbols"], {})
        by_headers = self.api.scan(msg, [("IP", "192.0.2.7"), ("From", "<alice@example.org>"),
                                         ("Helo", "mail.example.org")])
        by_query = self.api.scan(
            msg, path="/checkv2?ip=192.0.2.7&from=alice%40example.org&helo=mail.example.org")
        self.assertEqual(sorted(by_query["symbols"]), ["SIFT_ENVFROM", "SIFT_RELAY"])
        self.assertEqual(by_query["score"], 5.0)
        self.assertEqual(by_query["action"], "add header")
        self.assertEqual(stable(by_query), stable(by_headers))
        # names without case, either way; a header wins over the parameter
        mixed = self.api.scan(msg, [("iP", "192.0.2.7")], path="/checkv2?IP=198.51.100.1")
        self.assertEqual(sorted(mixed["symbols"]), ["SIFT_RELAY"])
        # the v1 paths read them too
        v1 = self.api.scan(msg, path="/check?ip=192.0.2.7")
        self.assertIn("SIFT_RELAY", v1["default"])
        # an IP that is not an address is ignored (logged), not an error
        mark = len(self.sd.log())
        self.assertEqual(self.api.scan(msg, path="/checkv2?ip=192.0.2.7.9")["symbols"], {})
        self.sd.wait_log(r'IP header "192\.0\.2\.7\.9" is not an address; ignored', after=mark)

    def test_chunked_body(self):
        msg = message("c1@example.org", spam=True)
        want = stable(self.api.scan(msg))
        cuts = [0, 1, 7, 30, len(msg) - 3, len(msg)]
        chunked = b"".join(b"%x\r\n%s\r\n" % (b - a, msg[a:b]) for a, b in zip(cuts, cuts[1:]))
        chunked += b"0\r\n\r\n"
        for ext in (b"", b";name=value"):
            with self.subTest(ext=ext):
                body = chunked.replace(b"\r\n", ext + b"\r\n", 1)
                raw = self.api.raw(request("POST", "/checkv2", [("Transfer-Encoding", "chunked"),
                                                                ("Connection", "close")],
                                           body, length=False))
                status, _, _, out = parse(raw)
                self.assertEqual(status, 200, raw)
                self.assertEqual(stable(json.loads(out)), want)
        self.assertEqual(want["symbols"]["GTUBE"]["score"], 1000)

    def test_keep_alive_serves_two_requests_on_one_connection(self):
        a, b = message("ka1@example.org"), message("ka2@example.org", spam=True)
        with socket.create_connection(("127.0.0.1", self.sd.ports["normal"]),
                                      timeout=10 * SLOW) as s:
            s.sendall(request("POST", "/checkv2", [("Host", "x")], a))
            status, _, h, out = parse(read_reply(s))
            self.assertEqual((status, h["connection"]), (200, "keep-alive"))
            self.assertEqual(json.loads(out)["message-id"], "ka1@example.org")
            self.assertFalse(closed(s, 0.3), "closed after a keep-alive reply")
            # the second asks to close: answered, then closed
            s.sendall(request("POST", "/checkv2", [("Host", "x"), ("Connection", "close")], b))
            status, _, h, out = parse(read_reply(s))
            self.assertEqual((status, h["connection"]), (200, "close"))
            self.assertEqual(json.loads(out)["action"], "reject")
            self.assertTrue(closed(s))
        # two requests in one write (pipelined) get two replies, in order
        with socket.create_connection(("127.0.0.1", self.sd.ports["normal"]),
                                      timeout=10 * SLOW) as s:
            s.sendall(request("POST", "/checkv2", (), a) +
                      request("POST", "/check", [("Connection", "close")], b))
            replies = Replies(s)
            first = json.loads(parse(replies.next())[3])
            second = json.loads(parse(replies.next())[3])
            self.assertEqual(replies.data, b"")
            self.assertEqual(first["message-id"], "ka1@example.org")
            self.assertEqual(second["default"]["action"], "reject")
            self.assertTrue(closed(s))

    def test_http10_closes_after_the_reply(self):
        for headers in ([("Connection", "close")], []):
            with self.subTest(headers=headers):
                with socket.create_connection(("127.0.0.1", self.sd.ports["normal"]),
                                              timeout=10 * SLOW) as s:
                    # no half-close: the server must close by itself, as rspamc waits for EOF
                    s.sendall(request("POST", "/checkv2", headers, message("h10@example.org"),
                                      version="HTTP/1.0"))
                    s.settimeout(5 * SLOW)
                    raw = read_all(s)
                status, _, h, out = parse(raw)
                self.assertEqual((status, h["connection"]), (200, "close"))
                self.assertEqual(json.loads(out)["message-id"], "h10@example.org")
        # HTTP/1.0 may ask for keep-alive
        with socket.create_connection(("127.0.0.1", self.sd.ports["normal"]),
                                      timeout=10 * SLOW) as s:
            s.sendall(request("POST", "/checkv2", [("Connection", "keep-alive")],
                              message("h11@example.org"), version="HTTP/1.0"))
            self.assertEqual(parse(read_reply(s))[2]["connection"], "keep-alive")
            self.assertFalse(closed(s, 0.3))

    def test_empty_body_is_scanned(self):
        for method in ("POST", "GET"):
            with self.subTest(method=method):
                status, _, _, out = self.api.req(method, "/checkv2")
                self.assertEqual(status, 200)
                r = json.loads(out)
                self.assertEqual((r["is_skipped"], r["score"], r["action"], r["symbols"],
                                  r["message-id"]),
                                 (False, 0.0, "no action", {}, "undef"))
                self.assertEqual(r["required_score"], 15.0)
        raw = self.api.raw(b"CHECK RSPAMC/1.3\r\nContent-length: 0\r\n\r\n")
        self.assertEqual(raw, b"RSPAMD/1.3 0 EX_OK\r\nMetric: default; False; 0.00 / 15.00 / 0.0"
                              b"\r\nAction: no action\r\nMessage-ID: undef\r\n")

    def test_urls_and_emails(self):
        body = (b"Subject: links\r\n\r\nSee https://www.Example.org/minutes, "
                b"http://www.example.org/x and mailto:bob@example.net today.\r\n")
        for path, get in (("/checkv2", lambda r: r), ("/check", lambda r: r)):
            with self.subTest(path=path):
                r = get(self.api.scan(body, path=path))
                self.assertEqual(r["urls"], ["www.example.org"])
                self.assertEqual(r["emails"], ["bob@example.net"])
        r = self.api.scan(b"Subject: none\r\n\r\nNo links here.\r\n")
        self.assertNotIn("urls", r)
        self.assertNotIn("emails", r)

    def test_skip(self):
        spam = message("s1@example.org", spam=True)
        for path, headers in (("/skip", []), ("/checkv2", [("Flags", "skip")]),
                              ("/checkv2", [("Flags", "groups, skip")])):
            with self.subTest(path=path, headers=headers):
                r = self.api.scan(spam, headers, path=path)
                self.assertEqual(stable(r), {"is_skipped": True, "score": 0.0,
                                             "required_score": 15.0, "action": "no action",
                                             "symbols": {}, "messages": {},
                                             "message-id": "undef"})
        self.assertEqual(self.api.scan(spam)["is_skipped"], False)

    def test_v1_paths_wrap_the_result_in_default(self):
        spam = message("v1@example.org", spam=True, subject="a test")
        v2 = self.api.scan(spam)
        for path in ("/check", "/symbols", "/scan", "/process", "/report", "/report_ifspam"):
            with self.subTest(path=path):
                r = self.api.scan(spam, path=path)
                d = r["default"]
                self.assertEqual((d["is_spam"], d["is_skipped"], d["score"], d["required_score"],
                                  d["action"]), (True, False, v2["score"], 15.0, "reject"))
                for name, sym in v2["symbols"].items():
                    self.assertEqual(d[name], {k: v for k, v in sym.items()
                                               if k != "metric_score"})
                self.assertNotIn("symbols", r)
                self.assertEqual(r["message-id"], "v1@example.org")
        self.assertEqual(sorted(v2["symbols"]), ["GTUBE", "SUBJ_TEST"])

    # --- the line protocols ----------------------------------------------
    def test_rspamc_line_reply_is_byte_exact(self):
        spam = message("r1@example.org", spam=True)
        req = b"CHECK RSPAMC/1.3\r\nContent-length: %d\r\nQueue-Id: 1abc\r\n\r\n" % len(spam)
        # no half-close (Exim's way): Content-length ends the message
        self.assertEqual(self.api.raw(req + spam),
                         b"RSPAMD/1.3 0 EX_OK\r\n"
                         b"Metric: default; False; 1000.00 / 15.00 / 0.0\r\n"
                         b"Action: reject\r\n"
                         b"Symbol: GTUBE(1000.00)\r\n"
                         b"Message-ID: r1@example.org\r\n")
        # the version is echoed; SYMBOLS is answered as CHECK
        raw = self.api.raw(b"SYMBOLS RSPAMC/1.2\r\nContent-length: %d\r\n\r\n" % len(spam) + spam)
        self.assertTrue(raw.startswith(b"RSPAMD/1.2 0 EX_OK\r\nMetric: default; False; "), raw)

    def test_rspamc_line_reply_agrees_with_checkv2(self):
        msg = message("r2@example.org", spam=True, subject="a test")
        headers = [("IP", "192.0.2.7"), ("From", "<alice@example.org>"),
                   ("Rcpt", "<bob@example.net>"), ("Helo", "mail.example.org")]
        v2 = self.api.scan(msg, headers)
        req = b"CHECK RSPAMC/1.3\r\nContent-length: %d\r\n" % len(msg)
        req += b"".join(f"{k}: {v}\r\n".encode() for k, v in headers)
        raw = self.api.raw(req + b"\r\n" + msg)
        # what Exim's sscanf reads, and everything after the status line is a CRLF line
        self.assertNotIn(b"HTTP/", raw)
        self.assertNotIn(b"\r\n\r\n", raw)
        self.assertTrue(raw.endswith(b"\r\n"))
        lines = raw[:-2].decode().split("\r\n")
        self.assertEqual(lines[0], "RSPAMD/1.3 0 EX_OK")
        m = re.fullmatch(r"Metric: default; (True|False); (-?\d+\.\d\d) / (\d+\.\d\d) / 0\.0",
                         lines[1])
        self.assertIsNotNone(m, lines[1])
        self.assertEqual(float(m.group(2)), round(v2["score"], 2))
        self.assertEqual(float(m.group(3)), v2["required_score"])
        self.assertEqual(lines[2], f"Action: {v2['action']}")
        syms = {}
        for line in lines[3:-1]:
            s = re.fullmatch(r"Symbol: ([A-Z0-9_]+)\((-?\d+\.\d\d)\)", line)
            self.assertIsNotNone(s, line)
            syms[s.group(1)] = s.group(2)
        self.assertEqual(syms, {k: f"{v['score']:.2f}" for k, v in v2["symbols"].items()})
        self.assertEqual(sorted(syms), ["GTUBE", "SIFT_ENVFROM", "SIFT_RELAY", "SUBJ_TEST"])
        self.assertEqual(lines[-1], "Message-ID: r2@example.org")

    def test_spamc_emulation_shapes(self):
        msg = message("sp1@example.org", spam=True, subject="a test")
        for version in ("1.2", "1.5"):
            with self.subTest(version=version):
                raw = self.api.raw(b"SYMBOLS SPAMC/%s\r\nContent-length: %d\r\n\r\n"
                                   % (version.encode(), len(msg)) + msg)
                self.assertEqual(raw, b"SPAMD/1.1 0 EX_OK\r\nContent-length: 17\r\n"
                                      b"Spam: False ; 1000.10 / 15.00\r\n\r\nGTUBE,SUBJ_TEST\r\n")
        raw = self.api.raw(b"CHECK SPAMC/1.2\r\nContent-length: %d\r\n\r\n" % len(msg) + msg)
        self.assertEqual(raw, b"SPAMD/1.1 0 EX_OK\r\nContent-length: 0\r\n"
                              b"Spam: False ; 1000.10 / 15.00\r\n\r\n")

    def test_other_line_methods_are_closed_without_a_reply(self):
        msg = message("p1@example.org", spam=True)
        for line in (b"PROCESS SPAMC/1.5", b"REPORT SPAMC/1.3", b"PING SPAMC/1.5",
                     b"HEADERS RSPAMC/1.3", b"PROCESS RSPAMC/1.3"):
            with self.subTest(line=line):
                mark = len(self.sd.log())
                t0 = time.monotonic()
                raw = self.api.raw(line + b"\r\nContent-length: %d\r\n\r\n" % len(msg) + msg)
                self.assertEqual(raw, b"")
                self.assertLess(time.monotonic() - t0, 3 * SLOW)  # closed, not timed out
                method, proto = line.split(b" ")
                self.sd.wait_log(r"%s %s request from 127\.0\.0\.1:\d+: not served, closing"
                                 % (method.decode(), proto.decode().split("/")[0]), after=mark)

    def test_legacy_request_without_length_reads_to_eof(self):
        # a client that half-closes instead of sending Content-length
        msg = message("eof1@example.org", spam=True)
        raw = self.api.raw(b"CHECK RSPAMC/1.3\r\n\r\n" + msg, shut=True)
        self.assertTrue(raw.startswith(b"RSPAMD/1.3 0 EX_OK\r\nMetric: default; False; 1000.00"),
                        raw)
        self.assertTrue(raw.endswith(b"Message-ID: eof1@example.org\r\n"), raw)


class ControllerScanTest(SiftdTest):
    """The controller's /checkv2: its password rules, and /history of scans."""

    def test_checkv2_needs_the_password_outside_secure_ip(self):
        sd = self.siftd(overrides=["workers.controller.secure_ip=[]",
                                   "workers.controller.password=readpw",
                                   "workers.controller.enable_password=writepw"]).start()
        ctl, normal = ScanApi(sd, "controller"), ScanApi(sd)
        msg = message("ctl1@example.org", spam=True)
        status, reason, h, body = ctl.req("POST", "/checkv2", body=msg)
        self.assertEqual((status, reason), (401, "Unauthorized"))
        self.assertEqual(json.loads(body), {"error": "Unauthorized"})
        self.assertEqual(h["content-type"], "application/json")
        status, reason, _, body = ctl.req("POST", "/checkv2", [("Password", "wrong")], msg)
        self.assertEqual((status, reason), (403, "Forbidden"))
        for path in ("/check", "/scan"):
            self.assertEqual(ctl.req("POST", path, body=msg)[0], 401)
        # either password reads; in a header or in the query
        for headers, query in (([("Password", "readpw")], ""), ([("Password", "writepw")], ""),
                               ([], "?password=readpw")):
            with self.subTest(headers=headers, query=query):
                r = ctl.scan(msg, headers, path="/checkv2" + query)
                self.assertEqual((r["action"], r["message-id"]), ("reject", "ctl1@example.org"))
        self.assertIn("GTUBE", ctl.scan(msg, [("Password", "readpw")], path="/check")["default"])
        # the normal worker asks no one
        self.assertEqual(normal.scan(msg)["action"], "reject")
        self.assertRegex(sd.log(), r"controller: POST /checkv2 from 127\.0\.0\.1 \(peer "
                                   r"127\.0\.0\.1:\d+\): refused \(401\)")

    def test_checkv2_from_secure_ip_needs_no_password(self):
        sd = self.siftd(overrides=["workers.controller.password=readpw",
                                   "workers.controller.enable_password=writepw"]).start()
        ctl = ScanApi(sd, "controller")
        r = ctl.scan(message("ctl2@example.org", spam=True))
        self.assertEqual(r["action"], "reject")
        self.assertEqual(ctl.req("POST", "/checkv2", [("Password", "wrong")],
                                 message("ctl3@example.org"))[0], 200)
        self.assertRegex(sd.log(), r"controller: POST /checkv2 from 127\.0\.0\.1 \(peer "
                                   r"127\.0\.0\.1:\d+\): allowed read-write")

    def test_history_shows_checkv2_scans(self):
        sd = self.siftd().start()
        normal, ctl = ScanApi(sd), ScanApi(sd, "controller")
        ham, spam = message("hist1@example.org"), message("hist2@example.org", spam=True)
        r1 = normal.scan(ham, [("IP", "192.0.2.7"), ("From", "<carol@example.org>"),
                               ("User", "carol"), ("Rcpt", "bob@example.net")])
        r2 = ctl.scan(spam, [("IP", "[2001:db8::7]"), ("Deliver-To", "<dave@example.net>")])
        raw = normal.raw(b"CHECK RSPAMC/1.3\r\nContent-length: %d\r\nIP: 198.51.100.3\r\n"
                         b"From: <>\r\n\r\n" % len(ham) + ham.replace(b"hist1", b"hist3"))
        self.assertTrue(raw.startswith(b"RSPAMD/1.3 0 EX_OK"), raw)
        normal.scan(ham.replace(b"hist1", b"hist4"))
        status, _, _, body = ctl.req("GET", "/history")
        self.assertEqual(status, 200)
        rows = {r["id"]: r for r in json.loads(body)}
        self.assertEqual(list(rows), ["hist4@example.org", "hist3@example.org",
                                      "hist2@example.org", "hist1@example.org"])
        h1 = rows["hist1@example.org"]
        self.assertEqual((h1["ip"], h1["from"], h1["user"], h1["action"]),
                         ("192.0.2.7", "carol@example.org", "carol", "no action"))
        self.assertEqual(h1["score"], r1["score"])
        self.assertEqual(h1["size"], len(ham))
        self.assertEqual(h1["symbols"], {})
        h2 = rows["hist2@example.org"]
        self.assertEqual((h2["ip"], h2["user"], h2["action"], h2["score"]),
                         ("2001:db8::7", "dave@example.net", "reject", r2["score"]))
        self.assertEqual(h2["symbols"], {"GTUBE": {"score": 1000}})
        # no From: the message's From address; From: <> is the null sender
        self.assertEqual(h2["from"], "alice@example.org")
        h3 = rows["hist3@example.org"]
        self.assertEqual(h3["ip"], "198.51.100.3")
        self.assertNotIn("from", h3)
        self.assertNotIn("user", h3)
        # no IP: the peer's
        self.assertEqual(rows["hist4@example.org"]["ip"], "127.0.0.1")
        for r in rows.values():
            self.assertLessEqual(abs(r["unix_time"] - time.time()), 60)


if __name__ == "__main__":
    unittest.main()
