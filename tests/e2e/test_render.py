"""nginx/render.py: the version switch for HTTP/2, settings that turn parts
off, the stream layer in front (LUME_CONN_PER_ADDR_MAX), and refusal of
values that could change the configuration's structure; the files it installs
(nginx/lume.conf and nginx/snippets/ hold the fixed directives, render.py
replaces their ${...} and writes generated/), and the operator's conf.d/;
nginx's own errors agree with the app's. Runs render.py against a stand-in
`nginx -v`/`nginx -V` (a Debian-like build whose stream module is a dynamic
one in a modules directory of its own), and reads the configuration with its
includes expanded (tests/lib/nginx_conf.py); needs no nginx but for the one
test that checks the operator's files with `nginx -t`."""
import grp
import importlib.util
import os
import resource
import pwd
import shutil
import json
import re
import socket
import stat
import subprocess
import tempfile
import time
import unittest

import nginx_conf
import nginx_harness
from harness import BINARY, ROOT, Master

RENDER = os.path.join(ROOT, "nginx", "render.py")
CONF = os.path.join(ROOT, "nginx", "lume.conf")
SNIPPETS = os.path.join(ROOT, "nginx", "snippets")


def load_render():
    spec = importlib.util.spec_from_file_location("lume_render", RENDER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class TestRender(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="lume-render-")
        for name in ("cert.pem", "key.pem"):
            open(os.path.join(self.dir, name), "w").close()

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def fake_nginx(self, version, configure=None):
        """`nginx -v` names the version; `nginx -V` adds the configure
        arguments, by default those of Debian's build with the stream module
        present in self.modules."""
        self.modules = os.path.join(self.dir, "modules")
        os.makedirs(self.modules, exist_ok=True)
        open(os.path.join(self.modules, "ngx_stream_module.so"), "w").close()
        if configure is None:
            configure = (f"--prefix=/usr/share/nginx --modules-path={self.modules} "
                         "--with-stream=dynamic --with-stream_realip_module")
        return nginx_conf.stand_in_nginx(os.path.join(self.dir, f"nginx-{version}"), version,
                                         configure)

    def render(self, version="1.22.1", nofile=None, configure=None, **env):
        full = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "BUILD": os.environ.get("BUILD", "build"),
                "LUME_NGINX": self.fake_nginx(version, configure),
                "LUME_RUN_DIR": os.path.join(self.dir, "run"),
                "LUME_TLS_CERT": os.path.join(self.dir, "cert.pem"),
                "LUME_TLS_KEY": os.path.join(self.dir, "key.pem"),
                "LUME_LISTEN": "unix:/tmp/lume-render-test.sock"}
        full.update(env)
        out = os.path.join(self.dir, "nginx.conf")
        limit = None if nofile is None else (
            lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (min(nofile, 1024), nofile)))
        r = subprocess.run(["python3", RENDER, "--output", out], env=full, capture_output=True,
                           text=True, timeout=30, preexec_fn=limit)
        text = nginx_conf.text(out) if r.returncode == 0 else ""
        return r, text

    def test_http2_directive_by_version(self):
        _, old = self.render("1.22.1")
        self.assertRegex(old, r"listen \S+ ssl http2")
        self.assertNotIn("http2 on;", old)
        for version in ("1.25.1", "1.27.4", "2.0.0"):
            _, new = self.render(version)
            self.assertIn("http2 on;", new, version)
            self.assertNotRegex(new, r"listen [^;]* http2", version)
        _, before = self.render("1.25.0")
        self.assertNotIn("http2 on;", before)

    def test_defaults(self):
        r, text = self.render()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("rate=10r/s", text)
        self.assertIn("burst=20 nodelay", text)
        # the public ports are the stream layer's (the per-address cap)
        self.assertIn("    server {\n        listen 8443;\n", text)
        self.assertIn("    server {\n        listen 8080;\n", text)
        self.assertIn("limit_conn lume_addr 256;", text)
        self.assertIn('"http://localhost";', text)
        self.assertIn('"http://10.0.2.2";', text)
        self.assertIn("fastcgi_read_timeout 10s;", text)
        self.assertIn("server_tokens off;", text)
        self.assertIn("ssl_protocols TLSv1.2 TLSv1.3;", text)
        # kept connections (LUME_FCGI_KEEP_CONNS, 256): nginx keeps a quarter
        # of it idle per worker of its own; one retry, on the same socket listed again as
        # the backup, errors only, and two more lines for the free retries of
        # requests that met the close of a kept connection, each backup the
        # socket spelled another way (nginx's keepalive cache matches by the
        # address's bytes: a retry gets a connection of its own)
        upstream = text.split("upstream lume_workers {")[1].split("}")[0]
        self.assertIn("keepalive 64;", upstream)
        self.assertIn("keepalive_timeout 60s;", upstream)
        self.assertIn("fastcgi_keep_conn on;", text)
        self.assertEqual([l.strip() for l in upstream.splitlines() if l.strip().startswith("server")],
                         ["server unix:/tmp/lume-render-test.sock max_fails=0;",
                          "server unix:/tmp/./lume-render-test.sock max_fails=0 backup;",
                          "server unix:/tmp/././lume-render-test.sock max_fails=0 backup;",
                          "server unix:/tmp/./././lume-render-test.sock max_fails=0 backup;"])
        # a path with no room to be spelled longer (sun_path: 108 bytes with
        # its NUL) keeps its one spelling
        long_path = "/tmp/" + "x" * 95 + ".sock"  # 105 bytes: room for one "/."
        rl, textl = self.render(LUME_LISTEN=f"unix:{long_path}")
        self.assertEqual(rl.returncode, 0, rl.stderr)
        upstreaml = textl.split("upstream lume_workers {")[1].split("}")[0]
        self.assertEqual([l.strip() for l in upstreaml.splitlines()
                          if l.strip().startswith("server")],
                         [f"server unix:{long_path} max_fails=0;",
                          f"server unix:/tmp/./{'x' * 95}.sock max_fails=0 backup;",
                          f"server unix:{long_path} max_fails=0 backup;",
                          f"server unix:{long_path} max_fails=0 backup;"])
        # LUME_FCGI_KEEP_CONNS=0: a connection per request, as before
        r0, text0 = self.render(LUME_FCGI_KEEP_CONNS="0")
        self.assertEqual(r0.returncode, 0, r0.stderr)
        upstream0 = text0.split("upstream lume_workers {")[1].split("}")[0]
        self.assertNotIn("keepalive", upstream0)
        self.assertIn("fastcgi_keep_conn off;", text0)
        self.assertEqual([l.strip() for l in upstream0.splitlines() if l.strip().startswith("server")],
                         ["server unix:/tmp/lume-render-test.sock max_fails=0;",
                          "server unix:/tmp/lume-render-test.sock max_fails=0 backup;"])
        self.assertIn("fastcgi_next_upstream error;", text)
        self.assertIn("fastcgi_next_upstream_tries 2;", text)
        self.assertIn("fastcgi_next_upstream_timeout 2s;", text)
        self.assertNotIn("${", text)
        run = os.path.join(self.dir, "run")
        for directive in ("pid", "client_body_temp_path", "fastcgi_temp_path", "proxy_temp_path",
                          "scgi_temp_path", "uwsgi_temp_path", "error_log", "access_log"):
            line = next(l for l in text.splitlines() if l.strip().startswith(directive + " "))
            self.assertIn(run, line, directive)

    def test_metrics_and_status_are_for_loopback_and_private_networks_only(self):
        r, text = self.render()
        self.assertEqual(r.returncode, 0, r.stderr)
        for path in ("/metrics", "/status"):
            block = text.split(f"location = {path} {{")[1].split("}")[0]
            self.assertEqual([l.strip() for l in block.splitlines()
                              if l.strip().startswith(("allow", "deny"))],
                             ["allow 127.0.0.0/8;", "allow ::1;", "allow 10.0.0.0/8;",
                              "allow 172.16.0.0/12;", "allow 192.168.0.0/16;", "allow fc00::/7;",
                              "deny all;"], path)
            self.assertNotIn("limit_req", block)  # a scraper never sees 429
        r, text = self.render(LUME_METRICS_ALLOW="10.1.2.3, 2001:db8::/32")
        self.assertEqual(r.returncode, 0, r.stderr)
        block = text.split("location = /metrics {")[1].split("}")[0]
        self.assertIn("allow 10.1.2.3;\n", block)
        self.assertIn("allow 2001:db8::/32;\n", block)
        self.assertNotIn("127.0.0.0/8", block)
        r, text = self.render(LUME_METRICS_ALLOW="")  # nobody
        block = text.split("location = /status {")[1].split("}")[0]
        self.assertEqual([l.strip() for l in block.splitlines() if "allow" in l or "deny" in l],
                         ["deny all;"])

    def test_the_response_cache_of_the_resolve_routes(self):
        r, text = self.render()
        self.assertEqual(r.returncode, 0, r.stderr)
        run = os.path.join(self.dir, "run")
        # The entries of the app's configuration (its generation) in a directory
        # and a zone of their own; max-age 300 and the stale windows of 48 h:
        # 173100 s without a request.
        gen = self.generation()
        self.assertTrue(f"fastcgi_cache_path {run}/cache/{gen} levels=1:2 keys_zone=lume_{gen}:10m "
                        "max_size=256m inactive=173100s use_temp_path=off;" in text)
        cached = text.split("location /resolve/ {")[1].split("fastcgi_pass")[0]
        for directive in (f"fastcgi_cache lume_{gen};", "fastcgi_cache_key $lume_cache_key;",
                          "fastcgi_cache_lock on;", "fastcgi_no_cache $lume_cache_foreign;",
                          "fastcgi_cache_use_stale error timeout http_503;"):
            self.assertTrue(directive in cached, directive)
        # After max-age the provider is asked before anything is answered.
        self.assertNotIn("fastcgi_cache_background_update", text)
        self.assertEqual(text.count(f"fastcgi_cache lume_{gen};"), 3)  # /resolve/, /streams/, /stremio/
        self.assertIn(f'"{gen}" 0;', text.split("$lume_cache_foreign {")[1].split("}")[0])
        self.assertTrue("add_header X-Cache-Status $lume_cache_status always;" in text)
        self.assertIn("fastcgi_param CACHE_STATUS $upstream_cache_status;", text)
        self.assertIn("fastcgi_hide_header X-Lume-Generation;", text)
        # Its size and place; the entries outlive max-age by the longer stale window.
        _, other = self.render(LUME_CACHE_SIZE="1g", LUME_CACHE_PATH="/var/cache/lume",
                               LUME_CACHE_MAX_AGE="60", LUME_CACHE_STALE_WHILE_REVALIDATE="10",
                               LUME_CACHE_STALE_IF_ERROR="3600")
        self.assertTrue(f"fastcgi_cache_path /var/cache/lume/{gen} levels=1:2 "
                        f"keys_zone=lume_{gen}:10m max_size=1g inactive=3660s "
                        "use_temp_path=off;" in other)
        # Another provider or catalog: another generation.
        _, archive = self.render(LUME_PROVIDER="archive")
        self.assertNotIn(gen, archive)
        self.assertIn(f"/cache/{self.generation(LUME_PROVIDER='archive')} ", archive)
        r, off = self.render(LUME_CACHE_SIZE="0")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertFalse("fastcgi_cache" in off)
        self.assertTrue("X-Cache-Status" in off)
        # max-age=0: nothing could be stored, and the cache would keep a
        # client's If-None-Match from the worker: off as well
        r, zero = self.render(LUME_CACHE_MAX_AGE="0")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertFalse("fastcgi_cache" in zero)
        self.assertTrue("X-Cache-Status" in zero)
        for bad in ({"LUME_CACHE_SIZE": "lots"}, {"LUME_CACHE_SIZE": "1t"},
                    {"LUME_CACHE_PATH": "/tmp/a b"}, {"LUME_CACHE_STALE_IF_ERROR": "-1"}):
            r, _ = self.render(**bad)
            self.assertEqual(r.returncode, 2, bad)
            self.assertIn(next(iter(bad)), r.stderr)

    def generation(self, **env):
        """The cache generation lume-fcgi --dump-config gives for env."""
        out = subprocess.run([BINARY, "--dump-config"], capture_output=True, text=True, timeout=30,
                             env={k: v for k, v in env.items()})
        self.assertEqual(out.returncode, 0, out.stderr)
        return json.loads(out.stdout)["cache_generation"]

    def test_the_edge_metrics(self):
        run = os.path.join(self.dir, "run")
        edge_log = f"access_log {run}/logs/edge.log lume_edge buffer=16k flush=1s;"
        r, text = self.render()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(text.count(edge_log), 1)
        self.assertIn(f"access_log {run}/logs/access.log lume_json;", text)
        self.assertIn(f"proxy_pass http://unix:{run}/edge.sock:/metrics;", text)
        self.assertIn('"route":"$lume_route"', text)  # the JSON log names the route too
        # "access_log off" would cancel the edge log beside it: none is written
        r, text = self.render(LUME_NGINX_ACCESS_LOG="off")
        self.assertEqual((r.returncode, text.count("access_log ")), (0, 1), r.stderr)
        self.assertIn(edge_log, text)
        r, text = self.render(LUME_EDGE_METRICS="off", LUME_NGINX_ACCESS_LOG="off")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("access_log off;", text)
        self.assertNotIn("edge.log", text)
        self.assertNotIn("/metrics/edge", text.split("map $request_uri $lume_route")[1]
                         .split("}", 1)[1])
        for bad in ({"LUME_EDGE_METRICS": "yes"}, {"LUME_EDGE_LOG_MAX": "8t"},
                    {"LUME_EDGE_LOG_MAX": "1k"}):
            r, _ = self.render(**bad)
            self.assertEqual(r.returncode, 2, bad)
            self.assertIn(next(iter(bad)), r.stderr)

    def test_switches_off(self):
        r, text = self.render(LUME_RATE_LIMIT="0", LUME_HTTP_PORT="0", LUME_CONN_LIMIT="0")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("limit_req ", text)
        self.assertNotIn("limit_conn lume_conn", text)
        self.assertNotIn("return 301", text)
        self.assertNotIn(".lume-redirect", text)

    def test_timeout_follows_the_app(self):
        _, text = self.render(LUME_REQUEST_TIMEOUT_MS="20500")
        self.assertIn("fastcgi_read_timeout 23s;", text)

    def test_nginx_stamps_each_request_for_the_queue_deadline(self):
        _, text = self.render()
        self.assertIn("fastcgi_param REQUEST_START $msec;", text)

    def test_connections_are_sized_for_a_slowloris_within_the_file_limit(self):
        # render.py runs with the hard limit on open files given here (it can
        # only be lowered without privileges); nginx inherits the same.
        if resource.getrlimit(resource.RLIMIT_NOFILE)[1] < 16384:
            self.skipTest("this process's hard limit on open files is below 16384")
        off = {"LUME_CONN_PER_ADDR_MAX": "off"}  # one nginx connection per client's
        _, text = self.render(nofile=16384, **off)
        self.assertIn("worker_connections 8192;", text)
        self.assertIn("worker_rlimit_nofile 16384;", text)
        _, text = self.render(nofile=16384, LUME_NGINX_CONNECTIONS="4000", **off)
        self.assertIn("worker_connections 4000;", text)
        self.assertIn("worker_rlimit_nofile 8000;", text)
        # nginx cannot raise its hard limit: the connections fit in it instead
        _, text = self.render(nofile=16384, LUME_NGINX_CONNECTIONS="20000", **off)
        self.assertIn("worker_connections 16320;", text)
        self.assertIn("worker_rlimit_nofile 16384;", text)
        _, text = self.render(nofile=4096, **off)
        self.assertIn("worker_connections 4032;", text)
        self.assertIn("worker_rlimit_nofile 4096;", text)
        # Behind the stream layer each client connection takes three nginx
        # connections (the client's, the stream's to the http server, the
        # http server's): three times as many, in the same file limit.
        _, text = self.render(nofile=16384, LUME_NGINX_CONNECTIONS="2000")
        self.assertIn("worker_connections 6000;", text)
        self.assertIn("worker_rlimit_nofile 12000;", text)
        _, text = self.render(nofile=16384)
        self.assertIn("worker_connections 16320;", text)
        self.assertIn("worker_rlimit_nofile 16384;", text)
        for value in ("100", "2000000", "lots"):
            r, _ = self.render(LUME_NGINX_CONNECTIONS=value)
            self.assertEqual(r.returncode, 2, value)
            self.assertIn("LUME_NGINX_CONNECTIONS", r.stderr)

    def test_the_stream_layer_caps_connections_per_address_by_default(self):
        r, text = self.render()
        self.assertEqual(r.returncode, 0, r.stderr)
        run = os.path.join(self.dir, "run")
        # Debian's stream module is a dynamic one, loaded before events {}
        self.assertTrue(text.index(f"load_module {self.modules}/ngx_stream_module.so;")
                        < text.index("stream {") < text.index("events {"))
        stream = text.split("stream {")[1].split("\nevents {")[0]
        self.assertIn("limit_conn_zone $binary_remote_addr zone=lume_addr:10m;", stream)
        self.assertIn("proxy_protocol on;", stream)
        self.assertNotIn("ssl", stream)  # bytes pass through; TLS ends in http {}
        servers = stream.split("    server {")[1:]
        self.assertEqual(len(servers), 2)
        for server, port, name in ((servers[0], 8443, "https"), (servers[1], 8080, "http")):
            self.assertIn(f"listen {port};", server)
            self.assertIn("limit_conn lume_addr 256;", server)
            self.assertIn(f"proxy_pass unix:{run}/stream/{name}.sock;", server)
        http = text.split("\nhttp {")[1]
        self.assertIn(f"listen unix:{run}/stream/https.sock ssl http2 proxy_protocol;", http)
        self.assertIn(f"listen unix:{run}/stream/http.sock proxy_protocol;", http)
        self.assertNotRegex(http, r"listen [0-9]")
        # the client's address comes from the PROXY protocol header, trusted
        # only from the unix sockets
        self.assertEqual(http.count("set_real_ip_from unix:;"), 2)
        self.assertEqual(http.count("real_ip_header proxy_protocol;"), 2)
        self.assertIn('"remote_addr":"$lume_remote_addr"', http)
        self.assertIn("fastcgi_param REMOTE_ADDR $remote_addr;", http)
        self.assertIn("fastcgi_param SERVER_PORT $proxy_protocol_server_port;", http)
        # only nginx's workers may reach the sockets (they could claim any address)
        self.assertEqual(stat.S_IMODE(os.stat(os.path.join(run, "stream")).st_mode), 0o700)

        r, text = self.render(LUME_CONN_PER_ADDR_MAX="1000", LUME_HTTP_PORT="0",
                              LUME_BIND="127.0.0.1")
        self.assertEqual(r.returncode, 0, r.stderr)
        stream = text.split("stream {")[1].split("\nevents {")[0]
        self.assertEqual(stream.count("    server {"), 1)
        self.assertIn("listen 127.0.0.1:8443;", stream)
        self.assertIn("limit_conn lume_addr 1000;", stream)

    def test_the_cap_off_renders_no_stream_layer(self):
        for value in ("0", "off"):
            with self.subTest(value=value):
                # off needs no stream module
                r, text = self.render(LUME_CONN_PER_ADDR_MAX=value,
                                      configure="--prefix=/nonexistent --with-stream=dynamic")
                self.assertEqual(r.returncode, 0, r.stderr)
                for absent in ("load_module", "stream {", "proxy_protocol ", "real_ip",
                               "unix:;", "lume_addr"):
                    self.assertNotIn(absent, text)
                self.assertIn("listen 8443 ssl http2;", text)
                self.assertIn("listen 8080;", text.split("\nhttp {")[1])
                self.assertIn("fastcgi_param SERVER_ADDR $server_addr;", text)
                self.assertIn("fastcgi_param SERVER_PORT $server_port;", text)
                self.assertFalse(os.path.exists(os.path.join(self.dir, "run", "stream")))

    def test_a_built_in_stream_module_is_not_loaded(self):
        r, text = self.render(configure="--prefix=/etc/nginx --with-stream --with-stream_realip_module")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("load_module", text)
        self.assertIn("stream {", text)

    def test_a_missing_stream_module_is_a_clear_error(self):
        for configure, path in (
                (f"--modules-path={self.dir}/none --with-stream=dynamic",
                 f"{self.dir}/none/ngx_stream_module.so"),
                ("--prefix=/nonexistent", "/nonexistent/modules/ngx_stream_module.so"),
                ("", "/usr/local/nginx/modules/ngx_stream_module.so")):
            with self.subTest(configure=configure):
                r, _ = self.render(configure=configure)
                self.assertEqual(r.returncode, 2)
                self.assertIn(f"LUME_CONN_PER_ADDR_MAX=256 needs nginx's stream module and "
                              f"{path} is missing", r.stderr)
                self.assertIn("libnginx-mod-stream", r.stderr)
                self.assertIn("LUME_CONN_PER_ADDR_MAX=off", r.stderr)

    def test_a_stale_socket_is_removed_and_a_live_one_kept(self):
        # nginx cannot bind a socket file a killed nginx left behind; one that
        # accepts belongs to a running nginx (being reloaded) and stays.
        d = os.path.join(self.dir, "run", "stream")
        os.makedirs(d)
        stale, live = socket.socket(socket.AF_UNIX), socket.socket(socket.AF_UNIX)
        try:
            stale.bind(os.path.join(d, "https.sock"))
            live.bind(os.path.join(d, "http.sock"))
            live.listen(1)
            stale.close()
            r, _ = self.render()
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertFalse(os.path.exists(os.path.join(d, "https.sock")))
            self.assertTrue(os.path.exists(os.path.join(d, "http.sock")))
        finally:
            stale.close()
            live.close()

    def test_the_redirect_names_the_public_host_and_the_https_port(self):
        cases = ((dict(), "localhost:8443"),
                 (dict(LUME_PUBLIC_HOST="api.example.com"), "api.example.com:8443"),
                 (dict(LUME_PUBLIC_HOST="api.example.com", LUME_HTTPS_PORT="443"),
                  "api.example.com"),
                 # a port given with the host wins (a container port published as 443)
                 (dict(LUME_PUBLIC_HOST="api.example.com:443"), "api.example.com:443"),
                 (dict(LUME_PUBLIC_HOST="10.0.2.2"), "10.0.2.2:8443"),
                 (dict(LUME_PUBLIC_HOST="[::1]:9443"), "[::1]:9443"))
        for env, authority in cases:
            with self.subTest(env=env):
                r, text = self.render(**env)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertIn(f'add_header Location "https://{authority}$request_uri" always;',
                              text)
                self.assertNotIn("$host", text.split("location = /.lume-redirect")[1])

    def test_a_public_host_that_is_not_a_host_is_refused(self):
        for value in ("", "evil.example/path", "$host", "a b", "https://a.example", "-a.example",
                      "a-.example", "a..example", "[::1", ":443", "a.example:0",
                      "a.example:70000", "a.example:", "a.example;", "a" * 64 + ".example"):
            with self.subTest(value=value):
                r, _ = self.render(LUME_PUBLIC_HOST=value)
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertIn("LUME_PUBLIC_HOST", r.stderr)

    def test_tcp_upstream(self):
        _, text = self.render(LUME_LISTEN="10.1.2.3:9000")
        self.assertIn("server 10.1.2.3:9000 max_fails=0;", text)
        self.assertIn("server 10.1.2.3:9000 max_fails=0 backup;", text)

    def test_resolver_resolves_the_app_at_request_time(self):
        """LUME_RESOLVER (Compose: Docker's DNS): the address is a variable, so
        nginx resolves the name per request and spreads over every replica,
        and a failed connection moves on to another replica early."""
        r, text = self.render(LUME_LISTEN="app:9000", LUME_RESOLVER="127.0.0.11")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("resolver 127.0.0.11 valid=1s ipv6=off;", text)
        self.assertIn("default app:9000;", text)
        self.assertNotIn("upstream lume_workers", text)
        # every location that reaches the app: /health, /metrics, /status, /,
        # /resolve, /resolve/health/provider, /resolve/, /streams/ and /stremio/ (cached)
        self.assertEqual(text.count("fastcgi_pass $lume_workers;"), 9)  # every location, /streams/ and /stremio/ too
        self.assertIn("fastcgi_next_upstream error timeout;", text)
        self.assertIn("fastcgi_next_upstream_timeout 3s;", text)
        self.assertNotIn("backup;", text)
        self.assertIn("fastcgi_connect_timeout 200ms;", text)
        _, two = self.render(LUME_LISTEN="app:9000", LUME_RESOLVER="10.0.0.2,10.0.0.3:53")
        self.assertIn("resolver 10.0.0.2 10.0.0.3:53 valid=1s ipv6=off;", two)
        # Without it: one upstream resolved at start; its only retry is the
        # same socket's backup line (a worker that died before answering).
        _, static = self.render(LUME_LISTEN="app:9000")
        self.assertNotIn("resolver ", static)
        self.assertIn("server app:9000 max_fails=0;", static)
        self.assertIn("server app:9000 max_fails=0 backup;", static)
        self.assertEqual(static.count("fastcgi_pass lume_workers;"), 9)
        self.assertIn("fastcgi_next_upstream error;", static)
        self.assertNotIn("fastcgi_next_upstream error timeout;", static)
        self.assertIn("fastcgi_connect_timeout 2s;", static)

    def test_health_goes_to_the_health_responder_when_there_is_one(self):
        """LUME_HEALTH_LISTEN: location = /health passes to the app's health
        responder (a short read timeout); the rest still to the workers.
        With LUME_RESOLVER its name is re-resolved too."""
        def health_location(text):
            start = text.index("location = /health {")
            return text[start:text.index("\n        }\n", start)]

        _, without = self.render()
        to_workers = without.count("fastcgi_pass lume_workers;")
        r, text = self.render(LUME_HEALTH_LISTEN="unix:/tmp/lume-render-health.sock")
        self.assertEqual(r.returncode, 0, r.stderr)
        health = health_location(text)
        self.assertIn("fastcgi_pass unix:/tmp/lume-render-health.sock;", health)
        self.assertIn("fastcgi_read_timeout 2s;", health)
        self.assertEqual(text.count("fastcgi_pass lume_workers;"), to_workers - 1)  # all but it
        r, text = self.render(LUME_LISTEN="app:9000", LUME_HEALTH_LISTEN="app:9001",
                              LUME_RESOLVER="127.0.0.11")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("map $host $lume_health {\n        default app:9001;\n    }", text)
        self.assertIn("fastcgi_pass $lume_health;", health_location(text))
        self.assertEqual(text.count("fastcgi_pass $lume_workers;"), to_workers - 1)
        r, _ = self.render(LUME_LISTEN="app:9000", LUME_HEALTH_LISTEN="unix:/x.sock",
                           LUME_RESOLVER="127.0.0.11")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("LUME_HEALTH_LISTEN must be HOST:PORT", r.stderr)
        r, _ = self.render(LUME_HEALTH_LISTEN="nowhere")
        self.assertIn("invalid LUME_HEALTH_LISTEN=nowhere", r.stderr)
        # without it, /health is the workers' as before
        self.assertIn("fastcgi_pass lume_workers;", health_location(without))

    def test_resolver_refuses_a_unix_socket_and_odd_servers(self):
        for env in ({"LUME_RESOLVER": "127.0.0.11"},
                    {"LUME_RESOLVER": "127.0.0.11;evil", "LUME_LISTEN": "app:9000"},
                    {"LUME_RESOLVER": "127.0.0.11 valid=0", "LUME_LISTEN": "app:9000"}):
            with self.subTest(env=env):
                r, _ = self.render(**env)
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertIn("LUME_RESOLVER", r.stderr)

    def test_rejects_unsafe_values(self):
        for name, value in (("LUME_CORS_ORIGINS", "*"),
                            ("LUME_CORS_ORIGINS", "http://a.example/path"),
                            ("LUME_CORS_ORIGINS", 'http://a.example"; evil'),
                            ("LUME_LISTEN", "unix:/tmp/a;b"),
                            ("LUME_LISTEN", "nonsense"),
                            ("LUME_RATE_LIMIT", "-1"),
                            ("LUME_CONN_PER_ADDR_MAX", "-1"),
                            ("LUME_CONN_PER_ADDR_MAX", "65536"),
                            ("LUME_CONN_PER_ADDR_MAX", "on"),
                            ("LUME_CONN_PER_ADDR_MAX", "256;"),
                            ("LUME_HTTPS_PORT", "70000"),
                            ("LUME_METRICS_ALLOW", "all"),
                            ("LUME_METRICS_ALLOW", "10.0.0.0/33"),
                            ("LUME_METRICS_ALLOW", "10.0.0.0/8; deny"),
                            ("LUME_METRICS_ALLOW", "::1/129"),
                            ("LUME_TLS_CERT", "/nonexistent/cert.pem")):
            with self.subTest(name=name, value=value):
                r, _ = self.render(**{name: value})
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertIn(name, r.stderr)

    def test_config_file_is_read_and_environment_wins(self):
        path = os.path.join(self.dir, "lume.env")
        with open(path, "w") as f:
            f.write("# comment\nexport LUME_RATE_LIMIT=7\nLUME_RATE_BURST = '9'\n"
                    "LUME_HTTPS_PORT=9443\n")
        _, text = self.render(LUME_CONFIG=path, LUME_HTTPS_PORT="9444")
        self.assertIn("rate=7r/s", text)
        self.assertIn("burst=9 nodelay", text)
        self.assertRegex(text, r"listen 9444[ ;]")

    def test_worker_group_names_the_group_the_socket_must_have(self):
        def worker_group(**env):
            full = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                    "BUILD": os.environ.get("BUILD", "build"), **env}
            return subprocess.run(["python3", RENDER, "--worker-group"], env=full,
                                  capture_output=True, text=True, timeout=30)
        if os.geteuid() != 0:  # nginx keeps the caller's user: the socket's owner
            self.assertEqual(worker_group().stdout.strip(), "")
            return
        r = worker_group(LUME_NGINX_USER="nobody")
        self.assertEqual(r.stdout.strip(), grp.getgrgid(pwd.getpwnam("nobody").pw_gid).gr_name,
                         r.stderr)
        _, text = self.render(LUME_NGINX_USER="nobody")
        self.assertIn(f"user nobody {r.stdout.strip()};", text)
        self.assertEqual(worker_group().stdout.strip(), grp.getgrgid(os.getgid()).gr_name)
        r = worker_group(LUME_NGINX_USER="no-such-user-for-lume")
        self.assertEqual(r.returncode, 2)
        self.assertIn("LUME_NGINX_USER", r.stderr)


