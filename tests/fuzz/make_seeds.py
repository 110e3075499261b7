"""Write the seed corpora of the fuzz targets (tests/fuzz/NAME/seed-*).

The seeds are real inputs taken from the other tests: URIs and query strings of
the API tests, answers of tests/lib/fake_archive.py, catalog entries and
configuration lines, FastCGI requests as the test client and nginx send them,
the allowlists of test_allow.c, nginx's $msec stamps. Crash inputs (crash-*) found by fuzzing sit beside them
and are never rewritten here. Run it again after changing a seed:
python3 tests/fuzz/make_seeds.py
"""
import json
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from fake_archive import FakeArchive, Item, dead_items, video  # noqa: E402
import fcgi_client  # noqa: E402


def write(target, seeds):
    d = os.path.join(HERE, target)
    os.makedirs(d, exist_ok=True)
    for f in os.listdir(d):
        if f.startswith("seed-"):
            os.remove(os.path.join(d, f))
    for i, s in enumerate(seeds):
        with open(os.path.join(d, f"seed-{i:02d}"), "wb") as f:
            f.write(s if isinstance(s, bytes) else s.encode())


URIS = ["/", "/health", "/resolve/health/provider", "/resolve/inception",
        "/resolve/the%20boys?season=4&episode=1", "/resolve/search/the%20boys?season=4&limit=5",
        "/resolve/error:unavailable", "/resolve/error:timeout", "/resolve/search/all?limit=25",
        "/resolve/caf%C3%A9%20%F0%9F%8E%AC", "/resolve/a%2Fb+c?season=01", "/resolve/%E2%82%AC",
        "/resolve/x?episode=2", "/resolve/x?season=10000", "/resolve/%C0%AF", "/resolve/%00",
        "/resolve/search/empty", "/resolve/%20%09inception%0A", "/nope", "/resolve/a/b"]
QUERIES = ["season=4&episode=1", "season=4&limit=5", "limit=25", "season=01", "season=+1",
           "season=%31&episode=%32", "seas%6Fn=3", "season=2&season=3", "episode=1",
           "foo=bar&season=2&x&y=%zz&utm_source=a", "&&season=2&&=&=5&", "season=9999&episode=9999",
           "season=99999999999999999999", "limit=0", "season=-1", "episode=1&season="]


def archive_items():
    fake = FakeArchive()
    fake.add(Item("detour_1945", "Detour (1945)", 9000, [
        video("Detour.avi", "Cinepack", 500000000, 480),
        video("Detour_512kb.mp4", "512Kb MPEG4", 200000000, 240),
        video("Detour.mp4", "h.264", 300000000, 480),
        video("Detour HD/Detour (1945) [HD] #1 \u00e4?.mp4", "h.264", 900000000, 720),
        video("Detour.ogv", "Ogg Video", 400000000, 480),
        video("Detour.mkv", "Matroska", 950000000, 1080)]))
    fake.add(Item("his_girl_friday", "His Girl Friday", 7000, [
        video("hgf_small.mp4", "h.264", 100000000, 480),
        video("hgf_large.mp4", "h.264", 200000000, 480)]))
    fake.add(Item("lowres_reel", "Lowres Reel", 50, [
        video("reel.avi", "Cinepack", 10, 480), video("reel_512kb.mp4", "512Kb MPEG4", 4000, 240)]))
    for item in dead_items():
        fake.add(item)
    fake.add(Item("the_boys_s04", "The Boys S04E01 1080p", 10, [video("b.mp4", "h.264", 5, 1080)]))
    return fake


