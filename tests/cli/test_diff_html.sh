#!/usr/bin/env bash
# `tokalign diff --html`: the page is self-contained and a real browser
# (Debian's chromium, headless) renders the per-key table, the verdict, the
# two token rows with the first difference highlighted and the source text.
set -u
T=${TOKALIGN:?}
S=${TKA_SHARED:?}
DATA=$S/data/demo_sst2_sentence/demo.tsv
W=$(mktemp -d "${TMPDIR:-/tmp}/tka_diff_html.XXXXXX")
trap 'rm -rf "$W"' EXIT
checked=0
failed=0

check() { # check NAME CONDITION-EXIT-CODE
  checked=$((checked + 1))
  if [ "$2" -ne 0 ]; then
    failed=$((failed + 1))
    echo "FAIL: $1" >&2
  fi
}

CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROMIUM" ]
check "chromium is installed (scripts/bootstrap.sh installs it)" $?
dom() { # dom FILE.html -> the DOM chromium builds, on stdout
  local profile
  profile=$(mktemp -d "$W/profile.XXXXXX")
  timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --dump-dom "file://$1" 2>/dev/null
}

cd "$W" || exit 1
pipe() { "$T" pipeline --num-batches 1 --dataset-items 2 "$@" 2>/dev/null; }
pipe --data "$DATA" --tokenizer bert-base-uncased --dump unc.npy && pipe --data "$DATA" --tokenizer bert-base-cased --dump cased.npy
check "dumps" $?

"$T" diff unc.npy cased.npy --tokenizer bert-base-uncased --tokenizer bert-base-cased --html "$W/report/diff.html" \
  >out 2>err
check "failing diff with --html exits 1" $(( $? == 1 ? 0 : 1 ))
[ -s report/diff.html ]; check "page written (directories created)" $?
! grep -qiE '(src|href)="(https?:)?//|<script|<link|@import|url\(' report/diff.html
check "no external assets, no scripts" $?

[ -n "$CHROMIUM" ] && dom "$W/report/diff.html" >dom.html
check "chromium dumps the DOM" $?
grep -q '<span id="verdict" class="verdict fail">failed</span>' dom.html; check "verdict rendered" $?
grep -q '<p class="summary" id="summary">4 of 7 keys differ.</p>' dom.html; check "summary" $?
grep -q '<table class="keys" id="keys">' dom.html; check "key table" $?
[ "$(grep -c '<tr class="fail">' dom.html)" -eq 4 ] && [ "$(grep -c '<tr class="pass">' dom.html)" -eq 3 ]
check "4 failing and 3 passing rows" $?
grep -qF '<tr class="fail"><td class="k"><a href="#key-dataset_2_input_ids">dataset_2_input_ids</a></td><td class="r">FAIL</td><td class="num">—</td><td class="num">(24,)</td><td class="num">(26,)</td><td class="num">[1]: 4473 vs 3643</td><td>tokenization</td></tr>' dom.html
check "row of a shape mismatch: no value, both shapes, first difference, cause" $?
grep -qF '<tr class="pass"><td class="k">dataset_2_labels</td><td class="r">pass</td><td class="num">0.0</td>' dom.html
check "row of a passing key with its value" $?
grep -qF '<span class="tk first" id="first"><i>1</i><b title="id 4473">allows</b><b title="id 3643">allows</b></span>' dom.html
check "first difference highlighted, both sides' tokens" $?
grep -qF '<span class="tk d"><i>6</i><b title="id 13401">nolan</b><b title="id 1185">no</b></span>' dom.html
check "later differences shaded" $?
grep -qF 'allows us to hope that nolan is poised to embark a major career as a commercial yet inventive filmmaker .' dom.html
check "source text" $?
grep -qF 'reprod_log raises: ValueError: operands could not be broadcast together with shapes (24,) (26,)' dom.html
check "reprod_log's exception shown" $?

# a passing diff: green verdict, no detail sections
"$T" diff unc.npy unc.npy --html pass.html >/dev/null 2>&1
check "passing diff with --html exits 0" $?
[ -n "$CHROMIUM" ] && dom "$W/pass.html" >dom2.html
grep -q '<span id="verdict" class="verdict pass">passed</span>' dom2.html && ! grep -q 'class="key"' dom2.html
check "passing page" $?

echo "$([ $failed -eq 0 ] && echo PASS || echo FAIL) cli diff --html in chromium: checked $checked, matched $((checked - failed))"
[ $failed -eq 0 ]
