"""Expected values of tests/python/test_word_ids.py, produced by HuggingFace's Rust tokenizer
itself (npm tokenizers@0.23.2 through word_ids_oracle.js): the Encoding's word ids
(getWordIds, what transformers' BatchEncoding.word_ids() returns) for each tokenizer.json in
the shared data. Rows name a row of the shared tokenizer_json goldens (set, i) for their text and pair: every
other line of the edge-case set, every 10th CJK line, the first
40 lines mixing each model's added tokens, 30 consecutive-line pairs, 30 Botchan lines with
add_special_tokens alternating, and 30 rows truncated to max_length 12 with stride 2 (the main
encoding and its overflow; their ids are kept too). Nothing is written by hand.

    NODE_PATH=<dir holding node_modules/tokenizers> /usr/bin/python3 gen_word_ids.py \\
        --shared <shared dir> > word_ids.json
"""
import os, sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from oracle_common import MODELS, arguments, golden_rows, print_json, run_node  # noqa: E402


def rows_for(shared, model):
    out = []

    def add(name, r, **kw):
        # the text (and pair) are those of row r["i"] of the golden set `name`
        row = {"set": name, "i": r["i"], "text": r["text"], "pair": r.get("pair"),
               "add_special_tokens": r["add_special_tokens"], "max_length": None, "stride": 0}
        row.update(kw)
        out.append(row)

    def take(name, sl, **kw):
        for r in golden_rows(shared, model, name)[sl]:
            add(name, r, **kw)

    take("edge_cases", slice(None, None, 2))
    take("cjk_heavy", slice(None, None, 10))
    take("special", slice(40))
    take("pairs", slice(30))
    take("botchan", slice(30))
    # truncation with overflow: singles, pairs, and lines with added tokens
    for name in ("botchan", "pairs", "special"):
        take(name, slice(40, 50), add_special_tokens=True, max_length=12, stride=2)
    return out


def main():
    a = arguments("shared")
    result = []
    for model in MODELS:
        rows = rows_for(a.shared, model)
        got = run_node(os.path.join(HERE, "word_ids_oracle.js"),
                       os.path.join(a.shared, "data", "tokenizers", model, "tokenizer.json"), rows)
        for r, g in zip(rows, got):
            r["model"] = model
            r.update(g)
            if r["max_length"] is None and "ids" in r:
                del r["ids"]  # the shared goldens hold them; kept where truncation cut them
            del r["text"], r["pair"]  # the test reads them from the golden row
            if "word_ids" in r:  # None as -1, as tokalign's arrays carry it
                r["word_ids"] = [[-1 if w is None else w for w in x] for x in r["word_ids"]]
            result.append(r)
    print_json({"oracle": "npm tokenizers@0.23.2", "rows": result}, ensure_ascii=False, separators=(",", ":"))


if __name__ == "__main__":
    main()
