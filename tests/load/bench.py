#!/usr/bin/env python3
"""make bench: Lume's whole stack under load, against its two ceilings.

usage: tests/load/bench.py   (make bench; BENCH_QUICK=1 for a ~2 minute run)

Sets up, in a temporary run directory on 127.0.0.1 with free ports:
  - nginx, rendered by nginx/render.py as `make run` renders it, with the rate
    limit and the per-address request cap off, the per-address connection cap
    raised above the load, and its access log buffered (buffer=64k flush=1s,
    as a tuned deployment runs it); the edge metrics on, as by default
    (nginx/edge.py: mtail counting the edge log); and, for the load
    cached_noedge, a second nginx front of the same master with
    LUME_EDGE_METRICS=off, so that cached / cached_noedge is their cost;
  - the lume-fcgi master ($BUILD/lume-fcgi, -O2), mock provider, its access
    log on and written to a file;
  - two baselines behind the same nginx: /bench/return, a location that
    returns the mock resolve's body itself (the ceiling of anything behind
    nginx), and /bench/fcgi, tests/load/responder.c, a trivial libfcgi
    responder with as many processes as lume-fcgi has workers, on a unix
    socket like them (the ceiling of the FastCGI path).
Then warms up, and runs wrk (tests/load/paths.lua) over HTTPS: the baselines,
the mock resolve, each route alone and a realistic mix, all past nginx's
response cache (X-Bench-Nocache: bypass, nothing stored), and the mock resolve
served from it (cached: a HIT), at each connection count, in alternating
rounds (each figure is the median of the rounds); the resolve and the
responder again at equal load (16 connections, each pausing 1 ms after every
answer), so that their p99 compare like for like; h2load over HTTP/2 (10 streams per connection); system calls per request of one
worker and of one responder process (strace -c); the archive provider
behind the same nginx against tests/lib/fake_archive.py with 20 ms per
upstream call; the library provider over 100,000 generated names (indexing,
rescanning, /resolve against the mock, probing, a signed file in ranges,
RSS: library_bench); and unless BENCH_QUICK: instructions per request (callgrind),
a worker's RSS over 200,000 requests it served, and valgrind memcheck on a
worker serving 4,000 mixed requests.

Writes tests/load/results/ (git-ignored): report.md (ratios first), raw.json,
and throughput.png and p99.png (gnuplot) against connections. Loopback only;
every load is bounded in time.
"""
import json
import os
import re
import shutil
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
from harness import free_port, wait_until, children  # noqa: E402

BUILD = os.path.join(ROOT, os.environ.get("BUILD", "build"))
BINARY = os.path.join(BUILD, "lume-fcgi")
RESPONDER = os.path.join(BUILD, "tests", "load", "responder")
# The peers: what a user might write instead, behind the same nginx.
PEER_GO = os.path.join(BUILD, "tests", "load", "peer-go")
PEER_NODE = os.path.join(HERE, "peers", "peer.js")
RESULTS = os.path.join(HERE, "results")
QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
WORKERS = int(os.environ.get("BENCH_WORKERS", str(os.cpu_count() or 2)))
# BENCH_LOADS=return,cached (names of LOADS): only those wrk loads, nothing
# else (no HTTP/2, strace, RSS, archive, callgrind, memcheck), to settle one
# ratio with more rounds: BENCH_ROUNDS, BENCH_CONNS=64 (comma-separated).
FOCUS = [n for n in os.environ.get("BENCH_LOADS", "").split(",") if n]
CONNS = ([int(c) for c in os.environ["BENCH_CONNS"].split(",")] if os.environ.get("BENCH_CONNS")
         else [16, 64] if QUICK else [16, 64, 256])
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "0")) or (2 if QUICK else 3)
# The ratios against the peers over plain HTTP (issue 28) move with the
# machine by more than their margin: medians of more rounds there.
PEER_ROUNDS = int(os.environ.get("BENCH_ROUNDS", "0")) or (2 if QUICK else 5)
SECONDS = 2 if QUICK else 5
WRK_THREADS = 2
# p99 at equal load: the resolve and the responder driven at the same pace,
# below either's ceiling, so that their tails compare like for like (at
# saturation each p99 is that of a machine serving a different number of
# requests a second: see docs/performance.md). Each of PACED_CONNS
# connections pauses PACED_PAUSE_MS after every answer (wrk's delay()).
PACED_CONNS = 16
PACED_PAUSE_MS = 1
PACED_ROUNDS = 3 if QUICK else 5

# The loads: name -> paths sent in turn (a mix is its paths in proportion).
MOVIE = "/resolve/inception"
BENCH_TOKEN = "bench-stremio-token-0123456789"
LOADS = {
    "return": ["/bench/return"],
    "cached": [MOVIE],  # from nginx's response cache (the loads cached* use it)
    # the same through a front without the edge metrics (no edge log, no mtail)
    "cached_noedge": [MOVIE],
    "responder": ["/bench/fcgi"],
    "go": ["/bench/go" + MOVIE],  # the Go net/http peer (tests/load/peers/peer.go)
    "node": ["/bench/node" + MOVIE],  # the Node http peer (tests/load/peers/peer.js)
    "resolve": [MOVIE],
    "episode": ["/resolve/the%20boys?season=4&episode=1"],
    "search10": ["/resolve/search/the%20boys?limit=10"],
    "search25": ["/resolve/search/1080p?limit=25"],
    "not_found": ["/resolve/nothing-by-this-name"],
    "bad_request": ["/resolve/inception?season=abc"],
    # /streams and the Stremio addon's stream route over the same search
    # (issue 27: the protocol layer costs at most 10%)
    "streams": ["/streams/inception"],
    "stremio": [f"/stremio/{BENCH_TOKEN}/stream/movie/lume:mock:f:Inception:2010.json"],
    # 40% movies, 20% episodes, 15% + 10% searches, 10% 404, 5% 400
    "mix": [MOVIE] * 8 + ["/resolve/the%20boys?season=4&episode=1"] * 4
    + ["/resolve/search/the%20boys?limit=10"] * 3 + ["/resolve/search/1080p?limit=25"] * 2
    + ["/resolve/nothing-by-this-name"] * 2 + ["/resolve/inception?season=abc"],
}
QUICK_LOADS = ["return", "responder", "go", "node", "resolve", "cached", "cached_noedge", "mix",
               "streams", "stremio"]
CACHED = ("cached", "cached_noedge")  # the loads served from the response cache
NOEDGE = ("cached_noedge",)  # the loads sent to the front without the edge metrics
# Lume against what a user would write instead (issue 28): these loads over
# plain HTTP too, at every connection count.
PEER_LOADS = ["return", "responder", "go", "node", "resolve"]
# The same loads at ISSUE_CONNS connections behind a front as issue 28
# measured its own table: nginx with one worker, no access log (and no edge
# metrics, which came after that table), plain HTTP. The main front is
# nginx as make run renders it (a worker per CPU, the logs, mtail): its
# common cost per request is larger, and ratios between upstreams smaller.
ISSUE_NGINX = {"LUME_NGINX_WORKERS": "1", "LUME_NGINX_ACCESS_LOG": "off",
               "LUME_EDGE_METRICS": "off"}
ISSUE_CONNS = 64

# The archive provider against tests/lib/fake_archive.py: every upstream
# call answered after ARCHIVE_LATENCY_S; a resolve is one search and one round
# of parallel lookups (ARCHIVE_ITEMS items match), so a worker serves at most
# 1 / (2 * latency) resolves a second and the pool workers times that.
ARCHIVE_WORKERS = int(os.environ.get("BENCH_ARCHIVE_WORKERS", "16"))
ARCHIVE_LATENCY_S = 0.020
ARCHIVE_CONNS = 64
ARCHIVE_ITEMS = 3
ARCHIVE_PATH = "/resolve/bench%20film"
STREAMS_PATH = "/streams/bench%20film"
# Two providers at once (issue 25): the time of a resolve with providers of
# 20 ms (the archive: two calls of 10 ms) and 200 ms (the mock's delay) is
# the slower one's plus at most 10 ms, at p50 and p99; wrk at a few
# connections, so that no request waits for a worker.
OVERLAP_FAST_S = 0.010
OVERLAP_SLOW_MS = 200
OVERLAP_CONNS = 4
# The library provider (issue 26): LIBRARY_FILMS films and LIBRARY_SHOWS
# series of LIBRARY_SEASONS x LIBRARY_EPISODES episodes, empty files (100,000
# names), indexed by tests/load/library_index.c (the scanner outside the
# service); /resolve from it against the mock's at LIBRARY_CONNS connections;
# a signed file of LIBRARY_BIG_MB served in LIBRARY_RANGE_KB ranges, against
# the same file unsigned; the prober on ffmpeg's media, LIBRARY_PROBES probes.
LIBRARY_FILMS = 50000
LIBRARY_SHOWS, LIBRARY_SEASONS, LIBRARY_EPISODES = 500, 5, 20
LIBRARY_CONNS = 64
LIBRARY_BIG_MB = 100
LIBRARY_RANGE_KB = 1024
LIBRARY_PROBES = 100 if QUICK else 500
LIBRARY_INDEX = os.path.join(BUILD, "tests", "load", "library-index")
LIBRARY_SECRET = "bench-library-secret-0123456789"
# ffmpeg's media, as tests/providers/library/media.h makes them (2 s each)
LIBRARY_MEDIA = {
    "h264.mp4": "-c:v libx264 -preset ultrafast -c:a aac -movflags +faststart",
    "hevc.mkv": "-c:v libx265 -preset ultrafast -x265-params log-level=none -c:a libopus",
    "vp9.webm": "-c:v libvpx-vp9 -deadline realtime -cpu-used 8 -c:a libopus",
    "mpeg2.ts": "-c:v mpeg2video -c:a mp2",
}
# A few thousand mixed requests to one worker under memcheck.
MEMCHECK_REQUESTS = 4000
RSS_REQUESTS = 200000


