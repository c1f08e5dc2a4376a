#!/usr/bin/env python3
"""bayes-tok-parity.py - does sift make SpamAssassin's Bayes tokens, and its probability?

Tokens: runs SpamAssassin's own tokenizer (scripts/sa-bayes-tokens.pl, needs
Debian's spamassassin) and sift's (scripts/bayes_tok_dump.c, built here
against $SIFT_BUILD/libsiftd.a, libsiftcompat.a and libsift.a: run `make` first) over
the corpus (../shared/corpus/ham and spam) and prints the share of messages
whose token sets (the 5-byte database keys) are identical, and for the rest
the tokens only SpamAssassin makes and only sift makes, most frequent first.

Classifier (--classify N): trains a Bayes database with the real sa-learn
(--train messages of each class, at least 200 so that Bayes scores), has
SpamAssassin score N other messages against it (its probability and the
counts it read), and recomputes each probability with sift's classifier,
from SA's counts and from sift's own tokens; they must agree to 1e-9.

    scripts/bayes-tok-parity.py [--limit N] [--mode learn|scan] [--cf TEXT] [--top N]
                                [--show N] [--classify N [--train N]] [PATH...]

--cf TEXT: SpamAssassin configuration both sides read after the stock rules
(e.g. "bayes_token_sources all" or "bayes_max_token_length 10").

PATH: message files or directories (default: the corpus). Skips with a
message when the corpus or SpamAssassin is missing.
"""

import argparse
import collections
import json
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(os.path.dirname(ROOT), "shared", "corpus")
BUILD = os.environ.get("SIFT_BUILD", "build")


def message_files(paths):
    files = []
    for p in paths:
        if os.path.isdir(p):
            for dirpath, _, names in os.walk(p):
                files += [os.path.join(dirpath, n) for n in sorted(names) if n.endswith(".eml")]
        elif os.path.isfile(p):
            files.append(p)
    return sorted(files)


def corpus_files(limit):
    """ham and spam interleaved, so that --limit takes some of each"""
    ham = message_files([os.path.join(CORPUS, "ham")])
    spam = message_files([os.path.join(CORPUS, "spam")])
    out = []
    for i in range(max(len(ham), len(spam))):
        out += ([ham[i]] if i < len(ham) else []) + ([spam[i]] if i < len(spam) else [])
    return out[:limit] if limit else out


def build():
    exe = os.path.join(tempfile.gettempdir(), "bayes_tok_dump")
    pkgs = ["libevent", "libevent_openssl", "yaml-0.1", "libsodium", "libpcre2-8", "libidn2",
            "libssl", "libcrypto", "zlib", "libzstd"]
    if subprocess.run(["pkg-config", "--exists", "libhs"]).returncode == 0:
        pkgs.append("libhs")
    libs = subprocess.run(["pkg-config", "--libs"] + pkgs, capture_output=True, text=True,
                          check=True).stdout.split()
    subprocess.run(["cc", "-O2", "-g", "-D_GNU_SOURCE", "-std=c11", "-Wall", "-Wextra", "-Werror",
                    "-Iserver", "-I.", "-o", exe, "scripts/bayes_tok_dump.c",
                    os.path.join(BUILD, "libsiftd.a"), os.path.join(BUILD, "libsiftcompat.a"),
                    os.path.join(BUILD, "libsift.a")] +
                   libs + ["-ldb", "-lm"], check=True, cwd=ROOT)
    return exe


def run_lines(argv, files, chunk=300):
    out = {}
    for i in range(0, len(files), chunk):
        r = subprocess.run(argv + files[i:i + chunk], capture_output=True, cwd=ROOT)
        if r.returncode != 0:
            sys.stderr.write(r.stderr.decode(errors="replace"))
        for line in r.stdout.decode("ascii", errors="replace").splitlines():
            if line.strip():
                d = json.loads(line)
                out[d["file"]] = d
    return out


def compare_tokens(args, files, exe):
    cf = ["--cf", args.cf] if args.cf else []
    perl = ["perl", os.path.join(ROOT, "scripts", "sa-bayes-tokens.pl"), "--mode", args.mode] + cf
    sa = run_lines(perl, files)
    sift = run_lines([exe] + (["--scan"] if args.mode == "scan" else []) + cf, files)
    same = 0
    only_sa, only_sift = collections.Counter(), collections.Counter()
    differing = []
    for f in files:
        if f not in sa or f not in sift:
            differing.append((f, {"(missing output)"}, set()))
            continue
        a = {k: t for k, t in sa[f]["tokens"]}
        b = {k: t for k, t in sift[f]["tokens"]}
        if a.keys() == b.keys():
            same += 1
            continue
        da = {a[k] for k in a.keys() - b.keys()}
        db = {b[k] for k in b.keys() - a.keys()}
        only_sa.update(da)
        only_sift.update(db)
        differing.append((f, da, db))
    n = len(files)
    print("bayes tokens (%s mode%s): %d/%d messages identical (%.2f%%)"
          % (args.mode, ", " + args.cf.replace("\n", "; ") if args.cf else "", same, n,
             100.0 * same / n if n else 0))
    if differing:
        print("tokens only SpamAssassin makes (messages):")
        for t, c in only_sa.most_common(args.top):
            print("  %6d  %r" % (c, t))
        print("tokens only sift makes (messages):")
        for t, c in only_sift.most_common(args.top):
            print("  %6d  %r" % (c, t))
        for f, da, db in differing[:args.show]:
            print("%s: only SA %s; only sift %s" % (os.path.relpath(f, ROOT), sorted(da)[:8],
                                                   sorted(db)[:8]))
    return same == n


