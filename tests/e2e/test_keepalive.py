"""End to end: nginx keeps its FastCGI connections, and none of them waits on a busy worker.

Documents, through the real nginx (fastcgi_keep_conn on, an upstream
keepalive pool of a quarter of LUME_FCGI_KEEP_CONNS):
- requests reuse kept connections: 100 requests one after another through
  one nginx worker leave the workers holding at most a couple of
  connections, not one per request;
- a slow provider call (LUME_MOCK_DELAY_MS=500) does not hold up requests
  nginx sends meanwhile, on its kept connections, while another worker is
  idle: the worker about to wait closes its idle kept connections first, and
  nginx sends to the other worker (a request that met the close is retried
  by nginx on another connection). Each of those requests is answered within
  FAST_BOUND_S (measured: milliseconds; the bound leaves room for a shared
  machine), all of them 200;
- under load from more clients than workers, half the requests waiting on
  their provider and half answered at once, nginx never sends a request on
  a connection a worker is closing: a worker that waits now and then keeps
  no connection (its answers end with the closing mark and nginx closes
  them too), and once warm not one request is sent twice (no "502, " in
  $upstream_status) nor one line written to nginx's error log (before the
  mark: a quarter of the requests at the archive's bench, 9% with fast ones
  between);
- with LUME_FCGI_KEEP_CONNS=0 nginx renders without keep-alive and the
  workers keep nothing.
"""
import os
import threading
import time
import unittest

import load as loadgen
import nginx_conf
import nginx_harness
from nginx_harness import Stack

NO_RATE_LIMIT = {"LUME_RATE_LIMIT": "0"}
DELAY_MS = 500
FAST_BOUND_S = 0.25  # half the slow call: a request that waited on it cannot pass
# The load on a slow provider: four times more clients than workers, every
# other request waiting 20 ms on it, for LOAD_S after a warm-up.
LOAD_WORKERS = 4
LOAD_CLIENTS = 16
LOAD_S = 2.0
LOAD_WARMUP_S = 0.3


def setUpModule():
    if not nginx_harness.nginx_available():
        raise unittest.SkipTest("nginx or openssl is not installed")


def report(text):
    """LUME_LOAD_REPORT=1 prints what the slow-call test measured (docs/architecture.md)."""
    if os.environ.get("LUME_LOAD_REPORT"):
        print(f"\n  {text}", flush=True)


def socket_count(pid):
    """Sockets the process holds (its listener and kept connections among them)."""
    n = 0
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                n += os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:")
            except OSError:
                pass
    except OSError:
        pass
    return n


