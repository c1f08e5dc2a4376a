"""sift-migrate: a SpamAssassin installation moved to sift in one command.

A realistic installation is built in a temporary directory: a site
directory with Debian's *.pre files and 65_debian.cf and a local.cf with
custom rules (header, body, uri, meta), score changes, welcome and block
lists, trusted_networks, report_safe, rewrite_header and required_score; a
user's user_prefs; an /etc/default/spamd OPTIONS line; a Bayes database
trained by the real Debian sa-learn on ../shared/corpus (that part is
skipped with a message when the corpus is absent).

MigrateParityTest runs the real spamd on that installation with those
OPTIONS, then sift-migrate --out, `siftadm configtest`, and siftd on the
result as it is (same port, no -o), and checks through the spamd protocol
and the real spamc that every message gets the same rules, scores and
verdict, for the site and for the user, BAYES_xx included, and the same
PROCESS output (report_safe, rewrite_header). MigrateFilesTest checks what
sift-migrate writes: a second run changes nothing, a file it did not write
(or one edited since) is not overwritten without --force, --dry-run writes
nothing and shows a diff, --json, --rules sa, a file no longer produced goes.
"""

import difflib
import glob
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # run as a file, too
from siftlib import (BUILD, IS_ROOT, ROOT, RULES_CACHE, SIFTADM, SLOW, exchange, free_port,
                     need_tool, wait_for)

MIGRATE = os.path.join(BUILD, "sift-migrate")
CORPUS = os.path.join(os.path.dirname(ROOT), "shared", "corpus")
SA_SITE = "/etc/spamassassin"
SPAMD = "/usr/sbin/spamd"
TRAIN = 210  # of each class: >= 200 once sa-learn has skipped duplicates

LOCAL_CF = """\
# local.cf of a small site
required_score 6.0
report_safe 1
rewrite_header Subject [SPAM]
use_bayes 1
bayes_auto_learn 0
bayes_path {dir}/bayes/bayes
trusted_networks 192.0.2.0/24 198.51.100.7
welcomelist_from *@partner.example
blocklist_from spammer@bad.example

# our own rules
header   LOCAL_VIAGRA_SUBJ  Subject =~ /v[i1]agra/i
describe LOCAL_VIAGRA_SUBJ  Subject mentions viagra
score    LOCAL_VIAGRA_SUBJ  3.5
body     __LOCAL_CASINO     /\\bcasino\\b/i
body     __LOCAL_BONUS      /\\bbonus\\b/i
meta     LOCAL_CASINO_BONUS (__LOCAL_CASINO && __LOCAL_BONUS)
describe LOCAL_CASINO_BONUS Casino and bonus
score    LOCAL_CASINO_BONUS 2.0
uri      LOCAL_URI_WIN      m{{^https?://[^/]*win}}i
score    LOCAL_URI_WIN      1.5 1.5 1.0 1.0
header   LOCAL_NO_UA        X-Mailer =~ /./ [if-unset: none]

ifplugin Mail::SpamAssassin::Plugin::DCC
use_dcc 1
endif

# stock rules, rescored
score MISSING_SUBJECT 2.5
score DEAR_FRIEND 3.0
"""

USER_PREFS = """\
required_score 3.5
score LOCAL_VIAGRA_SUBJ 6.0
welcomelist_from friend@example.org
"""


def msg(headers, body):
    return ("\n".join(headers) + "\n\n" + body + "\n").encode()


