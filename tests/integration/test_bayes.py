"""Bayes in a running siftd, end to end: the BAYES_ rules of the stock
SpamAssassin set hitting once 200 spam and 200 ham are learned, with SA's
Bayes score set (set 0 before); the same bucket and probability as the real
SpamAssassin on a copy of sift's database; learning through every protocol
(spamc -L, rspamc and siftc against the controller, autolearn on scans)
with the counts sa-learn --dump magic reads; scans while the controller
learns; kill -9 of the whole siftd in the middle of learning; use_bayes 0.

Messages: generated ones (two vocabularies, unique Message-IDs) for what
needs no real mail, ../shared/corpus for training on real mail and the
comparison with SpamAssassin (skipped with a message when it is absent).
The reply shapes of TELL (DidSet/DidRemove) are test_spamd.py's; the
store's own file format is test_bayes_store.py's.
"""

import glob
import http.client
import json
import os
import random
import re
import shutil
import subprocess
import tempfile
import threading
import time
import unittest

from siftlib import ROOT, SIFTC, SLOW, Siftd, SiftdTest, need_tool, wait_for

CORPUS = os.path.join(os.path.dirname(ROOT), "shared", "corpus")
SA_RULES = "/usr/share/spamassassin"
STOCK = [f"rules.rules_dir={SA_RULES}", "rules.local_only=yes"]

# A message hitting three rules whose score differs between SA's set 0 (no
# Bayes, no network) and set 2 (Bayes, no network): MISSING_SUBJECT,
# DEAR_FRIEND and NORMAL_HTTP_TO_IP.
PROBE = (b"From: Deals <deals@offers.example>\r\nTo: you@example.net\r\n"
         b"Message-ID: <probe-1@offers.example>\r\nDate: Mon, 24 Nov 2025 10:00:00 +0000\r\n"
         b"\r\nDear Friend, cheap pills and a casino bonus: click now http://203.0.113.5/win\r\n")
SET_RULES = ("MISSING_SUBJECT", "DEAR_FRIEND", "NORMAL_HTTP_TO_IP")

SPAM_WORDS = ("cheap pills viagra casino bonus winner prize cash loan mortgage refinance "
              "discount offer limited click unsubscribe guaranteed free money rich investment "
              "pharmacy rolex replica weight lose credit debt urgent claim lottery million "
              "dollars wire transfer bank account exclusive deal save order now").split()
HAM_WORDS = ("meeting agenda patch review kernel build release lunch friday notes thanks "
             "tomorrow project branch merge commit test failure config server log deploy "
             "schedule draft report question answer team budget minutes slides conference "
             "paper thesis library compile debug upstream mailing list archive").split()
COMMON = "the a and to of for in is on with this that you we it".split()


def synthetic(kind, n, tag, seed=1):
    """n distinct messages of kind "spam" or "ham" as bytes: words of the
    kind's vocabulary, unique Message-IDs <kind-tag-i@...>."""
    rnd = random.Random(f"{seed}-{kind}-{tag}")
    vocab = SPAM_WORDS if kind == "spam" else HAM_WORDS
    sender = "deals@offers.example" if kind == "spam" else "alice@example.org"
    out = []
    for i in range(n):
        words = rnd.choices(vocab, k=40) + rnd.choices(COMMON, k=20) + [f"{tag}x{i}"]
        rnd.shuffle(words)
        body = "\r\n".join(" ".join(words[j:j + 12]) for j in range(0, len(words), 12))
        subject = " ".join(rnd.choices(vocab, k=4))
        out.append((f"From: {sender}\r\nTo: bob@example.net\r\nSubject: {subject}\r\n"
                    f"Date: Mon, 24 Nov 2025 {i // 60 % 24:02d}:{i % 60:02d}:00 +0000\r\n"
                    f"Message-ID: <{kind}-{tag}-{i}@{sender.split('@')[1]}>\r\n\r\n"
                    f"{body}\r\n").encode())
    return out


def corpus(kind):
    """The corpus files of kind, sorted by name; a skip when there are none."""
    files = sorted(glob.glob(os.path.join(CORPUS, kind, "*.eml")))
    if not files:
        raise unittest.SkipTest(f"{CORPUS} is absent: the corpus tests need it")
    return files


def read(path):
    with open(path, "rb") as f:
        return f.read()


