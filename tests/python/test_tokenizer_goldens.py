"""Every BERT and SentencePiece tokenize/encode golden through
tokalign.AutoTokenizer, one text at a time and batched (return_tensors="np")."""
import os
from collections import defaultdict

import numpy as np
import pytest

import tokalign
from conftest import SHARED, golden, read_jsonl

BERT_SETS = {
    "bert-base-uncased": ["demo", "botchan", "the_republic", "edge_cases", "cjk_heavy"],
    "bert-base-cased": ["demo", "botchan", "the_republic", "edge_cases", "cjk_heavy"],
    "bert-base-chinese": ["wagahaiwa", "cjk_heavy", "edge_cases", "demo"],
}
SPM_MODELS = ["bpe320_republic", "sentencepiece_test_model", "sentencepiece_test_ja_model", "cluecorpussmall_spm"]
SPM_SETS = ["botchan", "the_republic", "wagahaiwa", "demo", "edge_cases", "cjk_heavy"]
REFORMER_SETS = ["botchan", "cjk_heavy", "demo", "edge_cases", "special", "the_republic", "wagahaiwa"]

_cache = {}


def open_tok(spec, compat="slow"):
    key = (spec, compat)
    if key not in _cache:
        _cache[key] = tokalign.AutoTokenizer.from_pretrained(spec, compat=compat, num_threads=2)
    return _cache[key]


def check_batched(tok, texts, want_ids, add_special_tokens=False):
    """tok(texts, padding=True, return_tensors="np"): each row's unpadded part."""
    enc = tok(texts, add_special_tokens=add_special_tokens, padding=True, return_tensors="np")
    ids, mask = enc["input_ids"], enc["attention_mask"]
    assert ids.dtype == np.int64 and ids.shape[0] == len(texts)
    bad = []
    for i, want in enumerate(want_ids):
        got = ids[i][mask[i] == 1].tolist()
        pad = ids[i][mask[i] == 0]
        if got != want or not (pad == tok.pad_token_id).all() or mask[i][: len(want)].sum() != len(want):
            bad.append((i, texts[i], want, got))
    assert not bad, bad[:3]
    return len(texts)


@pytest.mark.parametrize("model", sorted(BERT_SETS))
def test_bert_tokenize_goldens(model):
    slow, fast = open_tok(model), open_tok(model, "fast")
    checked = sensitive = 0
    for s in BERT_SETS[model]:
        rows = read_jsonl(golden("tokenize", "%s.%s.jsonl" % (model, s)))
        keep = [r for r in rows if "unicode_sensitive" not in r]
        sensitive += len(rows) - len(keep)
        for r in keep:
            assert slow.tokenize(r["text"]) == r["tokens"], (s, r["i"])
            assert slow(r["text"], add_special_tokens=False)["input_ids"] == r["ids"], (s, r["i"])
            assert fast.tokenize(r["text"]) == r.get("fast_tokens", r["tokens"]), (s, r["i"])
            assert fast.encode(r["text"], add_special_tokens=False) == r.get("fast_ids", r["ids"]), (s, r["i"])
            checked += 1
        texts = [r["text"] for r in keep]
        check_batched(slow, texts, [r["ids"] for r in keep])
        cls, sep = slow.cls_token_id, slow.sep_token_id
        check_batched(slow, texts, [[cls] + r["ids"] + [sep] for r in keep], add_special_tokens=True)
    assert checked > 1000
    print("%s: checked %d rows slow+fast, %d unicode_sensitive apart (slow)" %
          (model, checked, sensitive))


def _sensitive_edge_lines(model):
    rows = read_jsonl(golden("tokenize", "%s.edge_cases.jsonl" % model))
    return {r["i"] for r in rows if "unicode_sensitive" in r}


def _src_line(src):
    if src.startswith("edge_cases:") and "+" not in src:
        return int(src.split(":")[1])
    return -1


