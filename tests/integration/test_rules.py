"""SpamAssassin's rules, run by sift: `siftadm rules` loads the whole stock
ruleset of Debian's spamassassin package and says what it left out and why
(and with --yaml writes it as native rules, which load back alone);
`siftadm scan` runs the full pipeline on messages, with a site's local.cf
and redirector_pattern taken into account; and on a sample of
../shared/corpus sift agrees with the real SpamAssassin
(scripts/sa-rule-parity.py)."""

import glob
import json
import os
import re
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

    def adm(self, *args, site=None, overrides=(), rc=0):
        argv = [SIFTADM, "-c", os.path.join(ROOT, "config", "sift.yaml"),
                "-o", "options.dbdir=" + self.db, "-o", "rules.cache_dir=" + RULES_CACHE,
                "-o", "rules.native_dir=" + os.path.join(ROOT, "rules"),
                "-o", "rules.site_dir=" + (site or self.site)]
        for o in overrides:
            argv += ["-o", o]
        r = subprocess.run(argv + list(args), capture_output=True, timeout=600 * SLOW)
        self.assertEqual(r.returncode, rc, r.stderr.decode(errors="replace"))
        return r.stdout.decode() if rc == 0 else r.stderr.decode()

    def scan(self, *files, site=None, overrides=()):
        out = self.adm("scan", "--json", "--local", *files, site=site, overrides=overrides)
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

    def test_yaml_export_loads_back_with_the_same_hits(self):
        native = tempfile.mkdtemp(prefix="native-", dir=self.tmp)
        empty = tempfile.mkdtemp(prefix="empty-", dir=self.tmp)
        out = os.path.join(native, "sa.yaml")
        summary = self.adm("rules", "--local", "--yaml", out)
        self.assertIn("written:           " + out, summary)
        self.assertEqual(os.listdir(native), ["sa.yaml"])  # no temporary file left
        with open(out, encoding="utf-8") as fh:
            text = fh.read()
        self.assertTrue(text.startswith("# sift native rules"), text[:200])
        gtube = re.search(r"\n  GTUBE: # \S+\.cf:\d+\n    type: body\n(?:    .*\n)*", text)
        self.assertIsNotNone(gtube, "no GTUBE entry")
        self.assertIn("\n    score: 500\n", gtube.group(0))  # local.cf's score
        # evals keep their function, target and arguments
        self.assertIn("\n    target: rawbody\n    function: check_for_mime\n"
                      "    args: ['mime_base64_count']\n", text)
        # the YAML alone: no SpamAssassin rules or site files
        msgs = [os.path.join(DATA, m) for m in ("gtube.eml", "spam.eml", "ham.eml")]
        sa = self.scan(*msgs)
        yaml = self.scan(*msgs, site=empty, overrides=["rules.rules_dir=" + empty,
                                                       "rules.native_dir=" + native])
        for m in msgs:
            want = {k: v["score"] for k, v in sa[m]["symbols"].items()}
            got = {k: v["score"] for k, v in yaml[m]["symbols"].items()}
            self.assertEqual(got, want, m)
            self.assertAlmostEqual(yaml[m]["score"], sa[m]["score"], places=6, msg=m)
        self.assertIn("GTUBE", sa[msgs[0]]["symbols"])
        self.assertGreater(len(sa[msgs[1]]["symbols"]), 10)
        # required_score is a setting, not a rule: local.cf's 4.0 is not in the YAML
        self.assertEqual(yaml[msgs[0]]["required"], 5.0)

    def test_a_composite_replaces_what_it_names(self):
        native = tempfile.mkdtemp(prefix="composite-", dir=self.tmp)
        empty = tempfile.mkdtemp(prefix="empty-", dir=self.tmp)
        with open(os.path.join(native, "composite.yaml"), "w", encoding="utf-8") as fh:
            fh.write("symbols:\n"
                     "  TEST_GTUBE:\n"
                     "    type: composite\n"
                     "    expression: 'GTUBE & ~SUBJ_TEST & !NO_SUCH_RULE'\n"
                     "    score: 7\n"
                     "    description: GTUBE in a test mail\n")
        minimal = os.path.join(DATA, "minimal")
        gtube = os.path.join(DATA, "gtube.eml")
        res = self.scan(gtube, site=empty, overrides=["rules.rules_dir=" + minimal,
                                                      "rules.native_dir=" + native])[gtube]
        syms = res["symbols"]
        self.assertIn("TEST_GTUBE", syms)
        self.assertNotIn("GTUBE", syms)         # removed, with its 1000
        self.assertEqual(syms["SUBJ_TEST"]["score"], 0)  # ~: the symbol stays, scored 0
        self.assertAlmostEqual(res["score"], 7.0, places=6)

    def test_yaml_to_stdout_and_a_file_that_cannot_be_written(self):
        minimal = ["rules.rules_dir=" + os.path.join(DATA, "minimal")]
        text = self.adm("rules", "--local", "--yaml", "-", site="~", overrides=minimal)
        self.assertTrue(text.startswith("# sift native rules"), text[:200])
        self.assertIn("\n  GTUBE: #", text[:2000])
        self.assertFalse("rules directory:" in text, "summary on stdout")  # the rules alone
        err = self.adm("rules", "--yaml", os.path.join(self.tmp, "no", "such", "dir.yaml"),
                       site="~", overrides=minimal, rc=1)
        self.assertIn("no/such/dir.yaml", err)
        self.assertIn("No such file or directory", err)

    def test_redirector_patterns_give_uris_their_targets(self):
        site = tempfile.mkdtemp(prefix="site-redirect-", dir=self.tmp)
        for pre in glob.glob("/etc/spamassassin/*.pre"):
            shutil.copy(pre, site)
        shutil.copy(os.path.join(DATA, "redirect", "redirect.cf"), site)
        msg = os.path.join(DATA, "redirect.eml")
        # SpamAssassin 4.0.1 hits both: Google's pattern from 72_active.cf, the site's own
        hits = self.scan(msg, site=site)[msg]["symbols"]
        self.assertIn("SIFT_TEST_GOOGLE_TARGET", hits)
        self.assertIn("SIFT_TEST_SITE_TARGET", hits)
        skipped = self.adm("rules", "--local", "--skipped", site=site)
        self.assertRegex(skipped, r"redirector_pattern: '/\^http:.*unclosed/': .*; left out")
        self.assertRegex(skipped, r"redirector_pattern: 'no_delimiters_\(\.\*\)': "
                                  r"missing regexp delimiters; left out")
        # without the stock patterns only the site's target is found
        hits = self.scan(msg, site=os.path.join(DATA, "redirect"),
                         overrides=["rules.rules_dir=" + os.path.join(DATA, "minimal")])[msg]
        self.assertEqual(set(hits["symbols"]), {"SIFT_TEST_SITE_TARGET"})

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
        # SpamAssassin's report: a score of 10 or more without decimals, the area
        self.assertRegex(out, r"\n 500 GTUBE                  BODY: Generic Test for Unsolicited "
                              r"Bulk Email\n")
        self.assertIn("== -: ", out)

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
