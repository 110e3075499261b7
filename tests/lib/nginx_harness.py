"""Start and stop the real nginx front (nginx/render.py's configuration) for
end-to-end tests.

Nginx(master_address, env={...}).start() renders the configuration into a
fresh run directory with free 127.0.0.1 ports and a throw-away certificate,
runs `nginx -p RUN -c CONF -g 'daemon off;'`, waits until HTTPS answers, and
stop() ends it. With edge=True it first starts nginx/edge.py (mtail, the edge
metrics at /metrics/edge) and waits until it answers, as `make run` does.
request() speaks HTTPS (HTTP/1.1) and verifies the certificate; raw() sends
bytes as they are. Both connect from 127.0.0.1 unless given
another loopback source address (nginx keys its per-address limits on it).
Both check every answer against docs/openapi.yaml (openapi_check).
"""
import atexit
import http.client
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time

import openapi_check
from harness import ROOT, free_port, stop_process, wait_until

RENDER = os.path.join(ROOT, "nginx", "render.py")
EDGE = os.path.join(ROOT, "nginx", "edge.py")
NGINX = os.environ.get("LUME_NGINX", "nginx")

_cert_dir = None


def nginx_available():
    return shutil.which(NGINX) is not None and shutil.which("openssl") is not None


def mtail_available():
    return shutil.which(os.environ.get("LUME_MTAIL", "mtail")) is not None


def unix_get(path, target, timeout=5.0):
    """(status, body) of an HTTP/1.0 GET on a unix socket; None when nothing answers."""
    try:
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(timeout)
            s.connect(path)
            s.sendall(f"GET {target} HTTP/1.0\r\n\r\n".encode())
            data = b""
            while chunk := s.recv(65536):
                data += chunk
    except OSError:
        return None
    head, _, body = data.partition(b"\r\n\r\n")
    try:
        return int(head.split()[1]), body
    except (IndexError, ValueError):
        return None


def certificate():
    """(cert, key) for localhost and 127.0.0.1, made once per test process."""
    global _cert_dir
    if _cert_dir is None:
        d = tempfile.mkdtemp(prefix="lume-e2e-tls-")
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
             "-nodes", "-days", "2", "-subj", "/CN=localhost",
             "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
             "-keyout", os.path.join(d, "key.pem"), "-out", os.path.join(d, "cert.pem")],
            check=True, capture_output=True, timeout=30)
        _cert_dir = d
        atexit.register(shutil.rmtree, d, True)
    return os.path.join(_cert_dir, "cert.pem"), os.path.join(_cert_dir, "key.pem")


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.header_list = headers  # [(lower-case name, value)] as sent
        self.headers = {}
        for name, value in headers:
            self.headers.setdefault(name, value)
        self.body = body

    def all(self, name):
        return [v for n, v in self.header_list if n == name.lower()]

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return f"<Response {self.status} {self.header_list} {self.body[:300]!r}>"


