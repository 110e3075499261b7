# docker/swarm-node.Dockerfile: a Docker-in-Docker node for the three-node
# swarm of `make swarm-test` (tests/swarm/), and for trying docker/stack.yaml
# on one machine. Debian's docker.io on the same Debian 12 base as Lume's
# images (docker/base-image.sh makes it where no registry is reachable):
#
#   docker build -f docker/swarm-node.Dockerfile -t lume-swarm-node .
#
# Not a production image: a node container needs most capabilities and no
# seccomp or AppArmor profile (docker/swarm-node.sh says which and why).
ARG BASE=debian:bookworm-slim
FROM ${BASE}
ARG DEBIAN_FRONTEND=noninteractive
# docker.io brings containerd, runc, tini and iptables; iproute2 for `ip`,
# which the overlay driver's troubleshooting (and ours) needs.
RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends docker.io iproute2 \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/log/apt /var/log/dpkg.log
COPY docker/swarm-node.sh /usr/local/bin/lume-swarm-node
RUN chmod 0755 /usr/local/bin/lume-swarm-node
LABEL org.lume.image=swarm-node
# Images, containers and volumes of the node: a volume, never the container's
# own overlay filesystem (overlay2 does not stack on overlay).
VOLUME /var/lib/docker
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/lume-swarm-node"]
