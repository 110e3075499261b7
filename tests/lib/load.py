"""Bounded load for the overload tests: HTTP/1.1 keep-alive clients over TLS
bound to a chosen loopback source address (nginx keys its per-address limits
on it), and a slowloris that opens connections and trickles header lines
without ever ending them. asyncio, stdlib only; every loop stops at a deadline.

clients(...) runs N clients in this process and returns one Sample per
request. Hog(...) runs N clients in a forked process (its own CPU and event
loop, so it does not slow the measuring client down) and returns its samples
too (time.monotonic() is one clock for both processes). slowloris(...) is a coroutine; Trickler runs it in a thread.
"""
import asyncio
import collections
import multiprocessing
import resource
import ssl
import threading
import time

Sample = collections.namedtuple("Sample", "path start latency status")


def raise_nofile(wanted):
    """Raise this process's open-file limit towards wanted (children inherit
    it); returns the soft limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= wanted:
        return soft
    if hard != resource.RLIM_INFINITY and hard < wanted:
        try:  # the hard limit too, where that is allowed (root outside a container)
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, wanted))
            return wanted
        except (ValueError, OSError):
            wanted = hard
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    except (ValueError, OSError):
        pass
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


async def _open(port, source, ctx):
    return await asyncio.open_connection("127.0.0.1", port, ssl=ctx,
                                         server_hostname="localhost" if ctx else None,
                                         local_addr=(source, 0))


async def _exchange(reader, writer, path):
    """One GET on an open connection: (status, keep the connection?)."""
    writer.write(f"GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length, keep = 0, True
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "connection" and value.strip().lower() == "close":
            keep = False
    if length:
        await reader.readexactly(length)
    return status, keep


async def _client(port, source, ctx, paths, until, timeout, samples, reuse, pause):
    """Request paths in turn until the deadline; status 0 is a connection or
    protocol failure, -1 no answer within timeout."""
    conn, i = None, 0
    while time.monotonic() < until:
        path = paths[i % len(paths)]
        i += 1
        start = time.monotonic()
        try:
            if conn is None:
                conn = await asyncio.wait_for(_open(port, source, ctx), timeout)
            status, keep = await asyncio.wait_for(_exchange(*conn, path), timeout)
        except asyncio.TimeoutError:
            status, keep = -1, False
        except (OSError, EOFError, asyncio.IncompleteReadError, ValueError, IndexError,
                ssl.SSLError):
            status, keep = 0, False
        samples.append(Sample(path, start, time.monotonic() - start, status))
        if conn is not None and (not keep or not reuse):
            conn[1].close()
            conn = None
        if pause and status in (0, 429, 503):
            await asyncio.sleep(pause)
    if conn is not None:
        conn[1].close()


def clients(port, source, ctx, n, duration, paths, timeout=3.0, reuse=True, pause=0.0):
    """Run n clients from source for duration seconds; the samples of all."""
    samples = []

    async def main():
        until = time.monotonic() + duration
        await asyncio.gather(*(_client(port, source, ctx, paths, until, timeout, samples, reuse,
                                       pause) for _ in range(n)))
    asyncio.run(main())
    return samples


def _hog_main(port, source, cafile, n, duration, paths, pause, pipe):
    ctx = ssl.create_default_context(cafile=cafile)
    samples = clients(port, source, ctx, n, duration, paths, timeout=15.0, pause=pause)
    pipe.send(samples)
    pipe.close()


class Hog:
    """n clients from source in a forked process for duration seconds. pause:
    how long each waits after a rejection (0: retries at once)."""

    def __init__(self, port, source, cafile, n, duration, paths, pause=0.0):
        ctx = multiprocessing.get_context("fork")
        self.recv, send = ctx.Pipe(duplex=False)
        self.proc = ctx.Process(target=_hog_main, daemon=True,
                                args=(port, source, cafile, n, duration, paths, pause, send))

    def start(self):
        self.proc.start()
        return self

    def result(self, timeout=30.0):
        """The hog's samples; empty when it did not report in time."""
        samples = self.recv.recv() if self.recv.poll(timeout) else []
        self.proc.join(5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()
        return samples


async def slowloris(port, source, count, rate, interval, until, stats):
    """Open count connections at rate per second, each sending a request line
    and then one header line every interval seconds, never the blank line that
    ends the headers. source: an address, or a list of them taken in turn.
    stats counts 'opened', 'failed' and 'closed' (by nginx)."""
    sources = [source] if isinstance(source, str) else list(source)

    async def one(k):
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection("127.0.0.1", port,
                                        local_addr=(sources[k % len(sources)], 0)), 5)
        except (OSError, asyncio.TimeoutError):
            stats["failed"] += 1
            return
        stats["opened"] += 1
        try:
            writer.write(f"GET /?slow={k} HTTP/1.1\r\nHost: localhost\r\n".encode())
            while time.monotonic() < until:
                await asyncio.sleep(interval)
                if reader.at_eof():
                    stats["closed"] += 1
                    return
                writer.write(b"X-Trickle: a\r\n")
                await writer.drain()
        except (OSError, ConnectionError):
            stats["closed"] += 1
        finally:
            writer.close()

    tasks = []
    start = time.monotonic()
    for k in range(count):
        delay = start + k / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        if time.monotonic() >= until:
            break
        tasks.append(asyncio.ensure_future(one(k)))
    await asyncio.gather(*tasks)


class Trickler:
    """slowloris() in a thread with its own event loop."""

    def __init__(self, port, source, count, rate, interval, duration):
        self.stats = collections.Counter()
        self.args = (port, source, count, rate, interval)
        self.duration = duration
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        until = time.monotonic() + self.duration
        asyncio.run(slowloris(*self.args, until, self.stats))

    def start(self):
        self.thread.start()
        return self

    def join(self, timeout=30.0):
        self.thread.join(timeout)
        return self.stats
