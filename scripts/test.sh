#!/usr/bin/env bash
# test.sh [SUITE...]: run Lume's tests and print one closing line,
# "N passed, N failed". Suites: unit (the cmocka binaries in $BUILD/tests),
# fuzz (every libFuzzer target of tests/fuzz/ for FUZZ_TEST_SECONDS, default
# 2, one pass each; built by 'make fuzz-build'), and every directory
# tests/<name>/ holding Python test_*.py files (process, e2e, archive, ...).
# Without arguments, all of them. Exits 1 on any failure.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export BUILD

suites=("$@")
if [ ${#suites[@]} -eq 0 ]; then
  suites=(unit fuzz)
  for d in tests/*/; do
    d=${d%/}; d=${d#tests/}
    ls tests/"$d"/test_*.py >/dev/null 2>&1 && suites+=("$d")
  done
fi

passed=0 failed=0 skipped=0
count_of() { grep -oE "[0-9]+ $1" <<<"$2" | grep -oE '^[0-9]+' | tail -n 1; }
add_counts() { # the last "N passed, N failed[, N skipped]" line of file $1
  local line
  line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
  if [ -z "$line" ]; then failed=$((failed + 1)); return; fi
  passed=$((passed + $(count_of passed "$line")))
  failed=$((failed + $(count_of failed "$line")))
  local s
  s=$(count_of skipped "$line")
  skipped=$((skipped + ${s:-0}))
}

out=$(mktemp)
trap 'rm -f "$out"' EXIT
for suite in "${suites[@]}"; do
  echo "== $suite"
  if [ "$suite" = unit ]; then
    # The binary of each test source (none left from a test moved elsewhere).
    for src in tests/fcgi-app/test_*.c tests/fcgi-app/core/test_*.c tests/providers/test_*.c \
      tests/providers/*/test_*.c; do
      bin=$BUILD/${src%.c}
      [ -x "$bin" ] || continue
      "$bin" >"$out" 2>&1
      rc=$?
      cat "$out"
      p=$(grep -oE '\[  PASSED  \] [0-9]+' "$out" | grep -oE '[0-9]+$' | tail -n 1)
      f=$(grep -oE '\[  FAILED  \] [0-9]+' "$out" | grep -oE '[0-9]+$' | tail -n 1)
      passed=$((passed + ${p:-0}))
      failed=$((failed + ${f:-0}))
      [ $rc -ne 0 ] && [ -z "$f" ] && failed=$((failed + 1))
    done
  elif [ "$suite" = fuzz ]; then
    FUZZ_SECONDS=${FUZZ_TEST_SECONDS:-2} FUZZ_JOBS=${FUZZ_JOBS:-2} scripts/fuzz.sh 2>&1 | tee "$out"
    add_counts "$out"
  else
    python3 tests/runner.py "$suite" 2>&1 | tee "$out"
    add_counts "$out"
  fi
done
echo
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
