"""Kept FastCGI connections (LUME_FCGI_KEEP_CONNS; keep.h, acceptor.h).

Documents, over FastCGI directly (the web server's side played by the test):
- a request with FCGI_KEEP_CONN (nginx's fastcgi_keep_conn on) leaves its
  connection open after the answer, and the next request on it is served;
  without the flag, or with LUME_FCGI_KEEP_CONNS=0, the worker closes it;
- a worker keeps at most LUME_FCGI_KEEP_CONNS connections: one more closes the
  least recently used idle one;
- a worker about to wait on its provider (LUME_MOCK_DELAY_MS) closes its idle
  kept connections first, at once, not after the wait, so that the web server
  sends its next request to a free worker; a request already sent on one is
  not answered there (the web server retries it elsewhere); and the request
  that waited does not keep its connection: its answer ends with the closing
  mark (an FCGI_UNKNOWN_TYPE record after FCGI_END_REQUEST, which makes nginx
  close it too) and the worker closes it; for a second after a wait it keeps
  no connection at all, then keeps them again;
- what holds for a new connection holds for a kept one: params over 64 KiB
  and a head that does not arrive within LUME_FCGI_READ_TIMEOUT_MS of its
  first byte are dropped (fcgi_dropped), and the worker serves on;
- a graceful stop answers a request already sent on a kept connection, then
  closes the connection;
- the records as the worker writes them itself (fcgi_wire.h): a response
  longer than its 16 KiB buffer and than one record (65,535 bytes) arrives
  whole, in records of at most that, and the connection goes on in step; a
  head cut into padded records of any size is read as one; a role other
  than a responder's is refused, and a request with a body is served and
  its connection closed, not kept.
Every wait is bounded and waits for an event (an answer, a close), never a
fixed time, except where a test asserts that nothing happens for a while.
"""
import json
import os
import shutil
import signal
import socket
import struct
import tempfile
import threading
import time
import unittest

import fcgi_client
from harness import Master, wait_until


def send(sock, uri="/", keep=True, params=None):
    sock.sendall(fcgi_client.encode_request(uri, keep=keep, params=params))
    return fcgi_client.read_response(sock)


def records(sock):
    """Read records up to FCGI_END_REQUEST: [(type, content length)] and the
    stdout content."""
    seen, out = [], b""
    while True:
        head = fcgi_client._recv_exact(sock, 8)
        _version, rtype, _rid, length, pad = struct.unpack("!BBHHBx", head)
        content = fcgi_client._recv_exact(sock, length + pad)[:length]
        seen.append((rtype, length))
        if rtype == fcgi_client.FCGI_STDOUT:
            out += content
        elif rtype == fcgi_client.FCGI_END_REQUEST:
            return seen, out


def closed_within(sock, timeout):
    """Seconds until the server closes sock (EOF or reset), None when it is
    still open after timeout (nothing may arrive meanwhile)."""
    started = time.monotonic()
    sock.settimeout(timeout)
    try:
        data = sock.recv(65536)
    except socket.timeout:
        return None
    except ConnectionResetError:
        return time.monotonic() - started
    if data:
        raise AssertionError(f"unexpected bytes: {data[:80]!r}")
    return time.monotonic() - started


def closing_mark(sock):
    """The record after an FCGI_END_REQUEST that says the connection closes:
    FCGI_UNKNOWN_TYPE, request id 0, its body for type 0."""
    head = fcgi_client._recv_exact(sock, 8)
    _version, rtype, rid, length, pad = struct.unpack("!BBHHBx", head)
    body = fcgi_client._recv_exact(sock, length + pad)
    return (rtype, rid, body) == (fcgi_client.FCGI_UNKNOWN_TYPE, 0, bytes(8))


def pending(sock):
    """What the server left to read, without reading it: None when nothing
    (open and idle), b"" when it closed (EOF or a reset), else a byte."""
    sock.setblocking(False)
    try:
        return sock.recv(1, socket.MSG_PEEK)
    except BlockingIOError:
        return None
    except OSError:
        return b""
    finally:
        sock.setblocking(True)


