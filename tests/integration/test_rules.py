"""SpamAssassin's rules, run by sift: `siftadm rules` loads the whole stock
ruleset of Debian's spamassassin package and says what it left out and why;
`siftadm scan` runs the full pipeline on messages, with a site's local.cf
taken into account; and on a sample of ../shared/corpus sift agrees with
the real SpamAssassin (scripts/sa-rule-parity.py)."""

import glob
import json
import os
import shutil
import subprocess
import tempfile
import unittest

import signal

from siftlib import RULES_CACHE, ROOT, SIFTADM, SLOW, SiftdTest, need_tool

DATA = os.path.join(ROOT, "tests", "data", "rules")
CORPUS = os.path.join(os.path.dirname(ROOT), "shared", "corpus")
SA_RULES = "/usr/share/spamassassin"


def need_sa_rules():
    need_tool("spamassassin")
    if not os.path.isdir(SA_RULES):
        raise AssertionError(f"{SA_RULES} is missing though spamassassin is installed")


class RulesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        need_sa_rules()
        cls.tmp = tempfile.mkdtemp(prefix="sift-rules-")
        # the site directory: Debian's .pre files (the plugins) and our local.cf
        cls.site = os.path.join(cls.tmp, "site")
        os.mkdir(cls.site)
        for pre in glob.glob("/etc/spamassassin/*.pre"):
            shutil.copy(pre, cls.site)
        shutil.copy(os.path.join(DATA, "site", "local.cf"), cls.site)
        cls.db = os.path.join(cls.tmp, "db")
        os.mkdir(cls.db)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def adm(self, *args, site=None):
        argv = [SIFTADM, "-c", os.path.join(ROOT, "config", "sift.yaml"),
                "-o", "options.dbdir=" + self.db, "-o", "rules.cache_dir=" + RULES_CACHE,
                "-o", "rules.native_dir=" + os.path.join(ROOT, "rules"),
                "-o", "rules.site_dir=" + (site or self.site)] + list(args)
        r = subprocess.run(argv, capture_output=True, timeout=600 * SLOW)
        self.assertEqual(r.returncode, 0, r.stderr.decode(errors="replace"))
        return r.stdout.decode()

    def scan(self, *files):
        out = self.adm("scan", "--json", "--local", *files)
        return {d["file"]: d for d in map(json.loads, out.splitlines())}

    def test_rules_load_the_whole_stock_set(self):
        out = self.adm("rules", "--local")
        fields = dict(l.split(":", 1) for l in out.splitlines() if ":" in l and not l.startswith(" "))
        defined = int(fields["rules defined"].split()[0])
        self.assertGreater(defined, 2000, out)
        run = int(fields["run per message"].split()[0])
        self.assertGreater(run, 1000, out)
        self.assertIn("left out:", out)

    def test_gtube_is_spam_and_local_cf_applies(self):
        res = self.scan(os.path.join(DATA, "gtube.eml"), os.path.join(DATA, "ham.eml"))
        gtube = res[os.path.join(DATA, "gtube.eml")]
        self.assertTrue(gtube["is_spam"])
        self.assertIn("GTUBE", gtube["symbols"])
        self.assertEqual(gtube["symbols"]["GTUBE"]["score"], 500)  # local.cf rescored it
        ham = res[os.path.join(DATA, "ham.eml")]
        self.assertEqual(ham["required"], 4.0)  # local.cf's required_score
        self.assertIn("LOCAL_MINUTES", ham["symbols"])
        self.assertIn("LOCAL_REVIEW", ham["symbols"])
        self.assertIn("LOCAL_BOTH", ham["symbols"])
        self.assertAlmostEqual(ham["symbols"]["LOCAL_REVIEW"]["score"], -1.0)
        # 4.5 - 1.0 + 0.25 plus whatever stock rules say about this ham
        self.assertGreaterEqual(ham["score"], 3.75 - 2)

    def test_report_and_stdin(self):
        with open(os.path.join(DATA, "gtube.eml"), "rb") as fh:
            r = subprocess.run([SIFTADM, "-c", os.path.join(ROOT, "config", "sift.yaml"),
                                "-o", "options.dbdir=" + self.db, "-o", "rules.site_dir=" + self.site,
                                "-o", "rules.cache_dir=" + RULES_CACHE,
                                "scan", "--report", "--local", "-"], stdin=fh, capture_output=True,
                               timeout=600 * SLOW)
        self.assertEqual(r.returncode, 0, r.stderr.decode(errors="replace"))
        out = r.stdout.decode()
        self.assertIn("Content analysis details:", out)
        self.assertRegex(out, r"500\.0 GTUBE +Generic Test for Unsolicited Bulk Email")

    def test_a_missing_file_is_an_error_the_rest_is_scanned(self):
        r = subprocess.run([SIFTADM, "-c", os.path.join(ROOT, "config", "sift.yaml"),
                            "-o", "options.dbdir=" + self.db, "-o", "rules.site_dir=" + self.site,
                            "-o", "rules.cache_dir=" + RULES_CACHE,
                            "scan", "--local", "/nonexistent/msg.eml",
                            os.path.join(DATA, "gtube.eml")], capture_output=True,
                           timeout=600 * SLOW)
        self.assertEqual(r.returncode, 1)
        self.assertIn("/nonexistent/msg.eml", r.stderr.decode())
        self.assertIn("GTUBE", r.stdout.decode())


