#!/usr/bin/env python3
"""Render Lume's nginx configuration from LUME_* variables.

usage: nginx/render.py [--output FILE] [--check] [--prune-cache] | --get NAME | --app NAME
                       | --worker-group

Checks the LUME_* settings of the environment (and the NAME=value lines of
$LUME_CONFIG, which the environment overrides) and derives what nginx needs
from them (derive). Then it installs the configuration next to FILE
(default RUN_DIR/nginx.conf) and prints FILE's path; --check runs `nginx -t`
on it first. Every variable and its default is in docs/configuration.md.
Python stdlib only.

The configuration is plain nginx; three kinds of files:
- FILE: nginx/lume.conf, and snippets/: nginx/snippets/*.conf. Every
  directive that is always there is written in them. render.py replaces each
  ${NAME} in them with a value (SUBSTITUTED), as the official nginx image's
  envsubst step does, and nothing else.
- generated/*.conf, written here (GENERATED): what a setting switches on or
  off, or what comes as a list. Each is the lines a setting gives (or the
  include of the snippet it switches on), or a comment that says why there
  are none.
- conf.d/http/*.conf and conf.d/server/*.conf: the operator's own, included
  by lume.conf, never written here (docs/operations.md).

What nginx shares with the app comes from the app itself, lume-fcgi ($BUILD's,
else the one on PATH, as in the nginx image): `--dump-contract` gives what
nginx's own errors share with the app's (codes, statuses, messages, headers),
the Allow list and the providers' names; `--dump-config` gives the app's
resolved settings nginx needs too (SHARED: its defaults are the app's), the
LUME_CONFIG file's lines (lume-fcgi is their one reader) and the response
cache's generation.
"""
import argparse
import ast
import os
import pwd
import grp
import re
import socket
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CONF = os.path.join(HERE, "lume.conf")
SNIPPETS = os.path.join(HERE, "snippets")

# The defaults of nginx's own settings. The settings nginx shares with the app
# (LUME_LISTEN, LUME_HEALTH_LISTEN, LUME_REQUEST_TIMEOUT_MS, LUME_PROVIDER, the
# LUME_CACHE_* ages) are the app's, as `lume-fcgi --dump-config` resolves
# them: no copy of a C default here, and no second reader of LUME_CONFIG.
DEFAULTS = {
    "LUME_HTTPS_PORT": "8443",
    "LUME_HTTP_PORT": "8080",
    "LUME_PUBLIC_HOST": "localhost",  # the host (and port) of the HTTPS URL clients use
    "LUME_BIND": "",
    "LUME_TLS_CERT": "",  # default: RUN_DIR/tls/cert.pem
    "LUME_TLS_KEY": "",   # default: RUN_DIR/tls/key.pem
    "LUME_CORS_ORIGINS": "http://localhost,http://10.0.2.2",
    "LUME_CORS_MAX_AGE": "600",
    # Who may read /metrics and /status: loopback and the private networks.
    "LUME_METRICS_ALLOW": "127.0.0.0/8,::1,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7",
    "LUME_RATE_LIMIT": "10",
    "LUME_RATE_BURST": "20",
    "LUME_CONN_LIMIT": "100",
    "LUME_CONN_PER_ADDR_MAX": "256",  # 0/off: no stream layer in front
    "LUME_RESOLVER": "",  # DNS servers that re-resolve LUME_LISTEN's host; "": once, at start
    "LUME_RUN_DIR": os.path.join(ROOT, "run"),
    "LUME_HSTS_MAX_AGE": "31536000",
    "LUME_NGINX": "nginx",
    "LUME_NGINX_USER": "",  # default: the user running this script (root only)
    "LUME_NGINX_WORKERS": "auto",
    "LUME_NGINX_CONNECTIONS": "8192",
    "LUME_NGINX_ACCESS_LOG": "",  # default: RUN_DIR/logs/access.log; "off" disables
    # The edge metrics: nginx's answers counted by mtail (nginx/edge.py), served
    # at /metrics/edge; its log (RUN_DIR/logs/edge.log) kept under LUME_EDGE_LOG_MAX.
    "LUME_EDGE_METRICS": "on",
    "LUME_EDGE_LOG_MAX": "8m",
    "LUME_NGINX_ERROR_LOG": "",   # default: RUN_DIR/logs/error.log
    "LUME_DOCS_DIR": os.path.join(ROOT, "build", "docs-site"),  # make docs
    # The response cache of /resolve routes: its largest size on disk (0: no
    # cache) and its directory; entries live as long as the app's answers may
    # be served stale (its three LUME_CACHE_* seconds, the app's).
    "LUME_CACHE_SIZE": "256m",
    "LUME_CACHE_PATH": "",  # default: RUN_DIR/cache
}

# The two documentation pages' Content-Security-Policies: nothing but what
# each page needs, all from this origin (no inline script: each page's
# script is a file); base-uri, form-action and frame-ancestors, which
# default-src does not cover, are shut too (the pages set no <base>, submit
# no form, and are framed nowhere). tests/docs/test_docs_page.py loads each
# page under its policy in Chromium: no violation; each source here is one
# it needs.
#
# /docs, Swagger UI, and its files (and /openapi.json and /openapi.yaml, which
# are no page: they get the narrower of the two): its scripts and stylesheet
# are files from here (script-src, style-src 'self'; the styles it sets on
# elements go through the DOM, which style-src leaves alone: no
# 'unsafe-inline'), its icons are data: images (img-src; not 'self': it
# shows no image file), and it fetches /openapi.json and sends "Try it out"
# requests to this origin (connect-src 'self').
SWAGGER_UI_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; "
                  "img-src data:; connect-src 'self'; "
                  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
# /redoc, Redoc (and its script): its styles are injected <style> elements
# (styled-components: 'unsafe-inline', without which it does not render),
# its search runs in a worker made from a blob: URL, its icons are data:
# images (not 'self': with its logo removed it shows no image file), and it
# fetches /openapi.json.
REDOC_CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
             "img-src data:; connect-src 'self'; worker-src blob:; "
             "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")

# Characters allowed in anything pasted into the configuration: no blanks,
# quotes, semicolons, braces or '$', so no value can change its structure.
SAFE = re.compile(r"^[A-Za-z0-9_./:@+%=,\[\]-]+$")


class RenderError(Exception):
    pass


# The app's settings nginx needs too; their values are the app's, resolved.
SHARED = ("LUME_LISTEN", "LUME_HEALTH_LISTEN", "LUME_REQUEST_TIMEOUT_MS", "LUME_PROVIDER",
          "LUME_CACHE_MAX_AGE", "LUME_CACHE_STALE_WHILE_REVALIDATE", "LUME_CACHE_STALE_IF_ERROR",
          "LUME_FCGI_KEEP_CONNS", "LUME_LIBRARY_DIRS", "LUME_LIBRARY_SECRET_FILE")
# A library secret: what lume-fcgi accepts (16..127 of these), never shown by it.
SECRET = re.compile(r"[A-Za-z0-9_-]{16,127}")


def given(environ):
    """The LUME_* values the user set: the LUME_CONFIG file's lines (as lume-fcgi
    reads them), then the environment."""
    values = dict(app_config(environ)["file"]) if environ.get("LUME_CONFIG") else {}
    values.update({k: v for k, v in environ.items() if k.startswith("LUME_")})
    return values


