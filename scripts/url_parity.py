#!/usr/bin/env python3
"""url_parity.py - compare server/mime's URL and address code with
SpamAssassin on a corpus, message by message.

    python3 scripts/url_parity.py [--views /tmp/sa/sa-views.jsonl] [--dump build/url_dump]
                                  [--show N] [--cache DIR]
    python3 scripts/url_parity.py --random N [--seed S]   random inputs instead

The views file is what scripts/sa-views.pl printed for the corpus: each
message's rendered body lines, its uri_detail and its raw headers. The C
side is build/url_dump (see scripts/url_dump.c). For the address headers
SpamAssassin's own parse of every raw value comes from scripts/sa-urls.pl
--addr (cached in --cache, it takes a minute).

Compared, per message: the text URIs (what _process_text_uri_list gave
add_uri_detail_list and it kept, with their types), the canonical forms of
every raw URI in uri_detail (HTML ones too), their domains; and per header
value, every field of every address. Differences are listed by kind (all of
them in --cache/diffs.json).

With --random, N generated body lines, URIs, address values and hosts (made
of the pieces SA's code treats specially) go through sa-urls.pl and the C
code alike; domain differences there come from the suffix list (*.ck).
"""
import argparse
import collections
import hashlib
import json
import os
import subprocess
import sys

ADDR_HEADERS = {'from', 'to', 'cc', 'reply-to', 'sender', 'return-path', 'resent-from',
                'resent-to', 'resent-cc', 'resent-sender', 'errors-to', 'bcc'}
TEXT_TYPES = {'parsed', 'schemeless', 'unlinked'}
MAX_URI_LENGTH = 8192


def octets(s):
    """JSON strings here carry one byte per code point."""
    return s.encode('latin-1')


def run_dump(dump, psl, redirectors, lines):
    p = subprocess.run([dump, psl, redirectors], input=''.join(lines).encode(),
                       stdout=subprocess.PIPE, check=True)
    return [json.loads(l) for l in p.stdout.decode('latin-1').splitlines()]


def sa_addr(values, cache):
    """SpamAssassin's parse_header_addresses of each raw value."""
    path = os.path.join(cache, 'sa-addr.jsonl')
    inp = os.path.join(cache, 'addr-in.jsonl')
    with open(inp, 'w') as f:
        for v in values:
            f.write(json.dumps(v.decode('latin-1')) + '\n')
    key = hashlib.sha1(b'\0'.join(values)).hexdigest()
    if not (os.path.exists(path) and open(path + '.key').read() == key):
        # sa-urls.pl --json reads JSON strings; give it the octets as Latin-1 code points
        with open(path, 'w') as out:
            subprocess.run(['perl', 'scripts/sa-urls.pl', '--addr', '--json', inp], stdout=out,
                           check=True)
        open(path + '.key', 'w').write(key)
    return [json.loads(l) for l in open(path)]


# --- random differential inputs -------------------------------------------

def gen_host(r):
    labels = []
    for _ in range(r.randint(1, 4)):
        labels.append(r.choice(['www', 'ftp', 'foo', 'Ex-ample', 'a', 'xn--bcher-kva', 'b\u00fccher',
                                '\u4e2d\u56fd', 'sub_dom', '0x7f', '127', '0377', '12', '-bad',
                                'WWW1', 'www123', 'mail', 'x' * r.choice([1, 63, 64]), '']))
    labels.append(r.choice(['com', 'org', 'co.uk', 'ck', 'www.ck', 'foo.ck', 'info', 'XN--P1AI',
                            'zz', 'museum', 'de', '1', 'c0m', 'Com', 'blogspot.com',
                            '\u0440\u0444']))
    sep = r.choice(['.', '.', '.', '..', '\u3002', '\uff0e', '\u2024', '\ufe52', '\uff61'])
    return sep.join(labels)


