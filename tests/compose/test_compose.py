"""The Compose deployment for real (docker/compose.yaml): both images built
from this tree, the stack up, then over TLS through nginx on 127.0.0.1.

The steps run in order on one stack, as an operator would:
  1. build both images, bring the stack up, wait until healthy;
  2. smoke test over TLS: every route, an error, a CORS preflight, the redirect;
  3. scale the app to 3: all three serve requests, nginx untouched;
  4. kill one app container's master: it restarts, the others keep answering;
  5. docker/rollout.sh replaces every replica under load: no request fails;
  6. stop (cleanly, on the stop signal), then `down -v` leaves nothing behind;
  7. the library (docker/compose.library.yaml over compose.yaml, a project of
     its own): a media folder ffmpeg made, mounted read-only into both
     services at /media, the signing secret a Compose secret file (in no
     image, no container's environment); a film resolves to a signed link
     that the nginx container serves with Range (206), and `down -v` leaves
     nothing.

docker_host.py installs and starts what is missing and puts the machine back.
The stack is always taken down, even on failure or SIGTERM/SIGINT.
LUME_COMPOSE_TEST=0 skips the suite; LUME_COMPOSE="docker compose" uses
Compose v2 instead of docker-compose.
"""
import json
import os
import http.client
import random
import shlex
import shutil
import signal
import socket
import subprocess
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
LIBRARY_FILE = os.path.join(ROOT, "docker", "compose.library.yaml")
LIBRARY_SECRET = "compose-library-secret-0123456789"
FFMPEG = ("ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi -i "
          "testsrc=size=640x360:rate=10:duration=2 -f lavfi -i sine=frequency=440:duration=2 "
          "-c:v libx264 -preset ultrafast -c:a aac -movflags +faststart")