def sa_score_sets(name):
    """The four scores of the last `score NAME a b c d` line in the stock set."""
    found = None
    for path in sorted(glob.glob(os.path.join(SA_RULES, "*.cf"))):
        with open(path, encoding="latin-1") as f:
            for line in f:
                m = re.match(r"\s*score\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s*(#.*)?$", line)
                if m and m.group(1) == name:
                    found = tuple(float(m.group(k)) for k in range(2, 6))
    if found is None:
        raise AssertionError(f"no four-score line for {name} in {SA_RULES}")
    return found


def site_dir(sd, local_cf):
    """A site directory (rules.site_dir) of sd's with local.cf: Debian's
    default plugins, as with no *.pre at all."""
    site = os.path.join(sd.dir, "site")
    os.makedirs(site, exist_ok=True)
    with open(os.path.join(site, "local.cf"), "w") as f:
        f.write(local_cf)
    sd.overrides.append(f"rules.site_dir={site}")
    return site


# Scans autolearn by default (SA's bayes_auto_learn): off where the counts
# must be the learns'.
NO_AUTOLEARN = "bayes_auto_learn 0\n"


def bayes_rules(names):
    return sorted(n for n in names if n.startswith("BAYES_"))


class Http:
    """One kept-alive HTTP/1.1 connection to a worker."""

    def __init__(self, port, timeout=30.0):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout * SLOW)

    def post(self, path, body, headers=None):
        self.conn.request("POST", path, body=body, headers=headers or {})
        r = self.conn.getresponse()
        return r.status, r.reason, r.read()

    def learn(self, kind, msg):
        """(status, reason) of /learnspam or /learnham."""
        status, reason, _ = self.post(f"/learn{kind}", msg)
        return status, reason

    def checkv2(self, msg):
        status, reason, body = self.post("/checkv2", msg)
        if status != 200:
            raise AssertionError(f"/checkv2: {status} {reason}: {body!r}")
        return json.loads(body)

    def close(self):
        self.conn.close()


def spamd_request(sd, method, msg, headers=()):
    h = "".join(f"{k}: {v}\r\n" for k, v in headers)
    raw = sd.spamd(f"{method} SPAMC/1.5\r\n{h}Content-length: {len(msg)}\r\n\r\n".encode()
                   + msg, timeout=60)
    head, _, body = raw.partition(b"\r\n\r\n")
    if not head.startswith(b"SPAMD/1.1 0 EX_OK"):
        raise AssertionError(f"{method}: {raw[:300]!r}")
    return head.decode("latin-1"), body.decode("latin-1")


def spamd_symbols(sd, msg):
    return set(spamd_request(sd, "SYMBOLS", msg)[1].strip().split(","))


def report_bayes(report):
    """(the BAYES_ rules, the probability in their "[score: ...]" line) of a
    SpamAssassin report; only the rule table is read (a preview may quote
    anything)."""
    table = report.split("\n---- ", 1)[1] if "\n---- " in report else ""
    rules = re.findall(r"(?m)^\s*-?\d+\.\d+ (BAYES_\d+)\s", table)
    m = re.search(r"(?m)^\s*-?\d+\.\d+ BAYES_\d+ .*\n\s+\[score: ([0-9.]+)\]", table)
    return sorted(rules), (float(m.group(1)) if m else None)


class SaLearn:
    """sa-learn --dump magic on a database directory, with a private HOME."""

    def __init__(self, test):
        self.exe = need_tool("sa-learn")
        self.home = test.tmpdir()

    def magic(self, dbdir):
        r = subprocess.run([self.exe, "--dbpath", dbdir, "--dump", "magic"],
                           env=dict(os.environ, HOME=self.home), capture_output=True, text=True,
                           timeout=120 * SLOW)
        if r.returncode != 0:
            raise AssertionError(f"sa-learn --dump magic: {r.returncode}\n{r.stderr}")
        out = {}
        for line in r.stdout.splitlines():
            f = line.split(None, 4)
            if len(f) == 5 and f[4].startswith("non-token data: "):
                out[f[4][len("non-token data: "):]] = int(f[2])
        return out

    def counts(self, dbdir):
        m = self.magic(dbdir)
        return m["nspam"], m["nham"]


