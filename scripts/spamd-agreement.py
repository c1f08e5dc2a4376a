#!/usr/bin/env python3
"""spamd-agreement - does siftd's spamd worker answer like SpamAssassin's
spamd? Both servers get the same corpus messages over the spamd protocol.

Starts siftd (spamd worker) and /usr/sbin/spamd with the same stock rules, no
Bayes and no network tests (scripts/spamd_servers.py), sends every message
as SYMBOLS to both (rule names, and the Spam: header's verdict and score),
and prints: messages compared, the share with identical rule sets, the share
of spamd's rule hits sift reproduces, the share of sift's hits spamd lacks,
verdict and score agreement, how each does against the corpus labels (ham/,
spam/), and the rules that differ most. Where the rule sets agree but the
scores do not, both are asked for a REPORT to show which rules are scored
differently. The scores are those the protocol shows (one decimal), so
"within 0.05" means the two show the same score.

    scripts/spamd-agreement.py [--sample 400 | --all] [--limit N] [--seed 1]
                               [-j 8] [--top 25] [--verbose] [PATH...]

PATH: message files or directories (default: ../shared/corpus, read at run
time; without it the script says so and exits 0). SIFT_BUILD=build-x selects
the build directory. Exit status 0 (it is a report), 1 if a server does not
start.
"""

import argparse
import os
import random
import re
import sys
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import spamd_servers as ss  # noqa: E402

MAX_SIZE = 512000  # spamc's default -s: bigger messages never reach spamd
REPORT_LINE = re.compile(r"^(.{4}) (\w+)\s")


def pick(files, args):
    """A fixed-seed sample (--sample, --limit), or everything (--all)."""
    n = len(files) if args.all or not args.sample else min(args.sample, len(files))
    if args.limit:
        n = min(n, args.limit)
    if n < len(files):
        files = random.Random(args.seed).sample(files, n)
    return sorted(files)


def label(path):
    parts = path.split(os.sep)
    return True if "spam" in parts else False if "ham" in parts else None


def report_scores(reply):
    """{rule: score} from a REPORT body's summary table."""
    out, table = {}, False
    for line in reply.body.decode("latin-1").splitlines():
        if line.startswith("---- "):
            table = True
        elif table:
            m = REPORT_LINE.match(line)
            if m:
                try:
                    out[m.group(2)] = float(m.group(1))
                except ValueError:
                    pass
    return out


def scan(srv, path):
    with open(path, "rb") as f:
        msg = f.read()
    if len(msg) > MAX_SIZE:
        return path, None, None
    res = []
    for s in (srv.siftd, srv.spamd):
        try:
            res.append(ss.request(s.port, "SYMBOLS", msg))
        except OSError as e:
            res.append(ss.Reply(f"(no reply: {e})".encode()))
    return path, res[0], res[1]


def score_details(srv, path):
    """Rules that both hit but score differently: [(rule, sift, spamd)]."""
    with open(path, "rb") as f:
        msg = f.read()
    try:
        a = report_scores(ss.request(srv.siftd.port, "REPORT", msg))
        b = report_scores(ss.request(srv.spamd.port, "REPORT", msg))
    except OSError:
        return []
    return [(r, a[r], b[r]) for r in sorted(set(a) & set(b)) if abs(a[r] - b[r]) > 0.05]


def pct(a, b):
    return f"{100.0 * a / b:6.2f}%" if b else "   n/a "


class Tally:
    def __init__(self):
        self.n = self.same_set = self.same_verdict = self.same_score = self.near_score = 0
        self.sa_hits = self.sift_hits = self.both = 0
        self.abs_diff = 0.0
        self.missing, self.extra = {}, {}
        self.errors = {"siftd": {}, "spamd": {}}
        self.differ = []  # (path, missing, extra, sift score, spamd score)
        self.score_only = []  # paths: same rules, other score
        self.flips = {"ham->spam": 0, "spam->ham": 0}  # spamd's verdict -> sift's
        self.labelled = self.sift_right = self.spamd_right = 0

    def error(self, who, reply):
        text = reply.status[:100] if reply.status else "(empty reply)"
        self.errors[who][text] = self.errors[who].get(text, 0) + 1

    def add(self, path, sift, spamd):
        ok = True
        for who, r in (("siftd", sift), ("spamd", spamd)):
            if not r.ok or r.is_spam is None:
                self.error(who, r)
                ok = False
        if not ok:
            return
        self.n += 1
        a, b = spamd.symbols(), sift.symbols()
        self.sa_hits += len(a)
        self.sift_hits += len(b)
        self.both += len(a & b)
        for r in a - b:
            self.missing[r] = self.missing.get(r, 0) + 1
        for r in b - a:
            self.extra[r] = self.extra.get(r, 0) + 1
        diff = abs(sift.score - spamd.score)
        self.abs_diff += diff
        self.same_set += a == b
        self.same_score += diff < 0.05 + 1e-9
        self.near_score += diff < 0.5 + 1e-9
        if sift.is_spam == spamd.is_spam:
            self.same_verdict += 1
        else:
            self.flips["ham->spam" if sift.is_spam else "spam->ham"] += 1
        if a != b or diff >= 0.05 + 1e-9:
            self.differ.append((path, sorted(a - b), sorted(b - a), sift.score, spamd.score))
            if a == b:
                self.score_only.append(path)
        want = label(path)
        if want is not None:
            self.labelled += 1
            self.sift_right += sift.is_spam == want
            self.spamd_right += spamd.is_spam == want