CRAFTED = {
    "custom": msg(["From: Deals <deals@offers.example>", "To: you@example.net",
                   "Subject: cheap viagra tonight", "Message-ID: <c1@offers.example>",
                   "Date: Mon, 24 Nov 2025 10:00:00 +0000"],
                  "Play at our casino, get a bonus!\nhttp://bigwin.com/claim now"),
    "welcome": msg(["From: Bob <bob@partner.example>", "To: you@example.net",
                    "Subject: cheap viagra", "Message-ID: <c2@partner.example>",
                    "Date: Mon, 24 Nov 2025 10:00:00 +0000"],
                   "Casino bonus for partners."),
    "block": msg(["From: spammer@bad.example", "To: you@example.net", "Subject: hello",
                  "Message-ID: <c3@bad.example>", "Date: Mon, 24 Nov 2025 10:00:00 +0000"],
                 "Just saying hi."),
    "trusted": msg(["Received: from mail.partner.example (mail.partner.example [192.0.2.10])",
                    "\tby mx.example.net (Postfix) with ESMTP id 4ABC1234",
                    "\tfor <you@example.net>; Mon, 24 Nov 2025 10:00:00 +0000",
                    "From: Carol <carol@partner.example>", "To: you@example.net",
                    "Subject: minutes", "Message-ID: <c4@partner.example>",
                    "Date: Mon, 24 Nov 2025 10:00:00 +0000"],
                   "The minutes of today's meeting are attached."),
    "friend": msg(["From: Dear Friend <friend@example.org>", "To: alice@example.net",
                   "Message-ID: <c5@example.org>", "Date: Mon, 24 Nov 2025 10:00:00 +0000"],
                  "Dear Friend, cheap pills and a casino bonus: click http://203.0.113.5/win"),
    "ham": msg(["From: Alice <alice@example.org>", "To: bob@example.net",
                "Subject: lunch on friday", "Message-ID: <c6@example.org>",
                "Date: Mon, 24 Nov 2025 10:00:00 +0000", "X-Mailer: mutt"],
               "Hi Bob, are we still on for lunch at noon on Friday?"),
}


def corpus(kind):
    return sorted(glob.glob(os.path.join(CORPUS, kind, "*.eml")))


def read(path):
    with open(path, "rb") as f:
        return f.read()


class Install:
    """A SpamAssassin installation in dir: site/, prefs/alice/user_prefs,
    default/spamd, bayes/ (trained when the corpus is there)."""

    def __init__(self, dir, port, bayes=True):
        self.dir = dir
        self.port = port
        self.site = os.path.join(dir, "site")
        self.prefs = os.path.join(dir, "prefs")
        self.bayes = os.path.join(dir, "bayes")
        self.home = os.path.join(dir, "home")
        for d in (self.site, os.path.join(self.prefs, "alice"), self.bayes, self.home,
                  os.path.join(dir, "default")):
            os.makedirs(d, exist_ok=True)
        for f in glob.glob(os.path.join(SA_SITE, "*.pre")) + [os.path.join(SA_SITE,
                                                                          "65_debian.cf")]:
            if os.path.exists(f):
                shutil.copy(f, self.site)
        with open(os.path.join(self.site, "local.cf"), "w") as f:
            f.write(LOCAL_CF.format(dir=dir))
        with open(os.path.join(self.prefs, "alice", "user_prefs"), "w") as f:
            f.write(USER_PREFS)
        self.options = (f"-L --max-children 2 -i 127.0.0.1 -p {port} -A 127.0.0.1 "
                        f"-x --virtual-config-dir={self.prefs}/%u --siteconfigpath {self.site}")
        self.defaults = os.path.join(dir, "default", "spamd")
        with open(self.defaults, "w") as f:
            f.write(f'# /etc/default/spamd\nOPTIONS="{self.options}"\nPIDFILE="/run/spamd.pid"\n')
        self.trained = bayes and self.train()
        if IS_ROOT:  # spamd drops to nobody: it must read all this and lock the database
            for d, dirs, files in os.walk(dir):
                for p in [d] + [os.path.join(d, x) for x in files]:
                    shutil.chown(p, "nobody")

    def sa_learn(self, *args):
        r = subprocess.run(["sa-learn", "--siteconfigpath", self.site, *args],
                           capture_output=True, text=True, env=dict(os.environ, HOME=self.home),
                           timeout=600 * SLOW)
        if r.returncode != 0:
            raise AssertionError(f"sa-learn {args}: {r.stderr[-2000:]}")
        return r.stdout

    def train(self):
        spam, ham = corpus("spam"), corpus("ham")
        if not spam or not ham:
            return False
        for kind, files in (("--spam", spam), ("--ham", ham)):
            lst = os.path.join(self.dir, f"train{kind}")
            with open(lst, "w") as f:
                f.write("\n".join(files[0::2][:TRAIN]) + "\n")
            self.sa_learn(kind, "-f", lst)
        return True

    def counts(self):
        magic = self.sa_learn("--dump", "magic")
        get = lambda k: int(re.search(rf"(\d+)\s+\d+\s+non-token data: {k}\n", magic).group(1))
        return get("nspam"), get("nham")


