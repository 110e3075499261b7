"""The master and its workers, as real processes spoken to over FastCGI.

Documents: a killed worker is replaced; workers that die young in a row are
replaced after a back-off; SIGTERM lets the request in flight finish and then
stops everything, killing what outlives LUME_SHUTDOWN_TIMEOUT_MS; SIGHUP
replaces every worker without a failed request and applies the re-read
configuration; both take effect under steady load too, not when it ends; a
worker is recycled after LUME_MAX_REQUESTS; workers leave when their master
dies; with LUME_DIE_WITH_PARENT the master (and so its workers) leaves when
the process that started it dies, and only then; bad configuration exits 2
with one line naming it.
"""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest

import fcgi_client
from harness import BINARY, Master, children, wait_until


class Load(threading.Thread):
    """Sends requests back to back until stopped; counts what failed."""

    def __init__(self, master, uri="/resolve/inception"):
        super().__init__(daemon=True)
        self.master, self.uri = master, uri
        self.ok, self.failures, self.running = 0, [], True

    def run(self):
        while self.running:
            try:
                status, _, _ = self.master.request(self.uri, timeout=10)
                if status == 200:
                    self.ok += 1
                else:
                    self.failures.append(status)
            except OSError as e:
                self.failures.append(repr(e))

    def stop(self):
        self.running = False
        self.join(15)


class WorkerSupervision(unittest.TestCase):
    def test_a_worker_killed_with_sigkill_is_replaced(self):
        with Master(workers=2) as m:
            before = wait_until(lambda: len(m.workers()) == 2 and m.workers())
            os.kill(before[0], signal.SIGKILL)
            after = wait_until(lambda: (w := m.workers()) and len(w) == 2 and before[0] not in w and w)
            self.assertTrue(after, m.log_text())
            self.assertEqual(m.request("/health")[0], 200)
            exits = [e for e in m.events("worker_exit") if e["worker_pid"] == before[0]]
            self.assertEqual(exits[0]["signal"], signal.SIGKILL)

    def test_workers_dying_young_in_a_row_are_respawned_after_a_back_off(self):
        with Master(workers=1) as m:
            for _ in range(3):
                pid = wait_until(lambda: m.workers() and m.workers()[0])
                os.kill(pid, signal.SIGKILL)
                wait_until(lambda: pid not in m.workers())
            self.assertTrue(wait_until(lambda: m.events("respawn_backoff"), 5), m.log_text())
            self.assertTrue(wait_until(lambda: len(m.workers()) == 1, 10))
            self.assertEqual(m.request("/health")[0], 200)

    def test_a_worker_is_recycled_after_max_requests(self):
        with Master(workers=1, env={"LUME_MAX_REQUESTS": "3"}) as m:  # start() used 1 request
            statuses = [m.request("/resolve/inception")[0] for _ in range(8)]
            self.assertEqual(statuses, [200] * 8)
            pids = {e["pid"] for e in m.access_lines(8)}
            self.assertGreaterEqual(len(pids), 3, m.log_text())
            self.assertGreaterEqual(len(m.events("worker_recycle")), 2)
            self.assertFalse(m.events("respawn_backoff"), "a recycle is not a crash")

    def test_workers_leave_when_their_master_dies(self):
        m = Master(workers=2).start()
        workers = wait_until(lambda: len(m.workers()) == 2 and m.workers())
        m.proc.kill()
        m.proc.wait()

        def gone():
            return all(not os.path.exists(f"/proc/{p}") or _zombie(p) for p in workers)
        self.assertTrue(wait_until(gone, 5))
        m.stop()


