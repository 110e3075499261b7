#!/usr/bin/env bash
# audit.sh: `make audit`, a TLS audit of the front as `make run` serves it.
# Starts scripts/run.sh in a throw-away run directory on free loopback ports,
# runs testssl.sh (Debian's testssl.sh) against it, keeps the report in
# tests/audit/results/ (git-ignored) and stops the stack again. Every finding
# rated above INFO must be listed, with its reason, in tests/audit/accepted.txt
# (and explained in docs/security.md); anything else fails the audit.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT="$ROOT/tests/audit/results"
mkdir -p "$OUT"
RUN_DIR=$(mktemp -d /tmp/lume-audit-XXXXXX)
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
HTTPS_PORT=$(port)
HTTP_PORT=$(port)

run_pid=""
cleanup() {
  if [ -n "$run_pid" ] && kill -0 "$run_pid" 2>/dev/null; then
    kill -TERM "$run_pid" 2>/dev/null || true
    for _ in $(seq 1 150); do kill -0 "$run_pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -rf "$RUN_DIR"
}
trap cleanup EXIT

LUME_RUN_DIR="$RUN_DIR" LUME_HTTPS_PORT="$HTTPS_PORT" LUME_HTTP_PORT="$HTTP_PORT" \
  scripts/run.sh >"$OUT/run.log" 2>&1 </dev/null &
run_pid=$!
for _ in $(seq 1 100); do
  curl -sk -o /dev/null --max-time 1 "https://127.0.0.1:$HTTPS_PORT/health" && break
  kill -0 "$run_pid" 2>/dev/null || { cat "$OUT/run.log" >&2; exit 1; }
  sleep 0.1
done

echo "audit: testssl.sh against https://127.0.0.1:$HTTPS_PORT/ (about a minute)"
rm -f "$OUT/testssl.json"
testssl --quiet --color 0 --warnings off --ip one --nodns min --sneaky \
  --jsonfile-pretty "$OUT/testssl.json" "https://127.0.0.1:$HTTPS_PORT/" >"$OUT/testssl.txt" 2>&1 || true

python3 - "$OUT/testssl.json" tests/audit/accepted.txt <<'PY'
import json, sys
report, accepted_file = sys.argv[1], sys.argv[2]
accepted = {}
for line in open(accepted_file):
    line = line.strip()
    if line and not line.startswith("#"):
        ident, _, why = line.partition(" ")
        accepted[ident] = why.strip()
findings = []
for scan in json.load(open(report))["scanResult"]:
    for value in scan.values():
        if isinstance(value, list):
            findings += [f for f in value if isinstance(f, dict) and "severity" in f]
if not findings:
    sys.exit("audit: testssl.sh produced no findings (did it run?)")
bad = 0
for f in findings:
    if f["severity"] in ("OK", "INFO"):
        continue
    why = accepted.get(f["id"])
    mark = "accepted" if why else "NEW"
    bad += why is None
    print(f"  {mark:8} {f['severity']:8} {f['id']}: {f['finding'][:100]}" + (f"  ({why})" if why else ""))
print(f"audit: {len(findings)} checks, {bad} finding(s) not accepted; report in tests/audit/results/")
sys.exit(1 if bad else 0)
PY
