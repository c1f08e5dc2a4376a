#!/usr/bin/env python3
"""received_compare.py - compare sift's Received chains with SpamAssassin's.

    scripts/received_compare.py [--sa FILE] [--dump-args '...'] [--show N] VIEWS.jsonl
    scripts/received_compare.py --lines [--show N] VALUES.txt

VIEWS.jsonl holds SA's view of each message (scripts/sa-views.pl: "headers"
as [name, decoded, raw] and "relays"). The Received values (decoded, in
order) and the originating_ip_headers values are fed to received_dump
(scripts/received_dump.c, built here from server/ objects); its four relay
strings, unparseable count and last indexes are compared with SA's: with
--sa, with those of scripts/sa-received.pl (run with a trust config whose
options go to received_dump through --dump-args too), and then each relay's
no_reverse_dns and rdns_not_in_headers as well. With --lines, each line of
VALUES.txt is one Received value, read by parse_received_line and by
mime_received_parse_line, and every field is compared.
"""
import argparse
import json
import os
import shlex
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# 10_default_prefs.cf of SpamAssassin 4.0.1, in order
ORIGINATING = ["X-Yahoo-Post-IP", "X-Originating-IP", "X-Apparently-From", "X-SenderIP",
               "X-AOL-IP", "X-MS-Exchange-CrossTenant-OriginalAttributedTenantConnectingIp"]
KEYS = ["relays_trusted_str", "relays_untrusted_str", "relays_internal_str",
        "relays_external_str"]
NUMS = ["num_relays_unparseable", "last_trusted_relay_index", "last_internal_relay_index"]
# per relay, from sa-received.pl (SA's views do not hold them)
FLAGS = ["no_reverse_dns", "rdns_not_in_headers"]
OBJS = ["server/core/ipnet.c", "server/core/arena.c", "server/core/strv.c", "server/core/buf.c",
        "server/core/err.c", "server/core/xmalloc.c", "server/core/log.c",
        "server/mime/mime_date.c", "server/mime/mime_received.c",
        "server/mime/mime_received_rules.c"]


def octets(s):
    return s.encode("latin-1") if isinstance(s, str) else s


def build():
    exe = "/tmp/received_dump"
    srcs = [os.path.join(ROOT, s) for s in OBJS + ["scripts/received_dump.c"]]
    subprocess.run(["cc", "-O2", "-g", "-D_GNU_SOURCE", "-std=c11", "-I" + ROOT + "/server",
                    "-o", exe] + srcs + ["-lpcre2-8"], check=True)
    return exe


def records(views):
    out = bytearray()
    for v in views:
        out += b"M " + v["file"].encode() + b"\n"
        hdrs = v["headers"]
        for name, dec, _raw in hdrs:
            if name.lower() == "received":
                b = octets(dec)
                out += b"R %d\n" % len(b) + b + b"\n"
        for h in ORIGINATING:
            last = [dec for name, dec, _raw in hdrs if name.lower() == h.lower()]
            if last:
                b = octets(last[-1])
                out += b"O %d\n" % len(b) + b + b"\n"
        out += b"E\n"
    return bytes(out)


def compare_lines(exe, path, show):
    """Each line of path a Received value: parse_received_line against parse_line."""
    sa = subprocess.run(["perl", os.path.join(ROOT, "scripts/sa-received.pl"), "--lines", path],
                        capture_output=True, check=True).stdout.decode().splitlines()
    with open(path, "rb") as f:
        me = subprocess.run([exe, "--lines"], stdin=f, capture_output=True,
                            check=True).stdout.decode().splitlines()
    fields = ["ip", "rdns", "helo", "by", "ident", "envfrom", "id", "auth", "as_string",
              "ip_private"] + FLAGS
    bad = 0
    for a, b in zip(sa, me):
        a, b = json.loads(a), json.loads(b)
        ra, rb = a.get("relay") or {}, b.get("relay") or {}
        same = a["status"] == b["status"] and all(
            str(ra.get(k)) == str(rb.get(k)) if k not in ["ip_private"] + FLAGS
            else int(ra.get(k) or 0) == int(rb.get(k) or 0) for k in fields)
        if not same:
            bad += 1
            if bad <= show:
                print("==", a["line"])
                print("   sa:  ", a["status"], {k: ra.get(k) for k in fields} if ra else "")
                print("   sift:", b["status"], {k: rb.get(k) for k in fields} if rb else "")
    print(f"{len(sa)} lines ({len(me)} read by sift): {len(sa) - bad} identical, {bad} differ")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("views", help="sa-views.jsonl, or with --lines a file of Received values")
    ap.add_argument("--lines", action="store_true")
    ap.add_argument("--sa", help="sa-received.pl output to compare with instead of VIEWS' relays")
    ap.add_argument("--dump-args", default="")
    ap.add_argument("--show", type=int, default=10)
    args = ap.parse_args()
    if args.lines:
        compare_lines(build(), args.views, args.show)
        return

    views = [json.loads(l) for l in open(args.views)]
    want = {v["file"]: v["relays"] for v in views}
    if args.sa:
        want = {}
        for l in open(args.sa):
            o = json.loads(l)
            want[o["file"]] = o
    exe = build()
    res = subprocess.run([exe] + shlex.split(args.dump_args), input=records(views),
                         capture_output=True, check=True)
    sys.stderr.write(res.stderr.decode())
    got = {}
    for l in res.stdout.decode().splitlines():
        o = json.loads(l)
        got[o["file"]] = o

    total = same = same4 = 0
    diffs = []
    for f, w in want.items():
        if f not in got:
            continue
        total += 1
        g = got[f]
        k4 = all(g[k] == w[k] for k in KEYS)
        kn = all(int(g[k]) == int(w[k]) for k in NUMS)
        same4 += k4
        same += k4 and kn
        if not (k4 and kn):
            diffs.append((f, w, g))
    print(f"{total} messages: four relay strings identical in {same4} "
          f"({100.0 * same4 / max(total, 1):.2f}%), everything in {same} "
          f"({100.0 * same / max(total, 1):.2f}%)")
    for f, w, g in diffs[:args.show]:
        print("==", f)
        for k in KEYS + NUMS:
            if str(g[k]) != str(w[k]):
                print(f"  {k}:\n    sa:   {w[k]}\n    sift: {g[k]}")
    if args.sa:
        compare_flags(want, got, args.show)


def compare_flags(want, got, show):
    """Per relay, in order: SA's no_reverse_dns and rdns_not_in_headers against ours."""
    relays = same = hits = 0
    bad = []
    for f, w in want.items():
        if f not in got or len(w["relays"]) != len(got[f]["relays"]):
            continue
        for rw, rg in zip(w["relays"], got[f]["relays"]):
            relays += 1
            hits += int(rw["no_reverse_dns"])
            if all(int(rw[k]) == int(rg[k]) for k in FLAGS):
                same += 1
            else:
                bad.append((f, rw, rg))
    print(f"{relays} relays: {'/'.join(FLAGS)} identical in {same} "
          f"({100.0 * same / max(relays, 1):.2f}%); SA says no_reverse_dns on {hits}")
    for f, rw, rg in bad[:show]:
        print("==", f, rw["as_string"])
        print("   sa:  ", {k: rw[k] for k in FLAGS}, "\n   sift:", {k: rg[k] for k in FLAGS})


if __name__ == "__main__":
    main()
