"""End to end with the archive provider: the Android app's view of upstream
faults, through the real nginx, the real master and a fake Internet Archive.

The app's own answers must pass nginx untouched: a 200 MediaLink pointing at
the archive's download URL; an upstream 500 as the app's 503
PROVIDER_UNAVAILABLE (not nginx's SERVICE_UNAVAILABLE); an upstream past the
deadline as the app's 504 PROVIDER_TIMEOUT within the deadline (nginx's read
timeout is longer, so its own 504 never wins); an open circuit as 503 with
Retry-After. Every body carries nginx's request id. nginx's response cache is
off here, so every request reaches the app (tests/e2e/test_cache.py has the
archive behind the cache)."""
import time
import unittest

import nginx_harness
from archive_env import archive_env
from fake_archive import FakeArchive, Item, video
from nginx_harness import Stack

DEADLINE_MS = 1500


def setUpModule():
    if not nginx_harness.nginx_available():
        raise unittest.SkipTest("nginx or openssl is not installed")


class ArchiveThroughNginx(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fake = FakeArchive().start()
        env = archive_env(cls.fake.base_url, LUME_REQUEST_TIMEOUT_MS=DEADLINE_MS,
                          LUME_CONNECT_TIMEOUT_MS=500, LUME_RETRIES=0,
                          LUME_BREAKER_FAILURES=1000)
        cls.stack = Stack(workers=2, app_env=env, nginx_env={"LUME_RATE_LIMIT": "0", "LUME_CACHE_SIZE": "0"}).start()

    @classmethod
    def tearDownClass(cls):
        cls.stack.stop()
        cls.fake.stop()

    def setUp(self):
        self.fake.clear()
        self.fake.add(Item("the_general_1926", "The General (1926)", 7000,
                           [video("The General.mp4", "h.264", 700000000, 480)]))

    def get(self, path):
        t0 = time.monotonic()
        r = self.stack.nginx.request(path, timeout=15)
        return r, time.monotonic() - t0

    def assertAppError(self, r, status, code):
        self.assertEqual(r.status, status, r)
        self.assertEqual(r.headers["content-type"], "application/json")
        self.assertEqual(r.headers["cache-control"], "no-store")
        detail = r.json()["detail"]
        self.assertEqual(detail["error"], code, r)
        self.assertEqual(detail["query"], "the general")  # the app's body, not nginx's
        self.assertEqual(detail["provider"], "ArchiveProvider")
        self.assertEqual(detail["request_id"], r.headers["x-request-id"])
        return detail

    def test_a_film_resolves_to_its_download_url(self):
        r, _ = self.get("/resolve/the%20general")
        self.assertEqual(r.status, 200, r)
        body = r.json()
        self.assertEqual(body["title"], "The General (1926)")
        self.assertTrue(body["url"].endswith("/download/the_general_1926/The%20General.mp4"), body)
        self.assertEqual(body["seeds"], 7000)
        self.assertEqual(r.headers["cache-control"], "public, max-age=300, stale-while-revalidate=172800, stale-if-error=172800")

    def test_an_upstream_500_reaches_the_client_as_the_apps_503(self):
        self.fake.fault("search", "500")
        r, _ = self.get("/resolve/the%20general")
        self.assertAppError(r, 503, "PROVIDER_UNAVAILABLE")
        self.assertNotIn(b"html", r.body.lower())

    def test_an_upstream_past_the_deadline_is_the_apps_504_within_the_deadline(self):
        self.fake.fault("search", "slow", delay=5)
        r, seconds = self.get("/resolve/the%20general")
        self.assertAppError(r, 504, "PROVIDER_TIMEOUT")
        self.assertLess(seconds, DEADLINE_MS / 1000 + 2.5)  # generous: CI machines are noisy

    def test_provider_health_reports_an_unreachable_upstream_as_503(self):
        self.fake.fault("search", "500")
        r, _ = self.get("/resolve/health/provider")
        self.assertEqual(r.status, 503, r)
        detail = r.json()["detail"]
        self.assertEqual((detail["status"], detail["provider"]), ("unhealthy", "ArchiveProvider"))


class OpenCircuitThroughNginx(unittest.TestCase):
    def test_an_open_circuit_is_503_with_retry_after_through_nginx(self):
        fake = FakeArchive().start()
        env = archive_env(fake.base_url, LUME_RETRIES=0, LUME_BREAKER_FAILURES=1,
                          LUME_BREAKER_OPEN_MS=30000)
        try:
            with Stack(workers=2, app_env=env, nginx_env={"LUME_RATE_LIMIT": "0", "LUME_CACHE_SIZE": "0"}) as stack:
                fake.fault("search", "500")
                self.assertEqual(stack.nginx.request("/resolve/anything").status, 503)
                searches = fake.count("search")
                r = stack.nginx.request("/resolve/anything")
                self.assertEqual(r.status, 503, r)
                self.assertEqual(r.json()["detail"]["error"], "PROVIDER_UNAVAILABLE")
                self.assertGreaterEqual(int(r.headers["retry-after"]), 1)
                self.assertEqual(fake.count("search"), searches, "an open circuit fails fast")
        finally:
            fake.stop()


if __name__ == "__main__":
    unittest.main()
