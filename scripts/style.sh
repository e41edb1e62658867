#!/usr/bin/env bash
# Code style: clang-format (.clang-format) over every C file of the project,
# clang-tidy (.clang-tidy) over the library and the CLI (src/, include/).
#   scripts/style.sh format              rewrite the C files in place
#   scripts/style.sh check [BUILD_DIR]   check-format, then check-tidy
#   scripts/style.sh check-format        list the files clang-format would change
#   scripts/style.sh check-tidy [BUILD_DIR]
#       clang-tidy on every src/**/*.c with BUILD_DIR/compile_commands.json
#       (default: build; configure it first), headers of src/ and include/
#       through the files that include them; any finding fails
# Tools: Debian 12's clang-format and clang-tidy (version 14); another
# version may format or diagnose differently. CLANG_FORMAT, CLANG_TIDY and
# JOBS override the defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-check}
build=${2:-build}
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
clang_format=${CLANG_FORMAT:-clang-format}
clang_tidy=${CLANG_TIDY:-clang-tidy}

need() { # need TOOL PACKAGE
  command -v "$1" > /dev/null ||
    { echo "style.sh: $1 not found (apt-get install $2)" >&2; exit 2; }
}

# Every C source and header of the project. Data directories (build trees,
# the shared data) hold none that are ours.
c_files() {
  find src include tests fuzz examples python bench -type f \( -name '*.c' -o -name '*.h' \) \
    -not -path '*/seeds/*' | LC_ALL=C sort
}

check_format() {
  need "$clang_format" clang-format
  local bad
  bad=$(c_files | xargs -P "$jobs" -n 8 "$clang_format" --dry-run 2>&1 |
        grep -oE '^[^:]+\.[ch]:' | sort -u | sed 's/:$//') || true
  if [ -n "$bad" ]; then
    echo "style: clang-format would change these files (scripts/style.sh format):"
    printf '  %s\n' $bad
    return 1
  fi
  echo "style: $(c_files | wc -l) files formatted as .clang-format says"
}

check_tidy() {
  need "$clang_tidy" clang-tidy
  local db=$build/compile_commands.json
  [ -f "$db" ] || { echo "style: no $db (configure with cmake -S . -B $build first)" >&2; return 2; }
  local tmp
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' RETURN
  find src -name '*.c' | LC_ALL=C sort > "$tmp/sources"
  # Every library and CLI source must be in the compilation database: a file
  # tidy never sees would pass silently.
  local missing=0 f
  while read -r f; do
    grep -qF "/$f\"" "$db" || { echo "style: $f is not in $db"; missing=1; }
  done < "$tmp/sources"
  [ $missing -eq 0 ] || return 1
  # One clang-tidy per file; a header's findings are printed by every file
  # that includes it, so findings are de-duplicated.
  xargs -P "$jobs" -n 1 "$clang_tidy" -p "$build" --quiet < "$tmp/sources" \
    > "$tmp/out" 2> "$tmp/err" || true
  # Findings as "path:line:col: warning: message [check]", relative to the
  # source tree (the CLI's headers are seen through its build-tree links).
  grep -E '^[^ ].*:[0-9]+:[0-9]+: (warning|error):' "$tmp/out" |
    sed -E 's#^.*/include/cli/#src/cli/#; s#^([^ ]*/)?((src|include)/[^:]+:[0-9]+:[0-9]+: )#\2#' |
    LC_ALL=C sort -u > "$tmp/findings" || true
  # There is no list of tolerated findings: fix the code, or, for a genuine
  # false positive, put NOLINTNEXTLINE(check-name) with the reason above the
  # line, or disable the check in .clang-tidy with the reason.
  if [ -s "$tmp/findings" ] || grep -q 'Error while processing' "$tmp/err"; then
    cat "$tmp/findings"
    grep -A3 'Error while processing' "$tmp/err" || true
    echo "style: clang-tidy: $(wc -l < "$tmp/findings") finding(s) in $(wc -l < "$tmp/sources") files" \
         "($clang_tidy -p $build FILE shows the analyzer's path to each)"
    return 1
  fi
  echo "style: clang-tidy: $(wc -l < "$tmp/sources") files, no finding"
}

case "$mode" in
  format)
    need "$clang_format" clang-format
    c_files | xargs -P "$jobs" -n 8 "$clang_format" -i
    ;;
  check-format) check_format ;;
  check-tidy) check_tidy ;;
  check)
    rc=0
    check_format || rc=1
    check_tidy || rc=1
    exit $rc
    ;;
  *)
    echo "usage: scripts/style.sh format | check [BUILD_DIR] | check-format | check-tidy [BUILD_DIR]" >&2
    exit 2
    ;;
esac