def learn_all(ctl, kind, msgs, want=None):
    """Learn msgs over one connection; {status: count}. want: the status each must get."""
    got = {}
    for msg in msgs:
        status, reason = ctl.learn(kind, msg)
        if want is not None and status != want:
            raise AssertionError(f"/learn{kind}: {status} {reason}")
        got[status] = got.get(status, 0) + 1
    return got


# --- the score set follows what is learned; the BAYES_ rules hit -------------

class BayesScoreSetTest(SiftdTest):
    """Stock rules, generated mail: set 0 and no BAYES_ rule until 200 spam
    and 200 ham are learned (199 spam is not enough), then set 2 and a
    BAYES_ rule on every protocol."""

    def test_score_set_and_bayes_rules_follow_the_counts(self):
        need_tool("spamassassin")  # the stock rules come with it
        sd = self.siftd(overrides=STOCK).start(timeout=120)
        sets = {r: sa_score_sets(r) for r in SET_RULES}
        normal, ctl = Http(sd.ports["normal"]), Http(sd.ports["controller"])
        self.addCleanup(normal.close)
        self.addCleanup(ctl.close)

        def scores():
            return {k: v["score"] for k, v in normal.checkv2(PROBE)["symbols"].items()}

        before = scores()
        self.assertEqual(bayes_rules(before), [])
        for r in SET_RULES:
            self.assertAlmostEqual(before[r], sets[r][0], places=3, msg=r)

        learn_all(ctl, "spam", synthetic("spam", 199, "set"), want=200)
        learn_all(ctl, "ham", synthetic("ham", 200, "set"), want=200)
        time.sleep(1.2)  # the workers re-read the counts once a second
        self.assertEqual(scores(), before, "199 spam learned is too little for Bayes")

        learn_all(ctl, "spam", synthetic("spam", 1, "set200"), want=200)
        def with_bayes():
            s = scores()
            return s if bayes_rules(s) else None

        after = wait_for(with_bayes, 5, "a BAYES_ rule once 200 spam are learned")
        self.assertIn(bayes_rules(after)[0], ("BAYES_95", "BAYES_99"), after)
        for r in SET_RULES:
            self.assertAlmostEqual(after[r], sets[r][2], places=3, msg=r)
        bayes = bayes_rules(after)[0]
        self.assertAlmostEqual(after[bayes], sa_score_sets(bayes)[2], places=3)

        # the spamd worker: SYMBOLS, the report's [score: ...], X-Spam-Status
        self.assertIn(bayes, spamd_symbols(sd, PROBE))
        rules, prob = report_bayes(spamd_request(sd, "REPORT", PROBE)[1])
        self.assertEqual(rules[0], bayes)
        self.assertGreater(prob, 0.95)
        _, body = spamd_request(sd, "HEADERS", PROBE)
        status = re.search(r"(?ms)^X-Spam-Status: (.*?)\n(?=\S)", body).group(1)
        self.assertIn(bayes, re.sub(r"\s+", "", status.split("tests=")[1]).split(","))
        # a ham-like message gets the other end
        ham = synthetic("ham", 1, "probe")[0]
        self.assertIn(bayes_rules(normal.checkv2(ham)["symbols"])[0], ("BAYES_00", "BAYES_05"))


# --- learning through each protocol, counted by sa-learn ---------------------

