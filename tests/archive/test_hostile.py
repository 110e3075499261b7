"""A hostile upstream stays bounded. Whatever the archive sends, one worker
holds at most 1 MiB per answer (ARCHIVE_BODY_MAX) and parses at most 32768
structural tokens per answer (ARCHIVE_JSON_TOKENS_MAX: '{', '[' and ','
outside strings); each metadata answer is parsed and freed as soon as it
arrives, and none is parsed once the deadline has passed. So a search that
starts 54 lookups (TV, limit=25) of hostile bodies keeps the worker's peak RSS
under 64 MiB and answers within the deadline + 100 ms (as the worker measures
it; the client's own clock gets a generous margin)."""
import functools
import json

from archive_env import ArchiveCase, Item, video

MIB = 1024 * 1024
BODY_MAX = MIB        # providers/archive/archive_parse.h ARCHIVE_BODY_MAX
TOKENS_MAX = 32768    # providers/archive/archive_parse.h ARCHIVE_JSON_TOKENS_MAX
RSS_MAX_KB = 64 * 1024
LOOKUPS = 2 * 25 + 4  # TV, limit=25: the most lookups one search starts


def tokens(body):
    """Structural tokens as archive_parse.c counts them."""
    n, in_string, i = 0, False, 0
    while i < len(body):
        c = body[i:i + 1]
        if in_string:
            if c == b"\\":
                i += 1
            elif c == b'"':
                in_string = False
        elif c == b'"':
            in_string = True
        elif c in (b"{", b"[", b","):
            n += 1
        i += 1
    return n


@functools.lru_cache(maxsize=None)
def empty_objects(size):
    """{"files": [{}, {}, ...]} of exactly size bytes: Jansson's costliest bytes."""
    head, tail = b'{"files":[{}', b"]}"
    n = (size - len(head) - len(tail)) // 3
    body = head + b",{}" * n + tail
    return body + b" " * (size - len(body))


@functools.lru_cache(maxsize=None)
def nested_at_the_token_bound():
    """Files that are objects nested 99 deep ({"a":{"a":...{}}}), the shape that
    costs Jansson most per token (~300 bytes), then 1-token members up to
    exactly TOKENS_MAX tokens. No file has a name: every item is dead."""
    depth = 98
    one = b'{"a":' * depth + b"{}" + b"}" * depth
    per = tokens(one) + 1
    count = (TOKENS_MAX - 1) // per
    body = b'{"files":[' + b",".join([one] * count) + b"]"
    pad = TOKENS_MAX - tokens(body + b"}")
    body += b"".join(b',"p%d":0' % i for i in range(pad)) + b"}"
    assert tokens(body) == TOKENS_MAX, tokens(body)
    assert len(body) <= BODY_MAX
    return body


def padded(obj, size):
    """obj as JSON, padded with trailing spaces to exactly size bytes."""
    body = json.dumps(obj).encode()
    assert len(body) <= size
    return body + b" " * (size - len(body))


class HostileCase(ArchiveCase):
    workers = 1
    timeout_ms = 8000  # enough for 54 parses at the token bound on a busy machine

    @classmethod
    def setUpClass(cls):
        cls.overrides = {"LUME_REQUEST_TIMEOUT_MS": cls.timeout_ms, "LUME_RETRIES": 0}
        super().setUpClass()

    @classmethod
    def catalog(cls, fake):
        for i in range(LOOKUPS + 6):
            fake.add(Item(f"hostile_{i}", f"Hostile Show S01E{i + 1:02d}", 1000 - i,
                          [video(f"h{i}.mp4", "h.264", 1000, 480)]))
        cls.padded_item = fake.add(Item("padded_reel", "Padded Reel", 10,
                                        [video("p.mp4", "h.264", 1000, 480)]))

    def peak_rss_kb(self):
        """The worker's peak RSS; 0 under AddressSanitizer (make test SANITIZE=1),
        whose shadow memory and quarantine say nothing about Lume's own."""
        (pid,) = self.master.workers()
        with open(f"/proc/{pid}/maps") as f:
            if "libasan" in f.read():
                return 0
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        self.fail("no VmHWM")

    def worker_ms(self, headers):
        """How long the worker took over the request, from its access log line."""
        rid = headers.get("x-request-id")
        line = self.master.access_line(rid)
        if line is None:
            self.fail("no access log line for " + str(rid))
        return float(line["duration_ms"])

    def search_all(self):
        """One search (of season 1, 60 episodes) that starts 54 lookups, every
        one of them answered with the fault set on "metadata"."""
        return self.get("/resolve/search/Hostile%20Show?season=1&limit=25")

    def assertBounded(self, headers, elapsed):
        self.assertLess(self.peak_rss_kb(), RSS_MAX_KB)
        self.assertLessEqual(self.worker_ms(headers), self.timeout_ms + 100)
        self.assertLess(elapsed, self.timeout_ms / 1000 + 1.0)


