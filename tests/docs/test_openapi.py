"""docs/openapi.yaml: the linter passes, and the document says what the code
does. Its fixed values come from one place, `lume-fcgi --dump-contract`
(fcgi-app/core/api.h, fcgi-app/core/errors.c), and nginx's own errors from
nginx/render.py's table; every bound, error code, status, message and header
of the document is compared with them here, and every route of docs/api.md
must be in it. (What the answers look like is checked on every answer the
end-to-end tests receive: tests/lib/openapi_check.py.)"""
import importlib.util
import json
import os
import re
import subprocess
import unittest

import openapi_check
from harness import BINARY, ROOT

DOC_PATH = os.path.join(ROOT, "docs", "openapi.yaml")
NPM = os.path.join(ROOT, "build", "openapi")  # make docs: npm ci there
REDOCLY = os.path.join(NPM, "node_modules", ".bin", "redocly")


def load_render():
    spec = importlib.util.spec_from_file_location("render", os.path.join(ROOT, "nginx", "render.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def contract():
    out = subprocess.run([BINARY, "--dump-contract"], capture_output=True, text=True,
                         timeout=30, env={}, check=True)
    return json.loads(out.stdout)


def every_response(doc):
    """(where, status, response) of every response in the document, paths
    and the x-lume-* extensions, references followed."""
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method == "parameters":
                continue
            for status, r in op["responses"].items():
                yield f"{method.upper()} {path}", status, openapi_check.resolve(r)
    for ext in ("x-lume-other-paths", "x-lume-other-methods", "x-lume-plain-http"):
        for status, r in doc[ext]["responses"].items():
            yield ext, status, openapi_check.resolve(r)


def examples_of(response):
    """{name: example value} of a response's JSON content."""
    media = (response.get("content") or {}).get("application/json") or {}
    out = {name: openapi_check.resolve(e)["value"]
           for name, e in (media.get("examples") or {}).items()}
    if "example" in media:
        out[""] = media["example"]
    return out


class TestLint(unittest.TestCase):
    def test_redocly_lint_passes_with_warnings_as_errors(self):
        self.assertTrue(os.path.exists(REDOCLY), f"no {REDOCLY}: run make docs (npm ci)")
        env = dict(os.environ, REDOCLY_TELEMETRY="off", REDOCLY_SUPPRESS_UPDATE_NOTICE="true",
                   NO_UPDATE_NOTIFIER="1")
        r = subprocess.run([REDOCLY, "lint", "--config",
                            os.path.join(ROOT, "tools", "openapi", "redocly.yaml"), DOC_PATH],
                           capture_output=True, text=True, timeout=120, env=env)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_the_linter_is_pinned(self):
        with open(os.path.join(ROOT, "tools", "openapi", "package.json")) as f:
            deps = json.load(f)["dependencies"]
        with open(os.path.join(ROOT, "tools", "openapi", "package-lock.json")) as f:
            lock = json.load(f)
        for name, version in deps.items():
            with self.subTest(package=name):
                self.assertRegex(version, r"^\d+\.\d+\.\d+$", "an exact version")
                self.assertEqual(lock["packages"][f"node_modules/{name}"]["version"], version)
        for path, entry in lock["packages"].items():
            if path:
                self.assertIn("integrity", entry, f"{path}: the lock file pins its content")


class TestAgreesWithTheCode(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.doc = openapi_check.document()
        cls.api = contract()
        cls.render = load_render()

    def param(self, name):
        return self.doc["components"]["parameters"][name]["schema"]

    def schema(self, name):
        return self.doc["components"]["schemas"][name]

    def test_it_is_openapi_3_1_of_this_version(self):
        self.assertEqual(self.doc["openapi"], "3.1.0")
        self.assertEqual(self.doc["info"]["version"], self.api["version"])

    def test_the_bounds_are_the_code_s(self):
        b = self.api["bounds"]
        self.assertEqual((self.param("query")["minLength"], self.param("query")["maxLength"]),
                         (1, b["query_max_chars"]))
        for name in ("season", "episode"):
            with self.subTest(parameter=name):
                p = self.param(name)
                self.assertEqual((p["type"], p["minimum"], p["maximum"]),
                                 ("integer", 1, b[f"{name}_max"]))
                echoed = self.schema("Error")["properties"]["detail"]["properties"][name]
                self.assertEqual((echoed["minimum"], echoed["maximum"]), (1, b[f"{name}_max"]))
        limit = self.param("limit")
        self.assertEqual((limit["minimum"], limit["maximum"], limit["default"]),
                         (1, b["limit_max"], b["limit_default"]))
        self.assertEqual(self.schema("SearchResult")["properties"]["results"]["maxItems"],
                         b["limit_max"])
        self.assertEqual(self.schema("StreamsResult")["properties"]["streams"]["maxItems"],
                         b["limit_max"])
        self.assertEqual(self.param("caps")["maxLength"], b["caps_max_bytes"])
        candidate = self.schema("Candidate")["allOf"][0]["properties"]
        self.assertEqual(candidate["subtitles"]["maxItems"], b["subtitles_max"])
        self.assertEqual(candidate["url"]["maxLength"], b["candidate_url_max"])

    def test_every_route_of_the_app_is_a_path(self):
        for route in self.api["routes"]:
            with self.subTest(route=route):
                self.assertIn(route, self.doc["paths"])

    def test_the_parameters_prose_states_the_same_bounds(self):
        b = self.api["bounds"]
        for name, high in (("query", b["query_max_chars"]), ("season", b["season_max"]),
                           ("episode", b["episode_max"]), ("limit", b["limit_max"])):
            with self.subTest(parameter=name):
                text = self.doc["components"]["parameters"][name]["description"]
                self.assertIn(f"1 to {high}", " ".join(text.split()))

    def errors(self):
        """{code: (status, message, headers)}: the app's, then nginx's own."""
        out = {code: (e["status"], e["message"], e["headers"])
               for code, e in self.api["errors"].items()}
        for row in self.render.error_rows(self.api):
            _caught, status, code, message, headers, _named = row
            if code not in self.api["errors"]:
                out.setdefault(code, (status, message, headers))
        return out

    def test_every_error_code_is_in_the_document_and_nothing_else(self):
        self.assertEqual(set(self.schema("ErrorCode")["enum"]), set(self.errors()))

    def test_every_error_s_example_has_its_status_and_message(self):
        """nginx answers some codes with more than one status (REQUEST_TOO_LARGE:
        413, 414, 431), each with its message."""
        answers = {code: {(status, message)} for code, (status, message, _) in self.errors().items()}
        for row in self.render.error_rows(self.api):
            answers[row[2]].add((row[1], row[3]))
        seen = set()
        for where, status, response in every_response(self.doc):
            for name, value in examples_of(response).items():
                detail = value.get("detail") if isinstance(value, dict) else None
                if not detail:
                    continue
                code = detail["error"]
                with self.subTest(where=where, status=status, example=name):
                    self.assertIn(code, answers)
                    self.assertIn(int(status), {s for s, _ in answers[code]})
                    self.assertIn(detail["message"], {m for _, m in answers[code]})
                seen.add(code)
        self.assertEqual(seen, set(self.errors()), "every code has an example")

    def test_every_error_status_pair_is_a_documented_response(self):
        statuses = {}
        for where, status, response in every_response(self.doc):
            for value in examples_of(response).values():
                if isinstance(value, dict) and "detail" in value:
                    statuses.setdefault(value["detail"]["error"], set()).add(int(status))
        for code, (status, _message, _headers) in self.errors().items():
            with self.subTest(code=code):
                self.assertIn(status, statuses.get(code, set()))

    def test_error_headers_are_documented_where_the_code_answers(self):
        for where, status, response in every_response(self.doc):
            headers = response.get("headers") or {}
            for value in examples_of(response).values():
                if not (isinstance(value, dict) and "detail" in value):
                    continue
                code = value["detail"]["error"]
                _status, _message, sent = self.errors()[code]
                with self.subTest(where=where, status=status, code=code):
                    self.assertIn("X-Request-Id", headers)
                    self.assertEqual(openapi_check.resolve(headers["Cache-Control"])["schema"]
                                     ["const"], self.api["errors"]["NOT_FOUND"]["headers"]
                                     ["Cache-Control"])
                    for name in sent:
                        self.assertIn(name, headers, f"{code} sends {name}")

    def test_allow_and_the_preflight_s_methods_are_the_code_s(self):
        h = self.doc["components"]["headers"]
        self.assertEqual(h["Allow"]["schema"]["const"], self.api["allow"])
        self.assertEqual(h["Access-Control-Allow-Methods"]["schema"]["const"], self.api["allow"])

    def test_the_providers_are_the_registry_s(self):
        self.assertEqual(set(self.schema("ProviderName")["enum"]),
                         set(self.api["providers"].values()))

    def test_the_docs_pages_policies_are_documented(self):
        self.assertIn("Content-Security-Policy", self.doc["components"]["headers"])
        for csp in (self.render.SWAGGER_UI_CSP, self.render.REDOC_CSP):
            self.assertIn("default-src 'none'", csp)


class TestDescribesApiMd(unittest.TestCase):
    def test_every_route_of_api_md_is_a_path(self):
        with open(os.path.join(ROOT, "docs", "api.md"), encoding="utf-8") as f:
            text = f.read()
        table = text.split("## Routes", 1)[1].split("\n\n", 2)[2]
        routes = re.findall(r"^\| `(/[^`]*)` \|", table, re.M)
        self.assertGreaterEqual(len(routes), 7, routes)
        paths = openapi_check.document()["paths"]
        for route in routes:
            with self.subTest(route=route):
                self.assertIn(route, paths)

    def test_every_path_routes_to_itself(self):
        for path in openapi_check.document()["paths"]:
            with self.subTest(path=path):
                self.assertEqual(openapi_check.route(path.replace("{query}", "the%20boys")), path)
        self.assertEqual(openapi_check.route("/resolve/health"), "/resolve/{query}")
        self.assertEqual(openapi_check.route("/resolve/search"), "/resolve/{query}")
        self.assertIsNone(openapi_check.route("/resolve/a/b"))
        self.assertIsNone(openapi_check.route("/health/"))


if __name__ == "__main__":
    unittest.main()