@pytest.mark.parametrize("model", sorted(BERT_SETS))
def test_bert_encode_goldens(model):
    slow, fast = open_tok(model), open_tok(model, "fast")
    sens = _sensitive_edge_lines(model)
    rows = read_jsonl(golden("tokenize", "encode.%s.jsonl" % model))
    groups = defaultdict(list)
    checked = 0
    for r in rows:
        line = _src_line(r["src"])
        ml, strat = r["max_length"], r["strategy"]
        kw = dict(return_special_tokens_mask=True)
        if ml is not None:
            kw.update(max_length=ml, truncation=strat, return_overflowing_tokens=True)
        if line not in sens:
            e = slow(r["text"], r["text_pair"], **kw)
            for k in ("input_ids", "token_type_ids", "attention_mask", "special_tokens_mask"):
                assert e[k] == r[k], (r["src"], k)
            if ml is not None:
                assert e["overflowing_tokens"] == r["overflowing_tokens"], r["src"]
                assert e["num_truncated_tokens"] == r["num_truncated_tokens"], r["src"]
                keys = list(e.keys())
                assert keys[:3] == ["overflowing_tokens", "num_truncated_tokens", "input_ids"]
            groups[(ml, strat, r["text_pair"] is not None)].append(r)
            checked += 1
        want = r.get("fast") or r
        fkw = dict(return_special_tokens_mask=True, return_offsets_mapping=True)
        if ml is not None:
            fkw.update(max_length=ml, truncation=strat)
        if "error" in want:
            with pytest.raises(Exception, match=None) as ei:
                fast(r["text"], r["text_pair"], **fkw)
            assert want["error"] in str(ei.value), r["src"]
            continue
        e = fast(r["text"], r["text_pair"], **fkw)
        for k in ("input_ids", "token_type_ids", "attention_mask", "special_tokens_mask"):
            assert e[k] == want[k], (r["src"], k, "fast")
        assert [list(p) for p in e["offset_mapping"]] == want["offsets"], (r["src"], "fast offsets")
    # the same rows batched per (max_length, strategy, pair) with numpy output
    for (ml, strat, pair), rs in groups.items():
        kw = dict(padding=True, return_tensors="np", return_special_tokens_mask=True)
        if ml is not None:
            kw.update(max_length=ml, truncation=strat)
        texts = [r["text"] for r in rs]
        e = slow(texts, [r["text_pair"] for r in rs] if pair else None, **kw)
        for i, r in enumerate(rs):
            n = len(r["input_ids"])
            assert e["attention_mask"][i].sum() == n
            for k in ("input_ids", "token_type_ids", "special_tokens_mask"):
                assert e[k][i][:n].tolist() == r[k], (r["src"], k, "batched")
    assert checked > 100
    print("%s encode: %d rows, %d batched groups" % (model, checked, len(groups)))


@pytest.mark.parametrize("model", SPM_MODELS)
def test_spm_goldens(model):
    tok = open_tok(os.path.join(SHARED, "data", "spm", model + ".model"))
    assert tok.pad_token is None  # ReformerTokenizer: no pad token
    with pytest.raises(ValueError, match="Asking to pad but the tokenizer does not have a padding token"):
        tok(["a", "b c"], padding=True)
    tok.pad_token = tok.unk_token
    checked = 0
    for s in SPM_SETS:
        rows = read_jsonl(golden("tokenize", "spm.%s.%s.jsonl" % (model, s)))
        for r in rows:
            assert tok.tokenize(r["text"]) == r["pieces"], (s, r.get("i"))
            assert tok(r["text"])["input_ids"] == r["ids"], (s, r.get("i"))
        checked += check_batched(tok, [r["text"] for r in rows], [r["ids"] for r in rows], True)
    tok.pad_token = None
    assert checked > 500
    print("spm %s: %d rows" % (model, checked))


def test_reformer_goldens():
    """Every reformer.*.jsonl row: ReformerTokenizer.from_pretrained of
    transformers 4.9.1 (special tokens never split, whitespace-only text
    gives []), through the model directory."""
    tok = open_tok(os.path.join(SHARED, "data", "spm", "reformer-crime-and-punishment"))
    checked = special = 0
    for s in REFORMER_SETS:
        rows = read_jsonl(golden("tokenize", "reformer.%s.jsonl" % s))
        for r in rows:
            assert tok.tokenize(r["text"]) == r["pieces"], (s, r["i"])
            assert tok(r["text"])["input_ids"] == r["ids"], (s, r["i"])
            checked += 1
            special += "plain_ids" in r
        tok.pad_token = tok.eos_token
        check_batched(tok, [r["text"] for r in rows], [r["ids"] for r in rows], True)
        tok.pad_token = None
    assert checked == 7621 and special == 253
    print("reformer: %d rows (%d where from_pretrained differs from plain sentencepiece)" % (checked, special))


TJ_MODELS = ["bert-base-uncased-fast", "gpt2", "llama2", "llama3", "qwen3", "t5-style-unigram"]
TJ_SETS = ["botchan", "cjk_heavy", "edge_cases", "pairs", "special", "wagahaiwa"]


@pytest.mark.parametrize("model", TJ_MODELS)
def test_tokenizer_json_goldens(model):
    """Every tokenizer.json golden row (HF's Rust tokenizer) through AutoTokenizer's call:
    input_ids, token_type_ids (PreTrainedTokenizerFast returns them by default) and
    attention_mask, with and without special tokens."""
    tok = open_tok(os.path.join(SHARED, "data", "tokenizers", model, "tokenizer.json"), "fast")
    assert tok.model_input_names == ["input_ids", "token_type_ids", "attention_mask"]
    checked = bad = 0
    for s in TJ_SETS:
        for r in read_jsonl(os.path.join(SHARED, "golden", "tokenizer_json", "%s.%s.jsonl" % (model, s))):
            enc = tok(r["text"], r.get("pair"), add_special_tokens=r["add_special_tokens"])
            got = (enc["input_ids"], enc["token_type_ids"], enc["attention_mask"])
            checked += 1
            bad += got != (r["ids"], r["type_ids"], r["attention_mask"])
    print("tokenizer.json %s through AutoTokenizer: checked %d, matched %d" % (model, checked, checked - bad))
    assert checked > 0 and bad == 0