def _zombie(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
        return stat[stat.rfind(")") + 2] == "Z"
    except OSError:
        return True


class Orphan:
    """A master started by a throw-away parent (sh, exec'd into sleep) that
    the test kills; the master is then nobody's child here, so it is watched
    through /proc and cleaned up by pid."""

    def __init__(self, test, args):
        self.dir = tempfile.mkdtemp(prefix="lume-test-")
        test.addCleanup(shutil.rmtree, self.dir, True)
        self.listen = f"unix:{self.dir}/lume.sock"
        self.log_path = os.path.join(self.dir, "master.log")
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LUME_LISTEN": self.listen,
               "LUME_WORKERS": "2"}
        self.parent = subprocess.Popen(
            ["sh", "-c", '"$0" "$@" </dev/null >"$LOG" 2>&1 & echo $!; exec sleep 600', BINARY, *args],
            env={**env, "LOG": self.log_path}, stdout=subprocess.PIPE, text=True)
        self.pid = int(self.parent.stdout.readline())
        test.addCleanup(self.cleanup)
        self.workers = wait_until(lambda: len(children(self.pid)) == 2 and children(self.pid))
        test.assertTrue(wait_until(self.answers), self.log_text())

    def answers(self):
        try:
            return fcgi_client.request(self.listen, "/health", "GET", timeout=1.0)[0] == 200
        except OSError:
            return False

    def kill_parent(self):
        self.parent.kill()
        self.parent.wait()

    def gone(self):
        return all(_zombie(p) for p in [self.pid] + self.workers)

    def log_text(self):
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def events(self, name):
        return [e for e in map(_json_or_none, self.log_text().splitlines())
                if e and e.get("event") == name]

    def cleanup(self):
        if self.parent.poll() is None:
            self.kill_parent()
        self.parent.stdout.close()
        for pid in [self.pid] + self.workers:
            if not _zombie(pid):
                os.kill(pid, signal.SIGKILL)


def _json_or_none(line):
    try:
        return json.loads(line)
    except ValueError:
        return None


class ParentWatch(unittest.TestCase):
    def test_with_die_with_parent_the_master_stops_when_its_parent_dies(self):
        o = Orphan(self, ["--die-with-parent", "on"])
        o.kill_parent()
        self.assertTrue(wait_until(o.gone, 10), o.log_text())
        self.assertTrue(o.events("parent_exit"), o.log_text())
        self.assertTrue(o.events("exit"), "a graceful stop, not a crash:\n" + o.log_text())

    def test_without_it_the_master_outlives_its_parent(self):
        # The default: under a supervisor or as PID 1 the parent is never watched.
        o = Orphan(self, [])
        o.kill_parent()
        time.sleep(2.5)  # more than the master's one-second check
        self.assertFalse(o.gone())
        self.assertTrue(o.answers())
        self.assertFalse(o.events("parent_exit"))


class GracefulStop(unittest.TestCase):
    def test_sigterm_lets_the_request_in_flight_finish(self):
        m = Master(workers=2, env={"LUME_MOCK_DELAY_MS": "1500"}).start(timeout=15)
        result = {}
        t = threading.Thread(target=lambda: result.update(r=m.request("/resolve/inception")))
        t.start()
        time.sleep(0.4)  # the slow request is now in a worker
        started = time.monotonic()
        m.send_signal(signal.SIGTERM)
        t.join(10)
        self.assertEqual(result["r"][0], 200, m.log_text())
        self.assertEqual(m.proc.wait(10), 0)
        self.assertLess(time.monotonic() - started, 8)
        self.assertFalse(m.workers())
        self.assertTrue(m.events("exit"))
        m.stop()

    def test_sigterm_under_steady_load_stops_without_waiting_for_the_load_to_end(self):
        with Master(workers=2, env={"LUME_MOCK_DELAY_MS": "5",
                                    "LUME_SHUTDOWN_TIMEOUT_MS": "8000"}) as m:
            loads = [Load(m) for _ in range(6)]
            for load in loads:
                load.start()
            time.sleep(0.3)
            started = time.monotonic()
            m.send_signal(signal.SIGTERM)
            code = m.proc.wait(15)
            elapsed = time.monotonic() - started
            for load in loads:
                load.stop()
            self.assertEqual(code, 0)
            self.assertEqual(m.events("stop_timeout"), [])  # nobody had to be killed
            self.assertLess(elapsed, 4)

    def test_sigint_stops_like_sigterm(self):
        m = Master(workers=2).start()
        m.send_signal(signal.SIGINT)
        self.assertEqual(m.proc.wait(10), 0)
        m.stop()

    def test_work_that_outlives_the_shutdown_timeout_is_killed(self):
        m = Master(workers=1, env={"LUME_MOCK_DELAY_MS": "20000", "LUME_REQUEST_TIMEOUT_MS": "30000",
                                   "LUME_SHUTDOWN_TIMEOUT_MS": "500"}).start(timeout=30)
        t = threading.Thread(target=lambda: _swallow(lambda: m.request("/resolve/inception", timeout=30)),
                             daemon=True)
        t.start()
        time.sleep(0.3)
        started = time.monotonic()
        m.send_signal(signal.SIGTERM)
        self.assertEqual(m.proc.wait(10), 0)
        self.assertLess(time.monotonic() - started, 5)
        self.assertTrue(m.events("stop_timeout"), m.log_text())
        m.stop()


