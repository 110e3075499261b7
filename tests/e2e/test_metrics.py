"""End to end over HTTPS: GET /metrics and GET /status through the real nginx
(nginx/render.py's configuration, rate limit on as by default) and a real
lume-fcgi master (docs/operations.md).

Documents: /metrics is the Prometheus text format as Debian's promtool
checks it, summed over the whole pool whichever worker answers; a real
Prometheus server scraping it for a few seconds sees every request sent;
/status is the pool and the scoreboard as JSON; both are for
LUME_METRICS_ALLOW (loopback and private networks by default) and answer
403 FORBIDDEN in the API's envelope to anyone else; neither is rate-limited
nor cached; one request id follows a request through nginx's access log and
the workers' log lines. Loopback only; bounded in time.
"""
import json
import os
import subprocess
import unittest

import nginx_harness
from harness import metric_sample, wait_until
from nginx_harness import Stack
from prometheus_harness import PROMTOOL, Prometheus

stack = None


def setUpModule():
    global stack
    if not nginx_harness.nginx_available():
        raise unittest.SkipTest("nginx or openssl is not installed")
    stack = Stack(workers=2).start()


def tearDownModule():
    if stack is not None:
        stack.stop()


def get(path, **kw):
    return stack.nginx.request(path, **kw)




class TestMetrics(unittest.TestCase):
    def test_the_page_is_prometheus_text_that_promtool_accepts(self):
        get("/health")
        get("/resolve/empty")
        r = get("/metrics")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8")
        self.assertEqual(r.headers["cache-control"], "no-store")
        check = subprocess.run([PROMTOOL, "check", "metrics"], input=r.body, capture_output=True,
                               timeout=30)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)
        text = r.body.decode()
        for name in ("lume_requests_total", "lume_request_duration_seconds_bucket",
                     "lume_upstream_calls_total", "lume_breaker_transitions_total",
                     "lume_workers", "lume_worker_spawns_total", "lume_worker_exits_total",
                     "lume_listen_queue"):
            self.assertIn("\n" + name, text)
        self.assertGreaterEqual(metric_sample(text, "lume_requests_total", route="resolve", status=404), 1)
        self.assertEqual(metric_sample(text, "lume_worker_spawns_total", cause="start"), 2)
        self.assertEqual(metric_sample(text, "lume_workers_configured"), 2)
        self.assertGreaterEqual(metric_sample(text, "lume_listen_queue_limit"), 1)

    def test_the_counts_are_the_whole_pools_whichever_worker_answers(self):
        def health_count():
            return metric_sample(get("/metrics").body.decode(), "lume_requests_total", route="health",
                          status=200) or 0
        before = health_count()
        for _ in range(10):
            self.assertEqual(get("/health").status, 200)
        # two workers take turns; every answer shows all ten, never one worker's share
        for _ in range(6):
            self.assertGreaterEqual(health_count(), before + 10)

    def test_a_scraper_is_not_rate_limited(self):
        statuses = [get("/metrics").status for _ in range(40)]  # the API's limit: 10/s, burst 20
        self.assertEqual(set(statuses), {200})


class TestStatus(unittest.TestCase):
    def test_the_status_page_shows_the_pool_and_every_worker(self):
        r = get("/status")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.headers["cache-control"], "no-store")
        doc = r.json()
        self.assertEqual(doc["pool"], "lume")
        self.assertEqual(doc["workers_configured"], 2)
        self.assertEqual(doc["total_workers"], 2)
        self.assertEqual(len(doc["workers"]), 2)
        self.assertEqual(sorted(w["pid"] for w in doc["workers"]), sorted(stack.master.workers()))
        mine = [w for w in doc["workers"] if w["state"] == "busy"]
        self.assertEqual(len(mine), 1)  # the worker answering this very request
        self.assertEqual(mine[0]["route"], "status")
        self.assertEqual(mine[0]["request_id"], r.headers["x-request-id"])
        self.assertIsInstance(doc["listen_queue"], int)


class TestAccess(unittest.TestCase):
    def test_others_get_403_forbidden_in_the_envelope(self):
        # Only 10.0.0.0/8 may look: the test's loopback address is "anyone else".
        with Stack(workers=1, nginx_env={"LUME_METRICS_ALLOW": "10.0.0.0/8"}) as other:
            for path in ("/metrics", "/status"):
                r = other.nginx.request(path)
                self.assertEqual(r.status, 403, path)
                self.assertTrue(r.headers["content-type"].startswith("application/json"))
                detail = r.json()["detail"]
                self.assertEqual(detail["error"], "FORBIDDEN")
                self.assertEqual(detail["request_id"], r.headers["x-request-id"])
            self.assertEqual(other.nginx.request("/health").status, 200)  # the API is open


class TestRequestId(unittest.TestCase):
    def test_one_grep_follows_a_request_through_nginx_and_the_worker(self):
        rid = get("/resolve/inception").headers["x-request-id"]
        wait_until(lambda: any(e.get("request_id") == rid for e in stack.nginx.access_log()), 5)
        access = os.path.join(stack.nginx.dir, "logs", "access.log")
        found = subprocess.run(["grep", "-h", rid, access, stack.master.log_path],
                               capture_output=True, text=True, timeout=10).stdout.splitlines()
        lines = [json.loads(l) for l in found]
        self.assertEqual(len(lines), 2, found)  # nginx's access line and the worker's
        self.assertEqual({l["request_id"] for l in lines}, {rid})
        self.assertEqual(sorted(l.get("event", "nginx") for l in lines), ["nginx", "request"])


class TestPrometheus(unittest.TestCase):
    """A real Prometheus server (Debian's) scrapes /metrics every second."""

    def test_a_prometheus_server_sees_every_request_sent(self):
        sent = 25
        for _ in range(sent):
            self.assertEqual(get("/health").status, 200)
        prometheus = Prometheus(stack.nginx)
        self.addCleanup(prometheus.stop)
        def total(result):
            return sum((result or {}).values())
        seen = prometheus.wait_for('lume_requests_total{route="health",status="200"}',
                                   lambda r: total(r) >= sent, 20)
        self.assertGreaterEqual(total(seen), sent, f"Prometheus saw {seen}")
        self.assertEqual(prometheus.value('up{job="lume"}'), 1)


if __name__ == "__main__":
    unittest.main()
