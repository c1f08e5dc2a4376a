#!/usr/bin/env python3
"""Compare sift's rule hits with the real SpamAssassin's on the same messages.

Runs SpamAssassin (scripts/sa-scan.pl: Debian's 4.0.1, network tests and
Bayes off, as `spamassassin -L`) and `siftadm scan --json --local` with the
same rules (SA's rules directory and /etc/spamassassin) and prints:
  - the share of SpamAssassin's rule hits that sift reproduces,
  - the share of sift's hits that SpamAssassin does not have,
  - the share of messages where both give the same verdict (spam/ham),
and the rules that differ most.

    scripts/sa-rule-parity.py [--build build] [--sa-cache FILE] [--show RULE]
                              [--sample N] [--top N] [PATH...]

PATH: message files or directories (default: ../shared/corpus). --sa-cache
FILE keeps SpamAssassin's results (SpamAssassin takes ~0.1 s a message):
read when it exists, written otherwise. --sample N: every k-th message so
that about N are compared. Exit status 0; the figures are the output.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def message_files(paths):
    out = []
    for p in paths:
        if os.path.isdir(p):
            for d, _, names in os.walk(p):
                out += [os.path.join(d, n) for n in names if not n.startswith(".")]
        else:
            out.append(p)
    return sorted(out)


def run_chunks(argv, files, chunk=200, jobs=2):
    """argv + each chunk of files; every output line is one JSON object with "file"."""
    def one(part):
        r = subprocess.run(argv + part, capture_output=True, check=False)
        if r.returncode != 0:
            sys.stderr.write(r.stderr.decode(errors="replace")[-2000:])
        return [json.loads(l) for l in r.stdout.decode().splitlines() if l.strip()]

    parts = [files[i:i + chunk] for i in range(0, len(files), chunk)]
    res = {}
    with ThreadPoolExecutor(max_workers=jobs) as ex:
        for rows in ex.map(one, parts):
            for d in rows:
                res[d["file"]] = d
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="*")
    ap.add_argument("--build", default=os.environ.get("SIFT_BUILD", "build"))
    ap.add_argument("--sa-cache")
    ap.add_argument("--show", action="append", default=[])
    ap.add_argument("--sample", type=int, default=0)
    ap.add_argument("--top", type=int, default=25)
    args = ap.parse_args()

    paths = args.paths or [os.path.join(os.path.dirname(ROOT), "shared", "corpus")]
    files = [os.path.abspath(f) for f in message_files(paths)]
    if not files:
        print("sa-rule-parity: no messages (is ../shared/corpus there?)")
        return 0
    if args.sample and len(files) > args.sample:
        step = len(files) / args.sample
        files = [files[int(i * step)] for i in range(args.sample)]

    if args.sa_cache and os.path.exists(args.sa_cache):
        with open(args.sa_cache) as fh:
            sa = {d["file"]: d for d in map(json.loads, fh)}
    else:
        sa = run_chunks(["perl", os.path.join(ROOT, "scripts", "sa-scan.pl")], files)
        if args.sa_cache:
            with open(args.sa_cache, "w") as fh:
                for d in sa.values():
                    fh.write(json.dumps(d) + "\n")

    with tempfile.TemporaryDirectory() as db:
        sift = run_chunks([os.path.join(ROOT, args.build, "siftadm"), "-c",
                           os.path.join(ROOT, "config", "sift.yaml"), "-o",
                           "options.dbdir=" + db, "scan", "--json", "--local"], files, chunk=500)

    common = [f for f in files if f in sa and f in sift]
    sa_hits = sift_hits = both = 0
    agree = 0
    missed, extra = {}, {}
    sub_sa = sub_both = sub_extra = 0
    for f in common:
        a, b = set(sa[f]["symbols"]), set(sift[f]["symbols"])
        sa_hits += len(a)
        sift_hits += len(b)
        both += len(a & b)
        agree += sa[f]["is_spam"] == sift[f]["is_spam"]
        for r in a - b:
            missed.setdefault(r, []).append(f)
        for r in b - a:
            extra.setdefault(r, []).append(f)
        sa_sub, sift_sub = set(sa[f]["subrules"]), set(sift[f]["subrules"])
        sub_sa += len(sa_sub)
        sub_both += len(sa_sub & sift_sub)
        sub_extra += len(sift_sub - sa_sub)

    n = len(common)
    print(f"sa-rule-parity: {n} messages compared ({len(files)} asked)")
    if n == 0:
        return 0
    print(f"  SpamAssassin's hits reproduced: {100.0 * both / max(sa_hits, 1):6.2f}%"
          f"  ({both} of {sa_hits})")
    print(f"  sift's hits SpamAssassin lacks: {100.0 * (sift_hits - both) / max(sift_hits, 1):6.2f}%"
          f"  ({sift_hits - both} of {sift_hits})")
    print(f"  same verdict (spam/ham):        {100.0 * agree / n:6.2f}%  ({agree} of {n})")
    print(f"  sub-rules (__) reproduced:      {100.0 * sub_both / max(sub_sa, 1):6.2f}%"
          f"  (extra {sub_extra})")
    rows = sorted(set(missed) | set(extra),
                  key=lambda r: -(len(missed.get(r, [])) + len(extra.get(r, []))))
    if rows:
        print(f"  rules that differ ({len(rows)}; missed = SA hit it, sift did not):")
        for r in rows[:args.top]:
            print(f"    {r:32s} missed {len(missed.get(r, [])):5d}  extra {len(extra.get(r, [])):5d}")
    for r in args.show:
        for f in (missed.get(r, []) + extra.get(r, []))[:5]:
            kind = "missed" if f in missed.get(r, []) else "extra"
            print(f"  {r} {kind}: {f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
