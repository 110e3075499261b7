"""The FastCGI socket: no way around nginx, and no input on it holds a worker.

Documents: a unix socket is 0660 and in LUME_SOCKET_GROUP (nginx's workers'
group), so other users cannot connect; a TCP listener closes a peer outside
LUME_FCGI_ALLOWED_ADDRS (addresses, CIDR ranges or "any"; default loopback)
before reading a byte of it; a connection whose request head has not arrived
LUME_FCGI_READ_TIMEOUT_MS after its accept is dropped, however it trickles, and
the worker goes on with the next one; params up to 64 KiB are served and one
byte more is refused; bytes that are not a FastCGI request are refused; SIGTERM
stops a worker that waits on a stalled connection at once, but a head that
starts arriving within a second of its accept is still read and served; a peer that keeps
sending after its response holds the worker no longer than the read timeout.
Every connection closed before it reaches the app is an "fcgi_dropped" log
line with its reason, at most one a second per reason and worker.
"""
import os
import signal
import socket
import stat
import struct
import subprocess
import threading
import time
import unittest

import fcgi_client
from harness import BINARY, Master, free_port, wait_until


def tcp_master(workers=1, env=None):
    return Master(workers=workers, env=env, listen=f"127.0.0.1:{free_port()}")


def connect(m, source=None, timeout=10.0):
    """A raw connection to the master, from source (an address on 127/8) if given."""
    if m.listen.startswith("unix:"):
        return fcgi_client.connect(m.listen, timeout)
    host, port = m.listen.rsplit(":", 1)
    return socket.create_connection((host, int(port)), timeout=timeout,
                                    source_address=(source, 0) if source else None)


def request_from(m, source, uri="/health"):
    sock = connect(m, source)
    try:
        sock.sendall(fcgi_client.encode_request(uri))
        return fcgi_client.read_response(sock)
    finally:
        sock.close()


def wait_closed(sock, timeout=10.0):
    """Seconds until the server closes sock (EOF or reset), reading anything it sends;
    None if it is still open after timeout. Returns (seconds, bytes received)."""
    started = time.monotonic()
    sock.settimeout(timeout)
    got = b""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            got += chunk
    except (ConnectionResetError, BrokenPipeError):
        pass
    except socket.timeout:
        return None, got
    return time.monotonic() - started, got


def sockets_of(pid):
    """The sockets a process holds, by inode ("socket:[123]")."""
    held = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue  # closed meanwhile
        if target.startswith("socket:"):
            held.add(target)
    return held


def dropped(m, reason):
    return [e for e in m.events("fcgi_dropped") if e["reason"] == reason]


def params_of_size(total, uri="/health"):
    """Params for request() whose FCGI_PARAMS content is exactly total bytes."""
    base = len(fcgi_client.encode_params(fcgi_client.environ(uri)))
    pad = total - base - (1 + 4 + len("HTTP_X_PAD"))  # the pair's two length prefixes
    assert pad >= 128, "the pad's length takes 4 bytes"
    params = {"HTTP_X_PAD": "x" * pad}
    assert len(fcgi_client.encode_params(fcgi_client.environ(uri, params=params))) == total
    return params


class UnixSocket(unittest.TestCase):
    def test_the_socket_is_0660_in_the_masters_group_by_default(self):
        with Master(workers=1) as m:
            st = os.stat(m.listen[5:])
            self.assertTrue(stat.S_ISSOCK(st.st_mode))
            self.assertEqual(stat.S_IMODE(st.st_mode), 0o660)
            self.assertEqual(st.st_gid, os.getegid())

    @unittest.skipUnless(os.geteuid() == 0, "only root may give the socket another group")
    def test_only_the_owner_and_the_socket_group_may_connect(self):
        with Master(workers=1, env={"LUME_SOCKET_GROUP": "4242"}) as m:
            path = m.listen[5:]
            self.assertEqual(os.stat(path).st_gid, 4242)
            os.chmod(m.dir, 0o711)  # the directory is traversable, the socket decides

            def connect_as(uid, gid, groups=()):
                pid = os.fork()
                if pid == 0:  # the child becomes that user, tries, and says how it went
                    code = 2
                    try:
                        os.setgroups(list(groups))
                        os.setgid(gid)
                        os.setuid(uid)
                        socket.socket(socket.AF_UNIX).connect(path)
                        code = 0
                    except PermissionError:
                        code = 1
                    finally:
                        os._exit(code)
                _, status = os.waitpid(pid, 0)
                return {0: "connected", 1: "denied"}.get(os.waitstatus_to_exitcode(status), "?")

            self.assertEqual(connect_as(12345, 4242), "connected")         # nginx's group
            self.assertEqual(connect_as(12345, 12345, [4242]), "connected")  # a member
            self.assertEqual(connect_as(12345, 12345), "denied")            # anyone else
            self.assertEqual(m.request("/health")[0], 200)

    def test_an_unknown_socket_group_is_refused_at_start(self):
        r = subprocess.run([BINARY], env={"LUME_SOCKET_GROUP": "no-such-group-for-lume"},
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 2)
        self.assertIn("LUME_SOCKET_GROUP", r.stderr)