def settings(environ):
    """Every value render.py reads: nginx's defaults, the app's resolved values
    of the shared settings, then what the user set."""
    app = app_config(environ)["settings"]
    return {**DEFAULTS, **{k: app[k] for k in SHARED}, **given(environ)}


def integer(conf, name, lo, hi):
    value = conf[name]
    if not re.fullmatch(r"[0-9]+", value) or not lo <= int(value) <= hi:
        raise RenderError(f"invalid {name}={value}: expected an integer from {lo} to {hi}")
    return int(value)


def safe(conf, name, value=None):
    value = conf[name] if value is None else value
    if not SAFE.match(value):
        raise RenderError(f"invalid {name}={value}: unexpected characters")
    return value


# A DNS name (labels of letters, digits, inner hyphens), an IPv4 address or a
# bracketed IPv6 literal; then an optional :port.
PUBLIC_HOST = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                         r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
                         r"|\[[0-9A-Fa-f:.]{2,45}\])(?::([0-9]{1,5}))?")


def public_authority(value, https_port):
    """host[:port] for the redirect's Location: LUME_PUBLIC_HOST as given when
    it names a port, else with LUME_HTTPS_PORT appended unless that is 443."""
    m = PUBLIC_HOST.fullmatch(value)
    if not m or len(value) > 261 or (m.group(1) and not 1 <= int(m.group(1)) <= 65535):
        raise RenderError(f"invalid LUME_PUBLIC_HOST={value}: expected a host name or address, "
                          "optionally with :port, e.g. api.example.com or localhost:8443")
    if m.group(1) or https_port == 443:
        return value
    return f"{value}:{https_port}"


def file_limit():
    """The hard limit on open files nginx will inherit from here (None: no limit).
    worker_rlimit_nofile cannot go beyond it without privileges a container rarely has.
    Read from /proc (the nginx image's minimal Python has no `resource` module)."""
    try:
        with open("/proc/self/limits") as f:
            for line in f:
                if line.startswith("Max open files"):
                    hard = line.split()[4]
                    return None if hard == "unlimited" else int(hard)
    except (OSError, ValueError, IndexError):
        pass
    return None


def connection_sizing(wanted, hard):
    """(worker_connections, worker_rlimit_nofile). Every connection, to a
    client or to a worker, is one file; twice as many files leaves room for
    logs and temporary files. Capped by the hard limit, connections included."""
    nofile = 2 * wanted
    if hard is not None and nofile > hard:
        nofile = hard
    return max(64, min(wanted, nofile - 64)), nofile


def worker_user(conf):
    """(user, group) nginx's workers run as when nginx starts as root; None otherwise
    (then they keep the user running it)."""
    if os.geteuid() != 0:
        return None
    # Workers of a root master drop to this user; it must reach the unix
    # socket and the run directory. Default: the user running this script.
    name = conf["LUME_NGINX_USER"] or pwd.getpwuid(os.getuid()).pw_name
    try:
        pw = pwd.getpwnam(name)
    except KeyError:
        raise RenderError(f"invalid LUME_NGINX_USER={name}: no such user")
    return safe(conf, "LUME_NGINX_USER", name), grp.getgrgid(pw.pw_gid).gr_name


def nginx_version(binary):
    try:
        out = subprocess.run([binary, "-v"], capture_output=True, text=True, timeout=10)
    except OSError as e:
        raise RenderError(f"cannot run {binary} -v: {e.strerror} (is nginx installed?)")
    m = re.search(r"nginx/(\d+)\.(\d+)\.(\d+)", out.stderr + out.stdout)
    if not m:
        raise RenderError(f"cannot parse the version of {binary}: {out.stderr.strip()}")
    return tuple(int(x) for x in m.groups())


# --- The per-address cap (LUME_CONN_PER_ADDR_MAX): nginx's stream module in
# front of the http servers. It counts an address's connections from accept
# on (the http module's limit_conn only sees requests whose header arrived),
# passes the bytes through to the http servers on unix sockets with the PROXY
# protocol, and the http servers take the client's address from it.

def per_address_cap(conf):
    """LUME_CONN_PER_ADDR_MAX as a number; 0 when off."""
    value = conf["LUME_CONN_PER_ADDR_MAX"]
    if value in ("0", "off"):
        return 0
    if not re.fullmatch(r"[0-9]{1,5}", value) or not 1 <= int(value) <= 65535:
        raise RenderError(f"invalid LUME_CONN_PER_ADDR_MAX={value}: expected off, 0 or an "
                          "integer from 1 to 65535")
    return int(value)


def stream_module(binary, cap):
    """The path of nginx's stream module to load ('' when it is built in)."""
    try:
        out = subprocess.run([binary, "-V"], capture_output=True, text=True, timeout=10)
    except OSError as e:
        raise RenderError(f"cannot run {binary} -V: {e.strerror} (is nginx installed?)")
    args = (out.stderr + out.stdout).split()
    if "--with-stream" in args:
        return ""
    opt = dict(a[2:].split("=", 1) for a in args if a.startswith("--") and "=" in a)
    prefix = opt.get("prefix", "/usr/local/nginx")
    path = os.path.join(prefix, opt.get("modules-path", "modules"), "ngx_stream_module.so")
    if not os.path.isfile(path):
        raise RenderError(f"LUME_CONN_PER_ADDR_MAX={cap} needs nginx's stream module and "
                          f"{path} is missing: install it (Debian: apt-get install "
                          "libnginx-mod-stream, or make deps) or set LUME_CONN_PER_ADDR_MAX=off")
    if not SAFE.match(path):
        raise RenderError(f"the stream module's path {path} has unexpected characters")
    return path


def stream_sockets(run_dir):
    """The directory of the unix sockets between the stream and http layers
    and the socket of each ('https', 'http'). Only nginx's worker user may
    enter it: whoever can connect there can claim any client address."""
    d = os.path.join(run_dir, "stream")
    socks = {name: os.path.join(d, f"{name}.sock") for name in ("https", "http")}
    if len(socks["https"].encode()) > 107:
        raise RenderError(f"invalid LUME_RUN_DIR={run_dir}: too long for a unix socket path "
                          f"({socks['https']}) with LUME_CONN_PER_ADDR_MAX on")
    return d, socks


def prepare_stream_dir(conf, run_dir):
    """Create the sockets' directory, 0700 for nginx's workers (they connect;
    the master binds), and remove a socket left by an nginx that was killed
    (nobody accepts on it): nginx would fail to bind it. A live one stays."""
    if not per_address_cap(conf):
        return
    d, socks = stream_sockets(run_dir)
    os.makedirs(d, mode=0o700, exist_ok=True)
    os.chmod(d, 0o700)
    workers_as = worker_user(conf)
    if workers_as:
        os.chown(d, pwd.getpwnam(workers_as[0]).pw_uid, -1)
    for path in socks.values():
        if not os.path.exists(path):
            continue
        with socket.socket(socket.AF_UNIX) as s:
            try:
                s.connect(path)
            except ConnectionRefusedError:
                os.unlink(path)
            except OSError:
                pass


def listen_addresses(bind, port):
    """[(address, options)] of one server: LUME_BIND, or every IPv4 address and,
    when the machine has IPv6, every IPv6 address."""
    if bind:
        address = f"[{bind}]:{port}" if ":" in bind and not bind.startswith("[") else f"{bind}:{port}"
        return [(address, "")]
    out = [(str(port), "")]
    try:
        with open("/proc/net/if_inet6") as f:
            if f.read().strip():
                out.append((f"[::]:{port}", " ipv6only=on"))
    except OSError:
        pass
    return out


