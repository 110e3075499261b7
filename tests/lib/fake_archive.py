"""A fake Internet Archive for the archive provider's tests (stdlib only).

FakeArchive().start() serves on a free 127.0.0.1 port, one thread per
connection, the shapes the real archive.org answers with:

  GET /advancedsearch.php?q=...&fl[]=...&sort[]=...&rows=N&output=json
      {"responseHeader": {...}, "response": {"numFound": n, "start": 0, "docs": [...]}}
      Matching: q must look like title:(WORDS) AND mediatype:(movies); every
      (unescaped) word of WORDS must occur in the item's title, case-insensitively.
  GET /metadata/IDENTIFIER
      {"files": [{"name": ..., "format": ..., "size": "123", "height": "720"}, ...],
       "metadata": {...}, ...} with every file value a string; {} for a missing item.

Faults, set with fault(kind, mode, times=None, delay=..., body=...): kind is "search",
"search:WORDS" (searches for exactly those words), "metadata",
"metadata:IDENTIFIER" (that item only) or "all"; mode one of
  "500", "429", "404"  that HTTP status
  "reset"              close the connection with an RST before answering
  "slow"               answer normally after `delay` seconds
  "hold"               answer normally once release() is called (or after `delay` s)
  "malformed"          a 200 with truncated JSON
  "error200"           a 200 with {"error": "..."} (the archive's query errors)
  "no_response"        a 200 without the "response" key
  "wrong_types"        a 200 whose "docs" is a string
  "oversized"          a 200 of 6 MiB of valid-looking JSON, no Content-Length
  "raw"                a 200 whose body is `body` (bytes), with its Content-Length
  "raw_stream"         the same without Content-Length (the connection closes after it),
                       so its length shows only while it is read
times: how many requests the fault applies to (None: all), counted per kind.
latency: seconds every request waits before it is answered (0 by default; make
bench sets 0.02), on top of any fault's delay.
Each JSON reply (head and body) goes out in one send: two sends would meet
Nagle's algorithm and the client's delayed ACK, 40 ms a call.
"Refused" needs no fault mode: point the provider at a port nobody listens on,
or take the fake down() and up() again on its port.

Every request is counted (requests[kind]) and searches record their decoded
words (queries) and raw query strings, so tests can assert retries and encoding.
"""
import json
import re
import socket
import struct
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

OVERSIZED_BYTES = 6 * 1024 * 1024


