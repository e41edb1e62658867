"""Runs PaddleNLP's own pure-Python BERT tokenizer from a PaddleNLP source
tree, without paddle: the modules the tokenizer imports are loaded from the
tree's files, and `paddle` (used there only for tensors, io and nn.Layer
class definitions) and `colorlog` (log colours) are stubbed. Nothing of
PaddleNLP is copied into the project: point --paddlenlp-src at a checkout.

The start of an oracle for tokalign.paddlenlp's stride / overflow (not bound
yet, see README "Python"): it ran with PaddleNLP 2.4.0's tree, whose batch
call returns a BatchEncoding (dict of lists), a later API than the
2.0/2.1-style list of dicts tokalign.paddlenlp gives; expected values need a
2.0/2.1 tree, which this machine could not obtain.

    /usr/bin/python3 paddlenlp_src.py --paddlenlp-src <dir holding paddlenlp/> \\
        --vocab <shared>/data/vocab/bert-base-uncased/vocab.txt
"""
import argparse
import json
import logging
import os
import sys
import types


def load(src):
    """PaddleNLP's BertTokenizer class and version from the tree at src."""

    def stub(name, **attrs):
        m = types.ModuleType(name)
        m.__dict__.update(attrs)
        sys.modules[name] = m
        return m

    class Formatter(logging.Formatter):
        def __init__(self, fmt=None, log_colors=None, **kw):
            super().__init__(fmt)

    stub("colorlog", ColoredFormatter=Formatter)
    paddle = stub("paddle", __version__="0.0.0")
    paddle.utils = stub("paddle.utils", try_import=__import__)
    paddle.nn = stub("paddle.nn", Layer=type("Layer", (), {}))
    paddle.Tensor = type("Tensor", (), {})
    # packages as bare namespaces: their __init__ files import the models
    # (paddle proper); only the tokenizer's modules are loaded from the tree
    for pkg in ("paddlenlp", "paddlenlp.transformers", "paddlenlp.transformers.bert", "paddlenlp.data",
                "paddlenlp.utils"):
        stub(pkg).__path__ = [os.path.join(src, *pkg.split("."))]
    from paddlenlp.transformers.bert.tokenizer import BertTokenizer

    version = None
    with open(os.path.join(src, "paddlenlp", "__init__.py"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("__version__"):
                version = line.split("=")[1].split("#")[0].strip().strip("'\"")
    return BertTokenizer, version


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--paddlenlp-src", required=True)
    ap.add_argument("--vocab", required=True)
    a = ap.parse_args()
    logging.captureWarnings(True)
    BertTokenizer, version = load(a.paddlenlp_src)
    tok = BertTokenizer(a.vocab)

    def plain(r):
        return r if isinstance(r, list) else {k: v for k, v in dict(r).items()}

    out = {"paddlenlp": version, "cases": []}
    for args, kw in (
        (("hello world, this is a test",), dict(max_seq_len=6, stride=2, return_overflowing_tokens=True)),
        ((["what is it?"], ["hello world, this is a test of the stride"]),
         dict(max_seq_len=10, stride=2, return_overflowing_tokens=True)),
    ):
        out["cases"].append({"args": args, "kwargs": kw, "result": plain(tok(*args, **kw))})
    json.dump(out, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
