"""Chaos under load, through nginx: wrk keeps 32 HTTPS connections busy
against four workers with a little work each (LUME_MOCK_DELAY_MS), so every
worker always has a request in flight, while

- a worker is killed with SIGKILL every second for 20 s: at least 99.9% of
  the answers are 200 (nginx sends the request a killed worker was serving
  once more, to another worker), and the pool is back to its size;
- the master is sent SIGHUP five times: every reload replaces the whole pool
  while the load goes on, and not one request fails.

wrk counts every answer by status (statuses.lua) and its socket errors; a
socket error counts as a failed request. Bounded: wrk runs with -d, against
127.0.0.1 only.
"""
import json
import os
import shutil
import signal
import subprocess
import time
import unittest

import nginx_harness
from harness import wait_until
from nginx_harness import Stack

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "statuses.lua")
WORKERS = 4
CONNECTIONS = 32
APP_ENV = {"LUME_MOCK_DELAY_MS": "5"}
# The response cache is off: every request of the load reaches the pool.
NGINX_ENV = {"LUME_RATE_LIMIT": "0", "LUME_CONN_LIMIT": "0", "LUME_CACHE_SIZE": "0"}


def setUpModule():
    if not nginx_harness.nginx_available():
        raise unittest.SkipTest("nginx or openssl is not installed")
    if shutil.which("wrk") is None:
        raise unittest.SkipTest("wrk is not installed (make deps)")


class Wrk:
    """wrk -c32 for a bounded time against one URL; result() is the JSON line
    statuses.lua prints: {"statuses": {"200": N, ...}, "requests": N,
    "errors": {"connect": N, "read": N, "write": N, "status": N, "timeout": N}}."""

    def __init__(self, url, seconds):
        self.proc = subprocess.Popen(
            ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "5s", "-s", SCRIPT,
             url], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.seconds = seconds

    def kill(self):
        """Stop wrk if a test ended before it did."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.communicate()

    def running(self):
        return self.proc.poll() is None

    def result(self):
        out, _ = self.proc.communicate(timeout=self.seconds + 30)
        line = out.strip().splitlines()[-1] if out.strip() else ""
        if self.proc.returncode != 0 or not line.startswith("{"):
            raise AssertionError(f"wrk exited with {self.proc.returncode}:\n{out}")
        r = json.loads(line)
        r["ok"] = r["statuses"].get("200", 0)
        r["socket_errors"] = sum(v for k, v in r["errors"].items() if k != "status")
        r["answered"] = sum(r["statuses"].values())
        r["failed"] = r["answered"] - r["ok"] + r["socket_errors"]
        return r


def generation_pids(master, generation):
    return {e["worker_pid"] for e in master.events("worker_spawn")
            if e["generation"] == generation}


class TestChaos(unittest.TestCase):
    def setUp(self):
        self.stack = Stack(workers=WORKERS, app_env=APP_ENV, nginx_env=NGINX_ENV).start()
        self.addCleanup(self.stack.stop)
        self.master = self.stack.master
        self.assertTrue(wait_until(lambda: len(self.master.workers()) == WORKERS, 5))

    def wrk(self, seconds):
        wrk = Wrk(self.stack.nginx.url + "/resolve/inception", seconds)
        self.addCleanup(wrk.kill)
        return wrk

    def report(self, r):
        retried = sum(1 for e in self.stack.nginx.access_log()
                      if e["upstream_status"].startswith("502, "))
        return f"wrk: {r}; retried by nginx: {retried}"

    def test_a_worker_killed_every_second_for_20_s(self):
        wrk = self.wrk(20)
        time.sleep(1)
        kills, victims = 0, []
        while wrk.running() and kills < 18:
            workers = self.master.workers()
            if workers:
                victim = workers[kills % len(workers)]
                os.kill(victim, signal.SIGKILL)
                victims.append(victim)
                kills += 1
            time.sleep(1)
        r = wrk.result()
        self.assertGreaterEqual(kills, 15, self.report(r))
        self.assertGreater(r["answered"], 0, self.report(r))
        self.assertGreaterEqual(r["ok"] / (r["answered"] + r["socket_errors"]), 0.999,
                                self.report(r))
        self.assertEqual(set(r["statuses"]) - {"200", "503"}, set(), self.report(r))
        # whatever the throughput: a kill does not cost the request in flight
        # (about one each without nginx's retry)
        self.assertLess(r["failed"], kills // 2, self.report(r))
        # the pool is back to size, and the master saw exactly our kills
        self.assertTrue(wait_until(lambda: len(self.master.workers()) == WORKERS, 15),
                        self.master.events("respawn_backoff"))
        self.assertTrue(set(self.master.workers()).isdisjoint(victims))
        exits = self.master.events("worker_exit")
        self.assertEqual(sorted(e["worker_pid"] for e in exits if "signal" in e), sorted(victims))
        self.assertTrue(all(e["signal"] == signal.SIGKILL for e in exits if "signal" in e))
        self.assertTrue(all(e["status"] == 0 for e in exits if "signal" not in e), exits)
        self.assertEqual(self.stack.nginx.request("/resolve/inception").status, 200)

    def test_five_reloads_under_load(self):
        wrk = self.wrk(12)
        time.sleep(1)
        for generation in range(1, 6):
            self.master.send_signal(signal.SIGHUP)
            # the whole pool is replaced while the load goes on
            replaced = wait_until(lambda: len(generation_pids(self.master, generation)) ==
                                  WORKERS and set(self.master.workers()) ==
                                  generation_pids(self.master, generation), 3)
            self.assertTrue(replaced, f"reload {generation} did not finish under load: "
                            f"workers {self.master.workers()}, new "
                            f"{generation_pids(self.master, generation)}")
            time.sleep(1)
        self.assertTrue(wrk.running(), "the reloads outlasted the load")
        r = wrk.result()
        self.assertEqual(r["failed"], 0, self.report(r))
        self.assertGreater(r["ok"], 0)
        self.assertEqual(len(self.master.events("reload")), 5)
        exits = self.master.events("worker_exit")
        self.assertEqual(len(exits), 5 * WORKERS)
        self.assertTrue(all(e.get("status") == 0 for e in exits), exits)
        self.assertEqual(len(self.master.workers()), WORKERS)


if __name__ == "__main__":
    unittest.main()
