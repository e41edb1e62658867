"""Expected values of tests/python/test_hf_extra.py, produced by transformers 4.9.1 itself
(slow BertTokenizer and ReformerTokenizer, pure Python) — nothing here is written by hand.

    /usr/bin/python3 gen_hf_extra.py --hf-src <dir holding transformers/ of v4.9.1> \\
        --shared <shared dir> > hf_extra.json

Needs Debian's python3-numpy, python3-sentencepiece, python3-tqdm, python3-filelock,
python3-regex, python3-packaging, python3-requests (import-time dependencies of 4.9.1);
huggingface_hub and the auto-config lookup are stubbed as in shared/oracle/tokenize/gen_reformer.py.
"""
import collections, importlib.util, logging, os, re, sys, types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from oracle_common import arguments, print_json  # noqa: E402


def load(hf_src):
    pkg = os.path.join(hf_src, "transformers")
    version = re.search(r'__version__ = "([^"]+)"', open(os.path.join(pkg, "__init__.py")).read()).group(1)
    for name, sub in [("transformers", ""), ("transformers.models", "models"),
                      ("transformers.models.bert", "models/bert"), ("transformers.models.reformer", "models/reformer")]:
        m = types.ModuleType(name)
        m.__path__, m.__version__ = [os.path.join(pkg, sub)], version
        sys.modules[name] = m
    if importlib.util.find_spec("huggingface_hub") is None:
        hub = types.ModuleType("huggingface_hub")
        hub.HfApi = hub.HfFolder = hub.Repository = type("Stub", (), {})
        sys.modules["huggingface_hub"] = hub
    auto = types.ModuleType("transformers.models.auto")
    auto.__path__ = []
    cfg = types.ModuleType("transformers.models.auto.configuration_auto")

    class AutoConfig:
        @staticmethod
        def from_pretrained(*a, **k):
            raise OSError("no config (stub)")
    cfg.AutoConfig, cfg.CONFIG_MAPPING = AutoConfig, {}
    ta = types.ModuleType("transformers.models.auto.tokenization_auto")
    ta.TOKENIZER_MAPPING = {}
    sys.modules.update({"transformers.models.auto": auto, "transformers.models.auto.configuration_auto": cfg,
                        "transformers.models.auto.tokenization_auto": ta})
    from transformers.models.bert.tokenization_bert import BertTokenizer
    from transformers.models.reformer.tokenization_reformer import ReformerTokenizer
    from transformers.tokenization_utils_base import BatchEncoding
    logging.disable(logging.ERROR)
    return BertTokenizer, ReformerTokenizer, BatchEncoding


def plain(x):
    if hasattr(x, "tolist"):
        return {"dtype": str(x.dtype), "shape": list(x.shape), "value": x.tolist()}
    return x


def call(tok, args, kwargs):
    try:
        out = tok(*args, **kwargs)
    except Exception as e:  # the reference's own error
        return {"error": type(e).__name__, "message": str(e)}
    return {"keys": list(out.keys()), "values": {k: plain(v) for k, v in out.items()}}


def main():
    a = arguments("hf-src", "shared")
    BertTokenizer, ReformerTokenizer, BatchEncoding = load(a.hf_src)
    data = os.path.join(a.shared, "data")
    bert = BertTokenizer(os.path.join(data, "vocab", "bert-base-uncased", "vocab.txt"), do_lower_case=True)
    bert.sanitize_special_tokens()
    reformer = ReformerTokenizer.from_pretrained(os.path.join(data, "spm", "reformer-crime-and-punishment"))
    pa = ["It is a nice day", "today , I want to go to the park !", "no"]
    pb = ["today , I want", "to go", "a very long second sentence of many words here"]
    cases = collections.OrderedDict()
    # SentencePiece pairs with return_token_type_ids=True (ReformerTokenizer: base create_token_type_ids_from_sequences)
    cases["reformer_pair_types"] = (reformer, [pa[0], pb[0]], dict(return_token_type_ids=True))
    cases["reformer_pair_types_batch"] = (reformer, [pa, pb], dict(return_token_type_ids=True))
    cases["reformer_pair_types_trunc"] = (reformer, [pa, pb], dict(return_token_type_ids=True, truncation="only_second",
                                                                   max_length=12))
    cases["reformer_pair_types_longest_first"] = (reformer, [pa, pb], dict(return_token_type_ids=True,
                                                                           truncation="longest_first", max_length=9,
                                                                           return_overflowing_tokens=True))
    cases["reformer_pair_no_specials"] = (reformer, [pa, pb], dict(return_token_type_ids=True, add_special_tokens=False))
    cases["reformer_single_types"] = (reformer, [pa], dict(return_token_type_ids=True))
    cases["bert_types_no_specials_error"] = (bert, ["a b"], dict(return_token_type_ids=True, add_special_tokens=False))
    cases["bert_length_padded_batch"] = (bert, [["a b c", "a"]], dict(padding=True, return_length=True))
    cases["bert_length_batch_unpadded"] = (bert, [["a"]], dict(return_length=True))
    cases["bert_length_padded_single"] = (bert, ["a"], dict(padding="max_length", max_length=6, return_length=True))
    out = collections.OrderedDict()
    for name, (tok, args, kwargs) in cases.items():
        out[name] = {"tokenizer": "reformer" if tok is reformer else "bert-base-uncased", "args": args,
                     "kwargs": kwargs, "expected": call(tok, args, kwargs)}
    e = bert("hello world")
    try:
        e[0]
        int_index = None
    except KeyError as err:
        int_index = str(err)
    out["batch_encoding"] = {
        "isinstance_dict": isinstance(e, dict), "isinstance_userdict": isinstance(e, collections.UserDict),
        "isinstance_mapping": isinstance(e, collections.abc.Mapping), "type_data": type(e.data).__name__,
        "is_fast": e.is_fast, "n_sequences": e.n_sequences, "int_index_keyerror": int_index,
        "getattr_missing": type(_attr_error(e)).__name__, "keys_type": type(e.keys()).__name__,
        "eq_dict": e == dict(e), "repr_like_dict": repr(e) == repr(dict(e))}
    print_json(out, indent=1, ensure_ascii=False)


def _attr_error(e):
    try:
        e.nope
    except Exception as err:
        return err


if __name__ == "__main__":
    main()
