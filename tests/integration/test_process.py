"""The process model: workers restarted when they die, SIGHUP reloads without
refusing a connection, SIGTERM stops everything, SIGUSR1 reopens the log,
privileges are dropped, and every kind of listener works."""

import os
import signal
import socket
import stat
import subprocess
import threading
import time
import unittest

from siftlib import (IS_ROOT, SIFTD, SLOW, SiftdTest, alive, exchange, free_port, ipv6_loopback,
                     need_tool, proc_uid, read_all, wait_for)

PING = b"PING SPAMC/1.5\r\n\r\n"
PONG = b"SPAMD/1.5 0 PONG\r\n"


class Pinger(threading.Thread):
    """Pings a spamd port as fast as it can, counting every failure."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.port = port
        self.ok = 0
        self.failures = []
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            try:
                got = exchange(("127.0.0.1", self.port), PING, timeout=10)
                if got == PONG:
                    self.ok += 1
                else:
                    self.failures.append(f"bad reply {got!r}")
            except OSError as e:
                self.failures.append(repr(e))

    def finish(self):
        self.stop.set()
        self.join(30)


class RestartTest(SiftdTest):
    def test_killed_worker_comes_back(self):
        sd = self.siftd(counts={"spamd": 2}).start()
        before = sd.workers("spamd")
        self.assertEqual(len(before), 2)
        victim = min(before)
        os.kill(victim, signal.SIGKILL)
        sd.wait_log(rf"worker spamd#\d \(pid {victim}\) was killed by signal 9 \(SIGKILL\) "
                    rf"after [\d.]+ s; restarting it in 0 s")
        after = wait_for(lambda: len(sd.workers("spamd")) == 2 and sd.workers("spamd"), 10,
                         "a new spamd worker")
        self.assertNotIn(victim, after)
        self.assertEqual(sd.spamd(PING), PONG)

    def test_a_worker_dying_again_and_again_backs_off(self):
        sd = self.siftd().start()
        for i in range(3):
            pid = wait_for(lambda: list(sd.workers("normal")), 10, "a normal worker")[0]
            os.kill(pid, signal.SIGKILL)
            wait_for(lambda: not alive(pid), 5, "the worker to die")
        sd.wait_log(r"worker normal#0 \(pid \d+\) was killed by signal 9 \(SIGKILL\) after "
                    r"[\d.]+ s; restarting it in 2 s")
        self.assertIn("restarting it in 1 s", sd.log())

    def test_sigterm_stops_everything_and_removes_the_pid_file(self):
        sd = self.siftd(counts={"spamd": 2, "normal": 2}).start()
        main = sd.main_pid()
        children = list(sd.workers())
        self.assertEqual(len(children), 5)
        with open(sd.pidfile) as f:
            self.assertEqual(int(f.read()), main)
        rc = sd.stop()
        self.assertEqual(rc, 0)
        self.assertFalse(any(alive(p) for p in children + [main]))
        self.assertFalse(os.path.exists(sd.pidfile))
        self.assertIn("siftd stopped", sd.log())

    def test_stop_lets_an_in_flight_request_finish(self):
        sd = self.siftd().start()
        with socket.create_connection(("127.0.0.1", sd.ports["spamd"])) as s:
            s.settimeout(10 * SLOW)
            s.sendall(b"PING SPAMC/1.5\r\n")  # the request is under way...
            time.sleep(0.2 * SLOW)
            sd.signal(signal.SIGTERM)
            sd.wait_log(r"stopping \(SIGTERM\); 1 connection\(s\) to finish")
            s.sendall(b"\r\n")  # ...and completes after the stop began
            self.assertEqual(read_all(s), PONG)
        sd.proc.wait(10 * SLOW)

    def test_main_process_killed_takes_the_workers_along(self):
        sd = self.siftd().start()
        children = list(sd.workers())
        os.kill(sd.main_pid(), signal.SIGKILL)
        sd.proc.wait(10)
        sd.proc = None
        wait_for(lambda: not any(alive(p) for p in children), 10, "orphaned workers to exit")

    def test_second_instance_is_refused(self):
        sd = self.siftd().start()
        r = self.run_tool(sd.argv(["workers.spamd.bind_socket=127.0.0.1:%d" % free_port(),
                                   "workers.normal.enabled=no",
                                   "workers.controller.enabled=no"]) + ["-f"])
        self.assertEqual(r.returncode, 1)
        self.assertIn(f"siftd is already running (pid {sd.main_pid()})", r.stderr)

    def test_busy_port_is_a_clear_error(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            s.listen()
            port = s.getsockname()[1]
            sd = self.siftd()
            r = self.run_tool(sd.argv([f"workers.spamd.bind_socket=127.0.0.1:{port}"]) + ["-f"])
        self.assertEqual(r.returncode, 1)
        self.assertIn(f"error: cannot bind 127.0.0.1:{port}: Address already in use", r.stderr)

    def test_daemon_mode_detaches_when_ready(self):
        sd = self.siftd()
        sd.start(foreground=False)  # returns once the workers serve
        main = sd.main_pid()
        self.assertEqual(sd.spamd(PING), PONG)
        self.assertEqual(os.getsid(main), main)  # its own session
        sd.stop()
        self.assertFalse(os.path.exists(sd.pidfile))


class ReloadTest(SiftdTest):
    def test_sighup_applies_local_d_while_clients_keep_connecting(self):
        sd = self.siftd().start()
        old = set(sd.workers())
        self.assertEqual(len(sd.workers("spamd")), 1)
        pinger = Pinger(sd.ports["spamd"])
        pinger.start()
        wait_for(lambda: pinger.ok > 20, 10, "the pinger to get going")
        ok_before = pinger.ok
        sd.write("local.d/workers.yaml", "spamd:\n  count: 2\n")
        mark = len(sd.log())
        sd.signal(signal.SIGHUP)
        sd.wait_log(r"SIGHUP: reloading", after=mark)
        sd.wait_log(r"new workers serve; stopping 3 old worker", after=mark)
        wait_for(lambda: len(sd.workers("spamd")) == 2, 10, "two spamd workers")
        wait_for(lambda: pinger.ok > ok_before + 50, 10, "pings after the reload")
        pinger.finish()
        self.assertEqual(pinger.failures, [])
        # the old workers drain their last requests, then exit
        wait_for(lambda: old.isdisjoint(sd.workers()), 10, "every old worker to exit")

    def test_sighup_adds_a_listener_with_no_refused_connection(self):
        sd = self.siftd(counts={"spamd": 2}).start()
        extra = free_port()
        pinger = Pinger(sd.ports["spamd"])
        pinger.start()
        wait_for(lambda: pinger.ok > 20, 10, "the pinger to get going")
        sd.write("local.d/workers.yaml",
                 f"spamd_extra:\n  type: spamd\n  bind_socket: \"127.0.0.1:{extra}\"\n"
                 f"  count: 1\n")
        for _ in range(3):  # several reloads in a row, under load
            mark = len(sd.log())
            sd.signal(signal.SIGHUP)
            sd.wait_log(r"new workers serve", after=mark)
        self.assertEqual(exchange(("127.0.0.1", extra), PING), PONG)
        ok = pinger.ok
        wait_for(lambda: pinger.ok > ok + 20, 10, "more pings after the reload")
        pinger.finish()
        self.assertEqual(pinger.failures, [])
        # the last reload's old workers drain before they exit (slow under ASan)
        wait_for(lambda: len(sd.workers("spamd")) == 2, 10, "the old spamd workers to exit")
        self.assertEqual(len(sd.workers("spamd")), 2)
        self.assertEqual(len(sd.workers("spamd_extra")), 1)
        # and removing it again closes the port
        os.unlink(os.path.join(sd.confdir, "local.d", "workers.yaml"))
        mark = len(sd.log())
        sd.signal(signal.SIGHUP)
        sd.wait_log(r"old worker spamd_extra#0 \(pid \d+\) exited", after=mark)
        with self.assertRaises(ConnectionRefusedError):
            exchange(("127.0.0.1", extra), PING)

    def test_broken_config_on_sighup_keeps_the_running_one(self):
        sd = self.siftd().start()
        before = set(sd.workers())
        sd.write("local.d/workers.yaml", "spamd:\n  count: [oops\n")
        mark = len(sd.log())
        sd.signal(signal.SIGHUP)
        line = sd.wait_log(r"error: reload failed, keeping the running configuration: "
                           r".*local\.d/workers\.yaml:3:1: bad YAML", after=mark)
        self.assertTrue(line)
        time.sleep(0.3 * SLOW)
        self.assertEqual(set(sd.workers()), before)
        self.assertEqual(sd.spamd(PING), PONG)
        # a port that cannot be bound is refused the same way
        with socket.socket() as busy:
            busy.bind(("127.0.0.1", 0))
            busy.listen()
            sd.write("local.d/workers.yaml",
                     f"normal:\n  bind_socket: [\"127.0.0.1:{busy.getsockname()[1]}\"]\n")
            mark = len(sd.log())
            sd.signal(signal.SIGHUP)
            sd.wait_log(r"reload failed, keeping the running configuration: cannot bind "
                        r".*Address already in use", after=mark)
        self.assertEqual(set(sd.workers()), before)
        self.assertEqual(sd.http("normal", b"GET /ping HTTP/1.0\r\n\r\n")[-6:], b"pong\r\n")

    def test_settings_fixed_at_start_are_reported_on_reload(self):
        sd = self.siftd().start()
        sd.write("local.d/options.yaml", "group: daemon\n")  # the harness pins the others with -o
        mark = len(sd.log())
        sd.signal(signal.SIGHUP)
        sd.wait_log(r"warning: reload: options\.group changed from '' to 'daemon'; it takes "
                    r"effect when siftd restarts", after=mark)
        sd.wait_log(r"new workers serve", after=mark)

    def test_reload_lets_old_workers_finish_in_flight_requests(self):
        sd = self.siftd().start()
        with socket.create_connection(("127.0.0.1", sd.ports["spamd"])) as s:
            s.settimeout(10 * SLOW)
            s.sendall(b"PING SPAMC/1.5\r\n")
            time.sleep(0.2 * SLOW)
            mark = len(sd.log())
            sd.signal(signal.SIGHUP)
            sd.wait_log(r"spamd\) info: stopping \(SIGTERM\); 1 connection", after=mark)
            s.sendall(b"\r\n")
            self.assertEqual(read_all(s), PONG)


class LogTest(SiftdTest):
    def test_sigusr1_reopens_the_log_file(self):
        sd = self.siftd().start()
        rotated = sd.logfile + ".1"
        os.rename(sd.logfile, rotated)
        sd.signal(signal.SIGUSR1)
        wait_for(lambda: os.path.exists(sd.logfile), 5, "a new log file")
        sd.spamd(b"NOPE\r\n")
        sd.wait_log(r"bad request from .*NOPE")
        with open(rotated) as f:
            self.assertNotIn("NOPE", f.read())

    def test_log_level_filters(self):
        sd = self.siftd(overrides=["logging.level=notice"]).start()
        sd.spamd(b"NOPE\r\n")
        sd.stop()
        self.assertIn("notice: siftd ready", sd.log())
        self.assertNotIn("bad request", sd.log())
        self.assertNotIn("info:", sd.log())
        self.assertNotIn("debug:", sd.log())


class ListenerTest(SiftdTest):
    def test_unix_socket_with_mode(self):
        spamc = need_tool("spamc")
        sd = self.siftd()
        path = os.path.join(sd.dir, "spamd.sock")
        sd.write("local.d/workers.yaml",
                 f"spamd_unix:\n  type: spamd\n  bind_socket: \"{path} mode=0600\"\n  count: 1\n")
        sd.start()
        self.assertTrue(stat.S_ISSOCK(os.stat(path).st_mode))
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        r = subprocess.run([spamc, "-K", "-U", path], capture_output=True, text=True, timeout=20)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("SPAMD/1.5 0", r.stdout)
        sd.stop()
        self.assertFalse(os.path.exists(path))

    def test_stale_unix_socket_is_replaced_but_a_live_one_is_not(self):
        sd = self.siftd()
        path = os.path.join(sd.dir, "s.sock")
        stale = socket.socket(socket.AF_UNIX)
        stale.bind(path)
        stale.close()  # the file stays, nobody listens
        sd.start([f"workers.spamd.bind_socket={path}"])  # -o: one value makes a list of one
        self.assertEqual(exchange(path, PING), PONG)
        other = self.siftd()
        r = self.run_tool(other.argv([f"workers.spamd.bind_socket={path}"]) + ["-f"])
        self.assertEqual(r.returncode, 1)
        self.assertIn("another server is listening on it", r.stderr)

    def test_ipv6_loopback(self):
        if not ipv6_loopback():
            self.skipTest("this machine has no IPv6 loopback (::1)")
        curl = need_tool("curl")
        port = free_port(socket.AF_INET6, "::1")
        sd = self.siftd().start([f"workers.normal.bind_socket=[::1]:{port}"])
        r = subprocess.run([curl, "-sS", "-g", f"http://[::1]:{port}/ping"], capture_output=True,
                           timeout=20)
        self.assertEqual(r.stdout, b"pong\r\n", r.stderr)
        del sd

    def test_several_addresses_for_one_worker(self):
        sd = self.siftd()
        p2 = free_port()
        # local.d lists append to the stock list
        sd.write("local.d/workers.yaml", f"spamd:\n  bind_socket: [\"127.0.0.1:{p2}\"]\n")
        sd.start()
        self.assertEqual(sd.spamd(PING), PONG)
        self.assertEqual(exchange(("127.0.0.1", p2), PING), PONG)
        # override.d replaces the list: the first address goes away on reload
        sd.write("override.d/workers.yaml", f"spamd:\n  bind_socket: [\"127.0.0.1:{p2}\"]\n")
        mark = len(sd.log())
        sd.signal(signal.SIGHUP)
        sd.wait_log(r"old worker spamd#0 \(pid \d+\) exited", after=mark)
        self.assertEqual(exchange(("127.0.0.1", p2), PING), PONG)
        with self.assertRaises(ConnectionRefusedError):
            sd.spamd(PING)


@unittest.skipUnless(IS_ROOT, "dropping privileges needs root (run the suite as root to test it)")
class PrivilegeTest(SiftdTest):
    def test_processes_run_as_the_configured_user(self):
        import pwd
        nobody = pwd.getpwnam("nobody")
        sd = self.siftd(user="nobody")
        os.chmod(sd.dir, 0o777)
        sd.start()
        self.assertEqual(proc_uid(sd.main_pid()), nobody.pw_uid)
        for pid in sd.workers():
            self.assertEqual(proc_uid(pid), nobody.pw_uid)
        # the data and run directories siftd made belong to that user
        self.assertEqual(os.stat(sd.dbdir).st_uid, nobody.pw_uid)
        self.assertEqual(os.stat(os.path.dirname(sd.pidfile)).st_uid, nobody.pw_uid)
        self.assertEqual(sd.spamd(PING), PONG)
        self.assertNotIn("is not writable", sd.log())
        sd.stop()
        self.assertFalse(os.path.exists(sd.pidfile))

    def test_a_data_directory_the_user_cannot_write_is_warned_about(self):
        sd = self.siftd(user="nobody")
        os.chmod(sd.dir, 0o777)
        os.makedirs(sd.dbdir, 0o755)  # made by root beforehand: siftd leaves it alone
        sd.start()
        self.assertRegex(sd.log(), r"warning: options\.dbdir .*/db is not writable by this "
                                   r"process \(Permission denied\)")

    def test_unknown_user_is_a_clear_error(self):
        sd = self.siftd(user="no-such-user-here")
        r = self.run_tool(sd.argv() + ["-f"])
        self.assertEqual(r.returncode, 1)
        self.assertIn("options.user: no such user 'no-such-user-here'", r.stderr)

    def test_running_as_root_is_warned_about(self):
        sd = self.siftd(user="").start()
        self.assertIn("warning: running as root", sd.log())


if __name__ == "__main__":
    unittest.main()