def nothing_pending(sock):
    """Open, and nothing to read after the answer (no closing mark, no EOF)."""
    return pending(sock) is None


def still_open(sock):
    """Not closed by the server (nothing readable, or bytes, but no EOF)."""
    return pending(sock) != b""


class KeptConnections(unittest.TestCase):
    def test_a_kept_connection_serves_request_after_request(self):
        with Master(workers=1) as m:
            with fcgi_client.connect(m.address) as s:
                for i in range(50):
                    status, _, body = send(s, "/")
                    self.assertEqual(status, 200, i)
                    self.assertIn(b'"name"', body)
                self.assertTrue(still_open(s))

    def test_without_the_flag_the_connection_is_closed(self):
        with Master(workers=1) as m:
            with fcgi_client.connect(m.address) as s:
                self.assertEqual(send(s, "/", keep=False)[0], 200)
                self.assertIsNotNone(closed_within(s, 5))

    def test_keeping_off_closes_every_connection(self):
        with Master(workers=1, env={"LUME_FCGI_KEEP_CONNS": "0"}) as m:
            with fcgi_client.connect(m.address) as s:
                self.assertEqual(send(s, "/")[0], 200)
                self.assertIsNotNone(closed_within(s, 5))

    def test_at_the_bound_the_least_recently_used_is_closed(self):
        # Each connection sends at once, as nginx does (one that connects and
        # waits is a trickle: the worker gives up what it keeps to wait on it).
        with Master(workers=1, env={"LUME_FCGI_KEEP_CONNS": "2"}) as m:
            socks = []
            try:
                for _ in range(2):
                    socks.append(fcgi_client.connect(m.address))
                    self.assertEqual(send(socks[-1], "/")[0], 200)
                self.assertEqual(send(socks[0], "/")[0], 200)  # socks[1] is now the oldest
                socks.append(fcgi_client.connect(m.address))
                self.assertEqual(send(socks[2], "/")[0], 200)  # the third: one must go
                self.assertIsNotNone(closed_within(socks[1], 5))
                for s in (socks[0], socks[2]):
                    self.assertTrue(still_open(s))
                    self.assertEqual(send(s, "/")[0], 200)
            finally:
                for s in socks:
                    s.close()

    def test_a_worker_about_to_wait_closes_its_idle_connections_first(self):
        delay = 1.5
        with Master(workers=1, env={"LUME_MOCK_DELAY_MS": str(int(delay * 1000))}) as m:
            idle = fcgi_client.connect(m.address)
            busy = fcgi_client.connect(m.address)
            try:
                self.assertEqual(send(idle, "/")[0], 200)
                self.assertEqual(send(busy, "/")[0], 200)
                answer = {}
                started = time.monotonic()
                t = threading.Thread(target=lambda: answer.update(r=send(busy, "/resolve/inception")))
                t.start()
                # Closed as the provider's wait begins, long before its end.
                took = closed_within(idle, delay * 2)
                t.join(delay * 4)
                self.assertIsNotNone(took)
                self.assertLess(took, delay / 2, "the idle connection waited on the provider")
                self.assertEqual(answer["r"][0], 200)
                self.assertGreaterEqual(time.monotonic() - started, delay * 0.9)
                # The one that waited is not kept: the mark, then the close.
                self.assertTrue(closing_mark(busy))
                self.assertIsNotNone(closed_within(busy, 5))
            finally:
                idle.close()
                busy.close()

    def test_a_request_that_waited_ends_with_the_closing_mark_and_the_close(self):
        # A worker that waits on its provider will wait again: nginx, which
        # reuses its most recently used connection first, would send its next
        # request there as the worker takes another from the listener and
        # closes this one under it (a reset and a retry, an error line in
        # nginx's log). The mark makes nginx close it with the answer.
        with Master(workers=1, env={"LUME_MOCK_DELAY_MS": "100"}) as m:
            with fcgi_client.connect(m.address) as s:
                self.assertEqual(send(s, "/")[0], 200)  # no wait: kept, no mark
                self.assertTrue(still_open(s))
                s.sendall(fcgi_client.encode_request("/resolve/inception", keep=True))
                seen, out = records(s)
                self.assertEqual(fcgi_client.parse_response(out)[0], 200)
                self.assertEqual(seen[-1], (fcgi_client.FCGI_END_REQUEST, 8))
                self.assertTrue(closing_mark(s))
                self.assertIsNotNone(closed_within(s, 5))
            # For a second after, the worker keeps nothing: it blocks now
            # and then, and a connection it kept would meet its next block.
            with fcgi_client.connect(m.address) as fast:
                fast.sendall(fcgi_client.encode_request("/", keep=True))
                seen, out = records(fast)
                self.assertEqual(fcgi_client.parse_response(out)[0], 200)
                self.assertTrue(closing_mark(fast))
                self.assertIsNotNone(closed_within(fast, 5))
            # Without FCGI_KEEP_CONN the close alone says it, as ever: no mark.
            with fcgi_client.connect(m.address) as s:
                s.sendall(fcgi_client.encode_request("/resolve/inception", keep=False))
                self.assertEqual(fcgi_client.read_response(s)[0], 200)
                self.assertIsNotNone(closed_within(s, 5))
            self.assertFalse(m.events("fcgi_dropped"))

    def test_a_worker_that_has_not_blocked_for_a_second_keeps_again(self):
        with Master(workers=1, env={"LUME_MOCK_DELAY_MS": "50"}) as m:
            with fcgi_client.connect(m.address) as s:
                s.sendall(fcgi_client.encode_request("/resolve/inception", keep=True))
                self.assertEqual(fcgi_client.read_response(s)[0], 200)
                self.assertTrue(closing_mark(s))
            blocked = time.monotonic()
            kept = None
            while kept is None and time.monotonic() - blocked < 5:
                with fcgi_client.connect(m.address) as s:
                    self.assertEqual(send(s, "/")[0], 200)
                    if nothing_pending(s):  # no mark, no close: kept
                        kept = time.monotonic() - blocked
                        self.assertEqual(send(s, "/")[0], 200)
                    else:
                        self.assertTrue(closing_mark(s))
                if kept is None:
                    time.sleep(0.05)
            self.assertIsNotNone(kept, "never kept again")
            self.assertGreaterEqual(kept, 0.9)

    def test_params_over_the_limit_on_a_kept_connection_are_dropped(self):
        with Master(workers=1) as m:
            with fcgi_client.connect(m.address) as s:
                self.assertEqual(send(s, "/")[0], 200)
                big = {"HTTP_X_BIG": "x" * 70000}
                try:
                    s.sendall(fcgi_client.encode_request("/", keep=True, params=big))
                except OSError:
                    pass  # the worker may close before the last bytes are sent
                self.assertIsNotNone(closed_within(s, 5))
            self.assertEqual(m.request("/")[0], 200)
            self.assertTrue(wait_until(lambda: any(
                e.get("reason") == "params_too_large" for e in m.events("fcgi_dropped")), 5))

    def test_a_stalled_head_on_a_kept_connection_is_dropped_after_the_read_timeout(self):
        with Master(workers=1, env={"LUME_FCGI_READ_TIMEOUT_MS": "400"}) as m:
            with fcgi_client.connect(m.address) as s:
                self.assertEqual(send(s, "/")[0], 200)
                s.sendall(fcgi_client.encode_request("/", keep=True)[:20])
                took = closed_within(s, 5)
                self.assertIsNotNone(took)
                self.assertGreaterEqual(took, 0.3)
            self.assertEqual(m.request("/")[0], 200)
            self.assertTrue(wait_until(lambda: any(
                e.get("reason") == "read_timeout" for e in m.events("fcgi_dropped")), 5))

    def test_a_stop_answers_what_was_sent_on_a_kept_connection(self):
        with Master(workers=1, env={"LUME_MOCK_DELAY_MS": "300"}) as m:
            s = fcgi_client.connect(m.address)
            try:
                self.assertEqual(send(s, "/")[0], 200)
                s.sendall(fcgi_client.encode_request("/resolve/inception", keep=True))
                time.sleep(0.05)  # the request is in the worker's hands
                m.send_signal(signal.SIGTERM)
                self.assertEqual(fcgi_client.read_response(s)[0], 200)
                self.assertTrue(closing_mark(s))  # it waited on its provider
                self.assertIsNotNone(closed_within(s, 5))
            finally:
                s.close()
            self.assertEqual(m.proc.wait(15), 0)