def log(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def edit(path, pattern, replacement, missing):
    """Replace pattern's one match in the file at path."""
    with open(path) as f:
        text, n = re.subn(pattern, replacement, f.read())
    if n != 1:
        raise RuntimeError(f"{missing} in the rendered configuration ({path})")
    with open(path, "w") as f:
        f.write(text)


class Stack:
    """nginx + lume-fcgi + the responder, in a temporary directory. With
    archive (a fake Internet Archive's base URL): the archive provider and
    `workers` workers instead, and no baselines."""

    def __init__(self, archive=None, workers=WORKERS, noedge=False, providers=None,
                 extra_env=None, check=None, extra_conf="", issue=False):
        self.dir = tempfile.mkdtemp(prefix="lume-bench-")
        self.port = free_port()
        self.noedge_port = free_port() if noedge else None
        # issue: a third front of the same master as issue 28 measured its
        # table (ISSUE_NGINX), its baselines and peers on a plain port
        self.issue_port = free_port() if issue else None
        self.issue_plain_port = free_port() if issue else None
        self.plain_port = free_port()  # the same server over plain HTTP (bench only)
        self.procs = []
        self.archive = archive
        # LUME_PROVIDERS: the archive with archive, else the mock
        self.providers = providers or ("archive" if archive else "mock")
        self.extra_env = extra_env or {}
        # check: a path the providers answer (200) once up; with it, no
        # baselines nor peers, and extra_conf (server level) in conf.d/.
        self.check = check
        self.extra_conf = extra_conf
        self.nworkers = workers

    def env(self):
        extra = {"LUME_ARCHIVE_BASE_URL": self.archive} if self.archive else {}
        return extra | self.extra_env | {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "BUILD": os.path.relpath(BUILD, ROOT),
            "LUME_RUN_DIR": self.dir,
            "LUME_LISTEN": f"unix:{self.dir}/lume.sock",
            "LUME_HTTPS_PORT": str(self.port),
            "LUME_HTTP_PORT": str(free_port()),
            "LUME_BIND": "127.0.0.1",
            "LUME_TLS_CERT": f"{self.dir}/cert.pem",
            "LUME_TLS_KEY": f"{self.dir}/key.pem",
            "LUME_RATE_LIMIT": "0",
            "LUME_CONN_LIMIT": "0",
            "LUME_CONN_PER_ADDR_MAX": "4096",
            "LUME_PROVIDERS": self.providers,
            "LUME_STREMIO_TOKEN": BENCH_TOKEN,
            "LUME_WORKERS": str(self.nworkers),
            # Workers live through the whole run, so that one worker's RSS
            # over 200,000 requests is measured (the default recycles every
            # 10,000, a guard against exactly the leaks measured here).
            "LUME_MAX_REQUESTS": "0",
        }

    def start(self):
        """Everything up, or, when something does not come up, everything
        stopped again before the error goes on."""
        try:
            return self.start_all()
        except BaseException:
            self.stop()
            raise

    def start_all(self):
        env = self.env()
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
             "-nodes", "-days", "2", "-subj", "/CN=localhost",
             "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
             "-keyout", env["LUME_TLS_KEY"], "-out", env["LUME_TLS_CERT"]],
            check=True, capture_output=True, timeout=30)
        group = subprocess.run(["python3", "nginx/render.py", "--worker-group"], cwd=ROOT, env=env,
                               capture_output=True, text=True, check=True).stdout.strip()
        if group:
            env["LUME_SOCKET_GROUP"] = group
        self.master_log = open(os.path.join(self.dir, "lume.log"), "wb")
        self.master = self.spawn([BINARY], env, self.master_log)
        conf = subprocess.run(["python3", "nginx/render.py"], cwd=ROOT, env=env,
                              capture_output=True, text=True, check=True).stdout.strip()
        self.patch(conf)
        # The edge metrics, as make run starts them: mtail up before nginx.
        self.edge_log = open(os.path.join(self.dir, "edge.out"), "wb")
        self.edge = self.spawn([os.path.join(ROOT, "nginx", "edge.py"), self.dir], env,
                               self.edge_log)
        if not wait_until(lambda: os.path.exists(os.path.join(self.dir, "edge.sock")), 10):
            raise RuntimeError("nginx/edge.py (mtail) did not start")
        self.nginx_log = open(os.path.join(self.dir, "nginx.out"), "wb")
        self.nginx = self.spawn(["nginx", "-p", self.dir, "-e", "stderr", "-c", conf,
                                 "-g", "daemon off;"], env, self.nginx_log)
        if self.noedge_port:
            # Another front of the same master: its own run directory and cache.
            noedge = dict(env, LUME_RUN_DIR=os.path.join(self.dir, "noedge"),
                          LUME_HTTPS_PORT=str(self.noedge_port), LUME_HTTP_PORT=str(free_port()),
                          LUME_EDGE_METRICS="off")
            conf = subprocess.run(["python3", "nginx/render.py"], cwd=ROOT, env=noedge,
                                  capture_output=True, text=True, check=True).stdout.strip()
            self.patch(conf, baselines=False)
            self.nginx_noedge = self.spawn(["nginx", "-p", noedge["LUME_RUN_DIR"], "-e", "stderr",
                                            "-c", conf, "-g", "daemon off;"], noedge,
                                           self.nginx_log)
        if self.issue_port:
            issue = dict(env, LUME_RUN_DIR=os.path.join(self.dir, "issue"),
                         LUME_HTTPS_PORT=str(self.issue_port), LUME_HTTP_PORT=str(free_port()),
                         **ISSUE_NGINX)
            conf = subprocess.run(["python3", "nginx/render.py"], cwd=ROOT, env=issue,
                                  capture_output=True, text=True, check=True).stdout.strip()
            self.patch(conf, plain_port=self.issue_plain_port, access_log=False)
            self.nginx_issue = self.spawn(["nginx", "-p", issue["LUME_RUN_DIR"], "-e", "stderr",
                                           "-c", conf, "-g", "daemon off;"], issue,
                                          self.nginx_log)
        self.ctx = ssl.create_default_context(cafile=env["LUME_TLS_CERT"])
        if not wait_until(lambda: self.get("/health")[0] == 200, 30):
            raise RuntimeError(f"the stack did not come up; see {self.dir}")
        if self.noedge_port and not wait_until(
                lambda: self.get("/health", self.noedge_port)[0] == 200, 30):
            raise RuntimeError(f"the front without the edge metrics did not come up; see {self.dir}")
        if self.issue_port and not wait_until(
                lambda: self.get("/health", self.issue_port)[0] == 200, 30):
            raise RuntimeError(f"the front of issue 28's conditions did not come up; see {self.dir}")
        if self.archive or self.check:
            path = self.check or ARCHIVE_PATH
            status, body = self.get(path)
            if status != 200:
                raise RuntimeError(f"{path}: {status} {body!r}")
            return self
        status, body = self.get(MOVIE)
        if status != 200:
            raise RuntimeError(f"{MOVIE}: {status} {body!r}")
        self.body = body
        with open(os.path.join(self.dir, "body.json"), "wb") as f:
            f.write(body)
        self.resp_log = open(os.path.join(self.dir, "responder.log"), "wb")
        self.responder = self.spawn([RESPONDER, f"{self.dir}/responder.sock", str(WORKERS),
                                     f"{self.dir}/body.json"], env, self.resp_log)
        if not wait_until(lambda: self.get("/bench/fcgi") == (200, body), 10):
            raise RuntimeError("the responder does not answer")
        self.peer_log = open(os.path.join(self.dir, "peers.log"), "wb")
        self.peer_go = self.spawn([PEER_GO, f"{self.dir}/go.sock"],
                                  env | {"GOMAXPROCS": str(WORKERS)}, self.peer_log)
        self.peer_node = self.spawn(["node", PEER_NODE, f"{self.dir}/node.sock", str(WORKERS)],
                                    env, self.peer_log)
        for name in ("go", "node"):
            if not wait_until(lambda: self.get(LOADS[name][0]) == (200, body), 20):
                raise RuntimeError(f"the {name} peer does not answer the body; see {self.dir}")
        if self.get("/bench/return") != (200, body):
            raise RuntimeError("/bench/return does not answer the body")
        return self

    def patch(self, conf, baselines=True, plain_port=None, access_log=True):
        """The bench's additions to the installed configuration (nginx/render.py
        writes it next to conf): its access log buffered (access_log: it has
        one), a way past the response cache, and (baselines: they listen on
        the front's plain port, plain_port or the main front's) the baselines
        and peers in the operator's conf.d/."""
        d = os.path.dirname(conf)
        if access_log:
            edit(os.path.join(d, "generated", "access-log.conf"), r"(access_log \S+ lume_json);",
                 r"\1 buffer=64k flush=1s;", "no access_log line to tune")
        edit(os.path.join(d, "snippets", "cache.conf"), r"(\nfastcgi_cache_key \$lume_cache_key;\n)",
             r"\1fastcgi_cache_bypass $http_x_bench_nocache;\nfastcgi_no_cache $http_x_bench_nocache;\n",
             "no response cache")
        if self.check and baselines:
            with open(os.path.join(d, "conf.d", "server", "bench.conf"), "w") as f:
                f.write(self.extra_conf)
        if self.archive or self.check or not baselines:  # these loads skip the cache too
            return
        body = self.get_body_for_conf()
        # The same server on a plain HTTP port, and the peers behind
        # proxy_pass with upstream keep-alive, as a user would put them.
        extra = (
            "# make bench: the baselines and the peers (tests/load/bench.py)\n"
            f"listen 127.0.0.1:{plain_port or self.plain_port};\n"
            f"location = /bench/return {{ return 200 '{body}'; }}\n"
            "location = /bench/fcgi {\n"
            f"    fastcgi_pass unix:{self.dir}/responder.sock;\n"
            "}\n")
        for name in ("go", "node"):
            extra += (f"location /bench/{name}/ {{\n"
                      f"    proxy_pass http://bench_{name}/;\n"
                      "    proxy_http_version 1.1;\n"
                      "    proxy_set_header Connection \"\";\n"
                      "}\n")
        upstreams = "".join(f"upstream bench_{name} {{ server unix:{self.dir}/{name}.sock; "
                            "keepalive 64; }\n" for name in ("go", "node"))
        for sub, text in (("http", upstreams), ("server", extra)):
            with open(os.path.join(d, "conf.d", sub, "bench.conf"), "w") as f:
                f.write(text)

    def get_body_for_conf(self):
        # The body is only known once the app answers: ask it over FastCGI.
        import fcgi_client
        sock = f"{self.dir}/lume.sock"
        wait_until(lambda: os.path.exists(sock), 10)
        body = None
        for _ in range(100):
            try:
                status, _headers, body = fcgi_client.request("unix:" + sock, MOVIE)
                break
            except OSError:
                time.sleep(0.1)
        if body is None or status != 200:
            raise RuntimeError("lume-fcgi does not answer the mock resolve")
        text = body.decode()
        if "'" in text or "\\" in text:
            raise RuntimeError("the body cannot be pasted into nginx's return")
        return text

    def spawn(self, argv, env, out):
        p = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, start_new_session=True)
        self.procs.append(p)
        return p

    def get(self, path, port=None):
        try:
            with socket.create_connection(("127.0.0.1", port or self.port), timeout=5) as raw:
                with self.ctx.wrap_socket(raw, server_hostname="localhost") as s:
                    s.sendall(f"GET {path} HTTP/1.1\r\nHost: localhost\r\n"
                              "Connection: close\r\n\r\n".encode())
                    data = b""
                    while chunk := s.recv(65536):
                        data += chunk
        except OSError:
            return None, b""
        head, _, body = data.partition(b"\r\n\r\n")
        if b"transfer-encoding: chunked" in head.lower():
            body = dechunk(body)
        return int(head.split()[1]), body

    def url(self, path="", load=None, plain=False, front=None):
        if front == "issue":
            return f"http://127.0.0.1:{self.issue_plain_port}{path}"
        if plain:
            return f"http://127.0.0.1:{self.plain_port}{path}"
        port = self.noedge_port if load in NOEDGE else self.port
        return f"https://127.0.0.1:{port}{path}"

    def workers(self):
        return children(self.master.pid)

    def front_cpu(self, load):
        """CPU seconds used so far by what serves `load` at the edge: the
        nginx workers of its front, and mtail (on the front with the edge metrics)."""
        if load in NOEDGE:
            pids = children(self.nginx_noedge.pid)
        else:
            pids = children(self.nginx.pid) + children(self.edge.pid, name="mtail")
        return sum(cpu_seconds(p) for p in pids)

    def responders(self):
        return children(self.responder.pid)

    def upstream(self, load):
        """The processes that answer `load` behind nginx (none for return)."""
        if load == "go":
            return [self.peer_go.pid]
        if load == "node":  # node:cluster, its primary and its workers
            return [self.peer_node.pid] + children(self.peer_node.pid)
        if load == "responder":
            return self.responders()
        return [] if load == "return" else self.workers()

    def issue_split(self, load):
        """CPU (user, system) seconds used so far by the parties of a request
        behind the front of issue 28's conditions: its one nginx worker,
        what answers `load`, and wrk (this process's finished children)."""
        t = os.times()
        return {"nginx": cpu_split(children(self.nginx_issue.pid)),
                "upstream": cpu_split(self.upstream(load)),
                "wrk": (t.children_user, t.children_system)}

    def stop(self):
        for p in reversed(self.procs):
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
        if not os.environ.get("LUME_KEEP_TEST_DIRS"):
            shutil.rmtree(self.dir, ignore_errors=True)


