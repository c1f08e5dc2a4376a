#!/usr/bin/env python3
"""eval_parity.py - compare sift's header, forged-webmail and relay eval
functions with SpamAssassin's on real mail.

    scripts/eval_parity.py [--cf TEXT] [--calls FILE] [--extra] [--show N] [--jobs N] DIR_OR_FILE...
    scripts/eval_parity.py --write-expected DIR


Every stock rule's call of a function of compat/sa_eval_header.c,
compat/sa_eval_forged.c and compat/sa_eval_relay.c (found in
/usr/share/spamassassin/*.cf), or the calls of --calls FILE (one a line),
runs on every message: SA's result from
scripts/sa-eval-header.pl, sift's from scripts/eval_parity.c (built here
against build/libsiftcompat.a and build/libsift.a: run `make` first). With
--extra the functions no stock rule calls are checked too. --cf gives both
sides the same SpamAssassin configuration text ("ok_locales en"). Prints the
agreement per call and the first N messages of each difference.
--write-expected runs only SA, with the stock and extra calls (but those
whose result depends on the clock, and those sift leaves out), on DIR/*.eml
and writes DIR/expected.txt for the unit tests.
Run from the repository root.
"""
import argparse
import glob
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SA_RULES = "/usr/share/spamassassin"
EXTRA = [
    "check_for_to_in_subject('address')",
    "check_illegal_chars('Subject:raw', '0.00', '2')",
    "check_for_numeric_helo()",
    "check_for_sender_no_reverse()",
    "check_for_forged_received_ip_helo()",
    "check_for_forged_gw05_received_headers()",
    "check_messageid_not_usable()",
    "check_for_msn_groups_headers()",
    "check_for_unique_subject_id()",
    "check_for_illegal_ip()",
    "check_for_from_domain_in_received_headers('yahoo.com', 'true')",
    "check_for_from_domain_in_received_headers('hotmail.com', 'false')",
    "received_within_months('undef', '120')",
    "received_within_months('240', 'undef')",
]


def sift_functions():
    names = set()
    for src in ("compat/sa_eval_header.c", "compat/sa_eval_forged.c", "compat/sa_eval_relay.c"):
        with open(os.path.join(ROOT, src)) as f:
            names.update(re.findall(r'^\s*\{ "(\w+)",', f.read(), re.M))
    return names


def stock_calls(names):
    calls = set()
    for cf in glob.glob(os.path.join(SA_RULES, "*.cf")):
        with open(cf, encoding="latin-1") as f:
            for m in re.finditer(r"eval:(\w+)\(([^)]*)\)", f.read()):
                if m.group(1) in names:
                    calls.add("%s(%s)" % (m.group(1), m.group(2)))
    return sorted(calls)


def build():
    exe = "/tmp/eval_parity"
    libs = subprocess.run(["pkg-config", "--libs", "libevent", "yaml-0.1", "libsodium",
                           "libpcre2-8", "libidn2", "libcrypto"] +
                          (["libhs"] if subprocess.run(["pkg-config", "--exists", "libhs"]).returncode == 0 else []),
                          capture_output=True, text=True, check=True).stdout.split()
    subprocess.run(["cc", "-O2", "-g", "-D_GNU_SOURCE", "-std=c11", "-Iserver", "-I.", "-o", exe,
                    "scripts/eval_parity.c", "build/libsiftcompat.a", "build/libsift.a"] + libs +
                   ["-lm"], check=True, cwd=ROOT)
    return exe


def sa_value(v):
    """Perl's truth of what SA returned, as got_hit would count it."""
    if v in ("", "0", "undef") or v.startswith("die:"):
        return 0.0
    try:
        f = float(v)
        return f if f > 0 else 1.0
    except ValueError:
        return 1.0


def run_chunk(exe, callfile, files, cf):
    opt = ["--cf", cf] if cf else []
    sa = subprocess.run(["perl", os.path.join(ROOT, "scripts/sa-eval-header.pl")] + opt +
                        ["--calls", callfile] + files, capture_output=True, check=True).stdout
    me = subprocess.run([exe] + opt + [callfile] + files, capture_output=True, check=True,
                        cwd=ROOT).stdout
    return sa.decode("latin-1").splitlines(), me.decode("latin-1").splitlines()


