"""tests/lib/openapi_check.py, the check every HTTP helper of the tests runs on
every answer: what it accepts and what it refuses (an answer the document does
not describe fails the test that received it)."""
import json
import unittest

import openapi_check
from openapi_check import check

JSON = {"content-type": "application/json", "x-request-id": "0123abcd"}
LINK = {"title": "The Boys S04E01 1080p WEB-DL", "url": "https://mock-cdn.example.com/x.mkv",
        "size": None, "seeds": 1500, "quality": "1080p"}


def envelope(code, **fields):
    return json.dumps({"detail": {"error": code, "message": "m", **fields,
                                  "request_id": "0123abcd"}}).encode()


class TestAccepts(unittest.TestCase):
    def test_a_link_from_resolve(self):
        check("GET", "/resolve/the%20boys?season=4&episode=1", 200, JSON,
              json.dumps(LINK).encode())

    def test_an_app_error_with_the_resolve_fields(self):
        check("GET", "/resolve/x?season=0", 400, JSON,
              envelope("INVALID_SEASON", query="x", season=None, episode=None))

    def test_nginx_s_bad_request_anywhere(self):
        check("GET", "/resolve/%zz", 400, JSON, envelope("BAD_REQUEST"))
        check("GET", "/nowhere", 400, JSON, envelope("BAD_REQUEST"))

    def test_an_unknown_path_and_another_method(self):
        check("GET", "/resolve/a/b", 404, JSON, envelope("NOT_FOUND"))
        check("DELETE", "/health", 405, dict(JSON, allow="GET, HEAD, OPTIONS"),
              envelope("METHOD_NOT_ALLOWED"))

    def test_head_has_get_s_statuses_and_no_body(self):
        check("HEAD", "/resolve/search/x", 200, JSON, b"")

    def test_plain_http_redirects(self):
        check("GET", "/health", 301, {"content-type": "application/json", "x-request-id": "a",
                                      "location": "https://localhost/health"},
              b'{"message":"this service is served over HTTPS; follow the Location header"}',
              tls=False)


class TestRefuses(unittest.TestCase):
    def refused(self, *args, **kw):
        with self.assertRaises(AssertionError) as e:
            check(*args, **kw)
        self.assertIn("openapi:", str(e.exception))

    def test_a_status_the_route_does_not_document(self):
        self.refused("GET", "/health", 404, JSON, envelope("NOT_FOUND"))
        self.refused("GET", "/resolve/search/x", 404, JSON, envelope("NOT_FOUND"))

    def test_a_body_off_its_schema(self):
        self.refused("GET", "/resolve/x", 200, JSON, json.dumps(dict(LINK, extra=1)).encode())
        self.refused("GET", "/resolve/x", 200, JSON, json.dumps(dict(LINK, quality="8K")).encode())
        self.refused("GET", "/resolve/x", 200, JSON, b"not json")

    def test_a_code_under_the_wrong_status(self):
        self.refused("GET", "/resolve/x", 503, JSON,
                     envelope("PROVIDER_TIMEOUT", provider="MockProvider"))

    def test_a_missing_required_header_or_a_wrong_one(self):
        self.refused("GET", "/health", 200, {"content-type": "application/json"},
                     b'{"status":"healthy"}')
        self.refused("GET", "/health", 200, dict(JSON, **{"cache-control": "max-age=60"}),
                     b'{"status":"healthy"}')

    def test_an_undocumented_content_type(self):
        self.refused("GET", "/health", 200, dict(JSON, **{"content-type": "text/html"}),
                     b'{"status":"healthy"}')

    def test_a_body_where_none_is_documented(self):
        self.refused("OPTIONS", "/health", 204, JSON, b"{}")


class TestRouting(unittest.TestCase):
    def test_the_app_s_routing_on_the_raw_path(self):
        self.assertEqual(openapi_check.route("/resolve/health/provider"),
                         "/resolve/health/provider")
        self.assertEqual(openapi_check.route("/resolve/AC%2FDC"), "/resolve/{query}")
        self.assertEqual(openapi_check.route("/resolve/"), "/resolve/{query}")
        self.assertEqual(openapi_check.route("/resolve/search/"), "/resolve/search/{query}")


if __name__ == "__main__":
    unittest.main()
