# Sourced by every tests/cli/test_*.sh (ctest runs them with the environment of
# tests/CMakeLists.txt): the paths the tests use, a scratch directory removed on exit
# (kept with KEEP=1), and the one set of assertions. Each assertion prints
# "ok   NAME" or "FAIL NAME" (with what differs); `finish` prints
# "TEST: checked N, matched M" and exits 1 on any failure, or when nothing was checked.
# shellcheck shell=bash disable=SC2034 # (the variables set here are for the scripts that source it)
: "${TOKALIGN:?}" "${TKA_SHARED:?}" "${TKA_SOURCE:?}" "${TKA_PYTHON:?}"
T=$TOKALIGN
S=$TKA_SHARED
DEMO=$S/data/demo_sst2_sentence/demo.tsv
tmp=$(mktemp -d -t "tka_$(basename "$0" .sh).XXXXXX")
[ -n "${KEEP:-}" ] || trap 'rm -rf "$tmp"' EXIT
checked=0 failed=0

ok() { # NAME: a check that passed
  checked=$((checked + 1))
  echo "ok   $1"
}
bad() { # NAME: a check that failed
  checked=$((checked + 1)) failed=$((failed + 1))
  echo "FAIL $1"
}
check() { # NAME EXPECTED ACTUAL: the two strings are equal
  if [ "$2" == "$3" ]; then ok "$1"; else
    bad "$1"; echo "  expected: $2"; echo "  actual:   $3"; fi
}
check_rc() { # NAME STATUS: the status (usually $?) is 0
  if [ "$2" -eq 0 ]; then ok "$1"; else bad "$1 (status $2)"; fi
}
check_cmd() { # NAME COMMAND...: the command succeeds
  local name=$1
  shift
  if "$@"; then ok "$name"; else bad "$name"; fi
}
finish() { # the count, and the script's exit status
  echo "$(basename "$0" .sh): checked $checked, matched $((checked - failed))"
  [ "$failed" -eq 0 ] && [ "$checked" -gt 0 ]
  exit
}

# reprod_log's logging prefix ("[2021/08/18 10:12:13] root INFO: "): log_body strips it
# from stdin; log_prefixed FILE is true when every line of FILE carries it.
log_re='^\[[0-9]{4}/[0-9]{2}/[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\] root INFO: '
log_body() { sed -E "s#$log_re##"; }
log_prefixed() { ! grep -vqE "$log_re" "$1"; }