def edge_log_max(conf):
    """LUME_EDGE_LOG_MAX in bytes: the room the edge log may take on disk."""
    size = conf["LUME_EDGE_LOG_MAX"]
    m = re.fullmatch(r"([0-9]{1,9})([kKmMgG]?)", size)
    if not m or int(m.group(1)) * 1024 ** " kmg".index(m.group(2).lower() or " ") < 65536:
        raise RenderError(f"invalid LUME_EDGE_LOG_MAX={size}: expected bytes with an optional "
                          "k, m or g suffix, at least 64k (8m)")
    return int(m.group(1)) * 1024 ** " kmg".index(m.group(2).lower() or " ")


def edge_values(conf, run_dir):
    """(on, the edge log nginx writes, the unix socket of mtail's HTTP server):
    LUME_EDGE_METRICS; nginx/edge.py reads both files there."""
    value = conf["LUME_EDGE_METRICS"]
    if value not in ("on", "off"):
        raise RenderError(f"invalid LUME_EDGE_METRICS={value}: expected on or off")
    edge_log_max(conf)
    sock = os.path.join(run_dir, "edge.sock")
    if value == "on" and len(sock.encode()) > 107:
        raise RenderError(f"invalid LUME_RUN_DIR={run_dir}: too long for a unix socket path "
                          f"({sock}) with LUME_EDGE_METRICS on")
    return value == "on", os.path.join(run_dir, "logs", "edge.log"), sock


def cors_origins(origins):
    """[(regular expression, origin)] of LUME_CORS_ORIGINS."""
    out = []
    for origin in [o.strip() for o in origins.split(",") if o.strip()]:
        if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?", origin):
            raise RenderError(f"invalid LUME_CORS_ORIGINS entry {origin!r}: expected "
                              "scheme://host[:port], no path, no wildcard")
        out.append((re.escape(origin), origin))
    return out


def metrics_allow(value):
    """LUME_METRICS_ALLOW: addresses or CIDR blocks, IPv4 or IPv6; "" lets nobody in."""
    out = []
    for entry in [e.strip() for e in value.split(",") if e.strip()]:
        address, _, bits = entry.partition("/")
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        try:
            socket.inet_pton(family, address)
            ok = bits == "" or (bits.isdigit() and int(bits) <= (128 if ":" in address else 32))
        except OSError:
            ok = False
        if not ok:
            raise RenderError(f"invalid LUME_METRICS_ALLOW entry {entry!r}: expected an IPv4 "
                              "or IPv6 address or CIDR block (10.0.0.0/8, ::1)")
        out.append(entry)
    return out


def built_app():
    """The lume-fcgi of this tree ($BUILD/lume-fcgi), or None."""
    binary = os.path.join(ROOT, os.environ.get("BUILD") or "build", "lume-fcgi")
    return binary if os.path.exists(binary) else None


def app_binary(environ):
    """lume-fcgi: this tree's ($BUILD), else the one on PATH (the nginx image)."""
    binary = built_app() or on_path("lume-fcgi", environ.get("PATH", ""))
    if not binary:
        raise RenderError("no lume-fcgi (run make, or put it on PATH): the app's errors and the "
                          "settings nginx shares with it come from lume-fcgi --dump-contract "
                          "and --dump-config")
    return binary


def contract():
    """The app's `lume-fcgi --dump-contract` (docs/api.md is what it means)."""
    binary = app_binary(os.environ)
    try:
        # An empty environment: the user's LUME_* settings are not its business here.
        out = subprocess.run([binary, "--dump-contract"], capture_output=True, text=True,
                             timeout=30, env={})
    except (OSError, subprocess.TimeoutExpired) as e:
        raise RenderError(f"cannot run {binary} --dump-contract: {e}")
    if out.returncode != 0:
        raise RenderError(f"{binary} --dump-contract failed: {out.stderr.strip()}")
    text, source = out.stdout, f"{binary} --dump-contract"
    try:
        doc = json_value(text)
        checked(doc["allow"], ALLOW_TEXT)
        for code, e in doc["errors"].items():
            checked(code, CODE_TEXT)
            checked(e["message"], MESSAGE_TEXT)
            int(e["status"])
            for name, value in e["headers"].items():
                checked(name, HEADER_NAME)
                checked(value, HEADER_VALUE)
        for name, reported in doc["providers"].items():
            checked(name, PROVIDER_TEXT)
            checked(reported, PROVIDER_TEXT)
    except (ValueError, KeyError, TypeError, AttributeError, SyntaxError, MemoryError,
            RecursionError) as e:
        raise RenderError(f"{source}: not the contract render.py expects ({e})")
    return doc


JSON_TOKEN = re.compile(r'"(?:\\.|[^"\\])*"|\b(?:true|false|null)\b')


def json_value(text):
    """JSON text as Python values, without the json module: the nginx image's
    python3-minimal has none (ast it has). JSON's strings, numbers, arrays and
    objects are Python literals already; only true, false and null, outside
    strings, need a Python spelling. Values are checked after."""
    words = {"true": "True", "false": "False", "null": "None"}
    return ast.literal_eval(JSON_TOKEN.sub(lambda m: words.get(m.group(0), m.group(0)), text))


# What may be pasted from the contract into the configuration: nothing that
# could end a quoted string or name an nginx variable.
ALLOW_TEXT = re.compile(r"[A-Z]+(, [A-Z]+)*")
CODE_TEXT = re.compile(r"[A-Z][A-Z_]*")
MESSAGE_TEXT = re.compile(r"[A-Za-z0-9 ,;.:()-]+")
HEADER_NAME = re.compile(r"[A-Za-z][A-Za-z-]*")
HEADER_VALUE = re.compile(r"[A-Za-z0-9 ,.=-]+")
PROVIDER_TEXT = re.compile(r"[A-Za-z0-9_-]{1,31}")


def on_path(name, path):
    """The first executable called name in the directories of path, or None
    (shutil.which, which the nginx image's python3-minimal lacks)."""
    for d in path.split(os.pathsep):
        candidate = os.path.join(d, name)
        if d and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def remove_tree(path):
    """rm -rf path, as far as it can (shutil.rmtree, likewise)."""
    for parent, dirs, files in os.walk(path, topdown=False):
        for name in files:
            try:
                os.unlink(os.path.join(parent, name))
            except OSError:
                pass
        for name in dirs:
            try:
                os.rmdir(os.path.join(parent, name))
            except OSError:
                pass
    try:
        os.rmdir(path)
    except OSError:
        pass


_app_configs = {}


def app_config(environ):
    """The app's `lume-fcgi --dump-config` for the LUME_* settings of environ
    (and its LUME_CONFIG file): what the app will run with, as it resolves it,
    the file's lines, and the response cache's generation. lume-fcgi is this
    tree's ($BUILD) or the one on PATH (the nginx image)."""
    env = {k: v for k, v in environ.items() if k.startswith("LUME_")}
    key = tuple(sorted(env.items()))
    if key not in _app_configs:
        _app_configs[key] = dump_config(environ, env)
    return _app_configs[key]


