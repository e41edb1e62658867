#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine: installs what is missing,
# builds, then runs the SST-2 demo (`demo`) or the whole test suite (`test`);
# `bench` also installs the reference tools and runs the benchmarks.
#   bash scripts/bootstrap.sh demo | test | bench | build
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-demo}
jobs=$(nproc 2>/dev/null || echo 2)

# Build and test dependencies, all from Debian 12.
packages=(build-essential cmake pkg-config clang libclang-rt-14-dev clang-format clang-tidy
          libutf8proc-dev libcsv-dev libpcre2-dev libjansson-dev libcriterion-dev libicu-dev
          curl python3 python3-numpy python3-sentencepiece python3-pandas time
          python3-dev python3-pytest python3-torch python3-dask python3-distributed
          python3-setuptools python3-pip python3-venv chromium)

install_missing() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "bootstrap: installing ${missing[*]}"
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null \
    || { "${sudo[@]}" apt-get update -q >/dev/null &&
         "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; }
}

build() { # build DIR [cmake options...]
  local dir=$1; shift
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
  cmake --build "$dir" -j "$jobs" >/dev/null
}

install_missing "${packages[@]}"
# npm for tests/cli/test_rust_unicode8.sh (it installs the npm packages unicode-8.0.0 and
# unicode-9.0.0 into the build tree to regenerate a table) and the benchmarks: Debian's nodejs + npm, unless a node
# that ships its own npm (e.g. NodeSource's, which conflicts with Debian's npm) is there.
command -v npm >/dev/null || install_missing nodejs npm

case "$mode" in
  build)
    build build -DTKA_TESTS=ON
    ;;
  demo)
    build build -DTKA_TESTS=OFF
    bash demo_sst2_sentence/place.sh
    ./build/tokalign demo --data demo_sst2_sentence/demo.tsv --out out/demo
    ;;
  test)
    # Tests ON whatever build/'s cache holds (`demo` configures it with tests
    # off), and a run that finds no test fails instead of passing.
    build build -DTKA_TESTS=ON
    (cd build && ctest --no-tests=error --output-on-failure -j "$jobs")
    echo "bootstrap: release build passed; now the ASan + UBSan build"
    build build-asan -DCMAKE_BUILD_TYPE=Debug -DTKA_SANITIZE=ON -DTKA_TESTS=ON
    (cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
        UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --no-tests=error --output-on-failure -j "$jobs")
    echo "bootstrap: all tests passed (release and sanitizer builds)"
    ;;
  bench)
    # the reference tools: libsentencepiece's C++ encoder, npm tokenizers (Rust), npm tiktoken
    install_missing g++ libsentencepiece-dev time
    build build -DTKA_TESTS=ON
    bash bench/bert/run.sh
    bash bench/spm/run.sh
    bash bench/pipeline/run.sh
    bash bench/tj/run.sh
    ;;
  *)
    echo "usage: bash scripts/bootstrap.sh demo|test|bench|build" >&2
    exit 2
    ;;
esac