class BayesLearnProtocolsTest(SiftdTest):
    """spamc -L, rspamc and siftc each learn into a fresh store: the counts
    sa-learn --dump magic reads move by one per learn, a relearn as the
    other class moves one across, the same learn twice changes nothing and
    is reported as already learned."""

    def setUp(self):
        self.sa = SaLearn(self)
        self.sd = self.siftd(overrides=["workers.spamd.allow_tell=yes"]).start()
        self.dbdir = os.path.join(self.sd.dbdir, "bayes")
        self.ctl = f"127.0.0.1:{self.sd.ports['controller']}"

    def counts(self):
        return self.sa.counts(self.dbdir)

    def files(self, msgs):
        d = self.tmpdir()
        paths = []
        for i, m in enumerate(msgs):
            paths.append(os.path.join(d, f"m{i:02d}.eml"))
            with open(paths[-1], "wb") as f:
                f.write(m)
        return d, paths

    def test_spamc_learn(self):
        spamc = need_tool("spamc")
        spam = synthetic("spam", 3, "spamc")

        def learn(cls, msg):
            r = subprocess.run([spamc, "-d", "127.0.0.1", "-p", str(self.sd.ports["spamd"]),
                                "-L", cls], input=msg, capture_output=True, timeout=60 * SLOW)
            self.assertEqual(r.returncode, 0, r.stderr)
            return r.stdout.decode().strip()

        for i, m in enumerate(spam):
            self.assertEqual(learn("spam", m), "Message successfully un/learned")
            self.assertEqual(self.counts(), (i + 1, 0))
        self.assertEqual(learn("spam", spam[0]), "Message was already un/learned")
        self.assertEqual(self.counts(), (3, 0))
        self.assertEqual(learn("ham", spam[0]), "Message successfully un/learned")
        self.assertEqual(self.counts(), (2, 1))
        self.assertEqual(learn("forget", spam[1]), "Message successfully un/learned")
        self.assertEqual(learn("forget", spam[1]), "Message was already un/learned")
        self.assertEqual(learn("forget", spam[0]), "Message successfully un/learned")
        self.assertEqual(self.counts(), (1, 0))

    def test_rspamc_learn(self):
        rspamc = need_tool("rspamc")
        _, paths = self.files(synthetic("spam", 3, "rspamc"))

        def run(cmd, *files):
            r = subprocess.run([rspamc, "-h", self.ctl, "-t", str(30 * SLOW), cmd, *files],
                               capture_output=True, text=True, timeout=60 * SLOW)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            return r.stdout

        out = run("learn_spam", *paths)
        self.assertEqual(len(re.findall(r"(?m)^success = true;$", out)), 3, out)
        self.assertEqual(self.counts(), (3, 0))
        out = run("learn_spam", paths[0])
        self.assertRegex(out, r'(?m)^error = "<spam-rspamc-0@offers\.example> has been already '
                              r'learned as spam, ignore it";$')
        self.assertEqual(self.counts(), (3, 0))
        out = run("learn_ham", paths[0])
        self.assertRegex(out, r"(?m)^success = true;$")
        self.assertEqual(self.counts(), (2, 1))
        out = run("learn_ham", paths[0])
        self.assertRegex(out, r'(?m)^error = "<spam-rspamc-0@offers\.example> has been already '
                              r'learned as ham, ignore it";$')
        self.assertEqual(self.counts(), (2, 1))

    def test_siftc_learn_from_a_directory_and_stdin(self):
        msgs = synthetic("spam", 4, "siftc")
        d, paths = self.files(msgs[:3])

        def siftc(*args, stdin=None):
            r = subprocess.run([SIFTC, "-h", self.ctl, *args], input=stdin,
                               capture_output=True, timeout=60 * SLOW)
            return r.returncode, r.stdout.decode(), r.stderr.decode()

        rc, out, err = siftc("learn_spam", d)
        self.assertEqual((rc, err), (0, ""))
        self.assertEqual(out.count("success = true"), 3, out)
        self.assertEqual(self.counts(), (3, 0))
        # an /etc/aliases pipe: "| siftc learn_spam"
        rc, out, err = siftc("learn_spam", stdin=msgs[3])
        self.assertEqual((rc, err), (0, ""))
        self.assertIn("Results for file: stdin", out)
        self.assertEqual(self.counts(), (4, 0))
        rc, out, err = siftc("learn_ham", stdin=msgs[0])
        self.assertEqual((rc, err), (0, ""))
        self.assertEqual(self.counts(), (3, 1))
        # learned already: done (exit 0), with a note
        rc, out, err = siftc("learn_ham", stdin=msgs[0])
        self.assertEqual(rc, 0)
        self.assertEqual(err, "siftc: stdin: learn_ham: 208 <spam-siftc-0@offers.example> has "
                              "been already learned as ham, ignore it\n")
        rc, out, err = siftc("learn_spam", d)
        self.assertEqual(rc, 0, err)
        self.assertEqual(err.count("has been already learned as spam, ignore it"), 2, err)
        self.assertEqual(out.count("success = true"), 1, out)  # moved back
        self.assertEqual(self.counts(), (4, 0))

    def test_scans_autolearn(self):
        """A scan whose points without Bayes are under SA's
        bayes_auto_learn_threshold_nonspam (0.1) learns the message as ham,
        on the normal and the spamd worker alike, once."""
        ham = synthetic("ham", 2, "auto")
        normal, ctl = Http(self.sd.ports["normal"]), Http(self.sd.ports["controller"])
        self.addCleanup(normal.close)
        self.addCleanup(ctl.close)
        normal.checkv2(ham[0])
        wait_for(lambda: os.path.exists(os.path.join(self.dbdir, "bayes_toks")) and
                 self.counts() == (0, 1), 10, "the scan's autolearn")
        spamd_symbols(self.sd, ham[1])
        wait_for(lambda: self.counts() == (0, 2), 10, "the spamd scan's autolearn")
        status, reason = ctl.learn("ham", ham[1])
        self.assertEqual((status, reason), (208, "<ham-auto-1@example.org> has been already "
                                                 "learned as ham, ignore it"))


