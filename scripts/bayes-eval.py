#!/usr/bin/env python3
"""bayes-eval - sift's Bayes against SpamAssassin's, trained and tested on
the same halves of ../shared/corpus (issue 7's measurement).

The split is fixed: each class's files sorted by name, the even-numbered
ones (0, 2, 4...) train, the odd-numbered ones test. Then, one step at a
time (the machine's cores are not shared between two servers):

 1. sift learns the training half through a running siftd's controller
    (/learnspam, /learnham over one kept-alive connection), as
    rspamc/siftc learn_spam would: messages/s.
 2. SpamAssassin's sa-learn learns it into its own database (--spam, then
    --ham; the wall time of both runs, start-up included): messages/s.
 3. siftd's spamd worker (the stock rules, no network tests, Bayes on the
    database of step 1) scores the test half with REPORT: verdict at
    required_score 5, score, BAYES_ rule and probability. The siftd
    tree's CPU time per scan is measured, and again with Bayes off
    (classifier.bayes.enabled=no): the difference is Bayes' lookup cost
    per scan (tokenize, look up, combine, raise atimes).
 4. SpamAssassin's spamd (-L, the same rules and site *.pre, Bayes on the
    database of step 2, spamd -D timing) scores it the same way; its
    lookup cost is the mean of the check_bayes times spamd logs.

Autolearn is off on both sides (bayes_auto_learn 0), and so is
opportunistic expiry, so each database is what its learner made of the
training half. Printed: both databases' counts, both confusion matrices
with precision, recall and false-positive rate, the share of test messages
where sift and SA give the same verdict, the same BAYES_ bucket and the same
probability (the report's 4 decimals), the messages where they differ,
learning speed side by side, lookup cost per scan. The issue's reference
(sa-learn ~80 messages/s; SA with Bayes: precision 0.991, recall 0.960,
FPR 0.4% at 5) is printed beside.

    scripts/bayes-eval.py [--limit N] [--json] [-j 2] [--no-lookup-cost] [--keep]

--limit N: the first N files of each class (before the split; at least 400
for Bayes to score). --json: one JSON object instead of the text.
SIFT_BUILD=build-x selects siftd's build. Needs Debian's spamassassin and
spamd (sa-learn, /usr/sbin/spamd). Without the corpus it says so and exits 0.
Python 3 standard library only; everything on 127.0.0.1.
"""

import argparse
import http.client
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import spamd_servers as ss  # noqa: E402

CORPUS = ss.CORPUS
SA_LEARN = "/usr/bin/sa-learn"
REFERENCE = {"sa_learn_msgs_per_s": 80, "precision": 0.991, "recall": 0.960, "fpr": 0.004}
SITE_CF = """# written by scripts/bayes-eval.py
use_bayes 1
bayes_auto_learn 0
bayes_auto_expire 0
"""


def say(*a):
    print(*a, file=sys.stderr, flush=True)


# --- the corpus and its split --------------------------------------------------

def split(limit):
    """{"train": [(path, is_spam)], "test": [...]}: even and odd positions of
    each class's sorted files."""
    out = {"train": [], "test": []}
    for kind in ("spam", "ham"):
        files = ss.message_files([os.path.join(CORPUS, kind)])
        if limit:
            files = files[:limit]
        out["train"] += [(p, kind == "spam") for p in files[0::2]]
        out["test"] += [(p, kind == "spam") for p in files[1::2]]
    return out


def read(path):
    with open(path, "rb") as f:
        return f.read()


def site_dir(parent, name, extra=""):
    """Debian's *.pre (the plugins) and a local.cf for Bayes."""
    site = os.path.join(parent, name)
    os.makedirs(site)
    for pre in sorted(os.listdir(ss.SA_SITE)):
        if pre.endswith(".pre"):
            shutil.copy(os.path.join(ss.SA_SITE, pre), site)
    with open(os.path.join(site, "local.cf"), "w") as f:
        f.write(SITE_CF + extra)
    return site


