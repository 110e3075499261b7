"""End to end: what clients see when workers fail. No worker reachable: 503
SERVICE_UNAVAILABLE in JSON; a worker that hangs past nginx's read timeout:
504 in JSON; a worker killed with -9 during a burst costs no request: nginx
sends the one it was serving once more, to another worker."""
import concurrent.futures
import os
import signal
import threading
import time
import unittest

import nginx_harness
from harness import wait_until
from nginx_harness import Stack


def setUpModule():
    if not nginx_harness.nginx_available():
        raise unittest.SkipTest("nginx or openssl is not installed")


def assert_envelope(test, r, status, code):
    test.assertEqual(r.status, status, r)
    test.assertEqual(r.headers["content-type"], "application/json", r)
    test.assertEqual(r.headers["cache-control"], "no-store")
    test.assertEqual(r.headers["x-content-type-options"], "nosniff")
    detail = r.json()["detail"]
    test.assertEqual(detail["error"], code, r)
    test.assertEqual(detail["request_id"], r.headers["x-request-id"])
    return detail


class TestNoWorkers(unittest.TestCase):
    def test_master_stopped(self):
        with Stack(workers=1, nginx_env={"LUME_RATE_LIMIT": "0"}) as stack:
            self.assertEqual(stack.nginx.request("/health").status, 200)
            stack.master.stop()
            for path in ("/resolve/inception", "/health", "/"):
                with self.subTest(path=path):
                    r = stack.nginx.request(path)
                    d = assert_envelope(self, r, 503, "SERVICE_UNAVAILABLE")
                    self.assertEqual(d["provider"], "MockProvider")
                    self.assertRegex(r.headers["retry-after"], r"^[1-9]\d*$")
                    self.assertIn("strict-transport-security", r.headers)
            r = stack.nginx.request("/resolve/inception", method="HEAD")
            self.assertEqual((r.status, r.body), (503, b""))
            # nginx's access log shows the upstream failure it turned into JSON,
            # after its one retry
            self.assertIn("502, 502", [e["upstream_status"] for e in stack.nginx.access_log()])

    def test_workers_frozen(self):
        # the master is alive but its workers are stopped (SIGSTOP): nginx gives
        # up at its read timeout (LUME_REQUEST_TIMEOUT_MS=1 renders 3 s) with a
        # JSON 504
        with Stack(workers=2, nginx_env={"LUME_RATE_LIMIT": "0",
                                         "LUME_REQUEST_TIMEOUT_MS": "1"}) as stack:
            workers = wait_until(lambda: len(stack.master.workers()) == 2 and
                                 stack.master.workers(), timeout=5)
            for pid in workers:
                os.kill(pid, signal.SIGSTOP)
            try:
                start = time.monotonic()
                r = stack.nginx.request("/resolve/inception", timeout=15)
                self.assertLess(time.monotonic() - start, 8)
                d = assert_envelope(self, r, 504, "PROVIDER_TIMEOUT")
                self.assertEqual(d["provider"], "MockProvider")
            finally:
                for pid in workers:
                    os.kill(pid, signal.SIGCONT)


class TestWorkerKilled(unittest.TestCase):
    def test_kill_9_during_burst(self):
        requests, concurrency = 48, 8
        # The response cache is off: every request of the burst reaches a worker.
        with Stack(workers=4, app_env={"LUME_MOCK_DELAY_MS": "150"},
                   nginx_env={"LUME_RATE_LIMIT": "0", "LUME_CACHE_SIZE": "0"}) as stack:
            workers = wait_until(lambda: len(stack.master.workers()) == 4 and
                                 stack.master.workers(), timeout=5)
            self.assertTrue(workers)
            done = threading.Event()
            started = threading.Event()
            victim = workers[0]

            def one(i):
                started.set()
                return stack.nginx.request(f"/resolve/search/the%20boys?limit={1 + i % 5}",
                                           timeout=20)

            def killer():
                started.wait(5)
                time.sleep(0.4)  # mid-burst: every worker is busy
                os.kill(victim, signal.SIGKILL)
                done.set()

            t = threading.Thread(target=killer)
            t.start()
            with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
                rs = list(pool.map(one, range(requests), timeout=60))
            t.join(10)
            self.assertTrue(done.is_set())

            failed = [r for r in rs if r.status != 200]
            self.assertEqual(failed, [], [(r.status, r.body[:120]) for r in failed])
            # the request the worker was serving was retried on another one
            self.assertIn("502, 200", [e["upstream_status"] for e in stack.nginx.access_log()])
            # the master replaced the worker and the service goes on
            self.assertTrue(wait_until(lambda: len(stack.master.workers()) == 4 and
                                       victim not in stack.master.workers(), timeout=5))
            self.assertEqual(stack.nginx.request("/resolve/inception").status, 200)


if __name__ == "__main__":
    unittest.main()
