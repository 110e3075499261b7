"""The nginx configuration is the same, directive for directive, as before it
was split into plain nginx (issue 24).

Before: nginx/lume.conf.template, filled by a Mustache-like engine in
nginx/render.py, one file. Both are frozen in fixtures/old_render/ as they
were at commit 1ab9a16 (fixtures/old_render/README.md). Now: nginx/lume.conf
and nginx/snippets/, their ${...} replaced, and the generated/*.conf that
render.py writes, joined by include.

For each combination of settings below (every switch the template had, and
the values that change its shape), both renderers run on the same run
directory, against the same stand-in `nginx -v`/`nginx -V` and the same
lume-fcgi (its contract and settings). The new configuration's includes are
expanded as nginx expands them (tests/lib/nginx_conf.py: relative to
nginx.conf's directory, globs sorted, one matching nothing adding nothing);
comments and layout are dropped; what is left, every directive with its
arguments as written and the blocks around it, in order, must be the same.
Nothing is sorted: the order of directives is compared too.

The differences that remain are only the include lines themselves, which the
expansion replaces by what they include; the operator's conf.d/http and
conf.d/server, empty here, add nothing.

A later change that alters the configuration on purpose is written down in
CHANGED_SINCE below, with its reason, and applied to the old renderer's
directives before the comparison: the frozen renderer is never edited, and
everything not listed there must still be the same.
"""
import os
import shutil
import subprocess
import tempfile
import unittest

from harness import BUILD, ROOT
from nginx_conf import directives, stand_in_nginx

HERE = os.path.dirname(os.path.abspath(__file__))
OLD = os.path.join(HERE, "fixtures", "old_render", "render.py")
NEW = os.path.join(ROOT, "nginx", "render.py")


# The changes made on purpose since the split: (reason, old lines, new lines),
# the old ones consecutive, stripped of their indentation; each must be found
# in the old renderer's directives, where the new ones take their place, but
# one marked WHERE_PRESENT, which only some combinations have.
WHERE_PRESENT = "where present"
CHANGED_SINCE = [
    ("issue 28: the workers get only the params they read and the addresses; "
     "the others cost nginx a variable and the worker a string on every request",
     ["fastcgi_param QUERY_STRING $query_string;", "fastcgi_param SCRIPT_NAME $uri;",
      "fastcgi_param DOCUMENT_URI $uri;", "fastcgi_param CONTENT_TYPE $content_type;",
      "fastcgi_param CONTENT_LENGTH $content_length;",
      "fastcgi_param SERVER_PROTOCOL $server_protocol;", "fastcgi_param REQUEST_SCHEME $scheme;",
      "fastcgi_param HTTPS on;", "fastcgi_param GATEWAY_INTERFACE CGI/1.1;",
      "fastcgi_param SERVER_SOFTWARE nginx;"], []),
    ("issue 28 (the same)", ["fastcgi_param REMOTE_PORT $remote_port;"], []),
    ("issue 28 (the same)", ["fastcgi_param SERVER_NAME $host;"], []),
    ("issue 28: a preflight's map reads the origin only for OPTIONS (its value is "
     "the origin, empty otherwise: `if` reads the same)",
     ['map "$request_method:$lume_cors_origin" $lume_cors_preflight {', "default 0;",
      '"~^OPTIONS:." 1;'],
     ["map $request_method $lume_cors_preflight {", 'default "";',
      "OPTIONS $lume_cors_origin;"]),
    ("issue 28: of the client's headers only If-None-Match goes to the workers, the one "
     "the app reads behind nginx (a browser's others were a dozen params more)",
     ["fastcgi_param REQUEST_METHOD $request_method;"],
     ["fastcgi_pass_request_headers off;",
      "fastcgi_param HTTP_IF_NONE_MATCH $http_if_none_match if_not_empty;",
      "fastcgi_param REQUEST_METHOD $request_method;"]),
    ("issue 28: with kept connections each backup line spells the socket differently, so that "
     "nginx's keepalive cache gives a retry a connection of its own (nginx/render.py, "
     "backup_spellings); where the combination has them",
     ["server unix:/tmp/lume-equivalence.sock max_fails=0 backup;"] * 3,
     ["server unix:/tmp/./lume-equivalence.sock max_fails=0 backup;",
      "server unix:/tmp/././lume-equivalence.sock max_fails=0 backup;",
      "server unix:/tmp/./././lume-equivalence.sock max_fails=0 backup;"], WHERE_PRESENT),
]


