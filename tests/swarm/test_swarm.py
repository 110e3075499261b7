"""docker/stack.yaml on a real three-node Docker Swarm: three Docker-in-Docker
node containers on this host (swarm_nodes.py), the images of the Compose
test loaded into each, the stack deployed, then over TLS to each node's nginx
on the nodes' own network, which this test creates.

The steps run in order on one swarm, as an operator would:
  1. the images (cached: the Compose test built them), three nodes, the images
     loaded into each, a swarm of three managers, the stack deployed: nginx on
     every node, three app replicas spread over them, secrets as files;
  2. every route through each node's nginx, and /metrics;
  3. replicas on other nodes serve: each request found, by its request id, in
     the log of the replica that answered, on whichever node it runs; each
     replica's own /metrics, read on its node, counts them all;
  4. a rolling update of the app under load through every node: none fails;
  5. the TLS pair rotated (new secrets, the stack deployed again): nginx rolls
     node by node, every node then presents the new certificate, and a client
     that moves to the next node on a refused connection sees no failure;
  6. `docker kill` of a node that runs app replicas, under load: they are
     rescheduled on the others, and requests through the remaining nodes fail
     at most KILL_FAILURE_BOUND times;
  7. `docker stack rm`, then the nodes removed: nothing is left.

docker_host.py installs and starts what is missing and puts the machine back
(the compose and swarm suites take turns: one lock). Everything is taken
down, even on failure or SIGTERM/SIGINT. LUME_SWARM_TEST=0 skips the suite.
"""
import datetime
import json
import os
import shutil
import ssl
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "compose"))
import docker_host  # noqa: E402
import front  # noqa: E402
import steps  # noqa: E402
import swarm_nodes  # noqa: E402
from docker_host import ROOT, run  # noqa: E402
from front import FRESH  # noqa: E402

STACK_FILE = os.path.join(ROOT, "docker", "stack.yaml")
STACK = "lume"
TAG = "test"  # the Compose test's images: lume-app:test, lume-nginx:test
IMAGES = [f"lume-app:{TAG}", f"lume-nginx:{TAG}"]
HTTPS_PORT, HTTP_PORT = 443, 80  # the stack's defaults, on each node's own address
MEDIA_DIR = "/srv/lume/media"
# Requests through the remaining nodes that may fail when a node is killed.
# A request that nginx had already handed to a replica on that node is lost:
# the node vanishes without a reset, so nginx waits out its read timeout and
# answers 504 (too late to try another replica). The load sends one request at
# a time, so at most one is in flight there; one more for a loaded machine.
# Every later request costs time, not an answer: nginx gives up on a dead
# replica's address within 200 ms and tries another (5 tries within 3 s).
KILL_FAILURE_BOUND = 2
# One replica's /metrics, asked inside its container with libfcgi's cgi-fcgi
# (the health check's tool): docs/operations.md, "Logs and metrics on a swarm".
REPLICA_METRICS = ["env", "-i", "REQUEST_METHOD=GET", "REQUEST_URI=/metrics",
                   "SCRIPT_NAME=/metrics", "QUERY_STRING=", "SERVER_PROTOCOL=HTTP/1.1",
                   "cgi-fcgi", "-bind", "-connect", "127.0.0.1:9000"]

host = None
nodes = None
work = None  # this run's files: TLS pairs, secrets, settings


def log(message):
    print(f"swarm: {message}", flush=True)


def sh(*args, timeout=120, check=True):
    return run(list(args), timeout, check=check)


class Work:
    """The files a deployment reads: two TLS pairs (the second for the
    rotation) valid for the nodes' addresses, the app's two secrets, the
    settings file; and the deploy-time variables of docker/stack.yaml."""

    def __init__(self, addresses):
        self.dir = tempfile.mkdtemp(prefix="lume-swarm-files-")
        self.tls = [os.path.join(self.dir, f"tls{i}") for i in (1, 2)]
        for d in self.tls:
            run([os.path.join(ROOT, "docker", "dev-cert.sh"), d, "localhost", *addresses], 60)
        # Clients trust both: the rotation must not break verification.
        self.cafile = os.path.join(self.dir, "ca.pem")
        with open(self.cafile, "w") as out:
            for d in self.tls:
                out.write(open(os.path.join(d, "cert.pem")).read())
        self.secrets = os.path.join(self.dir, "secrets")
        os.makedirs(self.secrets)
        self.secret_values = {"library_secret": os.urandom(16).hex(),
                              "stremio_token": os.urandom(16).hex()}
        for name, value in self.secret_values.items():
            with open(os.path.join(self.secrets, name), "w") as f:
                f.write(value + "\n")
        self.settings_file = os.path.join(self.dir, "settings.conf")
        with open(self.settings_file, "w") as f:
            f.write("# tests/swarm: every request comes from this host's one address\n"
                    "LUME_RATE_LIMIT=0\nLUME_WORKERS=2\nLUME_PROVIDER=mock\n")
        self.variables = {
            "LUME_IMAGE_TAG": TAG,
            "LUME_TLS_DIR": self.tls[0],
            "LUME_TLS_VERSION": "1",
            "LUME_SECRETS_DIR": self.secrets,
            "LUME_SETTINGS_FILE": self.settings_file,
            "LUME_MEDIA_DIR": MEDIA_DIR,
            "LUME_HEALTH_INTERVAL": "1s",
            "LUME_APP_REPLICAS": "3",
            # Shorter waits than a real deployment needs (no load balancer here).
            "LUME_UPDATE_MONITOR": "5s",
            "LUME_NGINX_UPDATE_DELAY": "2s",
        }

    def cert_der(self, i):
        return ssl.PEM_cert_to_DER_cert(open(os.path.join(self.tls[i], "cert.pem")).read())


