"""Compares the CLI with the Rust tokenizer's answers on the variants of variants.py.

usage: python3 check.py TOKALIGN VARIANTS_DIR EXPECTED_DIR
VARIANTS_DIR is what variants.py wrote; EXPECTED_DIR holds NAME.jsonl (a header line, then the
oracle's row for each input row, made by make_expected.sh). Prints one line per variant,
"NAME: checked N, matched N[, errors E as expected]", and a total; exit 1 on any difference.
Rows the Rust tokenizer refuses (truncation errors) are run alone, the first 3 of each run:
the CLI must fail with an error; the others are not checked.
"""
import json, os, subprocess, sys, tempfile

T, VDIR, EDIR = sys.argv[1:4]
FIELDS = (("input_ids", "ids"), ("token_type_ids", "type_ids"), ("attention_mask", "attention_mask"),
          ("special_tokens_mask", "special_tokens_mask"), ("offsets", "offsets"))


def rd(path):
    return [json.loads(l) for l in open(path, encoding="utf-8") if l.strip()]


def run(args, inp=None):
    p = subprocess.run([T] + args, input=inp, capture_output=True, text=True, encoding="utf-8")
    return p.returncode, p.stdout, p.stderr


def same(e, w):
    return all(e.get(a) == w[b] for a, b in FIELDS)


def main():
    rows = rd(os.path.join(VDIR, "rows.jsonl"))
    total = matched = 0
    bad_all = []
    tmp = tempfile.mkdtemp()
    for m in rd(os.path.join(VDIR, "manifest.jsonl")):
        name, kind = m["name"], m["kind"]
        tj = os.path.join(VDIR, name + ".json")
        exp = rd(os.path.join(EDIR, name + ".jsonl"))
        header, exp = exp[0], exp[1:]
        assert "made_by" in header and len(exp) == len(rows), name
        checked = ok = errors = 0
        bad = []
        for sp in (True, False):
            idx = [i for i, r in enumerate(rows) if r["add_special_tokens"] == sp]
            good = [i for i in idx if "error" not in exp[i]]
            refused = 0
            for i in idx:
                if "error" in exp[i] and refused < 3:  # Rust refuses this row: so must the CLI
                    refused += 1
                    checked += 1
                    code, _, err = run(["encode", "--tokenizer", tj, "--input-format", "jsonl",
                                        "--text-field", "text", "--pair-field", "pair"]
                                       + ([] if sp else ["--no-special-tokens"]) + m.get("cli", []),
                                       json.dumps(rows[i], ensure_ascii=False) + "\n")
                    if code != 0 and "error" in err:
                        ok += 1
                        errors += 1
                    else:
                        bad.append(i)
            if kind == "batch":  # batches are runs of the subset, errors would break them
                assert len(good) == len(idx), name
            if not good:
                continue
            inp = os.path.join(tmp, "in.jsonl")
            with open(inp, "w", encoding="utf-8") as f:
                for i in good:
                    f.write(json.dumps(rows[i], ensure_ascii=False) + "\n")
            base = ["--tokenizer", tj, "--input", inp, "--input-format", "jsonl", "--text-field", "text",
                    "--pair-field", "pair"] + ([] if sp else ["--no-special-tokens"])
            opts = (["--batch-size", str(m["batch"])] if kind == "batch" else m.get("cli", []))
            code, out, err = run(["encode", "--offsets"] + base + opts)
            enc = [json.loads(l) for l in out.split("\n") if l] if code == 0 else []
            dec = decs = [None] * len(good)
            if kind == "rows" and code == 0:
                _, ids, _ = run(["encode", "--output-format", "ids"] + base + opts)  # the ids-only path
                idsf = os.path.join(tmp, "ids.txt")
                open(idsf, "w").write(ids)
                idl = [[int(x) for x in l.split()] for l in ids.split("\n")[:len(good)]]
                dec = [json.loads(l)["text"] for l in run(["decode", "--tokenizer", tj, "--input", idsf])[1].split("\n") if l]
                decs = [json.loads(l)["text"] for l in
                        run(["decode", "--tokenizer", tj, "--input", idsf, "--skip-special-tokens"])[1].split("\n") if l]
            if code != 0:
                print("  %s: the CLI failed: %s" % (name, err.strip()[:300]))
            for k, i in enumerate(good):
                checked += 1
                w = exp[i]
                e = enc[k] if k < len(enc) else {}
                good_row = same(e, w)
                if good_row and "overflowing" in w:
                    eo = e.get("overflowing", [])
                    good_row = len(eo) == len(w["overflowing"]) and all(same(a, b) for a, b in zip(eo, w["overflowing"]))
                if good_row and kind == "rows":
                    good_row = k < len(dec) and dec[k] == w["decoded"] and decs[k] == w["decoded_skip"] \
                        and k < len(idl) and idl[k] == w["ids"]
                if good_row:
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


main()