def gen_uri(r):
    parts = []
    parts.append(r.choice(['http://', 'https://', 'HTTP://', 'ftp://', 'http:', 'http:/', 'https:///',
                           'mailto:', 'MAILTO:', '', '', 'www.', 'ftp.', 'h%74tp://', 'javascript:',
                           'cid:', 'skype:', 'email:', '//', 'file:', 'http:\\\\']))
    if r.random() < 0.2:
        parts.append(r.choice(['user@', 'u:p@', 'a@b@', '@', 'www.fake.com@', '%20']))
    parts.append(r.choice([gen_host(r), '1.2.3.4', '0x7f.1', '0x7f.0.0.01', '3232235777', '0x7f000001',
                           '4294967296', '99999999999999999999999', '010.0.0.1', '0X1.0x00.0377.8',
                           '0x123456789abcdef01.1.1.1', 'foo', 'localhost', 'www.foo', 'foo bar.com',
                           'foo%2ecom', 'ex&#97;mple.com', 'a&#x2e;com', 'a&#46;b.com', 'a&#12290;b.com',
                           '[::1]', 'foo.com.', 'foo.com!!', 'foo\tbar.com', '',
                           'a' * r.choice([250, 251, 252, 253]) + '.com', ('ab.' * 90) + 'com',
                           '::1', '1::', 'IPv6:1:2::3', '1:2:3:4:5:6:1.2.3.4', '::ffff:1.2.3.4',
                           'fe80::1%eth0', '1:2:3:4:5:6:7:8', '1.2.3.256', '01.2.3.4', '1.2.3']))
    if r.random() < 0.3:
        parts.append(r.choice([':80', ':443', ':8080', ':', ':80x', ':0080', ':123456']))
    if r.random() < 0.7:
        parts.append(r.choice(['/', '/path', '/a%41b%2f%20%7f%e9', '?x=1', '#frag', '/r?url=http://evil.com/x',
                               '/redirect.php?goto=http://a.b.c/', '/x?q=https:/y.z&a=1',
                               '/http://inner.com/x', '/%68ttp://enc.com/', '?subject=hi&body=x',
                               '/a\\b', '/a&#47;b', '/x&#x41;y&#0065;z', '/<>"', '/\u00e9',
                               '/url?q=http://g.co/x', '&foo', '%20%20', ')', ').', '...', '(x)',
                               '/' + 'p' * r.choice([2046, 2047, 2048, 2049]), '/a b', '/a\nb',
                               '\r\n', ' ', '/a%25%32%30', '/%2', '/&#38;#x41;', '/a\x00b',
                               '?a=1&#x26;b=http://x.y', '/%u0041', ':80/x', '/\x1b(Bx']))
    return ''.join(parts)


def gen_text(r):
    words = []
    for _ in range(r.randint(1, 6)):
        k = r.random()
        if k < 0.4:
            words.append(gen_uri(r))
        elif k < 0.55:
            words.append(r.choice(['bob', '"bob"', 'b.o.b', 'x+y', 'mail:bob', ':bob', 'a&nbsp;b',
                                   'l' * r.choice([250, 251, 252]), 'E-Mail:x', 'skype::y']) + '@' +
                         r.choice([gen_host(r), 'localhost', 'x', 'foo%2Ecom', 'a.b?c', 'd.com&x',
                                   'd' * r.choice([245, 246, 247]) + '.com', '::1', '[1.2.3.4]',
                                   'IPv6:::1', 'b.com%20%20', 'ex%61mple.com', 'e.com>x']))
        else:
            words.append(r.choice(['see', '(', ')', '<', '>', '"', "'", ',', '.', '!', '\x1b(B', '\xa0',
                                   '[', ']', '{', '|', '`', ';', ':', '-', 'foo.', 'x.y', 'e.g.', '\u00e9t\u00e9',
                                   'a/b', '==', '~', 'mid:x@y.com', 'cid:img@01.com']))
    joins = [' ', '', '', ' ', '\t', '\xa0', '(', ')', ',', '<', '"', '\x1b(J', '@', ':', '/',
             '\x85', "'", '=']
    out = words[0]
    for w in words[1:]:
        out += r.choice(joins) + w
    return out


