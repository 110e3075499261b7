"""End to end: the cap per client address on connections
(LUME_CONN_PER_ADDR_MAX), nginx's stream layer in front of the http servers.

Documents:
- an address holding the cap's number of connections, none of which has sent
  anything, gets every further connection closed at once, on both ports,
  while another address (127.0.0.2) is served; closing one frees a place;
- behind the stream layer nginx still knows each client's own address: the
  JSON access log's remote_addr (a request nginx rejects while reading its
  header included), the rate limit and its error-log lines are per client
  address, not the stream layer's unix socket;
- LUME_CONN_PER_ADDR_MAX=off: nginx listens itself and counts nothing.
"""
import select
import socket
import time
import unittest

import nginx_conf
import nginx_harness
from harness import wait_until
from nginx_harness import Stack

CAP = 20


def setUpModule():
    if not nginx_harness.nginx_available():
        raise unittest.SkipTest("nginx or openssl is not installed")


def hold(port, source, n):
    """n TCP connections from source that send nothing."""
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.bind((source, 0))
        s.settimeout(5)
        s.connect(("127.0.0.1", port))
        socks.append(s)
    return socks


def closed_by_peer(socks, wait):
    """The connections of socks nginx closed, waiting up to `wait` seconds for
    the first and a little after each (nothing is sent, so any readable one
    is at its end or was reset)."""
    closed, deadline = set(), time.monotonic() + wait
    while time.monotonic() < deadline:
        left = [s for s in socks if s not in closed]
        readable, _, _ = select.select(left, [], [], min(0.2, deadline - time.monotonic()))
        if not readable and closed:
            break
        for s in readable:
            try:
                data = s.recv(1)
            except OSError:
                data = b""
            if not data:
                closed.add(s)
    return closed


class TestCapOn(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = Stack(workers=2, nginx_env={
            "LUME_CONN_PER_ADDR_MAX": str(CAP), "LUME_RATE_LIMIT": "2",
            "LUME_RATE_BURST": "2"}).start()

    @classmethod
    def tearDownClass(cls):
        cls.stack.stop()

    def test_an_address_over_the_cap_has_the_excess_closed_and_another_is_served(self):
        n = self.stack.nginx
        socks = hold(n.https_port, "127.0.0.1", CAP + 10)
        try:
            closed = closed_by_peer(socks, 5)
            self.assertEqual(len(closed), 10)
            held = [s for s in socks if s not in closed]
            time.sleep(0.5)  # the rest stay open: nginx waits for their TLS handshake
            self.assertEqual(len(closed_by_peer(held, 0.3)), 0)
            # the full address gets nothing more, on either port
            extra = hold(n.https_port, "127.0.0.1", 1) + hold(n.http_port, "127.0.0.1", 1)
            try:
                self.assertEqual(len(closed_by_peer(extra, 5)), 2)
            finally:
                for s in extra:
                    s.close()
            # another address is served as usual, on both ports
            self.assertEqual(n.request("/health", source="127.0.0.2").status, 200)
            self.assertEqual(n.request("/", tls=False, source="127.0.0.2").status, 301)

            # one connection closed is one more for the address
            held[0].close()

            def served():
                try:
                    return n.request("/health", timeout=3).status == 200
                except OSError:
                    return False
            self.assertTrue(wait_until(served, 5, 0.1))
        finally:
            for s in socks:
                s.close()
        log = self.stack.nginx.error_log()
        self.assertRegex(log, r'limiting connections by zone "lume_addr" .*, client: 127\.0\.0\.1,')
        self.assertNotIn("client: 127.0.0.2,", log)

    def test_the_access_log_has_the_clients_own_address(self):
        n = self.stack.nginx
        ids = {}
        r = n.request("/health", source="127.0.0.2")
        ids[r.headers["x-request-id"]] = ("127.0.0.2", 200)
        r = n.request("/health")
        ids[r.headers["x-request-id"]] = ("127.0.0.1", 200)
        r = n.request("/old", tls=False, source="127.0.0.2")
        ids[r.headers["x-request-id"]] = ("127.0.0.2", 301)
        # rejected while nginx reads the header: before realip runs
        r = n.raw(b"NOT A REQUEST\r\n\r\n", source="127.0.0.2")
        ids[r.headers["x-request-id"]] = ("127.0.0.2", 400)

        def logged():
            return {e["request_id"]: (e["remote_addr"], e["status"]) for e in n.access_log()
                    if e["request_id"] in ids}
        wait_until(lambda: len(logged()) == len(ids), 5)
        self.assertEqual(logged(), ids)

    def test_the_rate_limit_counts_each_client_address(self):
        n = self.stack.nginx
        time.sleep(1.1)  # a bucket partly drained by another test refills
        statuses = [n.request("/resolve/inception").status for _ in range(8)]
        self.assertIn(429, statuses)
        self.assertEqual(n.request("/resolve/inception", source="127.0.0.2").status, 200)
        log = self.stack.nginx.error_log()
        self.assertRegex(log, r'limiting requests, excess: \S+ by zone "lume_rate", '
                              r'client: 127\.0\.0\.1,')
        self.assertNotIn("client: unix:", log)


class TestCapOff(unittest.TestCase):
    def test_nginx_listens_itself_and_counts_nothing(self):
        with Stack(workers=1, nginx_env={"LUME_CONN_PER_ADDR_MAX": "off",
                                         "LUME_RATE_LIMIT": "0"}) as stack:
            n = stack.nginx
            self.assertNotIn("stream {", nginx_conf.text(n.conf))
            socks = hold(n.https_port, "127.0.0.1", CAP + 10)
            try:
                self.assertEqual(len(closed_by_peer(socks, 1)), 0)
                r = n.request("/health", source="127.0.0.2")
                self.assertEqual(r.status, 200)
            finally:
                for s in socks:
                    s.close()
            rid = r.headers["x-request-id"]
            wait_until(lambda: any(e["request_id"] == rid for e in n.access_log()), 5)
            line = [e for e in n.access_log() if e["request_id"] == rid]
            self.assertEqual(line[0]["remote_addr"], "127.0.0.2")


if __name__ == "__main__":
    unittest.main()
