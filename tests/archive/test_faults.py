"""Upstream faults through the real stack: every fault's status and time bound,
the request deadline, retries as the fake archive sees them, and partial
failures of lookups. The breaker is kept out of the way (LUME_BREAKER_FAILURES
is high here; it has its own tests)."""
import time

from archive_env import ArchiveCase, Item, Master, archive_env, free_port, video

TIMEOUT_MS = 1500
CONNECT_MS = 500
BOUND = 3.0  # seconds: a generous ceiling for answers that should be quick


class FaultTest(ArchiveCase):
    overrides = {"LUME_REQUEST_TIMEOUT_MS": TIMEOUT_MS, "LUME_CONNECT_TIMEOUT_MS": CONNECT_MS,
                 "LUME_RETRIES": 2}

    @classmethod
    def catalog(cls, fake):
        for ident, dl in [("noir_a", 300), ("noir_b", 200), ("noir_c", 100)]:
            fake.add(Item(ident, f"Noir Classic {ident}", dl,
                          [video(f"{ident}.mp4", "h.264", 1000, 480)]))

    def last_failure(self, call):
        """The worker's last archive_upstream_failed log line for call."""
        found = [e for e in self.master.events("archive_upstream_failed") if e["call"] == call]
        self.assertTrue(found, "no archive_upstream_failed event")
        return found[-1]

    def search(self):
        return self.get("/resolve/search/Noir")

    # -- retried faults: the fake sees 1 + LUME_RETRIES searches ---------------
    def test_500_is_retried_then_503(self):
        self.fake.fault("search", "500")
        status, _, body, elapsed = self.search()
        self.assertError(status, body, 503, "PROVIDER_UNAVAILABLE")
        self.assertEqual(self.fake.count("search"), 3)
        self.assertLess(elapsed, BOUND)

    def test_500_then_success_within_the_retries(self):
        self.fake.fault("search", "500", times=2)
        status, _, body, _ = self.search()
        self.assertEqual(status, 200, body)
        self.assertEqual(len(body["results"]), 3)
        self.assertEqual(self.fake.count("search"), 3)

    def test_429_is_retried(self):
        self.fake.fault("search", "429", times=1)
        status, _, body, _ = self.search()
        self.assertEqual(status, 200, body)
        self.assertEqual(self.fake.count("search"), 2)

    def test_reset_is_retried_then_503(self):
        self.fake.fault("search", "reset")
        status, headers, body, elapsed = self.search()
        self.assertError(status, body, 503, "PROVIDER_UNAVAILABLE")
        self.assertLess(elapsed, BOUND)
        # The provider tried 1 + LUME_RETRIES times. libcurl itself re-sends a
        # request once when a pooled keep-alive connection turns out dead, so
        # the fake may see up to two connections per try.
        self.assertEqual(self.last_failure("search")["attempts"], 3)
        self.assertGreaterEqual(self.fake.count("search"), 3)
        self.assertLessEqual(self.fake.count("search"), 6)

    def test_other_4xx_is_not_retried(self):
        self.fake.fault("search", "404")
        status, _, body, _ = self.search()
        self.assertError(status, body, 503, "PROVIDER_UNAVAILABLE")
        self.assertEqual(self.fake.count("search"), 1)

    # -- answers that are wrong: 503 at once, not retried ---------------------
    def check_bad_answer(self, mode):
        self.fake.fault("search", mode)
        status, _, body, elapsed = self.search()
        self.assertError(status, body, 503, "PROVIDER_UNAVAILABLE")
        self.assertEqual(self.fake.count("search"), 1, mode)
        self.assertLess(elapsed, BOUND)

    def test_malformed_json(self):
        self.check_bad_answer("malformed")

    def test_error_key_in_a_200(self):
        self.check_bad_answer("error200")

    def test_missing_response(self):
        self.check_bad_answer("no_response")

    def test_wrong_types(self):
        self.check_bad_answer("wrong_types")

    def test_oversized_answer_is_cut_off(self):
        self.check_bad_answer("oversized")

    def test_oversized_metadata_drops_that_item(self):
        self.fake.fault("metadata:noir_b", "oversized")
        status, _, body, _ = self.search()
        self.assertEqual(status, 200, body)
        self.assertEqual([r["seeds"] for r in body["results"]], [300, 100])

    # -- the deadline ----------------------------------------------------------
    def test_slow_search_past_the_deadline_is_504_promptly(self):
        self.fake.fault("search", "slow", delay=5)
        status, _, body, elapsed = self.search()
        self.assertError(status, body, 504, "PROVIDER_TIMEOUT")
        self.assertGreaterEqual(elapsed, TIMEOUT_MS / 1000 * 0.9)
        self.assertLess(elapsed, TIMEOUT_MS / 1000 + 1.5)

    def test_slow_lookups_past_the_deadline_are_504(self):
        self.fake.fault("metadata", "slow", delay=5)
        status, _, body, elapsed = self.search()
        self.assertError(status, body, 504, "PROVIDER_TIMEOUT")
        self.assertLess(elapsed, TIMEOUT_MS / 1000 + 1.5)

    def test_slow_but_within_the_deadline_is_fine(self):
        self.fake.fault("search", "slow", delay=0.3)
        status, _, body, _ = self.search()
        self.assertEqual(status, 200, body)

    def test_one_slow_lookup_is_dropped_at_the_deadline(self):
        self.fake.fault("metadata:noir_a", "slow", delay=5)
        status, _, body, elapsed = self.search()
        self.assertEqual(status, 200, body)
        self.assertEqual([r["seeds"] for r in body["results"]], [200, 100])
        self.assertLess(elapsed, TIMEOUT_MS / 1000 + 1.5)

    def test_retries_never_go_past_the_deadline(self):
        self.fake.fault("search", "slow", delay=5)
        self.search()
        self.assertEqual(self.fake.count("search"), 1)

    # -- lookups ---------------------------------------------------------------
    def test_a_failing_lookup_drops_that_item_only(self):
        self.fake.fault("metadata:noir_b", "500")
        status, _, body, _ = self.search()
        self.assertEqual(status, 200, body)
        self.assertEqual([r["seeds"] for r in body["results"]], [300, 100])
        self.assertEqual(self.fake.count("metadata"), 3 + 2)  # noir_b retried twice

    def test_malformed_metadata_drops_that_item_only(self):
        self.fake.fault("metadata:noir_c", "malformed")
        status, _, body, _ = self.search()
        self.assertEqual(status, 200, body)
        self.assertEqual([r["seeds"] for r in body["results"]], [300, 200])

    def test_every_lookup_failing_is_503(self):
        self.fake.fault("metadata", "reset")
        status, _, body, _ = self.search()
        self.assertError(status, body, 503, "PROVIDER_UNAVAILABLE")

    # -- provider health -------------------------------------------------------
    def test_health_unhealthy_on_5xx(self):
        self.fake.fault("search", "500")
        status, _, body, elapsed = self.get("/resolve/health/provider")
        self.assertEqual(status, 503, body)
        self.assertEqual(body["detail"]["status"], "unhealthy")
        self.assertEqual(body["detail"]["provider"], "ArchiveProvider")
        self.assertLess(elapsed, BOUND)

    def test_health_is_bounded_by_the_connect_timeout(self):
        self.fake.fault("search", "slow", delay=5)
        status, _, body, elapsed = self.get("/resolve/health/provider")
        self.assertEqual(status, 503, body)
        self.assertEqual(body["detail"]["status"], "unhealthy")
        self.assertLess(elapsed, CONNECT_MS / 1000 + 1.0)


class RefusedTest(ArchiveCase):
    """Nobody listens at the base URL: connections are refused."""
    workers = 1

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.refused = Master(workers=1, env=archive_env(
            f"http://127.0.0.1:{free_port()}", LUME_REQUEST_TIMEOUT_MS=TIMEOUT_MS,
            LUME_CONNECT_TIMEOUT_MS=CONNECT_MS)).start()

    @classmethod
    def tearDownClass(cls):
        cls.refused.stop()
        super().tearDownClass()

    def test_refused_is_503_quickly(self):
        t0 = time.monotonic()
        status, _, body = self.refused.json("/resolve/search/Noir")
        elapsed = time.monotonic() - t0
        self.assertError(status, body, 503, "PROVIDER_UNAVAILABLE")
        self.assertLess(elapsed, BOUND)

    def test_refused_health_is_unhealthy(self):
        status, _, body = self.refused.json("/resolve/health/provider")
        self.assertEqual(status, 503, body)
        self.assertEqual(body["detail"]["status"], "unhealthy")
