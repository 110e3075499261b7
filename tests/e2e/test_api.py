"""End to end over HTTPS: the API's routes, errors and headers (docs/api.md) through the
real nginx (nginx/render.py's configuration) and a real lume-fcgi master with
the mock provider. One stack for the module, rate limit off; loopback only."""
import json
import re
import shutil
import socket
import ssl
import subprocess
import unittest

import nginx_harness
from nginx_harness import Stack

stack = None

ALLOWED = "http://localhost"
SECURITY = {"x-content-type-options": "nosniff", "referrer-policy": "no-referrer"}
HEX_ID = re.compile(r"^[0-9a-f]{32}$")


def setUpModule():
    global stack
    if not nginx_harness.nginx_available():
        raise unittest.SkipTest("nginx or openssl is not installed")
    stack = Stack(workers=3, nginx_env={"LUME_RATE_LIMIT": "0"}).start()


def tearDownModule():
    if stack is not None:
        stack.stop()


def get(path, **kw):
    return stack.nginx.request(path, **kw)


class Base(unittest.TestCase):
    def assertCommonHeaders(self, r, https=True):
        """Headers every response carries, each exactly once."""
        for name, value in SECURITY.items():
            self.assertEqual(r.all(name), [value], f"{name} in {r}")
        ids = r.all("x-request-id")
        self.assertEqual(len(ids), 1, r)
        self.assertRegex(ids[0], HEX_ID)
        self.assertEqual(r.all("server"), ["nginx"], "no version in Server")
        if https:
            self.assertEqual(len(r.all("strict-transport-security")), 1, r)
            self.assertRegex(r.headers["strict-transport-security"], r"^max-age=\d{6,}")
        else:
            self.assertNotIn("strict-transport-security", r.headers)

    def assertError(self, r, status, code, **fields):
        """The API's JSON error envelope, with the request id of the header."""
        self.assertEqual(r.status, status, r)
        self.assertEqual(r.headers.get("content-type"), "application/json", r)
        self.assertEqual(r.headers.get("cache-control"), "no-store", r)
        self.assertCommonHeaders(r)
        detail = r.json()["detail"]
        self.assertEqual(detail["error"], code, r)
        self.assertIsInstance(detail["message"], str)
        self.assertTrue(detail["message"])
        self.assertNotRegex(detail["message"], r"/(usr|tmp|home|work|etc)/|<html", "no internals")
        self.assertEqual(detail["request_id"], r.headers["x-request-id"])
        for name, value in fields.items():
            self.assertEqual(detail.get(name, "<absent>"), value, f"{name} in {r}")
        return detail


