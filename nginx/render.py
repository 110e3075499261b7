#!/usr/bin/env python3
"""Render Lume's nginx configuration from LUME_* variables.

usage: nginx/render.py [--output FILE] [--check] | --get NAME | --worker-group

Reads nginx/lume.conf.template, fills it from the environment (and from the
NAME=value lines of $LUME_CONFIG, which the environment overrides), creates the
run directory and its sub-directories, and writes RUN_DIR/nginx.conf (or
--output). --check also runs `nginx -t` on the result. Prints the path written.
Every variable and its default is in docs/configuration.md. Python stdlib only.
"""
import argparse
import os
import pwd
import grp
import re
import socket
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TEMPLATE = os.path.join(HERE, "lume.conf.template")

DEFAULTS = {
    "LUME_HTTPS_PORT": "8443",
    "LUME_HTTP_PORT": "8080",
    "LUME_PUBLIC_HOST": "localhost",  # the host (and port) of the HTTPS URL clients use
    "LUME_BIND": "",
    "LUME_TLS_CERT": "",  # default: RUN_DIR/tls/cert.pem
    "LUME_TLS_KEY": "",   # default: RUN_DIR/tls/key.pem
    "LUME_CORS_ORIGINS": "http://localhost,http://10.0.2.2",
    "LUME_CORS_MAX_AGE": "600",
    "LUME_RATE_LIMIT": "10",
    "LUME_RATE_BURST": "20",
    "LUME_CONN_LIMIT": "100",
    "LUME_CONN_PER_ADDR_MAX": "256",  # 0/off: no stream layer in front
    "LUME_LISTEN": "127.0.0.1:9000",  # the app's default
    "LUME_RESOLVER": "",  # DNS servers that re-resolve LUME_LISTEN's host; "": once, at start
    "LUME_REQUEST_TIMEOUT_MS": "8000",
    "LUME_PROVIDER": "mock",
    "LUME_RUN_DIR": os.path.join(ROOT, "run"),
    "LUME_HSTS_MAX_AGE": "31536000",
    "LUME_NGINX": "nginx",
    "LUME_NGINX_USER": "",  # default: the user running this script (root only)
    "LUME_NGINX_WORKERS": "auto",
    "LUME_NGINX_CONNECTIONS": "8192",
    "LUME_NGINX_ACCESS_LOG": "",  # default: RUN_DIR/logs/access.log; "off" disables
    "LUME_NGINX_ERROR_LOG": "",   # default: RUN_DIR/logs/error.log
}

# The name each provider reports (the app's "provider" field), for nginx's own 503/504.
PROVIDER_NAMES = {"mock": "MockProvider", "archive": "ArchiveProvider"}

# Characters allowed in anything pasted into the configuration: no blanks,
# quotes, semicolons, braces or '$', so no value can change its structure.
SAFE = re.compile(r"^[A-Za-z0-9_./:@+%=,\[\]-]+$")


class RenderError(Exception):
    pass


