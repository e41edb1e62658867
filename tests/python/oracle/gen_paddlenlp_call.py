"""Expected values of tokalign.paddlenlp's tokenizer call: PaddleNLP 2.0/2.1's
own BertTokenizer.__call__ run over a grid of inputs (single texts, pairs,
batches; stride with and without pairs; every truncation_strategy;
max_seq_len small enough to overflow; is_split_into_words), written as
paddlenlp_call.json. A call that raises is recorded by its exception class.

Each --paddlenlp-src is a directory holding a PaddleNLP tree's paddlenlp/
(loaded by paddlenlp_src.py without paddle); --source names where it came
from (repository@commit), kept in the JSON. With several trees the results
must agree, else the script fails. The JSON in the project was made with

    /usr/bin/python3 gen_paddlenlp_call.py --vocab-dir <shared>/data/vocab \\
        --paddlenlp-src <tree A> --source 27182812/ChineseBERT_paddle@ef748e2b4a4b8e1c3e9ef1528f7c6005437e1bd3 \\
        --paddlenlp-src <tree B> --source ncpaddle/splinter-paddlepaddle@5051de2fadf29ffe9497896f27e0ae018b90ae29 \\
        > paddlenlp_call.json

(the paddlenlp/ folders of those commits: PaddleNLP 2.0.0 and 2.1.0 as
vendored there; PaddlePaddle/PaddleNLP's own history was not reachable).
"""
import argparse
import itertools
import json
import logging
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from paddlenlp_src import load  # noqa: E402

TEXTS = [
    "hello world, this is a test",
    "",
    "H\u00e9llo W\u00f6rld, caf\u00e9 na\u00efve r\u00e9sum\u00e9!",
    "unaffable tokenization \u5317\u4eac\u6b22\u8fce\u4f60 ok",
    "the quick brown fox jumps over the lazy dog again and again",
    "\u2603 snowman \u2603\u2603 x",
]
QUESTIONS = ["what is it?", "", "who?", "Where is the caf\u00e9 \u5317\u4eac?"]
CONTEXTS = [
    "hello world, this is a test of the stride",
    "",
    "unaffable tokenization of na\u00efve \u5317\u4eac\u6b22\u8fce\u4f60 texts, again and again",
    "short",
]
WORDS = [
    ["Hello", "world", "!"],
    ["hello", "world", ",", "this", "is", "a", "test"],
    ["unaffable", "##ing", "", "[CLS]", "caf\u00e9", "\u5317", "the"],
    ["a"],
]