# --- concurrency, crashes -----------------------------------------------------

class BayesConcurrencyTest(SiftdTest):
    def test_scans_while_the_controller_learns(self):
        """Scans on the normal worker read the store while the controller
        writes it: every scan answers with a BAYES_ rule, every learn
        succeeds, and the counts are exact."""
        sa = SaLearn(self)
        need_tool("spamassassin")
        sd = self.siftd(overrides=STOCK)
        site_dir(sd, NO_AUTOLEARN)
        sd.start(timeout=120)
        dbdir = os.path.join(sd.dbdir, "bayes")
        ctl = Http(sd.ports["controller"])
        self.addCleanup(ctl.close)
        learn_all(ctl, "spam", synthetic("spam", 200, "base"), want=200)
        learn_all(ctl, "ham", synthetic("ham", 200, "base"), want=200)
        time.sleep(1.2)

        scan_msgs = synthetic("spam", 100, "scan") + synthetic("ham", 100, "scan")
        new = {"spam": synthetic("spam", 150, "more"), "ham": synthetic("ham", 150, "more")}
        errors, bayes_hits, learned = [], [0, 0], {"spam": 0, "ham": 0}

        def scanner(k):
            c = Http(sd.ports["normal"])
            try:
                for m in scan_msgs[k::2] * 2:
                    if bayes_rules(c.checkv2(m)["symbols"]):
                        bayes_hits[k] += 1
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(f"scanner {k}: {e!r}")
            finally:
                c.close()

        def learner():
            c = Http(sd.ports["controller"])
            try:
                for i in range(150):
                    for kind in ("spam", "ham"):
                        status, reason = c.learn(kind, new[kind][i])
                        if status != 200:
                            raise AssertionError(f"{status} {reason}")
                        learned[kind] += 1
            except Exception as e:  # noqa: BLE001
                errors.append(f"learner: {e!r}")
            finally:
                c.close()

        threads = [threading.Thread(target=scanner, args=(k,)) for k in (0, 1)]
        threads.append(threading.Thread(target=learner))
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=180 * SLOW)
        self.assertFalse(any(t.is_alive() for t in threads), "a client is stuck")
        self.assertEqual(errors, [])
        self.assertEqual(learned, {"spam": 150, "ham": 150})
        self.assertEqual(sum(bayes_hits), 2 * len(scan_msgs))
        self.assertEqual(sa.counts(dbdir), (350, 350))
        self.assertNotRegex(sd.log(), r"bayes: (lookup|cannot)")


class BayesCrashTest(SiftdTest):
    def test_kill_9_of_siftd_while_learning_loses_nothing_acknowledged(self):
        sa = SaLearn(self)
        sd = self.siftd(workers=("controller",))
        sd.start()
        dbdir = os.path.join(sd.dbdir, "bayes")
        msgs = [("spam" if i % 2 else "ham", m) for i, m in
                enumerate(synthetic("spam", 400, "crash") + synthetic("ham", 400, "crash"))]
        random.Random(3).shuffle(msgs)
        acked, sent = [], []
        stop = threading.Event()

        def learner():
            c = Http(sd.ports["controller"], timeout=10)
            try:
                for kind, m in msgs:
                    if stop.is_set():
                        return
                    sent.append((kind, m))
                    status, _ = c.learn(kind, m)
                    if status != 200:
                        return
                    acked.append((kind, m))
            except (OSError, http.client.HTTPException):
                pass  # the kill
            finally:
                c.close()

        t = threading.Thread(target=learner)
        t.start()
        wait_for(lambda: len(acked) >= 150, 30, "150 learns")
        sd.kill_all()  # main process and workers, SIGKILL
        stop.set()
        t.join(timeout=30)
        self.assertFalse(t.is_alive())
        self.assertLess(len(acked), len(msgs), "the kill came after the last learn")
        n = len(acked)

        sd.start()  # recovery runs in the main process
        ctl = Http(sd.ports["controller"])
        self.addCleanup(ctl.close)
        nspam, nham = sa.counts(dbdir)
        # the learn in flight may have committed without its answer
        inflight = sent[n:]
        self.assertLessEqual(len(inflight), 1)
        self.assertIn(nspam + nham - n, (0, len(inflight)))
        committed = acked + (inflight if nspam + nham > n else [])
        self.assertEqual(nspam, sum(1 for k, _ in committed if k == "spam"))
        for kind, m in committed:
            status, reason = ctl.learn(kind, m)
            self.assertEqual(status, 208, reason)
        # and the store takes more
        for kind, m in msgs[len(sent):len(sent) + 10]:
            self.assertEqual(ctl.learn(kind, m)[0], 200)
        self.assertEqual(sum(sa.counts(dbdir)), nspam + nham + 10)


