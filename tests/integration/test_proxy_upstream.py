"""The proxy worker in upstream mode, and the proxy_http worker (HTTP
forwarding), with real siftd scanners behind them:

- three siftd instances with their normal worker (the scanners, each on free
  loopback ports, with test_milter.py's SpamAssassin rules and actions) and
  one siftd whose proxy worker forwards to them (upstreams: [...]). Raw milter
  sessions, as Postfix opens them (OPTNEG with Postfix's bits, CONNECT, HELO,
  MAIL, RCPT, headers, EOH, BODY, EOM; several messages per connection, several
  connections at once), get the same answers self-scan gives: reject 554 5.7.1,
  greylist 451 4.7.1, X-Spam: Yes, the Subject rewritten, forged headers
  removed;
- one scanner SIGKILLed in the middle of 60 messages over 6 concurrent
  sessions: every message still gets a definitive reply, none is lost or
  stuck, and the load is spread over the others; once it runs again the
  health checks bring it back;
- every upstream down (nothing listening, or a scanner that never answers):
  default_action (accept or tempfail) within the timeout;
- upstream_balance: hash keeps a sender on one scanner;
- proxy_http: rspamc and plain HTTP through the proxy get a scanner's reply;
  with a scanner killed the requests fail over to the others.
"""

import http.client
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # run as a file, too
from siftlib import SLOW, Siftd, free_port, need_tool, wait_for  # noqa: E402
from test_milter import ACTIONS, GTUBE, SITE_CF, read_all_http  # noqa: E402

# --- a raw milter client, as Postfix speaks (spec/milter-protocol.md) ---------

POSTFIX_ACTIONS, POSTFIX_PROTOCOL = 0x1FF, 0x1FFFFF
FINAL = {b"a", b"r", b"t", b"d", b"y"}  # the replies that end an end of message


class MilterSession:
    """One milter connection: negotiated, CONNECTed and HELOed; then any number
    of messages, each answered by its list of reply packets."""

    def __init__(self, port, client_ip="192.0.2.10", helo="mail.example.org", timeout=30.0):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=timeout * SLOW)
        self.send(b"O", struct.pack(">III", 6, POSTFIX_ACTIONS, POSTFIX_PROTOCOL))
        cmd, _ = self.recv()
        assert cmd == b"O", cmd
        self.send(b"D", b"Cj\x00mx.example.net\x00")
        self.send(b"C", b"mail.example.org\x004" + struct.pack(">H", 40000)
                  + client_ip.encode() + b"\x00")
        self.send(b"H", helo.encode() + b"\x00")

    def send(self, cmd, data=b""):
        self.s.sendall(struct.pack(">I", len(data) + 1) + cmd + data)

    def _read(self, n):
        out = b""
        while len(out) < n:
            b = self.s.recv(n - len(out))
            if not b:
                raise EOFError("the milter closed the connection")
            out += b
        return out

    def recv(self):
        n = struct.unpack(">I", self._read(4))[0]
        d = self._read(n)
        return d[:1], d[1:]

    def message(self, sender, rcpts, headers, body, qid="4ABC123DEF"):
        """Send one message; its reply packets [(cmd, data)...], the decision last."""
        self.send(b"D", b"Mi\x00" + qid.encode() + b"\x00")
        self.send(b"M", f"<{sender}>".encode() + b"\x00")
        for r in rcpts:
            self.send(b"R", f"<{r}>".encode() + b"\x00")
        self.send(b"T")
        for name, value in headers:
            self.send(b"L", name.encode() + b"\x00" + value.encode() + b"\x00")
        self.send(b"N")
        body = body.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        for i in range(0, len(body), 65535):
            self.send(b"B", body[i:i + 65535])
        self.send(b"D", b"Ei\x00" + qid.encode() + b"\x00")
        self.send(b"E")
        packets = []
        while True:
            cmd, data = self.recv()
            packets.append((cmd, data))
            if cmd in FINAL:
                return packets

    def close(self):
        try:
            self.send(b"Q")
        except OSError:
            pass
        self.s.close()


def decision(packets):
    """'accept', 'reject 554 5.7.1 ...', 'tempfail', ... of a reply."""
    cmd, data = packets[-1]
    names = {b"a": "accept", b"r": "reject", b"t": "tempfail", b"d": "discard"}
    if cmd == b"y":
        return "code " + data.rstrip(b"\x00").decode()
    return names[cmd]


