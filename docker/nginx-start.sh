#!/bin/sh
# nginx-start.sh: the nginx image's entrypoint. Renders Lume's nginx
# configuration from the LUME_* variables (nginx/render.py, the same step as
# `make run`) into the run directory, checks it (nginx -t), then replaces
# itself with nginx in the foreground, as PID 1. Unless LUME_EDGE_METRICS=off,
# it first starts nginx/edge.py (mtail counting nginx's answers, served by
# nginx at /metrics/edge) in the background: a child of nginx once this script
# is nginx, restarting mtail if it ends, and gone with the container (PID 1).
#
# Reload without downtime after changing a certificate, a setting, or a file
# of your own in $LUME_RUN_DIR/conf.d (docs/operations.md):
#   docker-compose exec nginx lume-nginx-start reload
# (re-renders, checks, then `nginx -s reload`: old workers finish their requests).
set -eu
run_dir=${LUME_RUN_DIR:-/run/lume}
for f in "${LUME_TLS_CERT:-}" "${LUME_TLS_KEY:-}"; do
  if [ -n "$f" ] && [ ! -r "$f" ]; then
    echo "lume-nginx-start: cannot read $f as uid $(id -u) gid $(id -g): mount the TLS" \
      "directory and make the files readable by that uid or gid (docs/operations.md)" >&2
    exit 1
  fi
done
if [ "${1:-}" = reload ]; then
  conf=$(python3 /opt/lume/nginx/render.py --check)
  exec nginx -p "$run_dir" -e stderr -c "$conf" -s reload
fi
# Not on a reload: the running nginx may still write the old generation's entries.
conf=$(python3 /opt/lume/nginx/render.py --check --prune-cache)
if [ "$(python3 /opt/lume/nginx/render.py --get LUME_EDGE_METRICS)" != off ]; then
  /opt/lume/nginx/edge.py "$run_dir" </dev/null &
  # mtail reads the edge log from where it is when it starts: let it start first.
  i=0
  while [ ! -S "$run_dir/edge.sock" ] && [ "$i" -lt 50 ]; do
    sleep 0.1
    i=$((i + 1))
  done
fi
exec nginx -p "$run_dir" -e stderr -c "$conf" -g 'daemon off;'
