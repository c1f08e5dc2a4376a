#!/usr/bin/env python3
"""mime-parity.py - how closely sift's view of messages matches SpamAssassin's.

Runs SpamAssassin (scripts/sa-views.pl, needs Debian's spamassassin) and
`siftadm inspect --json` on the same messages and prints, for each view the
rules read (headers, parts, body, rawbody, uri, relays, address look-ups...),
the share of messages where both agree exactly, and a few that differ.

    scripts/mime-parity.py [--build build] [--sa-cache FILE] [--show FIELD] [PATH...]

PATH: message files or directories (default: ../shared/corpus). --sa-cache
keeps SpamAssassin's output (it takes a while) and reuses it when present.
"""

import argparse
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_CORPUS = os.path.join(os.path.dirname(ROOT), "shared", "corpus")

# the html facts both sides print
HTML_KEYS = ("html_length", "image_area", "length", "max_size", "min_size", "non_space_len")


def message_files(paths):
    files = []
    for p in paths:
        if os.path.isdir(p):
            for dirpath, _, names in os.walk(p):
                files += [os.path.join(dirpath, n) for n in sorted(names) if n.endswith(".eml")]
        else:
            files.append(p)
    return sorted(files)


def run_in_chunks(argv, files, chunk=200):
    out = {}
    for i in range(0, len(files), chunk):
        r = subprocess.run(argv + files[i:i + chunk], capture_output=True, check=False)
        if r.returncode != 0:
            sys.stderr.write(r.stderr.decode(errors="replace"))
        for line in r.stdout.decode("ascii", errors="replace").splitlines():
            if line.strip():
                d = json.loads(line)
                out[d["file"]] = d
    return out


def plain(v):
    """Numbers as strings: Perl's JSON writes a number it once printed as a string."""
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [plain(x) for x in v]
    if isinstance(v, bool):
        return str(int(v))
    if isinstance(v, (int, float)):
        return str(v)
    return v


def views(d):
    """The comparable fields of one message's dump."""
    d = plain(d)
    v = {
        "headers": d.get("headers"),
        "mbox": d.get("mbox"),
        "flags": d.get("flags", {}),
        "parts": d.get("parts"),
        "body": d.get("body"),
        "rawbody": d.get("rawbody"),
        "invisible": d.get("invisible"),
        "uri": sorted(d.get("uri", [])),
        "all": d.get("all"),
        # SA: parse_rfc822_date(get('Date')); sift: mime_msg_date
        "date": d["date"] if "date" in d else (d.get("sift") or {}).get("date"),
    }
    for k, val in (d.get("relays") or {}).items():
        v["relays." + k] = val
    for k, val in (d.get("get") or {}).items():
        v["get." + k] = val
    v["html"] = [None if h is None else {k: h.get(k) for k in HTML_KEYS}
                 for h in d.get("html", [])]
    return v


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="*")
    ap.add_argument("--build", default=os.environ.get("SIFT_BUILD", "build"))
    ap.add_argument("--sa-cache")
    ap.add_argument("--show", action="append", default=[], help="print the differences of FIELD")
    ap.add_argument("--max-show", type=int, default=5)
    args = ap.parse_args()

    paths = args.paths or [DEFAULT_CORPUS]
    if not args.paths and not os.path.isdir(DEFAULT_CORPUS):
        print(f"mime-parity: no corpus at {DEFAULT_CORPUS}; nothing to compare")
        return 0
    files = message_files(paths)
    if args.sa_cache and os.path.exists(args.sa_cache):
        with open(args.sa_cache) as f:
            sa = {d["file"]: d for d in map(json.loads, f) if d}
    else:
        sa = run_in_chunks(["perl", os.path.join(ROOT, "scripts", "sa-views.pl")], files)
        if args.sa_cache:
            with open(args.sa_cache, "w") as f:
                for d in sa.values():
                    f.write(json.dumps(d) + "\n")
    sift = run_in_chunks([os.path.join(ROOT, args.build, "siftadm"), "inspect", "--json"], files)

    common = [f for f in files if f in sa and f in sift]
    agree, differ = {}, {}
    for f in common:
        a, b = views(sa[f]), views(sift[f])
        for k in sorted(set(a) | set(b)):
            if a.get(k) == b.get(k):
                agree[k] = agree.get(k, 0) + 1
            else:
                differ.setdefault(k, []).append(f)
    print(f"mime-parity: {len(common)} messages compared ({len(files)} files)")
    for k in sorted(set(agree) | set(differ)):
        ok = agree.get(k, 0)
        print(f"  {k:28s} {100.0 * ok / len(common):7.2f}%  ({len(differ.get(k, []))} differ)")
    for k in args.show:
        for f in differ.get(k, [])[:args.max_show]:
            print(f"\n--- {k}: {f}")
            print("  sa:   " + json.dumps(views(sa[f]).get(k))[:3000])
            print("  sift: " + json.dumps(views(sift[f]).get(k))[:3000])
    return 0


if __name__ == "__main__":
    sys.exit(main())