def changed_since(lines):
    """The old renderer's directives with CHANGED_SINCE applied."""
    lines = list(lines)
    for reason, old, new, *where in CHANGED_SINCE:
        bare = [line.strip() for line in lines]
        at = next((i for i in range(len(bare)) if bare[i:i + len(old)] == old), None)
        if at is None and where == [WHERE_PRESENT]:
            continue
        if at is None:
            raise AssertionError(f"not in the old configuration: {old[0]} ({reason})")
        indent = lines[at][:len(lines[at]) - len(lines[at].lstrip())]
        step = "    " if new and old[0].endswith("{") else ""
        lines[at:at + len(old)] = [indent + (step if i else "") + line
                                   for i, line in enumerate(new)]
    return lines


class TestTheSameConfiguration(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="lume-equivalence-")
        for name in ("cert.pem", "key.pem"):
            open(os.path.join(cls.dir, name), "w").close()
        cls.modules = os.path.join(cls.dir, "modules")
        os.mkdir(cls.modules)
        open(os.path.join(cls.modules, "ngx_stream_module.so"), "w").close()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def fake_nginx(self, version, stream):
        """`nginx -v` names the version; `nginx -V` has the stream module as a
        dynamic one in a modules directory of its own (Debian's), or built in."""
        configure = ("--prefix=/usr/share/nginx --with-stream" if stream == "built-in" else
                     f"--prefix=/usr/share/nginx --modules-path={self.modules} "
                     "--with-stream=dynamic")
        return stand_in_nginx(os.path.join(self.dir, f"nginx-{version}-{stream}"), version,
                              configure)

    def render(self, renderer, name, version, stream, settings):
        """The configuration's lines from one renderer, its includes expanded
        (name: a directory of self.dir, the run directory's parent)."""
        out = os.path.join(self.dir, name, os.path.basename(os.path.dirname(renderer)), "nginx.conf")
        os.makedirs(os.path.dirname(out), exist_ok=True)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
               "BUILD": os.path.abspath(os.path.join(ROOT, BUILD)),
               "LUME_NGINX": self.fake_nginx(version, stream),
               "LUME_RUN_DIR": os.path.join(self.dir, name, "run"),
               "LUME_DOCS_DIR": os.path.join(ROOT, "build", "docs-site"),
               "LUME_TLS_CERT": os.path.join(self.dir, "cert.pem"),
               "LUME_TLS_KEY": os.path.join(self.dir, "key.pem"),
               "LUME_LISTEN": "unix:/tmp/lume-equivalence.sock",
               "LUME_HEALTH_LISTEN": "unix:/tmp/lume-equivalence-health.sock",
               **settings}
        r = subprocess.run(["python3", renderer, "--output", out], env=env, capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(r.returncode, 0, f"{renderer}: {r.stderr}")
        return directives(out)

    # name: (nginx version, its stream module, settings)
    COMBINATIONS = {
        "defaults": ("1.22.1", "dynamic", {}),
        "http2 directive": ("1.25.1", "dynamic", {}),
        "stream module built in": ("1.27.4", "built-in", {}),
        "no stream layer": ("1.22.1", "dynamic", {"LUME_CONN_PER_ADDR_MAX": "off"}),
        "no stream layer, http2 directive, bound": (
            "1.25.1", "dynamic", {"LUME_CONN_PER_ADDR_MAX": "0", "LUME_BIND": "127.0.0.1"}),
        "everything switched off": ("1.22.1", "dynamic", {
            "LUME_RATE_LIMIT": "0", "LUME_CONN_LIMIT": "0", "LUME_HTTP_PORT": "0",
            "LUME_HSTS_MAX_AGE": "0", "LUME_CACHE_SIZE": "0", "LUME_FCGI_KEEP_CONNS": "0",
            "LUME_EDGE_METRICS": "off", "LUME_NGINX_ACCESS_LOG": "off",
            "LUME_METRICS_ALLOW": "", "LUME_CORS_ORIGINS": "", "LUME_HEALTH_LISTEN": ""}),
        "access log off beside the edge log": ("1.22.1", "dynamic", {
            "LUME_NGINX_ACCESS_LOG": "off", "LUME_CACHE_MAX_AGE": "0"}),
        "edge metrics off, few kept connections": ("1.22.1", "dynamic", {
            "LUME_EDGE_METRICS": "off", "LUME_FCGI_KEEP_CONNS": "7",
            "LUME_HEALTH_LISTEN": "", "LUME_CONN_PER_ADDR_MAX": "off"}),
        "values": ("1.24.0", "dynamic", {
            "LUME_HTTPS_PORT": "9443", "LUME_HTTP_PORT": "9080", "LUME_PUBLIC_HOST": "api.example.com",
            "LUME_CORS_ORIGINS": "https://a.example:8443,http://b.example",
            "LUME_CORS_MAX_AGE": "60", "LUME_METRICS_ALLOW": "10.1.2.3,2001:db8::/32",
            "LUME_RATE_LIMIT": "7", "LUME_RATE_BURST": "9", "LUME_CONN_LIMIT": "3",
            "LUME_CONN_PER_ADDR_MAX": "12", "LUME_HSTS_MAX_AGE": "60",
            "LUME_REQUEST_TIMEOUT_MS": "20500", "LUME_NGINX_WORKERS": "2",
            "LUME_NGINX_CONNECTIONS": "1000", "LUME_NGINX_ERROR_LOG": "stderr",
            "LUME_NGINX_ACCESS_LOG": "/dev/stdout", "LUME_CACHE_SIZE": "1g",
            "LUME_CACHE_MAX_AGE": "60", "LUME_CACHE_STALE_IF_ERROR": "3600",
            "LUME_FCGI_KEEP_CONNS": "1"}),
        # The nginx image under Compose: replicas re-resolved, the archive provider.
        "compose, archive provider": ("1.22.1", "dynamic", {
            "LUME_LISTEN": "app:9000", "LUME_HEALTH_LISTEN": "app:9001",
            "LUME_RESOLVER": "127.0.0.11", "LUME_PROVIDER": "archive",
            "LUME_NGINX_ACCESS_LOG": "/dev/stdout", "LUME_NGINX_ERROR_LOG": "stderr"}),
        "resolver, health on the workers": ("1.25.1", "dynamic", {
            "LUME_LISTEN": "app:9000", "LUME_HEALTH_LISTEN": "", "LUME_RESOLVER": "10.0.0.2,10.0.0.3:5353",
            "LUME_EDGE_METRICS": "off"}),
    }

    def test_every_combination_renders_the_same_directives(self):
        for i, (name, (version, stream, settings)) in enumerate(self.COMBINATIONS.items()):
            with self.subTest(name):
                old = changed_since(self.render(OLD, f"c{i}", version, stream, settings))
                new = self.render(NEW, f"c{i}", version, stream, settings)
                self.assertGreater(len(old), 300)
                self.assertEqual(old, new)

    def test_the_expansion_sees_every_directive(self):
        """The comparison is not vacuous: includes are expanded, comments are
        not directives, and a changed argument shows."""
        d = os.path.join(self.dir, "expansion")
        os.makedirs(os.path.join(d, "sub"))
        with open(os.path.join(d, "sub", "a.conf"), "w") as f:
            f.write("b 1; # not me\nc '2 ;{' \"3\";\n")
        with open(os.path.join(d, "main.conf"), "w") as f:
            f.write("a {\n    include sub/*.conf;\n    include none/*.conf;\n}\n")
        self.assertEqual(directives(os.path.join(d, "main.conf")),
                         ["a {", "    b 1;", "    c '2 ;{' \"3\";", "}"])


if __name__ == "__main__":
    unittest.main()