class KeptUpstream(unittest.TestCase):
    def test_requests_reuse_kept_connections(self):
        with Stack(workers=2, nginx_env=NO_RATE_LIMIT) as st:
            pids = st.master.workers()
            before = sum(socket_count(p) for p in pids)
            for i in range(100):
                self.assertEqual(st.nginx.request("/").status, 200, i)
            held = sum(socket_count(p) for p in pids) - before
            self.assertGreaterEqual(held, 1)
            self.assertLessEqual(held, 3, "a connection per request, not kept")
            self.assertIn("keepalive 64;", nginx_conf.text(st.nginx.conf))

    def test_keeping_off_renders_no_keepalive_and_keeps_nothing(self):
        with Stack(workers=2, app_env={"LUME_FCGI_KEEP_CONNS": "0"},
                   nginx_env=NO_RATE_LIMIT) as st:
            conf = nginx_conf.text(st.nginx.conf)
            self.assertIn("fastcgi_keep_conn off;", conf)
            self.assertNotIn("keepalive 0", conf)
            pids = st.master.workers()
            before = sum(socket_count(p) for p in pids)
            for i in range(20):
                self.assertEqual(st.nginx.request("/").status, 200, i)
            self.assertEqual(sum(socket_count(p) for p in pids), before)

    def test_a_slow_call_holds_up_no_request_on_a_kept_connection(self):
        env = {"LUME_MOCK_DELAY_MS": str(DELAY_MS), "LUME_CACHE_MAX_AGE": "0"}
        with Stack(workers=2, app_env=env, nginx_env=NO_RATE_LIMIT) as st:
            # Both workers hold kept connections: concurrent fast requests.
            def burst():
                for _ in range(10):
                    st.nginx.request("/")
            threads = [threading.Thread(target=burst) for _ in range(4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(30)
            for round_ in range(3):
                slow = {}
                started = threading.Event()

                def slow_call():
                    started.set()
                    t0 = time.monotonic()
                    r = st.nginx.request("/resolve/inception", timeout=10)
                    slow.update(status=r.status, took=time.monotonic() - t0)
                t = threading.Thread(target=slow_call)
                t.start()
                started.wait(5)
                time.sleep(0.05)  # the slow request is in a worker's hands
                took = []
                deadline = time.monotonic() + DELAY_MS / 1000 * 0.8
                while time.monotonic() < deadline:  # only while the slow call lasts
                    t0 = time.monotonic()
                    r = st.nginx.request("/")
                    took.append(time.monotonic() - t0)
                    self.assertEqual(r.status, 200)
                t.join(15)
                report(f"round {round_}: {len(took)} requests during the slow call, "
                       f"median {sorted(took)[len(took) // 2] * 1000:.1f} ms, "
                       f"max {max(took) * 1000:.1f} ms; the slow call {slow.get('took', 0):.3f} s")
                self.assertEqual(slow.get("status"), 200, slow)
                self.assertGreaterEqual(slow["took"], DELAY_MS / 1000 * 0.9)
                self.assertGreater(len(took), 3)
                self.assertLess(max(took), FAST_BOUND_S,
                                f"round {round_}: a request waited on the slow call: {took}")
            retried = [e for e in st.nginx.access_log() if "," in e.get("upstream_status", "")]
            report(f"requests nginx sent again after a kept connection's close: {len(retried)} "
                   f"({sorted(set(e['upstream_status'] for e in retried))})")

    def test_under_load_on_a_slow_provider_no_request_meets_a_closing_connection(self):
        # The queue deadline (500 ms) is not what this looks at: a stall of
        # the machine must not turn a request into a 503 here.
        env = {"LUME_MOCK_DELAY_MS": "20", "LUME_CACHE_MAX_AGE": "0",
               "LUME_QUEUE_TIMEOUT_MS": "10000"}
        with Stack(workers=LOAD_WORKERS, app_env=env, nginx_env=NO_RATE_LIMIT) as st:
            def load(seconds):  # kept-alive clients, slow and fast requests in turn
                samples = loadgen.clients(st.nginx.https_port, "127.0.0.1", st.nginx.ctx,
                                          LOAD_CLIENTS, seconds, ["/", "/resolve/inception"])
                self.assertTrue(samples)
                self.assertEqual({s.status for s in samples}, {200})
                return samples

            # Each worker's first slow request may close connections it kept
            # from fast ones before (nginx retries what it had just sent on
            # them): from then on it keeps none while it blocks now and then.
            load(LOAD_WARMUP_S)
            logged, error_lines = len(st.nginx.access_log()), len(nginx_error_lines(st))
            samples = load(LOAD_S)
            served = [e for e in st.nginx.access_log()[logged:]
                      if e["uri"] in ("/resolve/inception", "/")]
            self.assertEqual(len(served), len(samples))
            retried = sorted(e["upstream_status"] for e in served
                             if "," in e.get("upstream_status", ""))
            self.assertEqual(retried, [], "requests nginx sent again")
            errors = [line for line in nginx_error_lines(st)[error_lines:] if "upstream" in line]
            self.assertEqual(errors, [], "nginx met closing connections")


def nginx_error_lines(st):
    """nginx's error log, as lines."""
    return st.nginx.error_log().splitlines()


if __name__ == "__main__":
    unittest.main()
