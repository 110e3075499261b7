"""End to end with the Android app's HTTP client: OkHttp (Debian's
libokhttp-java) with its disk cache asks for the same episode twice, over
HTTPS, trusting the test certificate (tests/e2e/okhttp/CacheClient.java,
compiled into a temporary directory).

- Within max-age the second answer comes from OkHttp's own cache: no request.
- Past max-age OkHttp asks again with If-None-Match; nginx's cache answers 304
  and the app sees the same body, from its cache, with the next-episode hint.
- With nginx's cache off, a worker answers that 304.

And /streams as the app reads it (tests/e2e/okhttp/StreamsClient.java): the
JSON mapped onto the app's classes with Gson, made as strict as
kotlinx.serialization's defaults (no unknown key, no missing one), through
nginx, with a catalog whose candidates exercise every ranking rule:
direct-playable first, the device's largest height, one file reached two
ways once, subtitles, the next episode; and /resolve keeping its exact keys
while it never answers a link the stated device cannot play.
"""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

import nginx_harness
from nginx_harness import Stack

HERE = os.path.dirname(os.path.abspath(__file__))
JARS = ["/usr/share/java/okhttp.jar", "/usr/share/java/okio.jar", "/usr/share/java/gson.jar"]
PATH = "/resolve/the%20boys?season=4&episode=1"
LINK = '</resolve/the%20boys?season=4&episode=2>; rel="next"; exists="true"'
classes = None


def setUpModule():
    global classes
    if not nginx_harness.nginx_available():
        raise unittest.SkipTest("nginx or openssl is not installed")
    if not shutil.which("javac") or not all(os.path.exists(j) for j in JARS):
        raise unittest.SkipTest("a JDK or libokhttp-java is not installed (make deps)")
    classes = tempfile.mkdtemp(prefix="lume-okhttp-")
    subprocess.run(["javac", "-d", classes, "-cp", ":".join(JARS),
                    os.path.join(HERE, "okhttp", "Trust.java"),
                    os.path.join(HERE, "okhttp", "CacheClient.java"),
                    os.path.join(HERE, "okhttp", "StreamsClient.java")],
                   check=True, capture_output=True, timeout=120)


def tearDownModule():
    if classes:
        shutil.rmtree(classes, ignore_errors=True)


def twice(stack, pause_ms):
    """The two answers as OkHttp's app sees them."""
    cache = tempfile.mkdtemp(prefix="lume-okhttp-cache-")
    try:
        out = subprocess.run(["java", "-cp", ":".join([classes] + JARS), "CacheClient",
                              stack.nginx.url + PATH, stack.nginx.cert, cache, str(pause_ms)],
                             capture_output=True, text=True, timeout=60)
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    if out.returncode != 0:
        raise AssertionError(f"CacheClient failed: {out.stderr}")
    return [json.loads(line) for line in out.stdout.splitlines()]


class OkHttpWithItsDiskCache(unittest.TestCase):
    def test_within_max_age_the_second_answer_is_okhttps_own(self):
        with Stack(workers=1, nginx_env={"LUME_RATE_LIMIT": "0"}) as stack:
            first, second = twice(stack, 0)
        self.assertEqual((first["code"], first["network"], first["from_cache"]), (200, 200, False))
        self.assertEqual((second["code"], second["network"], second["from_cache"]),
                         (200, None, True))
        self.assertEqual(second["body"], first["body"])
        self.assertEqual(second["link"], LINK)

    def test_past_max_age_a_conditional_request_is_answered_304_by_nginxs_cache(self):
        with Stack(workers=1, app_env={"LUME_CACHE_MAX_AGE": "1"},
                   nginx_env={"LUME_RATE_LIMIT": "0"}) as stack:
            first, second = twice(stack, 2200)
        self.assertEqual((first["code"], first["network"]), (200, 200))
        self.assertEqual((second["code"], second["network"], second["from_cache"]),
                         (200, 304, True))
        self.assertIn(second["x_cache"], ("STALE", "UPDATING", "HIT", "REVALIDATED"))
        self.assertEqual(second["body"], first["body"])
        self.assertEqual(json.loads(second["body"])["title"], json.loads(first["body"])["title"])
        self.assertEqual(second["link"], LINK)

    def test_without_nginxs_cache_a_worker_answers_the_conditional_request(self):
        with Stack(workers=1, app_env={"LUME_CACHE_MAX_AGE": "1"},
                   nginx_env={"LUME_RATE_LIMIT": "0", "LUME_CACHE_SIZE": "0"}) as stack:
            first, second = twice(stack, 1200)
        self.assertEqual((second["code"], second["network"], second["from_cache"]),
                         (200, 304, True))
        self.assertEqual(second["x_cache"], "BYPASS")
        self.assertEqual(second["body"], first["body"])


