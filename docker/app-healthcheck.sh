#!/bin/sh
# app-healthcheck.sh: the app image's HEALTHCHECK. Sends one real FastCGI
# request, GET /health, with libfcgi's cgi-fcgi to the listener nginx uses for
# it (LUME_HEALTH_LISTEN, the health responder's, else LUME_LISTEN; a wildcard
# host is asked on 127.0.0.1) and succeeds only on a "Status: 200" answer whose
# body says healthy. Prints the answer's first line.
set -u
listen=${LUME_HEALTH_LISTEN:-${LUME_LISTEN:-127.0.0.1:9000}}
case $listen in
  unix:*) target=${listen#unix:} ;;
  *)
    host=${listen%:*} port=${listen##*:}
    case $host in 0.0.0.0 | "*" | "" | "[::]" | "::") host=127.0.0.1 ;; esac
    target=$host:$port
    ;;
esac
# cgi-fcgi sends its whole environment as FastCGI parameters: only these.
answer=$(env -i REQUEST_METHOD=GET REQUEST_URI=/health SCRIPT_NAME=/health QUERY_STRING= \
  SERVER_PROTOCOL=HTTP/1.1 REQUEST_ID=healthcheck \
  timeout 3 cgi-fcgi -bind -connect "$target" 2>&1)
status=$?
first=$(printf '%s\n' "$answer" | head -n 1 | tr -d '\r')
echo "${first:-no answer from $target (exit $status)}"
case $answer in
  "Status: 200"*'"status":"healthy"'* | "Status: 200"*'"status": "healthy"'*) exit 0 ;;
esac
exit 1
