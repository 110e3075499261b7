"""End to end: Lume as a Stremio addon (docs/stremio.md), driven through
nginx over HTTPS by Stremio's own client library (stremio-addon-client, which
lints what it detects with stremio-addon-linter; tools/stremio), over the
library (real media) and the mock.

- The client detects the addon from its manifest URL; the linter passes it.
- Every catalog answers, and a search; a film's and a series' meta, the
  streams of a film and of an episode, and subtitles come back in the
  protocol's shapes, with the cache fields.
- The first stream of the film is a link a player opens: a Range request,
  then ffprobe.
- A wrong token is 404 everywhere; the routes answer any origin with "*";
  hostile ids (../, %00, 10 KB) through the client and raw get 400 or the
  empty answer, never a 5xx, and the service goes on. Neither nginx's log
  nor the workers' holds the token.
"""
import json
import os
import shutil
import subprocess
import unittest

import nginx_harness
import library_stack
from library_stack import LibraryStack

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
MODULES = os.path.join(ROOT, "build", "stremio", "node_modules")
TOKEN = "e2e-stremio-token-0123456789"
CATALOG = [{"title": "Charade (1963) mock print", "url": "https://mock.example.com/charade.mp4",
            "seeds": 1, "container": "mp4", "video_codec": "h264", "height": 240}]


def setUpModule():
    if not nginx_harness.nginx_available() or not library_stack.available():
        raise unittest.SkipTest("nginx, openssl or ffmpeg is not installed")
    if not shutil.which("node") or not os.path.isdir(MODULES):
        raise unittest.SkipTest("node or the Stremio tools are missing (make stremio-tools)")


