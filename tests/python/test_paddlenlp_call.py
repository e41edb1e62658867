"""tokalign.paddlenlp's tokenizer call against PaddleNLP 2.0/2.1's own
BertTokenizer.__call__ (oracle/paddlenlp_call.json, made by
oracle/gen_paddlenlp_call.py from a 2.0.0 and a 2.1.0 tree, which agree):
singles, pairs and batches; stride and return_overflowing_tokens (a batch of
pairs with stride > 0 cut into windows with offset_mapping and
overflow_to_sample); every truncation_strategy; max_seq_len down to 1;
is_split_into_words. Every row's every key (in order) and value is
compared; a call PaddleNLP fails raises the same exception class."""
import collections
import json
import os

import pytest

import tokalign.paddlenlp

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "oracle", "paddlenlp_call.json"), encoding="utf-8") as f:
    ORACLE = json.load(f)
_toks = {}


def tok(name):
    if name not in _toks:
        _toks[name] = tokalign.paddlenlp.AutoTokenizer.from_pretrained(name)
    return _toks[name]


def plain(value):
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def test_oracle_is_2_0_and_2_1():
    assert ORACLE["paddlenlp"] == ["2.0.0", "2.1.0"]
    assert len(ORACLE["cases"]) > 1000


def test_call_against_paddlenlp_2_0_2_1():
    counts = collections.Counter()
    mismatches = []
    for case in ORACLE["cases"]:
        t = tok(case["vocab"])
        words = case["kwargs"].get("is_split_into_words", False)
        first = case["args"][0]
        batched = isinstance(first, list) and (not words or (first and isinstance(first[0], list)))
        kind = ("batch" if batched else "single") + ("+pair" if len(case["args"]) > 1 else "") + (
            "+words" if words else "")
        if "error" in case:
            try:
                t(*case["args"], **case["kwargs"])
            except Exception as e:  # the exception class is the expected value
                got = type(e).__name__
            else:
                got = "no error"
            counts["error"] += 1
            if got != case["error"]:
                mismatches.append((case, got))
            continue
        got = t(*case["args"], **case["kwargs"])
        keys = [list(d) for d in got] if isinstance(got, list) else list(got)
        counts[kind] += 1
        if isinstance(got, list):
            counts["rows"] += len(got)
            counts["windows"] += sum("overflow_to_sample" in d for d in got)
            counts["fields"] += sum(len(d) for d in got)
        else:
            counts["rows"] += 1
            counts["fields"] += len(got)
        if keys != case["keys"] or plain(got) != case["result"]:
            mismatches.append((case, plain(got)))
    print("paddlenlp %s call cases: %s; mismatches: %d" % ("/".join(ORACLE["paddlenlp"]), dict(counts),
                                                            len(mismatches)))
    for case, got in mismatches[:5]:
        print("MISMATCH", json.dumps(case, ensure_ascii=False)[:600], "\n  GOT", json.dumps(got)[:600])
    assert not mismatches
    assert counts["windows"] > 100 and counts["error"] > 100


def test_window_without_room_raises_instead_of_looping():
    # PaddleNLP 2.0/2.1 loops forever when max_seq_len - len(first) - 3 == 0
    t = tok("bert-base-uncased")
    with pytest.raises(ValueError, match="no room for the second text"):
        t(["a b"], ["x y z"], max_seq_len=5, stride=1)
