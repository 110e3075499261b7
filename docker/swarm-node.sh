#!/bin/sh
# swarm-node.sh: the entrypoint of the swarm node image
# (docker/swarm-node.Dockerfile): makes the container able to run a dockerd
# of its own, then replaces itself with it. Arguments are added to dockerd's.
#
# The container is started (tests/swarm/swarm_nodes.py does) with
#   --cap-add ALL --cap-drop SYS_RESOURCE   (not --privileged: some VMs' bounding
#                                            set lacks CAP_SYS_RESOURCE, and
#                                            --privileged then fails to start)
#   --security-opt seccomp=unconfined --security-opt apparmor=unconfined
#   --security-opt systempaths=unconfined   (a writable /proc/sys for sysctls)
#   --device-cgroup-rule 'a *:* rwm'
# and a volume on /var/lib/docker. Docker still mounts /sys and the cgroup
# hierarchies read-only for a non-privileged container: remounted read-write
# here (they stay this container's own: its mount and cgroup namespaces).
# /run gets a fresh tmpfs: dockerd and containerd keep their sockets and
# state there, and nothing must survive a restart of the node.
#
# LUME_NODE_SOCKET_DIR (optional): a directory (a bind mount from the host)
# where dockerd also listens, as docker.sock: the host's CLI drives the node
# through it without any TCP port.
set -eu

mount -o remount,rw /sys
if mountpoint -q /sys/fs/cgroup; then
  mount -o remount,rw /sys/fs/cgroup 2>/dev/null || true
fi
for d in /sys/fs/cgroup/*; do
  [ -d "$d" ] && mountpoint -q "$d" || continue
  mount -o remount,rw,bind "$d" 2>/dev/null || mount -o remount,rw "$d"
done
mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /run

set -- --host unix:///run/docker.sock "$@"
if [ -n "${LUME_NODE_SOCKET_DIR:-}" ]; then
  rm -f "$LUME_NODE_SOCKET_DIR/docker.sock"
  set -- --host "unix://$LUME_NODE_SOCKET_DIR/docker.sock" "$@"
fi
exec dockerd "$@"