def dechunk(body):
    out = b""
    while body:
        size, _, rest = body.partition(b"\r\n")
        n = int(size, 16)
        if n == 0:
            break
        out += rest[:n]
        body = rest[n + 2:]
    return out


def wrk(stack, paths, conns, seconds, pause_ms=0, load=None, plain=False, ranges=None,
        front=None):
    """wrk with `paths`; `load` (a name of LOADS) says which front and
    whether the response cache is used; plain: over plain HTTP; ranges:
    (bytes a request, the file's size), Range requests over the file;
    front="issue": the front of issue 28's conditions, over plain HTTP."""
    env = dict(os.environ, BENCH_PATHS=" ".join(paths),
               BENCH_CACHED="1" if load in CACHED else "0",
               BENCH_PAUSE_MS=str(pause_ms))
    if ranges:
        env.update(BENCH_RANGE=str(ranges[0]), BENCH_SIZE=str(ranges[1]))
    r = subprocess.run(["wrk", "-t", str(min(WRK_THREADS, conns)), "-c", str(conns),
                        "-d", f"{seconds}s", "--timeout", "10s", "-s",
                        os.path.join(HERE, "paths.lua"),
                        stack.url(load=load, plain=plain, front=front)],
                       env=env, capture_output=True, text=True, timeout=seconds + 60)
    m = re.search(r"^BENCH (\{.*\})$", r.stdout, re.M)
    if m is None:
        raise RuntimeError(f"wrk: no figures:\n{r.stdout}\n{r.stderr}")
    d = json.loads(m.group(1))
    d["rps"] = d["requests"] / (d["duration_us"] / 1e6)
    return d


