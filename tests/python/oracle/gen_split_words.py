"""Expected values of tests/python/test_split_into_words.py, produced by transformers 4.9.1
itself: tokenizer(words, is_split_into_words=True) of the slow BertTokenizer (uncased, cased,
chinese) and ReformerTokenizer on word lists made from the shared edge_cases.txt and
cjk_heavy.txt lines (split on " ", and cut into 3-character pieces), singles and pairs,
with and without truncation. Nothing is written by hand.

    /usr/bin/python3 gen_split_words.py --hf-src <dir holding transformers/ of v4.9.1> \\
        --shared <shared dir> > split_words.json        # every 20th of the 6 992 rows; --every 1: all
"""
import logging, os, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_hf_extra import load  # noqa: E402
from oracle_common import arguments, print_json  # noqa: E402


def lines(path):
    raw = open(path, "rb").read().decode("utf-8")
    return raw[:-1].split("\n") if raw.endswith("\n") else raw.split("\n")


def main():
    a = arguments("hf-src", "shared", every=20)
    BertTokenizer, ReformerTokenizer, _ = load(a.hf_src)
    data = os.path.join(a.shared, "data")
    gold = os.path.join(a.shared, "golden", "tokenize")
    toks = {}
    for name, lower in (("bert-base-uncased", True), ("bert-base-cased", False), ("bert-base-chinese", False)):
        t = BertTokenizer(os.path.join(data, "vocab", name, "vocab.txt"), do_lower_case=lower)
        t.sanitize_special_tokens()
        toks[name] = t
    toks["reformer"] = ReformerTokenizer.from_pretrained(os.path.join(data, "spm", "reformer-crime-and-punishment"))
    texts = lines(os.path.join(gold, "edge_cases.txt")) + lines(os.path.join(gold, "cjk_heavy.txt"))[::8]
    word_lists = []
    for t in texts:
        w = t.split(" ")
        if any(w):
            word_lists.append(w)
        c = [t[i:i + 3] for i in range(0, len(t), 3)]
        if c:
            word_lists.append(c)
    rows = []
    for name, tok in toks.items():
        for k, words in enumerate(word_lists):
            pair = word_lists[(k * 7 + 3) % len(word_lists)] if k % 3 == 0 else None
            for ml in (None, 12):
                kw = dict(is_split_into_words=True, return_token_type_ids=name != "reformer" or pair is not None)
                if ml:
                    kw.update(truncation=True, max_length=ml)
                try:
                    out = tok(words, pair, **kw)
                    rows.append({"tokenizer": name, "words": words, "pair": pair, "max_length": ml,
                                 "input_ids": out["input_ids"], "token_type_ids": out.get("token_type_ids")})
                except Exception as e:
                    rows.append({"tokenizer": name, "words": words, "pair": pair, "max_length": ml,
                                 "error": type(e).__name__, "message": str(e)})
    if a.every > 1:  # the committed file keeps every Nth row (the full run: --every 1)
        rows = rows[::a.every]
    print_json({"note": "made by gen_split_words.py with transformers 4.9.1", "rows": rows}, ensure_ascii=True,
               separators=(",", ":"))


if __name__ == "__main__":
    logging.disable(logging.ERROR)
    main()
