"""Chaos: the archive flaps between healthy, slow, failing and down (and
sends oversized bodies) every few hundred milliseconds while concurrent
clients search, resolve and check health through the FastCGI master, for a
bounded time (CHAOS_SECONDS). Whatever happens upstream:

- only 200, 503 and 504 come back, with the API's error bodies (docs/api.md);
- no request outlives its deadline by more than a second (by the client's
  clock and by the worker's own access log);
- no worker dies or grows past 64 MiB, and once the archive is healthy
  again the service is too.

The schedule is random with a fixed seed (LUME_CHAOS_SEED overrides it), so
a failure names the seed that reproduces the same sequence of phases."""
import os
import random
import threading
import time
import urllib.parse

from archive_env import ArchiveCase, Item, video
from harness import wait_until

CHAOS_SECONDS = 10
TIMEOUT_MS = 1000
OPEN_MS = 500
CLIENTS = 3  # one per worker: a request never waits for a free worker
SEED = int(os.environ.get("LUME_CHAOS_SEED", "20240611"))
MIB = 1024 * 1024
OVERSIZED = b'{"files":[' + b"{}," * (2 * MIB // 3) + b"{}]}"

REQUESTS = [
    "/resolve/Chaos%20Reel",
    "/resolve/search/Chaos%20Reel",
    "/resolve/search/Chaos%20Reel?limit=25",
    "/resolve/search/Chaos%20Show?season=1&episode=2",
    "/resolve/Chaos%20Show?season=1",
    "/resolve/health/provider",
]


class Chaos:
    """Drives the fake through random phases until stopped; logs each phase."""

    def __init__(self, fake, seed):
        self.fake, self.rng = fake, random.Random(seed)
        self.stopped = threading.Event()
        self.phases = []

    def phase(self):
        fake, rng = self.fake, self.rng
        fake.faults.clear()
        kind = rng.choices(["healthy", "slow", "failing", "failing_lookups", "down", "oversized"],
                           weights=[3, 2, 1, 1, 1, 1])[0]
        detail = ""
        if kind == "down":
            fake.down()
        else:
            fake.up()
        if kind == "slow":  # under, near and over the deadline
            delay = rng.choice([0.1, 0.5, 0.9, 2.0])
            fake.fault(rng.choice(["all", "metadata"]), "slow", delay=delay)
            detail = f" {delay}s"
        elif kind in ("failing", "failing_lookups"):
            detail = rng.choice(["500", "429", "reset", "malformed", "oversized"])
            fake.fault("all" if kind == "failing" else "metadata", detail)
        elif kind == "oversized":
            fake.fault("metadata", rng.choice(["raw", "raw_stream"]), body=OVERSIZED)
        self.phases.append(kind + detail)

    def run(self):
        while not self.stopped.is_set():
            self.phase()
            self.stopped.wait(self.rng.uniform(0.2, 0.9))
        self.fake.up()
        self.fake.faults.clear()


class ChaosTest(ArchiveCase):
    workers = CLIENTS
    overrides = {"LUME_REQUEST_TIMEOUT_MS": TIMEOUT_MS, "LUME_CONNECT_TIMEOUT_MS": 300,
                 "LUME_RETRIES": 1, "LUME_BREAKER_FAILURES": 10, "LUME_BREAKER_OPEN_MS": OPEN_MS}

    @classmethod
    def catalog(cls, fake):
        for i in range(30):
            fake.add(Item(f"chaos_reel_{i}", f"Chaos Reel {i}", 1000 - i,
                          [video(f"r{i}.mp4", "h.264", 1000, 480)]))
        for ep in range(1, 6):
            fake.add(Item(f"chaos_show_{ep}", f"Chaos Show S01E{ep:02d}", 100 + ep,
                          [video(f"s{ep}.mp4", "h.264", 1000, 720)]))

    def client(self, seed, until, out):
        rng = random.Random(seed)
        while time.monotonic() < until:
            uri = rng.choice(REQUESTS)
            t0 = time.monotonic()
            try:
                status, headers, body = self.master.json(uri, timeout=TIMEOUT_MS / 1000 + 5)
            except OSError as e:  # the worker hung up or never answered
                status, headers, body = f"{type(e).__name__}: {e}", {}, None
            out.append((uri, status, headers, body, time.monotonic() - t0))
            time.sleep(rng.uniform(0.01, 0.05))  # fail-fast answers would otherwise spin

    def test_flapping_archive(self):
        chaos = Chaos(self.fake, SEED)
        driver = threading.Thread(target=chaos.run)
        results = []
        until = time.monotonic() + CHAOS_SECONDS
        clients = [threading.Thread(target=self.client, args=(SEED + i, until, results))
                   for i in range(CLIENTS)]
        driver.start()
        for t in clients:
            t.start()
        for t in clients:
            t.join()
        chaos.stopped.set()
        driver.join()
        where = f"seed {SEED}, phases {chaos.phases}"

        self.assertGreater(len(results), 20, where)
        for uri, status, headers, body, elapsed in results:
            what = f"{uri} -> {status} in {elapsed:.2f}s ({where}): {body}"
            self.assertIn(status, (200, 503, 504), what)
            self.assertLess(elapsed, TIMEOUT_MS / 1000 + 1.0, what)
            if uri == "/resolve/health/provider":
                health = body if status == 200 else body["detail"]
                self.assertEqual(health["status"], "healthy" if status == 200 else "unhealthy",
                                 what)
            elif status == 503:
                self.assertError(status, body, 503, "PROVIDER_UNAVAILABLE")
            elif status == 504:
                self.assertError(status, body, 504, "PROVIDER_TIMEOUT")
        statuses = {r[1] for r in results}
        self.assertIn(200, statuses, where)
        self.assertTrue(statuses & {503, 504}, where)

        # The worker's own clock: every request ended within a second of its deadline.
        durations = [float(e["duration_ms"])
                     for e in self.master.access_lines(len(results))]
        self.assertGreaterEqual(len(durations), len(results))
        self.assertLess(max(durations), TIMEOUT_MS + 1000, where)

        # No worker died (a recycle after LUME_MAX_REQUESTS is a clean exit);
        # the archive is healthy again, and so is the service.
        for e in self.master.events("worker_exit"):
            self.assertEqual((e.get("signal"), e.get("status")), (None, 0), where)
        self.assertEqual(len(self.master.workers()), CLIENTS)
        for pid in self.master.workers():
            with open(f"/proc/{pid}/maps") as f:
                if "libasan" in f.read():
                    break  # AddressSanitizer's own memory says nothing about Lume's
            with open(f"/proc/{pid}/status") as f:
                peak_kb = next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
            self.assertLess(peak_kb, 64 * 1024, where)
        self.fake.clear()

        def healthy():
            status, _, body = self.master.json("/resolve/" + urllib.parse.quote("Chaos Reel"))
            return status == 200 and body["title"] == "Chaos Reel 0"
        self.assertTrue(wait_until(healthy, timeout=OPEN_MS / 1000 + 5, interval=0.2), where)
