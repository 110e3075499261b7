#!/usr/bin/env bash
# run.sh: start Lume in the foreground, nginx in front of the lume-fcgi master.
# Called by `make run` after deps and build. Everything written goes to the
# run directory (LUME_RUN_DIR, default run/, git-ignored): the dev certificate,
# the library's index (library.db) and media links' secret (library.secret),
# the Stremio addon's token (stremio.token),
# nginx's configuration as nginx/render.py installs it (nginx.conf, snippets/,
# generated/; conf.d/ is the operator's), the unix socket, run.lock and
# run.pid, nginx.pid, temp files and logs. Every LUME_* variable is honoured
# (docs/configuration.md).
#
# - One instance per run directory. run.lock is held (flock) for the life of
#   this script; a second start in the same directory, or one whose ports or
#   socket something already listens on, exits 1 with one line naming the
#   holder (pid and command) before it writes anything else.
# - "Lume is up" is printed only once GET /health through nginx answered.
# - Ctrl-C, SIGTERM or SIGHUP stop nginx and the master gracefully, wait for
#   them, and exit 0 with one line. nginx and the master run in process groups
#   of their own, so a Ctrl-C in the terminal reaches only this script, which
#   asks each once (the master takes a second signal as "kill the workers now",
#   a terminal's SIGHUP as "reload").
# - Whatever ends this script, SIGKILL of it or of its whole process group
#   included, ends them too: nginx runs with a parent-death signal (setpriv
#   --pdeathsig TERM), the master with --die-with-parent on.
# - With LUME_EDGE_METRICS on (the default), nginx/edge.py (mtail counting
#   nginx's answers, served at /metrics/edge) starts before nginx, once it
#   answers on its socket, and is tied and stopped the same way.
# Exit status: 0 after a clean stop; 1 when it cannot start, does not come up,
# or nginx or the master ends on its own; 2 for a bad setting.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD=${BUILD:-build}
export BUILD # nginx/render.py asks $BUILD/lume-fcgi --dump-contract for the app's errors
BIN="$ROOT/$BUILD/lume-fcgi"
NGINX=${LUME_NGINX:-nginx}

log() { printf 'run: %s\n' "$*" >&2; }

setting() { # NAME DEFAULT: the environment, then the LUME_CONFIG file, then DEFAULT
  local value
  value=$(python3 nginx/render.py --get "$1") || exit 2
  printf '%s' "${value:-$2}"
}

app_setting() { # NAME: the value the app runs with (lume-fcgi --dump-config), its default included
  python3 nginx/render.py --app "$1" || exit 2
}

command_of() { # PID: its command line, as ps would show it
  local cmd
  cmd=$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null) || true
  printf '%s' "${cmd% }"
}

if [ ! -x "$BIN" ]; then
  log "$BIN is missing: run 'make' first"
  exit 1
fi

RUN_DIR=$(setting LUME_RUN_DIR "$ROOT/run")
mkdir -p "$RUN_DIR"
RUN_DIR=$(cd "$RUN_DIR" && pwd)
export LUME_RUN_DIR="$RUN_DIR"
# The app and nginx must agree on the socket: one value for both.
LUME_LISTEN=$(setting LUME_LISTEN "unix:$RUN_DIR/lume.sock")
export LUME_LISTEN
# The health responder's socket, next to it: nginx sends /health there.
LUME_HEALTH_LISTEN=$(setting LUME_HEALTH_LISTEN "unix:$RUN_DIR/health.sock")
export LUME_HEALTH_LISTEN
# The socket is 0660 (LUME_SOCKET_MODE): give it the group nginx's workers run
# as, when nginx starts as root and drops to LUME_NGINX_USER.
if [ -z "$(setting LUME_SOCKET_GROUP "")" ]; then
  LUME_SOCKET_GROUP=$(python3 nginx/render.py --worker-group) || exit 2
  export LUME_SOCKET_GROUP
fi
EDGE=$(setting LUME_EDGE_METRICS on)
MTAIL=${LUME_MTAIL:-mtail}
if [ "$EDGE" = on ] && ! command -v "$MTAIL" >/dev/null; then
  log "$MTAIL is missing: the edge metrics need it (apt-get install mtail, or make deps; or LUME_EDGE_METRICS=off)"
  exit 1
fi
HTTPS_PORT=$(setting LUME_HTTPS_PORT 8443)
HTTP_PORT=$(setting LUME_HTTP_PORT 8080)
BIND=$(setting LUME_BIND "")

# --- Check first, before touching anything of a running instance. ---
exec {lock_fd}>>"$RUN_DIR/run.lock"
if ! flock -n "$lock_fd"; then
  holder=$(cat "$RUN_DIR/run.pid" 2>/dev/null || true)
  if [[ "$holder" =~ ^[0-9]+$ ]] && [ -n "$(command_of "$holder")" ]; then
    who="pid $holder: $(command_of "$holder")"
  else
    who="pid unknown"
  fi
  log "Lume is already running in $RUN_DIR ($who); stop it first, or give this one its own LUME_RUN_DIR and ports"
  exit 1