class TestRoutes(Base):
    def test_index(self):
        r = get("/")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.headers["content-type"], "application/json")
        self.assertCommonHeaders(r)
        body = r.json()
        self.assertEqual(body["name"], "Lume Media API")
        self.assertRegex(body["version"], r"^\d+\.\d+\.\d+")
        self.assertEqual(body["docs"], "/docs")
        self.assertEqual(body["endpoints"], {"resolve": "/resolve/{query}",
                                             "search": "/resolve/search/{query}",
                                             "health": "/resolve/health/provider"})

    def test_the_index_advertises_only_what_answers(self):
        body = get("/").json()
        self.assertEqual(get(body["docs"]).status, 200)
        for name, template in body["endpoints"].items():
            with self.subTest(endpoint=name):
                r = get(template.replace("{query}", "inception"))
                self.assertEqual(r.status, 200, r)

    def test_health(self):
        r = get("/health")
        self.assertEqual((r.status, r.json()), (200, {"status": "healthy"}))
        self.assertCommonHeaders(r)

    def test_resolve(self):
        r = get("/resolve/inception")
        self.assertEqual(r.status, 200, r)
        self.assertCommonHeaders(r)
        self.assertEqual(r.headers["cache-control"], "public, max-age=300, stale-while-revalidate=172800, stale-if-error=172800")
        link = r.json()
        self.assertIn("Inception", link["title"])
        self.assertTrue(link["url"].startswith("https://"))
        self.assertIsInstance(link["seeds"], int)
        self.assertGreater(link["seeds"], 0)
        self.assertTrue(link["size"] is None or link["size"] >= 0)

    def test_resolve_tv(self):
        r = get("/resolve/the%20boys?season=4&episode=1")
        self.assertEqual(r.status, 200, r)
        self.assertIn("S04E01", r.json()["title"])

    def test_search(self):
        r = get("/resolve/search/the%20boys?limit=2")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.headers["cache-control"], "public, max-age=300, stale-while-revalidate=172800, stale-if-error=172800")
        body = r.json()
        self.assertEqual(body["query"], "the boys")
        self.assertEqual(body["provider_name"], "MockProvider")
        self.assertEqual(len(body["results"]), 2)
        self.assertGreaterEqual(body["total_results"], 3)
        seeds = [m["seeds"] for m in body["results"]]
        self.assertEqual(seeds, sorted(seeds, reverse=True))
        self.assertTrue(all(s > 0 for s in seeds))

    def test_search_without_live_results(self):
        r = get("/resolve/search/empty")
        self.assertEqual(r.status, 200, r)
        body = r.json()
        self.assertEqual((body["results"], body["total_results"]), ([], 0))

    def test_query_decoding_uses_the_raw_uri(self):
        # %2F is a slash inside the query, '+' stays a plus, blanks are trimmed:
        # nginx must hand the app the raw request URI.
        for path, query in (("/resolve/search/AC%2FDC", "AC/DC"),
                            ("/resolve/search/a+b", "a+b"),
                            ("/resolve/search/%20inception%20", "inception"),
                            ("/resolve/search/caf%C3%A9", "caf\u00e9")):
            r = get(path)
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.json()["query"], query)

    def test_provider_health(self):
        r = get("/resolve/health/provider")
        self.assertEqual((r.status, r.json()), (200, {"status": "healthy",
                                                      "provider": "MockProvider"}))

    def test_head(self):
        r = get("/resolve/inception", method="HEAD")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, b"")
        self.assertEqual(r.headers["content-type"], "application/json")
        self.assertCommonHeaders(r)
        r = get("/nope", method="HEAD")
        self.assertEqual((r.status, r.body), (404, b""))
        self.assertEqual(r.headers["cache-control"], "no-store")


