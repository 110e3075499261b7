"""End to end: nginx's rate limit (429 + Retry-After, /health exempt), the
per-address connection cap, and configuration honoured from LUME_* variables
(a custom CORS allowlist, LUME_RATE_LIMIT=0)."""
import concurrent.futures
import time
import unittest

import nginx_harness
from nginx_harness import Stack


def setUpModule():
    if not nginx_harness.nginx_available():
        raise unittest.SkipTest("nginx or openssl is not installed")


def assert_rate_limited(test, r):
    test.assertEqual(r.status, 429, r)
    test.assertEqual(r.headers["content-type"], "application/json")
    test.assertEqual(r.headers["cache-control"], "no-store")
    test.assertRegex(r.headers["retry-after"], r"^[1-9]\d*$")
    detail = r.json()["detail"]
    test.assertEqual(detail["error"], "RATE_LIMITED")
    test.assertEqual(detail["request_id"], r.headers["x-request-id"])
    test.assertEqual(r.headers["x-content-type-options"], "nosniff")
    test.assertIn("strict-transport-security", r.headers)


class TestRateLimit(unittest.TestCase):
    """2 requests/s, burst 3: a quick burst gets 1 + 3 through, then 429s."""

    @classmethod
    def setUpClass(cls):
        cls.stack = Stack(workers=2, nginx_env={
            "LUME_RATE_LIMIT": "2", "LUME_RATE_BURST": "3",
            "LUME_CORS_ORIGINS": "https://app.example.com, http://127.0.0.1:3000"}).start()

    @classmethod
    def tearDownClass(cls):
        cls.stack.stop()

    def setUp(self):
        time.sleep(2.1)  # the bucket refills (burst 3 at 2 r/s) between tests

    def test_burst_then_429(self):
        rs = [self.stack.nginx.request("/resolve/inception") for _ in range(12)]
        statuses = [r.status for r in rs]
        self.assertEqual(statuses[:4], [200] * 4, statuses)
        self.assertGreaterEqual(statuses.count(429), 6, statuses)
        self.assertEqual(set(statuses), {200, 429}, statuses)
        assert_rate_limited(self, rs[-1])
        # a limited preflight-free OPTIONS and a HEAD are limited too; still JSON headers
        r = self.stack.nginx.request("/resolve/inception", method="HEAD")
        self.assertEqual((r.status, r.body), (429, b""))
        self.assertIn("retry-after", r.headers)

    def test_health_is_exempt(self):
        for _ in range(3):
            self.stack.nginx.request("/")
        statuses = [self.stack.nginx.request("/health").status for _ in range(25)]
        self.assertEqual(statuses, [200] * 25)

    def test_custom_cors_allowlist(self):
        n = self.stack.nginx
        r = n.request("/health", headers={"Origin": "https://app.example.com"})
        self.assertEqual(r.headers.get("access-control-allow-origin"), "https://app.example.com")
        r = n.request("/health", headers={"Origin": "http://127.0.0.1:3000"})
        self.assertEqual(r.headers.get("access-control-allow-origin"), "http://127.0.0.1:3000")
        for origin in ("http://localhost", "https://app.example.com.evil", "http://127.0.0.1"):
            r = n.request("/health", headers={"Origin": origin})
            self.assertNotIn("access-control-allow-origin", r.headers, origin)


class TestConnectionCap(unittest.TestCase):
    """LUME_CONN_LIMIT=2 busy requests per address; the rate limit is off."""

    @classmethod
    def setUpClass(cls):
        cls.stack = Stack(workers=4, app_env={"LUME_MOCK_DELAY_MS": "700"},
                          nginx_env={"LUME_RATE_LIMIT": "0", "LUME_CONN_LIMIT": "2"}).start()

    @classmethod
    def tearDownClass(cls):
        cls.stack.stop()

    def test_conn_limit(self):
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            futures = [pool.submit(self.stack.nginx.request, "/resolve/inception")
                       for _ in range(4)]
            rs = [f.result(timeout=20) for f in futures]
        statuses = sorted(r.status for r in rs)
        self.assertEqual(statuses, [200, 200, 429, 429], rs)
        assert_rate_limited(self, next(r for r in rs if r.status == 429))

    def test_rate_limit_off(self):
        statuses = {self.stack.nginx.request("/").status for _ in range(40)}
        self.assertEqual(statuses, {200})


if __name__ == "__main__":
    unittest.main()
