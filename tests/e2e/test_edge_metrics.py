"""End to end over HTTPS: the edge metrics (docs/operations.md), every answer
nginx sent counted by mtail (nginx/edge.py, nginx/edge.mtail) and served at
/metrics/edge, through the real nginx (nginx/render.py's configuration, rate
limit on as by default) and a real lume-fcgi master.

Documents: a real Prometheus server (Debian's) scraping /metrics/edge finds a
known mix counted with its route, status and cache labels: cache misses and
hits, a 404 of the app and one of no route, nginx's own 429 (the rate limit),
413, 414 and 431 (the size limits), and 503 once no worker is reachable; the
duration histogram counts the same answers; the page is Prometheus text that
promtool accepts, for LUME_METRICS_ALLOW only (403 to anyone else); edge.py
keeps the edge log under LUME_EDGE_LOG_MAX without losing a line; the alert
rules of docs/operations.md pass promtool. Loopback only; every wait is bounded.
"""
import collections
import os
import shutil
import subprocess
import tempfile
import unittest

import nginx_harness
from harness import metric_sample, stop_process, wait_until
from nginx_harness import EDGE, Stack, unix_get
from prometheus_harness import PROMTOOL, Prometheus

stack = None


def setUpModule():
    global stack
    if not nginx_harness.nginx_available():
        raise unittest.SkipTest("nginx or openssl is not installed")
    if not nginx_harness.mtail_available():
        raise unittest.SkipTest("mtail is not installed (make deps)")
    stack = Stack(workers=2, edge=True).start()


def tearDownModule():
    if stack is not None:
        stack.stop()


class TestAKnownMixIsCounted(unittest.TestCase):
    """One test: it ends by stopping the master (the 503s), so it runs last
    in this module's stack's life."""

    def setUp(self):
        self.prometheus = Prometheus(stack.nginx, "/metrics/edge")
        self.addCleanup(self.prometheus.stop)
        self.sent = collections.Counter()  # (route, status, cache) -> answers

    def send(self, route, path, source="127.0.0.2", **kw):
        r = stack.nginx.request(path, source=source, **kw)
        self.sent[(route, str(r.status), r.headers["x-cache-status"])] += 1
        return r

    def raw(self, route, data):
        r = stack.nginx.raw(data, source="127.0.0.4")
        self.sent[(route, str(r.status), r.headers["x-cache-status"])] += 1
        return r

    def test_misses_hits_404s_429s_size_limits_and_503s_each_counted(self):
        # Misses, then hits of the same answers (nginx's response cache).
        for _ in range(2):
            self.send("resolve", "/resolve/inception")
            self.send("search", "/resolve/search/the%20boys?limit=5")
        self.send("resolve", "/resolve/the%20boys?season=4&episode=1")
        # 404s: the app's (no result; never stored) and no route at all.
        self.send("resolve", "/resolve/empty")
        self.send("none", "/no/such/route")
        # nginx's 429: one address past LUME_RATE_LIMIT (10/s) and its burst (20).
        for _ in range(80):
            r = self.send("resolve", "/resolve/inception", source="127.0.0.3")
            if sum(n for (_, status, _), n in self.sent.items() if status == "429") >= 3:
                break
        # nginx's size limits: a body, the request line, a header line.
        self.send("resolve", "/resolve/inception", method="POST", body=b"x" * 20000)
        self.raw("none", b"GET /resolve/" + b"a" * 10000 + b" HTTP/1.1\r\nHost: localhost\r\n\r\n")
        self.raw("index", b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: " + b"a" * 10000
                 + b"\r\n\r\n")
        # No worker reachable: nginx's own 503.
        stack.master.stop()
        self.send("resolve", "/resolve/never-asked-before")
        self.send("health", "/health")

        for status in ("200", "404", "429", "413", "414", "431", "503"):
            self.assertIn(status, {s for _, s, _ in self.sent}, self.sent)
        for cache in ("MISS", "HIT", "BYPASS"):
            self.assertIn(cache, {c for _, _, c in self.sent}, self.sent)
        self.assertIn(("resolve", "200", "HIT"), self.sent)
        self.assertIn(("search", "200", "MISS"), self.sent)
        self.assertIn(("resolve", "429", "BYPASS"), self.sent)
        self.assertIn(("health", "503", "BYPASS"), self.sent)

        want = {(("cache", c), ("route", r), ("status", s)): float(n)
                for (r, s, c), n in self.sent.items()}
        seen = self.prometheus.wait_for('lume_edge_requests_total{route!="edge_metrics"}',
                                        lambda r: r == want)
        self.assertEqual(seen, want)
        # The histogram counts the same answers, by route.
        by_route = collections.Counter()
        for (r, _, _), n in self.sent.items():
            by_route[(("route", r),)] += n
        seen = self.prometheus.wait_for(
            'lume_edge_request_duration_seconds_count{route!="edge_metrics"}',
            lambda r: r == dict(by_route))
        self.assertEqual(seen, dict(by_route))
        # Prometheus's own scrapes are counted too, under their own route.
        self.assertTrue(self.prometheus.wait_for(
            'lume_edge_requests_total{route="edge_metrics",status="200"}', bool, 10))


