"""Start and stop a real lume-fcgi master for process and end-to-end tests.

Master(workers=2, env={...}).start() runs build/lume-fcgi (BUILD overrides the
build directory) on a fresh unix socket in a temporary directory, waits until
it answers, and stop() ends it. Its JSON log lines are in master.events().
Every answer request() gets is checked against docs/openapi.yaml (openapi_check).
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, os.environ.get("BUILD", "build"))
BINARY = os.path.join(BUILD, "lume-fcgi")
RESPONDER = "lume-health"  # the health responder's process name (fcgi-app/health.c)
INDEXER = "lume-indexer"  # the library's indexer's (providers/library/indexer.c)

import fcgi_client  # noqa: E402  (tests/lib is on sys.path)
import openapi_check  # noqa: E402


def free_port():
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def metric_sample(text, name, **labels):
    """The value of one series (name and exact labels, in order) in the
    Prometheus text format, or None when the page has no such line."""
    want = name + ("{" + ",".join(f'{k}="{v}"' for k, v in labels.items()) + "}" if labels else "")
    for line in text.splitlines():
        if line.startswith(want + " "):
            return float(line.split()[-1])
    return None


def stop_process(proc, timeout=10):
    """SIGTERM a subprocess.Popen, SIGKILL it if it has not ended `timeout`
    seconds later, and reap it. Nothing when it has ended already."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def wait_until(predicate, timeout=10.0, interval=0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()


def children(pid, name=None, but=None):
    """Pids whose parent is pid (scans /proc; no procps needed); only those
    whose command name is name, or is not but, when given."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        comm = stat[stat.find("(") + 1:stat.rfind(")")]
        if (fields[0] != "Z" and int(fields[1]) == pid and (name is None or comm == name)
                and (but is None or comm != but)):
            found.append(int(entry))
    return sorted(found)


class Master:
    def __init__(self, workers=2, env=None, args=None, listen=None, health=False):
        self.dir = tempfile.mkdtemp(prefix="lume-test-")
        self.listen = listen or f"unix:{self.dir}/lume.sock"
        self.env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                    "LUME_LISTEN": self.listen, "LUME_WORKERS": str(workers)}
        # health: a health responder on a socket of its own (LUME_HEALTH_LISTEN)
        self.health_listen = f"unix:{self.dir}/health.sock" if health else None
        if health:
            self.env["LUME_HEALTH_LISTEN"] = self.health_listen
        self.env.update(env or {})
        self.args = args or []
        self.log_path = os.path.join(self.dir, "master.log")
        self.proc = None
        self.final_log = None

    @property
    def address(self):
        return self.listen

    def start(self, timeout=10.0):
        self.final_log = None
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([BINARY] + self.args, env=self.env, stdout=self.log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

        def ready():
            if self.proc.poll() is not None:
                raise RuntimeError(f"lume-fcgi exited with {self.proc.returncode}:\n{self.log_text()}")
            try:
                return self.request("/health", timeout=1.0)[0] == 200
            except OSError:
                return False
        if not wait_until(ready, timeout):
            self.stop()
            raise RuntimeError("lume-fcgi did not answer /health:\n" + self.log_text())
        return self

    def request(self, uri="/", method="GET", **kw):
        status, headers, body = fcgi_client.request(self.address, uri, method, **kw)
        params = kw.get("params") or {}
        openapi_check.check(params.get("REQUEST_METHOD", method),
                            params.get("REQUEST_URI", uri), status, headers, body)
        return status, headers, body

    def json(self, uri, method="GET", **kw):
        status, headers, body = self.request(uri, method, **kw)
        return status, headers, json.loads(body) if body else None

    def workers(self):
        """The worker processes (not the health responder, nor the indexer)."""
        if not self.proc:
            return []
        return [p for p in children(self.proc.pid, but=RESPONDER)
                if p not in children(self.proc.pid, name=INDEXER)]

    def indexer(self):
        """The library's indexer's pid, or None (LUME_PROVIDER=library)."""
        found = children(self.proc.pid, name=INDEXER) if self.proc else []
        return found[0] if found else None

    def responder(self):
        """The health responder's pid, or None (LUME_HEALTH_LISTEN)."""
        found = children(self.proc.pid, name=RESPONDER) if self.proc else []
        return found[0] if found else None

    def send_signal(self, signo):
        self.proc.send_signal(signo)

    def stop(self, signo=signal.SIGTERM, timeout=15.0):
        """Stop the master; returns its exit status."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signo)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                for pid in self.workers():
                    os.kill(pid, signal.SIGKILL)
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        self.final_log = self.log_text()  # still readable once the directory is gone
        if os.environ.get("LUME_KEEP_TEST_DIRS") != "1":
            shutil.rmtree(self.dir, ignore_errors=True)  # LUME_KEEP_TEST_DIRS=1 keeps it
        return self.proc.returncode

    def log_text(self):
        if getattr(self, "final_log", None) is not None:
            return self.final_log
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def events(self, name=None):
        out = []
        for line in self.log_text().splitlines():
            if name is not None and f'"{name}"' not in line:
                continue  # cheap: under load most lines are access lines
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            if name is None or obj.get("event") == name:
                out.append(obj)
        return out

    def access_line(self, request_id, timeout=5.0):
        """The access log line of one request, or None. A worker under load
        holds its lines for a moment and writes them together when it next
        waits (log.h), which can be just after the client has the response:
        wait for the line rather than read once."""
        def find():
            return next((e for e in self.events("request")
                         if e.get("request_id") == request_id), None)
        return wait_until(find, timeout)

    def access_lines(self, count, timeout=5.0):
        """The access log lines, once there are at least count of them (as
        access_line() waits for one)."""
        return wait_until(lambda: len(lines := self.events("request")) >= count and lines,
                          timeout) or self.events("request")

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
