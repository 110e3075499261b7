"""A small FastCGI client (the web server's side of the protocol), for tests.

request() sends one RESPONDER request and returns (status, headers, body),
headers as a dict of lower-case names. Addresses are "unix:/path" or
"HOST:PORT". For tests that take a request apart: encode_request() gives its
bytes, encode_params() the FCGI_PARAMS content, read_response() reads the
answer from a socket.
"""
import socket
import struct

FCGI_BEGIN_REQUEST, FCGI_END_REQUEST, FCGI_PARAMS, FCGI_STDIN, FCGI_STDOUT, FCGI_STDERR = 1, 3, 4, 5, 6, 7
RESPONDER = 1
FCGI_KEEP_CONN = 1
FCGI_UNKNOWN_TYPE = 11


def _record(rtype, content, request_id=1):
    pad = (8 - len(content) % 8) % 8
    return struct.pack("!BBHHBx", 1, rtype, request_id, len(content), pad) + content + b"\0" * pad


def _stream(rtype, data):
    """data as records of at most 65535 bytes, then the empty record that ends the stream."""
    return b"".join(_record(rtype, data[i:i + 65535]) for i in range(0, len(data), 65535)) + _record(rtype, b"")


def _length(n):
    return struct.pack("!B", n) if n < 128 else struct.pack("!I", n | 0x80000000)


def encode_params(params):
    """The name-value pairs of params (a dict) as FCGI_PARAMS content."""
    out = b""
    for name, value in params.items():
        name = name.encode() if isinstance(name, str) else name
        value = value.encode() if isinstance(value, str) else value
        out += _length(len(name)) + _length(len(value)) + name + value
    return out


def connect(address, timeout=10.0):
    if address.startswith("unix:"):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        sock.connect(address[5:])
    else:
        host, port = address.rsplit(":", 1)
        sock = socket.create_connection((host, int(port)), timeout=timeout)
    return sock


def _recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("connection closed mid-record")
        buf += chunk
    return buf


def parse_response(raw):
    head, _, body = raw.partition(b"\r\n\r\n")
    status, headers = 200, {}
    for line in head.decode("latin-1").split("\r\n"):
        if not line:
            continue
        name, _, value = line.partition(":")
        name, value = name.strip().lower(), value.strip()
        if name == "status":
            status = int(value.split()[0])
        else:
            headers[name] = value
    return status, headers, body


def environ(uri="/", method="GET", params=None, stdin=b""):
    """The params request() sends."""
    env = {
        "REQUEST_METHOD": method,
        "REQUEST_URI": uri,
        "SCRIPT_NAME": uri.split("?")[0],
        "QUERY_STRING": uri.partition("?")[2],
        "SERVER_PROTOCOL": "HTTP/1.1",
        "GATEWAY_INTERFACE": "CGI/1.1",
    }
    env.update(params or {})
    if stdin:
        env["CONTENT_LENGTH"] = str(len(stdin))
    return env


def encode_request(uri="/", method="GET", params=None, stdin=b"", role=RESPONDER, keep=False):
    """The bytes of one request: FCGI_BEGIN_REQUEST, FCGI_PARAMS, FCGI_STDIN.
    keep: FCGI_KEEP_CONN, the connection stays open for the next request (as
    nginx's fastcgi_keep_conn on)."""
    msg = _record(FCGI_BEGIN_REQUEST, struct.pack("!HB5x", role, FCGI_KEEP_CONN if keep else 0))
    return msg + _stream(FCGI_PARAMS, encode_params(environ(uri, method, params, stdin))) + \
        _stream(FCGI_STDIN, stdin)


def read_response(sock):
    """Read records up to FCGI_END_REQUEST; returns (status, headers, body)."""
    out = b""
    while True:
        version, rtype, _rid, length, pad = struct.unpack("!BBHHBx", _recv_exact(sock, 8))
        content = _recv_exact(sock, length + pad)[:length]
        if rtype == FCGI_STDOUT:
            out += content
        elif rtype == FCGI_END_REQUEST:
            break
    return parse_response(out)


def request(address, uri="/", method="GET", params=None, stdin=b"", timeout=10.0):
    """Send one request; returns (status, headers, body)."""
    sock = connect(address, timeout)
    try:
        sock.sendall(encode_request(uri, method, params, stdin))
        return read_response(sock)
    finally:
        sock.close()
