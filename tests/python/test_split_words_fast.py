"""is_split_into_words=True with the fast tokenizers (compat="fast" BERT and every shared
tokenizer.json) against HuggingFace's Rust tokenizer: oracle/split_words_fast.json, composed
from npm tokenizers@0.23.2's output by oracle/gen_split_words_fast.py as Rust composes a
pre-tokenized sequence (each word alone, word id = its position, offsets within the word):
ids, word ids and offsets, singles and pairs."""
import json
import os

import pytest

import tokalign
from conftest import SHARED

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "oracle", "split_words_fast.json"), encoding="utf-8") as f:
    ROWS = json.load(f)["rows"]
# No Unicode-version gap left (Rust's Unicode 8.0 classes are reproduced): every row counts.
GAP_CHARS = set()


def none(ws):
    return [None if w < 0 else w for w in ws]


@pytest.mark.parametrize("model", ["bert-base-uncased-fast", "gpt2", "llama2", "llama3", "qwen3", "t5-style-unigram"])
def test_split_into_words_fast(model):
    tok = tokalign.AutoTokenizer.from_pretrained(os.path.join(SHARED, "data", "tokenizers", model), compat="fast")
    checked = matched = apart = 0
    for r in (x for x in ROWS if x["model"] == model):
        out = tok(r["words"], r["pair"], is_split_into_words=True, add_special_tokens=r["add_special_tokens"],
                  return_offsets_mapping=True)
        got = (out["input_ids"], out.word_ids(), [list(p) for p in out["offset_mapping"]])
        want = (r["input_ids"], none(r["word_ids"]), r["offsets"])
        if any(c in GAP_CHARS for c in "".join(r["words"] + (r["pair"] or []))) and got != want:
            apart += 1
            continue
        checked += 1
        assert got == want, r
        matched += 1
    print("%s is_split_into_words (fast): checked %d, matched %d (%d Unicode gap rows apart)"
          % (model, checked, matched, apart))
    assert checked == matched and checked > 100


def test_bert_vocab_fast_and_batches():
    tok = tokalign.AutoTokenizer.from_pretrained("bert-base-uncased", compat="fast")
    rows = [r for r in ROWS if r["model"] == "bert-base-uncased-fast" and r["add_special_tokens"]
            and not any(c in GAP_CHARS for c in "".join(r["words"] + (r["pair"] or [])))]
    singles = [r for r in rows if r["pair"] is None]
    out = tok([r["words"] for r in singles], is_split_into_words=True)
    assert out["input_ids"] == [r["input_ids"] for r in singles]
    assert [out.word_ids(i) for i in range(len(singles))] == [none(r["word_ids"]) for r in singles]
    pairs = [r for r in rows if r["pair"] is not None]
    out = tok([r["words"] for r in pairs], [r["pair"] for r in pairs], is_split_into_words=True, padding=True,
              return_tensors="np")
    width = out["input_ids"].shape[1]
    for i, r in enumerate(pairs):
        n = len(r["input_ids"])
        assert out["input_ids"][i].tolist() == r["input_ids"] + [0] * (width - n)
        assert out.word_ids(i) == none(r["word_ids"]) + [None] * (width - n)
    assert len(singles) > 50 and len(pairs) > 5
    # COMPAT: 4.9.1's _encode_plus drops an empty pair (`if text_pair`)
    assert tok(["a"], [], is_split_into_words=True)["input_ids"] == tok(["a"], is_split_into_words=True)["input_ids"]
    with pytest.raises(TypeError):
        tok("a b", is_split_into_words=True)
    # truncation keeps the first tokens of the untruncated encoding, word ids included
    words = max((r["words"] for r in singles), key=len) * 2
    full = tok(words, is_split_into_words=True)
    cut = tok(words, is_split_into_words=True, truncation=True, max_length=7)
    assert len(full["input_ids"]) > 7
    assert cut["input_ids"] == full["input_ids"][:6] + [102] and cut.word_ids() == full.word_ids()[:6] + [None]