def magic(dbdir, home):
    """sa-learn --dump magic of a database directory: {name: value}."""
    r = subprocess.run([SA_LEARN, "--dbpath", dbdir, "--dump", "magic"], capture_output=True,
                       text=True, env=dict(os.environ, HOME=home), timeout=600)
    out = {}
    for line in r.stdout.splitlines():
        f = line.split(None, 4)
        if len(f) == 5 and f[4].startswith("non-token data: "):
            out[f[4][len("non-token data: "):]] = int(f[2])
    return out


# --- learning -------------------------------------------------------------------

def sift_learn(port, train):
    """Learn over one kept-alive connection: (seconds, {status: count})."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    got = {}
    t0 = time.monotonic()
    for path, is_spam in train:
        conn.request("POST", "/learnspam" if is_spam else "/learnham", body=read(path))
        r = conn.getresponse()
        r.read()
        got[r.status] = got.get(r.status, 0) + 1
    secs = time.monotonic() - t0
    conn.close()
    return secs, got


def sa_learn(train, site, dbdir, home):
    """sa-learn --spam FILES, then --ham FILES: (seconds, messages learned, CPU s)."""
    learned = 0
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    for flag, want in (("--spam", True), ("--ham", False)):
        files = [p for p, s in train if s == want]
        r = subprocess.run([SA_LEARN, f"--siteconfigpath={site}", "--dbpath", dbdir, flag] + files,
                           capture_output=True, text=True, env=dict(os.environ, HOME=home),
                           timeout=3600)
        if r.returncode != 0:
            raise ss.ServerError(f"sa-learn {flag}: {r.returncode}\n{r.stderr[-2000:]}")
        m = re.search(r"Learned tokens from (\d+) message", r.stdout)
        learned += int(m.group(1)) if m else 0
    secs = time.monotonic() - t0
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return secs, learned, (ru.ru_utime - ru0.ru_utime) + (ru.ru_stime - ru0.ru_stime)


# --- scanning -------------------------------------------------------------------

def parse_report(reply):
    """(BAYES_ rules, probability or None) from a REPORT body's rule table."""
    text = reply.body.decode("latin-1")
    table = text.split("\n---- ", 1)[1] if "\n---- " in text else ""
    rules = sorted(re.findall(r"(?m)^\s*-?\d+\.\d+ (BAYES_\d+)\s", table))
    m = re.search(r"(?m)^\s*-?\d+\.\d+ BAYES_\d+ .*\n\s+\[score: ([0-9.]+)\]", table)
    return rules, (m.group(1) if m else None)


def scan_all(port, test, jobs):
    """REPORT of every test message: [{file, spam, is_spam, score, bayes, prob}], seconds."""

    def one(item):
        path, is_spam = item
        reply = ss.request(port, "REPORT", read(path), timeout=300)
        if not reply.ok or reply.is_spam is None:
            return {"file": path, "label": is_spam, "error": reply.status or "no reply"}
        rules, prob = parse_report(reply)
        return {"file": path, "label": is_spam, "is_spam": reply.is_spam, "score": reply.score,
                "threshold": reply.threshold, "bayes": rules, "prob": prob}

    t0 = time.monotonic()
    with ThreadPoolExecutor(jobs) as ex:
        out = list(ex.map(one, test))
    return out, time.monotonic() - t0


def tree_cpu(pid):
    """CPU seconds of pid and its descendants, those that exited and were
    waited for included (spamd replaces a child after --max-conn-per-child
    messages)."""
    ticks = 0
    for p in ss.process_tree(pid):
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            ticks += sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
        except (OSError, IndexError, ValueError):
            pass
    return ticks / os.sysconf("SC_CLK_TCK")


def confusion(results):
    m = {"tp": 0, "fp": 0, "tn": 0, "fn": 0, "errors": 0}
    for r in results:
        if "error" in r:
            m["errors"] += 1
        elif r["label"]:
            m["tp" if r["is_spam"] else "fn"] += 1
        else:
            m["fp" if r["is_spam"] else "tn"] += 1
    m["precision"] = m["tp"] / (m["tp"] + m["fp"]) if m["tp"] + m["fp"] else None
    m["recall"] = m["tp"] / (m["tp"] + m["fn"]) if m["tp"] + m["fn"] else None
    m["fpr"] = m["fp"] / (m["fp"] + m["tn"]) if m["fp"] + m["tn"] else None
    m["bayes_scored"] = sum(1 for r in results if r.get("bayes"))
    return m


