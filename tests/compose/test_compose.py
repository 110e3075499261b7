"""The Compose deployment for real (docker/compose.yaml): both images built
from this tree, the stack up, then over TLS through nginx on 127.0.0.1.

The steps run in order on one stack, as an operator would:
  1. build both images, bring the stack up, wait until healthy;
  2. smoke test over TLS: every route, an error, a CORS preflight, the redirect;
  3. scale the app to 3: all three serve requests, nginx untouched;
  4. kill one app container's master: it restarts, the others keep answering;
  5. docker/rollout.sh replaces every replica under load: no request fails;
  6. stop (cleanly, on the stop signal), then `down -v` leaves nothing behind.

docker_host.py installs and starts what is missing and puts the machine back.
The stack is always taken down, even on failure or SIGTERM/SIGINT.
LUME_COMPOSE_TEST=0 skips the suite; LUME_COMPOSE="docker compose" uses
Compose v2 instead of docker-compose.
"""
import json
import os
import random
import shlex
import shutil
import signal
import socket
import sys
import tempfile
import time
import unittest

import docker_host
import front
import steps
from docker_host import ROOT, HostError, run
from front import FRESH

COMPOSE_FILE = os.path.join(ROOT, "docker", "compose.yaml")

host = None
stack = None


def log(message):
    print(f"compose: {message}", flush=True)


def free_port():
    """A free 127.0.0.1 port below the ephemeral range, where other tests'
    port-0 binds and outgoing connections do not land between our check and
    Docker's bind."""
    low, _ = (int(x) for x in open("/proc/sys/net/ipv4/ip_local_port_range").read().split())
    for _ in range(200):
        port = random.randrange(20000, max(20001, min(low, 32768)))
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise HostError("no free port")


def diagnostics():
    """What the stack says about itself, for a failure message: each container's
    state and health, and the last lines of its log."""
    if stack is None:
        return ""

    def containers():
        out = []
        for c in stack.inspect(stack.containers()):
            health = c["State"].get("Health", {})
            last = (health.get("Log") or [{}])[-1].get("Output", "").strip()
            out.append(f"--- {c['Name']}: {c['State']['Status']}, health "
                       f"{health.get('Status')}: {last[-300:]}")
            logs = run(["docker", "logs", "--tail", "30", c["Id"]], 30, check=False)
            out.append((logs.stdout + logs.stderr)[-3000:])
        return "\n".join(out)
    return docker_host.diagnostics(containers)


def wait_for(predicate, timeout, what, interval=0.5):
    """predicate()'s first true value within timeout seconds, else a failure."""
    return docker_host.wait_for(predicate, timeout, what, interval, diagnose=diagnostics)


