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
# - The log is kept under LUME_EDGE_LOG_MAX bytes on disk (k, m or g; default
#   8m) without losing a line: once over it, what mtail has already read (up
#   to its read position, from /proc) is punched out of the file (fallocate
#   --punch-hole): its blocks are freed, nginx goes on appending and mtail
#   reading where they were. The file's apparent size keeps growing (ls shows
#   it, du shows what it holds). On a filesystem without holes it is
#   truncated instead, once mtail has read it all; a line nginx writes in the
#   instant between that check and the truncation is then not counted.
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

position() { # mtail's read position in the log (nothing when it has no such file open)
  for fd in /proc/"$pid"/fd/*; do
    [ "$(readlink "$fd" 2>/dev/null)" = "$log" ] || continue
    sed -n 's/^pos:[[:space:]]*//p' "/proc/$pid/fdinfo/${fd##*/}" 2>/dev/null
    return 0
  done
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
  [ $(($(stat -c '%b * %B' "$log"))) -gt "$max" ] || continue # bytes on disk
  read_to=$(position)
  case "$read_to" in "" | 0) continue ;; esac
  fallocate --punch-hole --offset 0 --length "$read_to" "$log" 2>/dev/null && continue
  tries=0
  until [ "$(position)" = "$(stat -c %s "$log")" ] || [ "$tries" -ge 300 ]; do
    tries=$((tries + 1))
    nap 0.01
  done
  [ "$tries" -lt 300 ] || say "mtail is behind the log for 3 s; truncating it anyway (lines lost)"
  : >"$log" # right after the check: only a line written in between is not counted
done
