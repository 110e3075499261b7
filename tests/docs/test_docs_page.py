"""The /docs and /redoc pages, served by the real nginx and rendered by a real browser.

nginx serves the static site of `make docs` (build/docs-site): the /docs page
(Swagger UI, its bundle, stylesheet and starting script), the /redoc page
(Redoc's bundle), the document as JSON and YAML, each with every response's
security headers and its page's Content-Security-Policy. Then Debian's
Chromium, headless, driven over the DevTools protocol, loads each page from
https://localhost:PORT:

- /redoc shows every route of docs/openapi.yaml;
- in /docs, a person's steps: open GET /resolve/{query}, "Try it out", type
  `inception` as the query, "Execute"; the page shows the answer, 200 and
  the resolved title, which is what the document says it is;
- the browser reported no Content-Security-Policy violation and no error;
- every request a page made went to https://localhost:PORT/ (or stayed in
  the browser: blob:, data:); nothing else can leave anyway: the browser
  resolves no other name (--host-resolver-rules) and talks to no proxy.

Every wait is for an event (a DevTools event, a DOM change) or for the page's
requests to end and fall quiet for half a second (settle), each bounded.
Screenshots are kept in build/test-artifacts/: docs-page.png (/redoc, as
before) and docs-swagger.png (/docs with its answer).
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
from harness import ROOT, stop_process, wait_until
from nginx_harness import Stack

SITE = os.path.join(ROOT, "build", "docs-site")
ARTIFACTS = os.path.join(ROOT, "build", "test-artifacts")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SECURITY = {"x-content-type-options": "nosniff", "referrer-policy": "no-referrer"}
JS = "application/javascript; charset=utf-8"
# Each file: its Content-Type and the policy it is served with (render.py's name).
FILES = {"/docs": ("text/html; charset=utf-8", "SWAGGER_UI_CSP"),
         "/docs/swagger-ui-bundle.js": (JS, "SWAGGER_UI_CSP"),
         "/docs/swagger-ui-init.js": (JS, "SWAGGER_UI_CSP"),
         "/docs/swagger-ui.css": ("text/css; charset=utf-8", "SWAGGER_UI_CSP"),
         "/redoc": ("text/html; charset=utf-8", "REDOC_CSP"),
         "/docs/redoc.standalone.js": (JS, "REDOC_CSP"),
         "/openapi.json": ("application/json", "SWAGGER_UI_CSP"),
         "/openapi.yaml": ("application/yaml; charset=utf-8", "SWAGGER_UI_CSP")}

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


def policy(name):
    """A page's policy, as nginx/render.py writes it into the configuration."""
    spec = importlib.util.spec_from_file_location("render", os.path.join(ROOT, "nginx", "render.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, name)


class TestServed(unittest.TestCase):
    def test_every_file_with_the_security_headers_and_the_policy(self):
        for path, (ctype, csp) in FILES.items():
            with self.subTest(path=path):
                r = stack.nginx.request(path)
                self.assertEqual(r.status, 200, r)
                self.assertEqual(r.headers["content-type"], ctype)
                for name, value in SECURITY.items():
                    self.assertEqual(r.all(name), [value])
                self.assertEqual(len(r.all("x-request-id")), 1)
                self.assertEqual(len(r.all("strict-transport-security")), 1)
                self.assertEqual(r.all("content-security-policy"), [policy(csp)])
                self.assertEqual(r.headers["cache-control"], "no-cache")

    def test_the_pages_load_their_own_files(self):
        self.assertIn(b'<script src="/docs/swagger-ui-bundle.js">',
                      stack.nginx.request("/docs").body)
        self.assertIn(b'<script src="/docs/redoc.standalone.js">',
                      stack.nginx.request("/redoc").body)

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
        for page in ("/docs", "/redoc"):
            with self.subTest(page=page):
                r = stack.nginx.request(page, method="HEAD")
                self.assertEqual((r.status, r.body), (200, b""))
                r = stack.nginx.request(page, method="OPTIONS")
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

    def receive(self, deadline):
        """The next event, or None at the deadline (time.monotonic())."""
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        self.ws.settimeout(left)
        try:
            msg = json.loads(self.ws.recv())
        except Exception as e:  # websocket's timeout
            if "timed out" not in str(e).lower():
                raise
            return None
        finally:
            self.ws.settimeout(30)
        self.events.append(msg)
        return msg

    def wait_event(self, method, seconds, since=0):
        """The params of the first event `method` from events[since:] on,
        waiting up to seconds for it; None if it does not come."""
        deadline = time.monotonic() + seconds
        for e in self.events[since:]:
            if e.get("method") == method:
                return e["params"]
        while True:
            msg = self.receive(deadline)
            if msg is None:
                return None
            if msg.get("method") == method:
                return msg["params"]

    def settle(self, quiet=0.5, seconds=10):
        """Wait until the page has no request in flight and nothing has
        happened for `quiet` seconds (late requests, late reports), up to
        seconds. The URLs still in flight then (none: it settled)."""
        deadline = time.monotonic() + seconds
        while True:
            flying = {}
            for e in self.events:
                m = e.get("method")
                # blob: and data: stay in the browser (a blob: worker's script
                # is never reported finished).
                if m == "Network.requestWillBeSent" and \
                        e["params"]["request"]["url"].startswith("https:"):
                    flying[e["params"]["requestId"]] = e["params"]["request"]["url"]
                elif m in ("Network.loadingFinished", "Network.loadingFailed"):
                    flying.pop(e["params"]["requestId"], None)
            if self.receive(min(deadline, time.monotonic() + quiet)) is None:
                if not flying or time.monotonic() >= deadline:
                    return sorted(u[:100] for u in flying.values())

    def evaluate(self, expression, await_promise=False):
        r = self.call("Runtime.evaluate", expression=expression, returnByValue=True,
                      awaitPromise=await_promise)
        if "exceptionDetails" in r:
            raise RuntimeError(f"evaluate: {r['exceptionDetails']}")
        return r["result"].get("value")

    def wait_for(self, condition, seconds=20):
        """Wait in the page, on its DOM changes, until the JavaScript
        expression `condition` is truthy, up to seconds (less than the
        socket's 30); its value, or None."""
        return self.evaluate(WAIT_FOR % {"condition": condition, "ms": int(seconds * 1000)},
                             await_promise=True)

    def click(self, selector):
        """A person's click (the mouse pressed and released) in the middle of
        the element, scrolled into view first."""
        box = self.evaluate(CENTER % json.dumps(selector))
        if box is None:
            raise AssertionError(f"nothing to click: {selector}")
        for kind in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", type=kind, x=box[0], y=box[1],
                      button="left", clickCount=1)

    def type(self, selector, text):
        """Replace what the field holds with text, as a person does: focus
        it, select all, type (or, for no text, press Backspace)."""
        if not self.evaluate(f"(e => e ? (e.focus(), e.select(), true) : false)"
                             f"(document.querySelector({json.dumps(selector)}))"):
            raise AssertionError(f"no field: {selector}")
        if text:
            self.call("Input.insertText", text=text)
            return
        for kind in ("keyDown", "keyUp"):
            self.call("Input.dispatchKeyEvent", type=kind, key="Backspace", code="Backspace",
                      windowsVirtualKeyCode=8, nativeVirtualKeyCode=8)

    def screenshot(self, name, clip=None):
        """The viewport, or the part of the page clip is (x, y, width, height
        in the page's coordinates), into ARTIFACTS/name."""
        params = {"format": "png"}
        if clip:
            params.update(captureBeyondViewport=True, clip=dict(
                zip(("x", "y", "width", "height"), clip), scale=1))
        shot = self.call("Page.captureScreenshot", **params)
        os.makedirs(ARTIFACTS, exist_ok=True)
        with open(os.path.join(ARTIFACTS, name), "wb") as f:
            f.write(base64.b64decode(shot["data"]))

    def close(self):
        if getattr(self, "ws", None) is not None:
            try:
                self.ws.close()
            except Exception:
                pass
        stop_process(self.proc)
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


# Recorded in the page before any of its scripts runs.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', e => window.__violations.push(
    e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sourceFile || '') + ':' + e.lineNumber));
