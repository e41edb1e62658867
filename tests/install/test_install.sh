#!/usr/bin/env bash
# Installs the build into a temporary prefix and builds and runs
# examples/c against it four ways: pkg-config (shared), pkg-config --static,
# find_package (shared) and find_package with TOKALIGN_USE_STATIC_LIBS. Also
# checks the installed layout and that every man page carries every option
# of its command's --help. The installed libtokalign.a defines only tka_*
# symbols, and a program that defines every internal name of the library
# itself links statically against it without a clash (and fails to against
# the in-tree archive, where those names are global). A broken install
# fails here.
# usage: test_install.sh BUILD_DIR SOURCE_DIR CMAKE LIBDIR MANDIR VERSION INTREE_LIBTOKALIGN_A
# (needs TOKALIGN_MIRROR for the bert-base-uncased vocabulary)
set -uo pipefail
build=$1 src=$2 cmake=$3 libdir=$4 mandir=$5 version=$6 intree=$7
major=${version%%.*}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
pass=0 fail=0
check() { # check NAME STATUS
  if [ "$2" -eq 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1"; fi
}

"$cmake" --install "$build" --prefix "$prefix" > "$tmp/install.log" ||
  { cat "$tmp/install.log"; exit 1; }

lib=$prefix/$libdir
[ -f "$lib/libtokalign.so.$version" ] && [ -L "$lib/libtokalign.so.$major" ] &&
  [ "$(readlink "$lib/libtokalign.so.$major")" = "libtokalign.so.$version" ] &&
  [ -L "$lib/libtokalign.so" ] && [ -f "$lib/libtokalign.a" ]
check "libtokalign.so.$version, .so.$major, .so and .a installed" $?
[ -f "$prefix/include/tokalign/tokalign.h" ] && [ -f "$prefix/include/tokalign/version.h" ]
check "umbrella and generated version headers installed" $?
for h in "$src"/include/tokalign/*.h; do
  [ -f "$prefix/include/tokalign/$(basename "$h")" ] || { echo "  missing $(basename "$h")"; false; }
done
check "every public header installed" $?
ls "$prefix/include/tokalign" | grep -qxE 'io\.h|json_write\.h|cacheline\.h|lines\.h|.*\.in'
check "no internal header or template installed" $(( $? == 0 ? 1 : 0 ))
[ -f "$lib/pkgconfig/tokalign.pc" ] && [ -f "$lib/cmake/tokalign/tokalignConfig.cmake" ] &&
  [ -f "$lib/cmake/tokalign/tokalignConfigVersion.cmake" ] && [ -x "$prefix/bin/tokalign" ]
check "tokalign.pc, CMake package and CLI installed" $?
nm -g --defined-only "$lib/libtokalign.a" | awk 'NF == 3 {print $3}' | sort -u > "$tmp/archive_syms"
nm -D --defined-only "$lib/libtokalign.so" | awk '{print $NF}' | sort -u > "$tmp/api_syms"
[ -s "$tmp/archive_syms" ] && ! grep -v '^tka_' "$tmp/archive_syms"
check "installed libtokalign.a defines only tka_* globals" $?
cmp -s "$tmp/archive_syms" "$tmp/api_syms"
check "installed libtokalign.a defines exactly what libtokalign.so exports" $?
[ "$("$prefix/bin/tokalign" --version)" = "tokalign $version" ]
check "installed tokalign --version says $version" $?

# Man pages: tokalign.1 plus one per command, each naming every option its
# --help names (roff escapes "-" as "\-").
man=$prefix/$mandir/man1
commands=$("$prefix/bin/tokalign" --help | sed -n '/^commands:/,/^$/p' | awk 'NF > 1 {print $1}')
[ -f "$man/tokalign.1" ] && [ -n "$commands" ]
check "tokalign.1 installed" $?
for c in $commands; do
  page=$man/tokalign-$c.1
  [ -f "$page" ] || { check "tokalign-$c.1 installed" 1; continue; }
  sed 's/\\-/-/g; s/\\e/\\/g' "$page" > "$tmp/page"
  missing=$("$prefix/bin/tokalign" "$c" --help | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u |
            while read -r opt; do grep -qF -- "$opt" "$tmp/page" || echo "$opt"; done)
  [ -z "$missing" ] || echo "  tokalign-$c.1 lacks: $missing"
  check "tokalign-$c.1 has every option of tokalign $c --help" $([ -z "$missing" ]; echo $?)
done

# The example, four ways. Expected output: the CLI's own answer for the same
# inputs (tokalign tokenize / encode), so the library and the CLI agree.
text='Hello, world!' pair='How are you doing today?'
{
  echo "tokalign $version"
  echo "$text" | "$prefix/bin/tokalign" tokenize --tokenizer bert-base-uncased |
    "${TKA_PYTHON:-python3}" -c 'import json,sys; d=json.loads(sys.stdin.read()); print("tokens:", *d["tokens"]); print("ids:", *d["ids"])'
  printf '{"text": "%s", "pair": "%s"}\n' "$text" "$pair" |
    "$prefix/bin/tokalign" encode --tokenizer bert-base-uncased --input-format jsonl \
      --pair-field pair --max-length 16 |
    "${TKA_PYTHON:-python3}" -c 'import json,sys; d=json.loads(sys.stdin.read())
for k in ("input_ids", "token_type_ids", "attention_mask"): print(k + ":", *d[k])'
} > "$tmp/expected"
grep -q '^input_ids: 101 ' "$tmp/expected"
check "expected output made by the CLI" $?

run_example() { # run_example NAME BINARY LINKAGE(shared|static)
  local name=$1 bin=$2 linkage=$3
  if [ ! -x "$bin" ]; then check "$name: built" 1; return; fi
  "$bin" bert-base-uncased "$text" "$pair" > "$tmp/out" 2> "$tmp/err"
  check "$name: runs" $?
  diff "$tmp/expected" "$tmp/out" > /dev/null || { cat "$tmp/err"; diff "$tmp/expected" "$tmp/out"; }
  check "$name: output equals the CLI's" $?
  readelf -d "$bin" | grep -q "NEEDED.*\[libtokalign\.so\.$major\]"
  if [ "$linkage" = shared ]; then check "$name: needs libtokalign.so.$major" $?
  else check "$name: libtokalign linked statically" $(( $? == 0 ? 1 : 0 )); fi
}

export PKG_CONFIG_PATH=$lib/pkgconfig
cp "$src"/examples/c/pair.c "$src"/examples/c/Makefile "$tmp/"
make -s -C "$tmp" pair CFLAGS="-O2 -Wall -Wextra -Werror -Wl,-rpath,$lib" > "$tmp/make.log" 2>&1 ||
  cat "$tmp/make.log"
run_example "pkg-config shared" "$tmp/pair" shared
rm -f "$tmp/pair"
make -s -C "$tmp" static CFLAGS="-O2 -Wall -Wextra -Werror" > "$tmp/make.log" 2>&1 ||
  cat "$tmp/make.log"
run_example "pkg-config --static" "$tmp/pair" static

for variant in shared static; do
  opt=OFF; [ $variant = static ] && opt=ON
  bdir=$tmp/cmake-$variant
  { "$cmake" -S "$src/examples/c" -B "$bdir" -DCMAKE_PREFIX_PATH="$prefix" \
      -DTOKALIGN_USE_STATIC_LIBS=$opt -DCMAKE_C_FLAGS="-Wall -Wextra -Werror" &&
    "$cmake" --build "$bdir"; } > "$tmp/cmake.log" 2>&1 || cat "$tmp/cmake.log"
  run_example "find_package $variant" "$bdir/pair" $variant
done

# A user program with its own definitions of every internal global name of
# the library (spm_model_load, column_names, tka_read_file, ...: all that
# the in-tree archive, made for the tests, defines beyond the API).
nm -g --defined-only "$intree" | awk 'NF == 3 {print $3}' | sort -u |
  comm -23 - "$tmp/api_syms" > "$tmp/internal_syms"
[ "$(wc -l < "$tmp/internal_syms")" -ge 50 ]
check "the in-tree archive has internal names to clash with ($(wc -l < "$tmp/internal_syms"))" $?
awk '{print "int " $1 " = 1;"}' "$tmp/internal_syms" > "$tmp/clash.c"
static_libs=$(pkg-config --static --libs tokalign |
              sed 's/-ltokalign/-Wl,-Bstatic -ltokalign -Wl,-Bdynamic/')
# shellcheck disable=SC2046,SC2086
cc -O2 -Wall -Wextra -Werror $(pkg-config --cflags tokalign) -o "$tmp/clash" \
  "$tmp/pair.c" "$tmp/clash.c" $static_libs > "$tmp/clash.log" 2>&1 || cat "$tmp/clash.log"
run_example "pkg-config --static, user defines the internal names" "$tmp/clash" static
# Negative control: the same link against the in-tree archive must clash.
# shellcheck disable=SC2046,SC2086
cc -O2 $(pkg-config --cflags tokalign) -o "$tmp/clash-intree" "$tmp/pair.c" "$tmp/clash.c" \
  "$intree" $(pkg-config --static --libs tokalign | sed 's/-ltokalign//') > "$tmp/clash.log" 2>&1
[ $? -ne 0 ] && grep -q 'multiple definition' "$tmp/clash.log"
check "the same program against the in-tree archive fails with 'multiple definition'" $?
mkdir -p "$tmp/clash-cmake"
cp "$tmp/pair.c" "$tmp/clash.c" "$tmp/clash-cmake/"
cat > "$tmp/clash-cmake/CMakeLists.txt" <<'EOF'
cmake_minimum_required(VERSION 3.18)
project(tokalign_clash C)
set(TOKALIGN_USE_STATIC_LIBS ON)
find_package(tokalign CONFIG REQUIRED)
add_executable(pair pair.c clash.c)
target_link_libraries(pair PRIVATE tokalign::tokalign)
EOF
{ "$cmake" -S "$tmp/clash-cmake" -B "$tmp/clash-cmake/build" -DCMAKE_PREFIX_PATH="$prefix" \
    -DCMAKE_C_FLAGS="-Wall -Wextra -Werror" && "$cmake" --build "$tmp/clash-cmake/build"; } \
  > "$tmp/cmake.log" 2>&1 || cat "$tmp/cmake.log"
run_example "find_package static, user defines the internal names" "$tmp/clash-cmake/build/pair" static

echo "checked $((pass + fail)), matched $pass"
[ "$fail" -eq 0 ]