# 25 films with long titles (960 bytes of UTF-8) and links (2,000 bytes, the
# most a candidate's may have is 2,048): a search answer of about 75 KB
BIG = [{"title": f"Big Film {i:02d} " + "\u00e9" * 480,
        "url": "https://cdn.example.com/" + "a" * 1970 + f"{i:02d}.mp4", "seeds": 100 - i}
       for i in range(25)]


class Records(unittest.TestCase):
    def test_a_response_longer_than_a_record_arrives_whole_and_the_connection_goes_on(self):
        top = tempfile.mkdtemp(prefix="lume-records-")
        self.addCleanup(shutil.rmtree, top, True)
        catalog = os.path.join(top, "catalog.json")
        with open(catalog, "w") as f:
            json.dump(BIG, f)
        with Master(workers=1, env={"LUME_MOCK_CATALOG": catalog}) as m:
            with fcgi_client.connect(m.address) as s:
                for _ in range(3):
                    s.sendall(fcgi_client.encode_request("/resolve/search/big%20film?limit=25",
                                                         keep=True))
                    seen, out = records(s)
                    status, _, body = fcgi_client.parse_response(out)
                    self.assertEqual(status, 200)
                    links = json.loads(body)["results"]
                    self.assertEqual(len(links), 25)
                    self.assertEqual(sorted(x["url"] for x in links),
                                     sorted(x["url"] for x in BIG))
                    self.assertGreater(len(out), 65535)
                    stdout = [n for t, n in seen if t == fcgi_client.FCGI_STDOUT]
                    self.assertTrue(all(n <= 65535 for n in stdout), stdout)
                    self.assertEqual(stdout[-1], 0)  # the end of the stream, then the end
                    self.assertEqual(seen[-1], (fcgi_client.FCGI_END_REQUEST, 8))
                    self.assertEqual(send(s, "/health")[0], 200)  # still in step
                self.assertTrue(still_open(s))

    def test_a_head_in_padded_records_of_every_size_is_one_request(self):
        params = fcgi_client.encode_params(fcgi_client.environ("/health"))
        with Master(workers=1) as m:
            with fcgi_client.connect(m.address) as s:
                for size in (1, 2, 7, 64, len(params)):
                    msg = fcgi_client._record(fcgi_client.FCGI_BEGIN_REQUEST,
                                              struct.pack("!HB5x", 1, fcgi_client.FCGI_KEEP_CONN))
                    for at in range(0, len(params), size):
                        part = params[at:at + size]
                        msg += struct.pack("!BBHHBx", 1, fcgi_client.FCGI_PARAMS, 1, len(part),
                                           3) + part + b"\0\0\0"
                    msg += fcgi_client._record(fcgi_client.FCGI_PARAMS, b"")
                    msg += fcgi_client._record(fcgi_client.FCGI_STDIN, b"")
                    s.sendall(msg)
                    status, _, body = fcgi_client.read_response(s)
                    self.assertEqual(status, 200, size)
                    self.assertIn(b'"status"', body)
                self.assertTrue(still_open(s))

    def test_a_request_with_a_body_is_served_and_its_connection_closed(self):
        with Master(workers=1) as m:
            with fcgi_client.connect(m.address) as s:
                s.sendall(fcgi_client.encode_request("/health", "POST", stdin=b"y" * 100,
                                                     keep=True))
                self.assertEqual(fcgi_client.read_response(s)[0], 405)
                self.assertIsNotNone(closed_within(s, 5))
            self.assertFalse(m.events("fcgi_dropped"))


if __name__ == "__main__":
    unittest.main()