def manager():
    """A live manager to ask: every node is one; the first that was not killed."""
    return nodes.alive()[0]


def settled(predicate):
    """predicate, but None while the managers cannot answer (a new leader
    being elected after the old one was killed)."""
    def attempt():
        try:
            return predicate()
        except docker_host.HostError:
            return None
    return attempt


def deploy():
    return manager().docker("stack", "deploy", "--resolve-image", "never", "-c", STACK_FILE,
                            STACK, timeout=180, env=dict(docker_host.env(), **work.variables))


def service(name):
    return json.loads(manager().docker("service", "inspect", f"{STACK}_{name}").stdout)[0]


def tasks(name):
    """Tasks of a service meant to run: [{ID, Node, CurrentState, ...}]."""
    r = manager().docker("service", "ps", "--no-trunc", "--filter", "desired-state=running",
                         "--format", "{{json .}}", f"{STACK}_{name}")
    return [json.loads(line) for line in r.stdout.splitlines() if line.strip()]


def running(name, count, on=None):
    """The tasks of a service when exactly count of them run (on the nodes on)."""
    ts = tasks(name)
    live = [t for t in ts if t["CurrentState"].startswith("Running")
            and (on is None or t["Node"] in on)]
    return live if len(live) == count and len(ts) == count else None


def updated(name):
    """The service's update status once its rolling update completed."""
    status = service(name).get("UpdateStatus") or {}
    if status.get("State") in ("paused", "rollback_completed", "rollback_paused"):
        raise AssertionError(f"{name}: update {status}\n{diagnostics()}")
    return status if status.get("State") == "completed" else None


def app_containers():
    """{container id: node} of the app's running containers, on every live node."""
    found = {}
    for node in nodes.alive():
        for cid in node.docker("ps", "-q", "--no-trunc", "--filter",
                               f"label=com.docker.swarm.service.name={STACK}_app").stdout.split():
            found[cid] = node
    return found


def fronts(among=None):
    return [front.Front(n.address, HTTPS_PORT, HTTP_PORT, work.cafile)
            for n in (among or nodes.alive())]


def since(t0, stamp):
    """Seconds from t0 (time.time()) to a Docker timestamp (RFC 3339, ns, UTC)."""
    day, frac = stamp.rstrip("Z").split(".") if "." in stamp else (stamp.rstrip("Z"), "0")
    t = datetime.datetime.strptime(day, "%Y-%m-%dT%H:%M:%S").replace(
        tzinfo=datetime.timezone.utc).timestamp()
    return t + float("0." + frac) - t0


def diagnostics():
    """The services' tasks and the nodes' states, for a failure message."""
    if nodes is None or not nodes.nodes:
        return ""
    def logs(name):
        r = manager().docker("service", "logs", "--tail", "20", f"{STACK}_{name}", timeout=30,
                             check=False)
        return (r.stdout + r.stderr)[-3000:]
    return docker_host.diagnostics(
        lambda: manager().docker("service", "ps", "--no-trunc", f"{STACK}_app", f"{STACK}_nginx",
                                 check=False).stdout,
        lambda: manager().docker("node", "ls", check=False).stdout,
        lambda: logs("app"), lambda: logs("nginx"))


def wait_for(predicate, timeout, what, interval=0.5):
    return docker_host.wait_for(predicate, timeout, what, interval, diagnose=diagnostics)