def dump_config(environ, env):
    binary = app_binary(environ)
    try:
        out = subprocess.run([binary, "--dump-config"], capture_output=True, text=True,
                             timeout=30, env=env)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise RenderError(f"cannot run {binary} --dump-config: {e}")
    if out.returncode != 0:
        raise RenderError(out.stderr.strip().replace("lume-fcgi: ", "", 1) or
                          f"{binary} --dump-config failed")
    try:
        doc = json_value(out.stdout)
        checked(doc["cache_generation"], GENERATION_TEXT)
        for part in ("settings", "file"):
            for name, value in doc[part].items():
                checked(name, SETTING_NAME)
                if not isinstance(value, str):
                    raise ValueError(f"{name} is not text")
        for name in SHARED:  # derive() checks each value as it uses it
            doc["settings"][name]
    except (ValueError, KeyError, TypeError, SyntaxError, MemoryError, RecursionError) as e:
        raise RenderError(f"{binary} --dump-config: not what render.py expects ({e})")
    return doc


GENERATION_TEXT = re.compile(r"[0-9a-f]{16}")
SETTING_NAME = re.compile(r"LUME_[A-Z0-9_]+")


def checked(value, pattern):
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise ValueError(f"unexpected value {value!r}")
    return value


# Every error nginx answers itself: (statuses error_page catches, code, and,
# for the codes only nginx sends, the status sent, the message and the extra
# headers). A code the app sends too is answered as the app answers it: its
# status, message and headers come from the contract, so the two never differ
# (tests/e2e/test_render.py checks it).
ERRORS = [
    ("400 495 496 497", "BAD_REQUEST", 400, "the request is malformed", {}),
    ("401 403", "FORBIDDEN", 403, "forbidden", {}),
    ("404", "NOT_FOUND"),
    ("405", "METHOD_NOT_ALLOWED"),
    ("408", "REQUEST_TIMEOUT", 408, "the request was not received in time", {}),
    ("410", "LINK_EXPIRED", 410, "the link has expired", {}),
    ("411", "LENGTH_REQUIRED", 411, "a request body needs a length", {}),
    ("413", "REQUEST_TOO_LARGE", 413, "the request body is too large", {}),
    ("414", "REQUEST_TOO_LARGE", 414, "the request URI is too long", {}),
    ("494", "REQUEST_TOO_LARGE", 431, "the request headers are too large", {}),
    ("421", "MISDIRECTED_REQUEST", 421, "misdirected request", {}),
    ("429", "RATE_LIMITED", 429, "too many requests; retry later", {"Retry-After": "1"}),
    ("500", "INTERNAL_ERROR"),
    ("501", "NOT_IMPLEMENTED", 501, "not implemented", {}),
    ("502 503", "SERVICE_UNAVAILABLE"),
    ("504", "PROVIDER_TIMEOUT"),
    ("505", "HTTP_VERSION_NOT_SUPPORTED", 505, "HTTP version not supported", {}),
]


def app_error(api, code):
    if code not in api["errors"]:
        raise RenderError(f"the app's contract has no error {code}")
    return api["errors"][code]


def error_rows(api):
    """[(caught, status, code, message, headers, names the provider)] of ERRORS,
    the app's codes filled from the contract. Cache-Control is errors_conf's."""
    rows = []
    for row in ERRORS:
        caught, code = row[0], row[1]
        if len(row) > 2:
            rows.append((caught, row[2], code, row[3], row[4], False))
            continue
        e = app_error(api, code)
        headers = {n: v for n, v in e["headers"].items() if n != "Cache-Control"}
        rows.append((caught, int(e["status"]), code, e["message"], headers, e["provider"] is True))
    return rows


def error_pages(rows, provider):
    """[(caught, status, [(header, value)], body)]: the error_page lines and
    internal locations of generated/*-errors.conf. The 400's fields are
    $lume_error_400_fields (BAD_REQUEST, or INVALID_QUERY for a broken escape
    in a /resolve path)."""
    out = []
    for caught, status, code, message, headers, names_provider in rows:
        fields = f'"error":"{code}","message":"{message}"'
        if status == 400:
            fields = "$lume_error_400_fields"
        if names_provider:
            fields += f',"provider":"{provider}"'
        out.append((caught, status,
                    [(n, f'"{v}"' if " " in v else v) for n, v in headers.items()],
                    '{"detail":{' + fields + ',"request_id":"$request_id"}}'))
    return out


def media_values(conf, providers):
    """The library's folders nginx serves at /media/<n>/ (their order is their
    number in the links) and the secret the links are signed with, when the
    library provider is listed; else None. The secret is the app's: the
    variable LUME_LIBRARY_SECRET, or the first line of LUME_LIBRARY_SECRET_FILE."""
    if "library" not in providers.split(","):
        return None
    roots = [d for d in conf["LUME_LIBRARY_DIRS"].split(":") if d]
    for root in roots:
        if not os.path.isabs(root) or not SAFE.match(root):
            raise RenderError(f"invalid LUME_LIBRARY_DIRS: {root!r} is not an absolute path "
                              "nginx can hold (letters, digits and _./:@+%=,-)")
    secret = conf.get("LUME_LIBRARY_SECRET", "")
    if not secret and conf["LUME_LIBRARY_SECRET_FILE"]:
        try:
            with open(conf["LUME_LIBRARY_SECRET_FILE"], encoding="utf-8") as f:
                secret = f.readline().strip()
        except OSError as e:
            raise RenderError(f"invalid LUME_LIBRARY_SECRET_FILE: cannot be read ({e.strerror})")
    if not SECRET.fullmatch(secret):
        raise RenderError("the library provider needs LUME_LIBRARY_SECRET or "
                          "LUME_LIBRARY_SECRET_FILE: 16 to 127 characters of A-Za-z0-9_-")
    return {"roots": roots, "secret": secret}


def cache_values(conf, run_dir):
    """The response cache: None when LUME_CACHE_SIZE=0, or LUME_CACHE_MAX_AGE=0
    (nginx stores no answer with max-age=0, and a location with the cache on
    hides a client's If-None-Match from the worker, so a conditional request
    would get a 200 instead of a 304); else its path, size and inactive time:
    an entry nobody asked for in max-age plus the longer stale window is
    removed (at least a minute). The entries of one configuration of the app,
    its generation (lume-fcgi --dump-config), live in a directory and a zone
    of their own: nginx stores only answers that name it and never sees
    another generation's."""
    size = conf["LUME_CACHE_SIZE"]
    if not re.fullmatch(r"[0-9]{1,9}[kKmMgG]?", size):
        raise RenderError(f"invalid LUME_CACHE_SIZE={size}: expected bytes with an optional "
                          "k, m or g suffix (256m), or 0 for no cache")
    ages = [integer(conf, name, 0, 31536000) for name in
            ("LUME_CACHE_MAX_AGE", "LUME_CACHE_STALE_WHILE_REVALIDATE", "LUME_CACHE_STALE_IF_ERROR")]
    if int(re.sub(r"[kKmMgG]$", "", size)) == 0 or ages[0] == 0:
        return None
    path = os.path.abspath(conf["LUME_CACHE_PATH"] or os.path.join(run_dir, "cache"))
    safe(conf, "LUME_CACHE_PATH", path)
    return {"path": path, "size": size, "inactive": max(60, ages[0] + max(ages[1], ages[2]))}


def prune_cache(conf, run_dir, keep):
    """Remove the cache directories of every generation but keep (nginx is
    not running: make run and the nginx image call this before starting it)."""
    path = os.path.abspath(conf["LUME_CACHE_PATH"] or os.path.join(run_dir, "cache"))
    try:
        names = os.listdir(path)
    except OSError:
        return []
    gone = [n for n in names if GENERATION_TEXT.fullmatch(n) and n != keep]
    for name in gone:
        remove_tree(os.path.join(path, name))
    return gone