NOTLD = "Night of the Living Dead (1968)"
CDN = "https://cdn.example.com/notld/"
CATALOG = [
    {"title": NOTLD + " 2160p HEVC", "url": CDN + "2160.mkv", "size": 9000000000, "seeds": 900,
     "container": "mkv", "video_codec": "hevc", "audio_codec": "eac3", "width": 3840,
     "height": 2160, "seekable": True},
    {"title": NOTLD + " 1080p", "url": CDN + "1080.mp4", "size": 3000000000, "seeds": 100,
     "container": "mp4", "video_codec": "h264", "audio_codec": "aac", "width": 1920,
     "height": 1080, "duration_s": 5760, "bitrate": 4166666, "seekable": True,
     "key": "notld/1080.mp4",
     "subtitles": [{"url": CDN + "1080.en.srt", "lang": "en", "label": "English", "format": "srt"},
                   {"url": CDN + "1080.fr.vtt", "lang": "fr", "label": "French", "format": "vtt"}]},
    {"title": NOTLD + " 1080p (mirror)", "url": "https://mirror.example.com/notld/1080.mp4",
     "size": 3000000000, "seeds": 50, "container": "mp4", "video_codec": "h264",
     "audio_codec": "aac", "height": 1080, "key": "notld/1080.mp4"},
    {"title": NOTLD + " 720p WebM", "url": CDN + "720.webm", "size": 900000000, "seeds": 300,
     "container": "webm", "video_codec": "vp9", "audio_codec": "opus", "width": 1280,
     "height": 720},
    {"title": NOTLD + " DVD", "url": CDN + "dvd.ts", "size": 4000000000, "seeds": 5000,
     "container": "ts", "video_codec": "mpeg2", "audio_codec": "mp3", "height": 480},
    {"title": "Dark Shadows S01E01", "url": "https://cdn.example.com/ds/s01e01.mp4", "seeds": 10,
     "container": "mp4", "video_codec": "h264", "audio_codec": "aac", "height": 480},
    {"title": "Dark Shadows S01E02", "url": "https://cdn.example.com/ds/s01e02.mp4", "seeds": 10,
     "container": "mp4", "video_codec": "h264", "audio_codec": "aac", "height": 480},
]
Q = "/streams/night%20of%20the%20living%20dead"
R = "/resolve/night%20of%20the%20living%20dead"


