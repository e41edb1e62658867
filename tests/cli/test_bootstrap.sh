#!/usr/bin/env bash
# The README's two commands in order (`bootstrap.sh demo`, then `bootstrap.sh test`)
# in one checkout: demo configures build/ with tests off; test must turn them on
# again whatever the cache holds, and every ctest run must fail when it finds no
# test (issue 12, item 17). cmake, ctest and dpkg-query are shims that log their
# arguments, so the script's real command lines are checked without a full build;
# then a real ctest in a build without tests shows that --no-tests=error fails.
set -uo pipefail
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"
real_ctest=$(command -v ctest)
mkdir -p "$tmp/bin" "$tmp/src/scripts" "$tmp/src/demo_sst2_sentence"
cp "$TKA_SOURCE/scripts/bootstrap.sh" "$tmp/src/scripts/"
printf 'exit 0\n' > "$tmp/src/demo_sst2_sentence/place.sh"
for tool in cmake ctest; do
  printf '#!/bin/sh\necho "%s $*" >> "%s/log"\n' "$tool" "$tmp" > "$tmp/bin/$tool"
done
# cmake -B DIR creates DIR (the script then cd's into it)
printf 'prev=; for a; do [ "$prev" = -B ] && mkdir -p "$a"; prev=$a; done\n' >> "$tmp/bin/cmake"
printf '#!/bin/sh\necho "install ok installed"\n' > "$tmp/bin/dpkg-query"
# the demo runs ./build/tokalign: a stand-in
printf '#!/bin/sh\nexit 0\n' > "$tmp/tokalign.stub"
chmod +x "$tmp/bin/"* "$tmp/tokalign.stub"
mkdir -p "$tmp/src/build" && cp "$tmp/tokalign.stub" "$tmp/src/build/tokalign"
(cd "$tmp/src" && PATH="$tmp/bin:$PATH" bash scripts/bootstrap.sh demo >/dev/null 2>&1) || bad "demo mode ran"
grep -q "^cmake -S . -B build .*-DTKA_TESTS=OFF" "$tmp/log" && ok "demo configures build/ with tests off" || bad "demo's configure line"
: > "$tmp/log"
(cd "$tmp/src" && PATH="$tmp/bin:$PATH" bash scripts/bootstrap.sh test >/dev/null 2>&1) || bad "test mode ran"
configures=$(grep -c "^cmake -S " "$tmp/log")
with_tests=$(grep "^cmake -S " "$tmp/log" | grep -c -- "-DTKA_TESTS=ON")
[ "$configures" -ge 2 ] && [ "$configures" = "$with_tests" ] \
  && ok "test mode: every configure ($configures) turns tests on" || { bad "test mode configures"; cat "$tmp/log"; }
runs=$(grep -c "^ctest" "$tmp/log")
strict=$(grep "^ctest" "$tmp/log" | grep -c -- "--no-tests=error")
[ "$runs" -ge 2 ] && [ "$runs" = "$strict" ] && ok "test mode: every ctest run ($runs) has --no-tests=error" \
  || { bad "ctest lines"; cat "$tmp/log"; }
# and that option does fail an empty run
mkdir "$tmp/empty" && printf 'enable_testing()\n' > "$tmp/empty/CTestTestfile.cmake"
(cd "$tmp/empty" && "$real_ctest" --no-tests=error >/dev/null 2>&1); rc=$?
[ $rc -ne 0 ] && ok "ctest --no-tests=error on a build without tests: exit $rc" || bad "an empty ctest run passed"
finish
