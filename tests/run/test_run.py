"""scripts/run.sh (what `make run` starts), as a newcomer meets it, for real.

Documents:
- "Lume is up" is said only once GET /health through nginx was answered by a
  worker; while nginx answers 503 it is not said;
- a second start in the same run directory, or on a port or socket something
  listens on, exits 1 at once with one line naming the holder (pid and
  command) and writes nothing of the running instance (its nginx.conf stays);
  one in another run directory with other ports works beside it;
- Ctrl-C (SIGINT to the process group), SIGTERM and SIGHUP stop everything and
  exit 0 with one line; `make run` stopped with Ctrl-C prints no make error;
- SIGKILL of run.sh, or of `make run`'s whole process group (a closed
  terminal, a CI job killed), leaves no process behind, frees the ports and
  the socket, and the next start in the same run directory works.

Every instance gets its own LUME_RUN_DIR and free ports, runs in a session of
its own, and is killed by pid in cleanup whatever happens.
"""
import http.client
import itertools
import os
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import unittest

import nginx_harness
import openapi_check
from harness import BUILD, ROOT, children, free_port, wait_until

RUN_SH = os.path.join(ROOT, "scripts", "run.sh")
UP = "run: Lume is up: "
MARK = "RUN_TEST_INSTANCE"  # in the environment of every process of an instance
_instances = itertools.count(1)


def alive(pid):
    """Running (not gone, not a zombie waiting for a parent to reap it)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        return False
    return stat[stat.rfind(")") + 2] != "Z"


def command(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def tree(pid):
    """pid and all its descendants alive now."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        if alive(p):
            found.append(p)
            todo.extend(children(p))
    return found


def two_ports():
    https = free_port()
    while (http := free_port()) == https:
        pass
    return https, http


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def setUpModule():
    if not nginx_harness.nginx_available():
        raise unittest.SkipTest("needs nginx and openssl (make deps)")