def upstream_values(conf, upstream):
    """How nginx reaches the workers: resolver ("" without LUME_RESOLVER: one
    static upstream, its name resolved once at start), fastcgi_pass, and
    keepalive (the upstream's keepalive pool: a quarter of what a worker of
    the app keeps, LUME_FCGI_KEEP_CONNS, idle per nginx worker, so that the
    idle connections of up to four nginx workers fit in one app worker's
    bound, which is then reached only when more are in flight at once; 0: one
    connection per request, as with LUME_RESOLVER, whose variable address has
    no upstream block)."""
    servers = [s.strip() for s in conf["LUME_RESOLVER"].split(",") if s.strip()]
    keep = integer(conf, "LUME_FCGI_KEEP_CONNS", 0, 1024)
    if not servers:
        return {"upstream": upstream, "resolver": "", "fastcgi_pass": "lume_workers",
                "keepalive": max(1, keep // 4) if keep else 0}
    if upstream.startswith("unix:"):
        raise RenderError("invalid LUME_RESOLVER: LUME_LISTEN must be HOST:PORT to re-resolve it")
    for server in servers:
        if not re.fullmatch(r"[A-Za-z0-9.:\[\]-]+", server):
            raise RenderError(f"invalid LUME_RESOLVER entry {server!r}: expected an address[:port]")
    return {"upstream": upstream, "resolver": " ".join(servers), "fastcgi_pass": "$lume_workers",
            "keepalive": 0}


def fastcgi_address(conf, name):
    """unix:/abs/path or HOST:PORT, as nginx's fastcgi_pass takes it, from the
    app-style listen address in conf[name]."""
    value = conf[name]
    if value.startswith("unix:"):
        path = value[5:]
        if not path:
            raise RenderError(f"invalid {name}={value}: expected unix:/path or HOST:PORT")
        return "unix:" + safe(conf, name, os.path.abspath(path))
    m = re.fullmatch(r"(.+):([0-9]{1,5})", value)
    if not m or not 1 <= int(m.group(2)) <= 65535:
        raise RenderError(f"invalid {name}={value}: expected unix:/path or HOST:PORT")
    return safe(conf, name)


def health_values(conf, resolver):
    """health_pass (fastcgi_pass of location = /health; "": the workers') and
    health_map (the address nginx re-resolves, with LUME_RESOLVER)."""
    if not conf["LUME_HEALTH_LISTEN"]:
        return {"health_pass": "", "health_map": ""}
    address = fastcgi_address(conf, "LUME_HEALTH_LISTEN")
    if not resolver:
        return {"health_pass": address, "health_map": ""}
    if address.startswith("unix:"):
        raise RenderError("invalid LUME_RESOLVER: LUME_HEALTH_LISTEN must be HOST:PORT to "
                          "re-resolve it")
    return {"health_pass": "$lume_health", "health_map": address}


def derive(environ, version, api):
    """Check the LUME_* settings and derive every value the configuration
    needs; api is the app's contract. Returns (run directory, values)."""
    conf = settings(environ)
    run_dir = os.path.abspath(conf["LUME_RUN_DIR"])
    safe(conf, "LUME_RUN_DIR", run_dir)
    https_port = integer(conf, "LUME_HTTPS_PORT", 1, 65535)
    http_port = integer(conf, "LUME_HTTP_PORT", 0, 65535)
    if http_port == https_port:
        raise RenderError("LUME_HTTP_PORT and LUME_HTTPS_PORT must differ")
    bind = safe(conf, "LUME_BIND") if conf["LUME_BIND"] else ""
    cert = os.path.abspath(conf["LUME_TLS_CERT"] or os.path.join(run_dir, "tls/cert.pem"))
    key = os.path.abspath(conf["LUME_TLS_KEY"] or os.path.join(run_dir, "tls/key.pem"))
    safe(conf, "LUME_TLS_CERT", cert)
    safe(conf, "LUME_TLS_KEY", key)
    for name, path in (("LUME_TLS_CERT", cert), ("LUME_TLS_KEY", key)):
        if not os.path.isfile(path):
            raise RenderError(f"invalid {name}={path}: no such file")
    rate = integer(conf, "LUME_RATE_LIMIT", 0, 1000000)
    burst = integer(conf, "LUME_RATE_BURST", 0, 1000000)
    conns = integer(conf, "LUME_CONN_LIMIT", 0, 1000000)
    max_age = integer(conf, "LUME_CORS_MAX_AGE", 0, 86400)
    hsts = integer(conf, "LUME_HSTS_MAX_AGE", 0, 63072000)
    timeout_ms = integer(conf, "LUME_REQUEST_TIMEOUT_MS", 1, 600000)
    public = public_authority(conf["LUME_PUBLIC_HOST"], https_port)
    cap = per_address_cap(conf)
    # With the cap, each client connection is three nginx connections: the
    # client's, the stream layer's to the http server and the http server's.
    connections, nofile = connection_sizing(
        integer(conf, "LUME_NGINX_CONNECTIONS", 512, 1048576) * (3 if cap else 1), file_limit())
    workers = conf["LUME_NGINX_WORKERS"]
    if workers != "auto":
        integer(conf, "LUME_NGINX_WORKERS", 1, 1024)
    # LUME_PROVIDERS (the app's one setting for both names): "mock" or "library,archive".
    # As the app resolved it (LUME_PROVIDER and LUME_PROVIDERS set one value;
    # the one set last wins), never a variable read here on its own.
    provider = app_config(environ)["settings"]["LUME_PROVIDERS"] or next(iter(api["providers"]))
    if not re.fullmatch(r"[a-z0-9_-]{1,31}(,[a-z0-9_-]{1,31}){0,7}", provider):
        raise RenderError(f"invalid LUME_PROVIDERS={provider}")
    # The names the providers report, as the app's bodies say them (an unknown one as given).
    provider_name = ",".join(api["providers"].get(p, p) for p in provider.split(","))
    errors = error_rows(api)
    bad_request = next(r for r in errors if r[2] == "BAD_REQUEST")

    upstream = fastcgi_address(conf, "LUME_LISTEN")

    access_log = conf["LUME_NGINX_ACCESS_LOG"] or os.path.join(run_dir, "logs/access.log")
    access_log = "off" if access_log == "off" else safe(
        conf, "LUME_NGINX_ACCESS_LOG", os.path.abspath(access_log)) + " lume_json"
    edge, edge_log, edge_socket = edge_values(conf, run_dir)
    if access_log == "off" and edge:
        access_log = ""  # "access_log off" would cancel the edge log on the same level too
    error_log = conf["LUME_NGINX_ERROR_LOG"] or os.path.join(run_dir, "logs/error.log")
    error_log = error_log if error_log == "stderr" else os.path.abspath(error_log)
    safe(conf, "LUME_NGINX_ERROR_LOG", error_log)
    docs_dir = safe(conf, "LUME_DOCS_DIR", os.path.abspath(conf["LUME_DOCS_DIR"]))
    workers_as = worker_user(conf)
    https_listen = listen_addresses(bind, https_port)
    http_listen = listen_addresses(bind, http_port) if http_port else []
    sockets = stream_sockets(run_dir)[1] if cap else {}
    stream_module_path = stream_module(conf["LUME_NGINX"], cap) if cap else ""

    values = {
        "version": version,
        "user": f"{workers_as[0]} {workers_as[1]}" if workers_as else "",
        "workers": workers,
        "connections": connections,
        "nofile": nofile,
        "run_dir": run_dir,
        "error_log": error_log,
        "access_log": access_log,
        "edge": edge,
        "edge_log": edge_log,
        "edge_socket": edge_socket,
        "cors_origins": cors_origins(conf["LUME_CORS_ORIGINS"]),
        "cors_max_age": max_age,
        "metrics_allow": metrics_allow(conf["LUME_METRICS_ALLOW"]),
        "allow": api["allow"],
        # The per-address cap: the stream layer's servers, and the sockets
        # the http servers listen on behind it.
        "cap": cap,
        "stream_module": stream_module_path,
        "stream_servers": ([(https_listen, sockets["https"])] +
                           ([(http_listen, sockets["http"])] if http_port else [])) if cap else [],
        "https_socket": sockets.get("https"),
        "http_socket": sockets.get("http"),
        "rate": rate,
        "burst": burst,
        "conns": conns,
        "hsts": hsts,
        "docs_dir": docs_dir,
        "bad_request_fields": f'"error":"BAD_REQUEST","message":"{bad_request[3]}"',
        # As the app answers a /resolve route: query, season and episode null.
        "invalid_query_fields": ('"error":"INVALID_QUERY","message":"' +
                                 app_error(api, "INVALID_QUERY")["message"] +
                                 '","query":null,"season":null,"episode":null'),
        "https_listen": https_listen,
        # nginx 1.25.1 replaced the http2 parameter of listen with a directive.
        "http2_on": version >= (1, 25, 1),
        "cert": cert,
        "key": key,
        "timeout_ms": timeout_ms,
        "read_timeout_s": (timeout_ms + 999) // 1000 + 2,
        "errors": error_pages(errors, provider_name),
        # The plain-HTTP server (LUME_HTTP_PORT=0: none) sends no HSTS.
        "http_listen": http_listen,
        "public_host": public,
        "cache": cache_values(conf, run_dir),
        "media": media_values(conf, provider),
        "generation": app_config(environ)["cache_generation"],
        **upstream_values(conf, upstream),
    }
    values.update(health_values(conf, values["resolver"]))
    return run_dir, values


# ---- the files ----
#
# SUBSTITUTED: the ${NAME}s of nginx/lume.conf and nginx/snippets/*.conf.
# GENERATED: generated/NAME.conf, one function each, in the order lume.conf
# includes them. Values are pasted as they are: derive() checks them.

def substituted(v):
    """{NAME: value} of every ${NAME} in nginx/lume.conf and nginx/snippets/."""
    return {
        "NGINX_CONNECTIONS": v["connections"],
        "RUN_DIR": v["run_dir"],
        "BAD_REQUEST_FIELDS": v["bad_request_fields"],
        "INVALID_QUERY_FIELDS": v["invalid_query_fields"],
        "TLS_CERT": v["cert"],
        "TLS_KEY": v["key"],
        "KEEP_CONN": "on" if v["keepalive"] else "off",
        "REQUEST_TIMEOUT_MS": v["timeout_ms"],
        "READ_TIMEOUT_S": v["read_timeout_s"],
        "FASTCGI_PASS": v["fastcgi_pass"],
        "ALLOW": v["allow"],
        "CORS_MAX_AGE": v["cors_max_age"],
        "DOCS_DIR": v["docs_dir"],
        "SWAGGER_UI_CSP": SWAGGER_UI_CSP,
        "REDOC_CSP": REDOC_CSP,
        "PUBLIC_HOST": v["public_host"],
        "EDGE_SOCKET": v["edge_socket"],
        "GENERATION": v["generation"],
    }


PLACEHOLDER = re.compile(r"\$\{([A-Z][A-Z0-9_]*)\}")


def substitute(text, values, source):
    """text with each ${NAME} replaced by values[NAME]; nothing else changes."""
    def value(m):
        if m.group(1) not in values:
            raise RenderError(f"{source}: ${{{m.group(1)}}} has no value")
        return str(values[m.group(1)])
    return PLACEHOLDER.sub(value, text)


def conf_file(*lines):
    return "".join(line + "\n" for line in lines)


def switched(on, off, *lines):
    """The file of a part a setting switches: its lines when on, else the
    comment off, which says why there are none."""
    return conf_file(*lines) if on else conf_file("# " + off)


def listen_lines(addresses, socket_path, options):
    """The listen lines of an http server: on its addresses, or behind the
    stream layer on its unix socket (the PROXY protocol header first)."""
    if socket_path:
        return [f"listen unix:{socket_path}{options} proxy_protocol;"]
    return [f"listen {address}{options}{more};" for address, more in addresses]


def client_address(v):
    """Behind the stream layer, the client's address is the PROXY protocol header's."""
    if not v["cap"]:
        return []
    return ["# The client's address: the stream layer's PROXY protocol header.",
            "set_real_ip_from unix:;", "real_ip_header proxy_protocol;"]


def main_conf(v):
    return conf_file(
        f"# Rendered for nginx {'.'.join(map(str, v['version']))}.",
        f"user {v['user']};" if v["user"] else "# nginx keeps the user that starts it (not root).",
        f"worker_processes {v['workers']};",
        f"worker_rlimit_nofile {v['nofile']};",
        f"pid {v['run_dir']}/nginx.pid;",
        f"lock_file {v['run_dir']}/nginx.lock;",
        f"error_log {v['error_log']} warn;")


def stream_conf(v):
    if not v["cap"]:
        return switched(False, "LUME_CONN_PER_ADDR_MAX=off: no cap per address on connections.")
    lines = [f"load_module {v['stream_module']};"] if v["stream_module"] else []
    lines += ["stream {", "    include snippets/stream.conf;"]
    for addresses, socket_path in v["stream_servers"]:
        lines += ["", "    server {"]
        lines += [f"        listen {address}{options};" for address, options in addresses]
        lines += [f"        limit_conn lume_addr {v['cap']};",
                  f"        proxy_pass unix:{socket_path};", "    }"]
    return conf_file(*lines, "}")


def access_log_conf(v):
    return switched(v["access_log"], "LUME_NGINX_ACCESS_LOG=off (with the edge log, no access_log off).",
                    f"access_log {v['access_log']};")


def edge_log_conf(v):
    return switched(v["edge"], "LUME_EDGE_METRICS=off: no edge log.",
                    f"access_log {v['edge_log']} lume_edge buffer=16k flush=1s;")


def cors_origins_conf(v):
    return conf_file("# LUME_CORS_ORIGINS, each matched exactly.",
                     *[f'"~^{pattern}$" "{origin}";' for pattern, origin in v["cors_origins"]])


def rate_limit_zone_conf(v):
    return switched(v["rate"], "LUME_RATE_LIMIT=0: no rate limit.",
                    f"limit_req_zone $binary_remote_addr zone=lume_rate:10m rate={v['rate']}r/s;",
                    "limit_req_status 429;", "limit_req_log_level warn;")


def cache_zone_conf(v):
    cache, generation = v["cache"], v["generation"]
    if not cache:
        return switched(False, "LUME_CACHE_SIZE=0 (or LUME_CACHE_MAX_AGE=0): no response cache.")
    return conf_file(
        "# One directory and zone per generation of the app's configuration",
        "# (lume-fcgi --dump-config: its version, provider, provider settings and",
        "# catalog): answers of another configuration are never found here, and",
        "# `render.py --prune-cache` removes their directories before nginx starts.",
        f"fastcgi_cache_path {cache['path']}/{generation} levels=1:2 keys_zone=lume_{generation}:10m "
        f"max_size={cache['size']} inactive={cache['inactive']}s use_temp_path=off;",
        "# Every answer names the generation of the worker that made it",
        "# (X-Lume-Generation); one of another generation (a replica with other",
        "# settings, mid-rollout, or a master reloaded with another catalog) is",
        "# passed on, never stored.",
        "map $upstream_http_x_lume_generation $lume_cache_foreign {",
        f'    "{generation}" 0;',
        "    default 1;",
        "}")


# A unix socket's path as nginx keeps it (sun_path, its NUL included).
SUN_PATH_MAX = 108


def backup_spellings(upstream, n):
    """The backup lines' addresses: the same unix socket, each spelled
    differently (dir/./name, dir/././name, ...). nginx's keepalive cache
    matches a kept connection by the address's bytes, so a retry on a backup
    line takes a new connection (or one kept from an earlier retry on that
    line) instead of the next kept connection of the main line: the one
    kind of failure a retry meets on a kept connection is its worker
    closing it, about to wait on its provider, and the workers that do
    that at once (a slow provider's first calls) close all of theirs. A new
    connection goes to whichever worker is free. A TCP address (one
    spelling) or a path too long to lengthen stays as it is."""
    if not upstream.startswith("unix:"):
        return [upstream] * n
    directory, name = os.path.split(upstream[len("unix:"):])
    out = []
    for i in range(1, n + 1):
        path = directory + "/." * i + "/" + name
        out.append("unix:" + path if len(path) < SUN_PATH_MAX else upstream)
    return out


def upstream_conf(v):
    upstream = v["upstream"]
    if v["resolver"]:
        lines = [
            "# LUME_RESOLVER (e.g. 127.0.0.11, Docker's DNS): the address is a variable,",
            f"# so nginx resolves {upstream} at request time (answers kept 1 s) and",
            "# spreads requests over every address it gets (Compose replicas, including",
            "# those added later); a connection that fails early moves to another one.",
            f"resolver {v['resolver']} valid=1s ipv6=off;",
            "resolver_timeout 2s;",
            "map $host $lume_workers {",
            f"    default {upstream};",
            "}"]
    else:
        # max_fails=0: a failure never marks the pool down. The backup line
        # is the same socket again: it gives a request whose worker died
        # before answering (killed, crashed) its one retry, which another
        # worker takes. A request that failed on a kept connection (closed by
        # its worker just then) is retried without counting against
        # fastcgi_next_upstream_tries; the two more lines give those retries
        # lines not yet tried (seen: five tries in a row, each on a
        # connection just closed, then a 503, before the bounds of
        # docs/architecture.md "Kept FastCGI connections" made that rare).
        # With kept connections each backup spells the socket differently
        # (backup_spellings()): its retry gets a connection of its own.
        backups = 3 if v["keepalive"] else 1
        keep = ([f"    keepalive {v['keepalive']};", "    keepalive_timeout 60s;"]
                if v["keepalive"] else [])
        spellings = backup_spellings(upstream, backups) if v["keepalive"] else [upstream] * backups
        lines = [
            "# Without LUME_RESOLVER: one upstream, its name resolved once at start;",
            "# each line but the first a backup, the same socket again, for retries",
            "# (nginx/render.py, upstream_conf). With LUME_FCGI_KEEP_CONNS, nginx keeps",
            "# a quarter of it idle per worker of its own (docs/architecture.md, \"Kept",
            "# FastCGI connections\").",
            "upstream lume_workers {",
            f"    server {upstream} max_fails=0;",
            *[f"    server {b} max_fails=0 backup;" for b in spellings],
            *keep,
            "}"]
    if v["health_map"]:
        lines += ["# The health responder's address (LUME_HEALTH_LISTEN), re-resolved the same way.",
                  "map $host $lume_health {", f"    default {v['health_map']};", "}"]
    return conf_file(*lines)


def api_listen_conf(v):
    # Before nginx 1.25.1, HTTP/2 is a parameter of listen; since, a directive.
    lines = listen_lines(v["https_listen"], v["https_socket"],
                         " ssl" if v["http2_on"] else " ssl http2")
    return conf_file(*lines, *(["http2 on;"] if v["http2_on"] else []), *client_address(v))


def conn_limit_conf(v):
    return switched(v["conns"], "LUME_CONN_LIMIT=0: no connection cap.",
                    f"limit_conn lume_conn {v['conns']};")


def hsts_conf(v):
    return switched(v["hsts"], "LUME_HSTS_MAX_AGE=0: no Strict-Transport-Security.",
                    f'add_header Strict-Transport-Security "max-age={v["hsts"]}" always;')


def server_address_conf(v):
    if v["cap"]:
        return conf_file("# The address and port the client reached: the stream layer's.",
                         "fastcgi_param SERVER_ADDR $proxy_protocol_server_addr;",
                         "fastcgi_param SERVER_PORT $proxy_protocol_server_port;")
    return conf_file("fastcgi_param SERVER_ADDR $server_addr;",
                     "fastcgi_param SERVER_PORT $server_port;")


def retries_conf(v):
    if v["resolver"]:
        return conf_file("include snippets/retry-replicas.conf;")
    return conf_file("include snippets/retry-one-pool.conf;")


def health_conf(v):
    if not v["health_pass"]:
        return conf_file("# No LUME_HEALTH_LISTEN: the workers answer /health.",
                         f"fastcgi_pass {v['fastcgi_pass']};")
    return conf_file("include snippets/health-responder.conf;", f"fastcgi_pass {v['health_pass']};")


def metrics_allow_conf(v):
    return switched(v["metrics_allow"], "LUME_METRICS_ALLOW is empty: nobody.",
                    *[f"allow {cidr};" for cidr in v["metrics_allow"]])


def edge_metrics_conf(v):
    return switched(v["edge"], "LUME_EDGE_METRICS=off: no /metrics/edge.",
                    "include snippets/edge-metrics.conf;")


def rate_limit_conf(v):
    return switched(v["rate"], "LUME_RATE_LIMIT=0: no rate limit.",
                    f"limit_req zone=lume_rate burst={v['burst']} nodelay;")


def cache_conf(v):
    return switched(v["cache"], "No response cache.", "include snippets/cache.conf;")


def media_map_conf(v):
    m = v["media"]
    return switched(m, "The library provider is not listed: no /media/.",
                    "map $uri $lume_media_root {",
                    *[f"    ~^/media/{n}/ {root};" for n, root in enumerate(m["roots"] if m else [])],
                    '    default "";', "}")


def media_conf(v):
    """The library's files, served by nginx itself behind signed, expiring
    links (docs/providers.md): a tampered or expired link is 403, a path out
    of a folder (a symlink leaving it) is refused. Holds the secret: mode 0600."""
    m = v["media"]
    return switched(m, "The library provider is not listed: no /media/.",
                    "location ~ ^/media/[0-9]+/(?<lume_media_rel>.+)$ {",
                    "    limit_except GET HEAD { deny all; }",
                    "    secure_link $arg_md5,$arg_expires;",
                    f'    secure_link_md5 "$secure_link_expires$uri {m["secret"] if m else ""}";',
                    '    if ($secure_link = "") { return 403; }',
                    '    if ($secure_link = "0") { return 410; }',
                    '    if ($lume_media_root = "") { return 404; }',
                    "    alias $lume_media_root/$lume_media_rel;",
                    "    disable_symlinks on from=$lume_media_root;",
                    "    include snippets/media.conf;",
                    "}",
                    "location /media/ { return 404; }")


def errors_conf(v, headers):
    """Every error nginx produces itself, in the API's JSON envelope
    (docs/api.md), from one internal location per status. URI locations, not
    named ones: a request whose request line failed to parse has no URI, and
    nginx cannot enter a named location without one. Errors from the app (no
    fastcgi_intercept_errors) pass untouched."""
    lines = [f"error_page {caught} ={status} /.lume-error/{status};"
             for caught, status, _, _ in v["errors"]]
    for _, status, extra, body in v["errors"]:
        lines += ["", f"location = /.lume-error/{status} {{", "    internal;",
                  f"    include snippets/{headers};",
                  "    add_header Cache-Control no-store always;",
                  *[f"    add_header {name} {value} always;" for name, value in extra],
                  f"    return {status} '{body}';", "}"]
    return conf_file("# nginx's own errors: the API's JSON envelope, as the app's contract has",
                     "# them (lume-fcgi --dump-contract).", *lines)


def redirect_server_conf(v):
    return switched(v["http_listen"], "LUME_HTTP_PORT=0: no plain-HTTP listener.",
                    "include snippets/redirect-server.conf;")


def redirect_listen_conf(v):
    return conf_file(*listen_lines(v["http_listen"], v["http_socket"], ""), *client_address(v))


GENERATED = {
    "main.conf": main_conf,
    "stream.conf": stream_conf,
    "access-log.conf": access_log_conf,
    "edge-log.conf": edge_log_conf,
    "cors-origins.conf": cors_origins_conf,
    "rate-limit-zone.conf": rate_limit_zone_conf,
    "cache-zone.conf": cache_zone_conf,
    "upstream.conf": upstream_conf,
    "api-listen.conf": api_listen_conf,
    "conn-limit.conf": conn_limit_conf,
    "hsts.conf": hsts_conf,
    "server-address.conf": server_address_conf,
    "retries.conf": retries_conf,
    "health.conf": health_conf,
    "metrics-allow.conf": metrics_allow_conf,
    "edge-metrics.conf": edge_metrics_conf,
    "rate-limit.conf": rate_limit_conf,
    "cache.conf": cache_conf,
    "media-map.conf": media_map_conf,
    "media.conf": media_conf,
    "api-errors.conf": lambda v: errors_conf(v, "headers.conf"),
    "redirect-server.conf": redirect_server_conf,
    "redirect-listen.conf": redirect_listen_conf,
    "redirect-errors.conf": lambda v: errors_conf(v, "redirect-headers.conf"),
}


def configuration(values):
    """{path relative to nginx.conf's directory: text}: "nginx.conf" (nginx/lume.conf),
    snippets/*.conf and generated/*.conf."""
    subst = substituted(values)
    files = {}
    with open(CONF, encoding="utf-8") as f:
        files["nginx.conf"] = substitute(f.read(), subst, "nginx/lume.conf")
    for name in sorted(os.listdir(SNIPPETS)):
        if name.endswith(".conf"):
            with open(os.path.join(SNIPPETS, name), encoding="utf-8") as f:
                files["snippets/" + name] = substitute(f.read(), subst, "nginx/snippets/" + name)
    for name, write in GENERATED.items():
        files["generated/" + name] = ("# Generated by nginx/render.py at every start, from the "
                                      "LUME_* variables and lume-fcgi; do not edit.\n" + write(values))
    return files


def render(environ, version, api=None):
    """(run directory, the configuration's files, the values they were made from)."""
    run_dir, values = derive(environ, version, api if api is not None else contract())
    return run_dir, configuration(values), values


# The generated files that hold a secret: readable by their owner only.
PRIVATE = ("generated/media.conf",)


def write_file(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def install(out, files):
    """Write files next to out (nginx.conf's text to out itself, last), remove
    the snippets and generated files of an earlier render that are no more,
    and make the operator's conf.d/http and conf.d/server if they can be."""
    conf_dir = os.path.dirname(out)
    for sub in ("snippets", "generated"):
        os.makedirs(os.path.join(conf_dir, sub), exist_ok=True)
        for name in os.listdir(os.path.join(conf_dir, sub)):
            if name.endswith(".conf") and f"{sub}/{name}" not in files:
                os.unlink(os.path.join(conf_dir, sub, name))
    for name, text in files.items():
        if name != "nginx.conf":
            write_file(os.path.join(conf_dir, name), text)
            if name in PRIVATE:
                os.chmod(os.path.join(conf_dir, name), 0o600)
    for sub in ("http", "server"):
        try:
            os.makedirs(os.path.join(conf_dir, "conf.d", sub), exist_ok=True)
        except OSError:
            pass  # e.g. a read-only conf.d mounted without it: nginx finds no file there
    write_file(out, files["nginx.conf"])


def main(argv):
    ap = argparse.ArgumentParser(description="Render Lume's nginx configuration.")
    ap.add_argument("--output", "-o", help="file to write (default: RUN_DIR/nginx.conf); "
                                           "snippets/ and generated/ go next to it")
    ap.add_argument("--check", action="store_true", help="run nginx -t on the result")
    ap.add_argument("--get", metavar="NAME",
                    help="print the value NAME has in the environment or the LUME_CONFIG file "
                         "(empty when neither sets it) and exit")
    ap.add_argument("--app", metavar="NAME",
                    help="print the value the app runs with for its setting NAME (its default "
                         "when nobody sets it; lume-fcgi --dump-config) and exit")
    ap.add_argument("--worker-group", action="store_true",
                    help="print the group nginx's workers will run as (empty when nginx keeps "
                         "the user that starts it) and exit")
    ap.add_argument("--prune-cache", action="store_true",
                    help="remove the response cache's entries of other configurations of the "
                         "app (its other generations); only while nginx is not running")
    args = ap.parse_args(argv)
    if args.get or args.app or args.worker_group:
        try:
            if args.get:
                print(given(os.environ).get(args.get, ""))
            elif args.app:
                print(app_config(os.environ)["settings"].get(args.app, ""))
            else:
                workers_as = worker_user(settings(os.environ))
                print(workers_as[1] if workers_as else "")
        except RenderError as e:
            print(f"render: {e}", file=sys.stderr)
            return 2
        return 0
    binary = os.environ.get("LUME_NGINX", DEFAULTS["LUME_NGINX"])
    try:
        version = nginx_version(binary)
        run_dir, files, values = render(os.environ, version)
    except RenderError as e:
        print(f"render: {e}", file=sys.stderr)
        return 2
    if values["cache"]:
        # nginx makes the generation's directory, not the ones above it.
        os.makedirs(values["cache"]["path"], exist_ok=True)
        if args.prune_cache:
            prune_cache(settings(os.environ), run_dir, values["generation"])
    for sub in ("logs", "tmp"):
        os.makedirs(os.path.join(run_dir, sub), exist_ok=True)
    try:
        prepare_stream_dir(settings(os.environ), run_dir)
    except (RenderError, OSError) as e:
        print(f"render: {e}", file=sys.stderr)
        return 2
    out = os.path.abspath(args.output or os.path.join(run_dir, "nginx.conf"))
    install(out, files)
    if args.check:
        r = subprocess.run([binary, "-t", "-q", "-p", run_dir, "-e", "stderr", "-c", out],
                           capture_output=True, text=True)
        if r.returncode != 0:
            print(f"render: nginx -t failed for {out}:\n{r.stderr}", file=sys.stderr)
            return 1
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
