#!/usr/bin/env bash
# base-image.sh [--force] [TAG]: make the base image docker/Dockerfile builds
# on (default TAG debian:bookworm-slim) without any image registry: a minimal
# Debian 12 made by debootstrap from this machine's own apt mirror, trimmed
# like Debian's -slim images (no man pages, docs or translations), imported
# with `docker import`. Does nothing when TAG exists, unless --force.
# Needs root, debootstrap and a running dockerd. Used by `make compose-test`;
# also for hosts that cannot pull from a registry (docs/operations.md).
set -euo pipefail

force=0
if [ "${1:-}" = --force ]; then force=1; shift; fi
TAG=${1:-debian:bookworm-slim}
SUITE=bookworm
DOCKER=${DOCKER:-docker}

log() { printf 'base-image: %s\n' "$*" >&2; }

if [ "$force" -eq 0 ] && "$DOCKER" image inspect "$TAG" >/dev/null 2>&1; then
  log "$TAG exists"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  log "debootstrap needs root"
  exit 1
fi

# The first URI this machine's apt sources use for SUITE (and SUITE-security),
# in the one-line format (sources.list) or deb822 (*.sources).
mirror_for() { # SUITE
  local suite=$1 f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -r "$f" ] || continue
    awk -v s="$suite" '$1 == "deb" {
        i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
        if ($(i + 1) == s) { print $i; exit } }' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -r "$f" ] || continue
    awk -v s="$suite" 'BEGIN { RS = ""; FS = "\n" } {
        uri = ""; ok = 0; deb = 0; off = 0
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^Types:.*(^|[ \t])deb([ \t]|$)/) deb = 1
          if ($i ~ /^Enabled:[ \t]*no/) off = 1
          if ($i ~ /^URIs:/) { split($i, u, /[ \t]+/); uri = u[2] }
          if ($i ~ /^Suites:/) { n = split($i, w, /[ \t]+/); for (j = 2; j <= n; j++) if (w[j] == s) ok = 1 }
        }
        if (deb && ok && !off && uri != "") { print uri; exit } }' "$f"
  done
}
MIRROR=$(mirror_for "$SUITE" | head -n 1)
SECURITY=$(mirror_for "$SUITE-security" | head -n 1)
MIRROR=${MIRROR:-http://deb.debian.org/debian}
MIRROR=${MIRROR%/}

ROOTFS=$(mktemp -d /var/tmp/lume-base.XXXXXX)
trap 'rm -rf "$ROOTFS" "$ROOTFS.log"' EXIT
log "debootstrap --variant=minbase $SUITE from $MIRROR (about 30 s)"
if ! debootstrap --variant=minbase "$SUITE" "$ROOTFS" "$MIRROR" >"$ROOTFS.log" 2>&1; then
  tail -n 20 "$ROOTFS.log" >&2
  rm -f "$ROOTFS.log"
  exit 1
fi
rm -f "$ROOTFS.log"

# The apt sources of the image: the same mirrors, with updates and security.
{
  echo "deb $MIRROR $SUITE main"
  echo "deb $MIRROR $SUITE-updates main"
  [ -n "$SECURITY" ] && echo "deb ${SECURITY%/} $SUITE-security main"
} >"$ROOTFS/etc/apt/sources.list"

# Trimmed as Debian's -slim images are: dpkg leaves out documentation and
# translations from now on, and apt keeps neither package files nor lists.
cat >"$ROOTFS/etc/dpkg/dpkg.cfg.d/docker-slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-exclude /usr/share/lintian/*
EOF
cat >"$ROOTFS/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
echo 'Acquire::Languages "none";' >"$ROOTFS/etc/apt/apt.conf.d/docker-no-languages"
find "$ROOTFS/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
find "$ROOTFS/usr/share/doc" -mindepth 1 -type d -empty -delete
rm -rf "$ROOTFS"/usr/share/man/* "$ROOTFS"/usr/share/info/* "$ROOTFS"/usr/share/lintian/*
find "$ROOTFS/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +
rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/cache/apt/*.bin \
  "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/log/* "$ROOTFS"/tmp/* "$ROOTFS"/root/.cache
mkdir -p "$ROOTFS/var/lib/apt/lists/partial"

tar --numeric-owner -C "$ROOTFS" -c . |
  "$DOCKER" import \
    -c 'CMD ["bash"]' \
    -c "LABEL org.opencontainers.image.description=\"Debian $SUITE minbase by debootstrap from $MIRROR (docker/base-image.sh)\"" \
    -m "docker/base-image.sh: debootstrap --variant=minbase $SUITE $MIRROR" \
    - "$TAG" >/dev/null
log "imported $TAG ($("$DOCKER" image inspect -f '{{.Size}}' "$TAG" | awk '{printf "%d MB", $1 / 1e6}'))"