fi
checks=(--tcp "LUME_HTTPS_PORT=$BIND:$HTTPS_PORT")
[ "$HTTP_PORT" != 0 ] && checks+=(--tcp "LUME_HTTP_PORT=$BIND:$HTTP_PORT")
case "$LUME_LISTEN" in
  unix:*) checks+=(--unix "LUME_LISTEN=${LUME_LISTEN#unix:}") ;;
  *) checks+=(--tcp "LUME_LISTEN=$LUME_LISTEN") ;;
esac
case "$LUME_HEALTH_LISTEN" in
  unix:*) checks+=(--unix "LUME_HEALTH_LISTEN=${LUME_HEALTH_LISTEN#unix:}") ;;
  ?*) checks+=(--tcp "LUME_HEALTH_LISTEN=$LUME_HEALTH_LISTEN") ;;
esac
if ! in_use=$(python3 scripts/inuse.py "${checks[@]}"); then
  log "cannot start: ${in_use:-scripts/inuse.py failed}"
  exit 1
fi
echo "$$" >"$RUN_DIR/run.pid"

master_pid="" nginx_pid="" edge_pid=""
stopping=0 unclean=""
# How long a stop may take, in tenths of a second: the master's budget + 5 s.
stop_budget=$(app_setting LUME_SHUTDOWN_TIMEOUT_MS)
[[ "$stop_budget" =~ ^[0-9]{1,7}$ ]] || stop_budget=10000
stop_budget=$((stop_budget / 100 + 50))
declare -A status_of=()

name_of() { # PID: which of ours it is
  case "$1" in
    "$nginx_pid") echo nginx ;;
    "$edge_pid") echo "the edge metrics (nginx/edge.py, mtail)" ;;
    *) echo lume-fcgi ;;
  esac
}

stop() { # ask each once, wait, kill what outlives the budget; sets unclean
  [ "$stopping" -eq 1 ] && return 0
  stopping=1
  trap '' INT TERM HUP
  # nginx first (QUIT: finish the requests in hand), then the master.
  if [ -n "$nginx_pid" ]; then kill -QUIT "$nginx_pid" 2>/dev/null || true; fi
  if [ -n "$master_pid" ]; then kill -TERM "$master_pid" 2>/dev/null || true; fi
  if [ -n "$edge_pid" ]; then kill -TERM "$edge_pid" 2>/dev/null || true; fi
  local pid name
  for ((i = 0; i < stop_budget; i++)); do
    alive=0
    for pid in $nginx_pid $master_pid $edge_pid; do
      kill -0 "$pid" 2>/dev/null && alive=1
    done
    [ "$alive" -eq 0 ] && break
    sleep 0.1
  done
  for pid in $nginx_pid $master_pid $edge_pid; do
    name=$(name_of "$pid")
    if kill -0 "$pid" 2>/dev/null; then
      kill -KILL "$pid" 2>/dev/null || true
      unclean+="; $name (pid $pid) did not stop in $((stop_budget / 10)) s and was killed"
    fi
    if [ -z "${status_of[$pid]:-}" ]; then
      status_of[$pid]=0
      wait "$pid" 2>/dev/null || status_of[$pid]=$?
    fi
    if [ "${status_of[$pid]}" -ne 0 ] && [[ "$unclean" != *"pid $pid)"* ]]; then
      unclean+="; $name exited with status ${status_of[$pid]}"
    fi
  done
}

# shellcheck disable=SC2317 # (called from the traps below)
finish() { # SIGNAL: a stop asked for from outside
  [ "$stopping" -eq 1 ] && return 0 # a second signal (make forwards its SIGTERM too)
  stop
  if [ -z "$master_pid" ]; then
    log "stopped on $1 before anything was started"
    exit 0
  fi
  if [ -z "$unclean" ]; then
    log "stopped on $1: nginx and lume-fcgi exited cleanly"
    exit 0
  fi
  log "stopped on $1, not cleanly${unclean}"
  exit 1
}

trap 'finish SIGINT' INT
trap 'finish SIGTERM' TERM
trap 'finish SIGHUP' HUP
# shellcheck disable=SC2317
on_exit() { # STATUS: whatever the way out, nothing is left running
  stop
  rm -f "$RUN_DIR/run.pid"
  exit "$1"
}
trap 'on_exit $?' EXIT

mkdir -p "$RUN_DIR/tls" "$RUN_DIR/logs" "$RUN_DIR/tmp"

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

# The library provider's index and link secret (docs/providers.md): kept in
# the run directory unless set; the secret made once, like the certificate.
if [ -z "$(setting LUME_LIBRARY_INDEX "")" ]; then
  export LUME_LIBRARY_INDEX="$RUN_DIR/library.db"
fi
if [ -z "$(setting LUME_LIBRARY_PUBLIC_URL "")" ]; then
  export LUME_LIBRARY_PUBLIC_URL="https://localhost:$HTTPS_PORT/media"
