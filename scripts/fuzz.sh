#!/usr/bin/env bash
# fuzz.sh [TARGET...]: run the libFuzzer targets (tests/fuzz/fuzz_NAME.c, built
# by 'make fuzz-build' into build-fuzz/) for FUZZ_SECONDS each (default 60),
# FUZZ_JOBS at a time (default 1), at low priority. Each starts from its seeds
# (tests/fuzz/NAME/, the crash inputs found earlier among them) and its
# working corpus (build-fuzz/corpus/NAME/, where the new inputs it finds go;
# not in git). tests/fuzz/NAME.options adds flags (-max_len, -dict). A crash
# or broken invariant is saved as build-fuzz/crashes/NAME-crash-*: fix the
# code, add a unit test, and copy the input into tests/fuzz/NAME/.
# Without arguments, every target. Prints one line per target, then
# "N passed, N failed"; exits 1 on any failure.
set -u
cd "$(dirname "$0")/.."
FUZZ_BUILD=${FUZZ_BUILD:-build-fuzz}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_JOBS=${FUZZ_JOBS:-1}

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in tests/fuzz/fuzz_*.c; do
    n=${f##*/fuzz_}
    targets+=("${n%.c}")
  done
fi

# Run target $1; its verdict goes to $FUZZ_BUILD/fuzz_$1.result.
run_one() {
  local t=$1 bin=$FUZZ_BUILD/fuzz_$1 log=$FUZZ_BUILD/fuzz_$1.log res=$FUZZ_BUILD/fuzz_$1.result
  local opts extra runs
  if [ ! -x "$bin" ]; then
    echo "FAILED: $bin is not built (make fuzz-build)" >"$res"
    return
  fi
  mkdir -p "$FUZZ_BUILD/corpus/$t"
  opts=(-max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$FUZZ_BUILD/crashes/$t-")
  if [ -f "tests/fuzz/$t.options" ]; then
    read -r -a extra <"tests/fuzz/$t.options"
    opts+=("${extra[@]}")
  fi
  if nice -n 10 "$bin" "${opts[@]}" "$FUZZ_BUILD/corpus/$t" "tests/fuzz/$t" >"$log" 2>&1; then
    runs=$(grep -oE 'number_of_executed_units: [0-9]+' "$log" | grep -oE '[0-9]+$' | tail -n 1)
    echo "ok, ${runs:-?} inputs in ${FUZZ_SECONDS}s" >"$res"
  else
    { echo "FAILED (log: $log)"
      grep -E 'fuzz invariant failed|ERROR: |SUMMARY|Test unit written' "$log" | head -n 8
    } >"$res"
  fi
}

mkdir -p "$FUZZ_BUILD/crashes"
for t in "${targets[@]}"; do
  rm -f "$FUZZ_BUILD/fuzz_$t.result"
  run_one "$t" &
  while [ "$(jobs -rp | wc -l)" -ge "$FUZZ_JOBS" ]; do
    wait -n
  done
done
wait

passed=0 failed=0
for t in "${targets[@]}"; do
  res=$FUZZ_BUILD/fuzz_$t.result
  [ -f "$res" ] || echo "FAILED: no verdict" >"$res"
  echo "fuzz $t: $(cat "$res")"
  if head -n 1 "$res" | grep -q '^ok'; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
