"""The Docker host the compose suite runs on, prepared and put back.

DockerHost().prepare() makes this machine able to build and run the Compose
stack, doing only what is missing: installs docker.io, docker-compose and
debootstrap (scripts/deps.sh, as `make deps` does), starts dockerd in the
background when none answers (there is no systemd), and makes the base image
with docker/base-image.sh (no registry is reachable) unless it is already
imported, which is the one thing cached between runs besides Docker's layer
cache. release() stops a dockerd it started and restores what dockerd changed
on the host: the iptables FORWARD policy and the rules and chains it added,
IP forwarding, and the docker0 bridge. Every wait is bounded.

Debian's CLI is used (/usr/bin first in PATH): another `docker` earlier in
PATH, without buildx, breaks BuildKit builds.
"""
import os
import shlex
import shutil
import signal
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PACKAGES = ["docker.io", "docker-compose", "debootstrap"]
BASE_IMAGE = "debian:bookworm-slim"
SYSCTLS = ["/proc/sys/net/ipv4/ip_forward"]


class HostError(Exception):
    pass


def env():
    """The environment for docker and docker-compose."""
    e = dict(os.environ)
    e["PATH"] = "/usr/bin:/usr/sbin:/bin:/sbin:" + os.environ.get("PATH", "")
    e["DOCKER_BUILDKIT"] = "1"
    e["COMPOSE_DOCKER_CLI_BUILD"] = "1"
    e.pop("DOCKER_HOST", None)
    return e


def run(cmd, timeout, check=True, **kw):
    """Run cmd (a list) with the docker environment; output captured as text."""
    try:
        r = subprocess.run(cmd, env=kw.pop("env", env()), capture_output=True, text=True,
                           timeout=timeout, stdin=subprocess.DEVNULL, **kw)
    except subprocess.TimeoutExpired as e:
        raise HostError(f"{shlex.join(cmd)}: no end after {timeout} s\n{e.stdout or ''}"
                        f"{e.stderr or ''}")
    if check and r.returncode != 0:
        raise HostError(f"{shlex.join(cmd)}: exit {r.returncode}\n{r.stdout}{r.stderr}")
    return r


def installed(package):
    r = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package], capture_output=True,
                       text=True)
    return r.returncode == 0 and "install ok installed" in r.stdout


def docker_answers():
    if not os.path.exists("/usr/bin/docker"):
        return False
    try:
        return run(["docker", "info", "--format", "{{.ServerVersion}}"], 20,
                   check=False).returncode == 0
    except HostError:
        return False