fi
if [ -z "$(setting LUME_LIBRARY_SECRET "")" ] && [ -z "$(setting LUME_LIBRARY_SECRET_FILE "")" ]; then
  export LUME_LIBRARY_SECRET_FILE="$RUN_DIR/library.secret"
  if [ ! -s "$LUME_LIBRARY_SECRET_FILE" ]; then
    log "creating the media links' secret in $LUME_LIBRARY_SECRET_FILE"
    (umask 077; openssl rand -hex 32 > "$LUME_LIBRARY_SECRET_FILE.tmp")
    mv "$LUME_LIBRARY_SECRET_FILE.tmp" "$LUME_LIBRARY_SECRET_FILE"
  fi
fi

# The Stremio addon's secret path segment (docs/stremio.md): made once too.
if [ -z "$(setting LUME_STREMIO_TOKEN "")" ] && [ -z "$(setting LUME_STREMIO_TOKEN_FILE "")" ]; then
  export LUME_STREMIO_TOKEN_FILE="$RUN_DIR/stremio.token"
  if [ ! -s "$LUME_STREMIO_TOKEN_FILE" ]; then
    log "creating the Stremio addon's token in $LUME_STREMIO_TOKEN_FILE"
    (umask 077; openssl rand -hex 24 > "$LUME_STREMIO_TOKEN_FILE.tmp")
    mv "$LUME_STREMIO_TOKEN_FILE.tmp" "$LUME_STREMIO_TOKEN_FILE"
  fi
fi

CONF=$(python3 nginx/render.py --check --prune-cache)

# Each in a process group of its own (job control; see the top), without the
# lock (they must not keep this run directory locked), and tied to this
# script's life.
set -m
"$BIN" --die-with-parent on </dev/null {lock_fd}>&- &
master_pid=$!
if [ "$EDGE" = on ]; then
  # mtail reads the edge log from where it is when it starts: up before nginx.
  setpriv --pdeathsig TERM -- nginx/edge.py "$RUN_DIR" </dev/null {lock_fd}>&- &
  edge_pid=$!
  for ((i = 0; i < 100; i++)); do # 10 s
    curl -fsS --max-time 2 --unix-socket "$RUN_DIR/edge.sock" -o /dev/null http://edge/metrics \
      2>/dev/null && break
    if ! kill -0 "$edge_pid" 2>/dev/null || [ "$i" -eq 99 ]; then
      log "the edge metrics (nginx/edge.py, mtail) did not answer on $RUN_DIR/edge.sock within 10 s; see $RUN_DIR/logs/mtail.*"
      stop
      exit 1
    fi
    sleep 0.1
  done
fi
setpriv --pdeathsig TERM -- "$NGINX" -p "$RUN_DIR" -e stderr -c "$CONF" -g 'daemon off;' \
  </dev/null {lock_fd}>&- &
nginx_pid=$!
set +m

# Up means: a request through nginx to /health was answered by a worker.
case "$BIND" in
  "" | "*" | 0.0.0.0) host=127.0.0.1 ;;
  "::" | "[::]") host="[::1]" ;;
  *:*) host=${BIND#[} && host="[${host%]}]" ;;
  *) host=$BIND ;;
esac
ended="" status=0
for ((i = 0; i < 300; i++)); do # 30 s
  for pid in $master_pid $nginx_pid $edge_pid; do
    if ! kill -0 "$pid" 2>/dev/null; then ended=$pid; fi
  done
  [ -n "$ended" ] && break
  if body=$(curl -fsSk --max-time 2 "https://$host:$HTTPS_PORT/health" 2>/dev/null) &&
    [[ "$body" == *'"status":"healthy"'* ]]; then
    break
  fi
  body=""
  sleep 0.1
done
if [ -z "$body" ]; then
  if [ -n "$ended" ]; then
    wait "$ended" 2>/dev/null || status=$?
    status_of[$ended]=$status
    log "$(name_of "$ended") exited with status $status before Lume was up; see the messages above and $RUN_DIR/logs/error.log"
  else
    log "no answer from https://$host:$HTTPS_PORT/health within 30 s; see $RUN_DIR/logs/error.log"
  fi
  stop
  exit 1
fi
url="https://localhost:$HTTPS_PORT/"
log "Lume is up: $url  (provider $(app_setting LUME_PROVIDER); logs in $RUN_DIR/logs; Ctrl-C stops)"
if [ -n "${LUME_STREMIO_TOKEN_FILE:-}" ] && [ -s "$LUME_STREMIO_TOKEN_FILE" ]; then
  log "Stremio addon: ${url}stremio/$(head -n 1 "$LUME_STREMIO_TOKEN_FILE")/manifest.json (docs/stremio.md)"
fi
log "try: curl -k ${url}resolve/inception"

# Run until one ends on its own (a signal runs finish instead), then stop the others.
# shellcheck disable=SC2086 # (edge_pid: empty or one pid)
wait -n -p ended "$master_pid" "$nginx_pid" $edge_pid || status=$?
status_of[$ended]=$status
log "$(name_of "$ended") exited on its own (status $status); stopping"
stop
exit 1
