"""A persistent HTTP/1.1 client that sends request targets as raw bytes.

http.client refuses targets it considers unsafe (non-ASCII, control bytes);
the sweeps need to send exactly the bytes under test, many times, on few
connections. Connection(host, port, ctx).get(target) sends
`GET <target> HTTP/1.1` on a kept-alive connection (TLS when ctx is given),
reads one response (Content-Length or chunked) and reconnects by itself after
a server closes the connection (nginx does after a 400 or a 414). Every
answer is checked against docs/openapi.yaml (openapi_check).
"""
import socket

import openapi_check
from nginx_harness import Response


class Connection:
    def __init__(self, host, port, ctx=None, timeout=10.0):
        self.host, self.port, self.ctx, self.timeout = host, port, ctx, timeout
        self.sock = None
        self.buf = b""
        self.connects = 0

    def close(self):
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass
        self.sock, self.buf = None, b""

    def _connect(self):
        s = socket.create_connection((self.host, self.port), timeout=self.timeout)
        if self.ctx is not None:
            s = self.ctx.wrap_socket(s, server_hostname=self.host)
        self.sock, self.buf = s, b""
        self.connects += 1

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("connection closed by the server mid-response")
        self.buf += chunk

    def _line_block(self, sep):
        while sep not in self.buf:
            self._fill()
        head, _, self.buf = self.buf.partition(sep)
        return head

    def _exactly(self, n):
        while len(self.buf) < n:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def get(self, target, method=b"GET", headers=b""):
        """One request; target and headers are bytes sent as they are.
        A request on a connection the server closed while idle is sent once
        more on a fresh one (nothing was answered on it)."""
        for attempt in (0, 1):
            fresh = self.sock is None
            if fresh:
                self._connect()
            try:
                self.sock.sendall(method + b" " + target + b" HTTP/1.1\r\nHost: " +
                                  self.host.encode() + b"\r\n" + headers + b"\r\n")
                r = self._read(method)
                openapi_check.check(method, target, r.status, r.header_list, r.body,
                                    tls=self.ctx is not None)
                return r
            except (ConnectionError, BrokenPipeError) as e:
                self.close()
                if fresh or attempt:
                    raise e

    def _read(self, method):
        head = self._line_block(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        hs = []
        for line in lines[1:]:
            name, _, value = line.partition(":")
            hs.append((name.strip().lower(), value.strip()))
        h = dict(hs)
        if method == b"HEAD" or status in (204, 304):
            body = b""
        elif "content-length" in h:
            body = self._exactly(int(h["content-length"]))
        elif h.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while True:
                size = int(self._line_block(b"\r\n").split(b";")[0], 16)
                if size == 0:
                    self._line_block(b"\r\n")
                    break
                body += self._exactly(size)
                self._exactly(2)
        else:  # body until the server closes
            try:
                while True:
                    self._fill()
            except ConnectionError:
                pass
            body, self.buf = self.buf, b""
            self.close()
        if h.get("connection", "").lower() == "close":
            self.close()
        return Response(status, hs, body)
