"""Several providers at once (LUME_PROVIDERS, docs/providers.md): the built-in
mock (with a catalog that describes its candidates) and the archive against
its fake, asked together by every worker.

- Their waits overlap: a request takes as long as the slower provider, not
  the sum, whichever of the two is the slower.
- One provider failing or timing out leaves the others' answer (a partial
  answer, kept only briefly); only when all fail is the request a 503/504,
  with every provider's reason.
- The provider health route is healthy while one can serve, and says each
  one's state; /metrics counts each provider's outcomes.
"""
import json
import os
import tempfile
import time
import unittest
import urllib.parse

from archive_env import FakeArchive, Item, archive_env, video
from harness import Master

CATALOG = [
    {"title": "Charade (1963) mock print", "url": "https://mock.example.com/charade.mp4",
     "size": 700000000, "seeds": 5, "container": "mp4", "video_codec": "h264",
     "audio_codec": "aac", "width": 1280, "height": 720, "duration_s": 6834},
]


def streams(query, **params):
    uri = "/streams/" + urllib.parse.quote(query, safe="")
    return uri + ("?" + urllib.parse.urlencode(params) if params else "")


class Providers(unittest.TestCase):
    archive_latency = 0.0
    mock_delay_ms = 0

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="lume-providers-")
        catalog = os.path.join(cls.dir, "catalog.json")
        with open(catalog, "w") as f:
            json.dump(CATALOG, f)
        cls.fake = FakeArchive(latency=cls.archive_latency).start()
        cls.fake.add(Item("charade_1963", "Charade (1963)", 9000, [
            video("Charade.mp4", "h.264", 900000000, 480, length="6834.12"),
            video("Charade.ogv", "Ogg Video", 400000000, 480),
            {"name": "Charade.en.srt", "format": "SubRip", "source": "derivative"}]))
        env = archive_env(cls.fake.base_url, LUME_PROVIDERS="mock,archive",
                          LUME_MOCK_CATALOG=catalog, LUME_MOCK_DELAY_MS=cls.mock_delay_ms,
                          LUME_REQUEST_TIMEOUT_MS=2000, LUME_RETRIES=0,
                          LUME_CONNECT_TIMEOUT_MS=500)
        env.pop("LUME_PROVIDER")
        cls.master = Master(workers=2, env=env).start()

    @classmethod
    def tearDownClass(cls):
        cls.master.stop()
        cls.fake.stop()

    def setUp(self):
        self.fake.clear()
        self.fake.up()

    def get(self, uri):
        t0 = time.monotonic()
        status, headers, body = self.master.json(uri, timeout=15)
        return status, headers, body, time.monotonic() - t0


