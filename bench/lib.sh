# Sourced by every bench/*/run.sh: where things are, the builds, the npm references,
# the English corpus and the best-of-RUNS timer, written once.
# Sets root (the checkout), shared (TKA_SHARED, default ../shared beside the checkout),
# build (BUILD, default build/), out (bench/out, git-ignored), runs (RUNS, default 3),
# and works from $root. Paths given in TKA_SHARED and BUILD are relative to where the
# bench is started.
# shellcheck shell=bash disable=SC2034 # (the variables set here are for the scripts that source it)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
shared=$(cd "${TKA_SHARED:-$root/../shared}" && pwd)
build=$(mkdir -p "${BUILD:-$root/build}" && cd "${BUILD:-$root/build}" && pwd)
out=$root/bench/out
runs=${RUNS:-3}
mkdir -p "$out"
cd "$root"

# bench_cli [TARGET...]: a Release build of the CLI (and TARGETs) in $build; sets $tokalign.
bench_cli() {
  if [ ! -x "$build/tokalign" ] || ! grep -q 'CMAKE_BUILD_TYPE:STRING=Release' "$build/CMakeCache.txt" 2>/dev/null; then
    cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
  fi
  cmake --build "$build" -j 2 --target tokalign_cli "$@" >/dev/null
  tokalign=$build/tokalign
}

# bench_static: libtokalign.a of a Release build without tests in build-bench/, rebuilt when
# src/ or include/ changed; sets $static_cflags and $static_libs to compile and link a driver.
bench_static() {
  local b=$root/build-bench
  if [ ! -f "$b/libtokalign.a" ] || [ -n "$(find src include -newer "$b/libtokalign.a" -print -quit)" ]; then
    cmake -S "$root" -B "$b" -DCMAKE_BUILD_TYPE=Release -DTKA_TESTS=OFF >/dev/null
    cmake --build "$b" -j 2 --target tokalign_static >/dev/null
  fi
  static_cflags="-O2 -std=c11 -D_POSIX_C_SOURCE=200809L -I$root/include -I$b/include"
  static_libs="$b/libtokalign.a $(pkg-config --libs libutf8proc libpcre2-8 jansson icu-uc) -lcsv -lpthread -lm"
}

# bench_npm PACKAGE@VERSION...: the reference tools, in the git-ignored bench/node_modules
# (installed when one of them is missing).
bench_npm() {
  local p
  for p in "$@"; do
    if [ ! -d "$root/bench/node_modules/${p%@*}" ]; then
      npm install --no-save --no-audit --no-fund --prefix "$root/bench" "$@" >/dev/null
      return
    fi
  done
}

# bench_corpus SIZE_MB: English text of at least SIZE_MB MB, the shared botchan +
# the_republic repeated, made once in $out; sets $corpus, $bytes and $lines.
bench_corpus() {
  corpus=$out/en_${1}mb.txt
  if [ ! -s "$corpus" ]; then
    : > "$corpus"
    while [ "$(stat -c %s "$corpus")" -lt $(($1 * 1000000)) ]; do
      cat "$shared/data/corpora/botchan.txt" "$shared/data/corpora/the_republic.txt" >> "$corpus"
    done
  fi
  bytes=$(stat -c %s "$corpus")
  lines=$(wc -l < "$corpus")
}

# best_of COMMAND...: runs it $runs times; sets $best (the best elapsed seconds), $best_cpu
# (user + system seconds of that run) and $peak_rss (the largest peak RSS, KB).
best_of() {
  local e m u s
  best="" best_cpu="" peak_rss=0
  for _ in $(seq "$runs"); do
    /usr/bin/time -f '%e %M %U %S' -o "$out/time.txt" "$@"
    read -r e m u s < <(tail -n 1 "$out/time.txt")
    if [ -z "$best" ] || awk "BEGIN{exit !($e < $best)}"; then
      best=$e best_cpu=$(awk "BEGIN{print $u + $s}")
    fi
    if [ "$m" -gt "$peak_rss" ]; then peak_rss=$m; fi
  done
}

# The load the figures were taken under.
load_average() { cut -d' ' -f1-3 /proc/loadavg; }
