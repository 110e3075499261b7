"""scripts/inuse.py: what run.sh asks before it starts anything.

Documents: free addresses give no output and exit 0; each address something
listens on is named with its setting and the holder's pid and command, all on
one line, exit 1; a listener on one address does not block another address
on the same port, but one on every address blocks them all; a unix socket
file that nobody listens on any more is free; what is no address at all is
left to the configuration step to name.
"""
import os
import socket
import subprocess
import tempfile
import unittest

from harness import ROOT

INUSE = os.path.join(ROOT, "scripts", "inuse.py")
ME = f"pid {os.getpid()} ("


def inuse(*args):
    r = subprocess.run(["python3", INUSE, *args], capture_output=True, text=True, timeout=30)
    return r.returncode, r.stdout


def listener(host="127.0.0.1", family=socket.AF_INET):
    s = socket.socket(family)
    s.bind((host, 0))
    s.listen()
    return s


class TcpPorts(unittest.TestCase):
    def test_a_free_port_says_nothing_and_exits_0(self):
        s = listener()
        port = s.getsockname()[1]
        s.close()
        self.assertEqual(inuse("--tcp", f"LUME_HTTPS_PORT=:{port}"), (0, ""))

    def test_a_busy_port_is_named_with_its_setting_and_holder(self):
        with listener() as s:
            port = s.getsockname()[1]
            rc, out = inuse("--tcp", f"LUME_HTTPS_PORT=:{port}")
        self.assertEqual(rc, 1)
        self.assertEqual(out.count("\n"), 1, out)
        self.assertTrue(out.startswith(f"port {port} (LUME_HTTPS_PORT) is in use by {ME}"), out)
        self.assertIn("python", out)

    def test_addresses_clash_only_when_equal_or_one_is_every_address(self):
        with listener("127.0.0.1") as s:
            port = s.getsockname()[1]
            self.assertEqual(inuse("--tcp", f"A=127.0.0.1:{port}")[0], 1)
            self.assertEqual(inuse("--tcp", f"A=0.0.0.0:{port}")[0], 1)
            self.assertEqual(inuse("--tcp", f"A=127.0.0.2:{port}"), (0, ""))
        with listener("0.0.0.0") as s:
            port = s.getsockname()[1]
            self.assertEqual(inuse("--tcp", f"A=127.0.0.2:{port}")[0], 1)

    def test_every_busy_address_is_on_the_one_line(self):
        with listener() as a, listener() as b:
            rc, out = inuse("--tcp", f"LUME_HTTPS_PORT=127.0.0.1:{a.getsockname()[1]}",
                            "--tcp", f"LUME_HTTP_PORT=127.0.0.1:{b.getsockname()[1]}")
        self.assertEqual(rc, 1)
        self.assertEqual(out.count("\n"), 1, out)
        self.assertIn("(LUME_HTTPS_PORT) is in use", out)
        self.assertIn("; 127.0.0.1:", out)
        self.assertIn("(LUME_HTTP_PORT) is in use", out)

    def test_what_is_no_address_is_left_to_the_configuration_step(self):
        self.assertEqual(inuse("--tcp", "LUME_HTTPS_PORT=:abc", "--tcp", "LUME_HTTP_PORT=:0"),
                         (0, ""))


class UnixSockets(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="lume-inuse-")
        self.path = os.path.join(self.dir, "lume.sock")

    def tearDown(self):
        if os.path.exists(self.path):
            os.unlink(self.path)
        os.rmdir(self.dir)

    def test_a_listening_socket_is_named_with_its_holder(self):
        with socket.socket(socket.AF_UNIX) as s:
            s.bind(self.path)
            s.listen()
            rc, out = inuse("--unix", f"LUME_LISTEN={self.path}")
        self.assertEqual(rc, 1)
        self.assertTrue(out.startswith(f"unix:{self.path} (LUME_LISTEN) is in use by {ME}"), out)

    def test_a_socket_file_nobody_listens_on_is_free(self):
        with socket.socket(socket.AF_UNIX) as s:
            s.bind(self.path)
            s.listen()
        self.assertTrue(os.path.exists(self.path))
        self.assertEqual(inuse("--unix", f"LUME_LISTEN={self.path}"), (0, ""))


if __name__ == "__main__":
    unittest.main()
