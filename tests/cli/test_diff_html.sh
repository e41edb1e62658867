#!/usr/bin/env bash
# `tokalign diff --html`: the page is self-contained and a real browser
# (Debian's chromium, headless) renders the per-key table, the verdict, the
# two token rows with the first difference highlighted and the source text.
set -u
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"


CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROMIUM" ]
check_rc "chromium is installed (scripts/bootstrap.sh installs it)" $?
dom() { # dom FILE.html -> the DOM chromium builds, on stdout
  local profile
  profile=$(mktemp -d "$tmp/profile.XXXXXX")
  timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --dump-dom "file://$1" 2>/dev/null
}

cd "$tmp" || exit 1
pipe() { "$T" pipeline --num-batches 1 --dataset-items 2 "$@" 2>/dev/null; }
pipe --data "$DEMO" --tokenizer bert-base-uncased --dump unc.npy && pipe --data "$DEMO" --tokenizer bert-base-cased --dump cased.npy
check_rc "dumps" $?

"$T" diff unc.npy cased.npy --tokenizer bert-base-uncased --tokenizer bert-base-cased --html "$tmp/report/diff.html" \
  >out 2>err
check "failing diff with --html exits 1" 1 $?
[ -s report/diff.html ]; check_rc "page written (directories created)" $?
! grep -qiE '(src|href)="(https?:)?//|<script|<link|@import|url\(' report/diff.html
check_rc "no external assets, no scripts" $?

[ -n "$CHROMIUM" ] && dom "$tmp/report/diff.html" >dom.html
check_rc "chromium dumps the DOM" $?
grep -q '<span id="verdict" class="verdict fail">failed</span>' dom.html; check_rc "verdict rendered" $?
grep -q '<p class="summary" id="summary">4 of 7 keys differ.</p>' dom.html; check_rc "summary" $?
grep -q '<table class="keys" id="keys">' dom.html; check_rc "key table" $?
[ "$(grep -c '<tr class="fail">' dom.html)" -eq 4 ] && [ "$(grep -c '<tr class="pass">' dom.html)" -eq 3 ]
check_rc "4 failing and 3 passing rows" $?
grep -qF '<tr class="fail"><td class="k"><a href="#key-dataset_2_input_ids">dataset_2_input_ids</a></td><td class="r">FAIL</td><td class="num">—</td><td class="num">(24,)</td><td class="num">(26,)</td><td class="num">[1]: 4473 vs 3643</td><td>tokenization</td></tr>' dom.html
check_rc "row of a shape mismatch: no value, both shapes, first difference, cause" $?
grep -qF '<tr class="pass"><td class="k">dataset_2_labels</td><td class="r">pass</td><td class="num">0.0</td>' dom.html
check_rc "row of a passing key with its value" $?
grep -qF '<span class="tk first" id="first"><i>1</i><b title="id 4473">allows</b><b title="id 3643">allows</b></span>' dom.html
check_rc "first difference highlighted, both sides' tokens" $?
grep -qF '<span class="tk d"><i>6</i><b title="id 13401">nolan</b><b title="id 1185">no</b></span>' dom.html
check_rc "later differences shaded" $?
grep -qF 'allows us to hope that nolan is poised to embark a major career as a commercial yet inventive filmmaker .' dom.html
check_rc "source text" $?
grep -qF 'reprod_log raises: ValueError: operands could not be broadcast together with shapes (24,) (26,)' dom.html
check_rc "reprod_log's exception shown" $?

# a passing diff: green verdict, no detail sections
"$T" diff unc.npy unc.npy --html pass.html >/dev/null 2>&1
check_rc "passing diff with --html exits 0" $?
[ -n "$CHROMIUM" ] && dom "$tmp/pass.html" >dom2.html
grep -q '<span id="verdict" class="verdict pass">passed</span>' dom2.html && ! grep -q 'class="key"' dom2.html
check_rc "passing page" $?

finish
