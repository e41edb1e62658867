#!/usr/bin/env bash
# Progress on stderr for tokenize, encode, decode, pipeline and read: forced
# with --progress its lines have the documented format; without it (stderr
# not a terminal here) or with --no-progress stderr is exactly what it was,
# and stdout never changes. On a terminal (script(1)'s pty) it is on by
# default and rewrites one line.
set -u
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"


cd "$tmp" || exit 1
tail -n +2 "$DEMO" | cut -f1 >lines.txt # 32 lines
N=$(wc -l <lines.txt)
SIZE=$(awk -v n="$(wc -c <lines.txt)" 'BEGIN { printf "%.1f", n / 1e6 }')
num='[0-9]+\.[0-9]'
# a progress line of CMD: with the input's size, then ETA, or the final "done in"
line_re() { echo "^tokalign $1: [0-9]+ rows, $num MB( of $num MB \\([0-9]+%\\))?, $num MB/s(, ETA [0-9]+:[0-9]{2}|, done in $num s)\$"; }

# tokenize: forced, from a file (size known)
"$T" tokenize --tokenizer bert-base-uncased --input lines.txt --progress >on.out 2>on.err
check_rc "tokenize --progress exits 0" $?
"$T" tokenize --tokenizer bert-base-uncased --input lines.txt >off.out 2>off.err
check_rc "tokenize exits 0" $?
cmp -s on.out off.out; check_rc "tokenize: stdout the same with --progress" $?
[ ! -s off.err ]; check_rc "tokenize: nothing on stderr when it is not a terminal" $?
[ -s on.err ] && ! grep -vqE "$(line_re tokenize)" on.err
check_rc "tokenize: every progress line has the format" $?
[ "$(tail -1 on.err | sed -E 's/, [0-9.]+ MB\/s, done in [0-9.]+ s$//')" = "tokalign tokenize: $N rows, $SIZE MB of $SIZE MB (100%)" ]
check_rc "tokenize: final line counts every row and byte" $?
"$T" tokenize --tokenizer bert-base-uncased --input lines.txt --progress --no-progress >/dev/null 2>no.err
[ ! -s no.err ]; check_rc "tokenize: the last of --progress / --no-progress wins" $?
# from a pipe: no size, no percentage, no ETA
"$T" tokenize --tokenizer bert-base-uncased --progress <lines.txt >pipe.out 2>pipe.err
cmp -s pipe.out off.out && grep -qE "^tokalign tokenize: $N rows, $num MB, $num MB/s, done in $num s\$" pipe.err &&
  ! grep -q ' of ' pipe.err
check_rc "tokenize from stdin: rows, MB, MB/s without a size" $?

# encode and decode
"$T" encode --tokenizer bert-base-uncased --input lines.txt --output-format ids >ids.txt 2>off.err &&
  "$T" encode --tokenizer bert-base-uncased --input lines.txt --output-format ids --progress >ids2.txt 2>on.err
check_rc "encode runs" $?
cmp -s ids.txt ids2.txt && [ ! -s off.err ] && tail -1 on.err | grep -qE "$(line_re encode)" &&
  tail -1 on.err | grep -q "^tokalign encode: $N rows, .*(100%)"
check_rc "encode: same stdout, stderr only with --progress, format" $?
"$T" decode --tokenizer bert-base-uncased --input ids.txt >dec.out 2>off.err &&
  "$T" decode --tokenizer bert-base-uncased --input ids.txt --progress >dec2.out 2>on.err
cmp -s dec.out dec2.out && [ ! -s off.err ] && tail -1 on.err | grep -q "^tokalign decode: $N rows, .*(100%), .* done in"
check_rc "decode: same stdout, stderr only with --progress" $?

# read
"$T" read "$DEMO" >r.out 2>off.err && "$T" read "$DEMO" --progress >r2.out 2>on.err
cmp -s r.out r2.out && [ ! -s off.err ] && ! grep -vqE "$(line_re read)" on.err &&
  tail -1 on.err | grep -q "^tokalign read: $N rows, .*(100%)"
check_rc "read: same output, stderr only with --progress, format" $?

# pipeline: its summary line stays; progress lines come before it
"$T" pipeline --data "$DEMO" --tokenizer bert-base-uncased -o a.npy 2>off.err &&
  "$T" pipeline --data "$DEMO" --tokenizer bert-base-uncased -o b.npy --progress 2>on.err
check_rc "pipeline runs" $?
cmp -s a.npy b.npy; check_rc "pipeline: same dump with --progress" $?
[ "$(wc -l <off.err)" -eq 1 ] && grep -q '^tokalign pipeline: .*demo.tsv: 32 rows' off.err
check_rc "pipeline: stderr is the summary line alone without --progress" $?
sum_re='s/ in [0-9.]+ s$//' # the summary's timing differs run to run
[ "$(tail -1 on.err | sed -E "s/b\.npy/a.npy/; $sum_re")" = "$(sed -E "$sum_re" off.err)" ] &&
  head -n -1 on.err | grep -qE "$(line_re pipeline)" && ! head -n -1 on.err | grep -vqE "$(line_re pipeline)" &&
  head -n -1 on.err | tail -1 | grep -q "^tokalign pipeline: $N rows, .*(100%)"
check_rc "pipeline: progress lines, then the summary" $?

# a terminal: on by default, one line rewritten in place (\r ... ESC[K)
if command -v script >/dev/null; then
  script -qc "'$T' read '$DEMO' -o tty.out" /dev/null >tty.log 2>&1
  grep -q $'\rtokalign read: 32 rows, .* done in [0-9.]* s\e\[K' tty.log
  check_rc "terminal: progress on by default, rewritten in place" $?
  script -qc "'$T' read '$DEMO' -o tty.out --no-progress" /dev/null >tty2.log 2>&1
  [ ! -s tty2.log ]; check_rc "terminal: --no-progress silences it" $?
else
  check_rc "script(1) (util-linux) is installed" 1
fi

finish