def main():
    fake = archive_items()
    params = {"q": ["title:(detour) AND mediatype:(movies)"], "fl[]": ["identifier", "title",
              "downloads"], "sort[]": ["downloads desc"], "rows": ["50"], "output": ["json"]}
    _, found = fake.search(params)
    params["q"] = ["mediatype:(movies)"]
    _, everything = fake.search(params)
    write("archive_search", [json.dumps(found), json.dumps(everything),
                             '{"response": {"docs": []}}',
                             '{"error": "org.apache.lucene.queryParser.ParseException"}',
                             '{"responseHeader": {"status": 0}}',
                             '{"response": {"numFound": 1, "docs": "nope"}}',
                             '{"response": {"docs": [{"identifier": "x1"}, {"identifier": "../x",'
                             ' "title": null, "downloads": null}, {"identifier": "y",'
                             ' "title": "", "downloads": -5}]}}',
                             '{"response": {"docs": [{"identifier": '])
    write("archive_metadata", [json.dumps(it.metadata()) for it in fake.items.values()] +
          ['{"files": "nope"}', '{"files": [1]}', '{"metadata": [], "files": []}',
           '{"is_dark": 1, "files": []}',
           '{"files": [{"name": "../a.mp4", "format": "h.264"}, {"name": "a/./b.mp4",'
           ' "format": "h.264"}, {"name": "a//b.mp4", "format": "MPEG4"},'
           ' {"name": "ok.MP4", "format": "HiRes MPEG4", "height": "99999", "size":'
           ' "9223372036854775807"}]}'])

    def pick(files):
        out = bytes([len(files)])
        for how, size, height in files:
            out += bytes([how]) + struct.pack(">qi", size, height)
        return out
    write("archive_pick", [pick([(0, 100, 480), (0, 200, 480), (5 << 3, 999, 1080)]),
                           pick([(7 | 6 << 3, 5, 5), (1 | 5 << 3, 1, 240), (0, -1, 0)]),
                           pick([(2, 10, 720), (3 << 3, 10, 720), (0, 10, 720)])])

    write("query", [u.split("?")[0].rsplit("/", 1)[1] for u in URIS if u.startswith("/resolve/")]
          + ["%20" * 300 + "x", "a" * 200, "a" * 201, "%F0%9F%8E%AC" * 200, "%C2%85", "%7F", "+"])
    write("params", ["\x01" + q for q in QUERIES] + ["\x00" + q for q in QUERIES[:4]])
    write("request", [u + "\0GET\0" for u in URIS] +
          ["/resolve/inception\0HEAD\0abc\0client-id-1", "/health\0OPTIONS\0",
           "/resolve/x\0POST\0", "/resolve/x?season=4\0GET\0" + "a" * 65 + "\0ok.id_1",
           "relative\0GET\0", "/resolve/search/all?limit=25\0GET\0\0"])
    write("response", [b"\x04" + b"\0" * 8 + b"req-1\0\0" + struct.pack(">iQi", 200, 17, 0),
                       b"\x0c\x01" + b"\0" * 7 + b"bad id!\0client.id_2\0" +
                       struct.pack(">iQi", 503, 1 << 63, 2 ** 31 - 1),
                       b"\x03" + b"\xff" * 8 + b"\0\0" + struct.pack(">iQi", -1, 0, -5)])
    write("render_link", [t.encode() + b"\0" + u.encode() + b"\0" + struct.pack(">qqB", size, seeds, q)
                          for t, u, size, seeds, q in [
                              ("Inception (2010) 1080p BluRay",
                               "https://mock-cdn.example.com/movies/inception-2010.mkv",
                               8542781952, 2450, 2),
                              ("say \"hi\" \\ \x01\x1f\t\n", "https://a/\"", -1, 0, 0),
                              ("Am\u00e9lie \U0001F3AC", "https://a/\u00e9", 5, -3, 4)]]
          + [b"bad \xff\0https://a/\0"])
    write("utf8", ["caf\u00e9 \U0001F3AC \u20ac", b"caf\xe9", b"\xc0\xaf", b"\xed\xa0\x80",
                   b"\xf4\x90\x80\x80", b"\xf0\x9f\x8e", b"\x80", b"\xef\xbf\xbd\x00a"])
    write("decimal", [struct.pack(">ii", 1, 9999) + b"4", struct.pack(">ii", 0, 0o777) + b"0660",
                      struct.pack(">ii", 1, 25) + b"0025", b"\x01" + b"\0" * 7 + b"9" * 18,
                      struct.pack(">ii", 1, 65535) + b"65536", struct.pack(">ii", 0, 10) + b"+1"])

    def field(kind, key, value=None, num=0):
        key = key.encode() if isinstance(key, str) else key
        out = bytes([kind]) + bytes([len(key)]) + key
        if kind & 3 == 0:
            v = value.encode() if isinstance(value, str) else value
            out += struct.pack(">H", len(v)) + v
        elif kind & 3 in (1, 2):
            out += struct.pack(">q", num)
        return out
    access = (b"\x02" + field(0, "event", "request") + field(0, "request_id", "abc123") +
              field(0, "method", "GET") + field(0, "path", "/resolve/the%20boys?season=4") +
              field(1, "status", num=200) + field(2, "duration_ms", num=1234) +
              field(0, "provider", "MockProvider") + field(3, "error"))
    write("log", [access,
                  b"\x02" + field(0, "path", b"/resolve/\"a\\b\"\n\r\t\x01\x1f\x7f}{\xff\xc3\xa9"),
                  b"\x02" + field(0, "pad", "p" * 4000) + field(1, "status", num=503),
                  b"\x02" + field(0, "big", "\U0001F3AC\"" * 1500) + field(3, "after"),
                  b"\x02" + field(2, "ms", num=-(2 ** 63)) + field(1, "i", num=-(2 ** 63)),
                  b"\x81" + json.dumps({"event": "archive_upstream_failed", "call": "search",
                                        "reason": "timeout", "attempts": 3, "http_status": 0,
                                        "nested": [1, 2.5, {"c": None}], "ok": True}).encode()])

    entry = {"title": "Inception (2010) 1080p BluRay", "url": "https://cdn.example.com/a0",
             "size": 8542781952, "seeds": 2450}
    write("mock", ["inception\0" + json.dumps([entry]),
                   "alpha\0" + json.dumps([
                       {"title": "Alpha Dead One 1080p", "url": "https://cdn.example.com/a0",
                        "size": 1, "seeds": 0},
                       {"title": "Alpha Live Small 720p", "url": "https://cdn.example.com/a1",
                        "size": None, "seeds": 5},
                       {"title": "Alpha Live Mid 2160p", "url": "https://cdn.example.com/a4",
                        "size": 0, "seeds": 20}]),
                   "all\0[]", "x\0{}", "x\0[{\"title\": \"\", \"url\": \"https://a\", \"seeds\": 1}]",
                   "x\0[{\"title\": \"t\", \"url\": \"http://a\", \"seeds\": 1}]",
                   "x\0[{\"title\": \"t\", \"url\": \"https://a\", \"seeds\": -1, \"size\": 2}]"])

    write("episode", [struct.pack(">HH", s, e) + t.encode() for s, e, t in [
        (4, 1, "The Boys S04E01 1080p WEB-DL"), (1, 2, "Breaking Bad 1x02"),
        (1, 2, "Show.Season.1.Episode.2.720p"), (3, 0, "Show S03 Complete"), (1, 0, "Season 1"),
        (1, 1, "Show S01E01-S01E02"), (19, 20, "1920x1080"), (1, 20, "S01E020"),
        (2, 3, "s02e03 lowercase"), (10, 0, "Show season_10"),
        (4, 1, "Caf\u00e9 S04E01 \U0001F3AC"), (0, 0, "Inception (2010) 1080p BluRay")]])

    write("config", ["LUME_WORKERS=4\nLUME_PROVIDER=archive\n# a comment\n\n"
                     "export LUME_LOG_LEVEL=debug\nLUME_SOCKET_MODE=0660\n"
                     "LUME_LISTEN=\"unix:/run/lume.sock\"\nLUME_ACCESS_LOG='off'\n"
                     "LUME_NGINX_PORT=8443\n",
                     "LUME_ARCHIVE_BASE_URL=http://127.0.0.1:8080\nLUME_RETRIES=10\n"
                     "LUME_MOCK_CATALOG=/tmp/catalog.json\nLUME_REQUEST_TIMEOUT_MS=8000\0"
                     "LUME_WORKERS=2\0--max-requests=5\0--check-config",
                     "LUME_WORKERS=0\n", "not a line\n", "LUME_BACKLOG = 65535 \n",
                     "#" + "x" * 1100 + "LUME_WORKERS=3\n",
                     "LUME_CONFIG=/etc/other\n\0\0--listen\0127.0.0.1:9000"])
    fcgi_seeds()
    naming_seeds()


