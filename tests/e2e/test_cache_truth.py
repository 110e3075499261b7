"""End to end: the response cache never serves an answer that is no longer
true (docs/api.md, "Caching"; docs/architecture.md, "The response cache").

- Entries belong to one configuration of the app, its generation: after a
  switch of provider, of a provider's settings or of the catalog's contents,
  no answer of the old configuration is served, not even STALE while the
  new provider fails.
- An answer a worker of another configuration gives (a replica mid-rollout)
  is passed on and never stored.
- "Gone" replaces "was there": once max-age has passed, a title the provider
  dropped is a 404 (the old link is never served again, not even while the
  provider is down afterwards), and an empty search is kept only
  LUME_CACHE_NEGATIVE_MAX_AGE.
- Errors still never replace a good entry: with the upstream refusing or
  timing out, the stored answer is served STALE.
"""
import json
import os
import shutil
import tempfile
import time
import unittest

import nginx_harness
from archive_env import archive_env
from fake_archive import FakeArchive, Item, video
from nginx_harness import Stack

FILM = {"title": "Charade (1963) 1080p", "url": "https://old.example.com/charade.mp4",
        "size": 1000, "seeds": 10}


def setUpModule():
    if not nginx_harness.nginx_available():
        raise unittest.SkipTest("nginx or openssl is not installed")


# max-age 2 s: an answer is still a HIT for the request that follows it on a
# busy machine, and stale a moment later.
MAX_AGE = 2


def wait_past_max_age():
    """nginx counts whole seconds: an entry of max-age N is stale after N + 1."""
    time.sleep(MAX_AGE + 1.2)


class Base(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="lume-cache-truth-")
        self.cache = os.path.join(self.dir, "cache")  # shared by every stack of a test
        self.stacks = []

    def tearDown(self):
        for s in self.stacks:
            s.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def catalog(self, name, entries):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            json.dump(entries, f)
        return path

    def stack(self, app_env, nginx_env=None):
        env = {"LUME_RATE_LIMIT": "0", "LUME_CONN_LIMIT": "0", "LUME_CACHE_PATH": self.cache}
        env.update(nginx_env or {})
        s = Stack(workers=2, app_env=app_env, nginx_env=env).start()
        self.stacks.append(s)
        return s

    def stop(self, s):
        s.stop()
        self.stacks.remove(s)


