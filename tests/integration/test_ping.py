"""The first protocol surface: PING over spamd with the real spamc, GET /ping
over HTTP with curl, and the protocol's own error for everything else."""

import re
import socket
import subprocess
import time
import unittest

from siftlib import SLOW, SIFTC, SiftdTest, exchange, need_tool, read_all


class PingTest(SiftdTest):
    @classmethod
    def setUpClass(cls):
        from siftlib import Siftd
        cls.sd = Siftd(overrides=["workers.spamd.read_timeout=1s",
                                  "workers.normal.read_timeout=1s",
                                  "workers.normal.idle_timeout=1s"]).start()

    @classmethod
    def tearDownClass(cls):
        cls.sd.cleanup()

    # --- spamd -----------------------------------------------------------
    def test_spamc_ping(self):
        spamc = need_tool("spamc")
        r = subprocess.run([spamc, "-K", "-d", "127.0.0.1", "-p", str(self.sd.ports["spamd"])],
                           capture_output=True, text=True, timeout=20)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("SPAMD/1.5 0", r.stdout)

    def test_spamc_ping_to_a_dead_port_fails(self):
        # the check above must be able to fail: spamc -K against nothing
        from siftlib import free_port
        spamc = need_tool("spamc")
        r = subprocess.run([spamc, "-K", "-d", "127.0.0.1", "-p", str(free_port())],
                           capture_output=True, text=True, timeout=20)
        self.assertNotEqual(r.returncode, 0)

    def test_ping_bytes_for_every_version(self):
        pong = b"SPAMD/1.5 0 PONG\r\n"
        self.assertEqual(self.sd.spamd(b"PING SPAMC/1.5\r\n\r\n"), pong)
        self.assertEqual(self.sd.spamd(b"PING SPAMC/1.2\r\n"), pong)
        # before 1.5 the reply comes right after the request line, no half-close needed
        self.assertEqual(self.sd.spamd(b"PING SPAMC/1.0\r\n", shut=False), pong)
        # 1.5 without the empty line, then half-close: spamd's EOF error, no PONG
        self.assertEqual(self.sd.spamd(b"PING SPAMC/1.5\r\n"),
                         b"SPAMD/1.0 76 Bad header line: (EOF during headers)\r\n")

    def test_spamd_errors_are_spamd_lines(self):
        cases = [
            (b"GET / HTTP/1.0\r\n\r\n", b"SPAMD/1.0 76 Bad header line: GET / HTTP/1.0\r\n"),
            (b"check SPAMC/1.5\r\n\r\n", b"SPAMD/1.0 76 Bad header line: check SPAMC/1.5\r\n"),
            (b"", b"SPAMD/1.0 76 Bad header line: (closed before headers)\r\n"),
            (b"PING SPAMC/1.5\r\nno colon\r\n\r\n",
             b"SPAMD/1.0 76 Bad header line: (header not in 'Name: value' format)\r\n"),
            (b"CHECK SPAMC/1.5\r\nContent-length: 12x\r\n\r\n",
             b"SPAMD/1.0 76 Bad header line: (Content-Length contains non-numeric bytes)\r\n"),
            (b"CHECK SPAMC/1.5\r\nContent-length: 155\r\n\r\nshort",
             b"SPAMD/1.0 76 Bad header line: (Content-Length mismatch: Expected 155 bytes, "
             b"got 5 bytes)\r\n"),
            (b"CHECK SPAMC/1.5\r\nCompress: zlib\r\n\r\n",
             b"SPAMD/1.0 69 Service Unavailable: Compress requires Content-length header\r\n"),
            (b"TELL SPAMC/1.5\r\nMessage-class: spam\r\nSet: local\r\nContent-length: 2\r\n\r\nhi",
             b"SPAMD/1.0 69 Service Unavailable: TELL commands are not enabled, set the "
             b"--allow-tell switch.\r\n"),
        ]
        for req, want in cases:
            with self.subTest(req=req):
                self.assertEqual(self.sd.spamd(req), want)

    def test_scan_methods_scan(self):
        # the minimal rules: GTUBE scores 1000, a clean message nothing
        gtube = b"Subject: hi\r\n\r\nXJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X\r\n"
        for method in (b"CHECK", b"SYMBOLS", b"REPORT", b"REPORT_IFSPAM", b"PROCESS", b"HEADERS"):
            with self.subTest(method=method):
                got = self.sd.spamd(method + b" SPAMC/1.5\r\nContent-length: %d\r\n\r\n" % len(gtube)
                                    + gtube)
                self.assertTrue(got.startswith(b"SPAMD/1.1 0 EX_OK\r\n"), got)
                flag = b"Yes" if method == b"REPORT_IFSPAM" else b"True"
                self.assertIn(b"Spam: " + flag + b" ; 1000.0 / 5.0\r\n", got)
        got = self.sd.spamd(b"CHECK SPAMC/1.5\r\nContent-length: 4\r\n\r\ntest")
        self.assertEqual(got, b"SPAMD/1.1 0 EX_OK\r\nSpam: False ; 0.0 / 5.0\r\n\r\n")

    def test_skip_gets_no_reply(self):
        self.assertEqual(self.sd.spamd(b"SKIP SPAMC/1.5\r\n\r\n"), b"")

    def test_too_many_headers(self):
        req = b"PING SPAMC/1.5\r\n" + b"X: y\r\n" * 256 + b"\r\n"
        self.assertEqual(self.sd.spamd(req),
                         b"SPAMD/1.0 76 Bad header line: (too many headers)\r\n")

    def test_oversized_message_is_refused_before_its_body(self):
        # max_size defaults to 50M: announce more, send nothing, get the answer at once
        got = self.sd.spamd(b"CHECK SPAMC/1.5\r\nContent-length: 60000000\r\n\r\n", shut=False)
        self.assertTrue(got.startswith(b"SPAMD/1.0 65 "), got)

    def test_spamd_read_timeout(self):
        t0 = time.monotonic()
        got = self.sd.spamd(b"CHECK SPAMC/1.5\r\nContent-length: 10\r\n", shut=False)
        self.assertEqual(got, b"SPAMD/1.0 79 Timeout: (1 second socket timeout reading input "
                              b"from client)\r\n")
        self.assertLess(time.monotonic() - t0, 4 * SLOW)

    def test_worker_survives_garbage(self):
        for junk in (b"\x00\xff" * 5000, b"PING SPAMC/1.5\r\n" + b"A" * 20000, b"\r\n" * 1000):
            exchange(("127.0.0.1", self.sd.ports["spamd"]), junk)
        self.assertEqual(self.sd.spamd(b"PING SPAMC/1.5\r\n\r\n"), b"SPAMD/1.5 0 PONG\r\n")

    # --- HTTP ------------------------------------------------------------
    def curl(self, *args):
        curl = need_tool("curl")
        r = subprocess.run([curl, "-sS", "-i", "--max-time", "10", *args],
                           capture_output=True, timeout=20)
        # bytes, decoded by hand: text mode would turn CRLF into LF
        r.stdout, r.stderr = r.stdout.decode(), r.stderr.decode()
        return r

    def test_curl_ping_normal_and_controller(self):
        for w in ("normal", "controller"):
            with self.subTest(worker=w):
                r = self.curl(f"http://127.0.0.1:{self.sd.ports[w]}/ping")
                self.assertEqual(r.returncode, 0, r.stderr)
                head, _, body = r.stdout.partition("\r\n\r\n")
                self.assertTrue(head.startswith("HTTP/1.1 200 OK"), head)
                self.assertIn("Content-Type: text/plain", head)
                self.assertIn("Server: sift/", head)
                self.assertEqual(body, "pong\r\n")

    def test_unknown_paths(self):
        # the scan API answers as rspamd does: 500 with the error as the reason
        r = self.curl(f"http://127.0.0.1:{self.sd.ports['normal']}/checkv3")
        self.assertTrue(r.stdout.startswith("HTTP/1.1 500 invalid command\r\n"), r.stdout)
        self.assertIn('{"error":"invalid command","error_domain":"protocol-error"}', r.stdout)
        r = self.curl(f"http://127.0.0.1:{self.sd.ports['controller']}/nothing")
        self.assertTrue(r.stdout.startswith("HTTP/1.1 404 Not Found"), r.stdout)
        self.assertTrue(r.stdout.endswith("\r\n\r\nNot found"), r.stdout)

    def test_wrong_method_gets_405(self):
        r = self.curl("-X", "DELETE", f"http://127.0.0.1:{self.sd.ports['normal']}/ping")
        self.assertTrue(r.stdout.startswith("HTTP/1.1 405"), r.stdout)
        self.assertIn("Allow: GET, HEAD", r.stdout)

    def test_head_ping_has_no_body(self):
        got = self.sd.http("normal", b"HEAD /ping HTTP/1.0\r\n\r\n")
        self.assertIn(b"Content-Length: 6\r\n", got)
        self.assertTrue(got.endswith(b"\r\n\r\n"), got)

    def test_malformed_http_gets_400(self):
        for req in (b"GET /ping\r\n\r\n", b"GET /ping HTTP/1.1\r\nBad Header\r\n\r\n",
                    b"POST /ping HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked"
                    b"\r\n\r\n"):
            with self.subTest(req=req):
                got = self.sd.http("normal", req)
                self.assertTrue(got.startswith(b"HTTP/1.1 400 "), got)
                self.assertIn(b"Connection: close", got)

    def test_http_version_2_gets_505(self):
        got = self.sd.http("normal", b"GET /ping HTTP/2.0\r\n\r\n")
        self.assertTrue(got.startswith(b"HTTP/1.1 505 "), got)

    def test_keep_alive_serves_several_requests(self):
        with socket.create_connection(("127.0.0.1", self.sd.ports["normal"])) as s:
            s.settimeout(5 * SLOW)
            # two pipelined requests, then a third after the replies
            s.sendall(b"GET /ping HTTP/1.1\r\nHost: x\r\n\r\nGET /ping HTTP/1.1\r\nHost: x\r\n\r\n")
            data = b""
            while data.count(b"pong\r\n") < 2:
                data += s.recv(4096)
            s.sendall(b"GET /ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            data += read_all(s)
        self.assertEqual(data.count(b"HTTP/1.1 200 OK"), 3)
        self.assertEqual(data.count(b"Connection: keep-alive"), 2)
        self.assertTrue(data.endswith(b"Connection: close\r\nContent-Length: 6\r\n"
                                      b"Content-Type: text/plain\r\n\r\npong\r\n"), data[-200:])

    def test_http_idle_timeout_closes(self):
        t0 = time.monotonic()
        with socket.create_connection(("127.0.0.1", self.sd.ports["normal"])) as s:
            s.settimeout(10 * SLOW)
            self.assertEqual(read_all(s), b"")
        self.assertLess(time.monotonic() - t0, 5 * SLOW)

    def test_http_read_timeout_gets_408(self):
        with socket.create_connection(("127.0.0.1", self.sd.ports["normal"])) as s:
            s.settimeout(10 * SLOW)
            s.sendall(b"GET /ping HTTP/1.1\r\nHost")
            got = read_all(s)
        self.assertTrue(got.startswith(b"HTTP/1.1 408 "), got)

    def test_expect_100_continue(self):
        with socket.create_connection(("127.0.0.1", self.sd.ports["controller"])) as s:
            s.settimeout(5 * SLOW)
            s.sendall(b"POST /nothing HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n"
                      b"Expect: 100-continue\r\nConnection: close\r\n\r\n")
            self.assertEqual(s.recv(100), b"HTTP/1.1 100 Continue\r\n\r\n")
            s.sendall(b"body")
            self.assertTrue(read_all(s).startswith(b"HTTP/1.1 404 "))

    def test_siftc_ping(self):
        r = subprocess.run([SIFTC, "-h", f"127.0.0.1:{self.sd.ports['normal']}", "ping"],
                           capture_output=True, text=True, timeout=20)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"^pong from 127\.0\.0\.1:\d+ in [\d.]+ ms\n$")
        r = subprocess.run([SIFTC, "-h", f"127.0.0.1:{self.sd.ports['spamd']}", "-t", "3",
                            "ping"], capture_output=True, text=True, timeout=20)
        self.assertEqual(r.returncode, 1)
        self.assertIn("unexpected reply: SPAMD/1.0 76 Bad header line", r.stderr)

    def test_connections_are_logged_with_a_tag(self):
        self.sd.spamd(b"BOGUS\r\n")
        line = self.sd.wait_log(r"info: <[0-9a-f]{6}> bad request from 127\.0\.0\.1:\d+: 76 "
                                r"Bad header line: BOGUS")
        self.assertTrue(line)


