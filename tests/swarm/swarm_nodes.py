"""Three Docker-in-Docker nodes on this host, formed into a swarm, for the
swarm suite (test_swarm.py).

Nodes(tag).start() runs N containers of the node image (docker/
swarm-node.Dockerfile) on a bridge network of their own with fixed addresses;
each runs its own dockerd, driven from here with the host's CLI through a
socket in a directory of this test (no TCP port): node.docker(...) is
`docker -H unix://.../docker.sock ...`. load_images() copies images from the
host into every node (`docker save | docker load`, no registry); form()
makes every node a manager (the first inits, with a 1 s dispatcher heartbeat
so a dead node is noticed within seconds; the others join); kill() takes a
node away the hard way. down() removes the nodes, their volumes (each node's
/var/lib/docker) and the network; everything they ran dies with them.
"""
import concurrent.futures
import ipaddress
import json
import os
import shutil
import tempfile
import time

import docker_host
from docker_host import ROOT, run

NODE_IMAGE = "lume-swarm-node"
# What a node container needs to run dockerd (docker/swarm-node.sh says why).
NODE_OPTIONS = [
    "--cap-add", "ALL", "--cap-drop", "SYS_RESOURCE",
    "--security-opt", "seccomp=unconfined", "--security-opt", "apparmor=unconfined",
    "--security-opt", "systempaths=unconfined",
    "--device-cgroup-rule", "a *:* rwm",
]
# Inside a node, dockerd's own bridges and the swarm's default address pool:
# the nodes' network must overlap none of them.
NODE_INNER_SUBNETS = ["172.17.0.0/16", "172.18.0.0/16", "10.0.0.0/8"]


class Node:
    def __init__(self, name, address, socket_dir):
        self.name = name  # container name, also its hostname and swarm node name
        self.address = address
        self.socket = os.path.join(socket_dir, "docker.sock")
        self.killed = False

    def __repr__(self):
        return self.name

    def docker(self, *args, timeout=60, check=True, env=None):
        """The host's docker CLI against this node's dockerd."""
        return run(["docker", "-H", f"unix://{self.socket}", *args], timeout, check=check,
                   **({"env": env} if env else {}))

    def answers(self):
        return os.path.exists(self.socket) and self.docker(
            "info", "--format", "{{.ServerVersion}}", timeout=20, check=False).returncode == 0


class Nodes:
    def __init__(self, tag, log, count=3):
        self.tag = tag
        self.log = log
        self.label = f"org.lume.test=swarm-{os.getpid()}"
        self.network = f"lumeswarm{os.getpid()}"
        self.dir = tempfile.mkdtemp(prefix="lume-swarm-")
        self.subnet = None
        self.nodes = []
        self.count = count

    def build_image(self):
        """The node image (Debian's docker.io on the base image); cached after
        its first build."""
        run(["docker", "build", "-q", "-f", os.path.join(ROOT, "docker", "swarm-node.Dockerfile"),
             "--build-arg", f"BASE={docker_host.BASE_IMAGE}", "-t", f"{NODE_IMAGE}:{self.tag}",
             ROOT], 900)

    def start(self):
        self.subnet = docker_host.free_subnet("172.29", avoid=NODE_INNER_SUBNETS)
        # Not --internal: without a default route, each task in a node takes
        # some 20 s more to start (measured). Nothing here sends traffic out:
        # images are loaded, never pulled (deploy --resolve-image never).
        run(["docker", "network", "create", "--label", self.label, "--subnet", self.subnet,
             self.network], 60)
        hosts = list(ipaddress.ip_network(self.subnet).hosts())
        for i in range(1, self.count + 1):
            socket_dir = os.path.join(self.dir, f"node{i}")
            os.makedirs(socket_dir)
            node = Node(f"{self.network}-node{i}", str(hosts[10 + i]), socket_dir)
            run(["docker", "run", "-d", "--name", node.name, "--hostname", node.name,
                 "--label", self.label, "--network", self.network, "--ip", node.address,
                 *NODE_OPTIONS, "-v", f"{socket_dir}:/node-socket",
                 "-e", "LUME_NODE_SOCKET_DIR=/node-socket",
                 f"{NODE_IMAGE}:{self.tag}", "--log-level", "warn"], 60)
            self.nodes.append(node)
        for node in self.nodes:
            docker_host.wait_for(node.answers, 60, f"dockerd in {node}", interval=0.2,
                                 diagnose=lambda: self.node_log(node))
        return self.nodes

    def node_log(self, node, lines=40):
        r = run(["docker", "logs", "--tail", str(lines), node.name], 30, check=False)
        return (r.stdout + r.stderr)[-4000:]

    def load_images(self, images):
        """images (names on the host) into every node at once: one `docker save`,
        then one `docker load` per node in parallel."""
        archive = os.path.join(self.dir, "images.tar")
        run(["docker", "save", "-o", archive, *images], 300)
        with concurrent.futures.ThreadPoolExecutor(len(self.nodes)) as pool:
            for f in [pool.submit(n.docker, "load", "-q", "-i", archive, timeout=300)
                      for n in self.nodes]:
                f.result()
        os.unlink(archive)

    def form(self):
        """A swarm of managers: the first inits, the others join it."""
        first = self.nodes[0]
        first.docker("swarm", "init", "--advertise-addr", first.address,
                     "--listen-addr", f"{first.address}:2377",
                     "--dispatcher-heartbeat", "1s")
        token = first.docker("swarm", "join-token", "-q", "manager").stdout.strip()
        for node in self.nodes[1:]:
            node.docker("swarm", "join", "--token", token, "--advertise-addr", node.address,
                        f"{first.address}:2377", timeout=120)

    def node_states(self, via=None):
        """{node name: (status, availability, manager status)} as a manager sees them."""
        via = via or self.alive()[0]
        r = via.docker("node", "ls", "--format", "{{json .}}", timeout=30)
        rows = [json.loads(line) for line in r.stdout.splitlines() if line.strip()]
        return {row["Hostname"]: (row["Status"], row["Availability"], row["ManagerStatus"])
                for row in rows}

    def kill(self, node):
        """SIGKILL to the node's container: its dockerd and every task on it die at once."""
        run(["docker", "kill", node.name], 60)
        node.killed = True

    def alive(self):
        return [n for n in self.nodes if not n.killed]

    def containers(self):
        return run(["docker", "ps", "-a", "-q", "--filter", f"label={self.label}"], 30).stdout.split()

    def volumes(self):
        """Names of the nodes' volumes (each one's /var/lib/docker)."""
        ids = self.containers()
        if not ids:
            return []
        return [m["Name"] for c in json.loads(run(["docker", "inspect", *ids], 30).stdout)
                for m in c["Mounts"] if m["Type"] == "volume"]

    def down(self):
        """Remove the nodes (and their volumes) and the network. Idempotent."""
        t0 = time.monotonic()
        ids = self.containers()
        if ids:
            run(["docker", "rm", "-f", "-v", *ids], 120, check=False)
        networks = run(["docker", "network", "ls", "-q", "--filter", f"label={self.label}"],
                       30).stdout.split()
        if networks:
            run(["docker", "network", "rm", *networks], 60, check=False)
        shutil.rmtree(self.dir, ignore_errors=True)
        self.nodes = []
        self.log(f"nodes removed in {time.monotonic() - t0:.0f} s")
