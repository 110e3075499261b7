#!/usr/bin/env python3
"""Lume's edge metrics (docs/operations.md): mtail over nginx's edge log.

usage: nginx/edge.py RUN_DIR    (scripts/run.sh, the nginx image's entrypoint
                                 and the e2e tests start it)

Runs mtail with the program beside this script (edge.mtail) over the edge log
nginx writes (log_format lume_edge: one line per answer), its Prometheus text
served on a unix socket that nginx proxies at /metrics/edge. No TCP port.

  RUN_DIR/logs/edge.log   the edge log; created empty before mtail starts
                          (mtail reads a log from where it is at its start)
  RUN_DIR/edge.sock       mtail's HTTP server (nginx/render.py names both;
                          LUME_EDGE_LOG_MAX is read as render.py reads it)
  RUN_DIR/logs/mtail.*    mtail's own log (its warnings and errors: stderr too)

- The log is kept under LUME_EDGE_LOG_MAX bytes on disk (k, m or g; default
  8m) without losing a line: once over it, what mtail has already read (up to
  its read position, from /proc) is punched out of the file (fallocate
  --punch-hole): its blocks are freed, nginx goes on appending and mtail
  reading where they were. The file's apparent size keeps growing (ls shows
  it, du what it holds). On a filesystem without holes it is truncated
  instead, once mtail has read it all; a line nginx writes in the instant
  between that check and the truncation is then not counted.
- mtail is restarted, at most once a second, when it ends on its own; its
  counters then start again from zero (Prometheus's rate() takes resets).
- TERM, INT or HUP stop mtail and end this with 0. mtail runs with a
  parent-death signal (setpriv --pdeathsig), so it ends with this process
  however that ends; start this one the same way (run.sh does).
- Once a second it looks, and forks nothing unless it frees blocks.
LUME_MTAIL: the mtail binary (default: mtail, Debian's package).
Python stdlib only (the nginx image has python3-minimal).
"""
import os
import signal
import subprocess
import sys
import time

import render  # beside this script: the settings, and where the log and the socket are

HERE = os.path.dirname(os.path.abspath(__file__))


class Stop(Exception):
    pass


def say(text):
    print(f"edge: {text}", file=sys.stderr, flush=True)


def position(pid, path):
    """mtail's read position in the file at path, or None."""
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") != path:
                    continue
                with open(f"/proc/{pid}/fdinfo/{fd}") as f:
                    for line in f:
                        if line.startswith("pos:"):
                            return int(line.split()[1])
            except (OSError, ValueError):
                continue
    except OSError:
        pass
    return None


def main(argv):
    if len(argv) != 1:
        print("usage: edge.py RUN_DIR", file=sys.stderr)
        return 2
    run_dir = os.path.realpath(argv[0])  # as /proc shows mtail's files
    conf = render.settings(os.environ)  # the environment, then the LUME_CONFIG file
    try:
        limit = render.edge_log_max(conf)
        _, log, sock = render.edge_values(dict(conf, LUME_EDGE_METRICS="on"), run_dir)
    except render.RenderError as e:
        print(f"edge: {e}", file=sys.stderr)
        return 2
    os.makedirs(os.path.dirname(log), exist_ok=True)
    open(log, "ab").close()

    def stop(signo, frame):
        raise Stop()
    for signo in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signo, stop)

    def start():
        try:
            os.unlink(sock)  # this run directory's (run.lock): a dead mtail's
        except FileNotFoundError:
            pass
        return subprocess.Popen(
            ["setpriv", "--pdeathsig", "TERM", "--", os.environ.get("LUME_MTAIL", "mtail"),
             "--progs", os.path.join(HERE, "edge.mtail"), "--logs", log, "--unix_socket", sock,
             "--emit_prog_label=false", "--log_dir", os.path.dirname(log),
             "--stderrthreshold=WARNING"], stdin=subprocess.DEVNULL)

    mtail = None
    try:
        mtail = start()
        while True:
            time.sleep(1)
            if mtail.poll() is not None:
                say(f"mtail ended (status {mtail.returncode}); starting it again")
                mtail = start()
                continue
            if os.stat(log).st_blocks * 512 <= limit:
                continue
            read_to = position(mtail.pid, log)
            if not read_to:
                continue
            if subprocess.run(["fallocate", "--punch-hole", "--offset", "0", "--length",
                               str(read_to), log], stderr=subprocess.DEVNULL).returncode == 0:
                continue
            deadline = time.monotonic() + 3
            while position(mtail.pid, log) != os.stat(log).st_size:
                if time.monotonic() > deadline:
                    say("mtail is behind the log for 3 s; truncating it anyway (lines lost)")
                    break
                time.sleep(0.01)
            os.truncate(log, 0)  # right after the check: only a line written in between is lost
    except Stop:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        if mtail is not None and mtail.poll() is None:
            mtail.terminate()
            try:
                mtail.wait(10)
            except subprocess.TimeoutExpired:
                mtail.kill()
                mtail.wait()
        try:
            os.unlink(sock)
        except FileNotFoundError:
            pass
        return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
