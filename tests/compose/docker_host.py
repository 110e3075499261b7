"""The Docker host the compose and swarm suites run on, prepared and put back.

DockerHost().prepare() makes this machine able to build and run the Compose
stack (and the swarm suite's node containers), doing only what is missing: installs docker.io, docker-compose and
debootstrap (scripts/deps.sh, as `make deps` does), starts dockerd in the
background when none answers (there is no systemd), and makes the base image
with docker/base-image.sh (no registry is reachable) unless it is already
imported, which is the one thing cached between runs besides Docker's layer
cache. release() stops a dockerd it started and restores what dockerd changed
on the host: the iptables FORWARD policy and the rules and chains it added,
IP forwarding, the docker0 and docker_gwbridge bridges, and the empty
"docker" cgroups it leaves in each cgroup v1 hierarchy; and, whoever
started dockerd, the neighbour-table sizes (net.ipv4.neigh.default.gc_thresh*,
global to the kernel) that a swarm node's overlay driver raises. Every wait
is bounded.

take(switch, log, cleanup) is how such a suite (compose, swarm) starts:
skipped when it cannot run, its cleanup registered (also on SIGTERM, SIGINT
and SIGHUP), its turn awaited (one_at_a_time: one Docker suite per machine),
then the host prepared. wait_for() and free_subnet() are their shared helpers.

Debian's CLI is used (/usr/bin first in PATH): another `docker` earlier in
PATH, without buildx, breaks BuildKit builds.
"""
import fcntl
import ipaddress
import os
import shlex
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PACKAGES = ["docker.io", "docker-compose", "debootstrap"]
BASE_IMAGE = "debian:bookworm-slim"
# Restored by release() if dockerd (ours) changed them.
SYSCTLS = ["/proc/sys/net/ipv4/ip_forward"]
# Restored by release() whoever changed them: the overlay driver of a dockerd
# in a swarm node container writes these kernel-wide values.
NEIGH_SYSCTLS = [f"/proc/sys/net/ipv4/neigh/default/gc_thresh{i}" for i in (1, 2, 3)]
BRIDGES = ["docker0", "docker_gwbridge"]
CGROUP_ROOT = "/sys/fs/cgroup"
LOCK = os.path.join(tempfile.gettempdir(), "lume-compose-test.lock")


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
        self.neigh_before = {}
        self.bridges_before = set(BRIDGES)
        self.cgroups_before = set()

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
        self.neigh_before = read_sysctls(NEIGH_SYSCTLS)
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
        self.sysctls_before = read_sysctls(SYSCTLS)
        self.bridges_before = {b for b in BRIDGES if os.path.exists(f"/sys/class/net/{b}")}
        self.cgroups_before = set(docker_cgroups())
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
        """Stop the dockerd we started and undo what it changed; put back the
        neighbour-table sizes. Idempotent."""
        self.restore_neighbour_tables()
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
        write_sysctls(self.sysctls_before)
        for bridge in BRIDGES:
            if bridge not in self.bridges_before and os.path.exists(f"/sys/class/net/{bridge}"):
                subprocess.run(["ip", "link", "delete", bridge], capture_output=True, timeout=10)
        for cgroup in docker_cgroups():
            if cgroup not in self.cgroups_before:
                remove_empty_cgroup(cgroup)
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)
        self.log("dockerd stopped; iptables, IP forwarding, the docker bridges and cgroups restored")

    def restore_neighbour_tables(self):
        """Put back the gc_thresh* values prepare() found. Idempotent."""
        changed = write_sysctls(self.neigh_before)
        if changed:
            self.log(f"restored {', '.join(os.path.basename(p) for p in changed)}")

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
                if line.startswith("-A ") and ("DOCKER" in line or "docker0" in line
                                               or "docker_gwbridge" in line):
                    ipt(table, "-D", *shlex.split(line)[1:])
            for line in new:
                if line.startswith("-N ") and "DOCKER" in line:
                    ipt(table, "-F", line.split()[1])
            for line in new:
                if line.startswith("-N ") and "DOCKER" in line:
                    ipt(table, "-X", line.split()[1])
        policy = [line for line in before.get("filter", []) if line.startswith("-P FORWARD ")]
        ipt("filter", "-P", "FORWARD", policy[0].split()[2] if policy else "ACCEPT")


