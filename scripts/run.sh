#!/usr/bin/env bash
# run.sh: start Lume in the foreground, nginx in front of the lume-fcgi master.
# Called by `make run` after deps and build. Everything written goes to the
# run directory (LUME_RUN_DIR, default run/, git-ignored): the dev certificate,
# the rendered nginx.conf, the unix socket, pid, temp files and logs.
# Every LUME_* variable is honoured (docs/configuration.md). Ctrl-C or SIGTERM
# stops nginx and the master and waits for them: no process is left behind.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD=${BUILD:-build}
BIN="$ROOT/$BUILD/lume-fcgi"
NGINX=${LUME_NGINX:-nginx}

log() { printf 'run: %s\n' "$*" >&2; }

setting() { # NAME DEFAULT: the environment, then the LUME_CONFIG file, then DEFAULT
  local value
  value=$(python3 nginx/render.py --get "$1") || exit 2
  printf '%s' "${value:-$2}"
}

RUN_DIR=$(setting LUME_RUN_DIR "$ROOT/run")
mkdir -p "$RUN_DIR/tls" "$RUN_DIR/logs" "$RUN_DIR/tmp"
RUN_DIR=$(cd "$RUN_DIR" && pwd)
export LUME_RUN_DIR="$RUN_DIR"
# The app and nginx must agree on the socket: one value for both.
LUME_LISTEN=$(setting LUME_LISTEN "unix:$RUN_DIR/lume.sock")
export LUME_LISTEN
# The socket is 0660 (LUME_SOCKET_MODE): give it the group nginx's workers run
# as, when nginx starts as root and drops to LUME_NGINX_USER.
if [ -z "$(setting LUME_SOCKET_GROUP "")" ]; then
  LUME_SOCKET_GROUP=$(python3 nginx/render.py --worker-group) || exit 2
  export LUME_SOCKET_GROUP
fi
HTTPS_PORT=$(setting LUME_HTTPS_PORT 8443)

if [ ! -x "$BIN" ]; then
  log "$BIN is missing: run 'make' first"
  exit 1
fi

# A self-signed development certificate for localhost, made once.
if [ -z "$(setting LUME_TLS_CERT "")" ] && [ -z "$(setting LUME_TLS_KEY "")" ]; then
  export LUME_TLS_CERT="$RUN_DIR/tls/cert.pem" LUME_TLS_KEY="$RUN_DIR/tls/key.pem"
  if [ ! -s "$LUME_TLS_CERT" ] || [ ! -s "$LUME_TLS_KEY" ]; then
    log "creating a self-signed development certificate in $RUN_DIR/tls"
    (
      umask 077
      openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 825 \
        -subj "/CN=localhost" \
        -addext "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1,IP:10.0.2.2" \
        -addext "keyUsage=critical,digitalSignature" \
        -addext "extendedKeyUsage=serverAuth" \
        -keyout "$LUME_TLS_KEY.tmp" -out "$LUME_TLS_CERT.tmp" 2>/dev/null
    )
    mv "$LUME_TLS_KEY.tmp" "$LUME_TLS_KEY"
    mv "$LUME_TLS_CERT.tmp" "$LUME_TLS_CERT"
  fi
fi

CONF=$(python3 nginx/render.py --check)

master_pid="" nginx_pid=""
stopping=0
stop() {
  [ "$stopping" -eq 1 ] && return
  stopping=1
  trap '' INT TERM
  log "stopping"
  # nginx first (finishes the requests in hand), then the master.
  if [ -n "$nginx_pid" ]; then kill -QUIT "$nginx_pid" 2>/dev/null || true; fi
  if [ -n "$master_pid" ]; then kill -TERM "$master_pid" 2>/dev/null || true; fi
  for _ in $(seq 1 150); do
    alive=0
    for pid in $nginx_pid $master_pid; do
      kill -0 "$pid" 2>/dev/null && alive=1
    done
    [ "$alive" -eq 0 ] && break
    sleep 0.1
  done
  for pid in $nginx_pid $master_pid; do
    if kill -0 "$pid" 2>/dev/null; then
      log "process $pid did not stop in 15 s: killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  wait 2>/dev/null || true
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap 'stop' EXIT

# Each in its own process group (job control): a Ctrl-C in the terminal
# reaches only this script, which then stops both once, gracefully (the
# master takes a second signal as "kill the workers now").
set -m
"$BIN" </dev/null &
master_pid=$!
"$NGINX" -p "$RUN_DIR" -e stderr -c "$CONF" -g 'daemon off;' </dev/null &
nginx_pid=$!
set +m

url="https://localhost:$HTTPS_PORT/"
ready=0
for _ in $(seq 1 100); do
  if ! kill -0 "$master_pid" 2>/dev/null || ! kill -0 "$nginx_pid" 2>/dev/null; then
    break
  fi
  if curl -sk -o /dev/null --max-time 1 "https://127.0.0.1:$HTTPS_PORT/health"; then
    ready=1
    break
  fi
  sleep 0.1
done
if [ "$ready" -eq 1 ]; then
  log "Lume is up: $url  (provider $(setting LUME_PROVIDER mock); logs in $RUN_DIR/logs; Ctrl-C stops)"
  log "try: curl -k ${url}resolve/inception"
else
  log "Lume did not come up; see the messages above and $RUN_DIR/logs/error.log"
fi

# Run until either process ends (or a signal arrives), then stop the other.
status=0
wait -n "$master_pid" "$nginx_pid" || status=$?
if [ "$stopping" -eq 0 ]; then
  log "a process exited (status $status)"
  stop
  exit $((status == 0 ? 1 : status))
fi