def edits(packets):
    """The header edits: [('h'|'i'|'m', name, value)]."""
    out = []
    for cmd, data in packets[:-1]:
        if cmd == b"h":
            name, value = data.split(b"\x00")[:2]
        elif cmd in (b"m", b"i"):
            name, value = data[4:].split(b"\x00")[:2]
        else:
            continue
        out.append((cmd.decode(), name.decode(), value.decode()))
    return out


def ham(mid, subject="minutes", extra=()):
    headers = [("From", "Alice <alice@example.org>"), ("To", "bob@example.net"),
               ("Subject", subject), ("Date", "Tue, 24 Nov 2026 10:00:00 +0000"),
               ("Message-ID", f"<{mid}>")] + list(extra)
    body = (b"Hi Bob,\n\nthe minutes of Tuesday's meeting are below. We agreed to move the\n"
            b"review to next week.\n\nAlice\n")
    return headers, body


class Scanners:
    """n siftd scanners (the normal worker) with test_milter.py's rules."""

    def __init__(self, n):
        self.site = tempfile.mkdtemp(prefix="sift-upstream-site-")
        with open(os.path.join(self.site, "local.cf"), "w") as f:
            f.write(SITE_CF)
        # no Bayes store: a scanner is SIGKILLed in the middle of its scans, and the
        # store's recovery is test_bayes*.py's business
        self.sd = [Siftd(workers=("normal",), overrides=[f"rules.site_dir={self.site}",
                                                         "classifier.bayes.enabled=no"] + ACTIONS)
                   for _ in range(n)]

    def start(self):
        for sd in self.sd:
            sd.start()
        return self

    def spec(self, i):
        return f"127.0.0.1:{self.sd[i].ports['normal']} name=s{i}"

    def upstreams(self):
        return "[" + ", ".join(f'"{self.spec(i)}"' for i in range(len(self.sd))) + "]"

    def scanned(self, i, mids):
        """Which of mids scanner i logged a scan of."""
        log = self.sd[i].log()
        return {m for m in mids if f"mid=<{m}>" in log}

    def cleanup(self):
        for sd in self.sd:
            sd.cleanup()
        shutil.rmtree(self.site, ignore_errors=True)


def proxy_overrides(upstreams, *extra):
    return [f"workers.proxy.upstreams={upstreams}", "workers.proxy.upstream_check_interval=1s",
            "workers.proxy.upstream_down_time=1s", "workers.proxy.upstream_timeout=10s"] + list(extra)


