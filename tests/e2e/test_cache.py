"""End to end: nginx's response cache of the /resolve routes, the validators
and the next-episode hint, through the real nginx and a real lume-fcgi master
(docs/architecture.md, "The response cache"; docs/api.md, "Caching").

- The second identical request is a HIT; the same query with its escapes
  written differently (%65 for e) is the same entry; requests the app reads
  differently (%2F and %3F in the segment) are never merged.
- Errors are never stored; /resolve/health/provider is never looked up.
- Nothing that differs by Origin is stored: each origin gets its own CORS
  headers on a HIT, and each request its own X-Request-Id.
- Every 200 has an ETag; If-None-Match gets a 304 without a body from the
  cache and from a worker (cache off, or LUME_CACHE_MAX_AGE=0, which turns it
  off); X-Cache-Status is on every answer.
- A client's Cache-Control: no-cache skips the lookup (BYPASS).
- With the archive down, a cached query is answered 200 STALE and an uncached
  one 503; 50 concurrent identical misses are one call to the archive.
"""
import re
import threading
import time
import unittest

import nginx_harness
from archive_env import archive_env
from fake_archive import FakeArchive, Item, video
from nginx_harness import Stack

STALE = "public, max-age=300, stale-while-revalidate=172800, stale-if-error=172800"


def setUpModule():
    if not nginx_harness.nginx_available():
        raise unittest.SkipTest("nginx or openssl is not installed")


