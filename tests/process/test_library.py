"""The library provider with real processes, spoken to over FastCGI (issue
26; the provider's rules: tests/providers/library/test_library.c, the
pool's: tests/fcgi-app/test_pool.c).

Documents: a master with LUME_PROVIDER=library keeps an indexer beside its
workers, which scans LUME_LIBRARY_DIRS into the index at start; a film and
an episode resolve to signed links into the library (LUME_LIBRARY_PUBLIC_URL,
the root's place, the path percent-encoded, md5 and expires), /streams
describes them from the probe; a file added while running is found through
inotify within a couple of seconds, and a file renamed (or its folder) or
removed is found under its new name and dropped under its old one within
about a second; a killed indexer is restarted by the master and scans again,
and one killed mid-scan of a few thousand files leaves an index that reads
whole (integrity_check) and serves, and its successor completes the scan,
keeping what was committed; /resolve/health/provider is healthy, and
unhealthy naming the folder's place when one is gone.
"""
import os
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import time
import unittest
import urllib.parse

from harness import Master, wait_until

FFMPEG = ("ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi -i "
          "testsrc=size=320x240:rate=10:duration=1 -f lavfi -i sine=frequency=440:duration=1 "
          "-c:v libx264 -preset ultrafast -c:a aac -movflags +faststart")
PUBLIC = "https://media.test:8443/media"
# Empty files named as films: each still costs the indexer a probe (a child
# that fails at once), so that a scan of them lasts a few seconds.
MANY = 3000
# A change is searchable within about a second (indexer.c: 150 ms of quiet,
# then an incremental scan); the bound leaves room for a loaded machine.
CHANGE_S = 1.5