class Stack:
    """One Compose project of docker/compose.yaml, on free 127.0.0.1 ports."""

    def __init__(self):
        self.project = f"lumetest{os.getpid()}"
        self.dir = tempfile.mkdtemp(prefix="lume-compose-")
        self.compose = shlex.split(os.environ.get("LUME_COMPOSE", "docker-compose"))
        self.tls = os.path.join(self.dir, "tls")
        # The development pair, made the way docs/operations.md says.
        run([os.path.join(ROOT, "docker", "dev-cert.sh"), self.tls], 60)
        self.env_file = os.path.join(self.dir, "test.env")
        self.settings = {
            "LUME_IMAGE_TAG": "test",
            "LUME_PUBLISH_ADDR": "127.0.0.1",
            "LUME_TLS_DIR": self.tls,
            "LUME_BACKEND_SUBNET": docker_host.free_subnet("172.28"),
            "LUME_HEALTH_INTERVAL": "1s",
            "LUME_WORKERS": "2",
            # Every request arrives from one address (Docker's proxy): no limit.
            "LUME_RATE_LIMIT": "0",
            "LUME_PROVIDER": "mock",
        }
        self.new_ports()
        self.down_done = False

    def new_ports(self):
        self.https_port = free_port()
        self.http_port = free_port()
        self.settings["LUME_HTTPS_PORT"] = str(self.https_port)
        self.settings["LUME_HTTP_PORT"] = str(self.http_port)
        with open(self.env_file, "w") as f:
            f.writelines(f"{k}={v}\n" for k, v in self.settings.items())

    def up(self, *args):
        """`up -d`; when another process took a port meanwhile, again on new ports."""
        for attempt in range(3):
            try:
                return self.run("up", "-d", *args, timeout=300)
            except HostError as e:
                if "address already in use" not in str(e) or attempt == 2:
                    raise
                log("a published port was taken meanwhile: new ports")
                self.new_ports()

    def run(self, *args, timeout=120, check=True):
        return run(self.compose + ["-f", COMPOSE_FILE, "--env-file", self.env_file,
                                   "-p", self.project, *args], timeout, check=check)

    def containers(self, service=None):
        """Ids of the project's containers (of one service), stopped ones too."""
        cmd = ["docker", "ps", "-a", "-q", "--no-trunc",
               "--filter", f"label=com.docker.compose.project={self.project}"]
        if service:
            cmd += ["--filter", f"label=com.docker.compose.service={service}"]
        return sorted(run(cmd, 30).stdout.split())

    def inspect(self, ids):
        return json.loads(run(["docker", "inspect", *ids], 30).stdout) if ids else []

    def healthy(self, service, count):
        states = self.inspect(self.containers(service))
        ok = [c for c in states if c["State"]["Status"] == "running"
              and c["State"].get("Health", {}).get("Status") == "healthy"]
        return ok if len(ok) == count and len(states) == count else None

    def logs(self, cid):
        r = run(["docker", "logs", cid], 60)
        return r.stdout + r.stderr

    def front(self):
        """nginx on its published ports (they change when new_ports() ran)."""
        return front.Front("127.0.0.1", self.https_port, self.http_port,
                           os.path.join(self.tls, "cert.pem"))

    def request(self, path, method="GET", headers=None, timeout=10):
        return self.front().request(path, method, headers, timeout)

    def down(self):
        if self.down_done:
            return
        self.down_done = True
        try:
            self.run("down", "-v", "--remove-orphans", "-t", "20", timeout=120, check=False)
        except HostError as e:
            log(f"down failed: {e}")
        # Whatever down missed (a failed up can leave a container behind).
        for cid in self.containers():
            run(["docker", "rm", "-f", "-v", cid], 60, check=False)
        shutil.rmtree(self.dir, ignore_errors=True)


def cleanup():
    """Take the stack down and put the host back; safe to call more than once."""
    global stack, host
    if stack is not None:
        log("taking the stack down")
        stack.down()
        stack = None
        # Our images' superseded versions (the cache and current tags stay).
        run(["docker", "image", "prune", "-f", "--filter", "label=org.lume.image"], 60,
            check=False)
    if host is not None:
        host.release()
        host = None


def setUpModule():
    global host, stack
    host = docker_host.take("LUME_COMPOSE_TEST", log, cleanup)
    stack = Stack()