def error_locations(text):
    """{status: (headers {name: value}, body)} of the first server's nginx error
    locations, the $variables of the body left as they are."""
    out = {}
    for status, block in re.findall(r"location = /\.lume-error/(\d+) \{(.*?)\n\s*\}", text, re.S):
        if int(status) in out:
            break  # the plain-HTTP server repeats them
        headers = dict((n, v.strip('"')) for n, v in re.findall(r"add_header (\S+) (.+?) always;",
                                                                block))
        body = re.search(r"return \d+ '(.*)';", block).group(1)
        out[int(status)] = (headers, body)
    return out


class TestNginxAndTheAppAgree(unittest.TestCase):
    """nginx answers some errors itself (no worker reachable, a method it
    refuses, a %00 in the path, ...) that the app sends too: the same code,
    status, message and headers (Allow, Retry-After, Cache-Control), and the
    provider named on a 503/504. render.py takes them from the app's
    `lume-fcgi --dump-contract`; these tests fail if anything drifts apart:
    the rendered configuration against the contract, and against what a real
    lume-fcgi answers."""

    SHARED = ("NOT_FOUND", "METHOD_NOT_ALLOWED", "INTERNAL_ERROR", "SERVICE_UNAVAILABLE",
              "PROVIDER_TIMEOUT")

    @classmethod
    def setUpClass(cls):
        out = subprocess.run([BINARY, "--dump-contract"], capture_output=True, text=True,
                             timeout=30, env={})
        assert out.returncode == 0, out.stderr
        cls.contract = json.loads(out.stdout)
        renderer = TestRender()
        renderer.setUp()
        try:
            r, text = renderer.render()
        finally:
            renderer.tearDown()
        assert r.returncode == 0, r.stderr
        cls.text = text
        cls.pages = error_locations(text)
        cls.by_code = {}
        for status, (headers, body) in cls.pages.items():
            m = re.search(r'"error":"([A-Z_]+)"', body)
            if m:
                cls.by_code[m.group(1)] = (status, headers, body)

    def nginx_fields(self, code):
        status, headers, body = self.by_code[code]
        body = body.replace("$request_id", "x")
        return status, headers, json.loads(body)["detail"]

    def test_every_code_both_send_comes_from_the_contract(self):
        for code in self.SHARED:
            with self.subTest(code=code):
                row = self.contract["errors"][code]
                status, headers, detail = self.nginx_fields(code)
                self.assertEqual(status, row["status"])
                self.assertEqual(detail["message"], row["message"])
                for name in ("Cache-Control", "Allow", "Retry-After"):
                    self.assertEqual(headers.get(name), row["headers"].get(name), name)
                self.assertEqual("provider" in detail, row["provider"])
                if row["provider"]:
                    self.assertEqual(detail["provider"], self.contract["providers"]["mock"])

    def test_a_broken_escape_in_a_resolve_path_is_the_apps_invalid_query(self):
        m = re.search(r"map \$request \$lume_error_400_fields \{(.*?)\n\s*\}", self.text, re.S)
        fields = re.findall(r"'(.*?)';", m.group(1))
        invalid = json.loads("{" + fields[1] + "}")
        self.assertEqual(invalid["error"], "INVALID_QUERY")
        self.assertEqual(invalid["message"], self.contract["errors"]["INVALID_QUERY"]["message"])
        self.assertEqual(self.pages[400][0]["Cache-Control"],
                         self.contract["errors"]["INVALID_QUERY"]["headers"]["Cache-Control"])

    def test_the_preflight_allows_what_the_app_allows(self):
        self.assertIn(f'add_header Allow "{self.contract["allow"]}" always;', self.text)
        self.assertIn(f'add_header Access-Control-Allow-Methods "{self.contract["allow"]}" always;',
                      self.text)

    def test_the_nginx_image_asks_the_lume_fcgi_on_its_path(self):
        """The nginx image: render.py, lume.conf and snippets/ in /opt/lume/nginx, lume-fcgi
        on PATH (no $BUILD): without it render.py says what it lacks; nothing
        lume-fcgi says may change the configuration's structure."""
        with tempfile.TemporaryDirectory(prefix="lume-render-copy-") as d:
            installed = os.path.join(d, "nginx")
            os.mkdir(installed)
            for name in ("render.py", "lume.conf"):
                shutil.copy(os.path.join(ROOT, "nginx", name), installed)
            shutil.copytree(SNIPPETS, os.path.join(installed, "snippets"))
            for name in ("cert.pem", "key.pem"):
                open(os.path.join(d, name), "w").close()
            nginx = os.path.join(d, "nginx-1.22.1")
            with open(nginx, "w") as f:
                f.write("#!/bin/sh\necho 'nginx version: nginx/1.22.1' >&2\n")
            os.chmod(nginx, 0o755)
            bindir = os.path.join(d, "bin")
            os.mkdir(bindir)
            env = {"PATH": bindir + ":/usr/bin:/bin", "LUME_NGINX": nginx,
                   "LUME_RUN_DIR": os.path.join(d, "run"), "LUME_LISTEN": "app:9000",
                   "LUME_TLS_CERT": os.path.join(d, "cert.pem"),
                   "LUME_TLS_KEY": os.path.join(d, "key.pem"), "LUME_PROVIDER": "archive",
                   "LUME_CONN_PER_ADDR_MAX": "off"}  # this stand-in nginx has no stream module
            out = os.path.join(d, "nginx.conf")
            command = ["python3", os.path.join(installed, "render.py"), "--output", out]
            r = subprocess.run(command, env=env, capture_output=True, text=True, timeout=30)
            self.assertEqual(r.returncode, 2)
            self.assertIn("no lume-fcgi", r.stderr)  # says what it lacks
            # A stand-in lume-fcgi: the real one, with a contract of its own.
            contract_file = os.path.join(d, "contract.json")
            stand_in = os.path.join(bindir, "lume-fcgi")
            with open(stand_in, "w") as f:
                f.write(f"#!/bin/sh\n[ \"$1\" = --dump-contract ] && exec cat {contract_file}\n"
                        f"exec {os.path.abspath(BINARY)} \"$@\"\n")
            os.chmod(stand_in, 0o755)
            contract = dict(self.contract, providers={"mock": "MockProvider",
                                                      "archive": "FromTheApp"})
            with open(contract_file, "w") as f:
                json.dump(contract, f)
            r = subprocess.run(command, env=env, capture_output=True, text=True, timeout=30)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn('"provider":"FromTheApp"', nginx_conf.text(out))
            # nothing from it may change the configuration's structure
            errors = dict(contract["errors"])
            errors["NOT_FOUND"] = dict(errors["NOT_FOUND"], message="not found'; return 200 $host")
            with open(contract_file, "w") as f:
                json.dump(dict(contract, errors=errors), f)
            r = subprocess.run(command, env=env, capture_output=True, text=True, timeout=30)
            self.assertEqual(r.returncode, 2)
            self.assertIn("not the contract render.py expects", r.stderr)

    def test_the_app_answers_as_nginx_does(self):
        """The same errors from a real lume-fcgi (mock provider) over FastCGI."""
        stale = "%.3f" % (time.time() - 60)
        asks = (("NOT_FOUND", "/nope", "GET", {}, True),
                ("METHOD_NOT_ALLOWED", "/health", "DELETE", {}, True),
                ("SERVICE_UNAVAILABLE", "/resolve/inception", "GET", {"REQUEST_START": stale}, True),
                ("INTERNAL_ERROR", "/resolve/error:internal", "GET", {}, True),
                # the provider writes its own message for a timeout
                ("PROVIDER_TIMEOUT", "/resolve/error:timeout", "GET", {}, False))
        with Master(workers=1) as m:
            for code, uri, method, params, same_message in asks:
                with self.subTest(code=code):
                    status, headers, body = m.request(uri, method, params=params)
                    detail = json.loads(body)["detail"]
                    n_status, n_headers, n_detail = self.nginx_fields(code)
                    self.assertEqual(detail["error"], code)
                    self.assertEqual(status, n_status)
                    if same_message:
                        self.assertEqual(detail["message"], n_detail["message"])
                    for name in ("Cache-Control", "Allow", "Retry-After"):
                        self.assertEqual(headers.get(name.lower()), n_headers.get(name), name)
                    self.assertEqual(detail.get("provider"), n_detail.get("provider"))
            status, _, body = m.request("/resolve/%00")
            detail = json.loads(body)["detail"]
            self.assertEqual((status, detail["error"]), (400, "INVALID_QUERY"))
            self.assertIn(f'"message":"{detail["message"]}"', self.text)


