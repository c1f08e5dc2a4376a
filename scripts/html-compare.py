#!/usr/bin/env python3
"""html-compare.py - compare two JSON-lines dumps of HTML renderings
(scripts/sa-html.pl: SpamAssassin's, tests/unit/mime/html_dump.c: ours),
matched by line order, field by field.

    scripts/html-compare.py SA.jsonl OURS.jsonl [-v FIELD]...

Prints, per field, how many parts agree, then the parts where the three
rendered texts or every field agree; -v FIELD lists the files that differ
in FIELD, with both values.
"""
import json
import sys

TEXTS = ("text", "visible", "invisible")


def load(path):
    with open(path, encoding="ascii") as f:
        return [json.loads(line) for line in f if line.strip()]


def main():
    args = sys.argv[1:]
    show = []
    while "-v" in args:
        i = args.index("-v")
        show.append(args[i + 1])
        del args[i:i + 2]
    sa, ours = load(args[0]), load(args[1])
    if len(sa) != len(ours):
        sys.exit("different numbers of parts: %d and %d" % (len(sa), len(ours)))
    fields = sorted(set(k for a in sa for k in a if k not in ("file", "died")))
    died = [i for i, a in enumerate(sa) if a.get("died")]
    sa = [a for i, a in enumerate(sa) if i not in set(died)]
    ours = [b for i, b in enumerate(ours) if i not in set(died)]
    if died:
        print("skipped %d parts where SpamAssassin dies" % len(died))
    same = {k: 0 for k in fields}
    texts_same = all_same = 0
    for a, b in zip(sa, ours):
        diff = [k for k in fields if a.get(k) != b.get(k)]
        for k in fields:
            if k not in diff:
                same[k] += 1
        if not any(k in diff for k in TEXTS):
            texts_same += 1
        if not diff:
            all_same += 1
        for k in show:
            if k in diff:
                print("%s %s\n  sa:   %s\n  ours: %s" % (a["file"], k, json.dumps(a.get(k))[:600],
                                                        json.dumps(b.get(k))[:600]))
    n = len(sa) or 1
    for k in fields:
        print("%-20s %5d/%d %7.2f%%" % (k, same[k], len(sa), 100.0 * same[k] / n))
    print("%-20s %5d/%d %7.2f%%" % ("texts", texts_same, len(sa), 100.0 * texts_same / n))
    print("%-20s %5d/%d %7.2f%%" % ("all fields", all_same, len(sa), 100.0 * all_same / n))


if __name__ == "__main__":
    main()