class UpstreamMilterTest(unittest.TestCase):
    """The milter in upstream mode with three scanners."""

    @classmethod
    def setUpClass(cls):
        cls.scanners = Scanners(3)
        cls.proxy = None
        try:
            cls.scanners.start()
            cls.proxy = Siftd(workers=("proxy", "controller"),
                              overrides=proxy_overrides(cls.scanners.upstreams(),
                                                        "workers.proxy.count=2"))
            cls.proxy.start()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        if cls.proxy is not None:
            cls.proxy.cleanup()
        cls.scanners.cleanup()

    def session(self, **kw):
        m = MilterSession(self.proxy.ports["proxy"], **kw)
        self.addCleanup(m.close)
        return m

    def proxy_log(self, mid):
        return self.proxy.wait_log(r"<\w+> milter from [^\n]*mid=<" + re.escape(mid)
                                   + r">[^\n]*").group(0)

    def test_answers_are_those_of_self_scan(self):
        m = self.session()
        forged = [("X-Spam", "Yes"), ("X-Spam-Status", "Yes, score=99.0 forged")]
        p = m.message("alice@example.org", ["bob@example.net"], *ham("up-ham@example.org",
                                                                     extra=forged))
        self.assertEqual(decision(p), "accept")
        e = edits(p)
        self.assertIn(("m", "X-Spam", ""), e)  # the forged one removed
        self.assertIn(("m", "X-Spam-Status", ""), e)
        added = {name: value for cmd, name, value in e if cmd == "h"}
        self.assertRegex(added["X-Spam-Status"], r"^No, score=")
        self.assertNotIn("X-Spam", added)
        self.assertRegex(self.proxy_log("up-ham@example.org"),
                         r"ip=192\.0\.2\.10, from=<alice@example\.org>, rcpt=<bob@example\.net>, "
                         r"user=-: no action \[[^\n]*upstream: s\d \(try 1\), reply: accept$")

        headers, _ = ham("up-gtube@example.org")
        p = m.message("alice@example.org", ["bob@example.net"], headers,
                      GTUBE.encode() + b"\n")
        self.assertEqual(decision(p), "code 554 5.7.1 Spam message rejected")

        p = m.message("alice@example.org", ["bob@example.net"],
                      *ham("up-grey@example.org", subject="greylist-me please"))
        self.assertEqual(decision(p), "code 451 4.7.1 Try again later")

        p = m.message("alice@example.org", ["bob@example.net"],
                      *ham("up-mark@example.org", subject="mark-me please"))
        self.assertEqual(decision(p), "accept")
        self.assertIn(("h", "X-Spam", "Yes"), edits(p))

        p = m.message("alice@example.org", ["bob@example.net"],
                      *ham("up-rewrite@example.org", subject="rewrite-me please"))
        self.assertEqual(decision(p), "accept")
        self.assertIn(("m", "Subject", "***SPAM*** rewrite-me please"), edits(p))

    def test_history_at_the_proxy(self):
        # the proxy counts what its scanners did, as a self-scan would be
        m = self.session()
        p = m.message("alice@example.org", ["bob@example.net"],
                      *ham("up-hist@example.org", subject="mark-me please"))
        self.assertEqual(decision(p), "accept")

        def row():
            for r in json.loads(read_all_http(self.proxy.ports["controller"], "/history")):
                if r.get("id") == "up-hist@example.org":
                    return r
            return None
        r = wait_for(row, 10, "the /history row")
        self.assertEqual(r["action"], "add header")
        self.assertEqual(r["ip"], "192.0.2.10")
        self.assertIn("SIFT_MARK", json.dumps(r))

    def test_envelope_reaches_the_scanner(self):
        # a trusted client (loopback), so that the hop is in X-Spam-Relays-Trusted
        m = self.session(client_ip="127.0.0.1", helo="relay-check.example.org")
        p = m.message("envelope-check@example.org", ["bob@example.net"],
                      *ham("up-env@example.org"))
        status = {name: value for cmd, name, value in edits(p) if cmd == "h"}["X-Spam-Status"]
        tests = re.sub(r"\s+", "", status)
        self.assertIn("SIFT_ENVFROM", tests)
        self.assertIn("SIFT_RELAY", tests)

    def test_one_scanner_killed_mid_test(self):
        """60 messages over 6 sessions; s1 is SIGKILLed after about 20."""
        victim = self.scanners.sd[1]
        mids = [f"kill-{i}@example.org" for i in range(60)]
        results, errors = {}, []
        sent = [0]
        lock = threading.Lock()
        killed = threading.Event()

        def kill_in_the_middle():
            # stopped first, so that some scans are in its hands when it dies
            pids = [victim.main_pid()] + list(victim.workers())
            for pid in pids:
                os.kill(pid, signal.SIGSTOP)
            time.sleep(0.5)
            victim.kill_all()
            killed.set()

        def worker(k):
            try:
                m = MilterSession(self.proxy.ports["proxy"])
                for mid in mids[k::6]:
                    t0 = time.monotonic()
                    p = m.message(f"sender{k}@example.org", ["bob@example.net"], *ham(mid))
                    with lock:
                        results[mid] = (decision(p), time.monotonic() - t0)
                        sent[0] += 1
                        if sent[0] == 20:
                            threading.Thread(target=kill_in_the_middle).start()
                m.close()
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(f"session {k}: {e!r}")

        threads = [threading.Thread(target=worker, args=(k,)) for k in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120 * SLOW)
        self.assertFalse(any(t.is_alive() for t in threads), "a session is stuck")
        self.assertEqual(errors, [])
        self.assertTrue(killed.is_set())
        # no mail lost or stuck: each one accepted after a scan, quickly
        self.assertEqual(sorted(results), sorted(mids))
        self.assertEqual({d for d, _ in results.values()}, {"accept"})
        self.assertLess(max(t for _, t in results.values()), 10 * SLOW)
        log = self.proxy.log()
        for mid in mids:
            self.assertRegex(log, r"mid=<" + re.escape(mid) + r">[^\n]*upstream: s\d")
        self.assertNotRegex(log, r"not scanned")
        # the load: spread over the two that stayed; each message scanned
        # once by the scanner that answered
        got = [self.scanners.scanned(i, mids) for i in range(3)]
        self.assertGreater(len(got[0]), 5, got)
        self.assertGreater(len(got[2]), 5, got)
        self.assertEqual(set().union(*got), set(mids))
        answered_by = {}
        for mid in mids:
            answered_by[mid] = re.search(r"mid=<" + re.escape(mid) + r">[^\n]*upstream: (s\d)",
                                         log).group(1)
        after = [mid for mid in mids if answered_by[mid] == "s1"]
        self.assertLessEqual(len(after), 25, after)  # s1 answered only before its death
        self.assertRegex(log, r"upstream s1: [^\n]*marked down")
        # scans it had in hand went to another scanner
        self.assertRegex(log, r"upstream s1 failed after \d+ ms: ")
        self.assertRegex(log, r"upstream: s[02] \(try 2\)")

        # back: the health check finds it once it runs again
        mark = len(self.proxy.log())
        victim.start()
        # each proxy process (count 2) probes it on its own
        wait_for(lambda: self.proxy.log()[mark:].count("upstream s1 is up again") >= 2, 15,
                 "both proxy processes to see s1 up again")
        later = [f"back-{i}@example.org" for i in range(12)]
        m = self.session()
        for mid in later:
            self.assertEqual(decision(m.message("alice@example.org", ["bob@example.net"],
                                                *ham(mid))), "accept")
        self.assertTrue(self.scanners.scanned(1, later), "s1 gets messages again")