class TestThePage(unittest.TestCase):
    def test_promtool_accepts_it_and_it_is_never_cached(self):
        stack.nginx.request("/health")
        r = wait_until(lambda: (r := stack.nginx.request("/metrics/edge")).status == 200
                       and b"lume_edge_requests_total{" in r.body and r, 10, 0.3)
        self.assertTrue(r, "no lume_edge_requests_total on /metrics/edge")
        self.assertEqual(r.headers["cache-control"], "no-store")
        self.assertTrue(r.headers["content-type"].startswith("text/plain; version=0.0.4"))
        check = subprocess.run([PROMTOOL, "check", "metrics"], input=r.body, capture_output=True,
                               timeout=30)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)

    def test_only_get_head_and_options(self):
        self.assertEqual(stack.nginx.request("/metrics/edge", method="HEAD").status, 200)
        r = stack.nginx.request("/metrics/edge", method="OPTIONS")
        self.assertEqual((r.status, r.headers["allow"]), (204, "GET, HEAD, OPTIONS"))
        r = stack.nginx.request("/metrics/edge", method="DELETE")
        self.assertEqual(r.status, 405)
        self.assertEqual(r.json()["detail"]["error"], "METHOD_NOT_ALLOWED")

    def test_others_get_403_forbidden(self):
        with Stack(workers=1, nginx_env={"LUME_METRICS_ALLOW": "10.0.0.0/8"}) as other:
            r = other.nginx.request("/metrics/edge")
            self.assertEqual(r.status, 403)
            self.assertEqual(r.json()["detail"]["error"], "FORBIDDEN")


class TestTheAlertRules(unittest.TestCase):
    def test_the_rules_of_operations_md_pass_promtool(self):
        with open(os.path.join(nginx_harness.ROOT, "docs", "operations.md"), encoding="utf-8") as f:
            text = f.read()
        rules = text.split("Example alert rules (Prometheus):\n\n```yaml\n", 1)[1].split("```", 1)[0]
        for name in ("LumeCacheHitRatioLow", "LumeThrottling", "LumeEdgeMetricsDown"):
            self.assertIn(f"alert: {name}\n", rules)
        with tempfile.NamedTemporaryFile("w", suffix=".yml") as f:
            f.write(rules)
            f.flush()
            check = subprocess.run([PROMTOOL, "check", "rules", f.name], capture_output=True,
                                   text=True, timeout=30)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)


def on_disk(path):
    return os.stat(path).st_blocks * 512


class TestTheLogStaysSmall(unittest.TestCase):
    """edge.py alone on a run directory: lines appended as nginx appends them."""

    def test_what_mtail_has_read_is_freed_past_the_limit_and_no_line_is_lost(self):
        d = tempfile.mkdtemp(prefix="lume-edge-")
        self.addCleanup(shutil.rmtree, d, True)
        env = dict(os.environ, LUME_EDGE_LOG_MAX="64k")  # the least render.py takes
        with open(os.path.join(d, "edge.out"), "wb") as out:
            proc = subprocess.Popen([EDGE, d], env=env, stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=subprocess.STDOUT)
        self.addCleanup(stop_process, proc)
        sock = os.path.join(d, "edge.sock")
        self.assertTrue(wait_until(lambda: unix_get(sock, "/metrics"), 10, 0.05))
        log = os.path.join(d, "logs", "edge.log")
        line = b"resolve 200 HIT 0.000 448\n"  # 26 bytes: 64k is about 2,500 lines

        def counted():
            r = unix_get(sock, "/metrics")
            return r and metric_sample(r[1].decode(), "lume_edge_requests_total", cache="HIT",
                                       route="resolve", status="200")
        sent, burst = 0, 400
        for _ in range(40):  # buffers of lines, as nginx flushes them (buffer=, flush=)
            with open(log, "ab") as f:  # O_APPEND, as nginx opens it
                f.write(line * burst)
            sent += burst
            self.assertTrue(wait_until(lambda: counted() == sent, 10, 0.05), (counted(), sent))
            # at most a second of bursts (edge.py looks once a second) past the limit
            self.assertLessEqual(on_disk(log), 128 * 1024, sent)
        self.assertGreater(sent * len(line), 5 * 64 * 1024)
        # what is left: the limit at most, and the block holding the last line
        self.assertTrue(wait_until(lambda: on_disk(log) <= 68 * 1024, 5, 0.1), on_disk(log))
        self.assertEqual(os.path.getsize(log), len(line) * sent)  # appended, never moved
        self.assertEqual(counted(), sent)
        stop_process(proc)
        self.assertEqual(proc.returncode, 0)
        self.assertFalse(os.path.exists(sock))


if __name__ == "__main__":
    unittest.main()