"""

# A promise of the condition's first truthy value (true for an element),
# checked at every change of the page's DOM; null after ms.
WAIT_FOR = """new Promise(resolve => {
    const test = () => { try { return (%(condition)s); } catch (e) { return null; } };
    let timer = null;
    const observer = new MutationObserver(() => {
        const value = test();
        if (value) { observer.disconnect(); clearTimeout(timer); done(value); }
    });
    const done = value => resolve(value instanceof Node ? true : value || null);
    const value = test();
    if (value) { done(value); return; }
    observer.observe(document, {subtree: true, childList: true, characterData: true,
                                attributes: true});
    timer = setTimeout(() => { observer.disconnect(); done(test()); }, %(ms)d);
})"""

# The middle of the element of a selector, in the viewport, after scrolling it
# into view; null when there is none.
CENTER = """(e => {
    if (!e) return null;
    e.scrollIntoView({block: 'center'});
    const r = e.getBoundingClientRect();
    return [r.left + r.width / 2, r.top + r.height / 2];
})(document.querySelector(%s))"""


class InABrowser:
    """One page in a headless Chromium of its own; what every page must do.
    PATH is the page, FILES the files it must load (beside PATH itself)."""
    PATH = None
    FILES = ()

    @classmethod
    def setUpClass(cls):
        cls.origin = f"https://localhost:{stack.nginx.https_port}"
        cls.browser = DevTools(stack.nginx.cert)
        try:
            b = cls.browser
            for domain in ("Page", "Network", "Runtime", "Log"):
                b.call(f"{domain}.enable")
            b.call("Page.addScriptToEvaluateOnNewDocument", source=RECORD_VIOLATIONS)
            since = len(b.events)
            b.call("Page.navigate", url=cls.origin + cls.PATH)
            cls.loaded = b.wait_event("Page.loadEventFired", 30, since) is not None
            cls.use()
            cls.in_flight = b.settle()
            cls.violations = b.evaluate("window.__violations") or []
        except BaseException:
            cls.browser.close()
            raise

    @classmethod
    def use(cls):
        """What a person does on the page (and its screenshot)."""
        raise NotImplementedError

    @classmethod
    def tearDownClass(cls):
        cls.browser.close()

    def events(self, method):
        return [e["params"] for e in self.browser.events if e.get("method") == method]

    def test_the_page_loaded_and_settled(self):
        self.assertTrue(self.loaded, "no load event")
        self.assertEqual(self.in_flight, [], "requests still in flight")

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
        for path in (self.PATH, "/openapi.json") + self.FILES:
            self.assertIn(self.origin + path, urls)
        outside = [u for u in urls if not u.startswith(self.origin + "/")
                   and not u.startswith(("blob:", "data:"))]
        self.assertEqual(outside, [])
        failed = [(e.get("errorText"), e.get("blockedReason"))
                  for e in self.events("Network.loadingFailed")]
        self.assertEqual(failed, [])


@unittest.skipUnless(CHROMIUM, "chromium is not installed")
class TestRedoc(InABrowser, unittest.TestCase):
    PATH = "/redoc"
    FILES = ("/docs/redoc.standalone.js",)

    @classmethod
    def use(cls):
        b = cls.browser
        # Redoc has rendered when its operations are in the page.
        paths = json.dumps(list(openapi_check.document()["paths"]))
        cls.rendered = b.wait_for(f"{paths}.every(p => document.body.innerText.includes(p))")
        b.settle()  # the search worker, late reports
        cls.text = b.evaluate("document.body.innerText") or ""
        b.screenshot("docs-page.png")

    def test_the_page_shows_every_route(self):
        self.assertTrue(self.rendered, self.text[:2000])
        for path in openapi_check.document()["paths"]:
            with self.subTest(path=path):
                self.assertIn(path, self.text)
        self.assertIn("Lume Media API", self.text)

    def test_a_screenshot_is_kept(self):
        with open(os.path.join(ARTIFACTS, "docs-page.png"), "rb") as f:
            self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")


# Swagger UI's operation GET /resolve/{query}: its element's id is its tag and
# operationId (docs/openapi.yaml).
RESOLVE = "#operations-media-resolve"


@unittest.skipUnless(CHROMIUM, "chromium is not installed")
class TestSwaggerUi(InABrowser, unittest.TestCase):
    PATH = "/docs"
    FILES = ("/docs/swagger-ui.css", "/docs/swagger-ui-bundle.js", "/docs/swagger-ui-init.js",
             "/resolve/inception")

    @classmethod
    def use(cls):
        b = cls.browser
        # Swagger UI has rendered when its operations are in the page.
        paths = json.dumps(list(openapi_check.document()["paths"]))
        cls.paths = b.wait_for(f"(s => {paths}.every(p => s.includes(p)) && s)("
                               "[...document.querySelectorAll('.opblock-summary-path')]"
                               ".map(e => e.dataset.path))") or []
        cls.steps = []

        def field(name):
            return f"{RESOLVE} tr[data-param-name={name}] input"
        # Each step, and what shows it took: the operation opens, its fields
        # take input; the example values the fields start with (the boys,
        # season 4, episode 1) are replaced; the answer is shown.
        for step, action, done in [
                ("open GET /resolve/{query}", lambda: b.click(f"{RESOLVE} .opblock-summary-control"),
                 f"!!document.querySelector('{RESOLVE} .try-out__btn')"),
                ("Try it out", lambda: b.click(f"{RESOLVE} .try-out__btn"),
                 f"!!document.querySelector('{field('query')}')"),
                ("query: inception", lambda: b.type(field("query"), "inception"),
                 f"document.querySelector('{field('query')}').value === 'inception'"),
                ("season: none", lambda: b.type(field("season"), ""),
                 f"document.querySelector('{field('season')}').value === ''"),
                ("episode: none", lambda: b.type(field("episode"), ""),
                 f"document.querySelector('{field('episode')}').value === ''"),
                ("Execute", lambda: b.click(f"{RESOLVE} button.execute"),
                 f"!!document.querySelector('{RESOLVE} .live-responses-table tbody "
                 f".response-col_status')")]:
            action()
            if not b.wait_for(done):
                break
            cls.steps.append(step)
        # The answer shown: its status and body (the body is highlighted
        # once it is there: wait for the title).
        cls.status = b.wait_for(f"(e => e && e.innerText.trim())(document.querySelector("
                                f"'{RESOLVE} .live-responses-table tbody .response-col_status'))")
        cls.body = b.wait_for(f"(e => e && e.innerText.includes('Inception') && e.innerText)("
                              f"document.querySelector('{RESOLVE} .live-responses-table tbody "
                              f".response-col_description .microlight'))") or ""
        # The answer as the browser received it (for the document's check).
        cls.answer = next((e["params"] for e in b.events
                           if e.get("method") == "Network.responseReceived"
                           and e["params"]["response"]["url"] == cls.origin + "/resolve/inception"),
                          None)
        cls.answer_body = None
        if cls.answer is not None:
            b.settle()
            cls.answer_body = b.call("Network.getResponseBody", requestId=cls.answer["requestId"])
        # The operation from its title to the answer shown, as a person sees it.
        clip = b.evaluate(f"""(() => {{
            const top = document.querySelector('{RESOLVE}').getBoundingClientRect();
            const end = document.querySelector('{RESOLVE} .live-responses-table') ||
                        document.querySelector('{RESOLVE}');
            const bottom = end.getBoundingClientRect().bottom;
            return [0, top.top + window.scrollY - 8, document.documentElement.clientWidth,
                    bottom - top.top + 16];
        }})()""")
        b.screenshot("docs-swagger.png", clip)

    def test_the_page_shows_every_route(self):
        for path in openapi_check.document()["paths"]:
            with self.subTest(path=path):
                self.assertIn(path, self.paths)

    def test_a_person_tries_resolve_and_reads_the_answer(self):
        self.assertEqual(self.steps, ["open GET /resolve/{query}", "Try it out",
                                      "query: inception", "season: none", "episode: none",
                                      "Execute"])
        self.assertEqual(self.status, "200")
        answer = json.loads(self.body)
        self.assertIn("Inception", answer["title"])

    def test_the_answer_is_this_origin_s_and_the_document_s(self):
        self.assertIsNotNone(self.answer, "no request to /resolve/inception")
        response = self.answer["response"]
        self.assertEqual(response["status"], 200)
        self.assertEqual(response["url"], self.origin + "/resolve/inception")
        body = self.answer_body["body"]
        if self.answer_body.get("base64Encoded"):
            body = base64.b64decode(body).decode("utf-8")
        openapi_check.check("GET", "/resolve/inception", response["status"],
                            [(k.lower(), v) for k, v in response["headers"].items()],
                            body.encode("utf-8"))
        self.assertEqual(json.loads(body), json.loads(self.body))

    def test_a_screenshot_is_kept(self):
        with open(os.path.join(ARTIFACTS, "docs-swagger.png"), "rb") as f:
            self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")


if __name__ == "__main__":
    unittest.main()