def agreement(sift, sa):
    pairs = [(a, b) for a, b in zip(sift, sa) if "error" not in a and "error" not in b]
    n = len(pairs) or 1
    differ = [{"file": os.path.basename(a["file"]), "label": "spam" if a["label"] else "ham",
               "sift": [a["score"], ",".join(a["bayes"]), a["prob"]],
               "sa": [b["score"], ",".join(b["bayes"]), b["prob"]]}
              for a, b in pairs if a["is_spam"] != b["is_spam"] or a["bayes"] != b["bayes"]
              or a["prob"] != b["prob"]]
    return {
        "compared": len(pairs),
        "verdict": sum(a["is_spam"] == b["is_spam"] for a, b in pairs) / n,
        "bucket": sum(a["bayes"] == b["bayes"] for a, b in pairs) / n,
        "probability": sum(a["prob"] == b["prob"] for a, b in pairs) / n,
        "score": sum(abs(a["score"] - b["score"]) < 0.05 for a, b in pairs) / n,
        "differ": differ,
    }


class SpamdTiming(ss.Spamd):
    """SpamAssassin's spamd, logging each message's timing (check_bayes)."""

    def argv(self):
        return super().argv() + ["-D", "timing"]

    def bayes_ms(self):
        """The mean check_bayes time of the messages scanned, in ms."""
        with open(self.log, errors="replace") as f:
            v = [float(x) for x in re.findall(r"timing: total .*?check_bayes: ([0-9.]+)", f.read())]
        return (sum(v) / len(v), len(v)) if v else (None, 0)


def sift_server(tmp, site, dbprefix, bayes=True):
    ctl = ss.free_port()
    extra = ["workers.controller.enabled=yes", f"workers.controller.bind_socket=127.0.0.1:{ctl}",
             "workers.controller.count=1", f"classifier.bayes.path={dbprefix}",
             f"classifier.bayes.enabled={'yes' if bayes else 'no'}"]
    s = ss.Siftd(tmp, site, count=2, extra=extra)
    s.ctl_port = ctl
    return s


def sift_scan(tmp, site, dbprefix, test, jobs, bayes):
    """Start siftd, scan the test half, stop: (results, seconds, CPU s)."""
    srv = sift_server(os.path.join(tmp, "bayes-on" if bayes else "bayes-off"), site, dbprefix,
                      bayes)
    srv.start()
    try:
        cpu0 = tree_cpu(srv.proc.pid)
        res, secs = scan_all(srv.port, test, jobs)
        cpu = tree_cpu(srv.proc.pid) - cpu0
    finally:
        srv.stop()
    return res, secs, cpu


# --- the run ----------------------------------------------------------------------

