"""The pool's supervision rules with real processes, spoken to over FastCGI
(issue 15; the rules themselves: tests/fcgi-app/test_pool.c).

Documents: a dynamic pool (LUME_WORKERS_MIN/MAX) grows to its maximum under
load, serves more with it than a pool of its minimum, and shrinks back to the
minimum once the load is over (LUME_WORKERS_IDLE_TIMEOUT_MS), each spawn and
exit counted with its cause; crashes past LUME_CRASH_BRAKE_THRESHOLD within
LUME_CRASH_BRAKE_INTERVAL_MS log one error line and slow respawning to one
worker every interval / threshold; the workers run SCHED_BATCH unless
LUME_WORKER_SCHED says other; the health responder is not a worker, and is
replaced when it dies.
"""
import os
import signal
import socket
import threading
import time
import unittest

import fcgi_client
from harness import Master, metric_sample, wait_until




def served_rate(master, seconds, clients=8):
    """Requests per second answered 200 with `clients` sending back to back
    (those answered after the `seconds` are not counted)."""
    deadline = time.monotonic() + seconds
    counts = [0] * clients

    def client(i):
        while time.monotonic() < deadline:
            if (master.request("/resolve/inception", timeout=10)[0] == 200
                    and time.monotonic() < deadline):
                counts[i] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 15)
    return sum(counts) / seconds


class DynamicPool(unittest.TestCase):
    def test_the_pool_grows_to_its_maximum_under_load_and_shrinks_back_after(self):
        env = {"LUME_MOCK_DELAY_MS": "200", "LUME_WORKERS_MIN": "1", "LUME_WORKERS_MAX": "4",
               "LUME_WORKERS_IDLE_TIMEOUT_MS": "1000"}
        with Master(workers=1, env={"LUME_MOCK_DELAY_MS": "200"}) as static:
            at_min = served_rate(static, 1.5)  # what one worker serves
        with Master(env=env) as m:
            self.assertEqual(len(m.workers()), 1)
            load = threading.Thread(target=served_rate, args=(m, 1.5))
            load.start()
            grown = wait_until(lambda: len(m.workers()) == 4, timeout=5)
            load.join(20)
            self.assertTrue(grown, m.log_text())
            at_max = served_rate(m, 1.5)
            self.assertEqual(len(m.workers()), 4)  # never past the maximum
            self.assertGreater(at_max, 2 * at_min, (at_min, at_max))
            # the load is over: back to the minimum after the idle timeout
            self.assertTrue(wait_until(lambda: len(m.workers()) == 1, timeout=6), m.log_text())
            self.assertTrue(m.events("pool_grow"))
            self.assertEqual(len(m.events("worker_idle")), 3)
            text = m.request("/metrics")[2].decode()
            self.assertEqual(metric_sample(text, "lume_worker_spawns_total", cause="grow"), 3)
            self.assertEqual(metric_sample(text, "lume_worker_exits_total", cause="idle"), 3)
            self.assertEqual(metric_sample(text, "lume_workers_min"), 1)
            self.assertEqual(metric_sample(text, "lume_workers_max"), 4)
            status = m.json("/status")[2]
            self.assertEqual((status["workers_min"], status["workers_max"]), (1, 4))


class CrashBrake(unittest.TestCase):
    def test_repeated_crashes_are_logged_once_loudly_and_slow_respawning(self):
        # 3 crashes within 4 s brake: then one spawn every 1333 ms. A crash is
        # a death by a fault signal; SIGABRT is one that AddressSanitizer
        # leaves alone (it turns a SIGSEGV into exit status 1), so the test
        # holds under make test SANITIZE=1 too.
        env = {"LUME_CRASH_BRAKE_THRESHOLD": "3", "LUME_CRASH_BRAKE_INTERVAL_MS": "4000"}
        with Master(workers=2, env=env) as m:
            def crash_one_old_worker():
                time.sleep(1.1)  # old enough not to count as dying young
                pid = m.workers()[0]
                os.kill(pid, signal.SIGABRT)
                return wait_until(lambda: len(m.workers()) == 2 and pid not in m.workers(),
                                  timeout=1.0)

            self.assertTrue(wait_until(lambda: len(m.workers()) == 2))
            # crashes below the threshold: replaced at once
            self.assertTrue(crash_one_old_worker())
            self.assertTrue(crash_one_old_worker())
            self.assertFalse(m.events("crash_brake"))
            # the third brakes
            time.sleep(1.1)
            victims = m.workers()
            killed_at = time.monotonic()
            for pid in victims:
                os.kill(pid, signal.SIGABRT)
            self.assertTrue(wait_until(lambda: not set(victims) & set(m.workers()), timeout=2))
            self.assertTrue(wait_until(lambda: m.events("crash_brake"), timeout=2), m.log_text())
            one = wait_until(lambda: len(m.workers()) >= 1 and time.monotonic(), timeout=5)
            two = wait_until(lambda: len(m.workers()) >= 2 and time.monotonic(), timeout=5)
            self.assertTrue(one and two, m.log_text())
            self.assertGreater(one - killed_at, 1.0)  # 1333 ms, not at once
            self.assertGreater(two - one, 0.8)  # one at a time (1333 ms; polled)
            lines = m.events("crash_brake")
            self.assertEqual(len(lines), 1)
            self.assertEqual(lines[0]["level"], "error")
            self.assertIn("3 crashes within 4000 ms", lines[0]["message"])
            # on, in /metrics and /status, until 4 s pass without a crash
            self.assertEqual(metric_sample(m.request("/metrics")[2].decode(), "lume_crash_brake"), 1)
            self.assertIs(m.json("/status")[2]["crash_brake"], True)
            self.assertTrue(wait_until(lambda: m.events("crash_brake_released"), timeout=5))
            self.assertTrue(wait_until(
                lambda: metric_sample(m.request("/metrics")[2].decode(), "lume_crash_brake") == 0))
            self.assertEqual(m.request("/health")[0], 200)


