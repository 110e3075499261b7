"""The library provider with real processes, spoken to over FastCGI (issue
26; the provider's rules: tests/providers/library/test_library.c, the
pool's: tests/fcgi-app/test_pool.c).

Documents: a master with LUME_PROVIDER=library keeps an indexer beside its
workers, which scans LUME_LIBRARY_DIRS into the index at start; a film and
an episode resolve to signed links into the library (LUME_LIBRARY_PUBLIC_URL,
the root's place, the path percent-encoded, md5 and expires), /streams
describes them from the probe; a file added while running is found through
inotify within a couple of seconds; a killed indexer is restarted by the
master and scans again; /resolve/health/provider is healthy, and unhealthy
naming the folder's place when one is gone.
"""
import os
import shutil
import signal
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
            os.kill(first, signal.SIGKILL)
            second = wait_until(lambda: m.indexer() not in (None, first) and m.indexer(), 5)
            self.assertTrue(second, m.log_text())
            self.assertTrue(wait_until(lambda: m.log_text().count('"reason":"start"') >= 2, 5))
            self.assertIn('"event":"indexer_exit"', m.log_text())
            self.assertIsNotNone(self.found(m, "/resolve/1917"))

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
