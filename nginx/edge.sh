#!/bin/sh
# edge.sh: Lume's edge metrics (docs/operations.md). Runs mtail over the edge
# log nginx writes (log_format lume_edge: one line per answer) with the
# program beside this script (edge.mtail), its Prometheus text served on a
# unix socket that nginx proxies at /metrics/edge. No TCP port of its own.
#
# usage: nginx/edge.sh RUN_DIR      (scripts/run.sh, the nginx image's
#                                    entrypoint and the e2e tests start it)
#
#   RUN_DIR/logs/edge.log   the edge log; created empty before mtail starts
#                           (mtail reads a log from where it is at its start)
#   RUN_DIR/edge.sock       mtail's HTTP server (nginx/render.py names both)
#   RUN_DIR/logs/mtail.*    mtail's own log (its warnings and errors: stderr too)
#
# - The log is kept under LUME_EDGE_LOG_MAX bytes (k, m or g; default 8m): once
#   over it, and once mtail has read it to its end (its read position, from
#   /proc), it is truncated; nginx appends (O_APPEND) at the new end and mtail
#   starts again from the top. No rename, no signal to nginx.
# - mtail is restarted, at most once a second, when it ends on its own; its
#   counters then start again from zero (Prometheus's rate() takes resets).
# - TERM, INT or HUP stop mtail and end this script with 0. Its parent's
#   death reaches mtail too when this script is started with a parent-death
#   signal (run.sh: setpriv --pdeathsig), as mtail is here.
# LUME_MTAIL: the mtail binary (default: mtail, Debian's package).
set -eu
run_dir=$(cd "${1:?usage: edge.sh RUN_DIR}" && pwd -P) # as /proc shows mtail's files
here=$(cd "$(dirname "$0")" && pwd)
log=$run_dir/logs/edge.log
sock=$run_dir/edge.sock
mtail=${LUME_MTAIL:-mtail}

max=${LUME_EDGE_LOG_MAX:-8m}
case "$max" in
  *[kK]) max=$((${max%?} * 1024)) ;;
  *[mM]) max=$((${max%?} * 1048576)) ;;
  *[gG]) max=$((${max%?} * 1073741824)) ;;
esac

say() { echo "edge: $*" >&2; }

mkdir -p "$run_dir/logs"
: >>"$log"
pid="" nap=""

start() {
  rm -f "$sock" # this run directory's (run.lock): a dead mtail's
  setpriv --pdeathsig TERM -- "$mtail" --progs "$here/edge.mtail" --logs "$log" \
    --unix_socket "$sock" --emit_prog_label=false \
    --log_dir "$run_dir/logs" --stderrthreshold=WARNING </dev/null &
  pid=$!
}

# shellcheck disable=SC2317,SC2329 # (run by the trap below)
finish() {
  trap '' TERM INT HUP
  [ -n "$nap" ] && kill "$nap" 2>/dev/null
  if [ -n "$pid" ]; then
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -f "$sock"
  exit 0
}
trap finish TERM INT HUP

caught_up() { # mtail's read position in the log is its size
  for fd in /proc/"$pid"/fd/*; do
    [ "$(readlink "$fd" 2>/dev/null)" = "$log" ] || continue
    pos=$(sed -n 's/^pos:[[:space:]]*//p' "/proc/$pid/fdinfo/${fd##*/}" 2>/dev/null)
    [ "$pos" = "$(stat -c %s "$log")" ] && return 0
  done
  return 1
}

nap() { # SECONDS, ended at once by a signal
  sleep "$1" &
  nap=$!
  wait "$nap" || true
  nap=""
}

start
while :; do
  nap 1
  if ! kill -0 "$pid" 2>/dev/null; then
    status=0
    wait "$pid" || status=$?
    say "mtail ended (status $status); starting it again"
    start
    continue
  fi
  [ "$(stat -c %s "$log")" -gt "$max" ] || continue
  tries=0
  while ! caught_up && [ "$tries" -lt 40 ]; do
    tries=$((tries + 1))
    nap 0.05
  done
  [ "$tries" -lt 40 ] || say "mtail is 2 s behind the log; truncating it anyway"
  : >"$log"
done
