"""Shared setup of the archive tests (the archive suite, and e2e's stacks with
the archive behind nginx): a fake Internet Archive plus a real lume-fcgi
master (LUME_PROVIDER=archive) pointed at it."""
import time
import unittest
import urllib.parse

from fake_archive import FakeArchive, Item, dead_items, video  # noqa: F401
from harness import Master, free_port  # noqa: F401


def archive_env(base_url, **overrides):
    env = {"LUME_PROVIDER": "archive", "LUME_ARCHIVE_BASE_URL": base_url,
           "LUME_REQUEST_TIMEOUT_MS": "3000", "LUME_CONNECT_TIMEOUT_MS": "1000",
           "LUME_RETRIES": "2", "LUME_BREAKER_FAILURES": "1000", "LUME_BREAKER_OPEN_MS": "1000",
           "LUME_LOG_LEVEL": "info", "LUME_ACCESS_LOG": "1"}
    env.update({k: str(v) for k, v in overrides.items()})
    return env


def path(query, **params):
    """/resolve/search/{query}?params with the query percent-encoded as one segment."""
    uri = "/resolve/search/" + urllib.parse.quote(query, safe="")
    return uri + ("?" + urllib.parse.urlencode(params) if params else "")


def resolve_path(query, **params):
    uri = "/resolve/" + urllib.parse.quote(query, safe="")
    return uri + ("?" + urllib.parse.urlencode(params) if params else "")


class ArchiveCase(unittest.TestCase):
    """One fake and one master per test class; the fake is reset before each test."""
    workers = 2
    overrides = {}

    @classmethod
    def setUpClass(cls):
        cls.fake = FakeArchive().start()
        cls.catalog(cls.fake)
        cls.master = Master(workers=cls.workers,
                            env=archive_env(cls.fake.base_url, **cls.overrides)).start()

    @classmethod
    def tearDownClass(cls):
        cls.master.stop()
        cls.fake.stop()

    @classmethod
    def catalog(cls, fake):
        pass

    def setUp(self):
        self.fake.clear()

    def get(self, uri, timeout=15.0):
        """(status, headers, body, seconds)."""
        t0 = time.monotonic()
        status, headers, body = self.master.json(uri, timeout=timeout)
        return status, headers, body, time.monotonic() - t0

    def assertError(self, status, body, want_status, code):
        self.assertEqual(status, want_status, body)
        self.assertEqual(body["detail"]["error"], code, body)
        msg = body["detail"]["message"]
        for leak in ("secret", "/srv", "html", "127.0.0.1", "errno", "Lucene", "curl"):
            self.assertNotIn(leak, msg)