class CacheWithTheMock(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = Stack(workers=2, nginx_env={"LUME_RATE_LIMIT": "0"}).start()

    @classmethod
    def tearDownClass(cls):
        cls.stack.stop()

    def get(self, path, **headers):
        return self.stack.nginx.request(path, headers=headers)

    def test_the_second_identical_request_is_a_hit_with_the_same_answer(self):
        first = self.get("/resolve/inception?lang=en")
        second = self.get("/resolve/inception?lang=en")
        self.assertEqual((first.status, second.status), (200, 200), first)
        self.assertEqual(first.headers["x-cache-status"], "MISS")
        self.assertEqual(second.headers["x-cache-status"], "HIT")
        self.assertEqual(second.body, first.body)
        for name in ("etag", "cache-control", "content-type"):
            self.assertEqual(second.headers[name], first.headers[name], name)
        self.assertEqual(second.headers["cache-control"], STALE)

    def test_escapes_written_differently_are_one_entry(self):
        self.assertEqual(self.get("/resolve/interstellar").headers["x-cache-status"], "MISS")
        for path in ("/resolve/%69nterstellar", "/resolve/INTER%73tellar".lower(),
                     "/resolve/%69%6e%74erstellar"):
            r = self.get(path)
            self.assertEqual((r.status, r.headers["x-cache-status"]), (200, "HIT"), path)

    def test_requests_the_app_reads_differently_are_never_merged(self):
        # /resolve/search/X is a search for X; /resolve/search%2FX a resolve of "search/X".
        search = self.get("/resolve/search/the%20boys")
        self.assertEqual(search.status, 200)
        self.assertEqual(self.get("/resolve/search/the%20boys").headers["x-cache-status"], "HIT")
        r = self.get("/resolve/search%2Fthe%20boys")
        self.assertEqual(r.status, 404, r)
        self.assertEqual(r.json()["detail"]["query"], "search/the boys")
        # %3F is a '?' of the query, not the start of the query string.
        self.assertEqual(self.get("/resolve/inception").status, 200)
        r = self.get("/resolve/inception%3F")
        self.assertEqual(r.status, 404, r)
        self.assertEqual(r.json()["detail"]["query"], "inception?")

    def test_a_head_is_its_own_entry_and_never_empties_a_get(self):
        head = self.stack.nginx.request("/resolve/interstellar?x=head", method="HEAD")
        self.assertEqual((head.status, head.body), (200, b""))
        get = self.get("/resolve/interstellar?x=head")
        self.assertEqual((get.status, get.headers["x-cache-status"]), (200, "MISS"))
        self.assertEqual(len(get.body), int(get.headers["content-length"]))
        self.assertEqual(get.json()["title"], "Interstellar (2014) 4K HDR")
        again = self.stack.nginx.request("/resolve/interstellar?x=head", method="HEAD")
        self.assertEqual((again.headers["x-cache-status"], again.body), ("HIT", b""))
        self.assertEqual(again.headers["content-length"], get.headers["content-length"])

    def test_errors_are_never_stored(self):
        for _ in range(2):
            r = self.get("/resolve/no%20such%20film")
            self.assertEqual((r.status, r.headers["x-cache-status"]), (404, "MISS"), r)
            r = self.get("/resolve/error:unavailable")
            self.assertEqual((r.status, r.headers["x-cache-status"]), (503, "MISS"), r)
            r = self.get("/resolve/inception?season=x")
            self.assertEqual((r.status, r.headers["x-cache-status"]), (400, "MISS"), r)

    def test_the_provider_health_check_is_not_looked_up(self):
        for _ in range(2):
            r = self.get("/resolve/health/provider")
            self.assertEqual((r.status, r.headers["x-cache-status"]), (200, "BYPASS"), r)

    def test_every_answer_says_how_the_cache_served_it(self):
        self.assertEqual(self.get("/").headers["x-cache-status"], "BYPASS")
        self.assertEqual(self.get("/health").headers["x-cache-status"], "BYPASS")
        self.assertEqual(self.get("/nowhere").headers["x-cache-status"], "BYPASS")

    def test_cors_headers_are_each_origins_own_on_a_hit(self):
        path = "/resolve/the%20dark%20knight"
        r = self.get(path, Origin="http://localhost")
        self.assertEqual((r.headers["x-cache-status"], r.headers["access-control-allow-origin"]),
                         ("MISS", "http://localhost"))
        r = self.get(path, Origin="http://10.0.2.2")
        self.assertEqual((r.headers["x-cache-status"], r.headers["access-control-allow-origin"]),
                         ("HIT", "http://10.0.2.2"))
        self.assertEqual(r.all("access-control-allow-origin"), ["http://10.0.2.2"])
        r = self.get(path, Origin="https://evil.example")
        self.assertEqual(r.headers["x-cache-status"], "HIT")
        self.assertNotIn("access-control-allow-origin", r.headers)
        self.assertNotIn("access-control-expose-headers", r.headers)
        r = self.get(path)
        self.assertNotIn("access-control-allow-origin", r.headers)
        self.assertEqual(r.headers["vary"], "Origin")

    def test_the_app_may_read_the_validator_the_hint_and_the_cache_status(self):
        r = self.get("/resolve/the%20boys?season=4&episode=1", Origin="http://localhost")
        exposed = [h.strip() for h in r.headers["access-control-expose-headers"].split(",")]
        for name in ("ETag", "Link", "X-Cache-Status", "X-Request-Id"):
            self.assertIn(name, exposed)

    def test_a_hit_carries_this_requests_id(self):
        self.get("/resolve/breaking%20bad")
        hits = [self.get("/resolve/breaking%20bad") for _ in range(2)]
        ids = [h.headers["x-request-id"] for h in hits]
        self.assertEqual([h.headers["x-cache-status"] for h in hits], ["HIT", "HIT"])
        self.assertNotEqual(ids[0], ids[1])
        self.assertEqual([len(h.all("x-request-id")) for h in hits], [1, 1])
        logged = [e["request_id"] for e in self.stack.nginx.access_log()]
        for i in ids:
            self.assertIn(i, logged)

    def test_every_200_has_a_strong_etag_and_if_none_match_gets_304_from_the_cache(self):
        r = self.get("/resolve/stranger%20things?season=1&episode=1")
        etag = r.headers["etag"]
        self.assertRegex(etag, r'^"[0-9a-f]+-[0-9a-f]{16}"$')
        for inm in (etag, f'W/{etag}', f'"nope", {etag}', "*"):
            c = self.get("/resolve/stranger%20things?season=1&episode=1", **{"If-None-Match": inm})
            self.assertEqual(c.status, 304, (inm, c))
            self.assertEqual(c.body, b"")
            self.assertEqual(c.headers["etag"], etag)
            self.assertEqual(c.headers["x-cache-status"], "HIT")
            self.assertEqual(c.headers["cache-control"], STALE)
        c = self.get("/resolve/stranger%20things?season=1&episode=1", **{"If-None-Match": '"nope"'})
        self.assertEqual((c.status, c.body), (200, r.body))

    def test_a_client_asking_for_a_fresh_answer_skips_the_lookup(self):
        self.get("/resolve/inception?lang=fr")
        for headers in ({"Cache-Control": "no-cache"}, {"Cache-Control": "max-age=0"},
                        {"Pragma": "no-cache"}):
            r = self.get("/resolve/inception?lang=fr", **headers)
            self.assertEqual(r.headers["x-cache-status"], "BYPASS", headers)
        r = self.get("/resolve/inception?lang=fr", **{"Cache-Control": "max-age=60"})
        self.assertEqual(r.headers["x-cache-status"], "HIT")

    def test_an_episode_resolve_links_the_next_episode(self):
        r = self.get("/resolve/the%20boys?season=4&episode=1")
        self.assertEqual(r.headers["link"],
                         '</resolve/the%20boys?season=4&episode=2>; rel="next"; exists="true"')
        self.assertEqual(set(r.json()), {"title", "url", "size", "seeds", "quality"})
        nxt = self.get("/resolve/the%20boys?season=4&episode=2")
        self.assertEqual(nxt.status, 200)
        self.assertIn("S04E02", nxt.json()["title"])
        self.assertEqual(nxt.headers["link"],
                         '</resolve/the%20boys?season=4&episode=2>; rel="last"')
        self.assertEqual(self.get("/resolve/the%20boys?season=4&episode=1").headers["link"],
                         r.headers["link"])  # a HIT keeps it


class ValidatorsWithoutTheCache(unittest.TestCase):
    """LUME_CACHE_SIZE=0: every request reaches a worker, which answers If-None-Match."""
    app_env = {}
    nginx_env = {"LUME_CACHE_SIZE": "0"}

    @classmethod
    def setUpClass(cls):
        cls.stack = Stack(workers=1, app_env=cls.app_env,
                          nginx_env={"LUME_RATE_LIMIT": "0", **cls.nginx_env}).start()

    @classmethod
    def tearDownClass(cls):
        cls.stack.stop()

    def test_a_worker_answers_if_none_match_with_304(self):
        n = self.stack.nginx
        r = n.request("/resolve/the%20boys?season=4&episode=1")
        self.assertEqual((r.status, r.headers["x-cache-status"]), (200, "BYPASS"))
        c = n.request("/resolve/the%20boys?season=4&episode=1",
                      headers={"If-None-Match": r.headers["etag"]})
        self.assertEqual((c.status, c.body, c.headers["x-cache-status"]), (304, b"", "BYPASS"))
        self.assertEqual(c.headers["etag"], r.headers["etag"])
        self.assertEqual(c.headers["link"], r.headers["link"])
        self.assertNotIn("content-length", c.headers)
        self.assertEqual(n.request("/resolve/the%20boys?season=4&episode=1").headers["x-cache-status"],
                         "BYPASS")


class ValidatorsWithMaxAgeZero(ValidatorsWithoutTheCache):
    """LUME_CACHE_MAX_AGE=0 (nginx reads it too): nothing could be stored, so the
    cache is off, and a worker answers If-None-Match as without it."""
    app_env = {"LUME_CACHE_MAX_AGE": "0"}
    nginx_env = {}


def archive_stack(fake, **app):
    env = archive_env(fake.base_url, LUME_REQUEST_TIMEOUT_MS=3000, LUME_CONNECT_TIMEOUT_MS=500,
                      LUME_RETRIES=0, LUME_BREAKER_FAILURES=1000, LUME_ACCESS_LOG=0, **app)
    return Stack(workers=2, app_env=env,
                 nginx_env={"LUME_RATE_LIMIT": "0", "LUME_CONN_LIMIT": "0"}).start()


def films(fake):
    for ident, title in (("the_general_1926", "The General (1926)"),
                         ("nosferatu_1922", "Nosferatu (1922)"),
                         ("metropolis_1927", "Metropolis (1927)")):
        fake.add(Item(ident, title, 5000, [video(f"{ident}.mp4", "h.264", 700000000, 480)]))


class StaleWhileTheArchiveIsDown(unittest.TestCase):
    """max-age 1 s, so that an entry is stale a moment after it was stored."""

    @classmethod
    def setUpClass(cls):
        cls.fake = FakeArchive().start()
        films(cls.fake)
        cls.stack = archive_stack(cls.fake, LUME_CACHE_MAX_AGE=1)

    @classmethod
    def tearDownClass(cls):
        cls.stack.stop()
        cls.fake.stop()

    def tearDown(self):
        self.fake.up()

    def test_a_cached_query_answers_200_stale_and_an_uncached_one_503(self):
        n = self.stack.nginx
        fresh = n.request("/resolve/the%20general", timeout=15)
        self.assertEqual((fresh.status, fresh.headers["x-cache-status"]), (200, "MISS"), fresh)
        self.assertEqual(fresh.headers["cache-control"],
                         "public, max-age=1, stale-while-revalidate=172800, stale-if-error=172800")
        self.fake.down()
        time.sleep(2.2)  # past max-age (nginx counts whole seconds)
        for _ in range(3):
            r = n.request("/resolve/the%20general", timeout=15)
            self.assertEqual(r.status, 200, r)
            self.assertIn(r.headers["x-cache-status"], ("STALE", "UPDATING"), r)
            self.assertEqual(r.body, fresh.body)
        r = n.request("/resolve/nosferatu", timeout=15)
        self.assertEqual((r.status, r.headers["x-cache-status"]), (503, "MISS"), r)
        self.assertEqual(r.json()["detail"]["error"], "PROVIDER_UNAVAILABLE")
        self.assertEqual(r.headers["cache-control"], "no-store")
        self.fake.up()
        # Back up: the background update stores a fresh answer again.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            r = n.request("/resolve/the%20general", timeout=15)
            if r.headers["x-cache-status"] in ("HIT", "MISS"):
                break
            time.sleep(0.3)
        self.assertEqual(r.status, 200)


class OneCallForABurst(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fake = FakeArchive().start()
        films(cls.fake)
        cls.stack = archive_stack(cls.fake)

    @classmethod
    def tearDownClass(cls):
        cls.stack.stop()
        cls.fake.stop()

    def test_50_concurrent_identical_misses_make_one_call_to_the_archive(self):
        self.fake.fault("search", "slow", delay=1.0)  # the burst arrives while it is in flight
        barrier = threading.Barrier(50)
        answers = []

        def one():
            barrier.wait(10)
            r = self.stack.nginx.request("/resolve/metropolis", timeout=20)
            answers.append((r.status, r.headers.get("x-cache-status"), r.body))

        threads = [threading.Thread(target=one) for _ in range(50)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        self.assertEqual(len(answers), 50)
        self.assertEqual({a[0] for a in answers}, {200}, answers[:3])
        self.assertEqual(len({a[2] for a in answers}), 1)
        self.assertEqual(self.fake.count("search"), 1)
        statuses = [a[1] for a in answers]
        self.assertEqual(statuses.count("MISS"), 1, statuses)
        self.assertEqual(statuses.count("HIT"), 49, statuses)


if __name__ == "__main__":
    unittest.main()