class DockerHost:
    def __init__(self, log=print):
        self.log = log
        self.dockerd = None  # the dockerd we started
        self.dir = None
        self.iptables_before = None
        self.sysctls_before = {}
        self.had_docker0 = True

    # -- prepare ---------------------------------------------------------------
    def unavailable(self):
        """Why this machine cannot run the suite (None: it can)."""
        if os.geteuid() == 0:
            return None
        if all(installed(p) for p in PACKAGES) and docker_answers():
            r = run(["docker", "image", "inspect", BASE_IMAGE], 20, check=False)
            if r.returncode == 0:
                return None
        return ("needs root (to install Docker, start dockerd and make the base image), "
                "or a running dockerd this user may use and the base image " + BASE_IMAGE)

    def prepare(self):
        t0 = time.monotonic()
        missing = [p for p in PACKAGES if not installed(p)]
        if missing:
            self.log(f"installing {' '.join(missing)}")
            e = dict(os.environ, LUME_EXTRA_PACKAGES=" ".join(PACKAGES))
            run([os.path.join(ROOT, "scripts", "deps.sh")], 600, env=e)
        if not docker_answers():
            self.start_dockerd()
        self.log(f"dockerd answers ({'started by this test' if self.dockerd else 'already running'})")
        r = run(["docker", "image", "inspect", BASE_IMAGE], 20, check=False)
        if r.returncode != 0:
            self.log(f"making {BASE_IMAGE} with debootstrap (about 30 s)")
            run([os.path.join(ROOT, "docker", "base-image.sh"), BASE_IMAGE], 900)
        else:
            self.log(f"{BASE_IMAGE} is present (cached)")
        self.log(f"host ready in {time.monotonic() - t0:.0f} s")

    def start_dockerd(self):
        self.dir = tempfile.mkdtemp(prefix="lume-dockerd-")
        self.iptables_before = self.iptables_rules()
        for path in SYSCTLS:
            try:
                with open(path) as f:
                    self.sysctls_before[path] = f.read().strip()
            except OSError:
                pass
        self.had_docker0 = os.path.exists("/sys/class/net/docker0")
        out = open(os.path.join(self.dir, "dockerd.log"), "wb")
        self.dockerd = subprocess.Popen(
            ["/usr/sbin/dockerd", "--host", "unix:///var/run/docker.sock"], env=env(),
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True)
        out.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.dockerd.poll() is not None:
                break
            if docker_answers():
                return
            time.sleep(0.2)
        text = self.dockerd_log()
        self.release()
        raise HostError("dockerd did not come up within 60 s:\n" + text[-3000:])

    def dockerd_log(self):
        try:
            with open(os.path.join(self.dir, "dockerd.log"), errors="replace") as f:
                return f.read()
        except (OSError, TypeError):
            return ""

    # -- release ---------------------------------------------------------------
    def release(self):
        """Stop the dockerd we started and undo what it changed. Idempotent."""
        if self.dockerd is None:
            return
        proc, self.dockerd = self.dockerd, None
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                self.log("dockerd did not stop within 30 s: killing it")
                proc.kill()
                proc.wait(10)
        # Its own containerd stops with it; make sure, if a pid file is left.
        try:
            with open("/var/run/docker/containerd/containerd.pid") as f:
                pid = int(f.read().strip())
            os.kill(pid, signal.SIGTERM)
        except (OSError, ValueError):
            pass
        self.restore_iptables()
        for path, value in self.sysctls_before.items():
            try:
                with open(path, "w") as f:
                    f.write(value + "\n")
            except OSError:
                pass
        if not self.had_docker0 and os.path.exists("/sys/class/net/docker0"):
            subprocess.run(["ip", "link", "delete", "docker0"], capture_output=True, timeout=10)
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)
        self.log("dockerd stopped; iptables, IP forwarding and docker0 restored")

    def iptables_rules(self):
        """{table: [lines of `iptables -t table -S`]}; {} without iptables."""
        rules = {}
        if shutil.which("iptables", path="/usr/sbin:/sbin") is None:
            return rules
        for table in ("filter", "nat"):
            r = subprocess.run(["iptables", "-w", "5", "-t", table, "-S"], capture_output=True,
                               text=True, timeout=20, env=env())
            rules[table] = r.stdout.splitlines() if r.returncode == 0 else []
        return rules

    def restore_iptables(self):
        """Undo dockerd's iptables changes: its rules, its chains, the FORWARD policy."""
        before = self.iptables_before or {}
        after = self.iptables_rules()

        def ipt(table, *args):
            subprocess.run(["iptables", "-w", "5", "-t", table, *args], capture_output=True,
                           timeout=20, env=env())
        for table, lines in after.items():
            old = set(before.get(table, []))
            new = [line for line in lines if line not in old]
            for line in new:
                if line.startswith("-A ") and ("DOCKER" in line or "docker0" in line):
                    ipt(table, "-D", *shlex.split(line)[1:])
            for line in new:
                if line.startswith("-N ") and "DOCKER" in line:
                    ipt(table, "-F", line.split()[1])
            for line in new:
                if line.startswith("-N ") and "DOCKER" in line:
                    ipt(table, "-X", line.split()[1])
        policy = [line for line in before.get("filter", []) if line.startswith("-P FORWARD ")]
        ipt("filter", "-P", "FORWARD", policy[0].split()[2] if policy else "ACCEPT")