def gen_addr(r):
    def phrase():
        return r.choice(['John Doe', '"Doe, John"', '"a \\" b"', 'J. R. R.', '=?utf-8?Q?J=C3=B6rg?=',
                         '"unclosed', '(comment) Name', 'Na(me)', "'Quoted'", '"x@y.com"', 'x@y.com',
                         '', '""', '"\\\\"', 'A.B', '.dot', 'Mr. X', '\u00e9l\u00e8ve', 'a;b', '"a;b"'])

    def addr():
        return r.choice(['a@b.com', 'a.b@c.co.uk', '"a b"@c.com', 'a..b@c.com', '.a@b.com', 'a.@b.com',
                         'a@b..com', 'a@[1.2.3.4]', 'a@b', '@b.com', 'a@', 'a', 'a@b@c.com',
                         'a(c)@b.com', 'a @ b.com', 'x+y@sub_d.ex.com', 'a@-b.com', 'A@B.COM',
                         'a@b\u00fc.de', '<a@b.com>', 'a@b.com (Comment)', 'a@xn--p1ai.xn--p1ai'])

    items = []
    for _ in range(r.randint(1, 3)):
        k = r.random()
        if k < 0.35:
            items.append(phrase() + r.choice([' ', '', '  ']) + '<' + addr() + '>' +
                         r.choice(['', ' (c)', ' (a (nested) b)', ' <dup@x.com>', ' junk', '<>']))
        elif k < 0.6:
            items.append(addr() + r.choice(['', ' (Name)', '(x', ' ((x))']))
        elif k < 0.7:
            items.append(phrase())
        elif k < 0.8:
            items.append(r.choice(['group:', 'undisclosed-recipients:', 'G:']) + ' ' + addr() +
                         r.choice([', ' + addr(), '']) + r.choice([';', '', '; x']))
        else:
            items.append(r.choice(['<>', '<@route:a@b.com>', '<@r1,@r2:a@b.com>', '"bad <a@b.com>',
                                   'a@b.com, ', ',,', '<a@b.com', 'mailto:a@b.com', 'a\\\\b@c.com',
                                   '=?utf-8?Q?"Foo"_<foo@bar.com>?=', '(only comment)', '\\']))
    sep = r.choice([', ', ',', '; ', ' , ', ',\n\t'])
    return r.choice(['', ' ']) + sep.join(items) + r.choice(['', '\n', ' \n'])


