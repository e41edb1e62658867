#!/usr/bin/env bash
# Every output file goes through one mechanism (tka_outfile): devices and FIFOs are
# written in place, never replaced; a link planted at a temporary name is never
# followed; an output that is an input is refused; stdout write errors fail the
# command; SIGINT/SIGTERM leave no temporary files; a sidecar of another run is
# recognised by its dump_sha256 and ignored. Crafted inputs are built here.
set -uo pipefail
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$tmp" || exit 1
pipe() { "$T" pipeline --data "$DEMO" --tokenizer bert-base-uncased -q "$@"; }
pipe --dump ref.npy || bad "reference run"
no_temps() { ! ls -A "${1:-.}" | grep -q '\.tmp\.'; }

# --- item 5: devices and FIFOs are written in place, never replaced ------------
if [ "$(id -u)" = 0 ] && mknod null c 1 3 2>/dev/null; then dev=$tmp/null; else dev=/dev/null; fi
pipe --dump "$dev" && [ -c "$dev" ] && ok "--dump $(basename "$dev") (a character device): written, still a device" \
  || bad "--dump onto a character device replaced it"
"$T" tokenize --tokenizer bert-base-uncased --output "$dev" <<< "hello" && [ -c "$dev" ] \
  && ok "tokenize --output onto a character device: still a device" || bad "tokenize --output replaced a device"
mkfifo fifo.npy
cat fifo.npy > from_fifo.npy & reader=$!
pipe --dump fifo.npy; rc=$?
wait $reader
[ $rc -eq 0 ] && [ -p fifo.npy ] && cmp -s from_fifo.npy ref.npy \
  && ok "--dump FIFO: the dump streamed through it, the FIFO is still a FIFO" || bad "--dump FIFO (rc $rc)"
mkdir adir
pipe --dump adir 2> e.txt; rc=$?
[ $rc -eq 3 ] && grep -q "adir: is a directory" e.txt && ok "--dump DIR refused" || bad "--dump DIR (rc $rc)"

# --- item 6: a link planted at the old predictable temporary name ------------
echo "precious" > victim
# the subshell's PID is the one tokalign gets (exec), so OUT.tmp.PID is exactly predicted
( for p in $BASHPID $((BASHPID + 1)); do ln -s "$tmp/victim" "out6.npy.tmp.$p"; done
  exec "$T" pipeline --data "$DEMO" --tokenizer bert-base-uncased -q --dump out6.npy )
[ "$(cat victim)" = precious ] && cmp -s out6.npy ref.npy && [ ! -L out6.npy ] \
  && ok "links planted at OUT.tmp.PID: not followed, the victim is intact" || bad "planted link followed"
rm -f out6.npy.tmp.*
# a link at the output path itself: its target is replaced, the link stays
echo old > real.npy; ln -s real.npy link.npy
pipe --dump link.npy && [ -L link.npy ] && cmp -s real.npy ref.npy \
  && ok "--dump LINK: the link's target replaced, the link kept" || bad "--dump onto a link"
no_temps && ok "no temporary files left" || { bad "temporary files left"; ls -A; }

# --- item 10: an output that is an input is refused ---------------------------
cp "$DEMO" x.tsv; cp x.tsv x.orig; ln x.tsv hard.tsv
"$T" pipeline --data x.tsv --tokenizer bert-base-uncased -q --dump x.tsv 2> e.txt; rc=$?
cmp -s x.tsv x.orig && [ $rc -eq 2 ] && grep -q "x.tsv: the output is the input file x.tsv; refusing" e.txt \
  && ok "pipeline --data x.tsv --dump x.tsv refused, input intact" || { bad "pipeline dump = data (rc $rc)"; cat e.txt; }
"$T" pipeline --data x.tsv --tokenizer bert-base-uncased -q --dump hard.tsv 2>/dev/null; rc=$?
cmp -s x.tsv x.orig && [ $rc -eq 2 ] && ok "a hard link to the input refused (same device and inode)" || bad "hard link (rc $rc)"
cp x.tsv x.json
"$T" pipeline --data x.json --tokenizer bert-base-uncased -q --dump x.npy 2>e.txt; rc=$?
cmp -s x.json x.orig && [ $rc -eq 2 ] && grep -q "x.json: the output is the input file" e.txt \
  && ok "a sidecar that would overwrite the input refused" || bad "sidecar = data (rc $rc)"
cp ref.npy a.npy; cp a.npy a.orig
"$T" diff a.npy a.npy --log a.npy > /dev/null 2> e.txt; rc=$?
cmp -s a.npy a.orig && [ $rc -eq 3 ] && grep -q "refusing" e.txt && ok "diff a a --log a refused" || bad "diff --log = input (rc $rc)"
printf 'hello\n' > in.txt; cp in.txt in.orig
for cmd in tokenize encode; do
  "$T" $cmd --tokenizer bert-base-uncased --input in.txt --output in.txt 2>/dev/null; rc=$?
  cmp -s in.txt in.orig && [ $rc -eq 3 ] && ok "$cmd --input F --output F refused" || bad "$cmd same file (rc $rc)"