def _swallow(fn):
    try:
        fn()
    except OSError:
        pass


def master_with_config_file(text, workers=2):
    """A Master whose settings come from a LUME_CONFIG file; returns (master, path)."""
    m = Master(workers=workers)
    conf = os.path.join(m.dir, "lume.conf")
    with open(conf, "w") as f:
        f.write(text)
    m.env["LUME_CONFIG"] = conf
    return m, conf


class Reload(unittest.TestCase):
    def test_sighup_replaces_every_worker_without_a_failed_request(self):
        with Master(workers=2) as m:
            before = set(wait_until(lambda: len(m.workers()) == 2 and m.workers()))
            load = Load(m)
            load.start()
            time.sleep(0.2)
            m.send_signal(signal.SIGHUP)
            replaced = wait_until(lambda: (w := set(m.workers())) and len(w) == 2 and not (w & before), 10)
            time.sleep(0.2)
            load.stop()
            self.assertTrue(replaced, m.log_text())
            self.assertEqual(load.failures, [])
            self.assertGreater(load.ok, 10)
            self.assertTrue(m.events("reload"))

    def test_sighup_under_steady_load_replaces_every_worker_while_the_load_goes_on(self):
        # more clients than workers: the listening socket is never empty, so a
        # worker's wait finds it ready at once (and a stop signal must still
        # be seen between two requests)
        with Master(workers=2, env={"LUME_MOCK_DELAY_MS": "5", "LUME_MAX_REQUESTS": "0"}) as m:
            before = set(wait_until(lambda: len(m.workers()) == 2 and m.workers()))
            loads = [Load(m) for _ in range(6)]
            for load in loads:
                load.start()
            time.sleep(0.3)
            m.send_signal(signal.SIGHUP)
            replaced = wait_until(lambda: (w := set(m.workers())) and len(w) == 2 and not (w & before), 5)
            for load in loads:
                load.stop()
            self.assertTrue(replaced, [e for e in m.events() if e.get("event") != "request"])
            self.assertEqual([f for load in loads for f in load.failures], [])

    def test_sighup_applies_the_changed_configuration_file(self):
        m, conf = master_with_config_file("# lume settings\nLUME_CACHE_MAX_AGE=300\nLUME_WORKERS=2\n")
        del m.env["LUME_WORKERS"]  # the environment would win over the file
        with m:
            self.assertEqual(m.request("/resolve/inception")[1]["cache-control"], "public, max-age=300, stale-while-revalidate=172800, stale-if-error=172800")
            with open(conf, "w") as f:
                f.write("LUME_CACHE_MAX_AGE=60\nLUME_WORKERS=3\n")
            m.send_signal(signal.SIGHUP)
            self.assertTrue(wait_until(lambda: len(m.workers()) == 3 and all(
                m.request("/resolve/inception")[1]["cache-control"] == "public, max-age=60, stale-while-revalidate=172800, stale-if-error=172800"
                for _ in range(6)), 10), m.log_text())

    def test_a_bad_configuration_on_sighup_keeps_the_running_one(self):
        m, conf = master_with_config_file("LUME_CACHE_MAX_AGE=300\n")
        with m:
            # the pool complete: /health needs one worker, the master forks two
            self.assertTrue(wait_until(lambda: len(m.workers()) == 2), m.log_text())
            before = set(m.workers())
            with open(conf, "w") as f:
                f.write("LUME_WORKERS=lots\n")
            m.send_signal(signal.SIGHUP)
            self.assertTrue(wait_until(lambda: m.events("reload_failed"), 5))
            self.assertIn("LUME_WORKERS", m.events("reload_failed")[0]["message"])
            self.assertEqual(set(m.workers()), before)
            self.assertEqual(m.request("/health")[0], 200)