class DefaultActionTest(unittest.TestCase):
    """Every upstream down: default_action at once, or within the timeout."""

    def proxy(self, upstreams, *extra):
        sd = Siftd(workers=("proxy",), overrides=proxy_overrides(upstreams, *extra))
        self.addCleanup(sd.cleanup)
        return sd.start()

    def one(self, sd, mid):
        m = MilterSession(sd.ports["proxy"])
        self.addCleanup(m.close)
        t0 = time.monotonic()
        p = m.message("alice@example.org", ["bob@example.net"],
                      *ham(mid, extra=[("X-Spam", "Yes")]))
        return p, time.monotonic() - t0

    def test_nothing_listening_tempfail(self):
        dead = f'["127.0.0.1:{free_port()} name=a", "127.0.0.1:{free_port()} name=b"]'
        sd = self.proxy(dead, "workers.proxy.default_action=tempfail")
        p, took = self.one(sd, "dead-1@example.org")
        self.assertEqual(decision(p), "code 451 4.7.1 Try again later")
        self.assertLess(took, 3 * SLOW)
        sd.wait_log(r"not scanned, no upstream answered \(2 tried; last: [ab]: [^\n]*refused"
                    r"[^\n]*: tempfail")
        # both are down now: the next one does not even try
        p, took = self.one(sd, "dead-2@example.org")
        self.assertEqual(decision(p), "code 451 4.7.1 Try again later")
        sd.wait_log(r"not scanned, no upstream is up: tempfail")

    def test_nothing_listening_accept(self):
        sd = self.proxy(f'["127.0.0.1:{free_port()}"]', "workers.proxy.default_action=accept")
        p, _ = self.one(sd, "dead-3@example.org")
        self.assertEqual(decision(p), "accept")
        self.assertIn(("m", "X-Spam", ""), edits(p))  # remove_headers still go

    def test_a_scanner_that_never_answers(self):
        # accepts, reads, says nothing: each try times out, the MTA is answered
        silent = socket.socket()
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        self.addCleanup(silent.close)
        port = silent.getsockname()[1]
        sd = self.proxy(f'["127.0.0.1:{port} name=mute"]', "workers.proxy.upstream_timeout=1s",
                        "workers.proxy.default_action=tempfail")
        p, took = self.one(sd, "mute-1@example.org")
        self.assertEqual(decision(p), "code 451 4.7.1 Try again later")
        self.assertGreater(took, 0.9)
        self.assertLess(took, 4 * SLOW)
        sd.wait_log(r"upstream mute failed after \d+ ms: timed out after 1\.0 s")