def h2load(stack, path, conns, seconds):
    logf = os.path.join(stack.dir, "h2load.log")
    r = subprocess.run(["h2load", "-c", str(conns), "-m", "10", "-t", "1",
                        "-H", "x-bench-nocache: 1",
                        "-n", str(4000 * seconds), "--log-file", logf,
                        stack.url(path)], capture_output=True, text=True, timeout=seconds + 60)
    m = re.search(r"finished in [\d.]+m?s, ([\d.]+) req/s", r.stdout)
    if m is not None and float(m.group(1)) == 0:
        m = None
    lat = []
    with open(logf) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3:
                lat.append(int(parts[2]))
    lat.sort()
    os.unlink(logf)
    if m is None or not lat:
        raise RuntimeError(f"h2load: no figures:\n{r.stdout}\n{r.stderr}")
    return {"rps": float(m.group(1)), "p50_us": lat[len(lat) // 2],
            "p99_us": lat[min(len(lat) - 1, int(len(lat) * 0.99))], "requests": len(lat)}


def median_of(runs):
    keys = ("rps", "p50_us", "p99_us")
    out = {k: statistics.median(r[k] for r in runs) for k in keys}
    if all("front_cpu_s" in r for r in runs):
        # CPU of the front (nginx's workers, and mtail) per request, over all runs
        out["front_cpu_us"] = (sum(r["front_cpu_s"] for r in runs) * 1e6
                               / sum(r["requests"] for r in runs))
    if all("cpu_s" in r for r in runs):
        # CPU of each party per request (user, system), over all runs, and
        # the share of its core the front's one nginx worker used
        n = sum(r["requests"] for r in runs)
        out["cpu_us"] = {k: [sum(r["cpu_s"][k][i] for r in runs) * 1e6 / n for i in (0, 1)]
                         for k in runs[0]["cpu_s"]}
        out["nginx_busy"] = (sum(sum(r["cpu_s"]["nginx"]) for r in runs)
                             / sum(r["duration_us"] / 1e6 for r in runs))
    out["runs"] = len(runs)
    out["errors"] = sum(r.get("connect_errors", 0) + r.get("read_errors", 0)
                        + r.get("write_errors", 0) + r.get("timeouts", 0) for r in runs)
    out["non_2xx"] = sum(r.get("status_errors", 0) for r in runs)
    return out


def syscalls(stack, pid, path, once, seconds):
    """System calls per request of one process under a steady load: strace -c
    counts them; the calls of `once` (made once per request) count requests,
    or `once` is a function counting the requests the process has served (a
    lume-fcgi worker keeps its connections: an accept is no longer one per
    request)."""
    out = os.path.join(stack.dir, f"strace-{pid}.txt")
    before = once() if callable(once) else 0
    st = subprocess.Popen(["strace", "-c", "-f", "-o", out, "-p", str(pid)],
                          stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    wrk(stack, [path], 16, seconds)
    st.send_signal(signal.SIGINT)
    st.wait(30)
    calls, per = 0, {}
    with open(out) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 5 and parts[0][0].isdigit() and parts[-1] != "total":
                n = int(parts[3])
                errors = int(parts[4]) if len(parts) == 6 else 0
                per[parts[-1]] = (n, errors)
                calls += n
    if callable(once):
        time.sleep(1.5)  # the worker's held access lines (log.h) are written
        served = once() - before
    else:
        served = sum(per.get(s, (0, 0))[0] - per.get(s, (0, 0))[1] for s in once)
    if served == 0:
        return None
    return {"per_request": calls / served, "requests": served,
            "calls": {k: round(v[0] / served, 2) for k, v in sorted(per.items(),
                                                                    key=lambda kv: -kv[1][0])}}


def cpu_split(pids):
    """utime and stime of processes, in seconds, summed (0 for those gone)."""
    user = system = 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            user += int(fields[11]) / os.sysconf("SC_CLK_TCK")
            system += int(fields[12]) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            pass
    return user, system


def cpu_seconds(pid):
    """utime + stime of a process, in seconds (0 when it is gone)."""
    return sum(cpu_split([pid]))


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def requests_served(stack, pid):
    n = 0
    with open(os.path.join(stack.dir, "lume.log"), "rb") as f:
        for line in f:
            if b'"event":"request"' in line and f'"pid":{pid},'.encode() in line:
                n += 1
    return n


def wait_answering(sock, what, timeout=120):
    """Wait until a FastCGI server (slow under valgrind) answers a mock
    resolve on sock; RuntimeError naming `what` when it never does."""
    import fcgi_client

    def up():
        try:
            fcgi_client.request(sock, MOVIE, timeout=30)
            return True
        except OSError:
            return False
    if not wait_until(up, timeout, 0.5):
        raise RuntimeError(f"{what} did not answer")


def callgrind(path_count=2000):
    """Instructions per mock resolve in one worker, and in the responder,
    counted by callgrind over path_count requests after a warm-up."""
    import fcgi_client
    out = {}
    d = tempfile.mkdtemp(prefix="lume-bench-cg-")
    try:
        body = os.path.join(d, "body.json")
        with open(body, "w") as f:
            f.write("{}")
        lume = {"LUME_LISTEN": f"unix:{d}/lume.sock", "LUME_WORKERS": "1", "LUME_PROVIDER": "mock"}
        targets = {
            # a connection per request, as the responder has it
            "lume-fcgi": ([BINARY], lume, "unix:" + f"{d}/lume.sock"),
            # every request on one kept connection, as nginx sends them
            "lume-fcgi, kept connection": ([BINARY], lume, "unix:" + f"{d}/lume.sock"),
            "responder": ([RESPONDER, f"{d}/resp.sock", "1", body], {}, "unix:" + f"{d}/resp.sock"),
        }
        for name, (argv, extra, sock) in targets.items():
            kept = [None]

            def request():
                if not name.endswith("kept connection"):
                    return fcgi_client.request(sock, MOVIE, timeout=30)
                if kept[0] is None:
                    kept[0] = fcgi_client.connect(sock, timeout=30)
                kept[0].sendall(fcgi_client.encode_request(MOVIE, keep=True))
                return fcgi_client.read_response(kept[0])
            env = dict(os.environ, **extra)
            tag = re.sub(r"[^a-z-]", "", name)
            cg = os.path.join(d, f"callgrind.{tag}.%p")
            p = subprocess.Popen(["valgrind", "--tool=callgrind", "--trace-children=yes",
                                  f"--callgrind-out-file={cg}"] + argv, env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                 start_new_session=True)
            try:
                wait_answering(sock, f"{name} under callgrind")
                for _ in range(200):
                    request()
                pids = children(p.pid) or [p.pid]
                subprocess.run(["callgrind_control", "-z"] + [str(x) for x in pids],
                               capture_output=True, timeout=60)
                for _ in range(path_count):
                    request()
                subprocess.run(["callgrind_control", "-d"] + [str(x) for x in pids],
                               capture_output=True, timeout=60)
                total = 0
                for fn in os.listdir(d):
                    if fn.startswith(f"callgrind.{tag}.") and any(
                            fn.startswith(f"callgrind.{tag}.{x}.") for x in pids):
                        with open(os.path.join(d, fn)) as f:
                            for line in f:
                                if line.startswith("summary:") or line.startswith("totals:"):
                                    total = max(total, int(line.split()[1]))
                                    break
                out[name] = total / path_count
            finally:
                if kept[0] is not None:
                    kept[0].close()
                os.killpg(p.pid, signal.SIGTERM)
                p.wait(60)
    finally:
        shutil.rmtree(d, ignore_errors=True)
    return out


def archive_bench():
    """The archive provider behind nginx against the fake Internet Archive
    with ARCHIVE_LATENCY_S per call, at ARCHIVE_CONNS connections; and the
    same against a second stack that keeps no FastCGI connection
    (LUME_FCGI_KEEP_CONNS=0: one per request, as before issue 28), rounds
    alternating, so that the kept connections' p99 and throughput are read
    against the design they replaced in the same minutes (issue 28: "not
    above today's")."""
    from fake_archive import FakeArchive, Item, video
    fake = FakeArchive(latency=ARCHIVE_LATENCY_S).start()
    for i in range(ARCHIVE_ITEMS):
        fake.add(Item(f"bench_film_{i}", f"Bench Film {i}", 1000 - i,
                      [video(f"film{i}.mp4", "h.264", 700000000, 720)]))
    stacks = {}
    try:
        stacks["kept"] = Stack(archive=fake.base_url, workers=ARCHIVE_WORKERS).start()
        stacks["per_request"] = Stack(archive=fake.base_url, workers=ARCHIVE_WORKERS,
                                      extra_env={"LUME_FCGI_KEEP_CONNS": "0"}).start()
        for stack in stacks.values():
            wrk(stack, [ARCHIVE_PATH], ARCHIVE_CONNS, 2)
        fake.clear()
        runs = {name: [] for name in stacks}
        for _ in range(PEER_ROUNDS):
            for name, stack in stacks.items():
                runs[name].append(wrk(stack, [ARCHIVE_PATH], ARCHIVE_CONNS, SECONDS * 2))
    finally:
        for stack in stacks.values():
            stack.stop()
    out = median_of(runs["kept"])
    served = sum(r["requests"] for rs in runs.values() for r in rs)
    out["upstream_calls_per_request"] = (fake.count("search") + fake.count("metadata")) / served
    out["max_parallel_upstream"] = fake.max_active
    out["workers"] = ARCHIVE_WORKERS
    out["ceiling_rps"] = ARCHIVE_WORKERS / (2 * ARCHIVE_LATENCY_S)
    out["ratio"] = out["rps"] / out["ceiling_rps"]
    pr = out["per_request"] = median_of(runs["per_request"])
    pr["ratio"] = pr["rps"] / out["ceiling_rps"]
    out["p99_vs_per_request"] = out["p99_us"] / pr["p99_us"]
    out["rps_vs_per_request"] = out["rps"] / pr["rps"]
    out["streams"] = streams_bench(fake, out["rps"])
    fake.stop()
    return out


def library_tree(root):
    """The 100,000 empty files of the bench's library under root; the paths
    of the films and episodes the load asks for."""
    t0 = time.monotonic()
    for n in range(LIBRARY_FILMS):
        name = f"Film {n:05d} ({1920 + n % 100})"
        os.mkdir(os.path.join(root, name))
        open(os.path.join(root, name, name + ".mp4"), "wb").close()
    for n in range(LIBRARY_SHOWS):
        show = f"Show {n:03d}"
        for season in range(1, LIBRARY_SEASONS + 1):
            folder = os.path.join(root, show, f"Season {season:02d}")
            os.makedirs(folder)
            for ep in range(1, LIBRARY_EPISODES + 1):
                open(os.path.join(folder, f"{show} - S{season:02d}E{ep:02d}.mkv"), "wb").close()
    log(f"library: {LIBRARY_FILMS + LIBRARY_SHOWS * LIBRARY_SEASONS * LIBRARY_EPISODES} "
        f"empty files in {time.monotonic() - t0:.0f} s")
    paths = []
    for k in range(32):  # films and episodes spread over the library
        n = (k * 7919) % LIBRARY_FILMS
        paths.append(f"/resolve/film%20{n:05d}%20({1920 + n % 100})")
        paths.append(f"/resolve/show%20{(k * 131) % LIBRARY_SHOWS:03d}"
                     f"?season={1 + k % LIBRARY_SEASONS}&episode={1 + k % LIBRARY_EPISODES}")
    return paths


def library_driver(*args):
    r = subprocess.run([LIBRARY_INDEX, *args], capture_output=True, text=True, timeout=1800)
    if r.returncode != 0:
        raise RuntimeError(f"library-index {args[0]}: {r.stderr}{r.stdout}")
    return json.loads(r.stdout)


def worker_durations(stack, prefix):
    """The worker's own time (the access log's duration_ms) of each request
    whose path starts with prefix, in microseconds, in the log's order."""
    out = []
    with open(os.path.join(stack.dir, "lume.log"), "rb") as f:
        for line in f:
            if b'"event":"request"' not in line or f'"path":"{prefix}'.encode() not in line:
                continue
            m = re.search(rb'"duration_ms":([0-9.]+)', line)
            if m:
                out.append(float(m.group(1)) * 1000)
    return out


def pct(values, p):
    return values[min(len(values) - 1, int(len(values) * p))] if values else None


def library_bench():
    """The library provider over 100,000 names (docs/performance.md, "The
    library"): indexing, rescanning, resolving, probing, serving."""
    out = {}
    d = tempfile.mkdtemp(prefix="lume-bench-library-")
    stacks = []
    try:
        root, media = os.path.join(d, "library"), os.path.join(d, "media")
        os.makedirs(root)
        os.makedirs(media)
        paths = library_tree(root)
        db = os.path.join(d, "library.db")
        # Names and index writes alone (the prober left out), then the same
        # tree again: nothing changed.
        out["index"] = library_driver("scan", db, root, "noprobe")
        out["rescan"] = library_driver("scan", db, root)
        log(f"library: indexed in {out['index']['ms']} ms, rescanned in {out['rescan']['ms']} ms")
        # What the prober costs the indexer on a new empty file (its child).
        empty = os.path.join(root, "Film 00000 (1920)", "Film 00000 (1920).mp4")
        out["probe_empty"] = library_driver("probe", str(LIBRARY_PROBES), empty)
        # ffmpeg's media, and the big file (not media: served, not probed).
        made = []
        for name, args in LIBRARY_MEDIA.items():
            folder = os.path.join(media, f"Probe {name.split('.')[0]} (2001)")
            os.makedirs(folder)
            target = os.path.join(folder, f"Probe {name.split('.')[0]} (2001).{name.split('.')[1]}")
            subprocess.run(["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
                            "-f", "lavfi", "-i", "testsrc=size=640x360:rate=25:duration=2",
                            "-f", "lavfi", "-i", "sine=frequency=440:duration=2",
                            *args.split(), target], check=True, timeout=300)
            made.append(target)
        out["probe"] = library_driver("probe", str(LIBRARY_PROBES), *made)
        out["probe"]["files"] = [os.path.basename(m) for m in made]
        big_rel = "Big Film (2020)/Big Film (2020).mp4"
        os.makedirs(os.path.join(media, "Big Film (2020)"))
        with open(os.path.join(media, big_rel), "wb") as f:
            for _ in range(LIBRARY_BIG_MB):
                f.write(os.urandom(1 << 20))
        library_driver("scan", db, media)
        big_size = LIBRARY_BIG_MB << 20

        # The service over that index: the library's stack beside the mock's.
        env = {"LUME_LIBRARY_DIRS": f"{root}:{media}", "LUME_LIBRARY_INDEX": db,
               "LUME_LIBRARY_SECRET": LIBRARY_SECRET}
        lib = Stack(providers="library", extra_env=env, check=paths[0],
                    extra_conf=f"location /bench/media/ {{ alias {media}/; }}\n")
        lib.extra_env["LUME_LIBRARY_PUBLIC_URL"] = f"https://127.0.0.1:{lib.port}/media"
        stacks.append(lib)
        lib.start()
        mock = Stack(check=MOVIE)
        stacks.append(mock)
        mock.start()
        master_log = os.path.join(lib.dir, "lume.log")
        if not wait_until(lambda: b'"event":"library_scan"' in open(master_log, "rb").read(),
                          600, 0.5):
            raise RuntimeError("the indexer's scan did not end")
        with open(master_log, "rb") as f:
            scan = [json.loads(x) for x in f if b'"event":"library_scan"' in x][0]
        out["indexer_rescan"] = {k: scan[k] for k in ("ms", "files", "added", "probed")}
        log(f"library: the indexer's start scan of the unchanged tree: {scan['ms']} ms")

        wrk(lib, paths, LIBRARY_CONNS, 1 if QUICK else 3)
        wrk(mock, [MOVIE], LIBRARY_CONNS, 1 if QUICK else 3)
        time.sleep(1.5)  # the warm-up's access lines written (flush=1s)
        marks = {(s_, k): len(worker_durations(s_, k)) for s_ in (lib, mock)
                 for k in ("/resolve/", "/resolve/film", "/resolve/show")}
        runs = {"library": [], "mock": []}
        for rnd in range(ROUNDS):
            for name in (("library", "mock") if rnd % 2 == 0 else ("mock", "library")):
                runs[name].append(wrk(lib if name == "library" else mock,
                                      paths if name == "library" else [MOVIE],
                                      LIBRARY_CONNS, SECONDS))
        out["resolve"] = {n: median_of(r) for n, r in runs.items()}
        out["resolve"]["ratio"] = out["resolve"]["library"]["rps"] / out["resolve"]["mock"]["rps"]
        time.sleep(1.5)
        for name, s_ in (("library", lib), ("mock", mock)):
            dur = sorted(worker_durations(s_, "/resolve/")[marks[s_, "/resolve/"]:])
            out["resolve"][name]["worker_p50_us"] = pct(dur, 0.50)
            out["resolve"][name]["worker_p99_us"] = pct(dur, 0.99)
            out["resolve"][name]["worker_requests"] = len(dur)
        for kind in ("film", "show"):  # the library's films and episodes apart
            dur = sorted(worker_durations(lib, f"/resolve/{kind}")[marks[lib, f"/resolve/{kind}"]:])
            out["resolve"]["library"][f"worker_{kind}_p99_us"] = pct(dur, 0.99)
        log(f"library: /resolve {out['resolve']['library']['rps']:.0f}/s, the mock's "
            f"{out['resolve']['mock']['rps']:.0f}/s ({out['resolve']['ratio']:.1%})")

        indexer = children(lib.master.pid, name="lume-indexer")
        workers = children(lib.master.pid, but="lume-indexer")
        out["rss_kib"] = {"indexer": rss_kib(indexer[0]) if indexer else None,
                          "workers": [rss_kib(p) for p in workers],
                          "mock_workers": [rss_kib(p) for p in children(mock.master.pid)]}
        mock.stop()
        stacks.remove(mock)

        # The big file, signed (the link /resolve gives) and not (a plain alias).
        status, body = lib.get("/resolve/big%20film%20(2020)")
        if status != 200:
            raise RuntimeError(f"the big file: {status} {body!r}")
        signed = json.loads(body)["url"].split(f":{lib.port}", 1)[1]
        unsigned = "/bench/media/" + urllib.parse.quote(big_rel)
        ranges = (LIBRARY_RANGE_KB << 10, big_size)
        wrk(lib, [signed], LIBRARY_CONNS, 1, ranges=ranges)
        runs = {"signed": [], "unsigned": []}
        for rnd in range(ROUNDS):
            for name in (("signed", "unsigned") if rnd % 2 == 0 else ("unsigned", "signed")):
                runs[name].append(wrk(lib, [signed if name == "signed" else unsigned],
                                      LIBRARY_CONNS, SECONDS, ranges=ranges))
        out["serve"] = {n: median_of(r) for n, r in runs.items()}
        out["serve"]["ratio"] = out["serve"]["signed"]["rps"] / out["serve"]["unsigned"]["rps"]
        log(f"library: ranges of the signed file {out['serve']['signed']['rps']:.0f}/s, "
            f"unsigned {out['serve']['unsigned']['rps']:.0f}/s")
    finally:
        for s_ in stacks:
            s_.stop()
        shutil.rmtree(d, ignore_errors=True)
    return out


BENCH_CATALOG = os.path.join(RESULTS, "bench-catalog.json")


def bench_catalog():
    """A mock catalog that answers the bench's film too (in the results folder)."""
    os.makedirs(RESULTS, exist_ok=True)
    path = BENCH_CATALOG
    with open(path, "w") as f:
        json.dump([{"title": "Bench Film mock", "url": "https://mock.example.com/bench.mp4",
                    "seeds": 1, "container": "mp4", "video_codec": "h264", "height": 720}], f)
    return path


def streams_bench(fake, archive_rps):
    """/streams with the mock and the archive listed, against the same fake, at
    the archive bench's load: its throughput against the archive alone's."""
    stack = Stack(archive=fake.base_url, workers=ARCHIVE_WORKERS, providers="mock,archive",
                  extra_env={"LUME_MOCK_CATALOG": bench_catalog()}).start()
    try:
        wrk(stack, [STREAMS_PATH], ARCHIVE_CONNS, 2)
        runs = [wrk(stack, [STREAMS_PATH], ARCHIVE_CONNS, SECONDS * 2) for _ in range(ROUNDS)]
        out = median_of(runs)
    finally:
        stack.stop()
    out["ratio"] = out["rps"] / archive_rps
    return out


def overlap_bench():
    """The same resolve with the slow mock alone, then with the fast archive
    listed after it: the second's p50 and p99 against the first's."""
    from fake_archive import FakeArchive, Item, video
    fake = FakeArchive(latency=OVERLAP_FAST_S).start()
    fake.add(Item("bench_film_0", "Bench Film 0", 1000, [video("film0.mp4", "h.264", 7000, 720)]))
    slow = {"LUME_MOCK_CATALOG": bench_catalog(), "LUME_MOCK_DELAY_MS": str(OVERLAP_SLOW_MS)}
    out = {}
    try:
        for name, providers in (("slow_alone", "mock"), ("both", "mock,archive")):
            stack = Stack(archive=fake.base_url, workers=ARCHIVE_WORKERS, providers=providers,
                          extra_env=slow).start()
            try:
                wrk(stack, [STREAMS_PATH], OVERLAP_CONNS, 1)
                out[name] = median_of([wrk(stack, [STREAMS_PATH], OVERLAP_CONNS, SECONDS)
                                       for _ in range(ROUNDS)])
            finally:
                stack.stop()
    finally:
        fake.stop()
    out["p50_added_ms"] = (out["both"]["p50_us"] - out["slow_alone"]["p50_us"]) / 1000
    out["p99_added_ms"] = (out["both"]["p99_us"] - out["slow_alone"]["p99_us"]) / 1000
    return out


def memcheck(requests=MEMCHECK_REQUESTS):
    """valgrind memcheck on a master and its one worker, the mock provider,
    serving `requests` of the mix (and the other routes) over FastCGI, then
    stopped: the worker's errors and definite leaks."""
    import fcgi_client
    d = tempfile.mkdtemp(prefix="lume-bench-mc-")
    sock = f"unix:{d}/lume.sock"
    paths = LOADS["mix"] + ["/health", "/metrics", "/status", "/nope", "/resolve/%ff%fe"]
    env = dict(os.environ, LUME_LISTEN=sock, LUME_WORKERS="1", LUME_PROVIDER="mock",
               LUME_MAX_REQUESTS="0", LUME_ACCESS_LOG="1")
    logs = os.path.join(d, "memcheck.%p")
    p = subprocess.Popen(["valgrind", "--tool=memcheck", "--trace-children=yes",
                          "--leak-check=full", "--errors-for-leak-kinds=definite",
                          "--show-leak-kinds=definite", f"--log-file={logs}", BINARY], env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
    statuses = {}
    try:
        wait_answering(sock, "lume-fcgi under memcheck")
        worker = (children(p.pid) or [None])[0]
        for i in range(requests):
            status = fcgi_client.request(sock, paths[i % len(paths)], timeout=30)[0]
            statuses[status] = statuses.get(status, 0) + 1
    finally:
        os.killpg(p.pid, signal.SIGTERM)
        p.wait(120)
    out = {"requests": requests, "statuses": statuses, "worker": None}
    try:
        for fn in sorted(os.listdir(d)):
            if not fn.startswith("memcheck."):
                continue
            with open(os.path.join(d, fn)) as f:
                text = f.read()
            errors = re.search(r"ERROR SUMMARY: (\d+) errors", text)
            lost = re.search(r"definitely lost: ([\d,]+) bytes in ([\d,]+) blocks", text)
            r = {"errors": int(errors.group(1)) if errors else None,
                 "definitely_lost_bytes": int(lost.group(1).replace(",", "")) if lost else 0,
                 "complete": errors is not None}
            role = "worker" if fn == f"memcheck.{worker}" else f"process {fn.split('.')[1]}"
            if role != "worker" and fn == f"memcheck.{p.pid}":
                role = "master"
            out[role] = r
            if r["errors"] or r["definitely_lost_bytes"]:
                keep = os.path.join(RESULTS, f"memcheck-{role.replace(' ', '-')}.txt")
                shutil.copy(os.path.join(d, fn), keep)
                r["log"] = os.path.relpath(keep, ROOT)
    finally:
        shutil.rmtree(d, ignore_errors=True)
    return out


def fmt_ms(us):
    return f"{us / 1000:.2f}"


ISSUE_TARGETS = ("resolve >= 1.2x go, >= 1.4x node, >= 0.40 of return, plain HTTP at "
                 f"{ISSUE_CONNS} connections")


def peer_report(by_conns, scheme, issue_front=False):
    """Lume's mock resolve against the Go and Node peers and nginx's return;
    issue_front: the table of issue 28's conditions, where its targets are read."""
    lines = [f"## Lume against a Go and a Node peer ({scheme}, wrk, HTTP/1.1)\n",
             "| connections | resolve req/s | go | node | return | responder | resolve / go | "
             "resolve / node | resolve / return | p99 ms resolve / go / node |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for c in CONNS:
        w = by_conns.get(str(c), {})
        if not all(n in w for n in ("resolve", "go", "node", "return")):
            continue
        r, g, n, t = w["resolve"], w["go"], w["node"], w["return"]
        b = f"{w['responder']['rps']:.0f}" if "responder" in w else "-"
        lines.append(f"| {c} | {r['rps']:.0f} | {g['rps']:.0f} | {n['rps']:.0f} | "
                     f"{t['rps']:.0f} | {b} | {r['rps'] / g['rps']:.2f}x | "
                     f"{r['rps'] / n['rps']:.2f}x | {r['rps'] / t['rps']:.2f} | "
                     f"{fmt_ms(r['p99_us'])} / {fmt_ms(g['p99_us'])} / {fmt_ms(n['p99_us'])} |")
    if issue_front:
        lines.append(f"\nTargets (issue 28), read in this table (the issue's conditions): "
                     f"{ISSUE_TARGETS}.\n")
    else:
        lines.append("\nFor comparison: issue 28's targets are read behind the front of its "
                     "own conditions (1 nginx worker, no access log, no edge metrics).\n")
    return lines


def cpu_report(by_load):
    """Where a request's CPU goes behind the front of issue 28's conditions."""
    loads = [n for n in ("return", "responder", "go", "node", "resolve")
             if "cpu_us" in by_load.get(n, {})]
    if not loads:
        return []
    lines = [f"### Where a request's CPU goes there ({ISSUE_CONNS} connections)\n",
             "µs of CPU per request, user + system (from `/proc`, over all the rounds): the "
             "front's one nginx worker (and the share of its core it used), what answers "
             "(Lume's workers, the peer's processes, the responder), and `wrk`. The machine "
             f"has {os.cpu_count()} CPUs: a load is at the ceiling of its front when nginx "
             "uses most of its core, and at the machine's when the total times the requests/s "
             "fills every CPU.\n",
             "| load | req/s | nginx | nginx's core | upstream | wrk | total |",
             "|---|---|---|---|---|---|---|"]
    for name in loads:
        x = by_load[name]
        c = x["cpu_us"]
        total = sum(sum(v) for v in c.values())
        cell = {k: f"{sum(v):.1f} ({v[0]:.1f} + {v[1]:.1f})" for k, v in c.items()}
        lines.append(f"| {name} | {x['rps']:.0f} | {cell['nginx']} | {x['nginx_busy']:.0%} | "
                     f"{cell['upstream'] if name != 'return' else '-'} | {cell['wrk']} | "
                     f"{total:.1f} |")
    lines.append("")
    return lines


def ratio(r, base):
    return f"{r['rps'] / base['rps']:.1%}" if base else "-"


def report(res):
    lines = []
    machine = res["machine"]
    lines.append("# Lume benchmark\n")
    lines.append(f"{res['date']}, {machine}; {res['mode']}; "
                 f"{WORKERS} lume-fcgi workers, as many responder processes; "
                 f"median of {ROUNDS} alternating {SECONDS} s wrk runs per figure "
                 f"({PEER_ROUNDS} in the plain HTTP tables against the peers).\n")
    first = res["wrk"][str(CONNS[0])]
    if "resolve" in first and "responder" in first:
        lines.append("## Ratios: the mock resolve through the whole stack\n")
        lines.append("| connections | resolve req/s | / responder | / return | p99 ms | p99 / responder |")
        lines.append("|---|---|---|---|---|---|")
        for c in CONNS:
            w = res["wrk"][str(c)]
            r, b, n = w["resolve"], w["responder"], w["return"]
            lines.append(f"| {c} | {r['rps']:.0f} | {r['rps'] / b['rps']:.1%} | "
                         f"{r['rps'] / n['rps']:.1%} | {fmt_ms(r['p99_us'])} | "
                         f"{r['p99_us'] / b['p99_us']:.2f}x |")
        lines.append("\nTargets (issue 17): resolve >= 95% of the responder's requests/s, "
                     "p99 <= 1.1x the responder's.\n")
    w64 = res["wrk"].get("64", {})
    if "streams" in w64 and "stremio" in w64:
        st, sm = w64["streams"], w64["stremio"]
        lines.append("## The Stremio addon's stream route against /streams (64 connections)\n")
        lines.append(f"/streams: {st['rps']:.0f} req/s, p99 {fmt_ms(st['p99_us'])} ms; "
                     f"stream/movie/{{id}}.json: {sm['rps']:.0f} req/s, p99 "
                     f"{fmt_ms(sm['p99_us'])} ms: **{sm['rps'] / st['rps']:.1%}** of /streams "
                     f"(target >= 90%: the protocol layer costs at most 10%).\n")
    if res.get("plain"):
        lines += peer_report(res["plain"], "plain HTTP")
        if res.get("issue"):
            lines += peer_report(res["issue"], "plain HTTP behind nginx as issue 28 measured: "
                                 "1 worker, no access log, no edge metrics", issue_front=True)
            lines += cpu_report(res["issue"][str(ISSUE_CONNS)])
        lines += peer_report(res["wrk"], "HTTPS")
    if res.get("paced"):
        b = res["paced"]["responder"]
        lines.append("## p99 at equal load\n")
        lines.append(f"{PACED_CONNS} connections, each pausing {PACED_PAUSE_MS} ms after every "
                     f"answer, so that both serve about the same requests/s below their "
                     f"ceilings; median of {PACED_ROUNDS} alternating {SECONDS} s runs.\n")
        lines.append("| load | req/s | p50 ms | p99 ms | p99 / responder | resolve p99 / this |")
        lines.append("|---|---|---|---|---|---|")
        r = res["paced"]["resolve"]
        for name, x in res["paced"].items():
            lines.append(f"| {name} | {x['rps']:.0f} | {fmt_ms(x['p50_us'])} | "
                         f"{fmt_ms(x['p99_us'])} | {x['p99_us'] / b['p99_us']:.2f}x | "
                         f"{r['p99_us'] / x['p99_us']:.2f}x |")
        lines.append("\nTarget (issue 28): the resolve's p99 no worse than the Go peer's "
                     "at equal load (resolve p99 / go <= 1.00x).")
        lines.append("")
    if "cached" in first:
        lines.append("## Ratios: the mock resolve from nginx's response cache (HIT)\n")
        lines.append("| connections | cached req/s | / return | p99 ms | p99 / return |")
        lines.append("|---|---|---|---|---|")
        for c in CONNS:
            w = res["wrk"][str(c)]
            r, n = w["cached"], w["return"]
            lines.append(f"| {c} | {r['rps']:.0f} | {r['rps'] / n['rps']:.1%} | "
                         f"{fmt_ms(r['p99_us'])} | {r['p99_us'] / n['p99_us']:.2f}x |")
        lines.append("\nTarget (issue 16): cached >= 80% of return's requests/s.\n")
    if "cached" in first and "cached_noedge" in first:
        lines.append("## The edge metrics' cost: the cached resolve with and without them\n")
        lines.append("cached: the edge log written (buffer=16k flush=1s) and mtail counting "
                     "it (nginx/edge.py); cached_noedge: a second nginx front of the same "
                     "master with LUME_EDGE_METRICS=off. Load average "
                     + " -> ".join(f"{x[0]:.1f}" for x in (res.get("loadavg_start"),
                                                           res.get("loadavg_end")) if x)
                     + " (1 min).\n")
        lines.append("CPU per request: the front's nginx workers (and mtail, with the edge "
                     "metrics on), from /proc over every run of the load.\n")
        lines.append("| connections | cached req/s | cached_noedge req/s | on / off | "
                     "p99 ms on | p99 ms off | CPU us/request on | off | on / off |")
        lines.append("|---|---|---|---|---|---|---|---|---|")
        for c in CONNS:
            w = res["wrk"][str(c)]
            on, off = w["cached"], w["cached_noedge"]
            lines.append(f"| {c} | {on['rps']:.0f} | {off['rps']:.0f} | "
                         f"{on['rps'] / off['rps']:.3f} | {fmt_ms(on['p99_us'])} | "
                         f"{fmt_ms(off['p99_us'])} | {on['front_cpu_us']:.1f} | "
                         f"{off['front_cpu_us']:.1f} | "
                         f"{on['front_cpu_us'] / off['front_cpu_us']:.3f} |")
        lines.append("")
    lines.append("## Every load (wrk, HTTPS, HTTP/1.1)\n")
    lines.append("| load | connections | req/s | p50 ms | p99 ms | / responder | / return | errors | non-2xx |")
    lines.append("|---|---|---|---|---|---|---|---|---|")
    for c in CONNS:
        w = res["wrk"][str(c)]
        for name, r in w.items():
            lines.append(f"| {name} | {c} | {r['rps']:.0f} | {fmt_ms(r['p50_us'])} | "
                         f"{fmt_ms(r['p99_us'])} | {ratio(r, w.get('responder'))} | "
                         f"{r['rps'] / w['return']['rps']:.1%} | {r['errors']} | {r['non_2xx']} |")
    if res.get("plain"):
        lines.append("\n## Every load over plain HTTP (wrk, HTTP/1.1)\n")
        lines.append("| load | connections | req/s | p50 ms | p99 ms | / return | errors | non-2xx |")
        lines.append("|---|---|---|---|---|---|---|---|")
        for c in CONNS:
            w = res["plain"].get(str(c), {})
            for name, r in w.items():
                if name == "load_average":
                    continue
                lines.append(f"| {name} | {c} | {r['rps']:.0f} | {fmt_ms(r['p50_us'])} | "
                             f"{fmt_ms(r['p99_us'])} | {r['rps'] / w['return']['rps']:.1%} | "
                             f"{r['errors']} | {r['non_2xx']} |")
    if res.get("h2load"):
        lines.append("\n## HTTP/2 (h2load, 10 streams per connection)\n")
        lines.append("| load | connections | req/s | p50 ms | p99 ms | / responder |")
        lines.append("|---|---|---|---|---|---|")
        for c, h in res["h2load"].items():
            for name, r in h.items():
                lines.append(f"| {name} | {c} | {r['rps']:.0f} | {fmt_ms(r['p50_us'])} | "
                             f"{fmt_ms(r['p99_us'])} | {r['rps'] / h['responder']['rps']:.1%} |")
    if res.get("syscalls"):
        lines.append("\n## System calls per request (strace -c on one process, 16 connections)\n")
        for name, s in res["syscalls"].items():
            if s is None:
                continue
            calls = ", ".join(f"{k} {v:g}" for k, v in s["calls"].items())
            lines.append(f"- {name}: **{s['per_request']:.2f}** ({calls})")
    if res.get("instructions"):
        lines.append("\n## Instructions per mock resolve (callgrind, one process, FastCGI direct)\n")
        for name, n in res["instructions"].items():
            lines.append(f"- {name}: {n:,.0f}")
    if res.get("archive"):
        a = res["archive"]
        lines.append(f"\n## The archive provider (fake Internet Archive, "
                     f"{ARCHIVE_LATENCY_S * 1000:.0f} ms per call, {ARCHIVE_CONNS} connections)\n")
        lines.append(f"{a['workers']} workers: **{a['rps']:.0f} requests/s**, "
                     f"p50 {fmt_ms(a['p50_us'])} ms, p99 {fmt_ms(a['p99_us'])} ms; "
                     f"**{a['ratio']:.1%}** of workers / (search + one lookup round) = "
                     f"{a['ceiling_rps']:.0f}/s (target >= 90%, issue 28). "
                     f"{a['upstream_calls_per_request']:.2f} upstream calls per request, "
                     f"at most {a['max_parallel_upstream']} at once; "
                     f"errors {a['errors']}, non-2xx {a['non_2xx']}.")
        pr = a["per_request"]
        lines.append(f"\nThe same against a stack that keeps no FastCGI connection "
                     f"(`LUME_FCGI_KEEP_CONNS=0`, one per request: the design before issue 28), "
                     f"{pr['runs']} rounds alternating with the above: {pr['rps']:.0f} requests/s "
                     f"({pr['ratio']:.1%}), p50 {fmt_ms(pr['p50_us'])} ms, p99 "
                     f"{fmt_ms(pr['p99_us'])} ms; errors {pr['errors']}, non-2xx {pr['non_2xx']}. "
                     f"Kept connections: **{a['rps_vs_per_request']:.2f}x** its throughput, "
                     f"p99 **{a['p99_vs_per_request']:.2f}x** its p99 (target, issue 28: "
                     f"p99 not above today's, <= 1.00x).")
    if res.get("archive", {}).get("streams"):
        st = res["archive"]["streams"]
        lines.append(f"\n`/streams` with the mock and the archive listed, the same fake and load: "
                     f"**{st['rps']:.0f} requests/s**, p50 {fmt_ms(st['p50_us'])} ms, "
                     f"p99 {fmt_ms(st['p99_us'])} ms: **{st['ratio']:.1%}** of the archive "
                     f"alone (target >= 90%); errors {st['errors']}, non-2xx {st['non_2xx']}.")
    if res.get("overlap"):
        o = res["overlap"]
        lines.append(f"\n## Two providers at once\n\nThe mock with {OVERLAP_SLOW_MS} ms of delay "
                     f"alone: p50 {fmt_ms(o['slow_alone']['p50_us'])} ms, p99 "
                     f"{fmt_ms(o['slow_alone']['p99_us'])} ms; with the archive "
                     f"({OVERLAP_FAST_S * 2000:.0f} ms: two calls) listed too: p50 "
                     f"{fmt_ms(o['both']['p50_us'])} ms, p99 {fmt_ms(o['both']['p99_us'])} ms. "
                     f"Added: **{o['p50_added_ms']:+.1f} ms** at p50, **{o['p99_added_ms']:+.1f} ms** "
                     f"at p99 (target <= 10 ms; {OVERLAP_CONNS} connections).")
    if res.get("library"):
        lines += library_report(res["library"])
    if res.get("memcheck"):
        m = res["memcheck"]
        w = m.get("worker") or {}
        clean = w.get("complete") and w.get("errors") == 0 and w.get("definitely_lost_bytes") == 0
        lines.append(f"\n## valgrind memcheck\n\nOne worker served {m['requests']} mixed requests "
                     f"(statuses {', '.join(f'{k}: {v}' for k, v in sorted(m['statuses'].items()))}): "
                     + ("**clean** (0 errors, no definite leaks)" if clean else
                        f"**not clean**: {w}") + ".")
        for role, r in m.items():
            if role not in ("requests", "statuses", "worker") and isinstance(r, dict):
                lines.append(f"- {role}: {r['errors']} errors, "
                             f"{r['definitely_lost_bytes']} bytes definitely lost")
    if res.get("rss") and res["rss"]["after_kib"] is not None:
        r = res["rss"]
        lines.append(f"\n## Worker memory\n\nRSS of one worker: {r['before_kib']} KiB before, "
                     f"{r['after_kib']} KiB after {r['requests']} requests it served "
                     f"(growth {r['after_kib'] - r['before_kib']} KiB).")
    lines.append(f"\nCommand: `{res['command']}`")
    return "\n".join(lines) + "\n"


def library_report(lib):
    names = LIBRARY_FILMS + LIBRARY_SHOWS * LIBRARY_SEASONS * LIBRARY_EPISODES
    ix, rs, ir = lib["index"], lib["rescan"], lib["indexer_rescan"]
    pe, pr = lib["probe_empty"], lib["probe"]
    r, sv, rss = lib["resolve"], lib["serve"], lib["rss_kib"]
    rl, rm = r["library"], r["mock"]
    lines = [f"\n## The library provider ({names:,} names: {LIBRARY_FILMS:,} films, "
             f"{LIBRARY_SHOWS} series x {LIBRARY_SEASONS} seasons x {LIBRARY_EPISODES} "
             "episodes, empty files)\n"]
    lines.append(f"- Index {ix['files']:,} names, names and index writes only (the scanner of "
                 f"tests/load/library_index.c, the prober left out): **{ix['ms'] / 1000:.1f} s** "
                 f"({ix['added']:,} added); the indexer gives an empty file no prober child, so "
                 f"this is its time too. A child of the prober costs "
                 f"{pe['ms'] / pe['probes']:.2f} ms a file, on an empty file given to it "
                 f"({pe['probes']} probes): what each new non-empty file adds.")
    lines.append(f"- Full rescan of the unchanged tree: **{rs['ms'] / 1000:.2f} s** (the driver, "
                 f"{rs['unchanged']:,} unchanged, {rs['probed']} probed); the indexer's start "
                 f"scan over the same index: **{ir['ms'] / 1000:.2f} s** ({ir['files']:,} files, "
                 f"{ir['added']} added). Target < 3 s.")
    lines.append(f"- `/resolve` at {LIBRARY_CONNS} connections (films and episodes spread over "
                 f"the library; past the response cache): **{rl['rps']:.0f} req/s**, p99 "
                 f"{fmt_ms(rl['p99_us'])} ms; the mock's `{MOVIE}` {rm['rps']:.0f} req/s, p99 "
                 f"{fmt_ms(rm['p99_us'])} ms: **{r['ratio']:.1%}** (target >= 90%); errors "
                 f"{rl['errors']}, non-2xx {rl['non_2xx']}.")
    lines.append(f"- Inside the worker (its access log's duration_ms, {rl['worker_requests']:,} "
                 f"library resolves under that load): p50 {fmt_ms(rl['worker_p50_us'])} ms, "
                 f"**p99 {fmt_ms(rl['worker_p99_us'])} ms** (target < 2 ms; films "
                 f"{fmt_ms(rl['worker_film_p99_us'])} ms, episodes "
                 f"{fmt_ms(rl['worker_show_p99_us'])} ms); the mock's p99 "
                 f"{fmt_ms(rm['worker_p99_us'])} ms.")
    lines.append(f"- Probing ffmpeg's media ({', '.join(pr['files'])}, 2 s of 640x360 each), "
                 f"each in its child as the indexer does: **{pr['probes'] * 1000 / pr['ms']:.0f} "
                 f"files/s** ({pr['ok']} of {pr['probes']} read).")
    lines.append(f"- nginx serving a {LIBRARY_BIG_MB} MB file in {LIBRARY_RANGE_KB} KiB `Range` "
                 f"requests from {LIBRARY_CONNS} connections (HTTPS): signed "
                 f"**{sv['signed']['rps']:.0f} req/s** (p99 {fmt_ms(sv['signed']['p99_us'])} ms), "
                 f"unsigned {sv['unsigned']['rps']:.0f} req/s (p99 "
                 f"{fmt_ms(sv['unsigned']['p99_us'])} ms): **{sv['ratio']:.1%}** (target >= 90%); "
                 f"errors {sv['signed']['errors']}, non-2xx {sv['signed']['non_2xx']}.")
    lines.append(f"- RSS after the loads: indexer {rss['indexer']} KiB; workers "
                 f"{', '.join(str(x) for x in rss['workers'])} KiB (the mock's "
                 f"{', '.join(str(x) for x in rss['mock_workers'])} KiB).")
    return lines


def charts(res):
    if shutil.which("gnuplot") is None:
        log("no gnuplot: no charts")
        return
    chart(res["wrk"], "HTTPS", "")
    if res.get("plain"):
        chart(res["plain"], "plain HTTP", "-http")


def chart(by_conns, scheme, suffix):
    names = [n for n in by_conns[str(CONNS[0])].keys() if n != "load_average"]
    data = os.path.join(RESULTS, f"wrk{suffix}.dat")
    with open(data, "w") as f:
        f.write("# conns " + " ".join(f"{n}_rps {n}_p99ms" for n in names) + "\n")
        for c in CONNS:
            w = by_conns[str(c)]
            f.write(f"{c} " + " ".join(f"{w[n]['rps']:.1f} {w[n]['p99_us'] / 1000:.3f}"
                                       for n in names) + "\n")
    for what, col, ylabel in (("throughput", 0, "requests/s"), ("p99", 1, "p99 latency (ms)")):
        plots = ", ".join(f"'{data}' using 1:{2 + 2 * i + col} with linespoints title '{n}'"
                          for i, n in enumerate(names))
        script = (f"set terminal pngcairo size 900,560; set output '{RESULTS}/{what}{suffix}.png';"
                  f"set logscale x 2; set xlabel 'connections'; set ylabel '{ylabel}';"
                  f"set key outside right; set grid; set title 'Lume {what} (wrk, {scheme})';"
                  f"plot {plots}")
        r = subprocess.run(["gnuplot", "-e", script], capture_output=True, text=True)
        if r.returncode != 0:
            r = subprocess.run(["gnuplot", "-e", script.replace("pngcairo", "png")],
                               capture_output=True, text=True)
            if r.returncode != 0:
                log(f"gnuplot: {r.stderr.strip()}")


def machine():
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start"


def main():
    for tool, pkg in (("wrk", "wrk"), ("nginx", "nginx")):
        if shutil.which(tool) is None:
            log(f"{tool} is missing (apt-get install {pkg})")
            return 1
    os.makedirs(RESULTS, exist_ok=True)
    res = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "machine": machine(),
           "mode": "BENCH_QUICK=1" if QUICK else "full", "wrk": {}, "h2load": {},
           "command": ("BENCH_QUICK=1 " if QUICK else "") + "make bench"}
    loads = FOCUS or (QUICK_LOADS if QUICK else list(LOADS))
    unknown = [n for n in loads if n not in LOADS]
    if unknown or "return" not in loads:
        log(f"BENCH_LOADS: {', '.join(unknown) or 'return is missing'} (the loads: {', '.join(LOADS)})")
        return 2
    if FOCUS:
        res["mode"] += f", BENCH_LOADS={','.join(FOCUS)}, {ROUNDS} rounds"
        res["command"] = (f"BENCH_LOADS={','.join(FOCUS)} BENCH_CONNS={','.join(map(str, CONNS))} "
                          f"BENCH_ROUNDS={ROUNDS} " + res["command"])
    peers = "go" in loads or "node" in loads
    stack = Stack(noedge=any(n in NOEDGE for n in loads), issue=peers).start()
    res["loadavg_start"] = os.getloadavg()
    try:
        log(f"up in {stack.dir}; warming up")
        warm = ["return", "responder", "go", "node", "resolve", "cached", "mix"] + [
            n for n in loads if n in NOEDGE]
        for name in FOCUS or warm:
            wrk(stack, LOADS[name], 64, 1 if QUICK else 3, load=name)
        for c in CONNS:
            runs = {name: [] for name in loads}
            for rnd in range(ROUNDS):
                order = loads if rnd % 2 == 0 else list(reversed(loads))
                for name in order:
                    cpu = stack.front_cpu(name) if name in CACHED else None
                    runs[name].append(wrk(stack, LOADS[name], c, SECONDS, load=name))
                    if cpu is not None:
                        runs[name][-1]["front_cpu_s"] = stack.front_cpu(name) - cpu
            res["wrk"][str(c)] = {name: median_of(runs[name]) for name in loads}
            log(f"{c} connections: " + ", ".join(
                f"{n} {res['wrk'][str(c)][n]['rps']:.0f}/s" for n in loads))
        # Plain HTTP: Lume against the peers, where TLS does not dominate.
        plain_loads = [n for n in PEER_LOADS if n in loads]
        if "go" in plain_loads or "node" in plain_loads:
            res["plain"] = {}
            for c in CONNS:
                runs = {name: [] for name in plain_loads}
                for rnd in range(PEER_ROUNDS):
                    for name in (plain_loads if rnd % 2 == 0 else list(reversed(plain_loads))):
                        runs[name].append(wrk(stack, LOADS[name], c, SECONDS, plain=True))
                res["plain"][str(c)] = {name: median_of(runs[name]) for name in plain_loads}
                res["plain"][str(c)]["load_average"] = os.getloadavg()[0]
                log(f"plain HTTP, {c} connections: " + ", ".join(
                    f"{n} {res['plain'][str(c)][n]['rps']:.0f}/s" for n in plain_loads))
            # The same behind the front of issue 28's own conditions.
            for name in plain_loads:
                wrk(stack, LOADS[name], ISSUE_CONNS, 1, front="issue")
            runs = {name: [] for name in plain_loads}
            for rnd in range(PEER_ROUNDS):
                for name in (plain_loads if rnd % 2 == 0 else list(reversed(plain_loads))):
                    before = stack.issue_split(name)
                    runs[name].append(wrk(stack, LOADS[name], ISSUE_CONNS, SECONDS,
                                          front="issue"))
                    after = stack.issue_split(name)
                    runs[name][-1]["cpu_s"] = {k: [a - b for a, b in zip(after[k], before[k])]
                                               for k in after}
            res["issue"] = {str(ISSUE_CONNS): {name: median_of(runs[name])
                                               for name in plain_loads}}
            log(f"issue 28's nginx, {ISSUE_CONNS} connections: " + ", ".join(
                f"{n} {res['issue'][str(ISSUE_CONNS)][n]['rps']:.0f}/s" for n in plain_loads))
        if not FOCUS or ("resolve" in FOCUS and "responder" in FOCUS):
            runs = {name: [] for name in ("responder", "go", "node", "resolve")
                    if name in loads}
            for rnd in range(PACED_ROUNDS):
                for name in (runs if rnd % 2 == 0 else reversed(list(runs))):
                    runs[name].append(wrk(stack, LOADS[name], PACED_CONNS, SECONDS,
                                          PACED_PAUSE_MS, load=name))
            res["paced"] = {n: median_of(r) for n, r in runs.items()}
            log("equal load: " + ", ".join(f"{n} {r['rps']:.0f}/s p99 {fmt_ms(r['p99_us'])} ms"
                                           for n, r in res["paced"].items()))
        if FOCUS:
            pass
        elif shutil.which("h2load"):
            for c in ([16] if QUICK else [4, 16, 64]):
                runs = {name: [] for name in ("return", "responder", "resolve")}
                for rnd in range(ROUNDS):
                    for name in runs:
                        runs[name].append(h2load(stack, LOADS[name][0], c, SECONDS))
                res["h2load"][str(c)] = {n: median_of(r) for n, r in runs.items()}
        else:
            log("no h2load (apt-get install nghttp2-client): HTTP/2 skipped")
        if shutil.which("strace") and not FOCUS:
            worker = stack.workers()[0]
            res["syscalls"] = {
                "lume-fcgi worker (mock resolve)": syscalls(
                    stack, worker, MOVIE, lambda: requests_served(stack, worker), SECONDS),
                "responder process": syscalls(
                    stack, stack.responders()[0], "/bench/fcgi", ["accept", "accept4"], SECONDS),
            }
        if not QUICK and not FOCUS:
            pid = stack.workers()[0]
            before, served0 = rss_kib(pid), requests_served(stack, pid)
            deadline = time.monotonic() + 300
            while (requests_served(stack, pid) - served0 < RSS_REQUESTS
                   and time.monotonic() < deadline):
                wrk(stack, LOADS["mix"], 64, 10)
            res["rss"] = {"before_kib": before, "after_kib": rss_kib(pid),
                          "requests": requests_served(stack, pid) - served0}
        res["loadavg_end"] = os.getloadavg()
    finally:
        stack.stop()
    if not FOCUS:
        log(f"the archive provider, {ARCHIVE_WORKERS} workers, against the fake archive")
        res["archive"] = archive_bench()
        log("two providers of 20 ms and 200 ms: the slower one's time")
        res["overlap"] = overlap_bench()
        log("the library provider: 100,000 names")
        res["library"] = library_bench()
    if not QUICK and not FOCUS and shutil.which("valgrind"):
        res["instructions"] = callgrind()
        log(f"memcheck: one worker, {MEMCHECK_REQUESTS} requests")
        res["memcheck"] = memcheck()
    with open(os.path.join(RESULTS, "raw.json"), "w") as f:
        json.dump(res, f, indent=1)
    text = report(res)
    with open(os.path.join(RESULTS, "report.md"), "w") as f:
        f.write(text)
    charts(res)
    print(text)
    log(f"written to {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