class HostileTest(HostileCase):
    # -- bodies over the length bound: cut off, the items dropped --------------
    def test_54_lookups_of_4_mib_of_empty_objects(self):
        # The report: 4 MiB of {"files":[{},{},...]} took 328 MB and 0.8 s.
        self.fake.fault("metadata", "raw", body=empty_objects(4 * MIB))
        status, headers, body, elapsed = self.search_all()
        self.assertError(status, body, 503, "PROVIDER_UNAVAILABLE")
        self.assertBounded(headers, elapsed)
        self.assertEqual(self.fake.count("metadata"), LOOKUPS)

    def test_54_lookups_of_4_mib_without_a_content_length(self):
        # The length shows only while reading: each is cut off at 1 MiB.
        self.fake.fault("metadata", "raw_stream", body=empty_objects(4 * MIB))
        status, headers, body, elapsed = self.search_all()
        self.assertError(status, body, 503, "PROVIDER_UNAVAILABLE")
        self.assertBounded(headers, elapsed)
        self.assertEqual(self.fake.count("metadata"), LOOKUPS)

    # -- bodies within the length bound but over the token bound: not parsed --
    def test_54_lookups_of_1_mib_of_empty_objects(self):
        self.fake.fault("metadata", "raw_stream", body=empty_objects(BODY_MAX))
        status, headers, body, elapsed = self.search_all()
        self.assertError(status, body, 503, "PROVIDER_UNAVAILABLE")
        self.assertBounded(headers, elapsed)
        self.assertEqual(self.fake.count("metadata"), LOOKUPS)
        reasons = {e["reason"] for e in self.master.events("archive_upstream_failed")}
        self.assertIn("metadata over the JSON bound", reasons)

    # -- bodies at the token bound, in the costliest shape: parsed, one at a time
    def test_54_lookups_at_the_token_bound(self):
        self.fake.fault("metadata", "raw", body=nested_at_the_token_bound())
        status, headers, body, elapsed = self.search_all()
        self.assertEqual(status, 200, body)  # answers, all of them dead items
        self.assertEqual(body["results"], [])
        self.assertBounded(headers, elapsed)
        self.assertEqual(self.fake.count("metadata"), LOOKUPS)

    # -- the length bound, at every length around it ---------------------------
    def test_metadata_length_bound(self):
        for mode in ("raw", "raw_stream"):
            for size, want in ((BODY_MAX - 1, 200), (BODY_MAX, 200), (BODY_MAX + 1, 503)):
                self.fake.clear()
                self.fake.fault("metadata", mode,
                                body=padded(self.padded_item.metadata(), size))
                status, headers, body, elapsed = self.get("/resolve/Padded")
                self.assertEqual(status, want, (mode, size, body))
                if want == 200:
                    self.assertTrue(body["url"].endswith("/download/padded_reel/p.mp4"), body)
                self.assertBounded(headers, elapsed)

    def test_search_length_bound(self):
        _, obj = self.fake.search({"q": ["title:(Padded) AND mediatype:(movies)"], "rows": ["6"],
                                   "output": ["json"], "sort[]": ["downloads desc"],
                                   "fl[]": ["identifier", "title", "downloads"]})
        for mode in ("raw", "raw_stream"):
            for size, want in ((BODY_MAX - 1, 200), (BODY_MAX, 200), (BODY_MAX + 1, 503)):
                self.fake.clear()
                self.fake.fault("search", mode, body=padded(obj, size))
                status, headers, body, elapsed = self.get("/resolve/Padded")
                self.assertEqual(status, want, (mode, size, body))
                self.assertBounded(headers, elapsed)


class HostileDeadlineTest(HostileCase):
    """54 answers at the token bound take longer to parse than the deadline
    allows: no parse starts after the deadline, so the answer (what was read
    by then) comes at most one bounded parse late. The worker's clock must
    say deadline + 100 ms in the median of three runs and deadline + 1 s in
    every one: a busy machine may pause any process for a while. The
    deadline is about half what the 54 parses take on an idle machine (~375
    ms here), so some are cut however fast the machine is."""
    timeout_ms = 200

    def test_parsing_stops_at_the_deadline(self):
        took = []
        for _ in range(3):
            self.fake.clear()
            self.fake.fault("metadata", "raw", body=nested_at_the_token_bound())
            status, headers, body, elapsed = self.search_all()
            self.assertIn(status, (200, 504), body)
            if status == 200:
                self.assertEqual(body["results"], [])
            self.assertLess(elapsed, self.timeout_ms / 1000 + 1.0)
            took.append(self.worker_ms(headers))
        self.assertLess(max(took), self.timeout_ms + 1000, took)
        self.assertLessEqual(sorted(took)[1], self.timeout_ms + 100, took)
        self.assertLess(self.peak_rss_kb(), RSS_MAX_KB)
        late = [e for e in self.master.events("archive_upstream_failed")
                if e["reason"] in ("deadline passed before it was read", "deadline passed")]
        self.assertTrue(late, "some lookups were cut by the deadline")