class TestTheFiles(unittest.TestCase):
    """The configuration reads as nginx: nginx/lume.conf and nginx/snippets/
    hold every directive that is always there; render.py replaces their
    ${...} with values and writes generated/ (values, lists, and what a
    setting switches on or off); the operator's own files in conf.d/ are
    included, never written."""

    def setUp(self):
        self.module = load_render()
        self.renderer = TestRender()
        self.renderer.setUp()
        self.out = os.path.join(self.renderer.dir, "nginx.conf")  # where render() installs it

    def tearDown(self):
        self.renderer.tearDown()

    def static_text(self):
        texts = [open(CONF).read()]
        for name in sorted(os.listdir(SNIPPETS)):
            with open(os.path.join(SNIPPETS, name)) as f:
                texts.append(f.read())
        return "\n".join(texts)

    def installed(self):
        """{path relative to nginx.conf's directory: text} of what render.py wrote."""
        d = os.path.dirname(self.out)
        files = {"nginx.conf": open(self.out).read()}
        for sub in ("snippets", "generated"):
            for name in os.listdir(os.path.join(d, sub)):
                with open(os.path.join(d, sub, name)) as f:
                    files[f"{sub}/{name}"] = f.read()
        return files

    def test_the_fixed_directives_are_in_the_static_files_not_in_render_py(self):
        static = self.static_text()
        with open(RENDER) as f:
            source = f.read()
        for directive in ("fastcgi_param REQUEST_START $msec;", "fastcgi_hide_header X-Request-Id;",
                          "fastcgi_buffers 16 16k;", "fastcgi_read_timeout 2s;",
                          "fastcgi_next_upstream error;", "fastcgi_connect_timeout 200ms;",
                          "ssl_protocols TLSv1.2 TLSv1.3;",
                          "add_header X-Content-Type-Options nosniff always;",
                          "limit_conn_zone $binary_remote_addr zone=lume_conn:10m;",
                          "error_page 418 =301 /.lume-redirect;", "return 204;",
                          "limit_conn_zone $binary_remote_addr zone=lume_addr:10m;",
                          "fastcgi_cache_lock on;", "proxy_connect_timeout 1s;",
                          "map $request_uri $lume_cache_key"):
            with self.subTest(directive=directive):
                self.assertTrue(directive in static, f"{directive} is not in nginx/")
                self.assertFalse(directive in source, f"render.py writes {directive} itself")

    def test_render_py_imports_only_what_the_nginx_images_python_has(self):
        """The nginx image has Debian's python3-minimal: no json, no resource
        (libpython3.11-minimal ships ast, argparse, re, socket, subprocess; pwd,
        grp and sys are built in). A module outside these breaks the image only."""
        import ast
        with open(RENDER) as f:
            tree = ast.parse(f.read())
        imported = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                imported.add(node.module.split(".")[0])
        self.assertLessEqual(imported, {"argparse", "ast", "grp", "os", "pwd", "re", "socket",
                                        "subprocess", "sys"})

    def test_substitution_replaces_each_name_and_nothing_else(self):
        substitute = self.module.substitute
        self.assertEqual(substitute("a ${X} $x ${x} $X {X};\n", {"X": 1}, "t"),
                         "a 1 $x ${x} $X {X};\n")  # nginx's own variables stay
        with self.assertRaises(self.module.RenderError) as caught:
            substitute("a ${Y};\n", {"X": 1}, "nginx/snippets/t.conf")
        self.assertIn("nginx/snippets/t.conf: ${Y} has no value", str(caught.exception))

    def test_every_name_in_the_static_files_has_a_value_and_each_value_a_use(self):
        class Anything(dict):
            def __missing__(self, key):
                return ""
        names = set(self.module.substituted(Anything()))
        used = set(self.module.PLACEHOLDER.findall(self.static_text()))
        self.assertEqual(used, names)
        r, _ = self.renderer.render()
        self.assertEqual(r.returncode, 0, r.stderr)
        for name, text in self.installed().items():
            self.assertEqual(self.module.PLACEHOLDER.findall(text), [], name)

    def test_every_file_is_included_and_every_include_is_there(self):
        r, _ = self.renderer.render()
        self.assertEqual(r.returncode, 0, r.stderr)
        files = self.installed()
        with open(RENDER) as f:  # the snippets a setting switches on: included from generated/
            included = set(re.findall(r"include (snippets/[a-z-]+\.conf);", f.read()))
        for text in files.values():
            included.update(m for m in re.findall(r"^\s*include (\S+);", text, re.M))
        operators = {"conf.d/http/*.conf", "conf.d/server/*.conf"}
        self.assertEqual(included - set(files), operators)
        self.assertEqual(set(files) - included, {"nginx.conf"})
        self.assertEqual(len([f for f in files if f.startswith("generated/")]),
                         len(self.module.GENERATED))
        for name, text in files.items():
            if name.startswith("generated/"):
                self.assertTrue(text.startswith("# Generated by nginx/render.py"), name)

    def test_files_go_next_to_the_output_and_an_earlier_renders_leftovers_go(self):
        d = os.path.dirname(self.out)
        for sub in ("generated", "snippets", "conf.d/server"):
            os.makedirs(os.path.join(d, sub))
            with open(os.path.join(d, sub, "old.conf"), "w") as f:
                f.write("bogus;\n")
        r, _ = self.renderer.render()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertFalse(os.path.exists(os.path.join(d, "generated", "old.conf")))
        self.assertFalse(os.path.exists(os.path.join(d, "snippets", "old.conf")))
        # the operator's are theirs
        self.assertTrue(os.path.exists(os.path.join(d, "conf.d", "server", "old.conf")))
        self.assertTrue(os.path.isdir(os.path.join(d, "conf.d", "http")))
        self.assertEqual(sorted(os.listdir(os.path.join(d, "snippets"))),
                         sorted(os.listdir(SNIPPETS)))

    def test_the_operators_own_files_are_included_where_they_belong(self):
        d = os.path.dirname(self.out)
        for sub, text in (("server", "server_name api.example.com;\n"),
                          ("http", "map $http_x_lume_test $lume_test {\n    default 0;\n}\n")):
            os.makedirs(os.path.join(d, "conf.d", sub))
            with open(os.path.join(d, "conf.d", sub, "mine.conf"), "w") as f:
                f.write(text)
        r, text = self.renderer.render()
        self.assertEqual(r.returncode, 0, r.stderr)
        https = text.split("\nhttp {\n")[1].split("\n    server {\n")[1].split("\n    }\n")[0]
        self.assertIn("ssl_certificate ", https)
        self.assertIn("\n        server_name api.example.com;", https)
        self.assertIn("\n    map $http_x_lume_test $lume_test {\n        default 0;\n    }\n}\n",
                      text)  # the last thing in http {}
        if not nginx_harness.nginx_available():
            return
        # nginx itself takes them (render.py --check runs nginx -t)
        cert, key = nginx_harness.certificate()
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
               "BUILD": os.environ.get("BUILD", "build"), "LUME_NGINX": nginx_harness.NGINX,
               "LUME_RUN_DIR": d, "LUME_TLS_CERT": cert, "LUME_TLS_KEY": key,
               "LUME_LISTEN": "unix:/tmp/lume-render-test.sock"}
        r = subprocess.run(["python3", RENDER, "--check"], env=env, capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), os.path.join(d, "nginx.conf"))

if __name__ == "__main__":
    unittest.main()