# --- Bayes off ----------------------------------------------------------------

class BayesOffTest(SiftdTest):
    def test_use_bayes_0_in_local_cf(self):
        """A trained store, then use_bayes 0 in the site's local.cf (a
        reload): nothing learns, no BAYES_ rule, set 0 scores."""
        sa = SaLearn(self)
        need_tool("spamassassin")
        sd = self.siftd(overrides=STOCK + ["workers.spamd.allow_tell=yes"])
        site = site_dir(sd, NO_AUTOLEARN)
        sd.start(timeout=120)
        dbdir = os.path.join(sd.dbdir, "bayes")
        ctl, normal = Http(sd.ports["controller"]), Http(sd.ports["normal"])
        self.addCleanup(ctl.close)
        self.addCleanup(normal.close)
        learn_all(ctl, "spam", synthetic("spam", 200, "off"), want=200)
        learn_all(ctl, "ham", synthetic("ham", 200, "off"), want=200)
        time.sleep(1.2)
        self.assertNotEqual(bayes_rules(normal.checkv2(PROBE)["symbols"]), [])
        ctl.close()
        normal.close()

        with open(os.path.join(site, "local.cf"), "w") as f:
            f.write("use_bayes 0\n")
        mark = len(sd.log())
        sd.signal(1)  # SIGHUP
        sd.wait_log(r"new workers serve", timeout=60, after=mark)

        msg = synthetic("spam", 1, "off-new")[0]
        for path in ("/learnspam", "/learnham"):
            status, reason, body = ctl.post(path, msg)
            self.assertEqual((status, reason, json.loads(body)),
                             (404, "no classifiers defined", {"error": "no classifiers defined"}))
        head, _ = spamd_request(sd, "TELL", msg, [("Message-class", "spam"), ("Set", "local")])
        self.assertEqual(head, "SPAMD/1.1 0 EX_OK")  # no DidSet: spamc says "already"
        got = {k: v["score"] for k, v in normal.checkv2(PROBE)["symbols"].items()}
        self.assertEqual(bayes_rules(got), [])
        for r in SET_RULES:
            self.assertAlmostEqual(got[r], sa_score_sets(r)[0], places=3, msg=r)
        self.assertEqual(sa.counts(dbdir), (200, 200))


# --- real mail, and SpamAssassin on the same database ------------------------

