"""Debian's Prometheus server, scraping a Lume nginx front, for end-to-end tests.

Prometheus(nginx, path) starts `prometheus` on a free 127.0.0.1 port, scraping
https://127.0.0.1:PORT{path} of that front every second (its certificate
verified); query() runs an instant query through its HTTP API, wait_for()
polls one until it gives the answer wanted or a deadline passes, and stop()
ends it and removes its directory.
"""
import json
import os
import shutil
import subprocess
import tempfile
import urllib.parse
import urllib.request

from harness import free_port, stop_process, wait_until

PROMTOOL = shutil.which("promtool") or "/usr/bin/promtool"
PROMETHEUS = shutil.which("prometheus") or "/usr/bin/prometheus"


class Prometheus:
    def __init__(self, nginx, path="/metrics"):
        self.dir = tempfile.mkdtemp(prefix="lume-prometheus-")
        self.port = free_port()
        config = os.path.join(self.dir, "prometheus.yml")
        with open(config, "w") as f:
            f.write("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
                    "scrape_configs:\n  - job_name: lume\n    scheme: https\n"
                    f"    metrics_path: {path}\n"
                    f"    tls_config:\n      ca_file: {nginx.cert}\n"
                    f"    static_configs:\n      - targets: ['127.0.0.1:{nginx.https_port}']\n")
        self.log = os.path.join(self.dir, "log")
        with open(self.log, "wb") as err:
            self.proc = subprocess.Popen(
                [PROMETHEUS, f"--config.file={config}", f"--storage.tsdb.path={self.dir}/data",
                 f"--web.listen-address=127.0.0.1:{self.port}", "--log.level=warn"],
                stdout=subprocess.DEVNULL, stderr=err)

    def query(self, expr):
        """{labels (sorted (name, value) pairs, without __name__, job and
        instance): value} of an instant query; OSError while it is not up."""
        if self.proc.poll() is not None:
            with open(self.log) as f:
                raise RuntimeError("prometheus exited: " + f.read())
        url = f"http://127.0.0.1:{self.port}/api/v1/query?" + urllib.parse.urlencode(
            {"query": expr})
        with urllib.request.urlopen(url, timeout=5) as resp:
            result = json.load(resp)["data"]["result"]
        return {tuple(sorted((k, v) for k, v in r["metric"].items()
                             if k not in ("__name__", "job", "instance"))): float(r["value"][1])
                for r in result}

    def value(self, expr):
        """The one value of a query (None when it has none)."""
        result = self.query(expr)
        return next(iter(result.values())) if result else None

    def wait_for(self, expr, done, timeout=30):
        """Poll the query until done(result) or the deadline; returns the last
        result seen (None if Prometheus never answered)."""
        seen = [None]

        def check():
            try:
                seen[0] = self.query(expr)
            except OSError:
                return False
            return done(seen[0])
        wait_until(check, timeout, 0.5)
        return seen[0]

    def stop(self):
        stop_process(self.proc)
        shutil.rmtree(self.dir, ignore_errors=True)
