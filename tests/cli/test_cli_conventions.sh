#!/usr/bin/env bash
# The CLI as one tool: every option a command's parser accepts appears in its
# --help; -o/--output names the output of every command that writes one; and
# --do-lower-case true|false means the same in tokenize, encode and pipeline.
#
# Which options a parser accepts is asked of the binary itself: every option
# string in the CLI's sources is offered to every command, followed by two
# unknown options; a command that accepts it stops at one of those instead
# of naming the offered option as unknown.
set -u
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$HERE/../../src/cli


cd "$tmp" || exit 1
mapfile -t candidates < <(grep -ohE '"-(-[a-z][a-z0-9-]*|[a-zA-Z])"' "$SRC"/*.c | tr -d '"' | sort -u |
  grep -vxE -- '--help|-h|--version')
[ "${#candidates[@]}" -gt 60 ]
check_rc "found the CLI's option strings (${#candidates[@]})" $?

accepted() { # accepted CMD OPTION: the parser takes OPTION
  local err
  err=$(timeout 20 "$T" "$1" "$2" --zz-probe-1 --zz-probe-2 2>&1 >/dev/null </dev/null)
  case "$err" in
    *"unknown option '$2'"* | *"unrecognized option '$2'"* | *"invalid option -- '${2#-}'"*) return 1 ;;
  esac
  return 0
}

commands=(tokenize encode decode fetch pipeline order read demo diff show)
probe_command() { # probe_command CMD: "N accepted-but-undocumented..." on stdout
  local c=$1 help n=0 missing=()
  help=$("$T" "$c" --help 2>&1)
  for o in "${candidates[@]}"; do
    # only what --help does not name needs the probe: it must be refused
    grep -qE -- "(^|[^a-z0-9-])$o([^a-z0-9-]|\$)" <<<"$help" && continue
    n=$((n + 1))
    accepted "$c" "$o" && missing+=("$o")
  done
  echo "$n ${missing[*]}"
}
for c in "${commands[@]}"; do # the commands side by side: some 700 short runs
  probe_command "$c" >"probe.$c" &
done
wait
for c in "${commands[@]}"; do
  read -r n missing <"probe.$c"
  [ -n "$n" ] && [ -z "$missing" ]
  check_rc "$c: the $n option strings its --help does not name are refused${missing:+ (accepted: $missing)}" $?
done

# The probe itself: an option a command does not take is seen as not taken,
# one it takes as taken.
! accepted show --seed && accepted pipeline --seed && accepted diff --json
check_rc "probe tells accepted from unknown options" $?

# -o / --output everywhere a command writes a file (old names stay aliases)
for c in tokenize encode decode fetch pipeline order read demo diff show; do
  accepted "$c" -o && accepted "$c" --output
  check_rc "$c takes -o and --output" $?
done
accepted pipeline --dump && accepted order --out && accepted read --out && accepted demo --out &&
  accepted diff --log && accepted fetch --dest
check_rc "old output names stay as aliases" $?

"$T" pipeline --data "$DEMO" --tokenizer bert-base-cased --num-batches 1 --dataset-items 0 -o a.npy 2>/dev/null &&
  "$T" pipeline --data "$DEMO" --tokenizer bert-base-cased --num-batches 1 --dataset-items 0 --output b.npy 2>/dev/null &&
  "$T" pipeline --data "$DEMO" --tokenizer bert-base-cased --num-batches 1 --dataset-items 0 --dump c.npy 2>/dev/null &&
  cmp -s a.npy b.npy && cmp -s a.npy c.npy
check_rc "pipeline: -o, --output and --dump write the same dump" $?
"$T" read "$DEMO" -o r1.json 2>/dev/null && "$T" read "$DEMO" --out r2.json 2>/dev/null && cmp -s r1.json r2.json
check_rc "read: -o and --out" $?

# --do-lower-case true|false: the same meaning in tokenize and pipeline
echo "Hello World" | "$T" tokenize --tokenizer bert-base-cased --do-lower-case true >t1.jsonl 2>/dev/null
echo "Hello World" | "$T" tokenize --tokenizer bert-base-cased --do-lower-case false >t2.jsonl 2>/dev/null
[ "$(cat t1.jsonl)" = '{"tokens": ["hello", "world"], "ids": [19082, 1362]}' ] &&
  [ "$(cat t2.jsonl)" = '{"tokens": ["Hello", "World"], "ids": [8667, 1291]}' ]
check_rc "tokenize --do-lower-case true / false" $?
printf 'sentence\tlabel\nHello World\t1\nA Cased Row\t0\n' >cased.tsv
pl() { "$T" pipeline --data cased.tsv --batch-size 2 --num-batches 1 --dataset-items 0 "$@" 2>/dev/null; }
pl --tokenizer bert-base-cased --do-lower-case true -o p1.npy && pl --tokenizer bert-base-cased --lower -o p2.npy &&
  pl --tokenizer bert-base-cased -o p3.npy && cmp -s p1.npy p2.npy && ! cmp -s p1.npy p3.npy
check_rc "pipeline --do-lower-case true == --lower, and it matters" $?
pl --tokenizer bert-base-uncased --do-lower-case false -o p4.npy && pl --tokenizer bert-base-uncased --no-lower -o p5.npy &&
  pl --tokenizer bert-base-uncased -o p6.npy && cmp -s p4.npy p5.npy && ! cmp -s p4.npy p6.npy
check_rc "pipeline --do-lower-case false == --no-lower, and it matters" $?
"$T" pipeline --data "$DEMO" --tokenizer bert-base-uncased --do-lower-case maybe -o x.npy 2>err
[ $? -eq 2 ] && grep -qF -- "--do-lower-case expects true or false, got 'maybe'" err
check_rc "pipeline --do-lower-case maybe is a usage error" $?

finish