def run(args):
    halves = split(args.limit)
    train, test = halves["train"], halves["test"]
    tmp = tempfile.mkdtemp(prefix="sift-bayes-eval-")
    os.chmod(tmp, 0o755)
    home = os.path.join(tmp, "home")
    os.makedirs(home)
    out = {"corpus": CORPUS, "split": "each class sorted by name: even positions train, odd test",
           "train": {"spam": sum(s for _, s in train), "ham": sum(not s for _, s in train)},
           "test": {"spam": sum(s for _, s in test), "ham": sum(not s for _, s in test)},
           "reference": REFERENCE}
    try:
        sift_site = site_dir(tmp, "site-sift")
        sift_db = os.path.join(tmp, "sift-db")
        sa_db = os.path.join(tmp, "sa-db")
        os.makedirs(sa_db)  # sa-learn --dbpath takes a directory only when it exists
        sa_site = site_dir(tmp, "site-sa", f"bayes_path {sa_db}/bayes\n")

        # 1. sift learns through its controller
        srv = sift_server(os.path.join(tmp, "learn"), sift_site, os.path.join(sift_db, "bayes"))
        srv.start()
        say(f"siftd: learning {len(train)} messages on 127.0.0.1:{srv.ctl_port}")
        try:
            cpu0 = tree_cpu(srv.proc.pid)
            secs, got = sift_learn(srv.ctl_port, train)
            cpu = tree_cpu(srv.proc.pid) - cpu0
        finally:
            srv.stop()
        bad = {k: v for k, v in got.items() if k not in (200, 208)}
        if bad:
            raise ss.ServerError(f"sift learning answered {bad}:\n{srv.tail()}")
        out["sift_learn"] = {"seconds": secs, "messages": len(train), "learned": got.get(200, 0),
                             "already": got.get(208, 0), "msgs_per_s": len(train) / secs,
                             "siftd_cpu_s": cpu, "db": magic(sift_db, home)}

        # 2. sa-learn
        say(f"sa-learn: learning {len(train)} messages")
        secs, learned, cpu = sa_learn(train, sa_site, sa_db, home)
        out["sa_learn"] = {"seconds": secs, "messages": len(train), "learned": learned,
                           "msgs_per_s": len(train) / secs, "cpu_s": cpu,
                           "db": magic(sa_db, home)}
        if ss.IS_ROOT:  # spamd scans as nobody, and writes its journal there
            for d, _, names in os.walk(sa_db):
                shutil.chown(d, "nobody")
                for n in names:
                    shutil.chown(os.path.join(d, n), "nobody")

        # 3. sift scans (and without Bayes, for the lookup cost)
        say(f"siftd: scanning {len(test)} messages")
        sift_res, secs, cpu = sift_scan(tmp, sift_site, os.path.join(sift_db, "bayes"), test,
                                        args.jobs, True)
        out["sift_scan"] = {"seconds": secs, "msgs_per_s": len(test) / secs,
                            "cpu_ms_per_scan": 1000 * cpu / len(test)}
        if not args.no_lookup_cost:
            say("siftd: scanning again with Bayes off")
            _, secs0, cpu0 = sift_scan(tmp, sift_site, os.path.join(sift_db, "bayes"), test,
                                       args.jobs, False)
            out["sift_scan"]["cpu_ms_per_scan_without_bayes"] = 1000 * cpu0 / len(test)
            out["sift_scan"]["lookup_ms_per_scan"] = 1000 * (cpu - cpu0) / len(test)

        # 4. SpamAssassin's spamd
        say("spamd: starting (SpamAssassin's start-up takes a while)")
        spamd = SpamdTiming(tmp, sa_site, children=args.jobs).start()
        try:
            say(f"spamd: scanning {len(test)} messages")
            cpu0 = tree_cpu(spamd.proc.pid)
            sa_res, secs = scan_all(spamd.port, test, args.jobs)
            cpu = tree_cpu(spamd.proc.pid) - cpu0
            ms, n = spamd.bayes_ms()
        finally:
            spamd.stop()
        out["sa_scan"] = {"seconds": secs, "msgs_per_s": len(test) / secs,
                          "cpu_ms_per_scan": 1000 * cpu / len(test),
                          "lookup_ms_per_scan": ms, "timed": n}

        out["sift"] = confusion(sift_res)
        out["sa"] = confusion(sa_res)
        out["agreement"] = agreement(sift_res, sa_res)
        out["learn_speedup"] = out["sift_learn"]["msgs_per_s"] / out["sa_learn"]["msgs_per_s"]
    finally:
        if args.keep:
            say(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return out


# --- output -----------------------------------------------------------------------

def pct(x):
    return "-" if x is None else f"{100 * x:.1f}%"


def num(x, f="{:.3f}"):
    return "-" if x is None else f.format(x)


def text(o):
    lines = [f"corpus {o['corpus']}: {o['split']}",
             f"train: {o['train']['spam']} spam, {o['train']['ham']} ham; "
             f"test: {o['test']['spam']} spam, {o['test']['ham']} ham", ""]
    sl, al = o["sift_learn"], o["sa_learn"]
    lines += ["learning the training half",
              f"  sift (controller /learnspam,/learnham, 1 connection): {sl['seconds']:.2f} s, "
              f"{sl['msgs_per_s']:.0f} msgs/s ({sl['learned']} learned, {sl['already']} already "
              f"learned: 208)",
              f"  sa-learn --spam, --ham:                               {al['seconds']:.2f} s, "
              f"{al['msgs_per_s']:.0f} msgs/s ({al['learned']} learned)",
              f"  CPU per message: siftd {1000 * sl['siftd_cpu_s'] / sl['messages']:.2f} ms, "
              f"sa-learn {1000 * al['cpu_s'] / al['messages']:.2f} ms (start-up included)",
              f"  sift / sa-learn: {o['learn_speedup']:.1f}x   (goal: 20x; the issue measured "
              f"sa-learn at ~{o['reference']['sa_learn_msgs_per_s']} msgs/s)"]
    for name, db in (("sift", sl["db"]), ("SA", al["db"])):
        lines.append(f"  {name} database: nspam {db.get('nspam')}, nham {db.get('nham')}, "
                     f"ntokens {db.get('ntokens')}")
    lines.append("")
    lines.append("scoring the test half at required_score 5 (stock rules, no network tests)")
    lines.append(f"  {'':<13}{'TP':>6}  {'FN':>4}  {'FP':>4}  {'TN':>4}  {'err':>4}  precision  "
                 f"recall     FPR  Bayes scored")
    for name, key in (("sift", "sift"), ("SpamAssassin", "sa")):
        m = o[key]
        lines.append(f"  {name:<13}{m['tp']:>6}  {m['fn']:>4}  {m['fp']:>4}  {m['tn']:>4}  "
                     f"{m['errors']:>4}  {num(m['precision']):>9}  {num(m['recall']):>6}  "
                     f"{pct(m['fpr']):>6}  {m['bayes_scored']:>12}")
    ref = o["reference"]
    lines.append(f"  (the issue's SA reference: precision {ref['precision']}, recall "
                 f"{ref['recall']}, FPR {pct(ref['fpr'])})")
    a = o["agreement"]
    lines += ["", f"sift vs SpamAssassin on {a['compared']} messages:",
              f"  same verdict {pct(a['verdict'])}, same BAYES_ bucket {pct(a['bucket'])}, "
              f"same probability (4 decimals) {pct(a['probability'])}, same score (0.1) "
              f"{pct(a['score'])}"]
    for d in a["differ"][:15]:
        lines.append(f"  differ: {d['file']} ({d['label']}): sift {d['sift']}  SA {d['sa']}")
    if len(a["differ"]) > 15:
        lines.append(f"  ... {len(a['differ']) - 15} more")
    ss_, sa = o["sift_scan"], o["sa_scan"]
    lines += ["", "scanning",
              f"  sift: {ss_['msgs_per_s']:.0f} msgs/s, {ss_['cpu_ms_per_scan']:.2f} ms CPU per "
              f"scan" + (f" ({ss_['cpu_ms_per_scan_without_bayes']:.2f} without Bayes: lookup "
                         f"{ss_['lookup_ms_per_scan']:.2f} ms per scan)"
                         if "lookup_ms_per_scan" in ss_ else ""),
              f"  SA:   {sa['msgs_per_s']:.0f} msgs/s, {sa['cpu_ms_per_scan']:.2f} ms CPU per "
              f"scan (check_bayes {num(sa['lookup_ms_per_scan'], '{:.2f}')} ms per scan, wall "
              f"time in the child, spamd -D timing, {sa['timed']} messages)"]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--limit", type=int, default=0,
                    help="the first N files of each class, before the split")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("-j", "--jobs", type=int, default=2,
                    help="scans at once, and worker processes (default 2)")
    ap.add_argument("--no-lookup-cost", action="store_true",
                    help="skip the second sift pass without Bayes")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = ap.parse_args()
    if not os.path.isdir(os.path.join(CORPUS, "spam")) or not os.path.isdir(
            os.path.join(CORPUS, "ham")):
        print(f"{CORPUS} is absent: nothing to evaluate")
        return 0
    for exe in (SA_LEARN, ss.SPAMD):
        if not os.access(exe, os.X_OK):
            print(f"{exe} is not installed (scripts/install-deps.sh installs it)", file=sys.stderr)
            return 1
    try:
        o = run(args)
    except ss.ServerError as e:
        print(f"bayes-eval: {e}", file=sys.stderr)
        return 1
    print(json.dumps(o, indent=1) if args.json else text(o))
    return 0


if __name__ == "__main__":
    sys.exit(main())