host = None
stack = None
library = None  # step 7's project


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

    def __init__(self, project=None, files=(COMPOSE_FILE,)):
        self.project = project or f"lumetest{os.getpid()}"
        self.files = list(files)
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
        self.write_env()

    def write_env(self):
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
        files = [x for f in self.files for x in ("-f", f)]
        return run(self.compose + files + ["--env-file", self.env_file,
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


class LibraryStack(Stack):
    """The same stack with docker/compose.library.yaml over it: the library
    provider, a media folder of one film (ffmpeg), its secret a file."""

    def __init__(self):
        super().__init__(f"lumetest{os.getpid()}lib", (COMPOSE_FILE, LIBRARY_FILE))
        self.media = os.path.join(self.dir, "media")
        self.film = os.path.join(self.media, "Charade (1963)", "Charade (1963).mp4")
        os.makedirs(os.path.dirname(self.film))
        subprocess.run(FFMPEG.split() + [self.film], check=True, timeout=120)
        # The containers' user (10001) reads the media; the secret is its alone.
        for d, _, files in os.walk(self.media):
            os.chmod(d, 0o755)
            for f in files:
                os.chmod(os.path.join(d, f), 0o644)
        secret = os.path.join(self.dir, "library.secret")
        with open(secret, "w") as f:
            f.write(LIBRARY_SECRET + "\n")
        os.chown(secret, 10001, 10001)
        os.chmod(secret, 0o400)
        # LUME_PROVIDERS alone: with LUME_PROVIDER set too, the app takes the one
        # set last, and nginx/render.py the LUME_PROVIDER given.
        del self.settings["LUME_PROVIDER"]
        self.settings.update({
            "LUME_PROVIDERS": "library,mock",
            "LUME_LIBRARY_DIRS": "/media",
            "LUME_MEDIA_DIR": self.media,
            "LUME_LIBRARY_SECRET_HOST_FILE": secret,
        })
        self.write_env()

    def new_ports(self):
        super().new_ports()
        # The links name the published port: https://localhost:<port>/media.
        self.settings["LUME_LIBRARY_PUBLIC_URL"] = f"https://localhost:{self.https_port}/media"
        self.write_env()

    def fetch(self, url, headers=None):
        """(status, headers, body) of a link, from the published port."""
        f = self.front()
        u = url.split("/", 3)[3]
        conn = http.client.HTTPSConnection(f.host, f.https_port, timeout=10, context=f.ctx)
        try:
            conn.request("GET", "/" + u, headers=headers or {})
            r = conn.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
        finally:
            conn.close()


def cleanup():
    """Take the stacks down and put the host back; safe to call more than once."""
    global stack, host, library
    stacks = [s for s in (stack, library) if s is not None]
    for s in stacks:
        log(f"taking {s.project} down")
        s.down()
    stack = library = None
    if stacks:
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

    def test_7_the_library_through_compose(self):
        global library
        library = LibraryStack()
        t0 = time.monotonic()
        library.up()
        wait_for(lambda: library.healthy("app", 1), 90, "library app healthy")
        wait_for(lambda: library.healthy("nginx", 1), 90, "library nginx healthy")
        log(f"library stack healthy in {time.monotonic() - t0:.0f} s")
        containers = library.inspect(library.containers())
        for c in containers:
            name = c["Config"]["Labels"]["com.docker.compose.service"]
            media = [m for m in c["Mounts"] if m["Destination"] == "/media"]
            self.assertEqual([(m["Type"], m["Source"], m["RW"]) for m in media],
                             [("bind", library.media, False)], name)
            env = dict(e.split("=", 1) for e in c["Config"]["Env"] if "=" in e)
            self.assertEqual(env["LUME_LIBRARY_SECRET_FILE"], "/run/secrets/lume_library_secret")
            self.assertEqual(env.get("LUME_LIBRARY_SECRET", ""), "", name)
            # The secret: in the container's /run/secrets, in no image nor environment.
            self.assertNotIn(LIBRARY_SECRET, json.dumps(c), name)
            self.assertNotIn(LIBRARY_SECRET, run(["docker", "image", "inspect", c["Image"]],
                                                 30).stdout, name)
            self.assertEqual(run(["docker", "exec", c["Id"], "cat",
                                  "/run/secrets/lume_library_secret"], 30).stdout.strip(),
                             LIBRARY_SECRET, name)
            self.assertNotEqual(run(["docker", "exec", c["Id"], "touch", "/media/x"], 30,
                                    check=False).returncode, 0, f"{name}: /media is read-only")
            if name == "app":
                self.assertEqual([m["Type"] for m in c["Mounts"]
                                  if m["Destination"] == "/var/lib/lume"], ["volume"])

        def film():
            status, _, body = library.request("/streams/charade", headers=FRESH)
            streams = json.loads(body).get("streams", []) if status == 200 else []
            return [s for s in streams if s["url"].startswith(library.settings[
                "LUME_LIBRARY_PUBLIC_URL"] + "/0/Charade%20%281963%29/")]
        [stream] = wait_for(film, 60, "the film indexed and resolved")
        self.assertIn("md5=", stream["url"])
        self.assertEqual((stream["container"], stream["video_codec"]), ("mp4", "h264"))
        with open(library.film, "rb") as f:
            whole = f.read()
        status, headers, body = library.fetch(stream["url"])
        self.assertEqual((status, headers["content-type"], body), (200, "video/mp4", whole))
        status, headers, body = library.fetch(stream["url"], {"Range": "bytes=1000-1999"})
        self.assertEqual(status, 206)
        self.assertEqual(headers["content-range"], f"bytes 1000-1999/{len(whole)}")
        self.assertEqual(body, whole[1000:2000])
        # Unsigned, or the signature changed: refused by the nginx container.
        base = stream["url"].split("?")[0]
        self.assertEqual(library.fetch(base)[0], 403)
        self.assertEqual(library.fetch(stream["url"].replace("md5=", "md5=A"))[0], 403)
        log(f"the film: {len(whole)} bytes, 206 on a Range through the nginx container")

        library.run("down", "-v", timeout=120)
        label = f"label=com.docker.compose.project={library.project}"
        self.assertEqual(library.containers(), [])
        self.assertEqual(run(["docker", "volume", "ls", "-q", "--filter", label], 30)
                         .stdout.split(), [])


if __name__ == "__main__":
    sys.exit(unittest.main())