class CommandLine(unittest.TestCase):
    def run_lume(self, *args, env=None):
        e = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        e.update(env or {})
        return subprocess.run([BINARY, *args], env=e, capture_output=True, text=True, timeout=10)

    def test_bad_configuration_exits_2_with_one_line_naming_the_setting(self):
        for env, name in [({"LUME_WORKERS": "abc"}, "LUME_WORKERS"), ({"LUME_WORKERS": "0"}, "LUME_WORKERS"),
                          ({"LUME_PROVIDER": "torrents"}, "LUME_PROVIDER"),
                          ({"LUME_LISTEN": "nowhere"}, "LUME_LISTEN"),
                          ({"LUME_REQUEST_TIMEOUT_MS": "-5"}, "LUME_REQUEST_TIMEOUT_MS"),
                          ({"LUME_MOCK_CATALOG": "/nonexistent.json"}, "LUME_MOCK_CATALOG")]:
            with self.subTest(env=env):
                r = self.run_lume("--check-config", env=env)
                self.assertEqual(r.returncode, 2)
                self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)
                self.assertIn(name, r.stderr)

    def test_an_option_overrides_the_environment(self):
        r = self.run_lume("--workers", "3", "--check-config", env={"LUME_WORKERS": "abc"})
        self.assertEqual(r.returncode, 2)  # the environment is still read, and is bad
        r = self.run_lume("--workers=3", "--check-config", env={"LUME_WORKERS": "5"})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("3 workers", r.stdout)

    def test_dump_config_prints_every_setting_as_resolved_and_the_cache_generation(self):
        """Defaults < file < environment < options, as the master resolves them."""
        with tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False) as f:
            f.write("LUME_WORKERS=4\nLUME_QUEUE_TIMEOUT_MS=700\nLUME_MOCK_DELAY_MS=5\n"
                    "# nginx's settings may share the file\nexport LUME_HTTPS_PORT='9443'\n")
        self.addCleanup(os.unlink, f.name)
        r = self.run_lume("--dump-config", "--queue-timeout-ms", "900",
                          env={"LUME_CONFIG": f.name, "LUME_WORKERS": "3"})
        self.assertEqual(r.returncode, 0, r.stderr)
        doc = json.loads(r.stdout)
        self.assertEqual(set(doc), {"version", "settings", "file", "cache_generation"})
        # the file's LUME_* lines, the app's and others' (nginx's), as written
        self.assertEqual(doc["file"], {"LUME_WORKERS": "4", "LUME_QUEUE_TIMEOUT_MS": "700",
                                       "LUME_MOCK_DELAY_MS": "5", "LUME_HTTPS_PORT": "9443"})
        self.assertNotIn("LUME_HTTPS_PORT", doc["settings"])
        s = doc["settings"]
        self.assertEqual((s["LUME_WORKERS"], s["LUME_QUEUE_TIMEOUT_MS"], s["LUME_MOCK_DELAY_MS"]),
                         ("3", "900", "5"))  # environment, option, file
        self.assertEqual(s["LUME_REQUEST_TIMEOUT_MS"], "8000")  # a default
        self.assertEqual(s["LUME_PROVIDER"], "mock")
        self.assertTrue(all(isinstance(v, str) for v in s.values()))
        self.assertIn("LUME_ARCHIVE_BASE_URL", s)  # every provider's settings
        self.assertRegex(doc["cache_generation"], r"^[0-9a-f]{16}$")
        # Another provider is another generation; the pool's size is not.
        other = json.loads(self.run_lume("--dump-config", env={"LUME_PROVIDER": "archive"}).stdout)
        self.assertNotEqual(other["cache_generation"], doc["cache_generation"])
        same = json.loads(self.run_lume("--dump-config", env={"LUME_CONFIG": f.name,
                                                               "LUME_WORKERS": "9"}).stdout)
        self.assertEqual(same["cache_generation"], doc["cache_generation"])
        # A bad setting: exit 2 and the one line, as for a start.
        r = self.run_lume("--dump-config", env={"LUME_WORKERS": "0"})
        self.assertEqual((r.returncode, r.stdout), (2, ""))
        self.assertIn("LUME_WORKERS", r.stderr)

    def test_unknown_options_are_refused(self):
        r = self.run_lume("--wrokers", "2")
        self.assertEqual(r.returncode, 2)
        self.assertIn("--wrokers", r.stderr)

    def test_version_and_help(self):
        self.assertRegex(self.run_lume("--version").stdout, r"^lume-fcgi \d+\.\d+\.\d+")
        out = self.run_lume("--help").stdout
        for name in ["--listen", "--workers", "--check-config", "LUME_MAX_REQUESTS"]:
            self.assertIn(name, out)

    def test_a_busy_unix_socket_is_not_stolen(self):
        with Master(workers=1) as m:
            r = self.run_lume(env={"LUME_LISTEN": m.listen, "LUME_WORKERS": "1"})
            self.assertEqual(r.returncode, 1)
            self.assertIn("another process is listening", r.stderr)
            self.assertEqual(m.request("/health")[0], 200)

    def test_a_request_body_the_app_does_not_read_still_gets_a_clean_405(self):
        with Master(workers=1) as m:
            body = b"x" * 200000
            status, headers, payload = m.request("/resolve/inception", "POST", stdin=body)
            self.assertEqual(status, 405)
            self.assertEqual(headers["allow"], "GET, HEAD, OPTIONS")
            self.assertIn(b"METHOD_NOT_ALLOWED", payload)
            self.assertEqual(m.request("/health")[0], 200)

    def test_requests_with_bytes_that_are_not_utf8_still_get_their_log_line(self):
        with Master(workers=1) as m:
            self.assertEqual(m.request("/x", params={"REQUEST_URI": b"/resolve/caf\xe9"})[0], 400)
            self.assertEqual(m.request("/x", params={"REQUEST_URI": b"/\"\n", "REQUEST_METHOD": b"G\xffT"})[0],
                             405)
            lines = wait_until(lambda: len(m.events("request")) >= 3 and m.events("request"))
            self.assertTrue(lines, m.log_text())
            self.assertEqual(lines[1]["path"], "/resolve/caf\ufffd")
            self.assertEqual((lines[2]["method"], lines[2]["path"]), ("G\ufffdT", "/\"\n"))
            self.assertEqual(lines[2]["error"], "METHOD_NOT_ALLOWED")

    def test_a_tcp_listener_works_too(self):
        from harness import free_port
        with Master(workers=1, listen=f"127.0.0.1:{free_port()}") as m:
            self.assertEqual(m.request("/health")[0], 200)


if __name__ == "__main__":
    unittest.main()
