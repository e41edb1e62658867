"""The CLI against the Rust tokenizer's answers on tokenizer.json rows, written once: how rows
go through `tokalign encode --offsets`, `encode --output-format ids` and `decode` (with and
without --skip-special-tokens), and when a row matches the oracle's answer (ids, type ids,
masks, offsets, the overflow encodings, decode both ways, the ids-only output).
Used by tests/cli/tj_audit/check.py, tests/cli/test_tj_more.sh, tests/cli/test_tokenizer_json.sh
and bench/tj/real_files.py.

Rows are dicts {"text", "pair", "add_special_tokens"}; answers are the oracle's rows
(shared/oracle/tokenizer_json/tj_oracle.js, tests/cli/tj_audit/oracle_audit.js, ...):
{"ids", "type_ids", "attention_mask", "special_tokens_mask", "offsets", "decoded",
"decoded_skip"[, "overflowing"]}.

usage: python3 tj_compare.py TOKALIGN TOKENIZER.json ROWS.jsonl ANSWERS.jsonl [--no-decode] [OPTION...]
Runs the rows with add_special_tokens true, then false (each a run of the CLI with the
OPTIONs), prints "add_special_tokens=B: checked N, matched M" for each, exit 1 on any difference.
"""
import json
import os
import subprocess
import sys
import tempfile

FIELDS = (("input_ids", "ids"), ("token_type_ids", "type_ids"), ("attention_mask", "attention_mask"),
          ("special_tokens_mask", "special_tokens_mask"), ("offsets", "offsets"))


def read_jsonl(path):
    return [json.loads(l) for l in open(path, encoding="utf-8") if l.strip()]


def write_jsonl(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def same_encoding(got, want):
    """One `encode --offsets` object against one oracle encoding (not its overflow)."""
    return all(got.get(a) == want[b] for a, b in FIELDS)


class Run:
    """The CLI's answers for rows run together: code and err of the encode run; enc (one
    object a row), and with decode: ids (one list a row), dec and decs (decoded texts)."""

    def __init__(self, code, err, enc, ids=None, dec=None, decs=None):
        self.code, self.err, self.enc, self.ids, self.dec, self.decs = code, err, enc, ids, dec, decs


def _cli(tokalign, args):
    p = subprocess.run([tokalign] + args, capture_output=True, text=True, encoding="utf-8")
    return p.returncode, p.stdout, p.stderr


def run_cli(tokalign, tj, rows, add_special_tokens, tmp, options=(), decode=True):
    """Runs ROWS through the CLI in one run (encode --offsets; with DECODE also the ids-only
    output and decode of those ids, with and without --skip-special-tokens)."""
    inp = os.path.join(tmp, "rows.jsonl")
    write_jsonl(inp, rows)
    base = ["--tokenizer", tj, "--input", inp, "--input-format", "jsonl", "--text-field", "text",
            "--pair-field", "pair"] + ([] if add_special_tokens else ["--no-special-tokens"]) + list(options)
    code, out, err = _cli(tokalign, ["encode", "--offsets"] + base)
    if code != 0:
        return Run(code, err, [])
    run = Run(code, err, [json.loads(l) for l in out.split("\n") if l])
    if decode:
        code, ids, err = _cli(tokalign, ["encode", "--output-format", "ids"] + base)
        idf = os.path.join(tmp, "ids.txt")
        with open(idf, "w", encoding="utf-8") as f:
            f.write(ids)
        run.ids = [[int(x) for x in l.split()] for l in ids.split("\n")[:len(rows)]] if code == 0 else []
        dec = _cli(tokalign, ["decode", "--tokenizer", tj, "--input", idf])[1]
        decs = _cli(tokalign, ["decode", "--tokenizer", tj, "--input", idf, "--skip-special-tokens"])[1]
        run.dec = [json.loads(l)["text"] for l in dec.split("\n") if l]
        run.decs = [json.loads(l)["text"] for l in decs.split("\n") if l]
    return run


def row_matches(run, k, want):
    """Row K of RUN against the oracle's answer WANT: every field, the overflow encodings when
    the oracle gives them, and (when RUN decoded) the ids-only output and both decodes."""
    e = run.enc[k] if k < len(run.enc) else {}
    if not same_encoding(e, want):
        return False
    if "overflowing" in want:
        eo = e.get("overflowing", [])
        if len(eo) != len(want["overflowing"]) or not all(same_encoding(a, b) for a, b in zip(eo, want["overflowing"])):
            return False
    if run.dec is None:
        return True
    return (k < len(run.ids) and run.ids[k] == want["ids"] and k < len(run.dec) and run.dec[k] == want["decoded"]
            and k < len(run.decs) and run.decs[k] == want["decoded_skip"])


def main(argv):
    tokalign, tj, rows_path, answers_path = argv[:4]
    options = argv[4:]
    decode = "--no-decode" not in options
    options = [o for o in options if o != "--no-decode"]
    rows, answers = read_jsonl(rows_path), read_jsonl(answers_path)
    if len(rows) != len(answers):
        print("%d rows but %d answers" % (len(rows), len(answers)))
        return 1
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        for sp in (True, False):
            idx = [i for i, r in enumerate(rows) if r["add_special_tokens"] == sp]
            if not idx:
                continue
            run = run_cli(tokalign, tj, [rows[i] for i in idx], sp, tmp, options, decode)
            bad = [i for k, i in enumerate(idx) if not row_matches(run, k, answers[i])]
            note = "  BAD rows %s" % bad[:10] if bad else ""
            if len(run.enc) != len(idx):
                note += "  %d encodings written for %d rows" % (len(run.enc), len(idx))
            if run.code:
                note += "  the CLI failed: %s" % run.err.strip()[:300]
            print("add_special_tokens=%s: checked %d, matched %d%s" % (str(sp).lower(), len(idx), len(idx) - len(bad), note))
            failed = failed or bool(bad) or len(run.enc) != len(idx)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