def migrate(*args, check=True):
    r = subprocess.run([MIGRATE, *args], capture_output=True, text=True, timeout=300 * SLOW)
    if check and r.returncode != 0:
        raise AssertionError(f"sift-migrate {args} exited {r.returncode}:\n{r.stdout}\n"
                             f"{r.stderr}")
    return r


# --- talking spamd -------------------------------------------------------------

def spamd_request(port, method, body, user=None):
    head = f"{method} SPAMC/1.5\r\n"
    if user:
        head += f"User: {user}\r\n"
    head += f"Content-length: {len(body)}\r\n\r\n"
    raw = exchange(("127.0.0.1", port), head.encode() + body, timeout=120)
    head, _, rest = raw.partition(b"\r\n\r\n")
    return head.decode("latin-1"), rest


def spam_line(head):
    m = re.search(r"^Spam: (.*)$", head, re.M)
    return m.group(1).strip() if m else None


def report_scores(body):
    """{rule: score} from a REPORT's table."""
    out, table = {}, False
    for line in body.decode("latin-1").splitlines():
        if line.startswith("---- "):
            table = True
        elif table:
            m = re.match(r"^\s*(-?[0-9.]+) (\w+)\s", line)
            if m:
                out[m.group(2)] = float(m.group(1))
    return out


def normalize_process(body):
    """PROCESS output less what names the program (X-Spam-Checker-Version) and
    the time in the Received header and the MIME boundary report_safe adds (a
    time and random digits)."""
    text = body.decode("latin-1")
    text = re.sub(r"(?m)^X-Spam-Checker-Version:.*\n(?:[ \t].*\n)*", "", text)
    text = re.sub(r"----------=_[0-9A-F]+\.[0-9A-F]+", "----------=_BOUNDARY", text)
    text = re.sub(r"(?m)^Received: from localhost by .*\n(?:[ \t].*\n)*",
                  lambda m: re.sub(r"\d\d:\d\d:\d\d", "HH:MM:SS", m.group(0)), text)
    return sort_report_tables(text)


def sort_report_tables(text):
    """The rule lines of each report table in name order: SpamAssassin lists
    rules of one priority and type in the order Perl's hash gives them, which
    changes from one spamd to the next."""
    out, lines, i = [], text.split("\n"), 0
    while i < len(lines):
        out.append(lines[i])
        if re.match(r"^ ?-+ -+ -+$", lines[i]):
            entries = []
            i += 1
            while i < len(lines) and re.match(r"^ ?-?[0-9. ]{3}\d? \S", lines[i]):
                entry = [lines[i]]
                i += 1
                while i < len(lines) and re.match(r"^ {20,}\S", lines[i]):
                    entry.append(lines[i])
                    i += 1
                entries.append(entry)
            for e in sorted(entries, key=lambda e: e[0][5:]):
                out += e
            continue
        i += 1
    return "\n".join(out)


def scan_all(port, probes):
    """{(name, user): (Spam: line, symbols, report scores, PROCESS text)}."""
    out = {}
    for name, body, users, process in probes:
        for user in users:
            h1, sym = spamd_request(port, "SYMBOLS", body, user)
            h2, rep = spamd_request(port, "REPORT", body, user)
            proc = normalize_process(spamd_request(port, "PROCESS", body, user)[1]) \
                if process else None
            symbols = set(sym.decode().strip().split(",")) - {""}
            out[(name, user)] = (spam_line(h1), symbols, report_scores(rep), proc)
    return out