@unittest.skipUnless(shutil.which("ffmpeg"), "ffmpeg makes the media")
class Library(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.top = tempfile.mkdtemp(prefix="lume-library-")
        cls.media = os.path.join(cls.top, "clip.mp4")
        subprocess.run(FFMPEG.split() + [cls.media], check=True)
        cls.films = os.path.join(cls.top, "films")
        cls.tv = os.path.join(cls.top, "tv")
        cls.put(cls.films, "1917 (2019)/1917 (2019).mp4")
        with open(os.path.join(cls.films, "1917 (2019)/1917 (2019).en.srt"), "w") as f:
            f.write("1\n00:00:00,000 --> 00:00:01,000\nhi\n")
        cls.put(cls.tv, "1883/Season 01/1883.S01E05.mp4")
        secret = os.path.join(cls.top, "secret")
        with open(secret, "w") as f:
            f.write("process-test-secret-0123456789\n")
        cls.env = {"LUME_PROVIDER": "library",
                   "LUME_LIBRARY_DIRS": f"{cls.films}:{cls.tv}",
                   "LUME_LIBRARY_INDEX": os.path.join(cls.top, "library.db"),
                   "LUME_LIBRARY_SECRET_FILE": secret,
                   "LUME_LIBRARY_PUBLIC_URL": PUBLIC}

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.top, ignore_errors=True)

    @classmethod
    def put(cls, root, rel):
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        shutil.copy(cls.media, path + ".part")
        os.rename(path + ".part", path)  # as a copy tool does: moved in whole

    def found(self, master, uri):
        status, _, body = master.json(uri)
        return body if status == 200 else None

    def own_library(self, name):
        """A folder of this test's own (the class's are shared) and the
        settings that make it the one library."""
        root = os.path.join(self.top, name)
        self.addCleanup(shutil.rmtree, root, True)
        env = dict(self.env, LUME_LIBRARY_DIRS=root,
                   LUME_LIBRARY_INDEX=os.path.join(root + ".db"))
        self.addCleanup(lambda: [os.unlink(root + ".db" + x) for x in ("", "-wal", "-shm")
                                 if os.path.exists(root + ".db" + x)])
        return root, env

    def scans(self, master, pid=None):
        """The library_scan lines (of one indexer's pid)."""
        return [e for e in master.events("library_scan") if pid is None or e.get("pid") == pid]

    def within(self, seconds, predicate, what, master):
        """The time predicate() took to hold, failing past `seconds`."""
        t0 = time.monotonic()
        self.assertTrue(wait_until(predicate, seconds + 3), f"{what}: never\n{master.log_text()}")
        took = time.monotonic() - t0
        self.assertLess(took, seconds, f"{what}: took {took:.2f} s")
        return took

    def test_films_and_episodes_resolve_to_signed_links_and_new_files_are_found(self):
        with Master(workers=2, env=self.env) as m:
            self.assertIsNotNone(wait_until(m.indexer, 5))
            film = wait_until(lambda: self.found(m, "/resolve/1917"), 10)
            self.assertIsNotNone(film, m.log_text())
            self.assertEqual(film["title"], "1917 (2019)")
            url = urllib.parse.urlsplit(film["url"])
            self.assertEqual(f"{url.scheme}://{url.netloc}{url.path}",
                             PUBLIC + "/0/1917%20%282019%29/1917%20%282019%29.mp4")
            query = urllib.parse.parse_qs(url.query)
            self.assertEqual(len(query["md5"][0]), 22)
            self.assertGreater(int(query["expires"][0]), time.time() + 6 * 3600 - 5)
            self.assertEqual(film["seeds"], 1)

            status, _, body = m.json("/streams/1883?season=1&episode=5")
            self.assertEqual(status, 200)
            [episode] = body["streams"]
            self.assertEqual(episode["title"], "1883 S01E05")
            self.assertTrue(episode["url"].startswith(PUBLIC + "/1/1883/Season%2001/"))
            self.assertEqual((episode["container"], episode["video_codec"], episode["width"]),
                             ("mp4", "h264", 320))
            self.assertIs(episode["seekable"], True)
            self.assertIsNone(body["next"])  # the last episode the library has

            status, _, body = m.json("/streams/1917")
            self.assertEqual(status, 200)
            [sub] = body["streams"][0]["subtitles"]
            self.assertEqual((sub["lang"], sub["label"], sub["format"]), ("en", "English", "srt"))

            # Added while running: inotify, not a restart.
            self.put(self.tv, "1883/Season 01/1883.S01E06.mp4")
            added = wait_until(
                lambda: self.found(m, "/resolve/1883?season=1&episode=6"), 5)
            self.assertIsNotNone(added, m.log_text())
            status, _, body = m.json("/streams/1883?season=1&episode=5")
            self.assertEqual(body["next"]["exists"], True)

    def test_a_killed_indexer_is_restarted_and_scans_again(self):
        with Master(workers=1, env=self.env) as m:
            first = wait_until(m.indexer, 5)
            self.assertIsNotNone(first)
            self.assertIsNotNone(wait_until(lambda: self.found(m, "/resolve/1917"), 10))
            # Its start scan done (killed mid-scan: the test below).
            self.assertTrue(wait_until(lambda: self.scans(m, first), 10), m.log_text())
            os.kill(first, signal.SIGKILL)
            second = wait_until(lambda: m.indexer() not in (None, first) and m.indexer(), 5)
            self.assertTrue(second, m.log_text())
            self.assertTrue(wait_until(lambda: m.log_text().count('"reason":"start"') >= 2, 5))
            self.assertIn('"event":"indexer_exit"', m.log_text())
            self.assertIsNotNone(self.found(m, "/resolve/1917"))

    def test_renamed_and_removed_files_are_followed_within_a_second(self):
        root, env = self.own_library("changes")
        self.put(root, "Yellowstone/Season 01/Yellowstone.S01E01.mp4")
        self.put(root, "Tombstone (1993)/Tombstone (1993).mp4")
        self.put(root, "Heat (1995)/Heat (1995).mp4")
        with Master(workers=2, env=env) as m:
            self.assertIsNotNone(wait_until(lambda: self.scans(m), 10), m.log_text())
            for uri in ("/resolve/yellowstone?season=1&episode=1", "/resolve/tombstone",
                        "/resolve/heat"):
                self.assertIsNotNone(self.found(m, uri), uri)

            # A file renamed: found under its new name, gone under its old.
            ep = os.path.join(root, "Yellowstone/Season 01/Yellowstone.S01E0")
            os.rename(ep + "1.mp4", ep + "2.mp4")
            took = self.within(CHANGE_S, lambda: self.found(
                m, "/resolve/yellowstone?season=1&episode=2"), "the renamed episode found", m)
            self.assertIsNone(self.found(m, "/resolve/yellowstone?season=1&episode=1"))

            # A film's folder renamed (its name with it): the new watch too.
            os.rename(os.path.join(root, "Tombstone (1993)"), os.path.join(root, "Tomb (1994)"))
            os.rename(os.path.join(root, "Tomb (1994)/Tombstone (1993).mp4"),
                      os.path.join(root, "Tomb (1994)/Tomb (1994).mp4"))
            took = max(took, self.within(CHANGE_S, lambda: self.found(m, "/resolve/tomb%20(1994)"),
                                         "the renamed film found", m))
            self.assertIsNone(self.found(m, "/resolve/tombstone"))
            film = self.found(m, "/resolve/tomb%20(1994)")
            self.assertIn("/Tomb%20%281994%29/Tomb%20%281994%29.mp4?", film["url"])

            # Removed: dropped.
            os.unlink(os.path.join(root, "Heat (1995)/Heat (1995).mp4"))
            took = max(took, self.within(CHANGE_S, lambda: not self.found(m, "/resolve/heat"),
                                         "the removed film dropped", m))
            self.assertTrue(any(e["reason"] == "change" and e["removed"] >= 1
                                for e in self.scans(m)), m.log_text())

    def test_an_indexer_killed_mid_scan_leaves_a_whole_index_and_the_scan_completes(self):
        root, env = self.own_library("many")
        self.put(root, "Alien (1979)/Alien (1979).mp4")
        for i in range(MANY):
            folder = os.path.join(root, f"Batch {i // 500}")
            os.makedirs(folder, exist_ok=True)
            open(os.path.join(folder, f"Film {i:04d} ({1950 + i % 70}).mkv"), "w").close()
        index = env["LUME_LIBRARY_INDEX"]

        def count():
            try:
                with sqlite3.connect(f"file:{index}?mode=ro", uri=True, timeout=5) as db:
                    return db.execute("SELECT count(*) FROM items").fetchone()[0]
            except sqlite3.Error:
                return 0  # not made yet

        with Master(workers=1, env=env) as m:
            first = wait_until(m.indexer, 5)
            self.assertIsNotNone(first)
            # Some of it committed (transactions of a few dozen files), not all.
            self.assertTrue(wait_until(lambda: count() >= 200, 30), m.log_text())
            before = count()
            os.kill(first, signal.SIGKILL)
            self.assertEqual(self.scans(m, first), [], "killed after its scan: make MANY larger")

            # Readable and whole, by another reader and by the workers.
            with sqlite3.connect(f"file:{index}?mode=ro", uri=True) as db:
                self.assertEqual(db.execute("PRAGMA integrity_check").fetchone()[0], "ok")
                committed = db.execute("SELECT count(*) FROM items").fetchone()[0]
            self.assertGreater(committed, 0)
            self.assertLess(committed, MANY + 1)
            status, _, _ = m.json("/resolve/film%200001")
            self.assertIn(status, (200, 404))  # an answer either way, never an error

            # Restarted; its scan completes and keeps what was committed.
            second = wait_until(lambda: m.indexer() not in (None, first) and m.indexer(), 5)
            self.assertTrue(second, m.log_text())
            self.assertTrue(wait_until(lambda: self.scans(m, second), 120), m.log_text())
            [scan] = self.scans(m, second)
            self.assertEqual((scan["reason"], scan["status"], scan["files"]),
                             ("start", "OK", MANY + 1), scan)
            self.assertLessEqual(scan["added"], MANY + 1 - before, scan)
            self.assertEqual(count(), MANY + 1)
            for uri in ("/resolve/alien", f"/resolve/film%20{MANY - 1:04d}"):
                self.assertIsNotNone(self.found(m, uri), uri)

    def test_health_says_which_folder_is_missing(self):
        with Master(workers=1, env=self.env) as m:
            wait_until(lambda: self.found(m, "/resolve/1917"), 10)
            status, _, body = m.json("/resolve/health/provider")
            self.assertEqual((status, body["status"], body["provider"]),
                             (200, "healthy", "LibraryProvider"))
            os.rename(self.tv, self.tv + ".gone")
            try:
                status, _, body = m.json("/resolve/health/provider")
            finally:
                os.rename(self.tv + ".gone", self.tv)
            self.assertEqual(status, 503)
            self.assertIn("library folder 2 of 2", body["detail"]["message"])
            self.assertNotIn(self.top, body["detail"]["message"])


if __name__ == "__main__":
    unittest.main()