class TheAppReadsStreams(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="lume-okhttp-streams-")
        catalog = os.path.join(cls.dir, "catalog.json")
        with open(catalog, "w") as f:
            json.dump(CATALOG, f)
        cls.stack = Stack(workers=1, app_env={"LUME_MOCK_CATALOG": catalog},
                          nginx_env={"LUME_RATE_LIMIT": "0"}).start()
        cls.answers = dict(zip(cls.PATHS, cls.ask(cls.PATHS)))

    @classmethod
    def tearDownClass(cls):
        cls.stack.stop()
        shutil.rmtree(cls.dir, ignore_errors=True)

    PATHS = [Q, Q + "?caps=mp4,mkv,h264,hevc,aac,eac3,720p", R, R + "?caps=webm,vp9,opus",
             R + "?caps=av1", "/streams/dark%20shadows?season=1&episode=1",
             "/resolve/search/night%20of%20the%20living%20dead", Q + "?caps=H264"]

    @classmethod
    def ask(cls, paths):
        out = subprocess.run(["java", "-cp", ":".join([classes] + JARS), "StreamsClient",
                              cls.stack.nginx.url, cls.stack.nginx.cert] + paths,
                             capture_output=True, text=True, timeout=60)
        if out.returncode != 0:
            raise AssertionError(f"StreamsClient failed: {out.stderr}")
        return [json.loads(line) for line in out.stdout.splitlines()]

    def streams(self, path):
        a = self.answers[path]
        self.assertEqual(a["code"], 200, a)
        self.assertNotIn("error", a, "the app's strict mapping refused the answer")
        return a["streams"]

    def test_the_default_device_gets_the_playable_first_and_one_file_once(self):
        s = self.streams(Q)
        self.assertEqual([c["url"] for c in s["streams"]],
                         [CDN + "1080.mp4", CDN + "720.webm", CDN + "2160.mkv", CDN + "dvd.ts"])
        self.assertEqual([c["direct_play"] for c in s["streams"]], [True, True, False, False])
        self.assertEqual(s["total_results"], 4)  # the mirror of the 1080p file: once
        top = s["streams"][0]
        self.assertEqual((top["provider"], top["container"], top["video_codec"], top["height"],
                          top["duration_s"], top["seekable"]),
                         ("mock", "mp4", "h264", 1080, 5760, True))
        self.assertEqual([(t["lang"], t["format"]) for t in top["subtitles"]],
                         [("en", "srt"), ("fr", "vtt")])
        self.assertEqual(top["binge_group"], "lume-mock-1080p-mp4")
        self.assertEqual(s["providers"], [{"name": "mock", "provider": "MockProvider",
                                           "status": "ok", "found": 5}])

    def test_a_device_that_states_hevc_and_720p(self):
        s = self.streams(Q + "?caps=mp4,mkv,h264,hevc,aac,eac3,720p")
        # Both playable ones are above 720 lines: the nearest first; then the
        # unplayable ones, the highest that fits first.
        self.assertEqual([c["url"] for c in s["streams"]],
                         [CDN + "1080.mp4", CDN + "2160.mkv", CDN + "720.webm", CDN + "dvd.ts"])
        self.assertEqual([c["direct_play"] for c in s["streams"]], [True, True, False, False])

    def test_resolve_keeps_its_keys_and_answers_what_the_device_plays(self):
        a = self.answers[R]
        self.assertEqual(a["code"], 200, a)
        self.assertNotIn("error", a, "the app's strict mapping refused the MediaLink")
        self.assertEqual(a["link"]["url"], CDN + "1080.mp4")
        webm = self.answers[R + "?caps=webm,vp9,opus"]
        self.assertEqual(webm["link"]["url"], CDN + "720.webm")
        none = self.answers[R + "?caps=av1"]
        self.assertEqual(none["code"], 404, none)
        self.assertEqual(none["body"]["detail"]["error"], "NOT_FOUND")

    def test_search_keeps_its_keys_and_the_ranking(self):
        a = self.answers["/resolve/search/night%20of%20the%20living%20dead"]
        self.assertEqual(a["code"], 200, a)
        self.assertNotIn("error", a, "the app's strict mapping refused the SearchResult")
        self.assertEqual([r["url"] for r in a["search"]["results"]],
                         [CDN + "1080.mp4", CDN + "720.webm", CDN + "2160.mkv", CDN + "dvd.ts"])

    def test_the_next_episode_is_in_the_body(self):
        s = self.streams("/streams/dark%20shadows?season=1&episode=1")
        self.assertEqual(s["next"], {"season": 1, "episode": 2, "exists": True})
        self.assertEqual((s["season"], s["episode"]), (1, 1))

    def test_a_caps_out_of_its_grammar_is_a_400(self):
        a = self.answers[Q + "?caps=H264"]
        self.assertEqual((a["code"], a["body"]["detail"]["error"]), (400, "INVALID_CAPS"))


if __name__ == "__main__":
    unittest.main()