def docker_cgroups():
    """The "docker" cgroup of each cgroup v1 hierarchy (dockerd makes them)."""
    try:
        names = os.listdir(CGROUP_ROOT)
    except OSError:
        return []
    return [p for p in (os.path.join(CGROUP_ROOT, n, "docker") for n in names) if os.path.isdir(p)]


def remove_empty_cgroup(path):
    """rmdir a cgroup and its children, deepest first; one that still holds a
    process stays (rmdir refuses)."""
    for parent, dirs, _ in os.walk(path, topdown=False):
        try:
            os.rmdir(parent)
        except OSError:
            pass


def read_sysctls(paths):
    """{path: value} of those that exist."""
    values = {}
    for path in paths:
        try:
            with open(path) as f:
                values[path] = f.read().strip()
        except OSError:
            pass
    return values


def write_sysctls(values):
    """Write back {path: value}; returns the paths whose value had changed."""
    changed = []
    for path, value in read_sysctls(values).items():
        if value != values[path]:
            try:
                with open(path, "w") as f:
                    f.write(values[path] + "\n")
                changed.append(path)
            except OSError:
                pass
    return changed


_lock = None  # the open lock file: held until the process ends


def one_at_a_time(log, timeout=900):
    """One Docker suite (compose or swarm) per machine at a time: a second one
    would find the first's dockerd, which the first stops when it ends. Held
    until this process exits. The lock file's name predates the swarm suite;
    it stays, so that older checkouts on the same machine take turns too."""
    global _lock
    if _lock is not None:
        return
    f = open(LOCK, "a")
    deadline = time.monotonic() + timeout
    waiting = False
    while True:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            _lock = f
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                f.close()
                raise HostError(f"another Docker suite ran for over {timeout} s")
            if not waiting:
                log("another Docker suite (compose or swarm) runs on this machine: waiting for it")
                waiting = True
            time.sleep(1)


def wait_for(predicate, timeout, what, interval=0.5, diagnose=lambda: ""):
    """predicate()'s first true value within timeout seconds, else an
    AssertionError naming what, with diagnose()'s text."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"{what}: not within {timeout} s\n{diagnose()}")
        time.sleep(interval)


def diagnostics(*steps):
    """The text of each step (a callable), for a failure message; a step that
    fails says so instead: diagnostics must never hide the failure itself."""
    out = []
    for step in steps:
        try:
            out.append(step())
        except Exception as e:
            out.append(f"(no diagnostics: {e})")
            break
    return "\n".join(out)


def free_subnet(prefix, avoid=()):
    """A PREFIX.x.0/24 (PREFIX: two octets, "172.28") that overlaps no Docker
    network on this host nor any of avoid (subnets, as text)."""
    used = []
    ids = run(["docker", "network", "ls", "-q"], 30).stdout.split()
    texts = run(["docker", "network", "inspect", "--format",
                 "{{range .IPAM.Config}}{{.Subnet}} {{end}}", *ids], 30).stdout.split()
    for text in [*texts, *avoid]:
        try:
            used.append(ipaddress.ip_network(text, strict=False))
        except ValueError:
            pass
    for third in range(100, 250):
        subnet = ipaddress.ip_network(f"{prefix}.{third}.0/24")
        if not any(subnet.overlaps(u) for u in used if u.version == 4):
            return str(subnet)
    raise HostError(f"no free {prefix}.x.0/24 for a test network")


def take(switch, log, cleanup):
    """For a suite's setUpModule: the prepared DockerHost, after its turn.
    Skips the suite when the environment variable switch is 0 or the machine
    cannot run it; cleanup() runs at the module's end, and on SIGTERM, SIGINT
    or SIGHUP before the process exits."""
    if os.environ.get(switch, "1") == "0":
        raise unittest.SkipTest(f"{switch}=0")
    why = DockerHost().unavailable()
    if why:
        raise unittest.SkipTest(why)

    def on_signal(signo, frame):
        log(f"signal {signo}: cleaning up")
        try:
            cleanup()
        finally:
            os._exit(128 + signo)
    for signo in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signo, on_signal)
    unittest.addModuleCleanup(cleanup)
    one_at_a_time(log)
    host = DockerHost(log=log)
    host.prepare()
    return host
