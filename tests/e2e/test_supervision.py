"""End to end, nginx in front: the supervision of the pool (issue 15).

Documents: /health is answered by the health responder, from the scoreboard,
within 100 ms while every worker is busy with slow upstream calls and more
requests wait in their queue; it says 503 SERVICE_UNAVAILABLE, "unhealthy",
when no worker can take a request (every one stuck); a worker busy in one
request past LUME_WORKER_TIMEOUT_MS is killed, logged with that request's id
(the X-Request-Id the client got), counted in /metrics as an exit of cause
"timeout", and replaced.
"""
import concurrent.futures
import os
import signal
import statistics
import time
import unittest

import nginx_harness
from harness import metric_sample, wait_until
from nginx_harness import Stack


def setUpModule():
    if not nginx_harness.nginx_available():
        raise unittest.SkipTest("nginx or openssl is not installed")




class HealthWhileEveryWorkerIsBusy(unittest.TestCase):
    def test_health_answers_within_100_ms_while_the_workers_are_busy(self):
        with Stack(workers=2, app_env={"LUME_MOCK_DELAY_MS": "2000",
                                       "LUME_QUEUE_TIMEOUT_MS": "8000"},
                   nginx_env={"LUME_RATE_LIMIT": "0"}) as stack:
            n = stack.nginx
            with concurrent.futures.ThreadPoolExecutor(4) as pool:
                # two requests keep both workers busy for 2 s, two more wait
                # in their queue behind them
                slow = [pool.submit(n.request, f"/resolve/inception?n={i}", timeout=15)
                        for i in range(4)]
                time.sleep(0.5)
                took = []
                for _ in range(9):
                    start = time.monotonic()
                    r = n.request("/health", headers={"Origin": "http://localhost"})
                    took.append(time.monotonic() - start)
                    self.assertEqual((r.status, r.json()), (200, {"status": "healthy"}), r)
                    self.assertRegex(r.headers["x-request-id"], r"^[0-9a-f]{32}$")
                    self.assertEqual(r.headers["cache-control"], "no-store")
                    self.assertEqual(r.headers["access-control-allow-origin"], "http://localhost")
                busy_throughout = not any(f.done() for f in slow)
                self.assertEqual([f.result().status for f in slow], [200] * 4)
            self.assertTrue(busy_throughout, "the slow requests ended before /health was asked")
            self.assertLess(statistics.median(took), 0.1, took)
            self.assertLess(max(took), 1.0, took)
            # the responder answered, not a worker, and counted it
            answered = [e for e in stack.master.events("request") if e.get("path") == "/health"]
            self.assertGreaterEqual(len([e for e in answered if e.get("responder") == "health"]),
                                    9)

    def test_health_is_503_unhealthy_when_every_worker_is_stuck(self):
        # LUME_REQUEST_TIMEOUT_MS=1000: a worker busy for over 2 s is stuck;
        # LUME_WORKER_TIMEOUT_MS=0 keeps it (it is not killed here)
        with Stack(workers=1, app_env={"LUME_MOCK_DELAY_MS": "800",
                                       "LUME_REQUEST_TIMEOUT_MS": "1000",
                                       "LUME_WORKER_TIMEOUT_MS": "0"},
                   nginx_env={"LUME_RATE_LIMIT": "0"}) as stack:
            n = stack.nginx
            worker = wait_until(lambda: stack.master.workers(), timeout=5)[0]
            with concurrent.futures.ThreadPoolExecutor(1) as pool:
                slow = pool.submit(n.request, "/resolve/inception", timeout=20)
                time.sleep(0.3)
                os.kill(worker, signal.SIGSTOP)  # frozen in the request
                try:
                    self.assertEqual(n.request("/health").status, 200)  # busy, not stuck yet
                    r = wait_until(lambda: (r := n.request("/health")).status == 503 and r,
                                   timeout=6, interval=0.2)
                    self.assertTrue(r, "never unhealthy")
                    detail = r.json()["detail"]
                    self.assertEqual((detail["error"], detail["status"]),
                                     ("SERVICE_UNAVAILABLE", "unhealthy"))
                    self.assertEqual(detail["request_id"], r.headers["x-request-id"])
                    self.assertEqual(detail["provider"], "MockProvider")
                finally:
                    os.kill(worker, signal.SIGCONT)
                slow.result()
            self.assertTrue(wait_until(lambda: n.request("/health").status == 200, timeout=5))


class StuckWorker(unittest.TestCase):
    def test_a_worker_stuck_past_the_worker_timeout_is_killed_named_and_replaced(self):
        with Stack(workers=1, app_env={"LUME_MOCK_DELAY_MS": "500",
                                       "LUME_REQUEST_TIMEOUT_MS": "1000",
                                       "LUME_WORKER_TIMEOUT_MS": "1500"},
                   nginx_env={"LUME_RATE_LIMIT": "0"}) as stack:
            n, m = stack.nginx, stack.master
            worker = wait_until(lambda: m.workers(), timeout=5)[0]
            with concurrent.futures.ThreadPoolExecutor(1) as pool:
                stuck = pool.submit(n.request, "/resolve/inception", timeout=20)
                time.sleep(0.2)
                os.kill(worker, signal.SIGSTOP)  # hangs in the request, as in a dead syscall
                r = stuck.result()
            # its connection closed unanswered: nginx's retry reached the new worker
            request_id = r.headers["x-request-id"]
            killed = wait_until(lambda: m.events("worker_timeout"), timeout=5)
            self.assertTrue(killed, m.log_text())
            self.assertEqual(killed[0]["worker_pid"], worker)
            self.assertEqual(killed[0]["request_id"], request_id)
            self.assertEqual(killed[0]["level"], "warn")
            self.assertGreater(killed[0]["busy_ms"], 1500)
            # the kill is logged before it is sent; the exit once the master reaps it
            exits = wait_until(lambda: [e for e in m.events("worker_exit")
                                        if e["worker_pid"] == worker], timeout=5)
            self.assertTrue(exits, m.log_text())
            self.assertEqual(exits[0]["signal"], signal.SIGKILL)
            self.assertTrue(wait_until(lambda: len(m.workers()) == 1 and worker not in m.workers(),
                                       timeout=5))
            self.assertFalse(m.events("respawn_backoff"), "a timeout is not a crash")
            text = n.request("/metrics").body.decode()
            self.assertEqual(metric_sample(text, "lume_worker_exits_total", cause="timeout"), 1)
            self.assertEqual(metric_sample(text, "lume_worker_exits_total", cause="signal"), 0)
            self.assertEqual(n.request("/resolve/inception").status, 200)


if __name__ == "__main__":
    unittest.main()
