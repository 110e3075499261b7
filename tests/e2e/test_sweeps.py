"""End to end: every URI length from 3,500 to 8,300 bytes, through nginx, in
six encodings of the path: ASCII, 2-, 3- and 4-byte UTF-8, bytes that are not
UTF-8, and percent-escapes. Whatever the length and the bytes, no answer is a
5xx, every error is the JSON envelope, and no worker dies by a signal (a user
saw `GET /resolve/AAA...` of 3,887 bytes answer 503 while the master logged
worker_exit with signal 11: the worker's access-log line overflowed).

The length is the byte length of the request target as sent; a multi-byte
filler is padded with ASCII to hit every length exactly. Around 8,180 bytes
the request line no longer fits nginx's 8k header buffer: 414, in JSON. The
routes rotate with the length (/resolve/, /resolve/search/, /resolve/ with a
long query string, and an unknown path), so each encoding reaches every
route at lengths spread over the whole range.
"""
import concurrent.futures
import json
import os
import unittest

import http1
import nginx_harness
from harness import wait_until
from nginx_harness import Stack

LENGTHS = range(3500, 8301)
THREADS = 4
WORKERS = 2

# filler units: each is one character (or one escape) of the encoding
ENCODINGS = {
    "ascii": [b"A", b"b", b"7", b"-", b"~", b"."],
    "utf8-2": ["é".encode(), "ß".encode(), "Ж".encode()],
    "utf8-3": ["€".encode(), "中".encode(), "\u2028".encode()],
    "utf8-4": ["😀".encode(), "\U00010348".encode(), "\U0010fffd".encode()],
    # a lone 0xFF (the report's), an overlong '/', a UTF-16 surrogate, a lone
    # continuation byte, a truncated 3-byte sequence
    "invalid": [b"\xff", b"\xc0\xaf", b"\xed\xa0\x80", b"\x80", b"\xe2\x82"],
    # escapes of valid UTF-8 and of bytes that are not; %2F stays in the query
    "percent": [b"%41", b"%C3%A9", b"%E2%82%AC", b"%F0%9F%98%80", b"%FF", b"%2F", b"%20"],
}

PREFIXES = [b"/resolve/", b"/resolve/search/", b"/resolve/the%20boys?season=1&episode=",
            b"/unknown/"]


def target(encoding, length):
    """A request target of exactly `length` bytes: a route prefix, then the
    encoding's units in turn while a whole one fits, then ASCII padding."""
    prefix = PREFIXES[length % len(PREFIXES)]
    units = ENCODINGS[encoding]
    parts, n, i = [prefix], len(prefix), 0
    while n + len(units[i % len(units)]) <= length:
        parts.append(units[i % len(units)])
        n += len(units[i % len(units)])
        i += 1
    parts.append(b"A" * (length - n))
    out = b"".join(parts)
    assert len(out) == length
    return out


def setUpModule():
    if not nginx_harness.nginx_available():
        raise unittest.SkipTest("nginx or openssl is not installed")


def log_size(master):
    return os.path.getsize(master.log_path)


def unclean_exits(master, since=0):
    """worker_exit events of the master's log, from byte `since` on, other
    than a clean exit (a worker recycled after LUME_MAX_REQUESTS exits 0).
    Read without parsing every access line: the sweeps write tens of
    thousands of them."""
    out = []
    with open(master.log_path, "rb") as f:
        f.seek(since)
        for line in f:
            if b'"worker_exit"' in line:
                e = json.loads(line)
                if "signal" in e or e.get("status") != 0:
                    out.append(e)
    return out


class TestUriSweeps(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = Stack(workers=WORKERS, nginx_env={
            "LUME_RATE_LIMIT": "0", "LUME_CONN_LIMIT": "0",
            "LUME_NGINX_ACCESS_LOG": "off"}).start()

    @classmethod
    def tearDownClass(cls):
        cls.stack.stop()

    def sweep(self, encoding):
        n = self.stack.nginx
        lengths = list(LENGTHS)
        since = log_size(self.stack.master)
        shards = [lengths[i::THREADS] for i in range(THREADS)]

        def run(shard):
            conn = http1.Connection("127.0.0.1", n.https_port, n.ctx, timeout=20)
            bad, statuses = [], {}
            try:
                for length in shard:
                    r = conn.get(target(encoding, length))
                    statuses[r.status] = statuses.get(r.status, 0) + 1
                    problem = self.check(r)
                    if problem:
                        bad.append((length, problem, r))
            finally:
                conn.close()
            return bad, statuses

        with concurrent.futures.ThreadPoolExecutor(THREADS) as pool:
            results = list(pool.map(run, shards))
        bad = [b for r in results for b in r[0]]
        statuses = {}
        for _, s in results:
            for k, v in s.items():
                statuses[k] = statuses.get(k, 0) + v
        self.assertEqual(sum(statuses.values()), len(lengths))
        self.assertEqual([(length, problem, r.status, r.body[:160]) for length, problem, r in bad],
                         [], f"{len(bad)} bad answers; statuses {statuses}")
        # the pool is whole, and no worker left it but by a clean exit (a
        # worker recycled after LUME_MAX_REQUESTS)
        self.assertTrue(wait_until(lambda: len(self.stack.master.workers()) == WORKERS, 5))
        self.assertEqual(unclean_exits(self.stack.master, since), [])
        return statuses

    @staticmethod
    def check(r):
        """What is wrong with an answer, or None."""
        if r.status >= 500:
            return f"status {r.status}"
        if r.headers.get("content-type") != "application/json":
            return f"content-type {r.headers.get('content-type')!r}"
        try:
            body = json.loads(r.body)
        except ValueError:
            return "body is not JSON"
        if r.status >= 400:
            detail = body.get("detail") if isinstance(body, dict) else None
            if not isinstance(detail, dict) or not isinstance(detail.get("error"), str):
                return "no error envelope"
            if detail.get("request_id") != r.headers.get("x-request-id"):
                return "request_id differs from X-Request-Id"
        return None

    def test_ascii(self):
        statuses = self.sweep("ascii")
        self.assertIn(414, statuses)  # the longest lines pass nginx's 8k buffer

    def test_utf8_2_byte(self):
        self.sweep("utf8-2")

    def test_utf8_3_byte(self):
        self.sweep("utf8-3")

    def test_utf8_4_byte(self):
        self.sweep("utf8-4")

    def test_invalid_bytes(self):
        self.sweep("invalid")

    def test_percent_escapes(self):
        self.sweep("percent")

    def test_reported_request(self):
        # the report itself: /resolve/ and 3,878 'A's, and ~650 raw 0xFF bytes
        n = self.stack.nginx
        since = log_size(self.stack.master)
        conn = http1.Connection("127.0.0.1", n.https_port, n.ctx)
        try:
            for t in (b"/resolve/" + b"A" * 3878, b"/resolve/" + b"\xff" * 650):
                r = conn.get(t)
                self.assertEqual(r.status, 400, r)
                self.assertEqual(r.json()["detail"]["error"], "INVALID_QUERY")
        finally:
            conn.close()
        self.assertEqual(unclean_exits(self.stack.master, since), [])


class TestTargetLengths(unittest.TestCase):
    def test_every_target_has_its_exact_length(self):
        for encoding in ENCODINGS:
            for length in (3500, 3501, 3502, 3503, 5000, 8299, 8300):
                self.assertEqual(len(target(encoding, length)), length)


if __name__ == "__main__":
    unittest.main()
