#!/usr/bin/python3
"""nginx-healthcheck.py: the nginx image's HEALTHCHECK. GET /health over TLS
on this container's HTTPS port, through nginx to an app replica: healthy when
the answer is 200. The certificate is not verified (its name is the public
one, not 127.0.0.1). python3-minimal: socket and ssl only."""
import os
import socket
import ssl
import sys

port = int(os.environ.get("LUME_HTTPS_PORT", "8443"))
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
try:
    with socket.create_connection(("127.0.0.1", port), timeout=3) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as s:
            s.sendall(b"GET /health HTTP/1.1\r\nHost: localhost\r\n"
                      b"User-Agent: lume-healthcheck\r\nConnection: close\r\n\r\n")
            head = s.recv(4096).split(b"\r\n", 1)[0].decode("latin-1")
except (OSError, ValueError) as e:
    print(f"no answer on 127.0.0.1:{port}: {e}")
    sys.exit(1)
print(head)
sys.exit(0 if head.startswith("HTTP/1.1 200 ") else 1)