class TcpAllowlist(unittest.TestCase):
    def test_a_peer_outside_the_list_is_closed_before_a_byte_is_read(self):
        with tcp_master(env={"LUME_FCGI_ALLOWED_ADDRS": "127.0.0.1"}) as m:
            sock = connect(m, "127.0.0.2")  # sends nothing: the refusal needs no params
            seconds, got = wait_closed(sock, 5)
            sock.close()
            self.assertIsNotNone(seconds, "a refused peer must be closed at once")
            self.assertEqual(got, b"")
            line = wait_until(lambda: dropped(m, "peer_not_allowed"))
            self.assertTrue(line, m.log_text())
            self.assertEqual(line[0]["peer"], "127.0.0.2")
            self.assertEqual((line[0]["bytes"], line[0]["level"]), (0, "warn"))
            self.assertEqual(request_from(m, "127.0.0.1")[0], 200)

    def test_a_whole_request_from_outside_the_list_does_no_work(self):
        with tcp_master(env={"LUME_FCGI_ALLOWED_ADDRS": "127.0.0.1"}) as m:
            before = len(m.events("request"))
            with self.assertRaises((ConnectionError, OSError)):
                request_from(m, "127.0.0.2", "/resolve/inception")
            self.assertEqual(request_from(m, "127.0.0.1", "/resolve/inception")[0], 200)
            lines = wait_until(lambda: len(m.events("request")) > before and m.events("request"))
            self.assertEqual([e["path"] for e in lines[before:]], ["/resolve/inception"])

    def test_the_default_list_is_loopback(self):
        with tcp_master() as m:
            self.assertEqual(request_from(m, "127.0.0.1")[0], 200)
            with self.assertRaises((ConnectionError, OSError)):
                request_from(m, "127.0.0.2")

    def test_a_cidr_range_admits_its_addresses_only(self):
        with tcp_master(env={"LUME_FCGI_ALLOWED_ADDRS": "10.0.0.0/8, 127.0.0.0/30"}) as m:
            self.assertEqual(request_from(m, "127.0.0.1")[0], 200)
            self.assertEqual(request_from(m, "127.0.0.3")[0], 200)
            with self.assertRaises((ConnectionError, OSError)):
                request_from(m, "127.0.0.4")

    def test_any_admits_every_peer(self):
        with tcp_master(env={"LUME_FCGI_ALLOWED_ADDRS": "any"}) as m:
            self.assertEqual(request_from(m, "127.0.0.9")[0], 200)
            self.assertFalse(m.events("fcgi_dropped"))

    def test_a_unix_socket_is_not_filtered_by_address(self):
        with Master(workers=1, env={"LUME_FCGI_ALLOWED_ADDRS": "10.9.9.9"}) as m:
            self.assertEqual(m.request("/health")[0], 200)

    def test_refusals_are_logged_at_most_once_a_second(self):
        with tcp_master(env={"LUME_FCGI_ALLOWED_ADDRS": "127.0.0.1"}) as m:
            for _ in range(5):
                sock = connect(m, "127.0.0.2")
                wait_closed(sock, 5)
                sock.close()
            self.assertTrue(wait_until(lambda: dropped(m, "peer_not_allowed")))
            time.sleep(1.1)
            sock = connect(m, "127.0.0.2")
            wait_closed(sock, 5)
            sock.close()

            def counted():  # lines written, plus the ones they say were not
                lines = dropped(m, "peer_not_allowed")
                return len(lines) + sum(e.get("suppressed", 0) for e in lines)
            self.assertTrue(wait_until(lambda: counted() == 6), m.log_text())
            lines = dropped(m, "peer_not_allowed")
            self.assertLess(len(lines), 6)
            self.assertGreater(lines[-1]["suppressed"], 0)