class BayesCorpusTest(unittest.TestCase):
    """Trained on the even-numbered corpus messages through the controller;
    the odd-numbered ones are scanned."""

    TRAIN = 250  # of each class

    @classmethod
    def setUpClass(cls):
        cls.spam, cls.ham = corpus("spam"), corpus("ham")
        need_tool("spamassassin")
        cls.sd = Siftd(overrides=STOCK + ["workers.spamd.allow_tell=yes"])
        site_dir(cls.sd, NO_AUTOLEARN)
        try:
            cls.sd.start(timeout=120)
            ctl = Http(cls.sd.ports["controller"])
            cls.learned = {}
            for kind, files in (("spam", cls.spam), ("ham", cls.ham)):
                got = learn_all(ctl, kind, (read(p) for p in files[0::2][:cls.TRAIN]))
                if set(got) - {200, 208}:
                    raise AssertionError(f"learning {kind}: {got}")
                cls.learned[kind] = got.get(200, 0)
            ctl.close()
            time.sleep(1.2)
        except BaseException:
            cls.sd.cleanup()
            raise
        cls.dbdir = os.path.join(cls.sd.dbdir, "bayes")

    @classmethod
    def tearDownClass(cls):
        cls.sd.cleanup()

    def held_out(self, kind, n):
        files = self.spam if kind == "spam" else self.ham
        return files[1::2][:n]

    def test_learned_counts_are_what_sa_learn_reads(self):
        sa = SaLearn(self)
        self.assertGreaterEqual(min(self.learned.values()), 200)
        self.assertEqual(sa.counts(self.dbdir), (self.learned["spam"], self.learned["ham"]))

    def tmpdir(self):
        d = tempfile.mkdtemp(prefix="sift-it-")
        self.addCleanup(shutil.rmtree, d, True)
        return d

    def test_held_out_mail_gets_bayes_rules(self):
        buckets = {}
        for kind in ("spam", "ham"):
            for p in self.held_out(kind, 20):
                rules = bayes_rules(spamd_symbols(self.sd, read(p)))
                self.assertTrue(rules, f"{p}: no BAYES_ rule")
                buckets.setdefault(kind, []).append(int(rules[0][6:8]))
        # trained on 250 of each, Bayes mostly knows which is which
        self.assertGreaterEqual(sum(b >= 80 for b in buckets["spam"]), 15, buckets)
        self.assertGreaterEqual(sum(b <= 20 for b in buckets["ham"]), 15, buckets)

    def test_same_bucket_and_probability_as_spamassassin(self):
        """spamassassin -t on a copy of sift's database: for each message the
        BAYES_ rules and the probability sift's report shows."""
        sa_exe = need_tool("spamassassin")
        d = self.tmpdir()
        for name in ("bayes_toks", "bayes_seen"):
            shutil.copy(os.path.join(self.dbdir, name), d)
        files = self.held_out("spam", 5) + self.held_out("ham", 5)
        mbox = b"".join(b"From sift@test Mon Nov 24 10:00:00 2025\n" + read(p).replace(
            b"\r\n", b"\n").rstrip(b"\n") + b"\n\n" for p in files)
        r = subprocess.run(
            [sa_exe, "-L", "-t", "--mbox", "-D", "bayes", "--cf", f"bayes_path {d}/bayes",
             "--cf", "bayes_auto_learn 0", "--cf", "report_safe 0",
             "--cf", "add_header all SiftBayes _BAYES_ _TESTS_ _HEADER(Message-ID)_"],
            input=mbox, capture_output=True, env=dict(os.environ, HOME=self.tmpdir()),
            timeout=300 * SLOW)
        self.assertEqual(r.returncode, 0, r.stderr[-2000:])
        out = r.stdout.decode("latin-1")
        # in the order SpamAssassin took them (not the mbox's), as its debug lines
        theirs = []
        for h in re.findall(r"(?m)^X-Spam-SiftBayes: (.*(?:\n[ \t].*)*)", out):
            prob, rest = h.split(None, 1)
            tests, msgid = rest.strip().rsplit(None, 1)  # folded after any comma
            theirs.append((prob, re.sub(r"\s+", "", tests), msgid))
        full = [float(x) for x in re.findall(rb"dbg: bayes: score = ([0-9.e-]+)", r.stderr)]
        self.assertEqual(len(theirs), len(files), out[:3000])
        self.assertEqual(len(full), len(files), r.stderr[-3000:])
        by_id = {}
        for p in files:
            m = re.search(rb"(?mi)^Message-ID:\s*(<[^>\s]+>)", read(p))
            by_id[m.group(1).decode("latin-1")] = p
        self.assertEqual(len(by_id), len(files), "the messages need distinct Message-IDs")
        for (prob, tests, msgid), exact in zip(theirs, full):
            p = by_id[msgid.strip()]
            with self.subTest(file=os.path.basename(p)):
                sa_rules = bayes_rules(tests.split(","))
                rules, mine = report_bayes(spamd_request(self.sd, "REPORT", read(p))[1])
                self.assertEqual(rules, sa_rules)
                self.assertEqual(f"{mine:.4f}", prob)
                self.assertAlmostEqual(mine, exact, delta=0.00005 + 1e-9)

if __name__ == "__main__":
    unittest.main()