def random_mode(args, redirectors):
    import random
    r = random.Random(args.seed)
    texts = [gen_text(r).encode('utf-8') for _ in range(args.random)]
    uris = [gen_uri(r).encode('utf-8') for _ in range(args.random)]
    addrs = [gen_addr(r).encode('utf-8') for _ in range(args.random)]
    hosts = [gen_host(r).encode('utf-8') for _ in range(args.random // 4)]
    hosts += [bytes([r.randint(0x20, 0xff) for _ in range(r.randint(1, 8))]) + b'.com'
              for _ in range(args.random // 4)]

    def oracle(mode, items):
        path = os.path.join(args.cache, 'rand-' + mode + '.jsonl')
        with open(path, 'w') as f:
            for it in items:
                f.write(json.dumps(it.decode('latin-1')) + '\n')
        p = subprocess.run(['perl', 'scripts/sa-urls.pl', '--' + mode, '--json', path],
                           stdout=subprocess.PIPE, check=True)
        return [json.loads(l) for l in p.stdout.decode().splitlines()]

    lines = []
    for t in texts:
        lines += ['M\n', 'T ' + t.hex() + '\n']
    mine_text = run_dump(args.dump, args.psl, redirectors, lines)
    found_uris = list(dict.fromkeys(octets(u['uri']) for m in mine_text for u in m['found']))
    lines = (['C ' + u.hex() + '\n' for u in uris + found_uris] +
             ['A ' + a.hex() + '\n' for a in addrs] + ['H ' + h.hex() + '\n' for h in hosts])
    res = iter(run_dump(args.dump, args.psl, redirectors, lines))
    mine_canon = {u: next(res) for u in uris + found_uris}
    mine_addr = [next(res) for _ in addrs]
    mine_host = [next(res) for _ in hosts]

    bad = collections.Counter()
    shown = collections.Counter()

    def report(kind, what):
        bad[kind] += 1
        if shown[kind] < args.show:
            shown[kind] += 1
            print(f'--- {kind}: {json.dumps(what)[:2000]}')

    for t, s, m in zip(texts, oracle('text', texts), mine_text):
        sa = [(f['uri'], sorted(f['types']), f['kept']) for f in s['found']]
        ours = []
        for u in m['found']:
            c = mine_canon[octets(u['uri'])]
            types = ['parsed'] + (['schemeless'] if u['types'] & 2 else []) + \
                    (['unlinked'] if u['types'] & 4 else [])
            ours.append((u['uri'], sorted(types), any(v is not None for v in c['domains'].values())))
        if sa != ours:
            report('text', {'in': t.decode('latin-1'), 'sa': sa, 'ours': ours})
    for u, s in zip(uris, oracle('canon', uris)):
        c = mine_canon[u]
        dom = {k[:MAX_URI_LENGTH]: v for k, v in c['domains'].items()}
        if sorted(set(c['cleaned'])) != s['cleaned']:
            report('canon', {'in': u.decode('latin-1'), 'sa': s, 'ours': c})
        elif dom != s['domains']:
            # the public suffix list against SA's util_rb_2tld/3tld lists
            report('domain', {'in': u.decode('latin-1'), 'sa': s['domains'], 'ours': dom})
    for a, s, m in zip(addrs, oracle('addr', addrs), mine_addr):
        if s['addrs'] != m['addrs']:
            report('addr', {'in': a.decode('latin-1'), 'sa': s['addrs'], 'ours': m['addrs']})
    for h, s, m in zip(hosts, oracle('host', hosts), mine_host):
        if s['idn'] != m['idn'] or s['fqdn'] != m['fqdn']:
            report('host', {'in': h.decode('latin-1'), 'sa': s, 'ours': m})
    n = args.random
    print(f'random inputs: {n} texts, {n} URIs, {n} address values, {len(hosts)} hosts')
    for kind, total in (('text', n), ('canon', n), ('domain', n), ('addr', n),
                        ('host', len(hosts))):
        print(f'{kind}: {total - bad[kind]}/{total} identical')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--views', default='/tmp/sa/sa-views.jsonl')
    ap.add_argument('--dump', default='build/url_dump')
    ap.add_argument('--psl', default='data/public_suffix_list.dat')
    ap.add_argument('--cache', default='/tmp/url-parity')
    ap.add_argument('--show', type=int, default=5)
    ap.add_argument('--random', type=int, default=0,
                    help='instead of the corpus, N random inputs of each kind')
    ap.add_argument('--seed', type=int, default=1)
    args = ap.parse_args()
    os.makedirs(args.cache, exist_ok=True)

    redirectors = os.path.join(args.cache, 'redirectors.txt')
    pats = json.loads(subprocess.run(['perl', 'scripts/sa-urls.pl', '--redirectors'],
                                     stdout=subprocess.PIPE, check=True).stdout)
    with open(redirectors, 'w') as f:
        for pat, _flags in pats:
            f.write(pat + '\n')

    if args.random:
        return random_mode(args, redirectors)
    msgs = [json.loads(l) for l in open(args.views)]

    # pass 1: the text scanner over each message's body lines
    lines = []
    for m in msgs:
        lines.append('M\n')
        for b in m['body']:
            lines.append('T ' + octets(b).hex() + '\n')
    out = iter(run_dump(args.dump, args.psl, redirectors, lines))
    found = []
    for m in msgs:
        f = []
        for _ in m['body']:
            f.extend(next(out)['found'])
        found.append(f)

    # pass 2: canonical forms of SA's raw URIs and of ours; address values
    canon_in = []
    for m, f in zip(msgs, found):
        for raw in m['uri_detail']:
            canon_in.append(octets(raw))
        for u in f:
            canon_in.append(octets(u['uri']))
    canon_in = list(dict.fromkeys(canon_in))
    addr_in = []
    for m in msgs:
        for name, _dec, raw in m['headers']:
            if name.lower() in ADDR_HEADERS and raw is not None:
                addr_in.append(octets(raw))
    addr_in = list(dict.fromkeys(addr_in))
    lines = ['C ' + c.hex() + '\n' for c in canon_in] + ['A ' + a.hex() + '\n' for a in addr_in]
    res = run_dump(args.dump, args.psl, redirectors, lines)
    canon = dict(zip(canon_in, res[:len(canon_in)]))
    mine_addr = dict(zip(addr_in, res[len(canon_in):]))

    diffs = collections.defaultdict(list)
    ok_text = ok_canon = ok_dom = 0
    for m, f in zip(msgs, found):
        # text URIs that add_uri_detail_list kept: one with a domain among its forms
        mine = collections.defaultdict(set)
        for u in f:
            c = canon[octets(u['uri'])]
            if any(v is not None for v in c['domains'].values()):
                t = {'parsed'}
                if u['types'] & 2:
                    t.add('schemeless')
                if u['types'] & 4:
                    t.add('unlinked')
                mine[u['uri']] |= t
        # 'parsed' is also the default type of an HTML URI without one (an
        # empty href, say): those carry anchor text, text URIs never do
        sa = {k: set(v['types']) & TEXT_TYPES for k, v in m['uri_detail'].items()
              if 'parsed' in v['types'] and not (set(v['types']) == {'parsed'} and v['anchor_text'])}
        if sa == dict(mine):
            ok_text += 1
        else:
            diffs['text'].append((m['file'], {'sa_only': sorted(set(sa) - set(mine)),
                                   'ours_only': sorted(set(mine) - set(sa)),
                                   'types': sorted(k for k in sa if k in mine and sa[k] != mine[k])}))
        # canonical forms and domains of every raw URI SA listed
        bad_c, bad_d = [], []
        for raw, d in m['uri_detail'].items():
            if 'domainkeys' in d['types']:
                continue
            c = canon[octets(raw)]
            cl = sorted(set(x[:MAX_URI_LENGTH] for x in c['cleaned']))
            if cl != sorted(set(d['cleaned'])):
                bad_c.append({'raw': raw, 'sa': sorted(set(d['cleaned']) - set(cl)),
                              'ours': sorted(set(cl) - set(d['cleaned']))})
            doms = sorted(set(v[0] for v in c['domains'].values() if v is not None))
            if doms != sorted(d['domains']):
                bad_d.append({'raw': raw, 'sa': sorted(set(d['domains']) - set(doms)),
                              'ours': sorted(set(doms) - set(d['domains']))})
        if bad_c:
            diffs['canon'].append((m['file'], bad_c))
        else:
            ok_canon += 1
        if bad_d:
            diffs['domain'].append((m['file'], bad_d))
        else:
            ok_dom += 1

    # addresses: every field of every address of every raw value
    sa_res = sa_addr(addr_in, args.cache)
    ok_addr = 0
    for v, s in zip(addr_in, sa_res):
        mine = mine_addr[v]['addrs']
        if s['addrs'] == mine:
            ok_addr += 1
        else:
            diffs['addr'].append((v.decode('latin-1'), {'sa': s['addrs'], 'ours': mine}))

    n = len(msgs)
    print(f'messages: {n}')
    print(f'text URIs identical:       {ok_text}/{n} ({100.0 * ok_text / n:.2f}%)')
    print(f'canonical forms identical: {ok_canon}/{n} ({100.0 * ok_canon / n:.2f}%)')
    print(f'domains identical:         {ok_dom}/{n} ({100.0 * ok_dom / n:.2f}%)')
    print(f'address values identical:  {ok_addr}/{len(addr_in)} '
          f'({100.0 * ok_addr / max(1, len(addr_in)):.2f}%)')
    for kind in ('text', 'canon', 'domain', 'addr'):
        for item in diffs[kind][:args.show]:
            print(f'--- {kind}: {json.dumps(item)[:1500]}')
    with open(os.path.join(args.cache, 'diffs.json'), 'w') as f:
        json.dump(diffs, f, indent=1)


if __name__ == '__main__':
    sys.exit(main())
