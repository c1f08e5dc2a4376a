"""Configuration from the command line: broken files refused by siftd and
siftadm configtest with one clear line, configdump and confighelp, and
siftadm pw."""

import os
import re
import subprocess
import unittest

from siftlib import ROOT, SIFTADM, SIFTD, SiftdTest

STOCK = os.path.join(ROOT, "config", "sift.yaml")


class BrokenConfigTest(SiftdTest):
    # (files to write, the error line expected after "PROGRAM: ")
    CASES = [
        ({"sift.yaml": "workers:\n  spamd:\n    count: 2\n   bad: indent\n"},
         r"sift\.yaml:4:4: bad YAML: did not find expected key while parsing a block mapping$"),
        ({"local.d/workers.yaml": "spamd:\n  count: lots\n"},
         r"local\.d/workers\.yaml:2:10: workers\.spamd\.count: not a count \(auto, or 1 to "
         r"1024\) \(got 'lots'\)$"),
        ({"local.d/workers.yaml": "smtp:\n  bind_socket: 127.0.0.1:25\n"},
         r"local\.d/workers\.yaml:1:1: workers\.smtp: unknown worker type 'smtp' \(known: "
         r"spamd, normal, controller, proxy, proxy_http\)$"),
        ({"override.d/logging.yaml": "type: file\n"},
         r"override\.d/logging\.yaml:1:7: logging\.filename: required when logging\.type is "
         r"file$"),
        ({"local.d/options.yaml": "shutdown_timeout: [1]\n"},
         r"local\.d/options\.yaml:1:19: options\.shutdown_timeout: expected a single value "
         r"\(time\), got a list$"),
        ({"local.d/workers.yaml": "normal:\n  bind_socket: [\"localhost\"]\n"},
         r"local\.d/workers\.yaml:2:17: workers\.normal\.bind_socket: 'localhost': missing "
         r"port"),
        ({"local.d/workers.yaml": "spamd: {enabled: no}\nnormal: {enabled: no}\n"
                                  "controller: {enabled: no}\nproxy: {enabled: no}\n"},
         None),  # loads, but siftd has nothing to serve: its own error below
        ({"local.d/a.yaml": "a: 1\na: 2\n"},
         r"local\.d/a\.yaml:2:1: duplicate key 'a' \(first at line 1\)$"),
    ]

    def write_config(self, files):
        d = self.tmpdir()
        with open(STOCK) as f:
            stock = f.read()
        files = dict(files)
        text = files.pop("sift.yaml", stock)
        os.makedirs(os.path.join(d, "local.d"))
        os.makedirs(os.path.join(d, "override.d"))
        with open(os.path.join(d, "sift.yaml"), "w") as f:
            f.write(text)
        for rel, body in files.items():
            with open(os.path.join(d, rel), "w") as f:
                f.write(body)
        return os.path.join(d, "sift.yaml")

    def test_each_error_is_one_line_and_fatal(self):
        for files, want in self.CASES:
            with self.subTest(files=files):
                cfg = self.write_config(files)
                adm = self.run_tool([SIFTADM, "-c", cfg, "configtest"])
                t = self.run_tool([SIFTD, "-t", "-c", cfg])
                run = self.run_tool([SIFTD, "-f", "-c", cfg, "-o", f"options.dbdir={cfg}.db",
                                     "-o", f"options.pidfile={cfg}.pid", "-o",
                                     'options.user=""'])
                if want is None:
                    self.assertEqual(adm.returncode, 0, adm.stderr)
                    self.assertEqual(run.returncode, 1)
                    self.assertRegex(run.stderr, r"no worker is enabled: nothing to serve")
                    continue
                for prog, r in (("siftadm", adm), ("siftd", t), ("siftd", run)):
                    self.assertEqual(r.returncode, 1, r.stderr)
                    lines = r.stderr.strip().split("\n")
                    self.assertEqual(len(lines), 1, r.stderr)
                    self.assertTrue(lines[0].startswith(f"{prog}: /"), lines[0])
                    self.assertRegex(lines[0], want)

    def test_unreadable_files(self):
        d = self.tmpdir()
        r = self.run_tool([SIFTADM, "-c", os.path.join(d, "nope.yaml"), "configtest"])
        self.assertEqual(r.returncode, 1)
        self.assertRegex(r.stderr, r"^siftadm: .*/nope\.yaml: cannot open: No such file or "
                                   r"directory\n$")
        cfg = self.write_config({})
        os.symlink("/nonexistent/x.yaml", os.path.join(d, "..", os.path.dirname(cfg),
                                                       "local.d", "workers.yaml"))
        r = self.run_tool([SIFTD, "-t", "-c", cfg])
        self.assertEqual(r.returncode, 1)
        self.assertRegex(r.stderr, r"local\.d/workers\.yaml: cannot open: No such file")
        os.unlink(os.path.join(os.path.dirname(cfg), "local.d", "workers.yaml"))
        os.mkdir(os.path.join(os.path.dirname(cfg), "local.d", "dir.yaml"))
        r = self.run_tool([SIFTD, "-t", "-c", cfg])
        self.assertRegex(r.stderr, r"local\.d/dir\.yaml: not a regular file")

    def test_bad_command_line(self):
        r = self.run_tool([SIFTD, "-t", "-c", STOCK, "-o", "novalue"])
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stderr, "siftd: -o novalue: expected KEY=VALUE (e.g. -o "
                                   "workers.spamd.count=2)\n")
        r = self.run_tool([SIFTD, "-x"])
        self.assertEqual(r.returncode, 2)
        self.assertIn("usage: siftd", r.stderr)

    def test_warnings_do_not_stop_the_load(self):
        cfg = self.write_config({"local.d/workers.yaml": "spamd:\n  max_conn: 10\n",
                                 "local.d/colour.yaml": "x: 1\n",
                                 "local.d/old.yml": "x: 1\n"})
        r = self.run_tool([SIFTADM, "-c", cfg, "configtest"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stderr, r"siftadm: warning: .*/local\.d/workers\.yaml:2:3: unknown "
                                   r"key 'max_conn' in workers\.spamd, ignored \(did you mean "
                                   r"'max_conns'\?\)")
        self.assertRegex(r.stderr, r"siftadm: warning: .*/local\.d/colour\.yaml: unknown section "
                                   r"'colour', ignored")
        self.assertRegex(r.stderr, r"local\.d/old\.yml: ignored: only NAME\.yaml files are read")
        self.assertRegex(r.stdout, r"configuration .* is OK \(3 file\(s\) read, 3 warning\(s\)\)")
        t = self.run_tool([SIFTD, "-t", "-c", cfg])
        self.assertEqual(t.returncode, 0)
        self.assertIn("siftd: warning: ", t.stderr)


class ToolsTest(SiftdTest):
    def test_configdump_prints_the_merged_tree(self):
        d = self.tmpdir()
        os.makedirs(os.path.join(d, "local.d"))
        os.makedirs(os.path.join(d, "override.d"))
        with open(STOCK) as f, open(os.path.join(d, "sift.yaml"), "w") as o:
            o.write(f.read())
        with open(os.path.join(d, "local.d", "workers.yaml"), "w") as f:
            f.write("spamd:\n  bind_socket: [\"[::1]:783\"]\n  count: 3\n")
        with open(os.path.join(d, "override.d", "logging.yaml"), "w") as f:
            f.write("level: debug\n")
        cfg = os.path.join(d, "sift.yaml")
        r = self.run_tool([SIFTADM, "-c", cfg, "-o", "workers.normal.count=5", "configdump"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn('    bind_socket:\n    - "127.0.0.1:783"\n    - "[::1]:783"\n    count: 3\n',
                      r.stdout)
        self.assertIn("  normal:\n    bind_socket:\n    - \"127.0.0.1:11333\"\n    count: 5\n",
                      r.stdout)
        self.assertRegex(r.stdout, r"logging:\n  type: syslog\n  facility: mail\n  level: debug\n")
        # the dump is itself a configuration that dumps the same
        again = os.path.join(self.tmpdir(), "sift.yaml")
        with open(again, "w") as f:
            f.write(r.stdout)
        r2 = self.run_tool([SIFTADM, "-c", again, "configdump"])
        self.assertEqual(r2.stdout, r.stdout)
        r3 = self.run_tool([SIFTADM, "-c", cfg, "configdump", "workers.spamd"])
        self.assertEqual(r3.stdout, 'bind_socket:\n- "127.0.0.1:783"\n- "[::1]:783"\ncount: 3\n')
        r4 = self.run_tool([SIFTADM, "-c", cfg, "configdump", "nope"])
        self.assertEqual(r4.returncode, 1)
        self.assertEqual(r4.stderr, "siftadm: nope: not set in the configuration\n")

    def test_confighelp(self):
        r = self.run_tool([SIFTADM, "confighelp", "workers.spamd.bind_socket"])
        self.assertEqual(r.returncode, 0)
        self.assertEqual(r.stdout, "workers.spamd.bind_socket\n    type: list\n"
                                   "    default: 127.0.0.1:783\n    addresses to listen on: "
                                   "HOST:PORT, [IPv6]:PORT or *:PORT, each optionally followed "
                                   "by ssl (TLS, see ssl_cert), or /path.sock [mode=0660 "
                                   "owner=USER group=GROUP]\n")
        r = self.run_tool([SIFTADM, "confighelp"])
        keys = re.findall(r"^(\S+)\n    type:", r.stdout, re.M)
        self.assertIn("options.dbdir", keys)
        self.assertIn("logging.filename", keys)
        self.assertIn("workers.controller.max_headers", keys)
        self.assertEqual(len(keys), len(set(keys)))
        r = self.run_tool([SIFTADM, "confighelp", "workers.spamd.colour"])
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stderr, "siftadm: workers.spamd.colour: no such configuration key\n")

    def test_every_documented_key_is_accepted(self):
        # each key confighelp lists, set to its default with -o, loads without a warning
        r = self.run_tool([SIFTADM, "confighelp"])
        pairs = re.findall(r"^(\S+)\n    type: .*\n    default: (.*)\n", r.stdout, re.M)
        self.assertGreater(len(pairs), 20)
        args = [SIFTADM, "-c", STOCK]
        for key, default in pairs:
            if default != "(none)" and not key.endswith(".type"):
                args += ["-o", f"{key}={default}"]
        # the one setting with no default that works: what proxy_http forwards to
        args += ["-o", "workers.proxy_http.upstreams=127.0.0.1:11333"]
        r = self.run_tool(args + ["configtest"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr, "")

    def test_pw_hashes_and_checks(self):
        r = self.run_tool([SIFTADM, "pw"], input="s3cret\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        h = r.stdout.strip()
        self.assertTrue(h.startswith("$argon2id$v=19$"), h)
        ok = self.run_tool([SIFTADM, "pw", "--check", h], input="s3cret\n")
        self.assertEqual((ok.returncode, ok.stdout), (0, "password matches\n"))
        bad = self.run_tool([SIFTADM, "pw", "--check", h], input="guess\n")
        self.assertEqual((bad.returncode, bad.stdout), (1, "password does not match\n"))
        empty = self.run_tool([SIFTADM, "pw"], input="\n")
        self.assertEqual(empty.returncode, 1)

    def test_usage(self):
        r = self.run_tool([SIFTADM])
        self.assertEqual(r.returncode, 2)
        self.assertIn("usage: siftadm", r.stderr)
        r = self.run_tool([SIFTADM, "frobnicate"])
        self.assertEqual(r.returncode, 2)
        self.assertIn("unknown command 'frobnicate'", r.stderr)


if __name__ == "__main__":
    unittest.main()
