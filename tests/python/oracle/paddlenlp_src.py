"""Loads PaddleNLP's own pure-Python BERT tokenizer from a PaddleNLP source
tree, without paddle: the modules the tokenizer imports are loaded from the
tree's files, and `paddle` (used there only for tensors, io and nn.Layer
class definitions) and `colorlog` (log colours) are stubbed. Nothing of
PaddleNLP is copied into the project: the tree is a checkout (or an extract
of a repository that vendors one) given on the command line.

Used by gen_paddlenlp_call.py (the expected values of tokalign.paddlenlp's
call, made with PaddleNLP 2.0/2.1 trees).
"""
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
    import paddlenlp.transformers.tokenizer_utils as tokenizer_utils

    # what the package's __init__ would re-export for bert/tokenizer.py's
    # `from .. import PretrainedTokenizer`
    transformers = sys.modules["paddlenlp.transformers"]
    for name in tokenizer_utils.__all__:
        setattr(transformers, name, getattr(tokenizer_utils, name))
    from paddlenlp.transformers.bert.tokenizer import BertTokenizer

    version = None
    with open(os.path.join(src, "paddlenlp", "__init__.py"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("__version__"):
                version = line.split("=")[1].split("#")[0].strip().strip("'\"")
    return BertTokenizer, version