class EntriesBelongToOneConfiguration(Base):
    def test_a_changed_catalog_never_gets_the_old_answer(self):
        old = self.catalog("old.json", [FILM])
        s = self.stack({"LUME_MOCK_CATALOG": old})
        first = s.nginx.request("/resolve/charade")
        self.assertEqual((first.status, first.headers["x-cache-status"]), (200, "MISS"), first)
        self.assertEqual(s.nginx.request("/resolve/charade").headers["x-cache-status"], "HIT")
        self.stop(s)
        # The same title elsewhere, then the title gone: the same cache directory.
        moved = self.catalog("moved.json", [dict(FILM, url="https://new.example.com/charade.mp4")])
        s = self.stack({"LUME_MOCK_CATALOG": moved})
        r = s.nginx.request("/resolve/charade")
        self.assertEqual((r.status, r.headers["x-cache-status"]), (200, "MISS"), r)
        self.assertEqual(r.json()["url"], "https://new.example.com/charade.mp4")
        self.stop(s)
        gone = self.catalog("gone.json", [dict(FILM, title="Something Else")])
        s = self.stack({"LUME_MOCK_CATALOG": gone})
        r = s.nginx.request("/resolve/charade")
        self.assertEqual((r.status, r.headers["x-cache-status"]), (404, "MISS"), r)

    def test_switching_providers_never_serves_the_other_providers_answer_not_even_stale(self):
        fake = FakeArchive().start()
        self.addCleanup(fake.stop)
        fake.add(Item("charade_1963", "Charade (1963)", 5000,
                      [video("Charade.mp4", "h.264", 700000000, 480)]))
        mock = self.catalog("mock.json", [FILM])
        s = self.stack({"LUME_MOCK_CATALOG": mock, "LUME_CACHE_MAX_AGE": str(MAX_AGE)})
        self.assertEqual(s.nginx.request("/resolve/charade").json()["url"], FILM["url"])
        self.assertEqual(s.nginx.request("/resolve/charade").headers["x-cache-status"], "HIT")
        self.stop(s)
        archive = archive_env(fake.base_url, LUME_REQUEST_TIMEOUT_MS=3000, LUME_RETRIES=0,
                              LUME_CONNECT_TIMEOUT_MS=500, LUME_CACHE_MAX_AGE=MAX_AGE)
        s = self.stack(archive)
        r = s.nginx.request("/resolve/charade", timeout=15)
        self.assertEqual((r.status, r.headers["x-cache-status"]), (200, "MISS"), r)
        self.assertIn("127.0.0.1", r.json()["url"])
        # The archive fails: the mock's entry, though expired and in the same
        # directory, is never the answer; only the archive's own is.
        fake.down()
        r = s.nginx.request("/resolve/charade", timeout=15)
        self.assertNotEqual(r.json().get("url"), FILM["url"], r)
        wait_past_max_age()
        r = s.nginx.request("/resolve/charade", timeout=15)
        self.assertEqual((r.status, r.headers["x-cache-status"]), (200, "STALE"), r)
        self.assertIn("127.0.0.1", r.json()["url"])
        self.stop(s)
        # And back: the archive's answers are not the mock's either.
        s = self.stack({"LUME_MOCK_CATALOG": mock, "LUME_CACHE_MAX_AGE": str(MAX_AGE)})
        r = s.nginx.request("/resolve/charade")
        self.assertEqual(r.json()["url"], FILM["url"], r)

    def test_an_answer_of_another_configuration_is_passed_on_never_stored(self):
        """A replica mid-rollout: the app runs one catalog, nginx was rendered for another."""
        app = self.catalog("app.json", [FILM])
        other = self.catalog("other.json", [])
        s = self.stack({"LUME_MOCK_CATALOG": app}, nginx_env={"LUME_MOCK_CATALOG": other})
        for _ in range(3):
            r = s.nginx.request("/resolve/charade")
            self.assertEqual((r.status, r.headers["x-cache-status"]), (200, "MISS"), r)
        self.assertNotIn("x-lume-generation", r.headers)  # nginx's business only
        line = s.nginx.access_log()[-1]
        self.assertRegex(line["generation"], "^[0-9a-f]{16}$")

    def test_make_run_removes_the_other_generations_entries_before_nginx_starts(self):
        old = self.catalog("old.json", [FILM])
        s = self.stack({"LUME_MOCK_CATALOG": old})
        s.nginx.request("/resolve/charade")
        self.stop(s)
        generations = os.listdir(self.cache)
        self.assertEqual(len(generations), 1)
        env = dict(s.nginx.env, LUME_MOCK_CATALOG=self.catalog("new.json", [FILM]),
                   LUME_CACHE_PATH=self.cache)
        out = os.path.join(self.dir, "pruned.conf")
        r = nginx_harness.subprocess.run(
            ["python3", nginx_harness.RENDER, "--output", out, "--prune-cache"], env=env,
            capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(os.listdir(self.cache), [])  # the new one is made by nginx
        self.assertNotIn(generations[0], open(out).read())


class GoneReplacesWasThere(Base):
    def setUp(self):
        super().setUp()
        self.fake = FakeArchive().start()
        self.addCleanup(self.fake.stop)
        for ident, title in (("charade_1963", "Charade (1963)"),
                             ("his_girl_friday_1940", "His Girl Friday (1940)")):
            self.fake.add(Item(ident, title, 5000, [video(f"{ident}.mp4", "h.264", 7000000, 480)]))
        self.s = self.stack(archive_env(self.fake.base_url, LUME_REQUEST_TIMEOUT_MS=1500,
                                        LUME_RETRIES=0, LUME_CONNECT_TIMEOUT_MS=500,
                                        LUME_BREAKER_FAILURES=1000, LUME_CACHE_MAX_AGE=MAX_AGE,
                                        LUME_CACHE_NEGATIVE_MAX_AGE=MAX_AGE))

    def get(self, path):
        return self.s.nginx.request(path, timeout=15)

    def test_a_title_the_archive_drops_is_404_once_max_age_has_passed(self):
        r = self.get("/resolve/charade")
        self.assertEqual((r.status, r.headers["x-cache-status"]), (200, "MISS"), r)
        del self.fake.items["charade_1963"]  # the upstream answers with no results now
        self.assertEqual(self.get("/resolve/charade").headers["x-cache-status"], "HIT")
        wait_past_max_age()
        for _ in range(3):
            r = self.get("/resolve/charade")
            self.assertEqual(r.status, 404, r)
            self.assertEqual(r.headers["cache-control"], "no-store")
            self.assertEqual(r.json()["detail"]["request_id"], r.headers["x-request-id"])
        # The old link is gone for good: the archive down, nginx has only the 404.
        self.fake.down()
        r = self.get("/resolve/charade")
        self.assertEqual((r.status, r.headers["x-cache-status"]), (404, "STALE"), r)

    def test_an_empty_search_is_kept_only_the_negative_max_age(self):
        r = self.get("/resolve/search/casablanca")
        self.assertEqual((r.status, r.json()["total_results"]), (200, 0), r)
        self.assertEqual(r.headers["cache-control"], f"public, max-age={MAX_AGE}")
        self.assertEqual(self.get("/resolve/search/casablanca").headers["x-cache-status"], "HIT")
        self.fake.add(Item("casablanca_1942", "Casablanca (1942)", 9000,
                           [video("casablanca.mp4", "h.264", 7000000, 480)]))
        wait_past_max_age()
        r = self.get("/resolve/search/casablanca")
        self.assertEqual((r.status, r.json()["total_results"]), (200, 1), r)

    def test_errors_never_replace_a_good_entry(self):
        good = self.get("/resolve/his%20girl%20friday")
        self.assertEqual(good.status, 200, good)
        wait_past_max_age()
        # The upstream refuses: the stored answer, STALE.
        self.fake.down()
        r = self.get("/resolve/his%20girl%20friday")
        self.assertEqual((r.status, r.headers["x-cache-status"]), (200, "STALE"), r)
        self.assertEqual(r.body, good.body)
        self.fake.up()
        # The upstream times out (the worker's 504 is a 503 over a copy): STALE too.
        self.fake.fault("search", "slow", delay=3.0)
        started = time.monotonic()
        r = self.get("/resolve/his%20girl%20friday")
        self.assertEqual((r.status, r.headers["x-cache-status"]), (200, "STALE"), r)
        self.assertEqual(r.body, good.body)
        self.assertLess(time.monotonic() - started, 3.0)  # within the request's deadline
        # Without a stored answer the timeout is the client's 504, as before.
        r = self.get("/resolve/charade")
        self.assertEqual((r.status, r.json()["detail"]["error"]), (504, "PROVIDER_TIMEOUT"), r)


if __name__ == "__main__":
    unittest.main()