BEGIN = struct.pack("!BBHHBx", 1, fcgi_client.FCGI_BEGIN_REQUEST, 1, 8, 0) + \
    struct.pack("!HB5x", fcgi_client.RESPONDER, 0)


class ReadTimeout(unittest.TestCase):
    def test_a_connection_that_stalls_is_dropped_after_the_timeout_and_the_worker_goes_on(self):
        whole = fcgi_client.encode_request("/health")
        head_end = whole.index(struct.pack("!BBHHBx", 1, fcgi_client.FCGI_PARAMS, 1, 0, 0)) + 8
        cuts = {"nothing": 0, "half a record header": 5, "FCGI_BEGIN_REQUEST alone": len(BEGIN),
                "half the params": (len(BEGIN) + head_end) // 2,
                "all but the last byte of the head": head_end - 1}
        with Master(workers=1, env={"LUME_FCGI_READ_TIMEOUT_MS": "300"}) as m:
            worker = wait_until(lambda: m.workers())
            for name, cut in cuts.items():
                with self.subTest(stalls_after=name):
                    sock = connect(m)
                    sock.sendall(whole[:cut])
                    seconds, got = wait_closed(sock, 10)
                    sock.close()
                    self.assertIsNotNone(seconds, "still open after 10 s")
                    self.assertGreaterEqual(seconds, 0.2)
                    self.assertLess(seconds, 5)
                    self.assertEqual(got, b"")
                    self.assertEqual(m.request("/health")[0], 200)  # the one worker is free
            self.assertEqual(m.workers(), worker)
            self.assertFalse(m.events("worker_exit"))
            line = dropped(m, "read_timeout")
            self.assertTrue(line, m.log_text())
            self.assertGreaterEqual(line[0]["waited_ms"], 300)

    def test_a_trickle_does_not_extend_the_deadline(self):
        with Master(workers=1, env={"LUME_FCGI_READ_TIMEOUT_MS": "600"}) as m:
            sock = connect(m)
            sock.sendall(BEGIN + struct.pack("!BBHHBx", 1, fcgi_client.FCGI_PARAMS, 1, 1000, 0))
            stop = threading.Event()

            def trickle():  # one byte every 50 ms, never the whole head
                try:
                    while not stop.wait(0.05):
                        sock.send(b"x")
                except OSError:
                    pass
            t = threading.Thread(target=trickle, daemon=True)
            t.start()
            seconds, _ = wait_closed(sock, 10)
            stop.set()
            t.join(5)
            sock.close()
            self.assertIsNotNone(seconds, "a trickle held the worker for 10 s")
            self.assertLess(seconds, 5)
            self.assertTrue(wait_until(lambda: dropped(m, "read_timeout")), m.log_text())
            self.assertEqual(m.request("/health")[0], 200)

    def test_a_head_that_arrives_in_pieces_within_the_timeout_is_served(self):
        whole = fcgi_client.encode_request("/resolve/inception")
        with Master(workers=1, env={"LUME_FCGI_READ_TIMEOUT_MS": "5000"}) as m:
            sock = connect(m)
            for i in range(0, len(whole), 40):
                sock.sendall(whole[i:i + 40])
                time.sleep(0.02)
            self.assertEqual(fcgi_client.read_response(sock)[0], 200)
            sock.close()
            sock = connect(m)
            for i in range(len(whole)):  # one byte at a time, as fast as it goes
                sock.send(whole[i:i + 1])
            self.assertEqual(fcgi_client.read_response(sock)[0], 200)
            sock.close()
            self.assertFalse(m.events("fcgi_dropped"), m.log_text())

    def test_a_peer_that_hangs_up_mid_head_frees_the_worker_at_once(self):
        whole = fcgi_client.encode_request("/health")
        with Master(workers=1, env={"LUME_FCGI_READ_TIMEOUT_MS": "60000"}) as m:
            sock = connect(m)
            sock.sendall(whole[:len(BEGIN) + 20])
            sock.shutdown(socket.SHUT_WR)
            seconds, _ = wait_closed(sock, 10)
            sock.close()
            self.assertIsNotNone(seconds)
            self.assertLess(seconds, 5)
            self.assertEqual(m.request("/health")[0], 200)
            line = wait_until(lambda: dropped(m, "closed_early"))
            self.assertTrue(line, m.log_text())
            self.assertEqual(line[0]["bytes"], len(BEGIN) + 20)

    def test_a_peer_that_keeps_sending_after_its_response_is_cut_off_at_the_timeout(self):
        with Master(workers=1, env={"LUME_FCGI_READ_TIMEOUT_MS": "500"}) as m:
            sock = connect(m)
            whole = fcgi_client.encode_request("/health", "POST", stdin=b"y" * 100)
            sock.sendall(whole[:-8])  # the head and some stdin; the stream never ends
            stop = threading.Event()

            def flood():
                record = struct.pack("!BBHHBx", 1, fcgi_client.FCGI_STDIN, 1, 8000, 0) + b"z" * 8000
                try:
                    while not stop.is_set():
                        sock.sendall(record)
                except OSError:
                    pass
            t = threading.Thread(target=flood, daemon=True)
            t.start()
            started = time.monotonic()
            status, _, _ = fcgi_client.read_response(sock)
            self.assertEqual(status, 405)
            self.assertEqual(m.request("/health", timeout=10)[0], 200)  # the one worker again
            self.assertLess(time.monotonic() - started, 5)
            stop.set()
            sock.close()
            t.join(5)


