"""End to end: /streams/{query} through nginx (docs/api.md, "Streams").

- It goes through the response cache like the resolve routes: a MISS, then a
  HIT; the caps parameter is part of the key (another device, another entry).
- ETag and If-None-Match: a 304 without a body.
- A caps out of its grammar is a 400 INVALID_CAPS from the app, never cached.
- nginx's access log names the route "streams".
"""
import json
import os
import shutil
import tempfile
import unittest

import nginx_harness
from nginx_harness import Stack

CATALOG = [
    {"title": "Charade (1963) 720p", "url": "https://cdn.example.com/charade.mp4", "seeds": 5,
     "container": "mp4", "video_codec": "h264", "audio_codec": "aac", "height": 720},
    {"title": "Charade (1963) 2160p", "url": "https://cdn.example.com/charade.mkv", "seeds": 9,
     "container": "mkv", "video_codec": "hevc", "audio_codec": "aac", "height": 2160},
]


def setUpModule():
    if not nginx_harness.nginx_available():
        raise unittest.SkipTest("nginx or openssl is not installed")


class StreamsThroughNginx(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="lume-streams-")
        catalog = os.path.join(cls.dir, "catalog.json")
        with open(catalog, "w") as f:
            json.dump(CATALOG, f)
        cls.stack = Stack(workers=1, app_env={"LUME_MOCK_CATALOG": catalog},
                          nginx_env={"LUME_RATE_LIMIT": "0"}).start()

    @classmethod
    def tearDownClass(cls):
        cls.stack.stop()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def get(self, path, **kw):
        return self.stack.nginx.request(path, **kw)

    def test_through_the_cache_with_the_device_in_the_key(self):
        first = self.get("/streams/charade")
        self.assertEqual((first.status, first.headers["x-cache-status"]), (200, "MISS"), first)
        again = self.get("/streams/charade")
        self.assertEqual(again.headers["x-cache-status"], "HIT")
        self.assertEqual(again.body, first.body)
        urls = [s["url"] for s in first.json()["streams"]]
        self.assertEqual(urls, ["https://cdn.example.com/charade.mp4",
                                "https://cdn.example.com/charade.mkv"])
        hevc = self.get("/streams/charade?caps=h264,hevc")
        self.assertEqual((hevc.status, hevc.headers["x-cache-status"]), (200, "MISS"), hevc)
        self.assertEqual([s["url"] for s in hevc.json()["streams"]], list(reversed(urls)))

    def test_a_validator_the_client_has_is_a_304(self):
        first = self.get("/streams/charade?limit=1")
        self.assertEqual(first.status, 200, first)
        again = self.get("/streams/charade?limit=1",
                         headers={"If-None-Match": first.headers["etag"]})
        self.assertEqual((again.status, again.body), (304, b""))

    def test_a_caps_out_of_its_grammar_is_a_400_never_stored(self):
        for _ in range(2):
            r = self.get("/streams/charade?caps=1080P")
            self.assertEqual(r.status, 400, r)
            self.assertEqual(r.json()["detail"]["error"], "INVALID_CAPS")
            self.assertNotEqual(r.headers.get("x-cache-status"), "HIT")

    def test_the_access_log_names_the_route(self):
        self.get("/streams/charade?season=1")
        self.assertEqual(self.stack.nginx.access_log()[-1]["route"], "streams")


if __name__ == "__main__":
    unittest.main()
