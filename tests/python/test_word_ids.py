"""BatchEncoding.word_ids() / words() / token_to_word / word_to_tokens of the fast tokenizers
against HuggingFace's Rust tokenizer itself: oracle/word_ids.json holds the Encoding word ids
that npm tokenizers@0.23.2 gives (oracle/gen_word_ids.py) for each tokenizer.json of the shared
data, on rows of the shared tokenizer_json goldens (edge cases, CJK, lines mixing added tokens,
pairs, Botchan, and truncation with stride and overflow). BERT is checked twice: its
tokenizer.json and the vocab.txt opened with compat="fast"."""
import json
import os
import warnings

import numpy as np
import pytest

import tokalign
from conftest import SHARED, golden, read_jsonl

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "oracle", "word_ids.json"), encoding="utf-8") as f:
    ROWS = json.load(f)["rows"]
_sets = {}


# No line's ids differ from the Rust tokenizer's any more (Rust's Unicode 8.0 classes are
# reproduced): every row is compared.
UNICODE8_GAPS = set()


def source(model, name, i):
    key = (model, name)
    if key not in _sets:
        _sets[key] = {r["i"]: r for r in read_jsonl(golden("tokenizer_json", "%s.%s.jsonl" % (model, name)))}
    return _sets[key][i]


def none(ws):
    return [None if w < 0 else w for w in ws]


def check(tok, model):
    rows = [r for r in ROWS if r["model"] == model]
    checked = matched = 0
    gaps = set()
    for r in rows:
        g = source(model, r["set"], r["i"])
        text, pair = g["text"], g.get("pair")
        if r["max_length"] is None and tok(text, pair, add_special_tokens=r["add_special_tokens"])["input_ids"] != g["ids"]:
            gaps.add((model, r["set"], r["i"]))
            continue
        kw = dict(add_special_tokens=r["add_special_tokens"])
        if r["max_length"] is not None:
            kw.update(truncation=True, max_length=r["max_length"], stride=r["stride"],
                      return_overflowing_tokens=True)
        out = tok(text, pair, **kw)
        want = [none(w) for w in r["word_ids"]]
        got = [out.word_ids(k) for k in range(len(out.encodings))]
        checked += 1
        assert got == want, (r, text, pair)
        if "ids" in r:
            ids = out["input_ids"] if r["max_length"] is not None else [out["input_ids"]]
            assert ids == r["ids"], r
        matched += 1
    assert gaps == {x for x in UNICODE8_GAPS if x[0] == model and any(
        (r["model"], r["set"], r["i"]) == x for r in rows)}, sorted(gaps)
    return checked, matched, len(gaps)


@pytest.mark.parametrize("model", ["bert-base-uncased-fast", "gpt2", "llama2", "llama3", "qwen3", "t5-style-unigram"])
def test_word_ids_tokenizer_json(model):
    tok = tokalign.AutoTokenizer.from_pretrained(os.path.join(SHARED, "data", "tokenizers", model), compat="fast")
    checked, matched, apart = check(tok, model)
    print("%s word_ids: checked %d, matched %d (%d Unicode gap lines apart)" % (model, checked, matched, apart))
    assert checked == matched and checked > 200


def test_word_ids_bert_vocab_fast():
    tok = tokalign.AutoTokenizer.from_pretrained("bert-base-uncased", compat="fast")
    checked, matched, apart = check(tok, "bert-base-uncased-fast")
    print("bert-base-uncased compat=fast word_ids: checked %d, matched %d (%d Unicode 8.0 gap lines apart)"
          % (checked, matched, apart))
    assert checked == matched and checked > 200


def test_batch_padding_and_helpers():
    tok = tokalign.AutoTokenizer.from_pretrained("bert-base-uncased", compat="fast")
    out = tok(["Hello, world!", "a [SEP] b"], ["x y", "z"], padding=True, return_tensors="np")
    # the Rust values (npm tokenizers@0.23.2): padding has no word
    assert out.word_ids(0) == [None, 0, 1, 2, 3, None, 0, 1, None]
    assert out.word_ids(1) == [None, 0, 1, 2, None, 0, None, None, None]
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        assert out.words(1) == out.word_ids(1)
    assert any(issubclass(x.category, FutureWarning) for x in w)
    assert out.token_to_word(0, 3) == 2 and out.token_to_word(0, 0) is None and out.token_to_word(0, 99) is None
    assert out.word_to_tokens(0, 1) == (2, 3) and out.word_to_tokens(0, 1).start == 2
    assert out.word_to_tokens(0, 1, sequence_index=1) == (7, 8)
    assert out.word_to_tokens(0, 9) is None
    one = tok("Hello, world!")
    assert one.word_ids() == [None, 0, 1, 2, 3, None]
    assert one.token_to_word(2) == 1 and one.word_to_tokens(3) == (4, 5)
    assert one[0].word_ids == one.word_ids() and one[0].token_to_word(1) == 0
    # COMPAT: 4.9.1 reads BatchEncoding._batch_size / _seq_len, which do not exist
    with pytest.raises(AttributeError):
        one.token_to_word(-1)
    with pytest.raises(AttributeError):
        out.word_to_tokens(-1, 0)


def test_slow_tokenizers_have_none():
    out = tokalign.AutoTokenizer.from_pretrained("bert-base-uncased")("Hello, world!")
    with pytest.raises(ValueError, match="word_ids\\(\\) is not available when using Python-based tokenizers"):
        out.word_ids()
    with pytest.raises(ValueError, match="token_to_word\\(\\) is not available when using Python based tokenizers"):
        out.token_to_word(1)
    with pytest.raises(ValueError, match="word_to_tokens\\(\\) is not available when using Python based tokenizers"):
        out.word_to_tokens(1)