class LimitsTest(SiftdTest):
    def test_max_conns_queues_the_rest(self):
        sd = self.siftd(overrides=["workers.normal.max_conns=2"]).start()
        port = sd.ports["normal"]
        a = socket.create_connection(("127.0.0.1", port))
        b = socket.create_connection(("127.0.0.1", port))
        time.sleep(0.3 * SLOW)
        c = socket.create_connection(("127.0.0.1", port))  # queued by the kernel, not refused
        c.settimeout(0.8)
        c.sendall(b"GET /ping HTTP/1.0\r\n\r\n")
        with self.assertRaises(socket.timeout):
            c.recv(100)
        sd.wait_log(r"max_conns \(2\) reached")
        a.close()
        c.settimeout(5 * SLOW)
        self.assertTrue(read_all(c).startswith(b"HTTP/1.1 200 OK"))
        b.close()
        c.close()

    def test_an_idle_kept_alive_connection_gives_its_place_back(self):
        # max_conns counts requests in hand: with 1 (the default), a client
        # holding a kept-alive connection between requests does not shut
        # the others out of the one process, and its next request is served
        sd = self.siftd(workers=("normal",)).start()
        port = sd.ports["normal"]
        a = socket.create_connection(("127.0.0.1", port))
        a.settimeout(5 * SLOW)
        ping = b"GET /ping HTTP/1.1\r\nHost: x\r\n\r\n"
        a.sendall(ping)
        self.assertTrue(a.recv(1000).startswith(b"HTTP/1.1 200 OK"))
        b = socket.create_connection(("127.0.0.1", port))
        b.settimeout(5 * SLOW)
        b.sendall(b"GET /ping HTTP/1.0\r\n\r\n")
        self.assertTrue(read_all(b).startswith(b"HTTP/1.1 200 OK"))
        a.sendall(ping)
        self.assertTrue(a.recv(1000).startswith(b"HTTP/1.1 200 OK"))
        # while a's request is in hand nothing else is accepted: a request
        # that has started (headers without the body) holds the place
        a.sendall(b"POST /checkv2 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n")
        time.sleep(0.3 * SLOW)
        c = socket.create_connection(("127.0.0.1", port))
        c.settimeout(0.8)
        c.sendall(b"GET /ping HTTP/1.0\r\n\r\n")
        with self.assertRaises(socket.timeout):
            c.recv(100)
        a.sendall(b"a: b\n")
        self.assertIn(b"HTTP/1.1 200 OK", a.recv(100000))
        c.settimeout(5 * SLOW)
        self.assertTrue(read_all(c).startswith(b"HTTP/1.1 200 OK"))
        for s in (a, b, c):
            s.close()


if __name__ == "__main__":
    unittest.main()