def compare_classifier(args, exe):
    ham = message_files([os.path.join(CORPUS, "ham")])
    spam = message_files([os.path.join(CORPUS, "spam")])
    if len(ham) < args.train + 1 or len(spam) < args.train + 1:
        print("classifier: not enough messages to train on; skipped")
        return True
    tmp = tempfile.mkdtemp(prefix="sift-bayes-")
    try:
        base = ["sa-learn", "--dbpath", tmp, "-C", "/usr/share/spamassassin",
                "--siteconfigpath", "/etc/spamassassin", "--no-sync"]
        for cls, fs in (("--spam", spam[:args.train]), ("--ham", ham[:args.train])):
            subprocess.run(base + [cls] + fs, check=True, capture_output=True)
        subprocess.run(["sa-learn", "--dbpath", tmp, "--sync"], check=True, capture_output=True)
        rest = []
        for i in range(args.classify):
            pool = spam if i % 2 else ham
            j = args.train + i // 2
            if j < len(pool):
                rest.append(pool[j])
        perl = ["perl", os.path.join(ROOT, "scripts", "sa-bayes-tokens.pl"), "--dbpath", tmp]
        sa = run_lines(perl, rest)
        listfile = os.path.join(tmp, "counts.txt")
        with open(listfile, "w") as f:
            for p in rest:
                d = sa.get(p)
                if d is None or "nspam" not in d:
                    continue
                f.write("%s %d %d %s %s\n" % (p, d["nspam"], d["nham"],
                                              d["score"] if d["score"] is not None else "none",
                                              " ".join("%s:%d:%d" % tuple(c) for c in d["counts"])))
        r = subprocess.run([exe, "--classify", listfile], capture_output=True, text=True,
                           cwd=ROOT, check=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    agree_counts = agree_tokens = total = scored = 0
    worst = 0.0
    buckets = collections.Counter()
    for line in r.stdout.splitlines():
        path, sa_p, from_counts, from_tokens = line.split("\t")
        total += 1
        if sa_p != "none":
            scored += 1
            p = float(sa_p)
            buckets["<=0.01" if p <= 0.01 else ">0.99" if p > 0.99 else "between"] += 1

        def same(x, y):
            if x == "none" or y == "none":
                return x == y, 0.0
            d = abs(float(x) - float(y))
            return d <= 1e-9, d
        ok1, d1 = same(sa_p, from_counts)
        ok2, d2 = same(sa_p, from_tokens)
        worst = max(worst, d1, d2)
        agree_counts += ok1
        agree_tokens += ok2
        if not (ok1 and ok2):
            print("  %s: SA %s, sift from SA's counts %s, from sift's tokens %s"
                  % (os.path.relpath(path, ROOT), sa_p, from_counts, from_tokens))
    print("classifier (trained on %d+%d): %d/%d probabilities equal from SA's counts, "
          "%d/%d from sift's own tokens (to 1e-9; largest difference %.3g); SA scored %d (%s)"
          % (args.train, args.train, agree_counts, total, agree_tokens, total, worst, scored,
             ", ".join("%s: %d" % kv for kv in sorted(buckets.items()))))
    return agree_counts == total and agree_tokens == total


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--limit", type=int, default=0, help="only the first N messages")
    ap.add_argument("--mode", choices=("learn", "scan"), default="learn")
    ap.add_argument("--cf", default="", help="configuration both sides read after the rules")
    ap.add_argument("--top", type=int, default=20)
    ap.add_argument("--show", type=int, default=5, help="differing messages to list")
    ap.add_argument("--classify", type=int, default=0, metavar="N",
                    help="check the probability on N messages (trains a DB with sa-learn)")
    ap.add_argument("--train", type=int, default=250, help="messages of each class to train on")
    ap.add_argument("paths", nargs="*")
    args = ap.parse_args()
    if shutil.which("sa-learn") is None or not os.path.isdir("/usr/share/spamassassin"):
        print("bayes-tok-parity: SpamAssassin is not installed; skipped")
        return 0
    if args.paths:
        files = message_files(args.paths)[:args.limit or None]
    elif os.path.isdir(CORPUS):
        files = corpus_files(args.limit)
    else:
        print("bayes-tok-parity: no corpus at %s; skipped" % CORPUS)
        return 0
    exe = build()
    ok = compare_tokens(args, files, exe) if files else True
    if args.classify:
        if not os.path.isdir(CORPUS):
            print("classifier: no corpus; skipped")
        else:
            ok = compare_classifier(args, exe) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