class BothAnswer(Providers):
    def test_streams_lists_both_providers_candidates_described_in_rank_order(self):
        status, headers, body, _ = self.get(streams("Charade"))
        self.assertEqual(status, 200, body)
        self.assertEqual([s["provider"] for s in body["streams"]], ["mock", "archive"])
        mock, archive = body["streams"]
        # 720p mock before 480p archive: the higher of two direct-playable ones.
        self.assertEqual((mock["height"], mock["direct_play"], mock["quality"]),
                         (720, True, "720p"))
        self.assertEqual(archive["container"], "mp4")
        self.assertEqual((archive["video_codec"], archive["audio_codec"]), ("h264", "aac"))
        self.assertEqual((archive["width"], archive["height"]), (853, 480))
        self.assertEqual(archive["duration_s"], 6834)
        self.assertEqual(archive["bitrate"], 900000000 * 8 // 6834)
        self.assertEqual(archive["subtitles"], [{
            "url": self.fake.base_url + "/download/charade_1963/Charade.en.srt",
            "lang": "en", "label": "English", "format": "srt"}])
        self.assertEqual(archive["binge_group"], "lume-archive-480p-mp4")
        self.assertEqual([p["status"] for p in body["providers"]], ["ok", "ok"])
        self.assertIn("max-age=300", headers["cache-control"])

    def test_a_device_limited_to_480p_gets_the_archive_first(self):
        status, _, body, _ = self.get(streams("Charade", caps="480p"))
        self.assertEqual(status, 200, body)
        self.assertEqual([s["provider"] for s in body["streams"]], ["archive", "mock"])

    def test_resolve_keeps_its_shape_and_answers_the_top_candidate(self):
        status, _, body, _ = self.get("/resolve/Charade")
        self.assertEqual(status, 200, body)
        self.assertEqual(set(body), {"title", "url", "size", "seeds", "quality"})
        self.assertEqual(body["url"], "https://mock.example.com/charade.mp4")
        status, _, body, _ = self.get("/resolve/Charade?caps=480p")
        self.assertEqual(body["url"], self.fake.base_url + "/download/charade_1963/Charade.mp4")

    def test_health_is_each_providers(self):
        status, _, body, _ = self.get("/resolve/health/provider")
        self.assertEqual(status, 200, body)
        self.assertEqual(body["provider"], "MockProvider,ArchiveProvider")
        self.assertEqual([(p["name"], p["status"]) for p in body["providers"]],
                         [("mock", "healthy"), ("archive", "healthy")])


class OneFails(Providers):
    def test_the_archive_down_leaves_the_mocks_answer_kept_briefly(self):
        self.fake.down()
        status, headers, body, _ = self.get(streams("Charade"))
        self.assertEqual(status, 200, body)
        self.assertEqual([s["provider"] for s in body["streams"]], ["mock"])
        archive = body["providers"][1]
        self.assertEqual((archive["name"], archive["status"], archive["error"]),
                         ("archive", "failed", "PROVIDER_UNAVAILABLE"))
        self.assertEqual(headers["cache-control"], "public, max-age=30")
        status, _, body, _ = self.get("/resolve/Charade")
        self.assertEqual((status, body["url"]), (200, "https://mock.example.com/charade.mp4"))

    def test_the_metrics_count_each_providers_outcome(self):
        def count(provider, outcome):
            status, _, body = self.master.request("/metrics")
            self.assertEqual(status, 200)
            want = f'lume_provider_requests_total{{provider="{provider}",outcome="{outcome}"}} '
            return sum(float(line.split()[-1]) for line in body.decode().splitlines()
                       if line.startswith(want))
        ok, down = count("mock", "ok"), count("archive", "unavailable")
        self.fake.down()
        self.get(streams("Charade"))
        self.assertEqual(count("mock", "ok"), ok + 1)
        self.assertEqual(count("archive", "unavailable"), down + 1)

    def test_health_stays_healthy_while_one_can_serve(self):
        self.fake.down()
        status, _, body, _ = self.get("/resolve/health/provider")
        self.assertEqual((status, body["status"]), (200, "healthy"), body)
        archive = body["providers"][1]
        self.assertEqual((archive["status"], archive["error"]),
                         ("unhealthy", "PROVIDER_UNAVAILABLE"))

    def test_all_failing_is_a_503_with_every_reason(self):
        self.fake.down()
        status, _, body, _ = self.get(streams("error:unavailable"))
        self.assertEqual(status, 503, body)
        detail = body["detail"]
        self.assertEqual(detail["error"], "PROVIDER_UNAVAILABLE")
        self.assertEqual(detail["provider"], "MockProvider,ArchiveProvider")
        self.assertRegex(detail["message"], r"^mock: .+; archive: .+$")


class SlowMock(Providers):
    """The mock 600 ms, the archive two calls of 100 ms: the mock's time."""
    archive_latency = 0.1
    mock_delay_ms = 600

    def test_the_slower_providers_time_not_the_sum(self):
        status, _, body, took = self.get(streams("Charade"))
        self.assertEqual(status, 200, body)
        self.assertEqual(len(body["streams"]), 2)
        self.assertGreaterEqual(took, 0.6)
        self.assertLess(took, 0.6 + 0.15, "the archive's 200 ms were not overlapped")


class SlowArchive(Providers):
    """The archive two calls of 300 ms, the mock 200 ms: the archive's time."""
    archive_latency = 0.3
    mock_delay_ms = 200

    def test_the_slower_providers_time_not_the_sum(self):
        status, _, body, took = self.get(streams("Charade"))
        self.assertEqual(status, 200, body)
        self.assertEqual(len(body["streams"]), 2)
        self.assertGreaterEqual(took, 0.6)
        self.assertLess(took, 0.6 + 0.15, "the mock's 200 ms were not overlapped")

    def test_a_provider_past_the_deadline_is_a_timeout_the_others_answer(self):
        self.fake.fault("metadata", "slow", delay=5.0)
        status, _, body, took = self.get(streams("Charade"))
        self.assertEqual(status, 200, body)
        self.assertEqual([s["provider"] for s in body["streams"]], ["mock"])
        self.assertEqual(body["providers"][1]["error"], "PROVIDER_TIMEOUT")
        self.assertLess(took, 2.0 + 0.3)


if __name__ == "__main__":
    unittest.main()