class StremioAddon(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.lib = LibraryStack(providers="library,mock",
                               app_env={"LUME_STREMIO_TOKEN": TOKEN})
        with open(os.path.join(cls.lib.top, "catalog.json"), "w") as f:
            json.dump(CATALOG, f)
        cls.lib.stack.master.env["LUME_MOCK_CATALOG"] = os.path.join(cls.lib.top, "catalog.json")
        cls.lib.stack.nginx.env["LUME_MOCK_CATALOG"] = os.path.join(cls.lib.top, "catalog.json")
        cls.lib.start()
        nginx = cls.lib.stack.nginx
        cls.base = f"https://localhost:{nginx.https_port}/stremio/{TOKEN}"
        out = subprocess.run(["node", os.path.join(HERE, "stremio", "client.js"), MODULES,
                              cls.base + "/manifest.json"],
                             env=dict(os.environ, NODE_EXTRA_CA_CERTS=nginx.cert),
                             capture_output=True, text=True, timeout=120)
        cls.out = json.loads(out.stdout) if out.stdout.strip() else {"fatal": out.stderr}

    @classmethod
    def tearDownClass(cls):
        cls.lib.stop()

    def test_the_client_detects_the_addon_and_the_linter_passes_it(self):
        self.assertNotIn("fatal", self.out, self.out.get("fatal"))
        self.assertNotIn("detect_error", self.out, self.out)
        self.assertTrue(self.out["lint"]["valid"], self.out["lint"])
        m = self.out["manifest"]
        self.assertEqual(m["idPrefixes"], ["lume:"])
        self.assertEqual([c["id"] for c in m["catalogs"]],
                         ["library.films", "library.series", "mock.films", "mock.series"])
        self.assertEqual(self.out["supported"], {"stream": True, "foreign": False})

    def test_every_catalog_answers_and_a_search(self):
        cats = self.out["catalogs"]
        self.assertEqual([x["name"] for x in cats["library.films"]["metas"]], ["Charade"])
        self.assertEqual([x["name"] for x in cats["library.series"]["metas"]], ["Dark Shadows"])
        self.assertEqual(cats["library.films?search"]["metas"][0]["name"], "Charade")
        poster = cats["library.films"]["metas"][0]["poster"]
        self.assertIn("/media/0/Charade%20%281963%29/poster.jpg?md5=", poster)
        for name, answer in cats.items():
            with self.subTest(catalog=name):
                self.assertNotIn("error", answer)
                self.assertEqual(answer["cacheMaxAge"], 300)

    def test_a_films_meta_streams_and_subtitles(self):
        meta = self.out["film_meta"]["meta"]
        self.assertEqual((meta["type"], meta["name"], meta["releaseInfo"]),
                         ("movie", "Charade", "1963"))
        streams = self.out["film_streams"]["streams"]
        self.assertEqual(len(streams), 2)  # the library's file, then the mock's print
        first = streams[0]
        self.assertTrue(first["url"].startswith(self.lib.public + "/0/"), first)
        self.assertEqual(first["behaviorHints"]["bingeGroup"], "lume-library-mp4")
        self.assertFalse(first["behaviorHints"]["notWebReady"])
        self.assertEqual(first["behaviorHints"]["filename"], "Charade%20%281963%29.mp4")
        self.assertEqual([s["lang"] for s in first["subtitles"]], ["en"])
        self.assertEqual([s["lang"] for s in self.out["film_subtitles"]["subtitles"]], ["en"])

    def test_a_series_meta_and_an_episodes_streams(self):
        meta = self.out["series_meta"]["meta"]
        self.assertEqual([(v["season"], v["episode"]) for v in meta["videos"]], [(1, 1), (1, 2)])
        self.assertEqual(meta["videos"][0]["title"], "Pilot")
        streams = self.out["episode_streams"]["streams"]
        self.assertEqual(len(streams), 1)
        self.assertIn("S01E01", streams[0]["url"])

    def test_the_first_stream_plays(self):
        url = self.out["film_streams"]["streams"][0]["url"]
        status, headers, _ = self.lib.fetch(url, {"Range": "bytes=0-1023"})
        self.assertEqual((status, headers["content-type"]), (206, "video/mp4"))
        info = self.lib.ffprobe(url)
        self.assertEqual(sorted(s["codec_name"] for s in info["streams"]), ["aac", "h264"])

    def test_hostile_ids_through_the_client_never_break_it(self):
        for name, answer in self.out["hostile"].items():
            with self.subTest(id=name):
                self.assertTrue("error" in answer or answer.get("streams") == [], answer)
        self.assertEqual(self.lib.stack.nginx.request("/health").status, 200)

    def test_a_wrong_token_a_foreign_origin_and_raw_hostile_paths(self):
        n = self.lib.stack.nginx
        for path in ("/stremio/wrong-token-0123456789/manifest.json",
                     f"/stremio/{TOKEN}x/manifest.json", "/stremio/", "/stremio//manifest.json"):
            with self.subTest(path=path):
                self.assertEqual(n.request(path).status, 404)
        r = n.request(f"/stremio/{TOKEN}/manifest.json", headers={"Origin": "https://evil.example"})
        self.assertEqual((r.status, r.headers["access-control-allow-origin"]), (200, "*"))
        self.assertNotIn("access-control-allow-credentials", r.headers)
        r = n.request("/resolve/charade", headers={"Origin": "https://evil.example"})
        self.assertNotIn("access-control-allow-origin", r.headers)  # elsewhere: the allowlist
        for path, want in ((f"/stremio/{TOKEN}/stream/movie/..%2F..%2Fetc%2Fpasswd.json", 400),
                           (f"/stremio/{TOKEN}/stream/movie/a%00b.json", 400),
                           (f"/stremio/{TOKEN}/stream/movie/{'x' * 10240}.json", 414),
                           (f"/stremio/{TOKEN}/meta/movie/lume:library:f:Nobody:0.json", 404),
                           (f"/stremio/{TOKEN}/catalog/movie/x.films/skip=-1.json", 400)):
            with self.subTest(path=path[:80]):
                self.assertEqual(n.request(path).status, want)
        for line in n.access_log():
            self.assertNotIn(TOKEN, json.dumps(line))
        self.assertNotIn(TOKEN, self.lib.stack.master.log_text())


if __name__ == "__main__":
    unittest.main()