def video(name, fmt="h.264", size=None, height=None, **extra):
    """A files[] entry: every value a string, as the archive sends them."""
    f = {"name": name, "format": fmt, "source": "derivative"}
    if size is not None:
        f["size"] = str(size)
    if height is not None:
        f["height"] = str(height)
        f["width"] = str(int(height) * 16 // 9)
    f.update({k: str(v) for k, v in extra.items()})
    return f


class Item:
    def __init__(self, identifier, title, downloads, files=None, missing=False, dark=False,
                 restricted=False):
        self.identifier, self.title, self.downloads = identifier, title, downloads
        self.files = files if files is not None else []
        self.missing, self.dark, self.restricted = missing, dark, restricted

    def metadata(self):
        if self.missing:
            return {}
        meta = {"identifier": self.identifier, "title": self.title, "mediatype": "movies",
                "collection": ["feature_films"], "downloads": str(self.downloads)}
        if self.restricted:
            meta["access-restricted-item"] = "true"
        doc = {"created": 1700000000, "d1": "ia800000.us.archive.org", "dir": "/0/items/x",
               "files": [{"name": f"{self.identifier}_meta.xml", "format": "Metadata",
                          "source": "original", "size": "1234"}] + self.files,
               "files_count": len(self.files) + 1, "item_size": 1, "metadata": meta,
               "server": "ia800000.us.archive.org", "uniq": 1, "workable_servers": []}
        if self.dark:
            doc["is_dark"] = True
        return doc


_UNESCAPE = re.compile(r"\\(.)")


def dead_items():
    """Items that match "Phantom" and must never be returned: a missing item,
    a dark one, a restricted one, and one with no playable file."""
    return [
        Item("phantom_missing", "Phantom Missing", 900, missing=True),
        Item("phantom_dark", "Phantom Dark", 800, [video("d.mp4", "h.264", 5, 480)], dark=True),
        Item("phantom_restricted", "Phantom Restricted", 700,
             [video("r.mp4", "h.264", 5, 480)], restricted=True),
        Item("phantom_unplayable", "Phantom Unplayable", 600,
             [video("x.ogv", "Ogg Video", 5, 480), video("x.avi", "Cinepack", 5, 480)]),
    ]


def search_words(q):
    """The unescaped WORDS of q = title:(WORDS) AND mediatype:(movies), else None."""
    m = re.fullmatch(r"title:\((.*)\) AND mediatype:\(movies\)", q, re.S)
    return _UNESCAPE.sub(r"\1", m.group(1)) if m else None


class FakeArchive:
    def __init__(self, latency=0.0):
        self.latency = latency
        self.items = {}
        self.lock = threading.Lock()
        self.faults = {}
        self.requests = {"search": 0, "metadata": 0, "other": 0}
        self.queries = []       # decoded WORDS of each search
        self.raw_queries = []   # raw query strings of each search
        self.paths = []         # raw request paths
        self.active = 0
        self.max_active = 0
        self.server = None
        self.delay = {}
        self.is_down = False
        self.port = None
        self.released = threading.Event()

    # --- setup -----------------------------------------------------------------
    def add(self, item):
        self.items[item.identifier] = item
        return item

    def fault(self, kind, mode, times=None, delay=0.0, body=None):
        with self.lock:
            self.faults[kind] = [mode, times, delay, body]

    def release(self):
        """Let every request held by a "hold" fault go on."""
        self.released.set()

    def clear(self):
        with self.lock:
            self.released.set()
            self.released = threading.Event()
            self.faults.clear()
            for k in self.requests:
                self.requests[k] = 0
            self.queries.clear()
            self.raw_queries.clear()
            self.paths.clear()
            self.max_active = 0

    def count(self, kind):
        with self.lock:
            return self.requests[kind]

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, port=0):
        fake = self

        class Handler(_Handler):
            archive = fake
        self.server = _Server(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()
        return self

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def down(self):
        """The archive goes down: new connections are refused (nothing listens
        on the port) and requests on connections already open are reset."""
        with self.lock:
            if self.is_down:
                return
            self.is_down = True
        self.stop()

    def up(self):
        """Back on the same port."""
        with self.lock:
            if not self.is_down:
                return
            self.is_down = False
        self.start(self.port)

    # --- behaviour ---------------------------------------------------------------
    def take_fault(self, kind, ident=None):
        with self.lock:
            self.requests[kind] += 1
            for key in (f"{kind}:{ident}", kind, "all"):
                f = self.faults.get(key)
                if f is None:
                    continue
                mode, times, delay, body = f
                if times is not None:
                    if times <= 0:
                        continue
                    f[1] = times - 1
                return mode, delay, body
        return None, 0.0, None

    def search(self, params):
        q = params.get("q", [""])[0]
        words = search_words(q)
        if words is None and q != "mediatype:(movies)":
            return 400, {"error": "bad query"}
        with self.lock:
            self.queries.append(words)
        fields = params.get("fl[]", [])
        try:
            rows = int(params.get("rows", ["50"])[0])
        except ValueError:
            rows = 50
        if params.get("output") != ["json"] or set(fields) != {"identifier", "title", "downloads"} \
                or params.get("sort[]") != ["downloads desc"]:
            return 400, {"error": "the provider sent unexpected parameters"}
        found = []
        for it in self.items.values():
            if words is None or all(w.lower() in it.title.lower() for w in words.split()):
                found.append(it)
        found.sort(key=lambda it: -it.downloads)
        docs = [{"identifier": it.identifier, "title": it.title, "downloads": it.downloads}
                for it in found[:rows]]
        return 200, {"responseHeader": {"status": 0, "QTime": 1,
                                        "params": {"query": q, "rows": str(rows)}},
                     "response": {"numFound": len(found), "start": 0, "docs": docs}}


class _Server(ThreadingHTTPServer):
    # Read by listen() in the constructor: a backlog of 5 (the default) drops
    # SYNs under bursts of new connections, and a dropped SYN is retried by
    # the kernel only after a second, which looks like a connect timeout.
    request_queue_size = 128
    daemon_threads = True

    def handle_error(self, request, client_address):
        """A client that hangs up (curl drops a transfer it cut off) is no error."""
        import sys
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    archive = None

    def log_message(self, *args):
        pass

    def send_json(self, status, obj, raw=None):
        body = raw if raw is not None else json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self._headers_buffer.append(b"\r\n" + body)  # head and body in one send
        self.flush_headers()

    def reset(self):
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    def do_GET(self):
        fake = self.archive
        if fake.is_down:
            return self.reset()
        with fake.lock:
            fake.active += 1
            fake.max_active = max(fake.max_active, fake.active)
            fake.paths.append(self.path)
        try:
            self.serve()
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.close_connection = True
        finally:
            with fake.lock:
                fake.active -= 1

    def serve(self):
        fake = self.archive
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/advancedsearch.php":
            kind = "search"
        elif url.path.startswith("/metadata/"):
            kind = "metadata"
        else:
            kind = "other"
        ident = urllib.parse.unquote(url.path[len("/metadata/"):]) if kind == "metadata" else None
        if kind == "search":
            ident = search_words(urllib.parse.parse_qs(url.query).get("q", [""])[0])
        mode, delay, raw = fake.take_fault(kind, ident)
        if fake.latency > 0:
            time.sleep(fake.latency)
        if mode == "slow":
            time.sleep(delay)
        elif mode == "hold":
            fake.released.wait(delay or 10.0)
        elif mode == "reset":
            return self.reset()
        elif mode in ("500", "429", "404"):
            return self.send_json(int(mode), None, b"<html>upstream error /srv/www/secret.py</html>")
        elif mode == "malformed":
            return self.send_json(200, None, b'{"response": {"docs": [{"identifier": ')
        elif mode == "error200":
            return self.send_json(200, {"error": "org.apache.lucene.queryParser.ParseException"})
        elif mode == "no_response":
            return self.send_json(200, {"responseHeader": {"status": 0}})
        elif mode == "wrong_types":
            return self.send_json(200, {"response": {"numFound": 1, "docs": "nope"}})
        elif mode == "raw":
            return self.send_json(200, None, raw)
        elif mode == "raw_stream":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            for i in range(0, len(raw), 65536):
                self.wfile.write(raw[i:i + 65536])
            return
        elif mode == "oversized":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            chunk = b'{"pad": "' + b"x" * 65536 + b'"},'
            self.wfile.write(b'{"response": {"docs": [')
            for _ in range(OVERSIZED_BYTES // len(chunk) + 1):
                self.wfile.write(chunk)
            self.wfile.write(b'{}]}}')
            return
        if kind == "search":
            params = urllib.parse.parse_qs(url.query, keep_blank_values=True)
            with fake.lock:
                fake.raw_queries.append(url.query)
            status, obj = fake.search(params)
            return self.send_json(status, obj)
        if kind == "metadata":
            item = fake.items.get(ident)
            return self.send_json(200, item.metadata() if item else {})
        return self.send_json(404, {"error": "not found"})


if __name__ == "__main__":  # a manual run: python3 tests/lib/fake_archive.py
    fa = FakeArchive().start()
    fa.add(Item("night_of_the_living_dead", "Night of the Living Dead", 5000,
                [video("night.mp4", "h.264", 700000000, 480)]))
    print(fa.base_url, flush=True)
    threading.Event().wait()