class ParamsLimit(unittest.TestCase):
    def test_params_of_64_kib_are_served_and_one_byte_more_is_refused(self):
        with Master(workers=1) as m:
            for total in (65535, 65536):
                with self.subTest(params=total):
                    self.assertEqual(m.request("/health", params=params_of_size(total))[0], 200)
            sock = connect(m)
            sock.sendall(fcgi_client.encode_request("/health", params=params_of_size(65537)))
            seconds, got = wait_closed(sock, 10)
            sock.close()
            self.assertIsNotNone(seconds)
            self.assertEqual(got, b"", "refused: no response at all")
            line = wait_until(lambda: dropped(m, "params_too_large"))
            self.assertTrue(line, m.log_text())
            self.assertEqual((line[0]["params"], line[0]["level"]), (65537, "warn"))
            self.assertEqual(m.request("/health")[0], 200)
            self.assertFalse(m.events("worker_exit"))


class Malformed(unittest.TestCase):
    def test_bytes_that_are_not_fastcgi_are_refused(self):
        with Master(workers=1) as m:
            sock = connect(m)
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n")
            seconds, got = wait_closed(sock, 10)
            sock.close()
            self.assertIsNotNone(seconds)
            self.assertEqual(got, b"")
            self.assertTrue(wait_until(lambda: dropped(m, "malformed")), m.log_text())
            self.assertEqual(m.request("/health")[0], 200)

    def test_a_head_libfcgi_refuses_closes_the_connection_and_the_worker_goes_on(self):
        with Master(workers=1) as m:
            sock = connect(m)
            sock.sendall(fcgi_client.encode_request("/health", role=99))  # no such role
            seconds, got = wait_closed(sock, 10)
            sock.close()
            self.assertIsNotNone(seconds)
            self.assertEqual(got, b"")
            self.assertTrue(wait_until(lambda: dropped(m, "malformed")), m.log_text())
            self.assertEqual(m.request("/health")[0], 200)
            self.assertFalse(m.events("worker_exit"))
            self.assertFalse(m.events("accept_failed"))


