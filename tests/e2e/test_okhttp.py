"""End to end with the Android app's HTTP client: OkHttp (Debian's
libokhttp-java) with its disk cache asks for the same episode twice, over
HTTPS, trusting the test certificate (tests/e2e/okhttp/CacheClient.java,
compiled into a temporary directory).

- Within max-age the second answer comes from OkHttp's own cache: no request.
- Past max-age OkHttp asks again with If-None-Match; nginx's cache answers 304
  and the app sees the same body, from its cache, with the next-episode hint.
- With nginx's cache off, a worker answers that 304.
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
JARS = ["/usr/share/java/okhttp.jar", "/usr/share/java/okio.jar"]
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
                    os.path.join(HERE, "okhttp", "CacheClient.java")],
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


if __name__ == "__main__":
    unittest.main()
