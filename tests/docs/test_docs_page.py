"""The /docs page, served by the real nginx and rendered by a real browser.

nginx serves the static site of `make docs` (build/docs-site): the page, Redoc's
bundle, the document as JSON and YAML, each with every response's security
headers and the page's Content-Security-Policy. Then Debian's Chromium,
headless, loads https://localhost:PORT/docs, driven over the DevTools protocol:

- the rendered page shows every route of docs/openapi.yaml;
- the browser reported no Content-Security-Policy violation and no error;
- every request the page made went to https://localhost:PORT/ (or stayed in
  the browser: blob:, data:); nothing else can leave anyway: the browser
  resolves no other name (--host-resolver-rules) and talks to no proxy.

A screenshot is kept in build/test-artifacts/docs-page.png.
"""
import base64
import importlib.util
import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest
import urllib.request

import nginx_harness
import openapi_check
from harness import ROOT, wait_until
from nginx_harness import Stack

SITE = os.path.join(ROOT, "build", "docs-site")
ARTIFACTS = os.path.join(ROOT, "build", "test-artifacts")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SECURITY = {"x-content-type-options": "nosniff", "referrer-policy": "no-referrer"}
FILES = {"/docs": "text/html; charset=utf-8",
         "/docs/redoc.standalone.js": "application/javascript; charset=utf-8",
         "/openapi.json": "application/json",
         "/openapi.yaml": "application/yaml; charset=utf-8"}

stack = None


def setUpModule():
    global stack
    if not nginx_harness.nginx_available():
        raise unittest.SkipTest("nginx or openssl is not installed")
    if not os.path.isfile(os.path.join(SITE, "index.html")):
        raise AssertionError(f"no {SITE}: run make docs")
    stack = Stack(workers=1, nginx_env={"LUME_DOCS_DIR": SITE}).start()


def tearDownModule():
    if stack is not None:
        stack.stop()


def docs_csp():
    """The page's policy, as nginx/render.py writes it into the configuration."""
    spec = importlib.util.spec_from_file_location("render", os.path.join(ROOT, "nginx", "render.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.DOCS_CSP


class TestServed(unittest.TestCase):
    def test_every_file_with_the_security_headers_and_the_policy(self):
        for path, ctype in FILES.items():
            with self.subTest(path=path):
                r = stack.nginx.request(path)
                self.assertEqual(r.status, 200, r)
                self.assertEqual(r.headers["content-type"], ctype)
                for name, value in SECURITY.items():
                    self.assertEqual(r.all(name), [value])
                self.assertEqual(len(r.all("x-request-id")), 1)
                self.assertEqual(len(r.all("strict-transport-security")), 1)
                self.assertEqual(r.all("content-security-policy"), [docs_csp()])
                self.assertEqual(r.headers["cache-control"], "no-cache")

    def test_the_document_served_is_docs_openapi_yaml(self):
        self.maxDiff = 2000
        self.assertTrue(stack.nginx.request("/openapi.json").json() == openapi_check.document(),
                        f"{SITE} is older than docs/openapi.yaml: run make docs")
        with open(os.path.join(ROOT, "docs", "openapi.yaml"), "rb") as f:
            self.assertEqual(stack.nginx.request("/openapi.yaml").body, f.read())

    def test_revalidation_answers_304(self):
        etag = stack.nginx.request("/openapi.json").headers["etag"]
        r = stack.nginx.request("/openapi.json", headers={"If-None-Match": etag})
        self.assertEqual((r.status, r.body), (304, b""))

    def test_head_and_options_and_other_methods(self):
        r = stack.nginx.request("/docs", method="HEAD")
        self.assertEqual((r.status, r.body), (200, b""))
        r = stack.nginx.request("/docs", method="OPTIONS")
        self.assertEqual((r.status, r.headers["allow"]), (204, "GET, HEAD, OPTIONS"))
        r = stack.nginx.request("/openapi.json", method="POST", body=b"{}")
        self.assertEqual(r.status, 405)
        self.assertEqual(r.json()["detail"]["error"], "METHOD_NOT_ALLOWED")

    def test_the_index_links_the_page(self):
        self.assertEqual(stack.nginx.request(stack.nginx.request("/").json()["docs"]).status, 200)


class DevTools:
    """A headless Chromium and one page of it, over the DevTools protocol."""

    def __init__(self, cert):
        import websocket  # Debian's python3-websocket
        self.dir = tempfile.mkdtemp(prefix="lume-chromium-")
        spki = subprocess.run(
            f"openssl x509 -in {cert} -pubkey -noout | openssl pkey -pubin -outform der"
            " | openssl dgst -sha256 -binary | base64", shell=True, check=True,
            capture_output=True, text=True).stdout.strip()
        args = [CHROMIUM, "--headless=new", "--disable-gpu", "--no-first-run",
                "--no-default-browser-check", "--disable-extensions", "--disable-sync",
                "--disable-background-networking", "--disable-component-update",
                "--disable-default-apps", "--disable-domain-reliability",
                "--disable-features=Translate,OptimizationHints,MediaRouter",
                "--metrics-recording-only", "--no-pings", "--password-store=basic",
                "--use-mock-keychain", "--window-size=1280,900",
                f"--user-data-dir={self.dir}", "--remote-debugging-port=0",
                # Nothing leaves the machine: no name but localhost resolves,
                # no proxy; and only this test's certificate is trusted.
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost",
                "--no-proxy-server", f"--ignore-certificate-errors-spki-list={spki}",
                "about:blank"]
        if os.geteuid() == 0:
            args.insert(1, "--no-sandbox")
        self.log = open(os.path.join(self.dir, "chromium.log"), "wb")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        port_file = os.path.join(self.dir, "DevToolsActivePort")
        if not wait_until(lambda: os.path.exists(port_file) and open(port_file).read().strip(),
                          30):
            self.close()
            raise RuntimeError("chromium did not open its DevTools port")
        port = int(open(port_file).read().split()[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:
            page = next(t for t in json.load(r) if t["type"] == "page")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=30,
                                              suppress_origin=True)
        self.next_id = 0
        self.events = []

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self.events.append(msg)

    def pump(self, seconds):
        """Collect events for a while."""
        self.ws.settimeout(0.2)
        deadline = time.monotonic() + seconds
        try:
            while time.monotonic() < deadline:
                try:
                    self.events.append(json.loads(self.ws.recv()))
                except Exception as e:  # websocket's timeout
                    if "timed out" not in str(e).lower():
                        raise
        finally:
            self.ws.settimeout(30)

    def evaluate(self, expression):
        r = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return r["result"].get("value")

    def close(self):
        if getattr(self, "ws", None) is not None:
            try:
                self.ws.close()
            except Exception:
                pass
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


# Recorded in the page before any of its scripts runs.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', e => window.__violations.push(
    e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sourceFile || '') + ':' + e.lineNumber));
