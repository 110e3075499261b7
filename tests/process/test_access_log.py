"""When a worker writes its access log lines (log.h, acceptor.h).

Documents, over FastCGI directly (the web server's side played by the test):
- a worker that waited for its request (an idle one) writes the request's
  line before its answer: whoever has the answer finds the line in the log,
  without waiting for it; so does one that took a new connection straight
  after a request and waited there for its first bytes;
- a busy worker (requests ready one after another, on several kept
  connections at once) holds its lines and writes them together; when it
  falls idle holding some, it writes them once LUME_LOG_IDLE_HOLD_MS (1 ms)
  passes without a request, not at its next request: every line of a burst
  is in the log soon after the burst's last answer, whole, with no request
  after it.
"""
import time
import unittest
import uuid

import fcgi_client
from harness import Master, wait_until


def ask(sock, request_id):
    sock.sendall(fcgi_client.encode_request("/resolve/inception", keep=True,
                                            params={"REQUEST_ID": request_id}))


class AccessLogTest(unittest.TestCase):
    def test_an_idle_worker_writes_the_line_before_the_answer(self):
        with Master(workers=1) as m:
            sock = fcgi_client.connect(m.address)
            try:
                for _ in range(10):
                    time.sleep(0.02)  # the worker is idle when the request comes
                    rid = uuid.uuid4().hex
                    ask(sock, rid)
                    self.assertEqual(fcgi_client.read_response(sock)[0], 200)
                    ids = {e.get("request_id") for e in m.events("request")}
                    self.assertIn(rid, ids, "read once, right after the answer")
            finally:
                sock.close()

    def test_a_worker_that_waited_for_a_new_connections_bytes_writes_the_line_first(self):
        # The connection arrives while the one worker waits on a slow
        # request; after that answer it takes the connection at once, with
        # no idle wait, and waits there for the request's bytes.
        with Master(workers=1, env={"LUME_MOCK_DELAY_MS": "200"}) as m:
            slow = fcgi_client.connect(m.address)
            fresh = None
            try:
                ask(slow, uuid.uuid4().hex)
                time.sleep(0.05)  # the slow request is in the worker's hands
                fresh = fcgi_client.connect(m.address)
                self.assertEqual(fcgi_client.read_response(slow)[0], 200)
                time.sleep(0.02)  # the worker is waiting for the first bytes
                rid = uuid.uuid4().hex
                fresh.sendall(fcgi_client.encode_request("/", keep=True,
                                                         params={"REQUEST_ID": rid}))
                self.assertEqual(fcgi_client.read_response(fresh)[0], 200)
                ids = {e.get("request_id") for e in m.events("request")}
                self.assertIn(rid, ids, "read once, right after the answer")
            finally:
                slow.close()
                if fresh is not None:
                    fresh.close()

    def test_a_busy_workers_held_lines_are_written_once_it_falls_idle(self):
        conns, rounds = 8, 25
        with Master(workers=1) as m:
            socks = [fcgi_client.connect(m.address) for _ in range(conns)]
            sent = []
            try:
                for _ in range(rounds):
                    ids = [uuid.uuid4().hex for _ in socks]
                    for sock, rid in zip(socks, ids):  # all ready at once
                        ask(sock, rid)
                    for sock in socks:
                        self.assertEqual(fcgi_client.read_response(sock)[0], 200)
                    sent += ids
                # No request after the last answers: the held lines are
                # written by the worker's idle wait alone.
                def logged():
                    seen = {e.get("request_id") for e in m.events("request")}
                    return all(rid in seen for rid in sent)
                self.assertTrue(wait_until(logged, 2.0),
                                f"{sum(1 for e in m.events('request'))} lines of {len(sent)}")
                lines = [e for e in m.events("request") if e.get("request_id") in set(sent)]
                self.assertEqual(len(lines), len(sent), "each line once, whole")
                self.assertEqual(m.log_text().count('"event":"request"'),
                                 len(m.events("request")), "no line cut or merged")
            finally:
                for sock in socks:
                    sock.close()


if __name__ == "__main__":
    unittest.main()