def cleanup():
    """Remove the nodes (and all they ran) and put the host back; safe twice."""
    global nodes, host, work
    if nodes is not None:
        log("removing the nodes")
        nodes.down()
        nodes = None
    if work is not None:
        shutil.rmtree(work.dir, ignore_errors=True)
        work = None
    if host is not None:
        host.release()
        host = None


def setUpModule():
    global host, nodes
    host = docker_host.take("LUME_SWARM_TEST", log, cleanup)
    nodes = swarm_nodes.Nodes(TAG, log)


class SwarmDeployment(steps.Steps):
    """Each step builds on the one before; after a failed step, the later
    ones are skipped (steps.Steps)."""

    def test_1_three_nodes_form_a_swarm_and_the_stack_converges(self):
        global work
        t0 = time.monotonic()
        for target in ("app", "nginx"):  # the Compose test's build: cached
            sh("docker", "build", "-q", "-f", os.path.join(ROOT, "docker", "Dockerfile"),
               "--target", target, "--build-arg", f"BASE={docker_host.BASE_IMAGE}",
               "-t", f"lume-{target}:{TAG}", ROOT, timeout=900)
        nodes.build_image()
        log(f"images ready in {time.monotonic() - t0:.0f} s")

        t0 = time.monotonic()
        nodes.start()
        nodes.load_images(IMAGES)
        nodes.form()
        states = nodes.node_states()
        self.assertEqual(sorted(states), sorted(n.name for n in nodes.nodes))
        for name, (status, availability, role) in states.items():
            self.assertEqual((status, availability), ("Ready", "Active"), name)
            self.assertIn(role, ("Leader", "Reachable"), f"{name} is a manager")
        for node in nodes.nodes:  # the media, where every node has it (shared storage)
            sh("docker", "exec", node.name, "sh", "-c",
               f"mkdir -p {MEDIA_DIR} && echo film > {MEDIA_DIR}/film.txt")
        log(f"{len(nodes.nodes)} nodes up, images loaded, swarm formed in "
            f"{time.monotonic() - t0:.0f} s")

        t0 = time.monotonic()
        work = Work([n.address for n in nodes.nodes])
        deploy()
        log(f"stack deployed in {time.monotonic() - t0:.0f} s")
        apps = wait_for(lambda: running("app", 3), 120, "3 app replicas running")
        log(f"3 app replicas running (healthy) after {time.monotonic() - t0:.0f} s")
        wait_for(lambda: running("nginx", 3), 120, "nginx running on each node")
        for f in fronts():
            wait_for(lambda: self.answers(f), 60, f"{f} answers /health")
        log(f"nginx running and answering on every node after {time.monotonic() - t0:.0f} s")
        retried = manager().docker("service", "ps", "--no-trunc", "--filter",
                                   "desired-state=shutdown", "--format",
                                   "{{.Name}} {{.Node}} {{.CurrentState}} {{.Error}}",
                                   f"{STACK}_app", f"{STACK}_nginx").stdout.strip()
        if retried:
            log(f"tasks that failed and were replaced on the way:\n{retried}")

        # Spread: one replica per node.
        self.assertEqual(sorted(t["Node"] for t in apps), sorted(n.name for n in nodes.nodes))

        app, nginx = service("app"), service("nginx")
        # The app: replicated, reached by DNS round-robin, rolled start-first.
        self.assertEqual(app["Spec"]["EndpointSpec"]["Mode"], "dnsrr")
        self.assertEqual(app["Spec"]["Mode"]["Replicated"]["Replicas"], 3)
        self.assertEqual(app["Spec"]["UpdateConfig"]["Order"], "start-first")
        self.assertEqual(app["Spec"]["UpdateConfig"]["FailureAction"], "rollback")
        # nginx: one per node, its ports on that node only.
        self.assertIn("Global", nginx["Spec"]["Mode"])
        self.assertEqual({(p["TargetPort"], p["PublishMode"]) for p in
                          nginx["Spec"]["EndpointSpec"]["Ports"]},
                         {(HTTPS_PORT, "host"), (HTTP_PORT, "host")})
        for s in (app, nginx):
            spec = s["Spec"]["TaskTemplate"]["ContainerSpec"]
            self.assertTrue(spec["ReadOnly"])
            self.assertEqual(spec["CapabilityDrop"], ["ALL"])
            self.assertTrue(s["Spec"]["TaskTemplate"]["Resources"]["Limits"]["MemoryBytes"])
            # Secrets are files, never variables.
            env = "\n".join(spec.get("Env", []))
            for value in work.secret_values.values():
                self.assertNotIn(value, env)
            self.assertNotIn("PRIVATE KEY", env)

        # Inside a replica: the secrets as files of the lume user only, the
        # settings as a config, the library index on a volume, the media read-only.
        cid, node = next(iter(app_containers().items()))

        def inside(*cmd, check=True):
            return node.docker("exec", cid, *cmd, check=check)
        for name, value in work.secret_values.items():
            path = f"/run/secrets/lume_{name}"
            self.assertEqual(inside("cat", path).stdout.strip(), value)
            self.assertEqual(inside("stat", "-c", "%a %u", path).stdout.split(), ["400", "10001"])
        self.assertIn("LUME_WORKERS=2", inside("cat", "/etc/lume/lume.conf").stdout)
        self.assertEqual(inside("cat", "/media/film.txt").stdout, "film\n")
        self.assertNotEqual(inside("touch", "/media/new", check=False).returncode, 0)
        mounts = {m["Destination"]: m for m in json.loads(
            node.docker("inspect", cid).stdout)[0]["Mounts"]}
        self.assertEqual(mounts["/var/lib/lume"]["Type"], "volume")
        self.assertFalse(mounts["/media"]["RW"])
        # the index's volume is the lume user's, as the image makes the directory
        self.assertEqual(inside("stat", "-c", "%u", "/var/lib/lume").stdout.strip(), "10001")
        inside("touch", "/var/lib/lume/.written")

    @staticmethod
    def answers(f):
        try:
            return f.request("/health", timeout=5)[0] == 200
        except OSError:
            return False

    def test_2_every_route_through_each_nodes_nginx(self):
        for f in fronts():
            with self.subTest(node=f.host):
                front.check_every_route(self, f)
                # The pool's metrics, to a private address (LUME_METRICS_ALLOW):
                # one replica's, whichever nginx picked.
                status, _, body = f.request("/metrics")
                self.assertEqual(status, 200)
                self.assertIn(b"lume_requests_total{", body)

    def test_3_replicas_on_other_nodes_serve(self):
        node_of = {n.address: n.name for n in nodes.nodes}
        ids = {}  # request id -> the node whose nginx took it
        for f in fronts():
            for _ in range(30):
                status, headers, body = f.request("/resolve/inception", headers=FRESH)
                self.assertEqual(status, 200, body)
                ids[headers["x-request-id"]] = node_of[f.host]
        served = {}  # (entry node, replica's node) -> requests
        for cid, node in app_containers().items():
            r = node.docker("logs", cid)
            text = r.stdout + r.stderr
            for i, entry in ids.items():
                if f'"request_id":"{i}"' in text:
                    served[(entry, node.name)] = served.get((entry, node.name), 0) + 1
        log(f"{len(ids)} requests, (entry node, replica's node): {served}")
        self.assertEqual(sum(served.values()), len(ids), "each found in exactly one replica")
        for n in nodes.nodes:
            self.assertTrue(any(k[1] == n.name for k in served), f"the replica on {n} served")
            self.assertTrue(any(k[0] == n.name and k[1] != n.name for k in served),
                            f"{n}'s nginx reached replicas on other nodes")

        # Each replica's own /metrics, read on its node as docs/operations.md
        # says: together they count every request above.
        resolves = 0
        for cid, node in app_containers().items():
            text = node.docker("exec", cid, *REPLICA_METRICS).stdout
            self.assertIn("Status: 200", text.split("\n", 1)[0])
            resolves += sum(float(line.split()[-1]) for line in text.splitlines()
                            if line.startswith('lume_requests_total{route="resolve"'))
        self.assertGreaterEqual(resolves, len(ids))

    def test_4_a_rolling_update_under_load_fails_no_request(self):
        old = set(app_containers())
        t0 = time.monotonic()
        with front.SteadyLoad(fronts()) as load:
            manager().docker("service", "update", "--detach", "--force", f"{STACK}_app")
            wait_for(lambda: updated("app"), 150, "the app's rolling update completes")
        log(f"rolling update in {time.monotonic() - t0:.0f} s: {len(load.outcomes)} requests "
            f"meanwhile, {len(load.failed())} failed")
        self.assertEqual(load.failed(), [])
        self.assertGreater(len(load.outcomes), 20)
        new = set(app_containers())
        self.assertEqual(len(new), 3)
        self.assertFalse(new & old, "every replica was replaced")
        self.assertTrue(running("app", 3))

    def test_5_a_rotated_tls_pair_rolls_out_node_by_node(self):
        for f in fronts():
            self.assertEqual(f.certificate(), work.cert_der(0))
        work.variables.update(LUME_TLS_DIR=work.tls[1], LUME_TLS_VERSION="2")
        t0 = time.monotonic()
        with front.SteadyLoad(fronts(), failover=True) as load:
            deploy()
            wait_for(lambda: updated("nginx"), 150, "nginx's rolling update completes")
        log(f"TLS pair rotated in {time.monotonic() - t0:.0f} s: {len(load.outcomes)} "
            f"requests meanwhile, {load.failovers} moved to another node, "
            f"{len(load.failed())} failed")
        self.assertEqual(load.failed(), [])
        self.assertGreater(load.failovers, 0, "each node's nginx was replaced in turn")
        for f in fronts():
            wait_for(lambda: self.answers(f), 60, f"{f} answers /health")
            self.assertEqual(f.certificate(), work.cert_der(1), f"{f} presents the new pair")
        # Nothing uses the old pair any more: it can go.
        manager().docker("secret", "rm", "lume_tls_cert_1", "lume_tls_key_1")
        self.assertEqual(tasks("app")[0]["Image"], f"lume-app:{TAG}")
        self.assertTrue(running("app", 3), "the app was not touched")

    def test_6_a_killed_node_s_replica_is_rescheduled(self):
        # The victim: a node with app replicas (updates move them around),
        # the raft leader (the first node) only if no other node has one.
        before = tasks("app")
        held = {n.name: sum(t["Node"] == n.name for t in before) for n in nodes.nodes}
        victim = max(nodes.nodes[1:], key=lambda n: held[n.name])
        if not held[victim.name]:
            victim = nodes.nodes[0]
        survivors = [n for n in nodes.nodes if n is not victim]
        names = {n.name for n in survivors}
        with front.SteadyLoad(fronts(survivors)) as load:
            time.sleep(1)
            killed_at = time.time()
            nodes.kill(victim)
            log(f"killed {victim}, which ran {held[victim.name]} of the 3 app replicas")
            wait_for(settled(lambda: nodes.node_states(manager())[victim.name][0] == "Down"),
                     90, f"{victim} seen down")
            apps = wait_for(settled(lambda: running("app", 3, on=names)), 90,
                            "3 app replicas running on the remaining nodes")
            time.sleep(2)  # and the new replicas in nginx's answers
        failed = load.failed()
        # When, by the swarm's own clock (the nodes share this host's): the
        # node marked down, the replacement tasks created and running (healthy).
        node = json.loads(manager().docker("node", "inspect", victim.name).stdout)[0]
        new = [t for t in apps if t["ID"] not in {b["ID"] for b in before}]
        self.assertEqual(len(new), held[victim.name], "a replacement for each replica lost")
        created, healthy = [], []
        for t in new:
            task = json.loads(manager().docker("inspect", t["ID"]).stdout)[0]
            created.append(since(killed_at, task["CreatedAt"]))
            healthy.append(since(killed_at, task["Status"]["Timestamp"]))
        log(f"{victim} marked down after {since(killed_at, node['UpdatedAt']):.1f} s; its "
            f"replicas rescheduled after {max(created):.1f} s, running (healthy) after "
            f"{max(healthy):.1f} s; {len(load.outcomes)} requests through the other nodes, "
            f"{len(failed)} failed" + "".join(f"\n  {f}: {status} {body[:120]!r}"
                                               for f, status, body in failed))
        self.assertLessEqual(len(failed), KILL_FAILURE_BOUND, failed)
        self.assertGreater(len(load.outcomes), 20)
        self.assertEqual({t["Node"] for t in apps}, names)
        for f in fronts(survivors):
            self.assertEqual(f.request("/resolve/inception", headers=FRESH)[0], 200)

    def test_7_stack_rm_and_the_nodes_removed_leave_nothing(self):
        manager().docker("stack", "rm", STACK)
        wait_for(lambda: not manager().docker("service", "ls", "-q").stdout.split(), 60,
                 "the stack's services gone")
        volumes = nodes.volumes()
        self.assertEqual(len(volumes), len(nodes.nodes), "one /var/lib/docker volume per node")
        nodes.down()
        label = f"label={nodes.label}"
        self.assertEqual(sh("docker", "ps", "-a", "-q", "--filter", label).stdout.split(), [])
        self.assertEqual(sh("docker", "network", "ls", "-q", "--filter", label).stdout.split(), [])
        self.assertFalse([n for n in sh("docker", "network", "ls", "--format",
                                        "{{.Name}}").stdout.split()
                          if n.startswith(nodes.network)])
        # The nodes' volumes (their /var/lib/docker) went with them.
        left = set(sh("docker", "volume", "ls", "-q").stdout.split())
        self.assertFalse(left & set(volumes))
        host.restore_neighbour_tables()
        self.assertEqual(docker_host.read_sysctls(docker_host.NEIGH_SYSCTLS), host.neigh_before)


if __name__ == "__main__":
    sys.exit(unittest.main())