def write_expected(d):
    calls = [c for c in stock_calls(sift_functions()) + EXTRA
             if c.split("(")[0] in sift_functions() and not c.startswith("received_within_months")]
    files = sorted(glob.glob(os.path.join(d, "*.eml")))
    callfile = "/tmp/eval_parity_calls.txt"
    with open(callfile, "w") as f:
        f.write("\n".join(calls) + "\n")
    out = subprocess.run(["perl", os.path.join(ROOT, "scripts/sa-eval-header.pl"), "--calls",
                          callfile] + files, capture_output=True, check=True).stdout
    hits = []
    for line in out.decode("latin-1").splitlines():
        fa, ca, va = line.split("\t", 2)
        if sa_value(va) != 0:
            hits.append("hit %s %s" % (os.path.basename(fa), ca))
    with open(os.path.join(d, "expected.txt"), "w") as f:
        f.write("# What SpamAssassin 4.0.1's functions return on the messages here, for\n"
                "# tests/unit/compat/test_sa_eval_{header,relay}.c; written by\n"
                "# scripts/eval_parity.py --write-expected (scripts/sa-eval-header.pl).\n"
                "# Every call listed runs on every .eml file; \"hit FILE CALL\" lines are\n"
                "# the true results, every other pair is false.\n")
        for c in calls:
            f.write("call %s\n" % c)
        for h in hits:
            f.write(h + "\n")
    print("%s: %d calls, %d files, %d hits" % (os.path.join(d, "expected.txt"), len(calls),
                                               len(files), len(hits)))
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls")
    ap.add_argument("--cf")
    ap.add_argument("--extra", action="store_true")
    ap.add_argument("--show", type=int, default=5)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--write-expected", metavar="DIR")
    ap.add_argument("paths", nargs="*")
    args = ap.parse_args()
    if args.write_expected:
        return write_expected(args.write_expected)

    files = []
    for p in args.paths:
        files += sorted(glob.glob(os.path.join(p, "*"))) if os.path.isdir(p) else [p]
    if args.calls:
        with open(args.calls) as f:
            calls = [l.strip() for l in f if l.strip()]
    else:
        calls = stock_calls(sift_functions())
        if args.extra:
            calls += EXTRA
    callfile = "/tmp/eval_parity_calls.txt"
    with open(callfile, "w") as f:
        f.write("\n".join(calls) + "\n")
    exe = build()

    chunks = [files[i:i + 100] for i in range(0, len(files), 100)]
    agree, total, hits_sa, hits_me, diffs = {}, {}, {}, {}, {}
    with ThreadPoolExecutor(args.jobs) as pool:
        for sa, me in pool.map(lambda c: run_chunk(exe, callfile, c, args.cf), chunks):
            if len(sa) != len(me):
                sys.exit("eval_parity: %d SA lines, %d sift lines" % (len(sa), len(me)))
            for a, b in zip(sa, me):
                fa, ca, va = a.split("\t", 2)
                fb, cb, vb = b.split("\t", 2)
                assert fa == fb and ca == cb, (a, b)
                x = sa_value(va)
                y = 0.0 if vb.startswith("missing:") else float(vb)
                total[ca] = total.get(ca, 0) + 1
                hits_sa[ca] = hits_sa.get(ca, 0) + (x != 0)
                hits_me[ca] = hits_me.get(ca, 0) + (y != 0)
                if (x != 0) == (y != 0):
                    agree[ca] = agree.get(ca, 0) + 1
                else:
                    diffs.setdefault(ca, []).append((fa, va, vb))
    width = max(len(c) for c in calls)
    print("%-*s %9s %7s %7s" % (width, "call", "agree", "SA hits", "sift"))
    for c in calls:
        n = total.get(c, 0)
        print("%-*s %4d/%-4d %7d %7d" % (width, c, agree.get(c, 0), n, hits_sa.get(c, 0),
                                         hits_me.get(c, 0)))
    for c in calls:
        for fa, va, vb in diffs.get(c, [])[:args.show]:
            print("DIFF %s %s SA=%r sift=%s" % (c, fa, va, vb))
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