def read_config_file(path):
    """NAME=value lines, as lume-fcgi reads them (see fcgi-app/config.c)."""
    values = {}
    try:
        with open(path, encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                if line.startswith("export "):
                    line = line[7:]
                name, eq, value = line.partition("=")
                if not eq:
                    raise RenderError(f"{path}: line {lineno} is not NAME=value")
                value = value.strip()
                if len(value) >= 2 and value[0] in "'\"" and value[-1] == value[0]:
                    value = value[1:-1]
                values[name.strip()] = value
    except OSError as e:
        raise RenderError(f"invalid LUME_CONFIG={path}: cannot open: {e.strerror}")
    return values


def given(environ):
    """The LUME_* values the user set: the LUME_CONFIG file, then the environment."""
    values = {}
    if environ.get("LUME_CONFIG"):
        values.update({k: v for k, v in read_config_file(environ["LUME_CONFIG"]).items()
                       if k.startswith("LUME_")})
    values.update({k: v for k, v in environ.items() if k.startswith("LUME_")})
    return values


def settings(environ):
    return {**DEFAULTS, **given(environ)}


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
    """The load_module line for nginx's stream module ('' when it is built in)."""
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
    return f"load_module {path};"


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


def stream_block(module, cap, listens):
    """load_module and the stream {} block: listens is [(listen lines, socket)]."""
    out = [module,
           "# The cap per client address on connections, counted from accept on,",
           "# whether or not a request header has arrived (LUME_CONN_PER_ADDR_MAX).",
           "# Bytes pass through untouched (TLS ends in the http servers), with a PROXY",
           "# protocol header first that carries the client's address.",
           "stream {",
           "    limit_conn_zone $binary_remote_addr zone=lume_addr:10m;",
           "    limit_conn_log_level warn;",
           "    proxy_protocol on;",
           "    proxy_connect_timeout 2s;"]
    for listen, sock in listens:
        out += ["", "    server {", listen,
                f"        limit_conn lume_addr {cap};",
                f"        proxy_pass unix:{sock};", "    }"]
    return "\n".join(out + ["}"])


def behind_stream(sock, ssl, http2_directive):
    """The listen lines of an http server behind the stream layer."""
    extra = (" ssl" + ("" if http2_directive else " http2")) if ssl else ""
    out = [f"        listen unix:{sock}{extra} proxy_protocol;"]
    if ssl and http2_directive:
        out.append("        http2 on;")
    out += ["        # The client's address: the stream layer's PROXY protocol header.",
            "        set_real_ip_from unix:;",
            "        real_ip_header proxy_protocol;"]
    return "\n".join(out)


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


def remote_addr_map():
    """$lume_remote_addr, the access log's client address. Behind the stream
    layer, realip sets $remote_addr only once a request reaches nginx's
    phases; one nginx rejects while reading its header (a 400) would log the
    unix socket. The PROXY protocol header has the address from the start
    (and is empty without the stream layer)."""
    return "\n".join([
        "    map $proxy_protocol_addr $lume_remote_addr {",
        "        \"\" $remote_addr;",
        "        default $proxy_protocol_addr;",
        "    }",
    ])


def cors_map(origins):
    lines = []
    for origin in [o.strip() for o in origins.split(",") if o.strip()]:
        if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?", origin):
            raise RenderError(f"invalid LUME_CORS_ORIGINS entry {origin!r}: expected "
                              "scheme://host[:port], no path, no wildcard")
        lines.append(f'        "~^{re.escape(origin)}$" "{origin}";')
    return "\n".join(lines)


def listen_lines(bind, port, ssl, http2_directive):
    extra = " ssl" if ssl else ""
    if ssl and not http2_directive:
        extra += " http2"
    if bind:
        addrs = [f"[{bind}]:{port}" if ":" in bind and not bind.startswith("[") else f"{bind}:{port}"]
    else:
        addrs = [str(port)]
        try:
            with open("/proc/net/if_inet6") as f:
                if f.read().strip():
                    addrs.append(f"[::]:{port} ipv6only=on")
        except OSError:
            pass
    out = []
    for a in addrs:
        addr, _, opt = a.partition(" ")
        out.append(f"        listen {addr}{extra}{' ' + opt if opt else ''};")
    if ssl and http2_directive:
        out.append("        http2 on;")
    return "\n".join(out)


def headers(hsts, extra=()):
    """The headers of every response; `always` adds them to errors too."""
    h = [("X-Request-Id", "$request_id"),
         ("X-Content-Type-Options", "nosniff"),
         ("Referrer-Policy", "no-referrer")]
    if hsts:
        h.append(("Strict-Transport-Security", f'"max-age={hsts}"'))
    h += [("Access-Control-Allow-Origin", "$lume_cors_origin"),
          ("Access-Control-Expose-Headers", '"$lume_cors_expose"'),
          ("Vary", "Origin")]
    h += list(extra)
    return h


def header_block(hs, indent):
    return "\n".join(f"{' ' * indent}add_header {name} {value} always;" for name, value in hs)


# status nginx produces -> (status sent, error code, message, extra headers)
ERRORS = [
    ("400 495 496 497", 400, "BAD_REQUEST", "the request is malformed", []),
    ("401 403", 403, "FORBIDDEN", "forbidden", []),
    ("404", 404, "NOT_FOUND", "not found", []),
    ("405", 405, "METHOD_NOT_ALLOWED", "method not allowed; use GET, HEAD or OPTIONS",
     [("Allow", '"GET, HEAD, OPTIONS"')]),
    ("408", 408, "REQUEST_TIMEOUT", "the request was not received in time", []),
    ("411", 411, "LENGTH_REQUIRED", "a request body needs a length", []),
    ("413", 413, "REQUEST_TOO_LARGE", "the request body is too large", []),
    ("414", 414, "REQUEST_TOO_LARGE", "the request URI is too long", []),
    ("494", 431, "REQUEST_TOO_LARGE", "the request headers are too large", []),
    ("421", 421, "MISDIRECTED_REQUEST", "misdirected request", []),
    ("429", 429, "RATE_LIMITED", "too many requests; retry later", [("Retry-After", "1")]),
    ("500", 500, "INTERNAL_ERROR", "internal error", []),
    ("501", 501, "NOT_IMPLEMENTED", "not implemented", []),
    ("502 503", 503, "SERVICE_UNAVAILABLE", "no worker could serve the request; retry later",
     [("Retry-After", "1")]),
    ("504", 504, "PROVIDER_TIMEOUT", "the service did not answer in time", []),
    ("505", 505, "HTTP_VERSION_NOT_SUPPORTED", "HTTP version not supported", []),
]

# nginx rejects a %00 or a broken %-escape in the path before the app sees it:
# on /resolve routes that is the app's INVALID_QUERY (same message and fields).
# Only HTTP/1.x: under HTTP/2 nginx has no request line to look at by then,
# and the answer stays 400 BAD_REQUEST.
INVALID_QUERY_FIELDS = ('"error":"INVALID_QUERY","message":"query must be 1 to 200 characters of '
                        'valid UTF-8 without control characters","query":null,"season":null,'
                        '"episode":null')


def error_block(hsts, provider):
    """error_page lines and their internal locations. URI locations, not named
    ones: a request whose request line failed to parse has no URI, and nginx
    cannot enter a named location without one."""
    out = ["        # Every error nginx produces itself: the contract's JSON envelope.",
           "        # Errors from the app (no fastcgi_intercept_errors) pass untouched."]
    locations = []
    for codes, status, code, message, extra in ERRORS:
        uri = f"/.lume-error/{status}"
        out.append(f"        error_page {codes} ={status} {uri};")
        fields = f'"error":"{code}","message":"{message}"'
        if status == 400:
            fields = "$lume_error_400_fields"
        if status in (503, 504):
            fields += f',"provider":"{provider}"'
        fields += ',"request_id":"$request_id"'
        hs = headers(hsts, [("Cache-Control", "no-store")] + extra)
        locations.append(f"        location = {uri} {{\n            internal;\n"
                         f"{header_block(hs, 12)}\n"
                         f"            return {status} '{{\"detail\":{{{fields}}}}}';\n        }}")
    return "\n".join(out) + "\n\n" + "\n".join(locations)


def error_maps():
    return "\n".join([
        "    map $request $lume_error_400_fields {",
        "        default '\"error\":\"BAD_REQUEST\",\"message\":\"the request is malformed\"';",
        f"        \"~^[A-Z]+ /resolve/[^? ]*(%00|%(?![0-9A-Fa-f]{{2}}))\" '{INVALID_QUERY_FIELDS}';",
        "    }",
    ])


def upstream_config(conf, upstream):
    """(upstream block, fastcgi_pass target, fastcgi_next_upstream lines).

    Without LUME_RESOLVER: one static upstream, its name resolved once at start.
    With it (e.g. 127.0.0.11, Docker's DNS): the address is a variable, so nginx
    resolves the name at request time and spreads requests over every address
    it gets (Compose replicas, including those added later); a connection that
    fails early moves to another replica."""
    servers = [s.strip() for s in conf["LUME_RESOLVER"].split(",") if s.strip()]
    if not servers:
        # max_fails=0: a failure never marks the pool down. The backup line is
        # the same socket again: it gives a request whose worker died before
        # answering (killed, crashed) its one retry, which another worker takes.
        block = "\n".join([
            "    upstream lume_workers {",
            f"        server {upstream} max_fails=0;",
            f"        server {upstream} max_fails=0 backup;",
            "    }"])
        return block, "lume_workers", [
            "# One retry, on the pool's backup line (the same socket), when the worker",
            "# closed the connection without an answer or none could be reached; never",
            "# on a timeout, and only within 2 s of the first try.",
            "fastcgi_next_upstream error;",
            "fastcgi_next_upstream_tries 2;",
            "fastcgi_next_upstream_timeout 2s;",
            "fastcgi_connect_timeout 2s;",
        ]
    if upstream.startswith("unix:"):
        raise RenderError("invalid LUME_RESOLVER: LUME_LISTEN must be HOST:PORT to re-resolve it")
    for server in servers:
        if not re.fullmatch(r"[A-Za-z0-9.:\[\]-]+", server):
            raise RenderError(f"invalid LUME_RESOLVER entry {server!r}: expected an address[:port]")
    block = "\n".join([
        f"    # LUME_RESOLVER: {upstream} is resolved at request time (answers kept 1 s).",
        f"    resolver {' '.join(servers)} valid=1s ipv6=off;",
        "    resolver_timeout 2s;",
        "    map $host $lume_workers {",
        f"        default {upstream};",
        "    }"])
    next_upstream = [
        "# Replicas: a request whose connection fails or times out (a replica just",
        "# stopped) goes to another one, only while 3 s have not passed.",
        "fastcgi_next_upstream error timeout;",
        "fastcgi_next_upstream_tries 3;",
        "fastcgi_next_upstream_timeout 3s;",
        "# A live replica on the Compose network accepts in well under a millisecond;",
        "# an address whose replica just went away never answers. Give up on it",
        "# soon, so that the retry still reaches a worker within the queue budget",
        "# (LUME_QUEUE_TIMEOUT_MS counts from the first try: REQUEST_START is set once).",
        "fastcgi_connect_timeout 200ms;",
    ]
    return block, "$lume_workers", next_upstream


def render(environ, version):
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
    provider = conf["LUME_PROVIDER"]
    if not re.fullmatch(r"[a-z0-9_-]{1,31}", provider):
        raise RenderError(f"invalid LUME_PROVIDER={provider}")
    provider_name = PROVIDER_NAMES.get(provider, provider)

    listen = conf["LUME_LISTEN"]
    if listen.startswith("unix:"):
        path = listen[5:]
        if not path:
            raise RenderError(f"invalid LUME_LISTEN={listen}: expected unix:/path or HOST:PORT")
        upstream = "unix:" + safe(conf, "LUME_LISTEN", os.path.abspath(path))
    else:
        m = re.fullmatch(r"(.+):([0-9]{1,5})", listen)
        if not m or not 1 <= int(m.group(2)) <= 65535:
            raise RenderError(f"invalid LUME_LISTEN={listen}: expected unix:/path or HOST:PORT")
        upstream = safe(conf, "LUME_LISTEN")
    upstream_block, fastcgi_pass, next_upstream = upstream_config(conf, upstream)

    access_log = conf["LUME_NGINX_ACCESS_LOG"] or os.path.join(run_dir, "logs/access.log")
    access_log = "off" if access_log == "off" else safe(
        conf, "LUME_NGINX_ACCESS_LOG", os.path.abspath(access_log)) + " lume_json"
    error_log = conf["LUME_NGINX_ERROR_LOG"] or os.path.join(run_dir, "logs/error.log")
    error_log = error_log if error_log == "stderr" else os.path.abspath(error_log)
    safe(conf, "LUME_NGINX_ERROR_LOG", error_log)

    workers_as = worker_user(conf)
    user = f"user {workers_as[0]} {workers_as[1]};" if workers_as else ""

    http2_directive = version >= (1, 25, 1)
    read_timeout_s = (timeout_ms + 999) // 1000 + 2

    if cap:
        _, socks = stream_sockets(run_dir)
        https_listen = behind_stream(socks["https"], True, http2_directive)
        listens = [(listen_lines(bind, https_port, False, False), socks["https"])]
        if http_port:
            listens.append((listen_lines(bind, http_port, False, False), socks["http"]))
        conn_cap = stream_block(stream_module(conf["LUME_NGINX"], cap), cap, listens)
    else:
        https_listen = listen_lines(bind, https_port, True, http2_directive)
        conn_cap = "# LUME_CONN_PER_ADDR_MAX=off: no cap per address on connections."

    if rate > 0:
        rate_zones = ("    limit_req_zone $binary_remote_addr zone=lume_rate:10m "
                      f"rate={rate}r/s;\n    limit_req_status 429;\n    limit_req_log_level warn;")
        rate_limit = f"            limit_req zone=lume_rate burst={burst} nodelay;"
    else:
        rate_zones = "    # LUME_RATE_LIMIT=0: no rate limit."
        rate_limit = "            # LUME_RATE_LIMIT=0: no rate limit."
    rate_zones += ("\n    limit_conn_zone $binary_remote_addr zone=lume_conn:10m;"
                   "\n    limit_conn_status 429;\n    limit_conn_log_level warn;")
    conn_limit = (f"        limit_conn lume_conn {conns};" if conns > 0
                  else "        # LUME_CONN_LIMIT=0: no connection cap.")

    preflight = headers(hsts, [
        ("Access-Control-Allow-Methods", '"GET, HEAD, OPTIONS"'),
        ("Access-Control-Allow-Headers", '"Accept, Accept-Language, Content-Language, '
                                         'Content-Type, X-Request-Id"'),
        ("Access-Control-Max-Age", str(max_age)),
        ("Allow", '"GET, HEAD, OPTIONS"')])
    https_preflight = ("            if ($lume_cors_preflight) {\n" + header_block(preflight, 16) +
                       "\n                return 204;\n            }")

    server_var = "$proxy_protocol_server_" if cap else "$server_"
    fastcgi_settings = "\n".join("        " + line for line in [
        "fastcgi_param REQUEST_METHOD $request_method;",
        "fastcgi_param REQUEST_URI $request_uri;",
        "fastcgi_param QUERY_STRING $query_string;",
        "fastcgi_param SCRIPT_NAME $uri;",
        "fastcgi_param DOCUMENT_URI $uri;",
        "fastcgi_param CONTENT_TYPE $content_type;",
        "fastcgi_param CONTENT_LENGTH $content_length;",
        "fastcgi_param SERVER_PROTOCOL $server_protocol;",
        "fastcgi_param REQUEST_SCHEME $scheme;",
        "fastcgi_param HTTPS on;",
        "fastcgi_param GATEWAY_INTERFACE CGI/1.1;",
        "fastcgi_param SERVER_SOFTWARE nginx;",
        "fastcgi_param REMOTE_ADDR $remote_addr;",
        "fastcgi_param REMOTE_PORT $remote_port;",
        f"fastcgi_param SERVER_ADDR {server_var}addr;",
        f"fastcgi_param SERVER_PORT {server_var}port;",
        "fastcgi_param SERVER_NAME $host;",
        "fastcgi_param REQUEST_ID $request_id;",
        "# When nginx hands the request to the workers (evaluated just before it",
        "# connects): a worker answers 503 instead of working on a request that",
        "# waited past LUME_QUEUE_TIMEOUT_MS (docs/architecture.md).",
        "fastcgi_param REQUEST_START $msec;",
        "# nginx sends these on every response (errors included): no duplicates.",
        "fastcgi_hide_header X-Request-Id;",
        "fastcgi_hide_header X-Content-Type-Options;",
        "fastcgi_hide_header Referrer-Policy;",
        "fastcgi_hide_header Strict-Transport-Security;",
        "fastcgi_hide_header Access-Control-Allow-Origin;",
        "fastcgi_intercept_errors off;",
        "fastcgi_keep_conn off;",
        *next_upstream,
        "fastcgi_send_timeout 10s;",
        f"# The app answers within LUME_REQUEST_TIMEOUT_MS ({timeout_ms} ms); a bit more here.",
        f"fastcgi_read_timeout {read_timeout_s}s;",
        "fastcgi_buffer_size 16k;",
        "fastcgi_buffers 16 16k;",
        "fastcgi_busy_buffers_size 32k;",
        "fastcgi_request_buffering on;",
    ])

    if http_port:
        http_server = "\n".join([
            "    # Plain HTTP: everything moves to HTTPS.",
            "    server {",
            behind_stream(socks["http"], False, False) if cap
            else listen_lines(bind, http_port, False, False),
            "        server_name _;",
            conn_limit,
            "",
            header_block(headers(0), 8),
            "",
            "        # A 301 with a JSON body (return 301 URL would send an HTML page):",
            "        # 418 is only a hop to the error_page that sets 301 and Location.",
            "        # The host is LUME_PUBLIC_HOST, never the client's Host header.",
            "        location / {",
            "            error_page 418 =301 /.lume-redirect;",
            "            return 418;",
            "        }",
            "        location = /.lume-redirect {",
            "            internal;",
            header_block(headers(0, [
                ("Location", f'"https://{public}$request_uri"'),
                ("Cache-Control", '"max-age=3600"')]), 12),
            "            return 200 '{\"message\":\"this service is served over HTTPS; "
            "follow the Location header\"}';",
            "        }",
            "",
            error_block(0, provider_name),
            "    }",
        ])
    else:
        http_server = "    # LUME_HTTP_PORT=0: no plain-HTTP listener."

    cors = cors_map(conf["LUME_CORS_ORIGINS"])
    fields = {
        "NGINX_VERSION": ".".join(map(str, version)),
        "USER": user,
        "NGINX_WORKERS": workers,
        "NGINX_CONNECTIONS": str(connections),
        "NGINX_NOFILE": str(nofile),
        "RUN_DIR": run_dir,
        "ERROR_LOG": error_log,
        "ACCESS_LOG": access_log,
        "CORS_MAP": cors,
        "RATE_ZONES": rate_zones + "\n\n" + error_maps() + "\n\n" + remote_addr_map(),
        "UPSTREAM_BLOCK": upstream_block,
        "FASTCGI_PASS": fastcgi_pass,
        "HTTPS_LISTEN": https_listen,
        "CONN_CAP": conn_cap,
        "TLS_CERT": cert,
        "TLS_KEY": key,
        "CONN_LIMIT": conn_limit,
        "HTTPS_HEADERS": header_block(headers(hsts), 8),
        "FASTCGI_SETTINGS": fastcgi_settings,
        "RATE_LIMIT": rate_limit,
        "HTTPS_PREFLIGHT": https_preflight,
        "HTTPS_ERRORS": error_block(hsts, provider_name),
        "HTTP_SERVER": http_server,
    }
    with open(TEMPLATE, encoding="utf-8") as f:
        template = f.read()

    def fill(m):
        if m.group(1) not in fields:
            raise RenderError(f"template field {{{{{m.group(1)}}}}} has no value")
        return fields[m.group(1)]
    text = re.sub(r"\{\{([A-Z0-9_]+)\}\}", fill, template)
    return run_dir, text


def main(argv):
    ap = argparse.ArgumentParser(description="Render Lume's nginx configuration.")
    ap.add_argument("--output", "-o", help="file to write (default: RUN_DIR/nginx.conf)")
    ap.add_argument("--check", action="store_true", help="run nginx -t on the result")
    ap.add_argument("--get", metavar="NAME",
                    help="print the value NAME has in the environment or the LUME_CONFIG file "
                         "(empty when neither sets it) and exit")
    ap.add_argument("--worker-group", action="store_true",
                    help="print the group nginx's workers will run as (empty when nginx keeps "
                         "the user that starts it) and exit")
    args = ap.parse_args(argv)
    if args.get or args.worker_group:
        try:
            if args.get:
                print(given(os.environ).get(args.get, ""))
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
        run_dir, text = render(os.environ, version)
    except RenderError as e:
        print(f"render: {e}", file=sys.stderr)
        return 2
    for sub in ("logs", "tmp"):
        os.makedirs(os.path.join(run_dir, sub), exist_ok=True)
    try:
        prepare_stream_dir(settings(os.environ), run_dir)
    except (RenderError, OSError) as e:
        print(f"render: {e}", file=sys.stderr)
        return 2
    out = os.path.abspath(args.output or os.path.join(run_dir, "nginx.conf"))
    tmp = out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, out)
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