class GracefulStop(unittest.TestCase):
    def test_sigterm_stops_a_worker_waiting_on_a_stalled_connection_at_once(self):
        m = Master(workers=1, env={"LUME_FCGI_READ_TIMEOUT_MS": "60000",
                                   "LUME_SHUTDOWN_TIMEOUT_MS": "10000"}).start()
        worker = wait_until(lambda: m.workers())[0]
        # (by inode, not by count: the connection of start()'s /health may
        # still be lingering now, and be closed just before the accept)
        before = sockets_of(worker)
        sock = connect(m)
        sock.sendall(BEGIN + b"\x01")  # and then nothing
        # the worker has accepted it (a socket it did not hold) and waits for the rest
        self.assertTrue(wait_until(lambda: sockets_of(worker) - before))
        started = time.monotonic()
        m.send_signal(signal.SIGTERM)
        self.assertEqual(m.proc.wait(15), 0)
        self.assertLess(time.monotonic() - started, 5, "well within the shutdown timeout")
        sock.close()
        m.stop()
        self.assertFalse(m.events("stop_timeout"), m.final_log)
        self.assertTrue(dropped(m, "stopping"), m.final_log)
        self.assertEqual([e.get("status") for e in m.events("worker_exit")], [0])

    def test_a_head_that_arrives_just_after_the_stop_is_still_served(self):
        # a peer connects and then writes: a stop between the two must not
        # cut off the request (it did, as a broken pipe, during reloads)
        m = Master(workers=1, env={"LUME_FCGI_READ_TIMEOUT_MS": "60000"}).start()
        worker = wait_until(lambda: m.workers())[0]
        before = sockets_of(worker)
        sock = connect(m)
        self.assertTrue(wait_until(lambda: sockets_of(worker) - before))  # accepted, nothing read
        m.send_signal(signal.SIGTERM)
        time.sleep(0.2)  # the worker has seen the stop, well within the grace
        sock.sendall(fcgi_client.encode_request("/health"))
        status, _, _ = fcgi_client.read_response(sock)
        sock.close()
        self.assertEqual(status, 200)
        self.assertEqual(m.proc.wait(15), 0)
        m.stop()
        self.assertFalse(dropped(m, "stopping"), m.final_log)


def queued(m, uri="/resolve/inception"):
    """A request sent whole and left to wait for a worker; returns a thread
    whose .result is (status, headers, body) or the error the read met."""
    sock = connect(m)
    sock.sendall(fcgi_client.encode_request(uri))
    t = threading.Thread(daemon=True)
    t.result = None

    def read():
        try:
            t.result = fcgi_client.read_response(sock)
        except OSError as e:
            t.result = e
        t.ended = time.monotonic()
        sock.close()
    t.run = read
    t.start()
    return t


def refused(m):
    """Does a new connection get refused now?"""
    try:
        connect(m, timeout=2).close()
        return False
    except ConnectionRefusedError:
        return True


class StopListening(unittest.TestCase):
    """A stop (SIGTERM, not a reload) stops the listener first: from then on a
    connect is refused at once, so nginx moves the request to another replica
    (or answers) instead of leaving it queued at a process on its way out."""

    SLOW = {"LUME_MOCK_DELAY_MS": "1000", "LUME_REQUEST_TIMEOUT_MS": "5000",
            "LUME_SHUTDOWN_TIMEOUT_MS": "15000"}

    def test_on_a_unix_socket_what_was_queued_is_served_and_what_comes_after_refused(self):
        m = Master(workers=1, env=self.SLOW).start()
        first = queued(m)
        time.sleep(0.3)  # the one worker is busy with it
        waiting = [queued(m) for _ in range(2)]
        m.send_signal(signal.SIGTERM)
        self.assertTrue(wait_until(lambda: refused(m), 2), "a connect after the stop is refused")
        self.assertIsNone(m.proc.poll(), "refused while the stop is still under way")
        self.assertEqual(m.proc.wait(15), 0)
        for t in [first] + waiting:
            t.join(5)
            self.assertIsInstance(t.result, tuple, t.result)
            self.assertEqual(t.result[0], 200)
        m.stop()
        self.assertFalse(m.events("stop_timeout"), m.final_log)

    def test_on_tcp_the_queue_is_reset_at_once_and_a_connect_refused(self):
        m = tcp_master(workers=1, env=self.SLOW).start()
        first = queued(m)
        time.sleep(0.3)
        waiting = queued(m)
        m.send_signal(signal.SIGTERM)
        self.assertTrue(wait_until(lambda: refused(m), 2), "a connect after the stop is refused")
        waiting.join(5)
        # reset when the stop began, not when the master left: nginx retries
        # it elsewhere within its fastcgi_next_upstream_timeout
        self.assertIsInstance(waiting.result, OSError, waiting.result)
        self.assertEqual(m.proc.wait(15), 0)
        first.join(5)
        self.assertEqual(first.result[0], 200)
        self.assertLess(waiting.ended, first.ended)  # before the request in flight ended
        m.stop()
        self.assertEqual([e.get("status") for e in m.events("worker_exit")], [0])


if __name__ == "__main__":
    unittest.main()
