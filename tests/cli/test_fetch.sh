#!/usr/bin/env bash
# tokalign fetch: download through $HF_ENDPOINT (a file:// hub here), hash check,
# and that `--tokenizer NAME` then finds the download in tokalign's cache.
set -euo pipefail
: "${TOKALIGN:?}" "${TKA_SHARED:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
hub=$work/hub/bert-base-cased/resolve/main
mkdir -p "$hub" "$work/hub/bert-base-uncased/resolve/main"
cp "$TKA_SHARED/data/vocab/bert-base-cased/vocab.txt" "$hub/"
# a vocabulary that is not the expected one, to see the hash warning
printf '[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\n' > "$work/hub/bert-base-uncased/resolve/main/vocab.txt"
export HF_ENDPOINT="file://$work/hub" TOKALIGN_CACHE="$work/cache" HF_HUB_CACHE="$work/none" PPNLP_HOME="$work/none"

out=$("$TOKALIGN" fetch bert-base-cased)
case "$out" in *"sha256 eeaa9875b23b04b4c54ef759d03db9d1ba1554838f8fb26c5d96fa551df93d02"*) ;; *) echo "unexpected: $out"; exit 1;; esac
cmp "$hub/vocab.txt" "$work/cache/bert-base-cased/vocab.txt"

err=$("$TOKALIGN" fetch bert-base-uncased 2>&1 >/dev/null)
case "$err" in *"warning"*"expected 07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3"*) ;; *) echo "no hash warning: $err"; exit 1;; esac

# unknown name, mirror-only name, missing file on the hub: non-zero exits with messages
set +e
"$TOKALIGN" fetch no-such-model 2>"$work/e1"; rc1=$?
"$TOKALIGN" fetch bpe320_republic 2>"$work/e2"; rc2=$?
HF_ENDPOINT="file://$work/empty" "$TOKALIGN" fetch hfl/chinese-bert-wwm 2>"$work/e3"; rc3=$?
"$TOKALIGN" fetch 2>/dev/null; rc4=$?
set -e
[ $rc1 -eq 3 ] && grep -q "not a known name" "$work/e1"
[ $rc2 -eq 3 ] && grep -q "not published on the HuggingFace hub" "$work/e2"
[ $rc3 -eq 3 ] && grep -q "downloading file://.*chinese-bert-wwm/resolve/main/vocab.txt failed" "$work/e3"
[ ! -e "$work/cache/hfl/chinese-bert-wwm" ]   # a failed download leaves no directory behind
[ $rc4 -eq 2 ]
echo "fetch: all checks passed"
