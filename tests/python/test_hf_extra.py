"""transformers 4.9.1 behaviour beyond the goldens: SentencePiece pair
token_type_ids, return_length in batches, the token_type_ids/add_special_tokens
error (expected values in oracle/hf_extra.json, made by oracle/gen_hf_extra.py
with transformers 4.9.1 itself); BatchEncoding as 4.9.1's UserDict; the fast
tokenizer's overflow as extra rows with overflow_to_sample_mapping, checked
against the fast_overflowing goldens."""
import collections
import json
import os
import pickle

import numpy as np
import pytest

import tokalign
from conftest import SHARED, golden, read_jsonl

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "oracle", "hf_extra.json"), encoding="utf-8") as f:
    EXTRA = json.load(f)

_toks = {}


def tok(name, compat="slow"):
    if (name, compat) not in _toks:
        spec = os.path.join(SHARED, "data", "spm", "reformer-crime-and-punishment") if name == "reformer" else name
        _toks[name, compat] = tokalign.AutoTokenizer.from_pretrained(spec, compat=compat)
    return _toks[name, compat]


def plain(v):
    if isinstance(v, np.ndarray):
        return {"dtype": str(v.dtype), "shape": list(v.shape), "value": v.tolist()}
    return v


@pytest.mark.parametrize("name", [k for k in EXTRA if "expected" in EXTRA[k]])
def test_against_transformers_4_9_1(name):
    case = EXTRA[name]
    t = tok(case["tokenizer"])
    want = case["expected"]
    if "error" in want:
        with pytest.raises({"ValueError": ValueError, "TypeError": TypeError}[want["error"]]) as err:
            t(*case["args"], **case["kwargs"])
        assert str(err.value) == want["message"]
        return
    got = t(*case["args"], **case["kwargs"])
    assert list(got.keys()) == want["keys"]
    assert {k: plain(v) for k, v in got.items()} == want["values"]


def test_batch_encoding_is_4_9_1s_userdict():
    facts = EXTRA["batch_encoding"]
    e = tok("bert-base-uncased")("hello world")
    assert isinstance(e, dict) is facts["isinstance_dict"] is False
    assert isinstance(e, collections.UserDict) is facts["isinstance_userdict"] is True
    assert isinstance(e, collections.abc.Mapping) is facts["isinstance_mapping"]
    assert type(e.data).__name__ == facts["type_data"] and type(e.keys()).__name__ == facts["keys_type"]
    assert e.is_fast is facts["is_fast"] and e.n_sequences is facts["n_sequences"]
    with pytest.raises(KeyError) as err:
        e[0]
    assert str(err.value) == facts["int_index_keyerror"]
    with pytest.raises(AttributeError):
        e.nope
    assert (e == dict(e)) is facts["eq_dict"] and (repr(e) == repr(dict(e))) is facts["repr_like_dict"]
    assert e.input_ids == e["input_ids"] == e.data["input_ids"]
    assert list(e.items()) == list(e.data.items())
    back = pickle.loads(pickle.dumps(e))
    assert back == e and back.is_fast is False


def test_batch_encoding_fast_encodings():
    f = tok("bert-base-uncased", "fast")
    e = f(["hello world", "a"], ["b c", "d"], padding=True, return_offsets_mapping=True)
    assert e.is_fast and e.n_sequences == 2 and len(e.encodings) == 2
    enc = e[0]
    assert enc.ids == e["input_ids"][0] and enc.type_ids == e["token_type_ids"][0]
    assert enc.offsets == e["offset_mapping"][0] and enc.attention_mask == e["attention_mask"][0]
    assert e.tokens(0) == ["[CLS]", "hello", "world", "[SEP]", "b", "c", "[SEP]"]
    assert e.tokens(1) == ["[CLS]", "a", "[SEP]", "d", "[SEP]", "[PAD]", "[PAD]"]
    assert e.sequence_ids(1) == [None, 0, None, 1, None, None, None]
    s = tok("bert-base-uncased")(["a"])
    with pytest.raises(ValueError, match="tokens\\(\\) is not available when using Python-based tokenizers"):
        s.tokens()


