#!/usr/bin/env bash
# deps.sh: install the Debian packages Lume needs that are missing.
# Runs 'apt-get update' first (a fresh machine has no package lists), and
# installs nothing when everything is there. As non-root it prints the command.
set -euo pipefail

PACKAGES=(
  gcc make pkg-config                       # build
  libfcgi-dev libjansson-dev libcurl4-openssl-dev libpcre2-dev   # libraries
  libsqlite3-dev libavformat-dev libavcodec-dev libavutil-dev    # the library provider: index, probe
  libssl-dev                                # the library's signed links: MD5 (OpenSSL's libcrypto)
  libcmocka-dev libfcgi-bin python3         # tests
  ffmpeg                                    # tests: the library provider's media, made at set-up
  wrk                                       # load for tests/chaos
  clang-14 libclang-rt-14-dev               # fuzzing: clang's libFuzzer and sanitizers
  nginx openssl curl ca-certificates        # the HTTPS front and its certificate
  util-linux                                # flock and setpriv for run.sh (essential: always there)
  libnginx-mod-stream                       # nginx stream module: LUME_CONN_PER_ADDR_MAX
  mtail                                     # the edge metrics: nginx's access log counted (docs/operations.md)
  prometheus                                # promtool and a server scraping /metrics (tests/e2e)
  python3-yaml python3-jsonschema           # docs/openapi.yaml: the /docs site, answers checked against it
  python3-websocket chromium                # tests/docs: the /docs page in a headless browser (DevTools protocol)
  default-jdk-headless libokhttp-java       # the Android app's HTTP client and its cache (tests/e2e)
  libgoogle-gson-java                       # the app's JSON mapper, made strict (tests/e2e/okhttp)
)
# npm and Node.js (make docs: the linter and Redoc from the npm registry), unless
# the machine has them already (NodeSource's nodejs carries its own npm).
command -v npm >/dev/null 2>&1 || PACKAGES+=(nodejs npm)
PACKAGES+=(${LUME_EXTRA_PACKAGES:-})
# LUME_DEPS_SKIP: packages a build does not need (the Docker build stage: no browser).
for skip in ${LUME_DEPS_SKIP:-}; do
  for i in "${!PACKAGES[@]}"; do
    [ "${PACKAGES[$i]}" = "$skip" ] && unset 'PACKAGES[$i]'
  done
done

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all packages are installed"
  exit 0
fi
echo "deps: missing: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "deps: run as root: sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# Packages that ship a service (nginx, prometheus) must not start it: the
# tests start what they need on free loopback ports. A policy-rc.d that
# refuses every start (exit 101) does that, unless the machine has its own.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
# Slim images (debian:bookworm-slim, the Docker build) have no man pages
# directory, and the JDK's post-install script fails to link one there.
mkdir -p /usr/share/man/man1
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
