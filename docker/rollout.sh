#!/usr/bin/env bash
# rollout.sh [COMPOSE OPTION...]: replace every app replica, after a new image
# or new settings, without dropping a request. Run it where you run
# docker-compose (docker/), with the same global options (-p, -f, --env-file).
#
#   1. start as many new replicas as are running (new image and settings);
#      nginx finds them through Docker's DNS within a second;
#   2. wait until every new one is healthy (LUME_ROLLOUT_TIMEOUT, 120 s);
#      if one is not, remove the new ones and keep the old: exit 1;
#   3. stop the old ones gracefully, one at a time (SIGTERM: requests in hand
#      finish; nginx moves a refused or timed-out connection to another
#      replica) and remove them.
#
# `docker-compose up -d` alone recreates every replica at once: a short gap.
# LUME_COMPOSE="docker compose" uses Compose v2.
set -euo pipefail

read -r -a compose <<<"${LUME_COMPOSE:-docker-compose}"
c() { "${compose[@]}" "$@"; }
log() { printf 'rollout: %s\n' "$*" >&2; }
timeout_s=${LUME_ROLLOUT_TIMEOUT:-120}

mapfile -t old < <(c "$@" ps -q app)
n=${#old[@]}
if [ "$n" -eq 0 ]; then
  log "no app replica: start the stack first (docker-compose up -d)"
  exit 1
fi
log "starting $n new replicas next to the $n running"
c "$@" up -d --no-deps --no-recreate --scale "app=$((2 * n))" app

new=()
for id in $(c "$@" ps -q app); do
  case " ${old[*]} " in *" $id "*) ;; *) new+=("$id") ;; esac
done

healthy=0
deadline=$((SECONDS + timeout_s))
while [ "$SECONDS" -lt "$deadline" ]; do
  states=$(docker inspect -f '{{.State.Status}}/{{if .State.Health}}{{.State.Health.Status}}{{end}}' "${new[@]}")
  if ! grep -qv '^running/healthy$' <<<"$states"; then
    healthy=1
    break
  fi
  if grep -q -e '^exited' -e '/unhealthy$' <<<"$states"; then
    break
  fi
  sleep 1
done
if [ "$healthy" -ne 1 ]; then
  log "the new replicas are not healthy; removing them, the old ones keep serving:"
  docker inspect -f '  {{.Name}} {{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}}' "${new[@]}" >&2
  docker stop -t 15 "${new[@]}" >/dev/null
  docker rm "${new[@]}" >/dev/null
  exit 1
fi
log "${#new[@]} new replicas healthy; stopping the $n old ones, one at a time"
# One at a time, 2 s apart (nginx keeps DNS answers 1 s): at most one gone
# address in nginx's answer, so a request that meets it (a 2 s connect
# timeout) still has time to move to a live replica.
for i in "${!old[@]}"; do
  [ "$i" -gt 0 ] && sleep 2
  docker stop -t 15 "${old[$i]}" >/dev/null
  docker rm "${old[$i]}" >/dev/null
done
log "done: $(c "$@" ps -q app | wc -l) replicas, all new"
