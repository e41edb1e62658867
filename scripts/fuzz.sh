#!/usr/bin/env bash
# Builds the libFuzzer targets with clang + ASan/UBSan and runs each for a
# while, one after another (or the ones named). Findings are left in
# fuzz/crash-* etc.; new interesting inputs go to fuzz/corpus-NAME/ (ignored).
#   bash scripts/fuzz.sh [--seconds N] [--jobs J] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=600 jobs=1
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2;;
    --jobs) jobs=$2; shift 2;;
    *) break;;
  esac
done
CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTKA_FUZZ=ON -DTKA_TESTS=OFF \
  -DTKA_SANITIZE=ON >/dev/null
cmake --build build-fuzz -j 2 >/dev/null
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in fuzz/fuzz_*.c; do targets+=("$(basename "$f" .c)"); done
fi
export TKA_SHARED=${TKA_SHARED:-$(cd .. && pwd)/shared}
findings=0
for t in "${targets[@]}"; do
  corpus=fuzz/corpus-$t
  mkdir -p "$corpus"
  seeds=()
  [ -d "fuzz/seeds/$t" ] && seeds=("fuzz/seeds/$t")
  dict=()
  [ -f "fuzz/$t.dict" ] && dict=("-dict=fuzz/$t.dict")
  echo "fuzz: $t for ${seconds}s"
  log=fuzz/$t.log
  start=$(date +%s)
  parallel=()
  [ "$jobs" -gt 1 ] && parallel=(-jobs="$jobs" -workers="$jobs")
  status=0
  ./build-fuzz/fuzz/"$t" "$corpus" "${seeds[@]}" "${dict[@]}" -max_total_time="$seconds" \
    "${parallel[@]}" -artifact_prefix=fuzz/ -print_final_stats=1 > "$log" 2>&1 || status=$?
  grep -E "^(Done [0-9]+ runs|stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==ERROR|SUMMARY)" "$log" | tail -5 || true
  echo "fuzz: $t ran $(( $(date +%s) - start ))s, exit $status, corpus $(ls "$corpus" | wc -l) inputs (log: $log)"
  [ $status -eq 0 ] || findings=1
done
if [ $findings -ne 0 ] || ls fuzz/crash-* fuzz/leak-* fuzz/timeout-* fuzz/oom-* >/dev/null 2>&1; then
  echo "fuzz: FINDINGS (see the logs and fuzz/crash-*)"; exit 1
fi
echo "fuzz: no findings"