class SchedulingPolicy(unittest.TestCase):
    """LUME_WORKER_SCHED: the workers run SCHED_BATCH (a woken worker does not
    preempt nginx on its CPU) unless told other; the master and the health
    responder keep the policy they were started with."""

    def test_workers_run_batch_and_the_master_and_responder_do_not(self):
        with Master(workers=2, health=True) as m:
            responder = wait_until(m.responder)
            self.assertTrue(responder)
            # each worker sets it as it starts
            self.assertTrue(wait_until(lambda: [os.sched_getscheduler(w) for w in m.workers()]
                                       == [os.SCHED_BATCH] * 2), m.log_text())
            self.assertEqual(os.sched_getscheduler(m.proc.pid), os.SCHED_OTHER)
            self.assertEqual(os.sched_getscheduler(responder), os.SCHED_OTHER)
            self.assertEqual(m.request("/resolve/inception")[0], 200)

    def test_other_keeps_the_workers_as_every_process(self):
        with Master(workers=2, env={"LUME_WORKER_SCHED": "other"}) as m:
            self.assertTrue(wait_until(lambda: len(m.workers()) == 2))
            self.assertEqual([os.sched_getscheduler(w) for w in m.workers()],
                             [os.SCHED_OTHER] * 2)
            self.assertFalse(m.events("worker_sched_failed"))


class HealthResponder(unittest.TestCase):
    def test_the_responder_is_not_a_worker_and_is_replaced_when_it_dies(self):
        with Master(workers=2, health=True) as m:
            responder = wait_until(m.responder)
            self.assertTrue(responder)
            self.assertNotIn(responder, m.workers())
            self.assertEqual(fcgi_client.request(m.health_listen, "/health")[0], 200)
            os.kill(responder, signal.SIGKILL)
            again = wait_until(lambda: (r := m.responder()) and r != responder and r, timeout=5)
            self.assertTrue(again, m.log_text())
            self.assertTrue(wait_until(
                lambda: fcgi_client.request(m.health_listen, "/health")[0] == 200, timeout=5))
            text = m.request("/metrics")[2].decode()
            self.assertEqual(metric_sample(text, "lume_worker_spawns_total", cause="start"), 2)
            self.assertEqual(metric_sample(text, "lume_worker_exits_total", cause="signal"), 0)

    def test_a_reload_replaces_the_responder_and_health_goes_on(self):
        with Master(workers=1, health=True) as m:
            before = wait_until(m.responder)
            m.send_signal(signal.SIGHUP)
            after = wait_until(lambda: (r := m.responder()) and r != before and r, timeout=5)
            self.assertTrue(after, m.log_text())
            self.assertTrue(wait_until(
                lambda: fcgi_client.request(m.health_listen, "/health")[0] == 200, timeout=5))
            exits = m.events("responder_exit")
            self.assertEqual((exits[0]["worker_pid"], exits[0]["status"]), (before, 0))

    def test_garbage_or_a_head_too_large_is_closed_and_the_responder_goes_on(self):
        with Master(workers=1, health=True) as m:
            path = m.health_listen[len("unix:"):]
            for data in (b"GET /health HTTP/1.1\r\n\r\n",  # not FastCGI
                         fcgi_client.encode_request("/health", "GET",
                                                    {"HTTP_X_PAD": "x" * 20000}, b"")):
                with socket.socket(socket.AF_UNIX) as s:
                    s.settimeout(3)
                    s.connect(path)
                    try:
                        s.sendall(data)
                        self.assertEqual(s.recv(65536), b"")  # closed, nothing answered
                    except (ConnectionResetError, BrokenPipeError):
                        pass  # closed with bytes still unread
            self.assertEqual(fcgi_client.request(m.health_listen, "/health")[0], 200)
            self.assertEqual(m.responder(), wait_until(m.responder))

    def test_a_silent_peer_never_holds_the_responder(self):
        with Master(workers=1, health=True) as m:
            path = m.health_listen[len("unix:"):]
            silent = []
            for _ in range(10):  # connect and send nothing
                s = socket.socket(socket.AF_UNIX)
                s.connect(path)
                silent.append(s)
            try:
                start = time.monotonic()
                self.assertEqual(fcgi_client.request(m.health_listen, "/health")[0], 200)
                self.assertLess(time.monotonic() - start, 0.5)
                # and each is closed within a second
                silent[0].settimeout(3)
                self.assertEqual(silent[0].recv(1), b"")
            finally:
                for s in silent:
                    s.close()


if __name__ == "__main__":
    unittest.main()