# What nginx sends (nginx/render.py's fastcgi_param lines, and the request's
# headers as HTTP_*).
NGINX_PARAMS = {"QUERY_STRING": "season=4&episode=1", "DOCUMENT_URI": "/resolve/the%20boys",
                "CONTENT_TYPE": "", "CONTENT_LENGTH": "", "REQUEST_SCHEME": "https",
                "HTTPS": "on", "SERVER_SOFTWARE": "nginx", "REMOTE_ADDR": "203.0.113.9",
                "REMOTE_PORT": "51234", "SERVER_ADDR": "172.28.0.2", "SERVER_PORT": "443",
                "SERVER_NAME": "lume.example.com",
                "REQUEST_ID": "6f1c2b9a0d3e4f5a6b7c8d9e0f1a2b3c",
                "REQUEST_START": "1717171717.123", "HTTP_HOST": "lume.example.com",
                "HTTP_USER_AGENT": "curl/7.88.1", "HTTP_ACCEPT": "*/*"}


def fcgi_seeds():
    def head(wire, chunks=(), records=False):
        """fuzz_fcgi_head's input: mode, chunk sizes, then the wire (or records)."""
        return (bytes([1 if records else 0, len(chunks)]) +
                b"".join(struct.pack(">H", c) for c in chunks) + wire)

    def rec(rtype, content, padding=0, request_id=1, version=1, repeat=1):
        """One record of record mode: repeat count and header; the content is fill."""
        return bytes([repeat - 1]) + struct.pack("!BBHHBx", version, rtype, request_id, content,
                                                 padding)

    begin = rec(1, 8)
    end = rec(4, 0)
    nginx = fcgi_client.encode_request("/resolve/the%20boys?season=4&episode=1",
                                       params=NGINX_PARAMS)
    posted = fcgi_client.encode_request("/resolve/x", "POST", stdin=b"a=1&b=" + b"x" * 600)
    get_values = fcgi_client._record(9, fcgi_client.encode_params({"FCGI_MAX_CONNS": ""}), 0)
    write("fcgi_head", [head(nginx), head(nginx, [1]), head(nginx, [7, 0, 300, 8]),
                        head(posted, [4096]), head(get_values + nginx, [8, 8]),
                        head(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
                        head(b"\x02" + nginx[1:]), head(nginx[:16] + b"\x01\x05" + nginx[18:]),
                        head(b"\x01\x01\x00\x00\x00\x08\x00\x00" + nginx[8:]),
                        head(nginx[:len(nginx) // 2], [3]),
                        # params of 64 KiB exactly, and a byte more
                        head(b"x" + begin + rec(4, 65535) + rec(4, 1) + end, [9000], True),
                        head(b"x" + begin + rec(4, 65535) + rec(4, 2) + end, [], True),
                        # the largest head, and a byte more; many tiny records
                        head(b"\x01" + begin + rec(4, 65535) + rec(4, 1) + rec(9, 8144, 0, 0) +
                             end, [65535], True),
                        head(b"\x01" + begin + rec(4, 65535) + rec(4, 1) + rec(9, 8145, 0, 0) +
                             end, [], True),
                        head(b"\0" + begin + rec(9, 0, 0, 0, repeat=256) * 36 + rec(4, 10) + end,
                             [], True),
                        # other ids, padding, stdin after the head
                        head(b"\x01" + rec(9, 20, 4, 0) + begin + rec(4, 65535, 0, 2) +
                             rec(4, 0, 0, 2) + rec(4, 40, 255) + rec(4, 0, 7) + rec(5, 100, 4),
                             [1, 2, 3], True)])

    # fuzz_fcgi_params: request id, output size, the head (the health
    # responder's requests as nginx sends them)
    health = fcgi_client.encode_request("/health", params=dict(NGINX_PARAMS, HTTP_X_PAD="x" * 300))
    write("fcgi_params", [b"\x01\xff" + nginx, b"\x01\x02" + health, b"\x02\xff" + nginx,
                          b"\x01\x00" + health[:len(health) // 2]])

    def peer(kind, addr):
        """fuzz_allow's peers: 0 IPv4, 1 IPv6, 2 unix, 3 a short address."""
        import ipaddress
        packed = ipaddress.ip_address(addr).packed if addr else b""
        return bytes([kind]) + packed.ljust(16, b"\0")

    peers = (peer(0, "127.0.0.1") + peer(0, "172.28.13.7") + peer(1, "::1") +
             peer(1, "::ffff:127.0.0.1") + peer(1, "2001:db8::1") + peer(2, None) +
             peer(3, "10.0.0.1"))
    lists = ["127.0.0.1", "::1", "127.0.0.1,::1,10.0.0.7", " 127.0.0.1 ,\t::1 ",
             "127.0.0.1, ::1, 172.28.0.0/16", "10.0.0.8/29", "fd00:1::/33", "0.0.0.0/0", "::/0",
             "10.1.2.3/8", "::ffff:127.0.0.1", "::ffff:10.0.0.0/104", "::ffff:0:0/95", "any",
             " any ", "localhost", "127.0.0.1,foo", "1.2.3.4:9000", "[::1]", "ANY",
             "any,127.0.0.1", "10.0.0.0/33", "::/129", "10.0.0.0/+8", "10.0.0.0/0x8",
             "10.0.0.0/008", "", "127.0.0.1,", "127.0.0.1, ,::1", "1.2.3.4\r\n",
             "0000:0000:0000:0000:0000:ffff:255.255.255.255/128",
             "0000:0000:0000:0000:0000:0000:0000:0001, 0:0:0:0:0:ffff:10.0.0.1"]
    entries = (b"\x03" + bytes([0 | 16, 24]) + bytes([172, 28, 5, 9]) + b"\0" * 12 +
               bytes([1 | 4 | 16 | 32 | 64, 64]) + bytes.fromhex("fd000001") + b"\1" * 12 +
               bytes([2 | 8 | 16, 120]) + b"\0" * 12 + bytes([10, 0, 0, 1]))
    write("allow", [b"\0" + s.encode() + b"\0" + peers for s in lists] +
          [b"\x01" + entries + peers, b"\x81" + entries + peers,
           b"\x90" + b"x" * 70 + b"\0", b"\x80,"])

    def stamp(text, now=1717200000000, mode=0):
        """fuzz_queue's input: mode, the clock (stored doubled), the stamp."""
        return bytes([mode]) + struct.pack(">q", now * 2) + text.encode()

    def near(offset, change=0, where=0):
        """A stamp offset ms from a clock of today, as nginx writes it."""
        return bytes([3]) + b"\0" * 8 + struct.pack(">iBB", offset, change, where)

    write("queue", [stamp(t) for t in [
        "1717171717.123", "1717200000.000", "1717199999.750", "0.001", "999999999999.999",
        "0001717200000.123", ".123", "1717200000.12", "1717200000.1234", "+1717200000.000",
        "1717200000", "yesterday", " 1717200000.000", "1717200000.000 ", "1e9.000",
        "1717200000,000", "1717200000.000\0x", "\u0661717200000.000"]] +
        [near(o) for o in [0, -250, 1000, 1001, -3600000, -3600001]] +
        [near(-250, c, 3) for c in range(1, 8)])


def naming_seeds():
    """fuzz_naming's input: a flag (1: a query follows, up to a NUL), the path.
    Every eighth name of the parser's corpus (every style), the rows with a
    query, and the path bounds."""
    corpus = os.path.join(HERE, "..", "providers", "library", "naming_corpus.tsv")
    with open(corpus, encoding="utf-8") as f:
        rows = [line.rstrip("\n").split("\t") for line in f if not line.startswith("#")][1:]

    def unescape(text):
        out, b, i = bytearray(), text.encode(), 0
        while i < len(b):
            if b[i] == 0x5C and i + 1 < len(b):
                c = chr(b[i + 1])
                if c == "x":
                    out.append(int(b[i + 2:i + 4], 16))
                    i += 4
                    continue
                out.append({"t": 9, "n": 10}.get(c, b[i + 1]))
                i += 2
            else:
                out.append(b[i])
                i += 1
        return bytes(out)

    seeds = [b"\x01" + r[1].encode() + b"\0" + unescape(r[0]) if r[1] != "-"
             else b"\x00" + unescape(r[0]) for r in rows[::8] + [r for r in rows if r[1] != "-"]]
    seeds += [b"\x00", b"\x00/abs.mkv", b"\x00a/../b.mkv", b"\x00" + b"a" * 252 + b".mkv",
              b"\x00" + (b"a" * 200 + b"/") * 20 + b"b.mkv"]
    write("naming", seeds)


if __name__ == "__main__":
    main()
