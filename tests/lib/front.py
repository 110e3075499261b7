"""A deployed Lume front (nginx in a container, over TLS), as the deployment
suites (compose, swarm) reach it: one HTTPS client, the checks of every route
they share, and steady load in a background thread.

Front(host, https_port, http_port, cafile).request(path) sends one request on
its own connection and checks the answer against docs/openapi.yaml.
check_every_route(test, front) is what a freshly deployed front must answer.
SteadyLoad(fronts) sends requests one after another until stopped, each to the
next front in turn, and keeps every outcome; with failover=True, as a load
balancer in front of several nginx would, a request whose connection fails
goes to the next front.
"""
import http.client
import json
import socket
import ssl
import threading
import time

import openapi_check

# Requests that must reach a replica skip nginx's response cache (docs/api.md, "Caching").
FRESH = {"Cache-Control": "no-cache"}
ORIGIN = "http://localhost"


class Front:
    def __init__(self, host, https_port, http_port, cafile):
        self.host = host
        self.https_port = https_port
        self.http_port = http_port
        self.cafile = cafile
        self.ctx = ssl.create_default_context(cafile=cafile)

    def __repr__(self):
        return f"{self.host}:{self.https_port}"

    def request(self, path, method="GET", headers=None, timeout=10):
        """(status, {lower-case header: value}, body) of one request."""
        conn = http.client.HTTPSConnection(self.host, self.https_port, timeout=timeout,
                                           context=self.ctx)
        try:
            conn.request(method, path, headers=dict(headers or {}, Connection="close"))
            resp = conn.getresponse()
            body = resp.read()
            headers = {k.lower(): v for k, v in resp.getheaders()}
            openapi_check.check(method, path, resp.status, headers, body)
            return resp.status, headers, body
        finally:
            conn.close()

    def plain(self, path):
        """(status, Location) of a plain-HTTP request."""
        conn = http.client.HTTPConnection(self.host, self.http_port, timeout=10)
        try:
            conn.request("GET", path)
            resp = conn.getresponse()
            resp.read()
            return resp.status, resp.getheader("Location")
        finally:
            conn.close()

    def certificate(self):
        """The DER certificate this front presents."""
        with socket.create_connection((self.host, self.https_port), timeout=10) as raw:
            with self.ctx.wrap_socket(raw, server_hostname="localhost") as s:
                return s.getpeercert(binary_form=True)


def check_every_route(test, front):
    """HTTP/2 offered, every route, nginx's cache and validators, errors in the
    envelope, the API's document and page, a CORS preflight, the redirect."""
    ctx = ssl.create_default_context(cafile=front.cafile)
    ctx.set_alpn_protocols(["h2", "http/1.1"])
    with socket.create_connection((front.host, front.https_port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as s:
            test.assertEqual(s.selected_alpn_protocol(), "h2")

    routes = {
        "/": lambda d: test.assertIn("endpoints", d),
        "/health": lambda d: test.assertEqual(d, {"status": "healthy"}),
        "/resolve/inception": lambda d: test.assertIn("Inception", d["title"]),
        "/resolve/the%20boys?season=4&episode=1": lambda d: test.assertTrue(d["url"]),
        "/resolve/search/the%20boys?season=4&limit=5": lambda d: test.assertTrue(d),
        "/resolve/health/provider": lambda d: test.assertEqual(
            d, {"status": "healthy", "provider": "MockProvider"}),
    }
    for path, check in routes.items():
        status, headers, body = front.request(path)
        test.assertEqual(status, 200, f"{front} {path}: {body[:300]!r}")
        test.assertEqual(headers["content-type"], "application/json")
        test.assertRegex(headers["x-request-id"], r"^[0-9a-f]{32}$")
        test.assertIn("max-age=", headers["strict-transport-security"])
        check(json.loads(body))

    # nginx's response cache works in its read-only container (the tmpfs):
    # the resolve asked above is answered from it, with its validator.
    status, headers, _ = front.request("/resolve/the%20boys?season=4&episode=1")
    test.assertEqual((status, headers["x-cache-status"]), (200, "HIT"))
    status, _, body = front.request("/resolve/the%20boys?season=4&episode=1",
                                    headers={"If-None-Match": headers["etag"]})
    test.assertEqual((status, body), (304, b""))

    # Errors: the API's JSON envelope (docs/api.md), from the app through nginx.
    status, headers, body = front.request("/resolve/error:unavailable")
    test.assertEqual(status, 503, body)
    detail = json.loads(body)["detail"]
    test.assertEqual(detail["error"], "PROVIDER_UNAVAILABLE")
    test.assertEqual(detail["provider"], "MockProvider")
    test.assertEqual(detail["request_id"], headers["x-request-id"])
    status, _, body = front.request("/nowhere")
    test.assertEqual(status, 404, body)
    test.assertEqual(json.loads(body)["detail"]["error"], "NOT_FOUND")

    # The API's description and its page, from the image's static files.
    status, headers, body = front.request("/openapi.json")
    test.assertEqual(status, 200, body[:300])
    test.assertEqual(json.loads(body)["openapi"], "3.1.0")
    for page, files in (("/docs", ("/docs/swagger-ui-bundle.js", "/docs/swagger-ui.css",
                                   "/docs/swagger-ui-init.js")),
                        ("/redoc", ("/docs/redoc.standalone.js",))):
        status, headers, body = front.request(page)
        test.assertEqual(status, 200, body[:300])
        test.assertIn(files[0].encode(), body)
        test.assertIn("default-src 'none'", headers["content-security-policy"])
        for path in files:
            test.assertEqual(front.request(path)[0], 200, path)

    # A CORS preflight from an allowed origin, answered by nginx.
    status, headers, _ = front.request("/resolve/inception", method="OPTIONS", headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": "GET"})
    test.assertEqual(status, 204)
    test.assertEqual(headers["access-control-allow-origin"], ORIGIN)
    test.assertIn("GET", headers["access-control-allow-methods"])

    # Plain HTTP moves to HTTPS on the published port (LUME_PUBLIC_HOST: localhost).
    status, location = front.plain("/health")
    test.assertEqual(status, 301)
    port = "" if front.https_port == 443 else f":{front.https_port}"
    test.assertEqual(location, f"https://localhost{port}/health")


class SteadyLoad:
    """GET path (FRESH) through each front in turn, one request at a time,
    pause seconds apart, from start() until stop(), or at most max_seconds.
    outcomes: (front, status or None, body or error text) per request; with
    failover, the last front tried (failovers counts the moves)."""

    def __init__(self, fronts, path="/resolve/inception", pause=0.02, timeout=15,
                 max_seconds=300, failover=False):
        self.fronts = list(fronts)
        self.path = path
        self.pause = pause
        self.timeout = timeout
        self.max_seconds = max_seconds
        self.failover = failover
        self.failovers = 0
        self.outcomes = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        deadline = time.monotonic() + self.max_seconds
        i = 0
        while not self._stop.is_set() and time.monotonic() < deadline:
            tries = len(self.fronts) if self.failover else 1
            for k in range(tries):
                front = self.fronts[(i + k) % len(self.fronts)]
                try:
                    status, _, body = front.request(self.path, headers=FRESH,
                                                    timeout=self.timeout)
                    break
                except (OSError, http.client.HTTPException) as e:
                    status, body = None, str(e).encode()
                    if k + 1 < tries:
                        self.failovers += 1
            i += 1
            self.outcomes.append((front, status, body[:200]))
            self._stop.wait(self.pause)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._stop.set()
        self._thread.join(self.timeout + 15)
        return self.outcomes

    def failed(self):
        return [o for o in self.outcomes if o[1] != 200]

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
