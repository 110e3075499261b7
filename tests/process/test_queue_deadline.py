"""The queue deadline, spoken to over FastCGI directly (what nginx would send).

Documents: a request stamped REQUEST_START (nginx's $msec) more than
LUME_QUEUE_TIMEOUT_MS ago is answered 503 SERVICE_UNAVAILABLE with
Retry-After at once, without the provider's latency; a fresh stamp, no stamp
(a client talking FastCGI directly, an older nginx configuration) or a stamp
that cannot be true (garbage, a clock far ahead) is served as before; a
request whose connection was closed while it waited is not worked on either,
whatever the clocks say. The worker's log line carries queue_ms.
"""
import json
import socket
import threading
import time
import unittest

import fcgi_client
from harness import Master, wait_until

DELAY_MS = 600  # every mock search takes this long


def stamp(age_s):
    """REQUEST_START as nginx writes $msec, age_s seconds ago."""
    return "%.3f" % (time.time() - age_s)


class QueueDeadline(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.m = Master(workers=2, env={"LUME_MOCK_DELAY_MS": str(DELAY_MS),
                                       "LUME_QUEUE_TIMEOUT_MS": "300"}).start()

    @classmethod
    def tearDownClass(cls):
        cls.m.stop()

    def timed(self, uri, **params):
        start = time.monotonic()
        status, headers, body = self.m.request(uri, params=params, timeout=10)
        return status, headers, json.loads(body) if body else None, time.monotonic() - start

    def test_a_stale_request_is_a_fast_503_without_a_provider_call(self):
        status, headers, body, took = self.timed("/resolve/inception?season=1",
                                                 REQUEST_START=stamp(2), REQUEST_ID="stale-1")
        self.assertEqual(status, 503, body)
        self.assertLess(took, DELAY_MS / 1000)  # the provider was not called
        self.assertEqual(headers["retry-after"], "1")
        self.assertEqual(headers["cache-control"], "no-store")
        d = body["detail"]
        self.assertEqual(d["error"], "SERVICE_UNAVAILABLE")
        self.assertEqual((d["query"], d["season"], d["episode"]), ("inception", 1, None))
        self.assertEqual(d["provider"], "MockProvider")
        self.assertEqual(d["request_id"], "stale-1")
        line = wait_until(lambda: [e for e in self.m.events("request")
                                   if e.get("request_id") == "stale-1"])
        self.assertEqual(line[0]["error"], "SERVICE_UNAVAILABLE")
        self.assertGreaterEqual(line[0]["queue_ms"], 1900)  # $msec has ms steps

    def test_the_provider_health_check_is_skipped_too(self):
        status, headers, body, took = self.timed("/resolve/health/provider",
                                                 REQUEST_START=stamp(1))
        self.assertEqual((status, body["detail"]["error"]), (503, "SERVICE_UNAVAILABLE"))
        self.assertEqual(headers["retry-after"], "1")

    def test_a_fresh_stamp_is_served(self):
        status, _, body, took = self.timed("/resolve/inception", REQUEST_START=stamp(0),
                                           REQUEST_ID="fresh-1")
        self.assertEqual(status, 200, body)
        self.assertGreaterEqual(took, DELAY_MS / 1000 - 0.05)
        line = wait_until(lambda: [e for e in self.m.events("request")
                                   if e.get("request_id") == "fresh-1"])
        self.assertLess(line[0]["queue_ms"], 300)

    def test_without_a_stamp_nothing_changes(self):
        status, _, body, _ = self.timed("/resolve/inception", REQUEST_ID="nostamp-1")
        self.assertEqual(status, 200, body)
        line = wait_until(lambda: [e for e in self.m.events("request")
                                   if e.get("request_id") == "nostamp-1"])
        self.assertNotIn("queue_ms", line[0])

    def test_a_stamp_that_cannot_be_true_is_ignored(self):
        for value in ("garbage", "", "-1.000", "1717200000", "1717200000.1234",
                      "%.3f" % (time.time() + 60), "0.000", "9" * 40 + ".000"):
            with self.subTest(value=value):
                status, _, body, _ = self.timed("/resolve/inception", REQUEST_START=value)
                self.assertEqual(status, 200, body)

    def test_what_needs_no_provider_is_answered_however_stale(self):
        status, _, body, _ = self.timed("/health", REQUEST_START=stamp(5))
        self.assertEqual((status, body), (200, {"status": "healthy"}))


class AbandonedRequests(unittest.TestCase):
    def test_a_request_whose_connection_closed_while_queued_is_not_worked_on(self):
        # One worker, busy for DELAY_MS with a first request; a second request
        # (no stamp: no clock involved) is queued and its client leaves.
        with Master(workers=1, env={"LUME_MOCK_DELAY_MS": str(DELAY_MS)}) as m:
            busy = threading.Thread(target=m.request, args=("/resolve/inception",),
                                    kwargs={"timeout": 10})
            busy.start()
            time.sleep(0.1)
            sock = fcgi_client.connect(m.address)
            sock.sendall(fcgi_client.encode_request("/resolve/x",
                                                    params={"REQUEST_ID": "gone-1"}))
            sock.shutdown(socket.SHUT_RDWR)
            sock.close()
            busy.join(10)
            line = wait_until(lambda: [e for e in m.events("request")
                                       if e.get("request_id") == "gone-1"], timeout=5)
            self.assertTrue(line, m.log_text())
            self.assertEqual(line[0]["status"], 503)
            self.assertEqual(line[0]["error"], "SERVICE_UNAVAILABLE")
            self.assertLess(line[0]["duration_ms"], DELAY_MS / 2)
            self.assertEqual(m.request("/health")[0], 200)


if __name__ == "__main__":
    unittest.main()
