"""End to end: the library's files through nginx (docs/providers.md, the
library provider's links), over HTTPS, as a player fetches them.

- A film resolves to a signed link that nginx serves itself: the whole file,
  and any byte range (206, Content-Range): a player can seek; ffprobe opens
  it; its sidecar subtitle and its folder art are signed links too.
- A link whose signature is changed, whose expiry is moved or has passed,
  that names a folder that is not one, or a file out of its folder (a
  symlink leaving it, a ../ path) is refused; the service goes on.
"""
import hashlib
import base64
import time
import unittest
import urllib.parse

import nginx_harness
import library_stack
from library_stack import LibraryStack, SECRET


def setUpModule():
    if not nginx_harness.nginx_available() or not library_stack.available():
        raise unittest.SkipTest("nginx, openssl or ffmpeg is not installed")


def sign(path, expires):
    """nginx's secure_link_md5 "$secure_link_expires$uri <secret>", base64url."""
    digest = hashlib.md5(f"{expires}{path} {SECRET}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


class LibraryMedia(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.lib = LibraryStack().start()
        r = cls.lib.stack.nginx.request("/streams/charade")
        cls.film = r.json()["streams"][0]

    @classmethod
    def tearDownClass(cls):
        cls.lib.stop()

    def test_the_link_serves_the_file_and_any_range_of_it(self):
        url = self.film["url"]
        self.assertTrue(url.startswith(self.lib.public + "/0/Charade%20%281963%29/"), url)
        status, headers, body = self.lib.fetch(url)
        self.assertEqual((status, headers["content-type"]), (200, "video/mp4"))
        self.assertEqual(len(body), self.film["size"])
        status, headers, part = self.lib.fetch(url, {"Range": "bytes=100-199"})
        self.assertEqual(status, 206)
        self.assertEqual(headers["content-range"], f"bytes 100-199/{len(body)}")
        self.assertEqual(part, body[100:200])
        self.assertTrue(self.film["seekable"])

    def test_ffprobe_opens_it(self):
        info = self.lib.ffprobe(self.film["url"])
        codecs = sorted(s["codec_name"] for s in info["streams"])
        self.assertEqual(codecs, ["aac", "h264"])
        self.assertEqual((self.film["video_codec"], self.film["audio_codec"]), ("h264", "aac"))

    def test_the_subtitle_is_a_signed_link_too(self):
        sub = self.film["subtitles"][0]
        self.assertEqual((sub["lang"], sub["format"]), ("en", "srt"))
        status, headers, body = self.lib.fetch(sub["url"])
        self.assertEqual((status, headers["content-type"]), (200, "application/x-subrip"))
        self.assertIn(b"Hello", body)

    def refused(self, url, want=403):
        status, headers, body = self.lib.fetch(url)
        self.assertEqual(status, want, (url, body))
        self.assertIn(b'"error"', body)  # the API's envelope, not nginx's page
        return status

    def test_a_changed_signature_or_expiry_is_refused(self):
        u = urllib.parse.urlsplit(self.film["url"])
        q = urllib.parse.parse_qs(u.query)
        base = f"{u.scheme}://{u.netloc}{u.path}"
        md5, expires = q["md5"][0], int(q["expires"][0])
        bad = ("A" if md5[0] != "A" else "B") + md5[1:]
        self.refused(f"{base}?md5={bad}&expires={expires}")
        self.refused(f"{base}?md5={md5}&expires={expires + 60}")
        self.refused(f"{base}?expires={expires}")
        # Rightly signed, but its time has passed.
        past = int(time.time()) - 10
        self.refused(f"{base}?md5={sign(urllib.parse.unquote(u.path), past)}&expires={past}", 410)

    def test_nothing_out_of_a_folder_even_rightly_signed(self):
        later = int(time.time()) + 600
        for path, want in (("/media/0/escape/secret.txt", 403),  # a symlink leaving the folder
                           ("/media/7/Charade (1963)/poster.jpg", 404),  # no folder 7
                           ("/media/0/../library.db", 404)):  # nginx resolves the dots first
            url = (f"https://localhost:{self.lib.stack.nginx.https_port}"
                   f"{urllib.parse.quote(path)}?md5={sign(path, later)}&expires={later}")
            with self.subTest(path=path):
                status, _, body = self.lib.fetch(url)
                self.assertIn(status, (want, 403, 404), body)
                self.assertNotIn(b"not for anyone", body)
        self.assertEqual(self.lib.stack.nginx.request("/health").status, 200)


if __name__ == "__main__":
    unittest.main()
