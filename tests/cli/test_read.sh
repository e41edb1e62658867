#!/usr/bin/env bash
# CLI test of `tokalign read`: exact JSON for golden files, warnings on stderr,
# errors (exit 3, file:line:column and pandas' message), bounded memory.
set -u
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"
g=$TKA_SHARED/golden/tsv
cp "$g/tricky_quote_reopen.tsv" "$tmp/q.tsv"

# 1. exact output (pandas: '"a"b"c"' -> 'ab"c"', '"x""y"' -> 'x"y')
cat > "$tmp/want.json" <<'JSON'
{"file": "q.tsv", "mode": "pandas", "columns": ["sentence", "label"], "dtypes": ["object", "int64"], "index_is_default_range": true, "num_rows": 2, "text_column": 0, "pair_column": null, "label_column": 1, "warnings": ["q.tsv: warning: pandas and the GLUE reader (csv.reader, quotechar=None) read this file differently:", "  2 field(s) start with a double quote: pandas removes the quotes (and a quote left open joins the following lines); GLUE keeps them (first at line 2, column 1)"],
 "rows": [
  ["ab\"c\"", 1],
  ["x\"y", 0]
 ],
 "index": [0, 1]}
JSON
(cd "$tmp" && "$TOKALIGN" read q.tsv > got.json 2> err.txt)
check_cmd "exact JSON" cmp -s "$tmp/want.json" "$tmp/got.json"
check_cmd "warnings on stderr" grep -q "2 field(s) start with a double quote" "$tmp/err.txt"
(cd "$tmp" && "$TOKALIGN" read q.tsv --mode glue --jsonl > glue.jsonl 2> /dev/null)
printf '%s\n' '["\"a\"b\"c\"", "1"]' '["\"x\"\"y\"", "0"]' > "$tmp/want.jsonl"
check_cmd "GLUE rows (JSON Lines)" cmp -s <(tail -n +2 "$tmp/glue.jsonl") "$tmp/want.jsonl"

# 2. every golden frame through the CLI equals the golden JSON (pandas part)
check_cmd "golden frames via the CLI" "$TKA_PYTHON" - "$TOKALIGN" "$g" <<'PY'
import glob, json, os, subprocess, sys
tokalign, gdir = sys.argv[1], sys.argv[2]
bad = 0
for path in sorted(glob.glob(os.path.join(gdir, "tricky_*.json"))):
    want = json.load(open(path))["pandas"]
    tsv = path[:-5] + ".tsv"
    p = subprocess.run([tokalign, "read", tsv, "--text-field", "#0", "--label-field", ""],
                       capture_output=True, text=True)
    if "error" in want:
        ok = p.returncode == 3 and want["error"].rstrip("\n") in p.stderr
    else:
        got = json.loads(p.stdout)
        ok = (got["columns"] == want["columns"]
              and got["dtypes"] == [want["dtypes"][c] for c in want["columns"]]
              and got["index"] == want["index"] and got["rows"] == want["rows"]
              and got["index_is_default_range"] == want["index_is_default_range"])
    if not ok:
        bad += 1
        print("mismatch:", os.path.basename(tsv), p.stderr[:300], file=sys.stderr)
sys.exit(1 if bad else 0)
PY

# 3. errors: exit 3, position, the reference's message
fails() { # fails WANT_TEXT ARGS...
  local want=$1; shift
  "$TOKALIGN" read "$@" > "$tmp/out" 2> "$tmp/err"
  local rc=$?
  [ "$rc" -eq 3 ] && grep -qF -- "$want" "$tmp/err" || { echo "  rc=$rc: $(cat "$tmp/err")" >&2; return 1; }
}
check_cmd "EOF inside string" fails "line 3, column 1 (byte 25): a quoted field is never closed" "$g/tricky_runaway_to_eof.tsv"
check_cmd "extra field" fails "Error tokenizing data. C error: Expected 2 fields in line 3, saw 3" "$g/tricky_extra_field_nonempty.tsv"
check_cmd "KeyError for a header with spaces" fails "no text column named 'sentence' (columns: 'sentence ', ' label'); pandas raises KeyError" "$g/tricky_header_spaces.tsv"
printf 'sentence\tlabel\nok\t1\nbad \xff here\t0\n' > "$tmp/u.tsv"
check_cmd "invalid UTF-8" fails "u.tsv: line 3, column 5 (byte 24): invalid UTF-8 (byte 0xff)" "$tmp/u.tsv"
"$TOKALIGN" read "$tmp/u.tsv" --errors replace --jsonl > "$tmp/r.jsonl" 2> /dev/null
check_cmd "--errors replace" grep -qF '["bad � here", 0]' "$tmp/r.jsonl"
"$TOKALIGN" read "$tmp/u.tsv" --encoding-errors replace --jsonl > "$tmp/r2.jsonl" 2> /dev/null
check_cmd "--encoding-errors is an alias" cmp -s "$tmp/r.jsonl" "$tmp/r2.jsonl"
: > "$tmp/empty.tsv"
check_cmd "empty file" fails "EmptyDataError: No columns to parse from file" "$tmp/empty.tsv"
check_cmd "missing file" fails "cannot open" "$tmp/nope.tsv"
"$TOKALIGN" read > /dev/null 2>&1
check_cmd "no FILE is a usage error" test $? -eq 2

# 4. bounded memory: 400k rows (two pandas read blocks) use about what 50k rows use
check_cmd "peak memory does not grow with the file" "$TKA_PYTHON" - "$TOKALIGN" "$TKA_SHARED" "$tmp" <<'PY'
import os, resource, subprocess, sys
tokalign, shared, tmp = sys.argv[1:4]
lines = open(os.path.join(shared, "data/demo_sst2_sentence/demo.tsv"), encoding="utf-8").read().splitlines()
peaks = []
for n in (50000, 400000):
    path = os.path.join(tmp, "big%d.tsv" % n)
    with open(path, "w", encoding="utf-8") as f:
        f.write(lines[0] + "\n")
        for i in range(n):
            f.write(lines[1 + i % 32] + "\n")
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    p = subprocess.run([tokalign, "read", path, "--jsonl"], stdout=subprocess.DEVNULL)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB, max over children so far
    if p.returncode:
        sys.exit("read failed")
    peaks.append(peak)
    os.remove(path)
print("peak RSS KiB: 50k rows %d, 400k rows %d" % tuple(peaks))
# ru_maxrss of children is a running maximum: the second value bounds the larger run.
sys.exit(0 if peaks[1] < 64 * 1024 and peaks[1] - peaks[0] < 8 * 1024 else 1)
PY

finish
