#!/usr/bin/env bash
# A TSV header with 1,000,000 columns (about 11 MB, every name twice so pandas'
# duplicate mangling runs for half of them) is read in linear time: column names
# are hashed (issue 12, item 4: it used to take about 85 minutes). The bounds are
# CPU seconds and peak RSS, asserted; generous enough for a sanitizer build.
set -uo pipefail
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"
n=1000000
"$TKA_PYTHON" - "$tmp/wide.tsv" $n <<'PY'
import sys
path, n = sys.argv[1], int(sys.argv[2])
names = ["sentence", "label"] + ["col%d" % (i % (n // 2)) for i in range(n - 2)]
with open(path, "w") as f:
    f.write("\t".join(names) + "\n")
    f.write("\t".join(["hello", "1"] + ["7"] * (n - 2)) + "\n")
PY
/usr/bin/time -f "%U %S %M" -o "$tmp/usage" "$TOKALIGN" read "$tmp/wide.tsv" > "$tmp/out.json" 2> "$tmp/err"; rc=$?
read -r user sys rss < <(tail -1 "$tmp/usage")
cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')
echo "1,000,000 columns ($(stat -c %s "$tmp/wide.tsv") bytes): ${cpu} s CPU, peak RSS ${rss} KB"
[ $rc -eq 0 ] && ok "read exits 0" || { bad "read exit $rc"; head -c 500 "$tmp/err"; }
awk -v c="$cpu" 'BEGIN { exit !(c < 60) }' && ok "CPU time ${cpu} s < 60 s (quadratic: ~85 min)" || bad "CPU time $cpu s"
[ "$rss" -lt 1500000 ] && ok "peak RSS ${rss} KB < 1.5 GB" || bad "peak RSS $rss KB"
"$TKA_PYTHON" - "$tmp/out.json" $n <<'PY' && ok "names mangled as pandas does (col0, ..., col0.1, ...)" || bad "column names"
import json, sys
cols = json.load(open(sys.argv[1]))["columns"]
n = int(sys.argv[2])
names = [c["name"] if isinstance(c, dict) else c for c in cols]
assert len(names) == n, len(names)
half = (n - 2) // 2
assert names[2] == "col0" and names[2 + n // 2] == "col0.1", (names[2], names[2 + n // 2])
assert names[-1] == "col%d.1" % ((n - 3) % (n // 2)), names[-1]
assert len(set(names)) == n
PY
finish
