"""Every answer the tests receive, checked against docs/openapi.yaml.

check(method, target, status, headers, body, tls=True) finds the route of the
raw request target (the app's routing: a {query} is one path segment, literal
paths first), the operation of the method (HEAD is GET's) and the response of
the status, then checks the answer against it:

- the status is documented for that route and method;
- a body is there exactly when the response has content, its Content-Type is
  one the response lists, and a JSON body is valid against the response's
  schema (JSON Schema 2020-12, the dialect of OpenAPI 3.1);
- a documented header that is present matches its schema; a header the
  document says is required is present.

A path no route matches, a method other than GET, HEAD and OPTIONS, and the
plain-HTTP port use the document's x-lume-other-paths, x-lume-other-methods
and x-lume-plain-http. Anything the document does not describe is an
AssertionError: that is what keeps the document and the code in step. The
HTTP helpers (nginx_harness, http1, harness.Master) call check() on every
answer; LUME_OPENAPI_CHECK=0 turns it off for a run that needs no contract
(a load run).
"""
import json
import os
import re
import sys
import threading

# Debian's python3-yaml and python3-jsonschema (scripts/deps.sh), also for a
# python3 found first in PATH (pyenv) that lacks them; tests/runner.py does the same.
_DEBIAN = f"/usr/lib/python{sys.version_info[0]}/dist-packages"
if os.path.isdir(_DEBIAN) and _DEBIAN not in sys.path:
    sys.path.append(_DEBIAN)

import jsonschema  # noqa: E402
import yaml  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOCUMENT = os.path.join(ROOT, "docs", "openapi.yaml")
METHODS = ("get", "head", "options")

_lock = threading.Lock()
_state = {}


def enabled():
    return os.environ.get("LUME_OPENAPI_CHECK", "1") != "0"


def document():
    """docs/openapi.yaml as loaded, read once per process."""
    with _lock:
        if "doc" not in _state:
            with open(DOCUMENT, encoding="utf-8") as f:
                _state["doc"] = yaml.safe_load(f)
            _state["validators"] = {}
        return _state["doc"]


def resolve(obj):
    """obj with its top-level $ref followed (local references only)."""
    doc = document()
    while isinstance(obj, dict) and "$ref" in obj:
        ref = obj["$ref"]
        if not ref.startswith("#/"):
            raise AssertionError(f"openapi: only local references are supported: {ref}")
        obj = doc
        for part in ref[2:].split("/"):
            obj = obj[part.replace("~1", "/").replace("~0", "~")]
    return obj


# The document's URI for JSON Schema: its "#/components/..." references
# resolve there, whichever part of it is validated against.
BASE = "urn:lume:openapi"


def _based(schema):
    """schema with its local references made absolute (BASE#/...), so that
    they resolve in the document, not in schema itself."""
    if isinstance(schema, dict):
        return {k: (BASE + v if k == "$ref" and isinstance(v, str) and v.startswith("#")
                    else _based(v)) for k, v in schema.items()}
    if isinstance(schema, list):
        return [_based(v) for v in schema]
    return schema


def _new_validator(schema, doc):
    schema = _based(schema)
    try:  # jsonschema 4.18 and later: the referencing library
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT202012
    except ImportError:  # Debian 12's jsonschema 4.10
        resolver = jsonschema.RefResolver(BASE, doc, store={BASE: doc})
        return jsonschema.Draft202012Validator(schema, resolver=resolver)
    registry = Registry().with_resource(
        BASE, Resource.from_contents(doc, default_specification=DRAFT202012))
    return jsonschema.Draft202012Validator(schema, registry=registry)


def validator(schema):
    """A Draft 2020-12 validator of schema whose $refs resolve in the document."""
    doc = document()
    key = json.dumps(schema, sort_keys=True)
    with _lock:
        v = _state["validators"].get(key)
        if v is None:
            v = _state["validators"][key] = _new_validator(schema, doc)
        return v


def _template_regex(template):
    parts = re.split(r"(\{[^}]+\})", template)
    return re.compile("^" + "".join("[^/]*" if p.startswith("{") else re.escape(p)
                                    for p in parts) + "$")


def route(path):
    """The documented path template the raw path belongs to, or None. Literal
    paths first (/resolve/health/provider is not the query 'health/provider')."""
    paths = document()["paths"]
    if path in paths:
        return path
    for template in paths:
        if "{" in template and _template_regex(template).match(path):
            return template
    return None


def responses_for(method, target, tls=True):
    """(where, {status: response}) the document gives for this request."""
    doc = document()
    if not tls:
        return "x-lume-plain-http", doc["x-lume-plain-http"]["responses"]
    path = target.split("?", 1)[0]
    template = route(path) if path.startswith("/") else None
    if template is None:
        return "x-lume-other-paths", doc["x-lume-other-paths"]["responses"]
    m = method.lower()
    if m == "head":
        m = "get"
    if m not in METHODS:
        return "x-lume-other-methods", doc["x-lume-other-methods"]["responses"]
    item = doc["paths"][template]
    if m not in item:
        raise AssertionError(f"openapi: {template} documents no {method.upper()}")
    return f"{method.upper()} {template}", item[m]["responses"]


def _media_type(value):
    return value.split(";", 1)[0].strip().lower()


def check(method, target, status, headers, body, tls=True):
    """Raise AssertionError when this answer is not what the document says.
    headers: a dict of lower-case names (or a list of (name, value) pairs)."""
    if not enabled():
        return
    if isinstance(method, bytes):
        method = method.decode("latin-1")
    if isinstance(target, bytes):
        target = target.decode("latin-1")
    if isinstance(headers, list):
        h = {}
        for name, value in headers:
            h.setdefault(name.lower(), value)
        headers = h
    where, responses = responses_for(method, target, tls)
    what = f"{method} {target[:200]!r} -> {status} ({where})"
    response = responses.get(str(status))
    if response is None:
        raise AssertionError(f"openapi: status {status} is not documented for {what}; "
                             f"documented: {sorted(responses)}; body: {body[:300]!r}")
    response = resolve(response)
    for name, spec in (response.get("headers") or {}).items():
        spec = resolve(spec)
        value = headers.get(name.lower())
        if value is None:
            if spec.get("required"):
                raise AssertionError(f"openapi: {what}: header {name} is required and missing")
            continue
        errors = list(validator(spec.get("schema", {})).iter_errors(value))
        if errors:
            raise AssertionError(f"openapi: {what}: header {name}: {value!r}: {errors[0].message}")
    content = response.get("content") or {}
    head = method.upper() == "HEAD"
    if not content:
        if body:
            raise AssertionError(f"openapi: {what} documents no body, got {body[:300]!r}")
        return
    if head:
        return
    ctype = headers.get("content-type", "")
    media = next((k for k in content if _media_type(k) == _media_type(ctype)), None)
    if media is None:
        raise AssertionError(f"openapi: {what}: Content-Type {ctype!r} is not one of "
                             f"{sorted(content)}")
    schema = content[media].get("schema")
    if _media_type(media) != "application/json":
        return
    try:
        value = json.loads(body)
    except ValueError as e:
        raise AssertionError(f"openapi: {what}: the body is not JSON ({e}): {body[:300]!r}")
    if schema is None:
        raise AssertionError(f"openapi: {what}: no schema for the JSON body")
    error = jsonschema.exceptions.best_match(validator(schema).iter_errors(value))
    if error is not None:
        raise AssertionError(f"openapi: {what}: the body does not match its schema: "
                             f"{error.message} at {list(error.absolute_path)}: {body[:500]!r}")