def cases():
    """(vocab, args, kwargs) in a fixed order."""
    flags = dict(return_attention_mask=True, return_length=True, return_special_tokens_mask=True,
                 return_position_ids=True)
    strategies = ("longest_first", "only_first", "only_second", "do_not_truncate")
    # single texts and pairs, one call each
    for vocab in ("bert-base-uncased", "bert-base-cased", "bert-base-chinese"):
        for text in TEXTS:
            yield vocab, [text], {}
    for text in TEXTS:
        for msl, stride, strat in itertools.product((None, 1, 2, 3, 5, 8), (0, 2), strategies):
            yield "bert-base-uncased", [text], dict(max_seq_len=msl, stride=stride, return_overflowing_tokens=True,
                                                    truncation_strategy=strat)
        for msl in (1, 3, 5):
            yield "bert-base-uncased", [text], dict(max_seq_len=msl)
        yield "bert-base-uncased", [text], dict(max_seq_len=12, pad_to_max_seq_len=True, **flags)
        yield "bert-base-uncased", [text], dict(max_seq_len=6, pad_to_max_seq_len=True, return_overflowing_tokens=True,
                                                return_token_type_ids=False, **flags)
    for q, c in itertools.product(QUESTIONS, CONTEXTS):
        for msl, stride, strat in itertools.product((None, 2, 3, 4, 7, 10), (0, 3), strategies):
            yield "bert-base-uncased", [q, c], dict(max_seq_len=msl, stride=stride, return_overflowing_tokens=True,
                                                    truncation_strategy=strat)
        for msl in (2, 4, 7):
            yield "bert-base-uncased", [q, c], dict(max_seq_len=msl)
        yield "bert-base-uncased", [q, c], dict(max_seq_len=16, pad_to_max_seq_len=True, **flags)
    # batches of texts (an empty text fails in a batch: batch_encode hands
    # encode its ids, and encode refuses an empty list)
    texts = [t for t in TEXTS if t]
    for msl, stride, strat in itertools.product((None, 1, 4, 9), (0, 2), strategies):
        yield "bert-base-uncased", [texts], dict(max_seq_len=msl, stride=stride, return_overflowing_tokens=True,
                                                 truncation_strategy=strat)
    yield "bert-base-uncased", [texts], dict(max_seq_len=4)
    yield "bert-base-uncased", [texts], dict(max_seq_len=10, pad_to_max_seq_len=True, return_overflowing_tokens=True,
                                             **flags)
    yield "bert-base-chinese", [texts], dict(max_seq_len=7, return_overflowing_tokens=True)
    yield "bert-base-uncased", [TEXTS], {}
    # batches of pairs: with stride > 0 the second text is cut in windows
    pairs = [(q, c) for q, c in itertools.product(QUESTIONS, CONTEXTS) if q and c]
    qs, cs = [q for q, _ in pairs], [c for _, c in pairs]
    for msl, stride in itertools.product((12, 16, 24), (0, 1, 2, 3, 5, 30)):
        yield "bert-base-uncased", [qs, cs], dict(max_seq_len=msl, stride=stride, return_overflowing_tokens=True)
    for stride, strat in itertools.product((0, 2), strategies[1:]):
        yield "bert-base-uncased", [qs, cs], dict(max_seq_len=16, stride=stride, return_overflowing_tokens=True,
                                                  truncation_strategy=strat)
    for msl, stride in itertools.product((12, 16), (0, 2)):
        yield "bert-base-uncased", [qs, cs], dict(max_seq_len=msl, stride=stride)
    for stride in (0, 2):
        yield "bert-base-uncased", [qs, cs], dict(max_seq_len=14, stride=stride, pad_to_max_seq_len=True, **flags)
        yield "bert-base-uncased", [qs, cs], dict(max_seq_len=14, stride=stride, pad_to_max_seq_len=True,
                                                  return_token_type_ids=False, return_overflowing_tokens=True)
        yield "bert-base-cased", [qs, cs], dict(max_seq_len=13, stride=stride, return_overflowing_tokens=True)
        yield "bert-base-chinese", [qs, cs], dict(max_seq_len=13, stride=stride, return_overflowing_tokens=True)
    # empty texts in pairs: an error without windows, no window for an empty second text
    qs = [q for q, _ in itertools.product(QUESTIONS, CONTEXTS)]
    cs = [c for _, c in itertools.product(QUESTIONS, CONTEXTS)]
    for stride in (0, 2):
        yield "bert-base-uncased", [qs, cs], dict(max_seq_len=16, stride=stride)
    yield "bert-base-uncased", [["a b c", "d"], ["x y z"]], dict(max_seq_len=5, stride=1)  # zip keeps 1 pair
    yield "bert-base-uncased", [["a b", "d"], ["x y z", "w"]], dict(max_seq_len=6, stride=1)  # windows of 1 token
    yield "bert-base-uncased", [[["what?", "a b c d e f g"], ("who", "h i j k")]], dict(max_seq_len=8, stride=2)
    yield "bert-base-uncased", [[]], {}
    yield "bert-base-uncased", [[]], {}
    # is_split_into_words: single, pair, batch, batch of pairs
    for vocab in ("bert-base-uncased", "bert-base-cased"):
        for words in WORDS:
            yield vocab, [words], dict(is_split_into_words=True)
    for words, msl, strat in itertools.product(WORDS, (None, 1, 3, 5), strategies):
        yield "bert-base-uncased", [words], dict(is_split_into_words=True, max_seq_len=msl,
                                                 return_overflowing_tokens=True, truncation_strategy=strat)
    for a, b in itertools.product(WORDS, WORDS[1:3]):
        for msl, stride in itertools.product((None, 2, 6, 9), (0, 2)):
            yield "bert-base-uncased", [a, b], dict(is_split_into_words=True, max_seq_len=msl, stride=stride,
                                                    return_overflowing_tokens=True)
    for msl, stride, ovf in itertools.product((None, 4, 8), (0, 2), (False, True)):
        yield "bert-base-uncased", [WORDS], dict(is_split_into_words=True, max_seq_len=msl, stride=stride,
                                                 return_overflowing_tokens=ovf)
        yield "bert-base-uncased", [WORDS, WORDS[::-1]], dict(is_split_into_words=True, max_seq_len=msl,
                                                              stride=stride, return_overflowing_tokens=ovf)
    yield "bert-base-uncased", [WORDS], dict(is_split_into_words=True, max_seq_len=9, pad_to_max_seq_len=True,
                                             **flags)
    yield "bert-base-uncased", ["a plain text"], dict(is_split_into_words=True, max_seq_len=4,
                                                     return_overflowing_tokens=True)
    yield "bert-base-uncased", [[]], dict(is_split_into_words=True)
    yield "bert-base-uncased", [[["a"], []]], dict(is_split_into_words=True)
    yield "bert-base-uncased", [[""]], dict(is_split_into_words=True)


def plain(value):
    """JSON-able: tuples (offset pairs) become lists."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def run(BertTokenizer, vocab_dir):
    toks = {}
    rows = []
    for vocab, args, kwargs in cases():
        if vocab not in toks:
            # do_lower_case as BertTokenizer.pretrained_init_configuration has it
            toks[vocab] = BertTokenizer(os.path.join(vocab_dir, vocab, "vocab.txt"),
                                        do_lower_case=vocab == "bert-base-uncased")
        row = {"vocab": vocab, "args": plain(args), "kwargs": kwargs}
        try:
            result = toks[vocab](*args, **kwargs)
        except Exception as e:  # the reference's own failure is the expected value
            row["error"] = type(e).__name__
        else:
            row["result"] = plain(result)
            # key order is part of the output (printing, json.dump, list(d))
            row["keys"] = [list(d) for d in result] if isinstance(result, list) else list(result)
        rows.append(row)
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--paddlenlp-src", action="append", required=True)
    ap.add_argument("--source", action="append", required=True)
    ap.add_argument("--vocab-dir", required=True)
    a = ap.parse_args()
    assert len(a.source) == len(a.paddlenlp_src)
    logging.captureWarnings(True)
    versions, results = [], []
    for src in a.paddlenlp_src:
        for mod in [m for m in sys.modules if m == "paddlenlp" or m.startswith("paddlenlp.")]:
            del sys.modules[mod]
        BertTokenizer, version = load(src)
        versions.append(version)
        results.append(run(BertTokenizer, a.vocab_dir))
    for other, version in zip(results[1:], versions[1:]):
        if other != results[0]:
            sys.exit("PaddleNLP {} and {} disagree".format(versions[0], version))
    out = {"paddlenlp": versions, "sources": a.source, "call": "BertTokenizer.__call__", "cases": results[0]}
    json.dump(out, sys.stdout, ensure_ascii=False, indent=None, separators=(",", ":"))
    print()


if __name__ == "__main__":
    main()
