"""sift sees a message as SpamAssassin does: `siftadm inspect --json` against
SpamAssassin's own view (scripts/sa-views.pl) of the small messages under
tests/data/mime (their SA views are stored next to them), and of the whole
corpus when it is there (SpamAssassin run live)."""

import importlib.util
import json
import os
import subprocess
import unittest

from siftlib import ROOT, SIFTADM, SLOW, need_tool

DATA = os.path.join(ROOT, "tests", "data", "mime")
CORPUS = os.path.join(os.path.dirname(ROOT), "shared", "corpus")

_spec = importlib.util.spec_from_file_location("mime_parity",
                                               os.path.join(ROOT, "scripts", "mime-parity.py"))
parity = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(parity)


def inspect(files):
    r = subprocess.run([SIFTADM, "inspect", "--json"] + files, capture_output=True,
                       timeout=600 * SLOW)
    if r.returncode != 0:
        raise AssertionError(r.stderr.decode(errors="replace"))
    return {d["file"]: d for d in map(json.loads, r.stdout.decode("ascii").splitlines())}


class StoredViewsTest(unittest.TestCase):
    """Each crafted message (broken boundaries, nested rfc822, bad charsets,
    encoded words split across lines, QP soft breaks, huge headers...) gives
    exactly SpamAssassin's view, field by field."""

    def test_every_field_matches_spamassassin(self):
        names = sorted(n for n in os.listdir(DATA) if n.endswith(".eml"))
        self.assertGreater(len(names), 15)
        rel = [os.path.join("tests", "data", "mime", n) for n in names]
        cwd = os.getcwd()
        os.chdir(ROOT)  # the stored views name the files relative to the tree
        try:
            got = inspect(rel)
        finally:
            os.chdir(cwd)
        for f in rel:
            with open(os.path.join(ROOT, f[:-4] + ".sa.json")) as fh:
                want = parity.views(json.load(fh))
            have = parity.views(got[f])
            for key in sorted(set(want) | set(have)):
                with self.subTest(message=f, field=key):
                    self.assertEqual(have.get(key), want.get(key))


@unittest.skipUnless(os.path.isdir(CORPUS), f"no corpus at {CORPUS}: parity run skipped")
class CorpusParityTest(unittest.TestCase):
    """The whole corpus, sift against the real SpamAssassin."""

    # the share of messages each view must match exactly
    FLOORS = {"headers": 99.9, "parts": 99.5, "body": 99.5, "rawbody": 99.5, "invisible": 99.5,
              "uri": 99.5, "all": 99.9, "flags": 99.5, "html": 99.0, "date": 99.9}

    def test_views_match_spamassassin_on_the_corpus(self):
        need_tool("spamassassin")
        files = parity.message_files([CORPUS])
        sa = parity.run_in_chunks(["perl", os.path.join(ROOT, "scripts", "sa-views.pl")], files)
        sift = inspect(files)
        common = [f for f in files if f in sa and f in sift]
        self.assertGreater(len(common), 0.99 * len(files))
        agree = {}
        for f in common:
            a, b = parity.views(sa[f]), parity.views(sift[f])
            for k in set(a) | set(b):
                agree[k] = agree.get(k, 0) + (a.get(k) == b.get(k))
        shares = {k: 100.0 * v / len(common) for k, v in agree.items()}
        print("\nmime parity on %d messages: %s" % (
            len(common), ", ".join(f"{k} {v:.2f}%" for k, v in sorted(shares.items()))))
        for k, floor in self.FLOORS.items():
            with self.subTest(view=k):
                self.assertGreaterEqual(shares.get(k, 0), floor)
        for k, v in shares.items():
            if k.startswith("relays.") or k.startswith("get."):
                with self.subTest(view=k):
                    self.assertGreaterEqual(v, 99.5)


class ValgrindTest(unittest.TestCase):
    """Every message parses with no memory error and no leak under valgrind:
    the crafted ones always, the corpus when it is there. PCRE2's JIT is
    off under valgrind (mime_received.c), so its report is about our code."""

    def run_valgrind(self, files):
        if os.path.basename(os.path.dirname(SIFTADM)) == "build-asan":
            self.skipTest("valgrind cannot run an ASan build; the plain `make check` runs this")
        valgrind = need_tool("valgrind")
        r = subprocess.run([valgrind, "--suppressions=" + os.path.join(ROOT, "tests", "valgrind.supp"),
                            "--error-exitcode=9", "--leak-check=full",
                            "--errors-for-leak-kinds=definite,indirect", "-q", SIFTADM, "inspect",
                            "--json"] + files, capture_output=True, timeout=1200 * SLOW)
        self.assertEqual(r.returncode, 0, r.stderr.decode(errors="replace")[-4000:])
        self.assertEqual(len(r.stdout.splitlines()), len(files))

    def test_crafted_messages(self):
        self.run_valgrind(sorted(os.path.join(DATA, n) for n in os.listdir(DATA)
                                 if n.endswith(".eml")))

    @unittest.skipUnless(os.path.isdir(CORPUS), f"no corpus at {CORPUS}: valgrind run skipped")
    def test_corpus(self):
        self.run_valgrind(parity.message_files([CORPUS]))


if __name__ == "__main__":
    unittest.main()
