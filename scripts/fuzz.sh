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
for t in "${targets[@]}"; do
  corpus=fuzz/corpus-$t
  mkdir -p "$corpus"
  seeds=()
  [ -d "fuzz/seeds/$t" ] && seeds=("fuzz/seeds/$t")
  dict=()
  [ -f "fuzz/$t.dict" ] && dict=("-dict=fuzz/$t.dict")
  echo "fuzz: $t for ${seconds}s"
  start=$(date +%s)
  ./build-fuzz/fuzz/"$t" "$corpus" "${seeds[@]}" "${dict[@]}" -max_total_time="$seconds" \
    -jobs="$jobs" -workers="$jobs" -artifact_prefix=fuzz/ -print_final_stats=1 2>&1 \
    | grep -E "^(#[0-9]+ *(DONE|pulse)|stat::number_of_executed_units|stat::peak_rss|==[0-9]+==ERROR|SUMMARY)" | tail -5
  echo "fuzz: $t ran $(( $(date +%s) - start ))s, corpus $(ls "$corpus" | wc -l) inputs"
done
ls fuzz/crash-* fuzz/leak-* fuzz/timeout-* 2>/dev/null && { echo "fuzz: FINDINGS above"; exit 1; } || echo "fuzz: no findings"