class HashBalanceTest(unittest.TestCase):
    """upstream_balance: hash keeps each sender on one scanner."""

    def test_same_sender_same_scanner(self):
        sc = Scanners(3).start()
        self.addCleanup(sc.cleanup)
        sd = Siftd(workers=("proxy",),
                   overrides=proxy_overrides(sc.upstreams(), "workers.proxy.upstream_balance=hash"))
        self.addCleanup(sd.cleanup)
        sd.start()
        m = MilterSession(sd.ports["proxy"])
        self.addCleanup(m.close)
        by_sender = {}
        for k in range(8):
            for n in range(3):
                mid = f"hash-{k}-{n}@example.org"
                self.assertEqual(decision(m.message(f"Sender{k}@example.org",
                                                    ["bob@example.net"], *ham(mid))), "accept")
                up = re.search(r"mid=<" + re.escape(mid) + r">[^\n]*upstream: (s\d)",
                               sd.wait_log(r"mid=<" + re.escape(mid) + r">[^\n]*upstream: s\d")
                               .group(0)).group(1)
                by_sender.setdefault(k, set()).add(up)
        self.assertTrue(all(len(v) == 1 for v in by_sender.values()), by_sender)
        self.assertGreater(len(set().union(*by_sender.values())), 1, by_sender)


class ProxyHttpTest(unittest.TestCase):
    """proxy_http: the scan API forwarded to the scanners."""

    @classmethod
    def setUpClass(cls):
        cls.scanners = Scanners(3)
        cls.sd = None
        try:
            cls.scanners.start()
            cls.port = free_port()
            cls.sd = Siftd(workers=(), overrides=[
                f"workers.proxy_http.bind_socket=127.0.0.1:{cls.port}",
                f"workers.proxy_http.upstreams={cls.scanners.upstreams()}",
                "workers.proxy_http.upstream_check_interval=1s",
                "workers.proxy_http.upstream_down_time=1s"])
            cls.sd.start()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        if cls.sd is not None:
            cls.sd.cleanup()
        cls.scanners.cleanup()

    def request(self, method, path, body=None, headers=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30 * SLOW)
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            return r.status, dict(r.getheaders()), r.read()
        finally:
            c.close()

    def test_ping_is_answered_here(self):
        status, _, body = self.request("GET", "/ping")
        self.assertEqual((status, body), (200, b"pong\r\n"))

    def test_checkv2_through_the_proxy(self):
        msg = (f"From: a@example.org\nSubject: test\nMessage-ID: <http-1@example.org>\n\n"
               f"{GTUBE}\n").encode()
        status, headers, body = self.request("POST", "/checkv2", msg, {"IP": "192.0.2.10"})
        self.assertEqual(status, 200, body)
        r = json.loads(body)
        self.assertEqual(r["action"], "reject")
        self.assertIn("GTUBE", r["symbols"])
        self.assertEqual(headers["Content-Type"], "application/json")
        self.assertRegex(headers["X-Sift-Upstream"], r"^s\d$")
        self.sd.wait_log(r"POST /checkv2 from [^\n]*: upstream s\d answered 200")

    def test_unknown_path_is_answered_here(self):
        status, _, body = self.request("POST", "/nope", b"x")
        self.assertEqual(status, 500)
        self.assertEqual(json.loads(body)["error"], "invalid command")

    def test_rspamc_through_the_proxy(self):
        rspamc = need_tool("rspamc")
        with tempfile.NamedTemporaryFile("w", suffix=".eml", delete=False) as f:
            f.write(f"From: a@example.org\nSubject: hi\n\n{GTUBE}\n")
        self.addCleanup(os.unlink, f.name)
        r = subprocess.run([rspamc, "-h", f"127.0.0.1:{self.port}", "-t", str(int(30 * SLOW)),
                            f.name], capture_output=True, text=True, timeout=60 * SLOW)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("Action: reject", r.stdout)
        self.assertIn("GTUBE", r.stdout)

    def test_failover_when_a_scanner_is_killed(self):
        victim = self.scanners.sd[2]
        victim.kill_all()
        self.addCleanup(victim.start)
        seen = set()
        for i in range(9):
            status, headers, body = self.request(
                "POST", "/checkv2", f"Subject: fo {i}\n\nhello\n".encode())
            self.assertEqual(status, 200, body)
            seen.add(headers["X-Sift-Upstream"])
        self.assertEqual(seen, {"s0", "s1"})


if __name__ == "__main__":
    unittest.main()