class Nginx:
    def __init__(self, upstream, env=None, edge=False):
        self.dir = tempfile.mkdtemp(prefix="lume-e2e-nginx-")
        self.edge = edge
        self.edge_proc = None
        self.https_port = free_port()
        self.http_port = free_port()
        cert, key = certificate()
        self.cert = cert
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LUME_RUN_DIR": self.dir,
            "LUME_LISTEN": upstream,
            "LUME_HTTPS_PORT": str(self.https_port),
            "LUME_HTTP_PORT": str(self.http_port),
            "LUME_BIND": "127.0.0.1",
            "LUME_TLS_CERT": cert,
            "LUME_TLS_KEY": key,
            "LUME_NGINX_WORKERS": "1",
            "LUME_NGINX": NGINX,
            # render.py asks $BUILD/lume-fcgi --dump-contract for the app's errors
            "BUILD": os.environ.get("BUILD", "build"),
        }
        self.env.update(env or {})
        self.conf = os.path.join(self.dir, "nginx.conf")
        self.proc = None
        self.ctx = ssl.create_default_context(cafile=cert)

    def start(self, timeout=10.0):
        r = subprocess.run(["python3", RENDER, "--output", self.conf], env=self.env,
                           capture_output=True, text=True, timeout=30)
        if r.returncode != 0:
            raise RuntimeError(f"render failed: {r.stderr}")
        if self.edge:
            self.start_edge(timeout)
        self.out = open(os.path.join(self.dir, "nginx.out"), "wb")
        self.proc = subprocess.Popen([NGINX, "-p", self.dir, "-e", "stderr", "-c", self.conf,
                                      "-g", "daemon off;"], stdout=self.out,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

        def ready():
            if self.proc.poll() is not None:
                raise RuntimeError(f"nginx exited with {self.proc.returncode}:\n{self.output()}")
            try:
                with socket.create_connection(("127.0.0.1", self.https_port), timeout=0.5):
                    return True
            except OSError:
                return False
        try:
            ok = wait_until(ready, timeout)
        except RuntimeError:
            self.stop()
            raise
        if not ok:
            text = self.output()
            self.stop()
            raise RuntimeError("nginx did not listen:\n" + text)
        return self

    def start_edge(self, timeout):
        """nginx/edge.py on this run directory, answering on its socket: mtail
        reads the edge log from where it is when it starts, so before nginx."""
        with open(os.path.join(self.dir, "edge.out"), "wb") as out:
            self.edge_proc = subprocess.Popen([EDGE, self.dir], env=self.env,
                                              stdin=subprocess.DEVNULL, stdout=out,
                                              stderr=subprocess.STDOUT)

        def ready():
            if self.edge_proc.poll() is not None:
                raise RuntimeError(f"edge.py exited with {self.edge_proc.returncode}")
            return self.edge_page() is not None
        if not wait_until(ready, timeout, 0.05):
            stop_process(self.edge_proc)
            raise RuntimeError("mtail did not answer on " + os.path.join(self.dir, "edge.sock"))

    def edge_page(self):
        """mtail's Prometheus text straight from its socket, or None."""
        r = unix_get(os.path.join(self.dir, "edge.sock"), "/metrics")
        return r[1].decode() if r and r[0] == 200 else None

    def stop(self, timeout=10.0):
        """Stop nginx (and edge.py) and remove its run directory (LUME_KEEP_TEST_DIRS=1
        keeps it)."""
        if self.edge_proc is not None:
            stop_process(self.edge_proc, timeout)
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.out.close()
        if not os.environ.get("LUME_KEEP_TEST_DIRS"):
            shutil.rmtree(self.dir, ignore_errors=True)
        return self.proc.returncode

    def output(self):
        try:
            with open(os.path.join(self.dir, "nginx.out"), "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def error_log(self):
        """nginx's error log (logs/error.log) as text; "" before it exists."""
        try:
            with open(os.path.join(self.dir, "logs", "error.log"), encoding="utf-8") as f:
                return f.read()
        except OSError:
            return ""

    def access_log(self):
        lines = []
        try:
            with open(os.path.join(self.dir, "logs", "access.log"), encoding="utf-8") as f:
                for line in f:
                    lines.append(json.loads(line))
        except OSError:
            pass
        return lines

    @property
    def url(self):
        return f"https://127.0.0.1:{self.https_port}"

    def request(self, path, method="GET", headers=None, body=None, timeout=10.0, port=None,
                tls=True, source=None):
        """One HTTP/1.1 request on a fresh connection; returns a Response."""
        src = (source, 0) if source else None
        if tls:
            conn = http.client.HTTPSConnection("127.0.0.1", port or self.https_port,
                                               timeout=timeout, context=self.ctx,
                                               source_address=src)
        else:
            conn = http.client.HTTPConnection("127.0.0.1", port or self.http_port,
                                              timeout=timeout, source_address=src)
        try:
            conn.putrequest(method, path, skip_accept_encoding=True)
            for name, value in (headers or {}).items():
                conn.putheader(name, value)
            if body is not None:
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body)
            resp = conn.getresponse()
            data = resp.read()
            r = Response(resp.status, [(n.lower(), v) for n, v in resp.getheaders()], data)
            openapi_check.check(method, path, r.status, r.header_list, r.body, tls=tls)
            return r
        finally:
            conn.close()

    def raw(self, data, timeout=10.0, source=None):
        """Send bytes over TLS as they are; returns the Response parsed from the reply."""
        with socket.create_connection(("127.0.0.1", self.https_port), timeout=timeout,
                                      source_address=(source, 0) if source else None) as s:
            with self.ctx.wrap_socket(s, server_hostname="127.0.0.1") as t:
                t.sendall(data)
                out = b""
                deadline = time.monotonic() + timeout
                while time.monotonic() < deadline:
                    chunk = t.recv(65536)
                    if not chunk:
                        break
                    out += chunk
        head, _, body = out.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = []
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers.append((name.strip().lower(), value.strip()))
        request_line = data.split(b"\r\n", 1)[0].split(b" ")
        openapi_check.check(request_line[0], request_line[1] if len(request_line) > 1 else b"",
                            status, headers, body)
        return Response(status, headers, body)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class Stack:
    """A lume-fcgi master and nginx in front of it; start() undoes itself on failure.
    /health goes to the master's health responder, on a socket of its own, as
    `make run` and Compose have it (health=False: to the workers)."""

    def __init__(self, workers=2, app_env=None, nginx_env=None, health=True, edge=False):
        from harness import Master
        app_env = dict(app_env or {})
        self.master = Master(workers=workers, env=app_env, health=health)
        # nginx sees the app's settings, as make run and Compose give both the
        # same: render.py asks lume-fcgi --dump-config for the shared ones and
        # the response cache's generation. Only the addresses differ.
        env = {k: v for k, v in app_env.items()
               if k.startswith("LUME_") and k not in ("LUME_LISTEN", "LUME_HEALTH_LISTEN",
                                                      "LUME_RUN_DIR")}
        if health:
            env["LUME_HEALTH_LISTEN"] = self.master.health_listen
        env.update(nginx_env or {})
        self.nginx = Nginx(self.master.address, env, edge=edge)

    def start(self):
        self.master.start()
        try:
            self.nginx.start()
        except BaseException:
            self.master.stop()
            raise
        return self

    def stop(self):
        try:
            self.nginx.stop()
        finally:
            self.master.stop()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