class ComposeDeployment(steps.Steps):
    """Each step builds on the one before; after a failed step, the later
    ones are skipped (steps.Steps)."""

    def test_1_images_build_and_the_stack_becomes_healthy(self):
        t0 = time.monotonic()
        build = ["build"]
        if os.environ.get("LUME_COMPOSE_NO_CACHE") == "1":
            build.append("--no-cache")
        stack.run(*build, timeout=900)
        log(f"both images built in {time.monotonic() - t0:.0f} s")
        images = {i["Config"]["Labels"]["org.lume.image"]: i for i in json.loads(
            run(["docker", "image", "inspect", "lume-app:test", "lume-nginx:test"], 30).stdout)}
        self.assertEqual(set(images), {"app", "nginx"})
        for name, image in images.items():
            self.assertEqual(image["Config"]["User"], "lume:lume", f"{name} runs as non-root")
            self.assertTrue(image["Config"]["Healthcheck"]["Test"], f"{name} has a HEALTHCHECK")
            log(f"lume-{name}:test is {image['Size'] / 1e6:.0f} MB")

        t0 = time.monotonic()
        stack.up()
        wait_for(lambda: stack.healthy("app", 1), 90, "app healthy")
        nginx = wait_for(lambda: stack.healthy("nginx", 1), 90, "nginx healthy")[0]
        log(f"stack healthy in {time.monotonic() - t0:.0f} s")
        app = stack.inspect(stack.containers("app"))[0]

        # Locked down: read-only root, no capabilities, a tmpfs run directory.
        for c in (app, nginx):
            self.assertTrue(c["HostConfig"]["ReadonlyRootfs"])
            self.assertEqual(c["HostConfig"]["CapDrop"], ["ALL"])
            self.assertIn("/run/lume", c["HostConfig"]["Tmpfs"])
            self.assertEqual(c["HostConfig"]["RestartPolicy"]["Name"], "unless-stopped")
            self.assertEqual(c["HostConfig"]["LogConfig"]["Type"], "json-file")
            self.assertIn("max-size", c["HostConfig"]["LogConfig"]["Config"])
        # nginx, non-root, may bind the published port however low (443).
        self.assertEqual(run(["docker", "exec", nginx["Id"], "cat",
                              "/proc/sys/net/ipv4/ip_unprivileged_port_start"], 30).stdout.strip(),
                         "0")
        # The master is PID 1 of its container (no init in between).
        with open(f"/proc/{app['State']['Pid']}/cmdline", "rb") as f:
            self.assertEqual(f.read().split(b"\0")[0], b"/usr/local/bin/lume-fcgi")
        # The FastCGI port: on the internal backend network only, never published.
        nets = {n.split("_", 1)[1] for n in app["NetworkSettings"]["Networks"]}
        self.assertEqual(nets, {"backend", "egress"})
        self.assertFalse(any(app["NetworkSettings"]["Ports"].values()), "app publishes nothing")
        backend = json.loads(run(["docker", "network", "inspect",
                                  f"{stack.project}_backend"], 30).stdout)[0]
        self.assertTrue(backend["Internal"])
        env = dict(e.split("=", 1) for e in app["Config"]["Env"] if "=" in e)
        self.assertEqual(env["LUME_FCGI_ALLOWED_ADDRS"],
                         "127.0.0.1," + backend["IPAM"]["Config"][0]["Subnet"])

    def test_2_every_route_over_tls_through_nginx(self):
        front.check_every_route(self, stack.front())

    def test_3_three_replicas_all_serve(self):
        nginx_before = stack.inspect(stack.containers("nginx"))[0]
        stack.up("--no-recreate", "--scale", "app=3")
        wait_for(lambda: stack.healthy("app", 3), 90, "3 app replicas healthy")
        nginx = stack.inspect(stack.containers("nginx"))[0]
        self.assertEqual(nginx["Id"], nginx_before["Id"], "nginx was not recreated")
        self.assertEqual(nginx["State"]["StartedAt"], nginx_before["State"]["StartedAt"],
                         "nginx was not restarted: it found the new replicas by itself")

        ids = set()
        for _ in range(60):
            status, headers, body = stack.request("/resolve/inception", headers=FRESH)
            self.assertEqual(status, 200, body)
            ids.add(headers["x-request-id"])
        served = {}
        for cid in stack.containers("app"):
            text = stack.logs(cid)
            served[cid[:12]] = sum(1 for i in ids if f'"request_id":"{i}"' in text)
        log(f"60 requests served per replica: {served}")
        self.assertEqual(sum(served.values()), 60, served)
        for cid, n in served.items():
            self.assertGreater(n, 0, f"replica {cid} served none of 60 requests: {served}")

    def test_4_a_killed_master_restarts_while_the_others_answer(self):
        apps = stack.inspect(stack.containers("app"))
        self.assertEqual(len(apps), 3)
        victim = apps[0]
        restarts = victim["RestartCount"]
        os.kill(victim["State"]["Pid"], signal.SIGKILL)
        t0 = time.monotonic()
        log(f"killed the master of {victim['Id'][:12]} (pid {victim['State']['Pid']} on the host)")

        answered, failed = 0, []
        deadline = t0 + 90
        back = None
        while time.monotonic() < deadline:
            for _ in range(5):
                try:
                    status, _, body = stack.request("/resolve/inception", headers=FRESH)
                except OSError as e:
                    status, body = None, str(e)
                if status == 200:
                    answered += 1
                else:
                    failed.append((status, body[:200]))
            c = stack.inspect([victim["Id"]])[0]
            if (c["RestartCount"] > restarts and c["State"]["Status"] == "running"
                    and c["State"].get("Health", {}).get("Status") == "healthy"):
                back = c
                break
        self.assertIsNotNone(back, "the killed container was not back and healthy in 90 s")
        log(f"restarted and healthy after {time.monotonic() - t0:.1f} s; "
            f"{answered} requests answered meanwhile, {len(failed)} failed")
        self.assertEqual(failed, [], "the other replicas kept answering")
        self.assertGreater(answered, 0)

        # The replica is back in nginx's rotation (a new IP address maybe).
        def served_by_victim():
            status, headers, _ = stack.request("/resolve/inception", headers=FRESH)
            self.assertEqual(status, 200)
            return f'"request_id":"{headers["x-request-id"]}"' in stack.logs(victim["Id"])
        wait_for(served_by_victim, 60, "the restarted replica serves again", interval=0.1)

    def test_5_a_rollout_replaces_every_replica_without_a_failed_request(self):
        old = set(stack.containers("app"))
        self.assertEqual(len(old), 3)
        t0 = time.monotonic()
        with front.SteadyLoad([stack.front()]) as load:
            r = run([os.path.join(ROOT, "docker", "rollout.sh"), "-f", COMPOSE_FILE,
                     "--env-file", stack.env_file, "-p", stack.project], 300, check=False,
                    env=dict(docker_host.env(), LUME_COMPOSE=" ".join(stack.compose)))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        log(f"rollout in {time.monotonic() - t0:.0f} s: {len(load.outcomes)} requests "
            f"meanwhile, {len(load.failed())} failed")
        self.assertEqual(load.failed(), [])
        self.assertGreater(len(load.outcomes), 20)
        new = set(stack.containers("app"))
        self.assertEqual(len(new), 3)
        self.assertFalse(new & old, "every replica was replaced")
        self.assertTrue(stack.healthy("app", 3))

    def test_6_stop_is_clean_and_down_leaves_nothing(self):
        ids = stack.containers()
        stack.run("stop", timeout=120)
        for c in stack.inspect(ids):
            name = c["Name"].lstrip("/")
            self.assertEqual(c["State"]["Status"], "exited", name)
            # 0: stopped by its stop signal, not killed after the grace period.
            self.assertEqual(c["State"]["ExitCode"], 0, name)
        for cid in stack.containers("app"):
            self.assertIn('"event":"exit"', stack.logs(cid).splitlines()[-1])

        stack.run("down", "-v", timeout=120)
        label = f"label=com.docker.compose.project={stack.project}"
        self.assertEqual(stack.containers(), [])
        self.assertEqual(run(["docker", "network", "ls", "-q", "--filter", label], 30)
                         .stdout.split(), [])
        self.assertEqual(run(["docker", "volume", "ls", "-q", "--filter", label], 30)
                         .stdout.split(), [])
        self.assertFalse([n for n in run(["docker", "network", "ls", "--format", "{{.Name}}"],
                                         30).stdout.split() if n.startswith(stack.project)])


if __name__ == "__main__":
    sys.exit(unittest.main())