def test_to_device_and_numpy():
    import torch

    pt = tok("bert-base-uncased")(["a b", "c"], padding=True, return_tensors="pt").to("cpu")
    assert isinstance(pt["input_ids"], torch.Tensor) and pt.input_ids.device.type == "cpu"
    with pytest.raises(AttributeError):  # numpy arrays have no .to, as in 4.9.1
        tok("bert-base-uncased")(["a"], return_tensors="np").to("cpu")


def _fast_rows(row):
    """The Rust rows of a golden: the encoding, then its overflow encodings."""
    main = row.get("fast", row)
    out = [{"input_ids": main["input_ids"], "token_type_ids": main["token_type_ids"],
            "special_tokens_mask": main["special_tokens_mask"], "offsets": [tuple(p) for p in main["offsets"]]}]
    for o in row.get("fast_overflowing", []):
        out.append({"input_ids": o["input_ids"], "token_type_ids": o["token_type_ids"],
                    "special_tokens_mask": o["special_tokens_mask"], "offsets": [tuple(p) for p in o["offsets"]]})
    return out


@pytest.mark.parametrize("model", ["bert-base-uncased", "bert-base-cased", "bert-base-chinese"])
def test_fast_overflow_rows_against_goldens(model):
    f = tok(model, "fast")
    rows = []
    for r in read_jsonl(golden("tokenize", "encode.%s.jsonl" % model)):
        if r["max_length"] is None:
            continue
        rows.append(r)
    checked = matched = errors = with_overflow = 0
    for r in rows:
        kw = dict(truncation=r["strategy"], max_length=r["max_length"], return_overflowing_tokens=True,
                  return_special_tokens_mask=True, return_offsets_mapping=True)
        checked += 1
        if "error" in r.get("fast", {}):
            with pytest.raises(Exception) as err:  # the Rust error's text
                f(r["text"], r["text_pair"], **kw)
            assert str(err.value) == r["fast"]["error"]
            errors += 1
            matched += 1
            continue
        want = _fast_rows(r)
        e = f(r["text"], r["text_pair"], **kw)
        assert list(e.keys()) == ["input_ids", "token_type_ids", "attention_mask", "special_tokens_mask",
                                  "offset_mapping", "overflow_to_sample_mapping"]
        got = [{"input_ids": e["input_ids"][i], "token_type_ids": e["token_type_ids"][i],
                "special_tokens_mask": e["special_tokens_mask"][i], "offsets": e["offset_mapping"][i]}
               for i in range(len(e["input_ids"]))]
        assert got == want, r["src"]
        assert e["overflow_to_sample_mapping"] == [0] * len(want)
        assert len(e[0].overflowing) == len(want) - 1
        with_overflow += len(want) > 1
        matched += 1
    print("%s fast overflow rows: checked %d, matched %d (%d errors, %d with overflow)"
          % (model, checked, matched, errors, with_overflow))
    assert checked == matched and with_overflow > 100

    # batched, padded, as numpy: rows stacked in text order, mapped back by overflow_to_sample_mapping
    ok = [r for r in rows if "error" not in r.get("fast", {}) and r["strategy"] == "longest_first"][:200]
    for ml in sorted({r["max_length"] for r in ok}):
        group = [r for r in ok if r["max_length"] == ml]
        texts = [r["text"] for r in group]
        pairs = [r["text_pair"] or "" for r in group] if any(r["text_pair"] for r in group) else None
        if pairs is not None:
            group = [r for r in group if r["text_pair"] is not None]
            texts, pairs = [r["text"] for r in group], [r["text_pair"] for r in group]
        e = f(texts, pairs, truncation="longest_first", max_length=ml, padding=True, return_overflowing_tokens=True,
              return_tensors="np")
        want = [x["input_ids"] for r in group for x in _fast_rows(r)]
        mapping = [i for i, r in enumerate(group) for _ in _fast_rows(r)]
        width = max(len(r["fast"]["input_ids"] if "fast" in r else r["input_ids"]) for r in group)
        assert e["input_ids"].shape == (len(want), width) and e["input_ids"].dtype == np.int64
        assert [row[:len(w)] for row, w in zip(e["input_ids"].tolist(), want)] == want
        assert e["overflow_to_sample_mapping"].tolist() == mapping
