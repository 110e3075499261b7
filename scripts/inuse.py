#!/usr/bin/env python3
"""inuse.py: say what holds the addresses a new Lume instance needs.

usage: scripts/inuse.py [--tcp NAME=[HOST:]PORT]... [--unix NAME=PATH]...

scripts/run.sh asks this before it starts anything. For every address some
process already listens on, it names the address, the setting it comes from
(NAME) and the holder, pid and command line as /proc shows them, all on one
line, and exits 1. When every address is free it prints nothing and exits 0.

TCP: a HOST of "", "*", 0.0.0.0 or :: is every address; two listeners clash
when their ports are equal and either is every address or both are the same
one (an IPv6 every-address listener counts for IPv4 too: dual-stack is
Linux's default, and /proc does not say whether it is IPv6-only). Unix: a socket file nobody listens on is free (lume-fcgi replaces it).
Reads /proc/net/{tcp,tcp6,unix} and /proc/PID/fd: no iproute2 or procps.
Python stdlib only; Linux only.
"""
import argparse
import ipaddress
import os
import sys

LISTEN = "0A"              # TCP state in /proc/net/tcp*
SO_ACCEPTCON = 0x00010000  # flag of a listening socket in /proc/net/unix
WILDCARDS = ("", "*", "0.0.0.0", "::", "[::]")


def _address(hex_addr):
    """'0100007F' or a 32-digit IPv6 field, as /proc prints them (each 32-bit
    word in host byte order), to an ipaddress object; v4-mapped v6 as v4."""
    raw = bytes.fromhex(hex_addr)
    order = sys.byteorder
    words = [int.from_bytes(raw[i:i + 4], order).to_bytes(4, "big") for i in range(0, len(raw), 4)]
    addr = ipaddress.ip_address(b"".join(words))
    if addr.version == 6 and addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    return addr


def tcp_listeners():
    """[(address, port, inode)] of every listening TCP socket of this network namespace."""
    found = []
    for name in ("tcp", "tcp6"):
        try:
            with open(f"/proc/net/{name}") as f:
                lines = f.readlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) < 10 or fields[3] != LISTEN:
                continue
            addr, _, port = fields[1].partition(":")
            found.append((_address(addr), int(port, 16), int(fields[9])))
    return found


def unix_listeners():
    """[(path, inode)] of every listening unix socket bound to a path."""
    found = []
    try:
        with open("/proc/net/unix") as f:
            lines = f.readlines()[1:]
    except OSError:
        return found
    for line in lines:
        fields = line.split(None, 7)
        if len(fields) == 8 and int(fields[3], 16) & SO_ACCEPTCON:
            found.append((fields[7].rstrip("\n"), int(fields[6])))
    return found


def socket_owners(inodes):
    """{inode: [pid, ...]} from the fd links of every process this user may read."""
    wanted = {f"socket:[{i}]": i for i in inodes if i}
    owners = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if link in wanted:
                owners.setdefault(wanted[link], set()).add(int(pid))
    return {inode: sorted(pids) for inode, pids in owners.items()}


def _ppid(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
        return int(stat[stat.rfind(")") + 2:].split()[1])
    except (OSError, ValueError, IndexError):
        return 0


def _command(pid, limit=120):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            text = f.read().replace(b"\0", b" ").decode("utf-8", "replace").strip()
    except OSError:
        text = ""
    if not text:
        try:
            with open(f"/proc/{pid}/comm") as f:
                text = f.read().strip()
        except OSError:
            text = "?"
    text = "".join(c if c.isprintable() else "?" for c in text)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def holder(pids):
    """'pid N (command)' of the first process of those sharing a socket: the
    one whose parent does not share it (nginx's master, not its workers)."""
    if not pids:
        if os.geteuid() != 0:
            return "a process of another user (run as root to see which)"
        return "a process outside this machine's view (another namespace?)"
    top = [p for p in pids if _ppid(p) not in pids] or pids
    more = len(pids) - 1
    extra = f" and {more} other process{'es' if more > 1 else ''}" if more else ""
    return f"pid {top[0]} ({_command(top[0])}){extra}"


def parse_tcp(spec):
    """(address or None for every address, port), or None when it is no
    address at all (the step that renders the configuration names that)."""
    host, colon, port = spec.rpartition(":")
    if not colon:
        host, port = "", spec
    host = host.strip("[]") if host not in WILDCARDS else ""
    if not port.isdigit() or not 0 < int(port) < 65536:
        return None
    try:
        return (ipaddress.ip_address(host) if host else None), int(port)
    except ValueError:
        return None, int(port)  # a host name: any listener on the port counts


def tcp_clash(want_addr, want_port, addr, port):
    if port != want_port:
        return False
    return want_addr is None or addr.is_unspecified or addr == want_addr


def busy(tcp, unix):
    """One phrase per address in use: 'port 8443 (LUME_HTTPS_PORT) is in use by pid ...'."""
    problems = []
    listeners = tcp_listeners() if tcp else []
    sockets = unix_listeners() if unix else []
    clashes = []
    for name, spec in tcp:
        if parse_tcp(spec) is None:
            continue
        addr, port = parse_tcp(spec)
        inodes = [i for a, p, i in listeners if tcp_clash(addr, port, a, p)]
        if inodes:
            shown = (f"port {port}" if addr is None else
                     f"[{addr}]:{port}" if addr.version == 6 else f"{addr}:{port}")
            clashes.append((f"{shown} ({name})", inodes))
    for name, path in unix:
        full = os.path.abspath(path)
        inodes = [i for p, i in sockets if p == path or p == full]
        if inodes:
            clashes.append((f"unix:{path} ({name})", inodes))
    if clashes:
        owners = socket_owners({i for _, inodes in clashes for i in inodes})
        for what, inodes in clashes:
            pids = sorted({p for i in inodes for p in owners.get(i, [])})
            problems.append(f"{what} is in use by {holder(pids)}")
    return problems


def named(value):
    name, eq, spec = value.partition("=")
    if not eq or not name or not spec:
        raise argparse.ArgumentTypeError(f"expected NAME=ADDRESS, got {value!r}")
    return name, spec


def main(argv):
    ap = argparse.ArgumentParser(description="Say what holds the addresses Lume needs.")
    ap.add_argument("--tcp", type=named, action="append", default=[], metavar="NAME=[HOST:]PORT")
    ap.add_argument("--unix", type=named, action="append", default=[], metavar="NAME=PATH")
    args = ap.parse_args(argv)
    problems = busy(args.tcp, args.unix)
    if problems:
        print("; ".join(problems))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