def print_report(t, asked, skipped, args, rescored):
    print(f"\nspamd-agreement: {t.n} messages compared ({asked} asked, {skipped} over "
          f"{MAX_SIZE} bytes left out, as spamc would)")
    for who, errs in t.errors.items():
        for text, n in sorted(errs.items(), key=lambda kv: -kv[1]):
            print(f"  {who} failed {n} time(s): {text}")
    if t.n == 0:
        return
    print(f"  identical rule sets:               {pct(t.same_set, t.n)}  ({t.same_set} of {t.n})")
    print(f"  spamd's rule hits sift reproduces: {pct(t.both, t.sa_hits)}  "
          f"({t.both} of {t.sa_hits})")
    print(f"  sift's rule hits spamd lacks:      {pct(t.sift_hits - t.both, t.sift_hits)}  "
          f"({t.sift_hits - t.both} of {t.sift_hits})")
    print(f"  same verdict (spam/ham):           {pct(t.same_verdict, t.n)}  "
          f"({t.same_verdict} of {t.n}; spamd ham, sift spam: {t.flips['ham->spam']}; "
          f"spamd spam, sift ham: {t.flips['spam->ham']})")
    print(f"  same score (within 0.05):          {pct(t.same_score, t.n)}  "
          f"(within 0.5: {pct(t.near_score, t.n).strip()}; mean |difference| "
          f"{t.abs_diff / t.n:.3f})")
    if t.labelled:
        print(f"  right by the corpus labels:        spamd {pct(t.spamd_right, t.labelled)}, "
              f"sift {pct(t.sift_right, t.labelled).strip()} (of {t.labelled})")
    rows = sorted(set(t.missing) | set(t.extra),
                  key=lambda r: (-(t.missing.get(r, 0) + t.extra.get(r, 0)), r))
    if rows:
        print(f"  rules that differ ({len(rows)}; top {min(args.top, len(rows))}):")
        for r in rows[:args.top]:
            print(f"    {r + ':':30s} missing in sift {t.missing.get(r, 0):4d}, "
                  f"extra in sift {t.extra.get(r, 0):4d}")
    if t.score_only:
        print(f"  same rules, other score: {len(t.score_only)} message(s)")
        for (r, a, b), n in sorted(rescored.items(), key=lambda kv: -kv[1])[:args.top]:
            print(f"    {r + ':':30s} sift {a:5.1f}, spamd {b:5.1f} ({n} message(s))")
    if args.verbose and not t.differ:
        print("  messages that differ: none")
    elif args.verbose:
        print("  messages that differ:")
        for path, missing, extra, a, b in t.differ:
            print(f"    {path}: score sift {a:.1f} spamd {b:.1f}; "
                  f"missing {','.join(missing) or '-'}; extra {','.join(extra) or '-'}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("paths", nargs="*")
    ap.add_argument("--sample", type=int, default=400, help="messages, a fixed-seed sample")
    ap.add_argument("--all", action="store_true", help="every message, no sample")
    ap.add_argument("--limit", type=int, default=0, help="at most this many (after sampling)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("-j", "--jobs", type=int, default=8, help="requests in flight")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--sift-count", type=int, default=2)
    ap.add_argument("--spamd-children", type=int, default=8)
    ap.add_argument("-v", "--verbose", action="store_true", help="list the messages that differ")
    args = ap.parse_args()

    paths = args.paths or [ss.CORPUS]
    files = [f for f in ss.message_files(paths) if os.path.basename(f) != "README.md"]
    if not files:
        print(f"spamd-agreement: no messages under {' '.join(paths)}; skipped")
        return 0
    files = pick(files, args)
    t = Tally()
    skipped = 0
    rescored = {}
    try:
        with ss.Servers(sift_count=args.sift_count, spamd_children=args.spamd_children) as srv:
            print(f"spamd-agreement: {len(files)} messages, SYMBOLS to both, "
                  f"{args.jobs} at a time ...", flush=True)
            with ThreadPoolExecutor(max_workers=args.jobs) as ex:
                for i, (path, sift, spamd) in enumerate(ex.map(lambda f: scan(srv, f), files)):
                    if sift is None:
                        skipped += 1
                    else:
                        t.add(path, sift, spamd)
                    if (i + 1) % 500 == 0:
                        print(f"  {i + 1} done", flush=True)
                for rows in ex.map(lambda f: score_details(srv, f), t.score_only):
                    for r, a, b in rows:
                        rescored[(r, a, b)] = rescored.get((r, a, b), 0) + 1
    except ss.ServerError as e:
        print(f"spamd-agreement: {e}", file=sys.stderr)
        return 1
    print_report(t, len(files), skipped, args, rescored)
    return 0


if __name__ == "__main__":
    sys.exit(main())