class DaemonRulesTest(SiftdTest):
    """siftd loads the rules named in its configuration at start and on
    SIGHUP; rules that do not load keep the running ones."""

    def test_stock_rules_load_at_start_and_a_bad_reload_keeps_them(self):
        need_sa_rules()
        native = os.path.join(self.tmpdir(), "native")
        os.mkdir(native)
        sd = self.siftd(overrides=["rules.rules_dir=auto", "rules.site_dir=/etc/spamassassin",
                                   "rules.local_only=yes", f"rules.native_dir={native}"])
        sd.start(timeout=120)
        line = sd.wait_log(r"rules: (\d+) from /usr/share/spamassassin and /etc/spamassassin, "
                           r"(\d+) run per message")
        self.assertGreater(int(line.group(1)), 2000)
        # a broken native rules file: the reload fails, siftd goes on
        with open(os.path.join(native, "bad.yaml"), "w") as fh:
            fh.write("symbols: [unclosed\n")
        mark = len(sd.log())
        sd.signal(signal.SIGHUP)
        sd.wait_log(r"reload failed, keeping the running configuration and rules: .*bad\.yaml",
                    after=mark)
        self.assertEqual(sd.spamd(b"PING SPAMC/1.5\r\n\r\n")[:15], b"SPAMD/1.5 0 PON")
        # fixed: the reload goes through with the new rule
        with open(os.path.join(native, "bad.yaml"), "w") as fh:
            fh.write("symbols:\n  SIFT_TEST_RULE: {type: header, header: Subject, "
                     "pattern: '/x/', score: 1}\n")
        mark = len(sd.log())
        sd.signal(signal.SIGHUP)
        sd.wait_log(r"rules: \d+ from", after=mark, timeout=60)
        sd.stop()


@unittest.skipUnless(os.path.isdir(CORPUS), f"no corpus at {CORPUS}: parity run skipped")
class ParityTest(unittest.TestCase):
    """sift against the real SpamAssassin on a sample of the corpus (the whole
    corpus: scripts/sa-rule-parity.py)."""

    SAMPLE = 150

    def test_sample_agrees_with_spamassassin(self):
        need_sa_rules()
        r = subprocess.run(["python3", os.path.join(ROOT, "scripts", "sa-rule-parity.py"),
                            "--sample", str(self.SAMPLE), "--build",
                            os.path.relpath(os.path.dirname(SIFTADM), ROOT), CORPUS],
                           capture_output=True, timeout=1800 * SLOW, cwd=ROOT)
        self.assertEqual(r.returncode, 0, r.stderr.decode(errors="replace"))
        out = r.stdout.decode()
        print("\n" + out)
        shares = {}
        for line in out.splitlines():
            for key in ("hits reproduced", "SpamAssassin lacks", "same verdict"):
                if key in line:
                    shares[key] = float(line.split(":")[1].split("%")[0])
        self.assertGreaterEqual(shares["hits reproduced"], PARITY_REPRODUCED)
        self.assertLessEqual(shares["SpamAssassin lacks"], PARITY_EXTRA)
        self.assertGreaterEqual(shares["same verdict"], PARITY_VERDICT)


# Floors for the sample (150 messages: one verdict is 0.67%); the goals on the
# whole corpus are 97%, 1%, 99.5%, and it is at 100%, 0%, 100%.
PARITY_REPRODUCED = 97.0
PARITY_EXTRA = 1.0
PARITY_VERDICT = 99.0


if __name__ == "__main__":
    unittest.main()
