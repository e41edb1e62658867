"""is_split_into_words=True of the slow tokenizers against transformers 4.9.1's own output
(oracle/split_words.json, made by oracle/gen_split_words.py: BERT uncased/cased/chinese and
Reformer on word lists cut from the edge-case and CJK lines, singles and pairs, with and
without truncation)."""
import json
import os
import unicodedata

import pytest

import tokalign
from conftest import SHARED

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "oracle", "split_words.json"), encoding="utf-8") as f:
    ROWS = json.load(f)["rows"]
_toks = {}


def tok(name):
    if name not in _toks:
        spec = os.path.join(SHARED, "data", "spm", "reformer-crime-and-punishment") if name == "reformer" else name
        _toks[name] = tokalign.AutoTokenizer.from_pretrained(spec)
    return _toks[name]


def unicode_sensitive(r):
    """Code points unassigned in Python 3.11's Unicode 14 (the goldens' unicode_sensitive
    rows): tokalign follows utf8proc's Unicode 15 there."""
    s = "".join(r["words"]) + "".join(r["pair"] or [])
    return any(unicodedata.category(c) == "Cn" for c in s)


@pytest.mark.parametrize("name", ["bert-base-uncased", "bert-base-cased", "bert-base-chinese", "reformer"])
def test_is_split_into_words_against_4_9_1(name):
    rows = [r for r in ROWS if r["tokenizer"] == name]
    t = tok(name)
    checked = matched = apart = 0
    for r in rows:
        if unicode_sensitive(r):
            apart += 1
            continue
        kw = dict(is_split_into_words=True, return_token_type_ids=r["token_type_ids"] is not None)
        if r["max_length"]:
            kw.update(truncation=True, max_length=r["max_length"])
        out = t(r["words"], r["pair"], **kw)
        checked += 1
        assert out["input_ids"] == r["input_ids"], r
        assert out.get("token_type_ids") == r["token_type_ids"], r
        matched += 1
    print("%s is_split_into_words: checked %d, matched %d (%d Unicode-14-unassigned rows apart)"
          % (name, checked, matched, apart))
    assert checked == matched and checked > 50


def test_batches_and_errors():
    t = tok("bert-base-uncased")
    words = [r["words"] for r in ROWS if r["tokenizer"] == "bert-base-uncased" and r["pair"] is None
             and not r["max_length"] and not unicode_sensitive(r)][:20]
    want = [r["input_ids"] for r in ROWS if r["tokenizer"] == "bert-base-uncased" and r["pair"] is None
            and not r["max_length"] and not unicode_sensitive(r)][:20]
    assert t(words, is_split_into_words=True)["input_ids"] == want
    # a flat list of str is ONE pretokenized example, not a batch
    assert t(words[0], is_split_into_words=True)["input_ids"] == want[0]
    with pytest.raises(ValueError, match=r"Input \[\] is not valid. Should be a string or a list/tuple of strings "
                                         r"when `is_split_into_words=True`."):
        t([[]] * 2, is_split_into_words=True)
    # compat="fast": test_split_words_fast.py