class Daemon:
    """A process started by us, stopped with SIGTERM (its tree only)."""

    def __init__(self, argv, log, env=None):
        self.log = log
        self.err = open(log + ".stderr", "wb")
        self.proc = subprocess.Popen(argv, stdout=self.err, stderr=self.err,
                                     stdin=subprocess.DEVNULL, env=env, start_new_session=True)

    def text(self):
        out = ""
        for p in (self.log, self.log + ".stderr"):
            try:
                with open(p, errors="replace") as f:
                    out += f.read()
            except OSError:
                pass
        return out

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.err.close()


def ping(port):
    try:
        return exchange(("127.0.0.1", port), b"PING SPAMC/1.5\r\n\r\n", timeout=2).startswith(
            b"SPAMD/1.5 0 PONG")
    except OSError:
        return False


def spamc(port, body, *args):
    r = subprocess.run(["spamc", "-d", "127.0.0.1", "-p", str(port), *args], input=body,
                       capture_output=True, timeout=120 * SLOW)
    return r.returncode, r.stdout.decode("latin-1")


# --- the parity test -------------------------------------------------------------

class MigrateParityTest(unittest.TestCase):
    """The real spamd on the installation, then siftd on what sift-migrate
    made of it: the same answers."""

    RULES = "native"

    @classmethod
    def setUpClass(cls):
        for tool in ("spamc", "sa-learn"):
            need_tool(tool)
        if not os.access(SPAMD, os.X_OK):
            need_tool("spamd")
        if not os.access(MIGRATE, os.X_OK):
            raise unittest.SkipTest(f"{MIGRATE} is not built")
        cls.tmp = tempfile.mkdtemp(prefix="sift-migrate-")
        os.chmod(cls.tmp, 0o755)
        cls.port = free_port()
        cls.inst = Install(os.path.join(cls.tmp, "sa"), cls.port)
        if not cls.inst.trained:
            print(f"\ntest_migrate: {CORPUS} is absent: no Bayes database, BAYES_ not compared")
        cls.probes = [(n, b, (None, "alice"), True) for n, b in CRAFTED.items()]
        if cls.inst.trained:
            for kind in ("spam", "ham"):
                for p in corpus(kind)[1::2][:10]:
                    cls.probes.append((os.path.basename(p), read(p), (None,), False))
            for p in corpus("spam")[1::2][10:13]:
                cls.probes.append((os.path.basename(p), read(p), ("alice",), True))
        cls.sa = cls.run_spamd()
        cls.out = os.path.join(cls.tmp, "sift")
        cls.ports = {w: free_port() for w in ("normal", "controller", "proxy")}
        cls.db = os.path.join(cls.tmp, "db")
        cls.log = os.path.join(cls.tmp, "siftd.log")
        cls.report = migrate("--defaults", cls.inst.defaults, "--out", cls.out, "--json",
                             "--rules", cls.RULES, *cls.set_args())
        cls.sift = cls.run_siftd()

    @classmethod
    def set_args(cls):
        """What a test changes in the result: private paths and free ports for the
        workers spamd did not have."""
        sets = [f"options.dbdir={cls.db}", f"options.pidfile={cls.tmp}/siftd.pid",
                'options.user=""', "logging.type=file", f"logging.filename={cls.log}",
                "logging.level=info", f"rules.cache_dir={RULES_CACHE}",
                f"rules.native_dir={os.path.join(ROOT, 'rules')}"]
        for w, p in cls.ports.items():
            sets += [f"workers.{w}.bind_socket=127.0.0.1:{p}", f"workers.{w}.count=1"]
        return [a for s in sets for a in ("--set", s)]

    @classmethod
    def run_spamd(cls):
        log = os.path.join(cls.tmp, "spamd.log")
        argv = [SPAMD] + shlex.split(cls.inst.options) + ["-r", os.path.join(cls.tmp,
                                                                           "spamd.pid"),
                                                          "-s", log]
        if IS_ROOT:
            argv += ["-u", "nobody"]
            open(log, "a").close()
            shutil.chown(log, "nobody")
        d = Daemon(argv, log, env=dict(os.environ, HOME=cls.inst.home))
        try:
            wait_for(lambda: ping(cls.port) or d.proc.poll() is not None, 180, "spamd")
            if d.proc.poll() is not None:
                raise AssertionError(f"spamd exited {d.proc.returncode}: {d.text()[-3000:]}")
            res = scan_all(cls.port, cls.probes)
            res_spamc = {n: spamc(cls.port, b, "-R", *(["-u", "alice"] if n == "custom" else []))
                         for n, b in CRAFTED.items()}
        finally:
            d.stop()
        wait_for(lambda: not ping(cls.port), 30, "spamd to let the port go")
        return res, res_spamc

    @classmethod
    def run_siftd(cls):
        d = Daemon([os.path.join(BUILD, "siftd"), "-f", "-c", os.path.join(cls.out, "sift.yaml")],
                   cls.log)
        try:
            wait_for(lambda: "siftd ready" in d.text() or d.proc.poll() is not None, 300,
                     "siftd on the migrated configuration")
            if d.proc.poll() is not None:
                raise AssertionError(f"siftd exited {d.proc.returncode}: {d.text()[-3000:]}")
            res = scan_all(cls.port, cls.probes)
            res_spamc = {n: spamc(cls.port, b, "-R", *(["-u", "alice"] if n == "custom" else []))
                         for n, b in CRAFTED.items()}
        finally:
            d.stop()
        return res, res_spamc

    @classmethod
    def tearDownClass(cls):
        if os.environ.get("SIFT_KEEP_TMP"):
            print(f"kept {cls.tmp}")
        else:
            shutil.rmtree(cls.tmp, ignore_errors=True)

    # ---- the checks ----

    def test_report_says_what_became_of_each_directive(self):
        rep = json.loads(self.report.stdout)
        self.assertEqual(rep["errors"], [])
        self.assertEqual(rep["checks"]["rules_differing"], 0)
        self.assertTrue(rep["checks"]["configtest_ok"])
        fates = {}
        for it in rep["items"]:
            if it["origin"].startswith("local.cf:"):
                fates[it["directive"].split()[0] + " " + it["directive"].split()[1]] = it["fate"]
        self.assertEqual(fates["header LOCAL_VIAGRA_SUBJ"], "native")
        self.assertEqual(fates["score MISSING_SUBJECT"], "native")
        self.assertEqual(fates["trusted_networks 192.0.2.0/24"], "native")
        self.assertEqual(fates["welcomelist_from *@partner.example"], "kept")
        self.assertEqual(fates["report_safe 1"], "kept")
        self.assertEqual(fates["use_dcc 1"], "ignored")  # in a false ifplugin block
        targets = " ".join(it["target"] or "" for it in rep["items"])
        for t in ("workers.spamd.bind_socket", "workers.spamd.count: 2",
                  "workers.spamd.allowed_ips", "rules.local_only: yes", "rules.user_prefs",
                  "mime.trusted_networks", "local.d/symbols.yaml: LOCAL_URI_WIN"):
            self.assertIn(t, targets)
        pid = [it for it in rep["items"] if it["directive"].startswith("PIDFILE")]
        self.assertEqual(pid[0]["fate"], "dropped")
        self.assertTrue(any(it["origin"].endswith("alice/user_prefs") for it in rep["items"]))
        if self.inst.trained:
            self.assertEqual(rep["bayes_path"], os.path.join(self.inst.bayes, "bayes"))

    def test_configtest_passes(self):
        r = subprocess.run([SIFTADM, "-c", os.path.join(self.out, "sift.yaml"), "configtest"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr + r.stdout)

    def test_bayes_database_is_trained(self):
        if not self.inst.trained:
            self.skipTest(f"{CORPUS} is absent")
        spam, ham = self.inst.counts()
        self.assertGreaterEqual(spam, 200)
        self.assertGreaterEqual(ham, 200)
        # BAYES_ rules hit on both servers for every corpus message
        sa, _ = self.sa
        for (name, user), (_, symbols, _, _) in sa.items():
            if name.endswith(".eml"):
                self.assertTrue([s for s in symbols if s.startswith("BAYES_")], name)

    def test_same_rules_scores_and_verdicts(self):
        sa, _ = self.sa
        sift, _ = self.sift
        self.assertEqual(set(sa), set(sift))
        for key in sorted(sa, key=str):
            with self.subTest(message=key[0], user=key[1]):
                a, b = sa[key], sift[key]
                self.assertEqual(b[1], a[1], "rules hit")
                self.assertEqual(b[2], a[2], "scores in the report")
                self.assertEqual(b[0], a[0], "Spam: verdict ; score / threshold")

    def test_same_process_output(self):
        sa, _ = self.sa
        sift, _ = self.sift
        for key in sorted(sa, key=str):
            if sa[key][3] is None:
                continue
            with self.subTest(message=key[0], user=key[1]):
                diff = list(difflib.unified_diff(sa[key][3].splitlines(),
                                                 sift[key][3].splitlines(), "spamd", "siftd",
                                                 lineterm="", n=1))
                self.assertEqual(diff, [])

    def test_the_migrated_settings_are_the_ones_that_hit(self):
        sa, _ = self.sa
        self.assertIn("LOCAL_VIAGRA_SUBJ", sa[("custom", None)][1])
        self.assertIn("LOCAL_CASINO_BONUS", sa[("custom", None)][1])
        self.assertIn("LOCAL_URI_WIN", sa[("custom", None)][1])
        self.assertEqual(sa[("custom", None)][2]["LOCAL_VIAGRA_SUBJ"], 3.5)
        self.assertEqual(sa[("custom", "alice")][2]["LOCAL_VIAGRA_SUBJ"], 6.0)
        self.assertIn("USER_IN_WELCOMELIST", sa[("welcome", None)][1])
        self.assertIn("USER_IN_BLOCKLIST", sa[("block", None)][1])
        self.assertIn("ALL_TRUSTED", sa[("trusted", None)][1])
        self.assertEqual(sa[("friend", None)][2].get("DEAR_FRIEND"), 3.0)
        self.assertIn("USER_IN_WELCOMELIST", sa[("friend", "alice")][1])
        self.assertTrue(sa[("ham", None)][0].startswith("False ; "))
        self.assertTrue(sa[("custom", None)][0].endswith("/ 6.0"))
        self.assertTrue(sa[("custom", "alice")][0].endswith("/ 3.5"))

    def test_spamc_works_unchanged(self):
        _, a = self.sa
        _, b = self.sift
        for name in CRAFTED:
            with self.subTest(message=name):
                self.assertEqual(b[name][0], a[name][0], "spamc's exit status")
                # -R: the score line, then the report (its table is what differs
                # nowhere; the header lines name the program)
                self.assertEqual(b[name][1].splitlines()[0], a[name][1].splitlines()[0])
                self.assertEqual(report_scores(b[name][1].encode("latin-1")),
                                 report_scores(a[name][1].encode("latin-1")))


class MigrateParitySaRulesTest(MigrateParityTest):
    """The same with --rules sa: the site's files copied as they are."""

    RULES = "sa"

    def test_report_says_what_became_of_each_directive(self):
        rep = json.loads(self.report.stdout)
        self.assertEqual(rep["errors"], [])
        self.assertTrue(rep["checks"]["configtest_ok"])
        kept = [it for it in rep["items"] if it["origin"].startswith("local.cf:")]
        self.assertTrue(kept)
        self.assertTrue(all(it["fate"] in ("kept", "ignored") for it in kept), kept)


# --- what it writes -------------------------------------------------------------------

class MigrateFilesTest(unittest.TestCase):
    """Idempotence, foreign files, --dry-run, --json, --rules sa; no servers."""

    @classmethod
    def setUpClass(cls):
        if not os.access(MIGRATE, os.X_OK):
            raise unittest.SkipTest(f"{MIGRATE} is not built")
        if not os.path.isdir("/usr/share/spamassassin"):
            raise unittest.SkipTest("SpamAssassin's rules are not installed")

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="sift-migrate-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.inst = Install(os.path.join(self.tmp, "sa"), 17830, bayes=False)
        self.out = os.path.join(self.tmp, "sift")

    def run_migrate(self, *args, check=True):
        return migrate("--defaults", self.inst.defaults, *args, check=check)

    def snapshot(self):
        """{path: (mtime_ns, content)} of every file under out."""
        snap = {}
        for d, _, files in os.walk(self.out):
            for f in files:
                p = os.path.join(d, f)
                snap[p] = (os.stat(p).st_mtime_ns, read(p))
        return snap

    def test_second_run_changes_nothing(self):
        first = self.run_migrate("--out", self.out)
        self.assertIn("new ", first.stdout)
        before = self.snapshot()
        self.assertIn(os.path.join(self.out, ".sift-migrate.manifest"), before)
        for rel in ("sift.yaml", "local.d/symbols.yaml", "local.d/rules.yaml",
                    "override.d/workers.yaml", "spamassassin/local.cf"):
            self.assertTrue(read(os.path.join(self.out, rel)).startswith(
                b"# Written by sift-migrate"), rel)
        time.sleep(0.05)
        second = self.run_migrate("--out", self.out, "--json")
        rep = json.loads(second.stdout)
        self.assertEqual({f["status"] for f in rep["files"]}, {"unchanged"})
        self.assertEqual(self.snapshot(), before)

    def test_edited_file_is_not_overwritten_without_force(self):
        self.run_migrate("--out", self.out)
        path = os.path.join(self.out, "local.d", "mime.yaml")
        with open(path, "a") as f:
            f.write("max_parts: 500\n")
        before = self.snapshot()
        r = self.run_migrate("--out", self.out, check=False)
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertRegex(r.stdout, r"local\.d/mime\.yaml: edited since sift-migrate wrote it")
        self.assertEqual(self.snapshot(), before)  # nothing at all was written
        r = self.run_migrate("--out", self.out, "--force")
        self.assertNotIn(b"max_parts", read(path))

    def test_foreign_file_is_not_overwritten_without_force(self):
        os.makedirs(os.path.join(self.out, "local.d"))
        mine = os.path.join(self.out, "local.d", "actions.yaml")
        with open(mine, "w") as f:
            f.write("reject: 20\n")
        r = self.run_migrate("--out", self.out, check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("not written by sift-migrate", r.stdout)
        self.assertEqual(read(mine), b"reject: 20\n")
        self.assertFalse(os.path.exists(os.path.join(self.out, "sift.yaml")))
        self.run_migrate("--out", self.out, "--force")
        self.assertIn(b"Written by sift-migrate", read(mine))

    def test_dry_run_writes_nothing_and_shows_a_diff(self):
        r = self.run_migrate("--out", self.out, "--dry-run")
        self.assertFalse(os.path.exists(self.out))
        self.assertIn("[dry run: nothing written]", r.stdout)
        self.assertIn("+++ b/local.d/symbols.yaml", r.stdout)
        self.assertIn("+LOCAL_VIAGRA_SUBJ:", r.stdout)
        self.run_migrate("--out", self.out)
        with open(LOCAL_CF_PATH(self.inst), "a") as f:
            f.write("score LOCAL_URI_WIN 2.5\n")
        r = self.run_migrate("--out", self.out, "--dry-run")
        self.assertRegex(r.stdout, r"(?m)^-  score: \[1\.5, 1\.5, 1, 1\]$")
        self.assertRegex(r.stdout, r"(?m)^\+  score: 2\.5$")

    def test_file_no_longer_produced_is_removed(self):
        self.run_migrate("--out", self.out)
        mime = os.path.join(self.out, "local.d", "mime.yaml")
        self.assertTrue(os.path.exists(mime))
        with open(LOCAL_CF_PATH(self.inst)) as f:
            text = f.read()
        with open(LOCAL_CF_PATH(self.inst), "w") as f:
            f.write(text.replace("trusted_networks", "# trusted_networks"))
        r = self.run_migrate("--out", self.out)
        self.assertIn("removed", r.stdout)
        self.assertFalse(os.path.exists(mime))

    def test_rules_sa_keeps_the_files_and_passes_configtest(self):
        rep = json.loads(self.run_migrate("--out", self.out, "--rules", "sa", "--json").stdout)
        self.assertTrue(rep["checks"]["configtest_ok"])
        copy = read(os.path.join(self.out, "spamassassin", "local.cf"))
        self.assertIn(read(LOCAL_CF_PATH(self.inst)), copy)
        self.assertFalse(os.path.exists(os.path.join(self.out, "local.d", "symbols.yaml")))
        r = subprocess.run([SIFTADM, "-c", os.path.join(self.out, "sift.yaml"), "configtest"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_into_an_existing_configuration(self):
        """Without --out: local.d/ files beside an existing sift.yaml."""
        conf = os.path.join(self.tmp, "etc-sift")
        os.makedirs(conf)
        shutil.copy(os.path.join(ROOT, "config", "sift.yaml"), conf)
        r = self.run_migrate("--confdir", conf)
        self.assertTrue(os.path.exists(os.path.join(conf, "local.d", "symbols.yaml")))
        self.assertEqual(read(os.path.join(conf, "sift.yaml")),
                         read(os.path.join(ROOT, "config", "sift.yaml")))
        r = subprocess.run([SIFTADM, "-c", os.path.join(conf, "sift.yaml"), "configtest"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)


class MigrateBayesCopyTest(unittest.TestCase):
    """--bayes copy:PREFIX: a database sa-learn reads with the same counts,
    made once, and never over one sift-migrate did not make."""

    def setUp(self):
        need_tool("sa-learn")
        if not os.access(MIGRATE, os.X_OK):
            self.skipTest(f"{MIGRATE} is not built")
        self.tmp = tempfile.mkdtemp(prefix="sift-migrate-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.inst = Install(os.path.join(self.tmp, "sa"), 17830, bayes=False)
        for kind, body in (("spam", CRAFTED["custom"]), ("ham", CRAFTED["ham"])):
            d = os.path.join(self.tmp, kind)
            os.makedirs(d)
            for i in range(3):
                with open(os.path.join(d, f"{i}.eml"), "wb") as f:
                    f.write(body.replace(b"Message-ID: <", f"Message-ID: <{i}.".encode()) +
                            f"variant {i} of {kind}\n".encode())
            self.inst.sa_learn(f"--{kind}", d)
        self.out = os.path.join(self.tmp, "sift")
        self.copy = os.path.join(self.tmp, "newdb", "bayes")

    def magic(self, dbdir):
        r = subprocess.run(["sa-learn", "--dbpath", dbdir, "--dump", "magic"],
                           capture_output=True, text=True, env=dict(os.environ,
                                                                    HOME=self.inst.home))
        return {m.group(2): int(m.group(1)) for m in
                re.finditer(r"(\d+)\s+\d+\s+non-token data: (nspam|nham|ntokens)", r.stdout)}

    def test_copy(self):
        r = migrate("--defaults", self.inst.defaults, "--out", self.out, "--bayes",
                    f"copy:{self.copy}", "--json")
        rep = json.loads(r.stdout)
        self.assertEqual(rep["bayes_path"], self.copy)
        want = self.magic(self.inst.bayes)
        self.assertEqual(want["nspam"], 3)
        self.assertEqual(self.magic(os.path.dirname(self.copy)), want)
        self.assertIn(f'path: "{self.copy}"',
                      read(os.path.join(self.out, "local.d", "classifier.yaml")).decode())
        r = migrate("--defaults", self.inst.defaults, "--out", self.out, "--bayes",
                    f"copy:{self.copy}")
        self.assertIn("the copy is up to date", r.stdout)
        # a database sift-migrate did not make is not written over
        other = os.path.join(self.tmp, "otherdb")
        shutil.copytree(self.inst.bayes, other)
        r = migrate("--defaults", self.inst.defaults, "--out", self.out, "--bayes",
                    f"copy:{other}/bayes", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("a Bayes database sift-migrate did not make", r.stdout)


def LOCAL_CF_PATH(inst):
    return os.path.join(inst.site, "local.cf")


if __name__ == "__main__":
    unittest.main()