"""


@unittest.skipUnless(CHROMIUM, "chromium is not installed")
class TestInABrowser(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.origin = f"https://localhost:{stack.nginx.https_port}"
        cls.browser = DevTools(stack.nginx.cert)
        try:
            cls.load()
        except BaseException:
            cls.browser.close()
            raise

    @classmethod
    def load(cls):
        b = cls.browser
        for domain in ("Page", "Network", "Runtime", "Log"):
            b.call(f"{domain}.enable")
        b.call("Page.addScriptToEvaluateOnNewDocument", source=RECORD_VIOLATIONS)
        b.call("Page.navigate", url=cls.origin + "/docs")
        # Redoc has rendered when its operations are in the page.
        paths = list(openapi_check.document()["paths"])

        def rendered():
            b.pump(0.2)
            text = b.evaluate("document.body ? document.body.innerText : ''") or ""
            return all(p in text for p in paths)
        cls.rendered = wait_until(rendered, 30, interval=0.1)
        b.pump(1.0)  # late requests (the search worker), late reports
        cls.text = b.evaluate("document.body.innerText") or ""
        cls.violations = b.evaluate("window.__violations") or []
        shot = b.call("Page.captureScreenshot", format="png")
        os.makedirs(ARTIFACTS, exist_ok=True)
        with open(os.path.join(ARTIFACTS, "docs-page.png"), "wb") as f:
            f.write(base64.b64decode(shot["data"]))

    @classmethod
    def tearDownClass(cls):
        cls.browser.close()

    def events(self, method):
        return [e["params"] for e in self.browser.events if e.get("method") == method]

    def test_the_page_shows_every_route(self):
        self.assertTrue(self.rendered, self.text[:2000])
        for path in openapi_check.document()["paths"]:
            with self.subTest(path=path):
                self.assertIn(path, self.text)
        self.assertIn("Lume Media API", self.text)

    def test_no_content_security_policy_violation(self):
        self.assertEqual(self.violations, [])
        reports = [e["entry"] for e in self.events("Log.entryAdded")
                   if "Content Security Policy" in e["entry"].get("text", "")]
        self.assertEqual(reports, [])

    def test_no_error_in_the_console(self):
        errors = [e["entry"]["text"] for e in self.events("Log.entryAdded")
                  if e["entry"]["level"] == "error"]
        errors += [json.dumps(e["args"])[:300] for e in self.events("Runtime.consoleAPICalled")
                   if e["type"] == "error"]
        errors += [e["exceptionDetails"].get("text", "") for e in
                   self.events("Runtime.exceptionThrown")]
        self.assertEqual(errors, [])

    def test_every_request_stays_on_this_origin(self):
        urls = [e["request"]["url"] for e in self.events("Network.requestWillBeSent")]
        self.assertIn(self.origin + "/docs", urls)
        self.assertIn(self.origin + "/openapi.json", urls)
        self.assertIn(self.origin + "/docs/redoc.standalone.js", urls)
        outside = [u for u in urls if not u.startswith(self.origin + "/")
                   and not u.startswith(("blob:", "data:"))]
        self.assertEqual(outside, [])
        failed = [(e.get("errorText"), e.get("blockedReason"))
                  for e in self.events("Network.loadingFailed")]
        self.assertEqual(failed, [])

    def test_a_screenshot_is_kept(self):
        with open(os.path.join(ARTIFACTS, "docs-page.png"), "rb") as f:
            self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")


if __name__ == "__main__":
    unittest.main()