done
"$T" show a.npy -o a.npy 2>/dev/null; rc=$?
cmp -s a.npy a.orig && [ $rc -eq 3 ] && ok "show F -o F refused" || bad "show same file (rc $rc)"
"$T" read x.tsv --out x.tsv 2>/dev/null; rc=$?
cmp -s x.tsv x.orig && [ $rc -eq 3 ] && ok "read F --out F refused" || bad "read same file (rc $rc)"
cp x.tsv o.json
"$T" order --sampler sequential --flavor torch --data o.json --batch-size 2 --out o.json 2>/dev/null; rc=$?
cmp -s o.json x.orig && [ $rc -eq 3 ] && ok "order --data F --out F refused" || bad "order same file (rc $rc)"

# --- item 11: write errors on stdout fail every command -----------------------
echo '101 7592 102' > ids.txt
cp ref.npy b.npy
cmds=(
  "diff a.npy b.npy"
  "show a.npy"
  "tokenize --tokenizer bert-base-uncased --input in.txt"
  "encode --tokenizer bert-base-uncased --input in.txt"
  "decode --tokenizer bert-base-uncased --input ids.txt"
  "read x.tsv"
  "order --sampler sequential --flavor torch --n 10 --batch-size 2"
  "--help"
  "pipeline --help"
)
for c in "${cmds[@]}"; do
  $T $c > /dev/full 2> e.txt; rc=$?
  { [ $rc -eq 3 ] || [ $rc -eq 2 ]; } && [ $rc -ne 0 ] && grep -q "write error\|cannot write\|write failed" e.txt \
    && ok "$c >/dev/full: exit $rc with a message" || { bad "$c >/dev/full: exit $rc"; cat e.txt; }
  $T $c >&- 2> e.txt; rc=$?
  [ $rc -ne 0 ] && grep -q "write error\|cannot write\|write failed" e.txt \
    && ok "$c with stdout closed: exit $rc with a message" || { bad "$c >&-: exit $rc"; cat e.txt; }
done

# --- item 12: SIGINT / SIGTERM leave no temporary files -----------------------
for sig in INT TERM; do
  for cmd in tokenize encode decode; do
    rm -f feed out.txt; mkfifo feed
    echo "old" > out.txt
    input="hello world"; [ $cmd = decode ] && input='101 7592 102'
    # a background job of a script starts with SIGINT ignored (and tokalign keeps an
    # ignored signal ignored, like nohup wants): restore the default, as at a terminal
    "$TKA_PYTHON" -c 'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])' \
        "$T" $cmd --tokenizer bert-base-uncased --input feed --output out.txt 2>/dev/null & pid=$!
    exec 3> feed
    for _ in 1 2 3; do echo "$input" >&3; done
    # wait until the temporary output exists, then interrupt mid-run
    for _ in $(seq 100); do ls -A | grep -q 'out\.txt\.tmp\.' && break; sleep 0.05; done
    seen=$(ls -A | grep -c 'out\.txt\.tmp\.')
    kill -$sig $pid; wait $pid; rc=$?
    exec 3>&-
    [ "$seen" = 1 ] && [ $rc -gt 128 ] && [ "$(cat out.txt)" = old ] && no_temps \
      && ok "$cmd --output, SIG$sig mid-run: temporary removed, old output intact" \
      || { bad "$cmd SIG$sig: seen $seen, rc $rc, out=$(cat out.txt)"; ls -A; }
  done
done

# --- item 9: a sidecar of another run is ignored, with a note -----------------
cp "$DEMO" two.tsv
sed -i '2s/charming/boring/' two.tsv   # same number of tokens
pipe --dump s1.npy || bad "run 1"
"$T" pipeline --data two.tsv --tokenizer bert-base-uncased -q --dump s2.npy || bad "run 2"
grep -q '"dump_sha256":"'"$(sha256sum s1.npy | cut -c1-64)"'"' s1.json && ok "the sidecar records its dump's SHA-256" || bad "no dump_sha256"
"$T" diff s1.npy s2.npy > /dev/null 2> good.txt
grep -q "comes from dataset row 0 of demo.tsv (first) and 0 of two.tsv (second)" good.txt && ! grep -q "ignoring the sidecar" good.txt \
  && ok "matching sidecars explain the difference" || { bad "explanation with matching sidecars"; cat good.txt; }
cp s1.json s2.json.keep; cp s1.json s2.json   # s2.npy now beside run 1's sidecar
sed -i 's/"file":"s1.npy"/"file":"s2.npy"/' s2.json
"$T" diff s1.npy s2.npy > /dev/null 2> mixed.txt
grep -q "note: ignoring the sidecar: s2.json: records dump_sha256 .* but s2.npy has another content" mixed.txt \
  && ok "a sidecar of another run: ignored with a note" || { bad "mixed pair not detected"; cat mixed.txt; }

finish