class TestErrors(Base):
    def test_unknown_path(self):
        self.assertError(get("/nope"), 404, "NOT_FOUND")
        self.assertError(get("/resolve"), 404, "NOT_FOUND")

    def test_no_live_result(self):
        self.assertError(get("/resolve/empty"), 404, "NOT_FOUND", query="empty", season=None,
                         episode=None)

    def test_validation(self):
        long_query = "a" * 201
        cases = [
            ("/resolve/%ZZ", "INVALID_QUERY"),
            ("/resolve/" + long_query, "INVALID_QUERY"),
            ("/resolve/%C3", "INVALID_QUERY"),
            ("/resolve/%01x", "INVALID_QUERY"),
            ("/resolve/x?season=0", "INVALID_SEASON"),
            ("/resolve/x?season=+1", "INVALID_SEASON"),
            ("/resolve/x?season=1&season=2", "INVALID_SEASON"),
            ("/resolve/x?season=99999999999999999999", "INVALID_SEASON"),
            ("/resolve/x?season=1&episode=1x", "INVALID_EPISODE"),
            ("/resolve/x?episode=1", "EPISODE_WITHOUT_SEASON"),
            ("/resolve/search/x?limit=26", "INVALID_LIMIT"),
            ("/resolve/search/x?limit=0", "INVALID_LIMIT"),
        ]
        for path, code in cases:
            with self.subTest(path=path[:40]):
                d = self.assertError(get(path), 400, code)
                self.assertIn("query", d)
                self.assertIn("season", d)
                self.assertIn("episode", d)

    def test_nul_in_query_is_invalid_query(self):
        # nginx itself rejects %00 in a path; on /resolve it answers like the app.
        self.assertError(get("/resolve/a%00b"), 400, "INVALID_QUERY", query=None, season=None,
                         episode=None)

    def test_provider_errors(self):
        self.assertError(get("/resolve/error:unavailable"), 503, "PROVIDER_UNAVAILABLE",
                         provider="MockProvider", query="error:unavailable")
        self.assertError(get("/resolve/search/error:timeout"), 504, "PROVIDER_TIMEOUT",
                         provider="MockProvider")
        self.assertError(get("/resolve/error:internal"), 500, "INTERNAL_ERROR")

    def test_methods_not_allowed(self):
        for method in ("POST", "PUT", "DELETE", "PATCH", "TRACE", "FOO"):
            with self.subTest(method=method):
                body = b"{}" if method in ("POST", "PUT", "PATCH") else None
                r = get("/resolve/inception", method=method, body=body)
                self.assertError(r, 405, "METHOD_NOT_ALLOWED")
                self.assertEqual(r.all("allow"), ["GET, HEAD, OPTIONS"])

    def test_options_without_origin(self):
        r = get("/resolve/inception", method="OPTIONS")
        self.assertEqual(r.status, 204, r)
        self.assertEqual(r.all("allow"), ["GET, HEAD, OPTIONS"])
        self.assertCommonHeaders(r)

    def test_body_too_large(self):
        r = get("/resolve/inception", method="POST", body=b"x" * 100000)
        self.assertError(r, 413, "REQUEST_TOO_LARGE")

    def test_uri_too_long(self):
        self.assertError(get("/resolve/" + "a" * 10000), 414, "REQUEST_TOO_LARGE")

    def test_headers_too_large(self):
        self.assertError(get("/", headers={"X-Big": "a" * 10000}), 431, "REQUEST_TOO_LARGE")
        many = {f"X-H{i}": "b" * 7000 for i in range(6)}
        self.assertError(get("/", headers=many), 431, "REQUEST_TOO_LARGE")

    def test_malformed_requests(self):
        r = stack.nginx.raw(b"GARBAGE\r\n\r\n")
        self.assertError(r, 400, "BAD_REQUEST")
        r = stack.nginx.raw(b"GET /resolve/a b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        self.assertEqual(r.status, 400)
        self.assertEqual(r.headers["content-type"], "application/json")
        r = stack.nginx.raw(b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n")
        self.assertError(r, 400, "BAD_REQUEST")

    def test_no_html_ever(self):
        paths = ["/", "/nope", "/resolve/%ZZ", "/resolve/error:unavailable", "/.lume-error/503",
                 "/index.html", "/x.html", "/50x.html"]
        for path in paths:
            r = get(path)
            self.assertEqual(r.headers["content-type"], "application/json", r)
            self.assertNotIn(b"<html", r.body.lower())
            json.loads(r.body)


class TestHeaders(Base):
    def test_request_id_round_trip(self):
        r1, r2 = get("/resolve/empty"), get("/resolve/empty")
        id1, id2 = r1.headers["x-request-id"], r2.headers["x-request-id"]
        self.assertNotEqual(id1, id2)
        self.assertEqual(r1.json()["detail"]["request_id"], id1)
        # nginx's $request_id wins over the client's header
        r3 = get("/resolve/empty", headers={"X-Request-Id": "client-chosen"})
        self.assertRegex(r3.headers["x-request-id"], HEX_ID)
        self.assertEqual(r3.json()["detail"]["request_id"], r3.headers["x-request-id"])
        # nginx's access log and the app's log carry the same id
        logged = [e.get("request_id") for e in stack.nginx.access_log()]
        self.assertIn(id1, logged)
        self.assertIsNotNone(stack.master.access_line(id1))

    def test_access_log_is_json(self):
        get("/health")
        lines = stack.nginx.access_log()
        self.assertTrue(lines)
        last = lines[-1]
        for key in ("time", "request_id", "method", "uri", "status", "request_time"):
            self.assertIn(key, last)
        self.assertIsInstance(last["status"], int)

    def test_cache_control(self):
        self.assertEqual(get("/resolve/inception").headers["cache-control"],
                         "public, max-age=300, stale-while-revalidate=172800, stale-if-error=172800")
        self.assertEqual(get("/resolve/search/inception").headers["cache-control"],
                         "public, max-age=300, stale-while-revalidate=172800, stale-if-error=172800")
        self.assertEqual(get("/resolve/nothing-at-all-here").headers["cache-control"],
                         "no-store")

    def test_no_duplicate_headers(self):
        r = get("/resolve/inception", headers={"Origin": ALLOWED})
        names = [n for n, _ in r.header_list]
        dupes = {n for n in names if names.count(n) > 1}
        self.assertEqual(dupes, set(), r)


class TestCors(Base):
    def test_allowed_origin(self):
        for origin in ("http://localhost", "http://10.0.2.2"):
            with self.subTest(origin=origin):
                r = get("/resolve/inception", headers={"Origin": origin})
                self.assertEqual(r.status, 200)
                self.assertEqual(r.all("access-control-allow-origin"), [origin])
                self.assertIn("Origin", r.headers.get("vary", ""))
                self.assertNotIn("access-control-allow-credentials", r.headers)
                self.assertIn("X-Request-Id", r.headers.get("access-control-expose-headers", ""))

    def test_allowed_origin_on_errors(self):
        r = get("/nope", headers={"Origin": ALLOWED})
        self.assertEqual(r.status, 404)
        self.assertEqual(r.all("access-control-allow-origin"), [ALLOWED])
        r = get("/", headers={"Origin": ALLOWED, "X-Big": "a" * 10000})
        self.assertEqual(r.status, 431)
        self.assertEqual(r.all("access-control-allow-origin"), [ALLOWED])

    def test_foreign_origins_get_nothing(self):
        for origin in ("http://evil.example", "http://localhost.evil.example",
                       "http://localhost:8080", "https://localhost", "null", "*",
                       "http://evilhttp://localhost"):
            with self.subTest(origin=origin):
                for method in ("GET", "OPTIONS"):
                    r = get("/resolve/inception", method=method,
                            headers={"Origin": origin, "Access-Control-Request-Method": "GET"})
                    cors = [n for n, _ in r.header_list if n.startswith("access-control-")]
                    self.assertEqual(cors, [], r)

    def test_preflight(self):
        r = get("/resolve/search/inception", method="OPTIONS",
                headers={"Origin": ALLOWED, "Access-Control-Request-Method": "GET",
                         "Access-Control-Request-Headers": "x-request-id"})
        self.assertEqual(r.status, 204, r)
        self.assertEqual(r.body, b"")
        self.assertEqual(r.all("access-control-allow-origin"), [ALLOWED])
        self.assertEqual(r.headers["access-control-allow-methods"], "GET, HEAD, OPTIONS")
        self.assertIn("x-request-id", r.headers["access-control-allow-headers"].lower())
        self.assertRegex(r.headers["access-control-max-age"], r"^[1-9]\d*$")
        self.assertIn("Origin", r.headers["vary"])
        self.assertNotIn("access-control-allow-credentials", r.headers)
        self.assertCommonHeaders(r)
        # answered by nginx: the app never saw it
        rid = r.headers["x-request-id"]
        self.assertNotIn(rid, [e.get("request_id") for e in stack.master.events("request")])


class TestTransport(Base):
    def test_http_redirects_to_https(self):
        # LUME_PUBLIC_HOST defaults to localhost; the port is LUME_HTTPS_PORT's
        r = get("/resolve/inception?season=1", tls=False)
        self.assertEqual(r.status, 301, r)
        self.assertEqual(r.headers["location"],
                         f"https://localhost:{stack.nginx.https_port}/resolve/inception?season=1")
        self.assertCommonHeaders(r, https=False)
        self.assertEqual(r.headers["content-type"], "application/json")
        json.loads(r.body)

    def test_the_redirect_never_reflects_the_clients_host(self):
        expected = f"\r\nLocation: https://localhost:{stack.nginx.https_port}/health\r\n"
        for head in ("GET /health HTTP/1.1\r\nHost: evil.example",
                     "GET /health HTTP/1.1\r\nHost: evil.example:443",
                     "GET /health HTTP/1.1\r\nHost: localhost.evil.example",
                     "GET /health HTTP/1.0",  # no Host at all
                     # an absolute URI in the request line names a host too
                     "GET http://evil.example/health HTTP/1.1\r\nHost: evil.example"):
            with self.subTest(head=head):
                with socket.create_connection(("127.0.0.1", stack.nginx.http_port),
                                              timeout=10) as s:
                    s.sendall(f"{head}\r\nConnection: close\r\n\r\n".encode())
                    reply = b""
                    while chunk := s.recv(65536):
                        reply += chunk
                self.assertRegex(reply, rb"^HTTP/1\.1 301 ")
                self.assertIn(expected.encode(), reply)
                self.assertNotIn(b"evil", reply)

    def test_http_port_errors_are_json(self):
        r = get("/" + "a" * 10000, tls=False)
        self.assertEqual(r.status, 414)
        self.assertEqual(r.json()["detail"]["error"], "REQUEST_TOO_LARGE")
        self.assertCommonHeaders(r, https=False)

    def test_http2_alpn(self):
        ctx = ssl.create_default_context(cafile=stack.nginx.cert)
        ctx.set_alpn_protocols(["h2", "http/1.1"])
        with socket.create_connection(("127.0.0.1", stack.nginx.https_port), timeout=5) as s:
            with ctx.wrap_socket(s, server_hostname="127.0.0.1") as t:
                self.assertEqual(t.selected_alpn_protocol(), "h2")

    @unittest.skipUnless(shutil.which("curl"), "curl is not installed")
    def test_http2_request(self):
        out = subprocess.run(
            ["curl", "-sS", "--http2", "--cacert", stack.nginx.cert, "--max-time", "10",
             "-D", "-", "-o", "/dev/null", "-w", "%{http_version}",
             f"{stack.nginx.url}/resolve/inception"],
            capture_output=True, text=True, timeout=20)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertTrue(out.stdout.startswith("HTTP/2 200"), out.stdout)
        self.assertTrue(out.stdout.endswith("2"), out.stdout)
        self.assertEqual(out.stdout.lower().count("\nx-request-id:"), 1, out.stdout)
        self.assertIn("strict-transport-security:", out.stdout.lower())

    @unittest.skipUnless(shutil.which("curl"), "curl is not installed")
    def test_http2_errors_are_json(self):
        out = subprocess.run(
            ["curl", "-sS", "--http2", "--cacert", stack.nginx.cert, "--max-time", "10",
             "-X", "TRACE", f"{stack.nginx.url}/"], capture_output=True, text=True, timeout=20)
        self.assertEqual(json.loads(out.stdout)["detail"]["error"], "METHOD_NOT_ALLOWED")

    def handshake(self, version):
        ctx = ssl.create_default_context(cafile=stack.nginx.cert)
        ctx.minimum_version = ctx.maximum_version = version
        with socket.create_connection(("127.0.0.1", stack.nginx.https_port), timeout=5) as s:
            with ctx.wrap_socket(s, server_hostname="127.0.0.1") as t:
                return t.version(), t.cipher()[0]

    def test_tls_versions(self):
        self.assertEqual(self.handshake(ssl.TLSVersion.TLSv1_3)[0], "TLSv1.3")
        version, cipher = self.handshake(ssl.TLSVersion.TLSv1_2)
        self.assertEqual(version, "TLSv1.2")
        self.assertRegex(cipher, r"^ECDHE-.*(GCM|CHACHA20)")
        for old in (ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1):
            with self.subTest(version=old):
                with self.assertRaises((ssl.SSLError, OSError)):
                    self.handshake(old)


if __name__ == "__main__":
    unittest.main()
