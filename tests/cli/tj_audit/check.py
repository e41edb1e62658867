"""Compares the CLI with the Rust tokenizer's answers on the variants of variants.py.

usage: python3 check.py TOKALIGN VARIANTS_DIR EXPECTED_DIR
VARIANTS_DIR is what variants.py wrote; EXPECTED_DIR holds NAME.jsonl (a header line, then the
oracle's row for each input row, made by make_expected.sh). Prints one line per variant,
"NAME: checked N, matched N[, errors E as expected]", and a total; exit 1 on any difference.
Rows the Rust tokenizer refuses (truncation errors) are run alone, every one: the CLI must
fail with an error.
"""
import json, os, subprocess, sys, tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
import tj_compare as C  # noqa: E402

T, VDIR, EDIR = sys.argv[1:4]


def main(tmp):
    rows = C.read_jsonl(os.path.join(VDIR, "rows.jsonl"))
    total = matched = 0
    bad_all = []
    for m in C.read_jsonl(os.path.join(VDIR, "manifest.jsonl")):
        name, kind = m["name"], m["kind"]
        tj = os.path.join(VDIR, name + ".json")
        exp = C.read_jsonl(os.path.join(EDIR, name + ".jsonl"))
        header, exp = exp[0], exp[1:]
        assert "made_by" in header and len(exp) == len(rows), name
        checked = ok = errors = 0
        bad = []
        for sp in (True, False):
            idx = [i for i, r in enumerate(rows) if r["add_special_tokens"] == sp]
            good = [i for i in idx if "error" not in exp[i]]
            for i in idx:
                if "error" in exp[i]:  # Rust refuses this row: so must the CLI
                    checked += 1
                    p = subprocess.run([T, "encode", "--tokenizer", tj, "--input-format", "jsonl",
                                        "--text-field", "text", "--pair-field", "pair"]
                                       + ([] if sp else ["--no-special-tokens"]) + m.get("cli", []),
                                       input=json.dumps(rows[i], ensure_ascii=False) + "\n",
                                       capture_output=True, text=True, encoding="utf-8")
                    if p.returncode != 0 and "error" in p.stderr:
                        ok += 1
                        errors += 1
                    else:
                        bad.append(i)
            if kind == "batch":  # batches are runs of the subset, errors would break them
                assert len(good) == len(idx), name
            if not good:
                continue
            opts = (["--batch-size", str(m["batch"])] if kind == "batch" else m.get("cli", []))
            # batches: runs of the subset, only the encodings are compared; rows: decode too
            run = C.run_cli(T, tj, [rows[i] for i in good], sp, tmp, opts, decode=kind == "rows")
            if run.code != 0:
                print("  %s: the CLI failed: %s" % (name, run.err.strip()[:300]))
            for k, i in enumerate(good):
                checked += 1
                if C.row_matches(run, k, exp[i]):
                    ok += 1
                else:
                    bad.append(i)
        total += checked
        matched += ok
        print("%s: checked %d, matched %d%s%s" % (name, checked, ok, ", errors %d as expected" % errors if errors else "",
                                                 "  BAD rows %s" % bad[:12] if bad else ""))
        if bad:
            bad_all.append(name)
    print("tj_audit total: checked %d, matched %d" % (total, matched))
    sys.exit(1 if bad_all or total != matched else 0)


with tempfile.TemporaryDirectory() as scratch:
    main(scratch)