def listening(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


class Instance:
    """One scripts/run.sh (or `make run`) with a private run directory and
    ports. add_cleanup (a test's addCleanup) gets what undoes it."""

    def __init__(self, add_cleanup, run_dir=None, env=None, make=False, ports=None):
        self.add_cleanup = add_cleanup
        if run_dir is None:
            run_dir = tempfile.mkdtemp(prefix="lume-run-")
            add_cleanup(shutil.rmtree, run_dir, True)
        self.dir = run_dir
        try:
            with open(os.path.join(run_dir, "run.pid")) as f:
                self.owns_dir = not alive(int(f.read()))
        except (OSError, ValueError):
            self.owns_dir = True
        self.https_port, self.http_port = ports or two_ports()
        cert, key = nginx_harness.certificate()
        self.cert = cert
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/root"),
            "BUILD": os.path.relpath(BUILD, ROOT),
            "LUME_RUN_DIR": run_dir,
            "LUME_HTTPS_PORT": str(self.https_port),
            "LUME_HTTP_PORT": str(self.http_port),
            "LUME_BIND": "127.0.0.1",
            "LUME_TLS_CERT": cert,
            "LUME_TLS_KEY": key,
            "LUME_WORKERS": "1",
            "LUME_NGINX_WORKERS": "1",
            "LUME_NGINX": nginx_harness.NGINX,
            MARK: f"{os.getpid()}-{next(_instances)}",
        }
        if "SANITIZE" in os.environ:  # make run builds as make test did
            self.env["SANITIZE"] = os.environ["SANITIZE"]
        self.env.update(env or {})
        self.argv = ["make", "--no-print-directory", "run"] if make else [RUN_SH]
        self.out_path = os.path.join(tempfile.mkdtemp(prefix="lume-run-out-"), "out")
        add_cleanup(shutil.rmtree, os.path.dirname(self.out_path), True)
        self.proc = None
        self.seen = set()  # every pid of the instance ever seen: cleanup kills what is left

    def start(self):
        self.out = open(self.out_path, "wb")
        self.proc = subprocess.Popen(self.argv, cwd=ROOT, env=self.env, stdout=self.out,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     start_new_session=True, preexec_fn=as_from_a_terminal)
        self.add_cleanup(self.cleanup)
        return self

    def up(self, timeout=60):
        """Wait for the up line; fail the test with the output if it does not come."""
        ok = wait_until(lambda: UP in self.output() or self.proc.poll() is not None, timeout, 0.05)
        check(ok and UP in self.output(), f"not up:\n{self.output()}")
        self.processes()
        return self

    def processes(self):
        pids = tree(self.proc.pid)
        self.seen.update(pids)
        return pids

    def pid_of(self, word):
        return [p for p in self.processes() if word in command(p)]

    def wait(self, timeout=30):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"still running after {timeout} s:\n{self.output()}")

    def output(self):
        with open(self.out_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def get(self, path, port=None):
        ctx = ssl.create_default_context(cafile=self.cert)
        conn = http.client.HTTPSConnection("127.0.0.1", port or self.https_port, timeout=10,
                                           context=ctx)
        try:
            conn.request("GET", path)
            r = conn.getresponse()
            body = r.read()
            openapi_check.check("GET", path, r.status,
                                [(n.lower(), v) for n, v in r.getheaders()], body)
            return r.status, body
        finally:
            conn.close()

    def assert_nothing_left(self, timeout=15):
        left = wait_until(lambda: not any(alive(p) for p in self.seen) and not self.strays(),
                          timeout)
        check(left, "left running: " + ", ".join(
            f"{p} {command(p)}" for p in sorted(self.seen | set(self.strays())) if alive(p)))
        for port in (self.https_port, self.http_port):
            check(not listening(port), f"port {port} still answers")
        check(not os.path.exists(os.path.join(self.dir, "lume.sock")),
              "the master did not stop gracefully (its socket is still there)")

    def strays(self):
        """Processes of this instance that outlived their parent: by the mark
        in their environment (run.sh, lume-fcgi), or, for nginx, which
        overwrites its environment with its title, by the run directory in
        that title when no other live instance uses the directory."""
        mark = f"\0{MARK}={self.env[MARK]}\0".encode()
        found = []
        for pid in map(int, filter(str.isdigit, os.listdir("/proc"))):
            try:
                with open(f"/proc/{pid}/environ", "rb") as f:
                    env = b"\0" + f.read()
            except OSError:
                continue
            if mark in env or (self.owns_dir and
                               command(pid).startswith(f"nginx: master process {self.env['LUME_NGINX']} "
                                                      f"-p {self.dir} ")):
                found.extend(tree(pid))
        return found

    def cleanup(self):
        """Kill whatever is left, however the test ended."""
        self.seen.update(tree(self.proc.pid))
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        for pid in self.seen | set(self.strays()):
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        self.out.close()


def as_from_a_terminal():
    """In the child, before exec: SIGINT and SIGQUIT as a terminal's shell
    leaves them. A test run started in the background of a non-interactive
    shell (`make test &`, a CI step) inherits them ignored, and a shell
    cannot trap a signal ignored on entry: run.sh's Ctrl-C would do nothing."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGQUIT, signal.SIG_DFL)


def run_lines(text):
    return [line for line in text.splitlines() if line.startswith("run: ")]


class UpMeansAnswering(unittest.TestCase):
    def test_up_is_said_after_health_answered_through_nginx(self):
        a = Instance(self.addCleanup).start().up()
        out = a.output()
        health = out.find('"path":"/health","status":200')
        self.assertNotEqual(health, -1, f"no /health answered by a worker:\n{out}")
        self.assertLess(health, out.find(UP), "up was said before /health was answered")
        with open(os.path.join(a.dir, "logs", "access.log")) as f:
            self.assertIn('"uri":"/health","protocol"', f.read(), "the probe went through nginx")
        self.assertEqual(a.get("/health"), (200, b'{"status":"healthy"}'))

    def test_while_nginx_answers_503_up_is_not_said(self):
        # nginx cannot reach the socket (mode 0000; nginx's workers are
        # `nobody` when it runs as root), so /health through nginx is a 503.
        a = Instance(self.addCleanup, env={"LUME_SOCKET_MODE": "0000", "LUME_NGINX_USER": "nobody"})
        os.chmod(a.dir, 0o755)  # nobody reaches the stream layer's sockets, not the app's
        a.start()
        self.assertTrue(wait_until(lambda: self._status(a) == 503, 30), a.output())
        time.sleep(1.5)  # run.sh probes every 0.1 s
        self.assertNotIn(UP, a.output())
        a.processes()
        os.kill(a.proc.pid, signal.SIGTERM)
        self.assertEqual(a.wait(), 0, a.output())
        self.assertNotIn(UP, a.output())
        a.assert_nothing_left()

    @staticmethod
    def _status(a):
        try:
            return a.get("/health")[0]
        except OSError:
            return None


class SecondStart(unittest.TestCase):
    """A first instance runs through the class; each test starts another."""

    @classmethod
    def setUpClass(cls):
        cls.first = Instance(cls.addClassCleanup).start().up()

    def setUp(self):
        self.conf = os.path.join(self.first.dir, "nginx.conf")
        with open(self.conf, "rb") as f:
            self.conf_before = (f.read(), os.stat(self.conf).st_mtime_ns)
        self.first_pids = set(self.first.processes())

    def tearDown(self):
        with open(self.conf, "rb") as f:
            self.assertEqual((f.read(), os.stat(self.conf).st_mtime_ns), self.conf_before,
                             "the running instance's nginx.conf was rewritten")
        self.assertEqual(self.first.get("/health")[0], 200)
        self.assertEqual(set(self.first.processes()), self.first_pids)

    def refused(self, second):
        started = time.monotonic()
        self.assertEqual(second.wait(), 1, second.output())
        self.assertLess(time.monotonic() - started, 20)
        lines = second.output().strip().splitlines()
        self.assertEqual(len(lines), 1, second.output())
        self.assertNotIn(UP, second.output())
        return lines[0]

    def test_in_the_same_run_directory_it_names_the_running_one(self):
        second = Instance(self.addCleanup, run_dir=self.first.dir,
                          ports=(self.first.https_port, self.first.http_port)).start()
        line = self.refused(second)
        self.assertIn(f"Lume is already running in {os.path.realpath(self.first.dir)}", line)
        self.assertIn(f"pid {self.first.proc.pid}: ", line)
        self.assertIn("run.sh", line)

    def test_on_a_busy_port_it_names_nginx_holding_it(self):
        second = Instance(self.addCleanup, ports=(self.first.https_port, two_ports()[1])).start()
        line = self.refused(second)
        with open(os.path.join(self.first.dir, "nginx.pid")) as f:
            nginx = int(f.read())
        self.assertRegex(line, rf"^run: cannot start: 127\.0\.0\.1:{self.first.https_port} "
                               rf"\(LUME_HTTPS_PORT\) is in use by pid {nginx} \(nginx: master")
        self.assertFalse(os.path.exists(os.path.join(second.dir, "nginx.conf")))

    def test_on_a_busy_socket_it_names_the_master_holding_it(self):
        sock = os.path.join(self.first.dir, "lume.sock")
        second = Instance(self.addCleanup, env={"LUME_LISTEN": f"unix:{sock}"}).start()
        line = self.refused(second)
        master = [p for p in self.first.pid_of("lume-fcgi") if p in children(self.first.proc.pid)]
        self.assertIn(f"unix:{sock} (LUME_LISTEN) is in use by pid {master[0]} (", line)
        self.assertIn("lume-fcgi", line)

    def test_in_another_run_directory_with_other_ports_it_works(self):
        second = Instance(self.addCleanup).start().up()
        self.assertEqual(second.get("/health")[0], 200)
        os.kill(second.proc.pid, signal.SIGTERM)
        self.assertEqual(second.wait(), 0, second.output())
        second.assert_nothing_left()


class Stopping(unittest.TestCase):
    def assert_clean_stop(self, inst, how):
        self.assertEqual(inst.wait(), 0, inst.output())
        lines = run_lines(inst.output())
        self.assertEqual(lines[-1], f"run: stopped on {how}: nginx and lume-fcgi exited cleanly")
        self.assertEqual(len([x for x in lines if x.startswith("run: stop")]), 1, inst.output())
        inst.assert_nothing_left()

    def test_ctrl_c_sigterm_and_sighup_stop_cleanly_with_exit_0(self):
        for how, send in [("SIGINT", lambda p: os.killpg(p, signal.SIGINT)),   # Ctrl-C
                          ("SIGTERM", lambda p: os.kill(p, signal.SIGTERM)),
                          ("SIGHUP", lambda p: os.killpg(p, signal.SIGHUP))]:  # terminal closed
            with self.subTest(how):
                inst = Instance(self.addCleanup).start().up()
                send(inst.proc.pid)
                self.assert_clean_stop(inst, how)

    def test_make_run_stopped_with_ctrl_c_prints_no_make_error(self):
        inst = Instance(self.addCleanup, make=True).start().up(timeout=120)
        os.killpg(inst.proc.pid, signal.SIGINT)
        inst.wait()  # make re-raises the SIGINT it got: its own status says "interrupted"
        self.assertNotIn("make: ***", inst.output())
        self.assertIn("run: stopped on SIGINT: nginx and lume-fcgi exited cleanly", inst.output())
        inst.assert_nothing_left()


class Killing(unittest.TestCase):
    def test_sigkill_of_make_runs_process_group_leaves_nothing_behind(self):
        inst = Instance(self.addCleanup, make=True).start().up(timeout=120)
        # the master, its one worker and the health responder
        self.assertTrue(inst.pid_of("nginx: worker") and len(inst.pid_of("lume-fcgi")) == 3,
                        inst.processes())
        os.killpg(inst.proc.pid, signal.SIGKILL)
        inst.proc.wait()
        inst.assert_nothing_left()
        # The lock, the ports and the socket are free: the next start works.
        again = Instance(self.addCleanup, run_dir=inst.dir, ports=(inst.https_port, inst.http_port)).start()
        again.up()
        os.kill(again.proc.pid, signal.SIGTERM)
        self.assertEqual(again.wait(), 0, again.output())

    def test_sigkill_of_run_sh_alone_leaves_nothing_behind(self):
        inst = Instance(self.addCleanup).start().up()
        os.kill(inst.proc.pid, signal.SIGKILL)
        inst.proc.wait()
        inst.assert_nothing_left()


if __name__ == "__main__":
    unittest.main()
