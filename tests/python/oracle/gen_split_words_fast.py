"""Expected values of test_split_words_fast.py: is_split_into_words=True of the fast
tokenizers, from HuggingFace's Rust tokenizer (npm tokenizers@0.23.2 through tj_oracle.js of
the shared oracle). That binding takes no pre-tokenized input (its encode() converts the
sequence to a String), so the rows are composed from its output the way Rust composes a
pre-tokenized sequence (tokenizers' TokenizerImpl::encode_single_sequence, InputSequence::
PreTokenized): each word encoded alone without special tokens, its tokens given the word's
position as word id, offsets within the word (Encoding::merge without growing offsets).
Rows: for each tokenizer.json of the shared data, word lists cut from the shared
tokenizer_json goldens (edge cases, CJK, lines with added tokens: split on " ", and cut into
3-character pieces), singles and pairs, add_special_tokens=False. With special tokens BERT's
rows come from the oracle's encode of the words joined by " " (BertPreTokenizer splits on
whitespace first, so the ids are those of the words; the post-processor's [CLS] / [SEP] come
with it), word ids still as composed above. Nothing is written by hand.

    NODE_PATH=<dir holding node_modules/tokenizers> /usr/bin/python3 gen_split_words_fast.py \\
        --shared <shared dir> > split_words_fast.json
"""
import os, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from oracle_common import MODELS, arguments, golden_rows, print_json, run_node  # noqa: E402


def oracle(shared, model, rows):
    got = run_node(os.path.join(shared, "oracle", "tokenizer_json", "tj_oracle.js"),
                   os.path.join(shared, "data", "tokenizers", model, "tokenizer.json"), rows)
    assert not any("error" in g for g in got)
    return got


def word_lists(shared, model):
    texts = [r["text"] for r in golden_rows(shared, model, "edge_cases")[::8]]
    texts += [r["text"] for r in golden_rows(shared, model, "cjk_heavy")[::50]]
    texts += [r["text"] for r in golden_rows(shared, model, "special")[:15]]
    out = []
    for t in texts:
        out.append(t.split(" "))
        out.append([t[k:k + 3] for k in range(0, len(t), 3)])
    return [w for w in out if len(w) <= 24]


def main():
    a = arguments("shared")
    result = []
    for model in MODELS:
        lists = word_lists(a.shared, model)
        # (no empty pair: transformers 4.9.1 drops one for a single example, `if text_pair`)
        cases = [(w, None) for w in lists] + [(lists[k], lists[k + 1]) for k in range(0, len(lists) - 1, 7)
                                              if lists[k + 1]]
        words = sorted({x for w, p in cases for x in w + (p or [])})
        got = oracle(a.shared, model, [{"text": x, "add_special_tokens": False} for x in words])
        per = dict(zip(words, got))
        joined = []
        if model == "bert-base-uncased-fast":
            joined = oracle(a.shared, model, [{"text": " ".join(w), "pair": None if p is None else " ".join(p),
                                               "add_special_tokens": True} for w, p in cases])

        def compose(ws):
            ids, wids, offs = [], [], []
            for i, x in enumerate(ws):
                ids += per[x]["ids"]
                wids += [i] * len(per[x]["ids"])
                offs += per[x]["offsets"]
            return ids, wids, offs

        for k, (w, p) in enumerate(cases):
            ia, wa, oa = compose(w)
            ib, wb, ob = compose(p) if p is not None else ([], [], [])
            result.append({"model": model, "words": w, "pair": p, "add_special_tokens": False,
                           "input_ids": ia + ib, "word_ids": wa + wb, "offsets": oa + ob})
            if joined:
                nb = len(ib)
                wid = [-1] + wa + [-1] + (wb + [-1] if p is not None else [])
                result.append({"model": model, "words": w, "pair": p, "add_special_tokens": True,
                               "input_ids": joined[k]["ids"], "word_ids": wid,
                               "offsets": [[0, 0]] + oa + [[0, 0]] + (ob + [[0, 0]] if p is not None else [])})
    print_json({"oracle": "npm tokenizers@0.23.2", "rows": result}, ensure_ascii=False, separators=(",", ":"))


if __name__ == "__main__":
    main()
