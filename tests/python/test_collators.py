"""The step-2 batches rebuilt in Python from tokalign's pieces — HF tokenizer +
DataCollatorWithPadding on the torch side, PaddleNLP tokenizer + Dict(Pad, Pad,
Stack) on the Paddle side — equal the pipeline goldens' batches."""
import csv
import os

import numpy as np
import pytest

import tokalign
from conftest import SHARED, golden
from tokalign.paddlenlp import Dict, Pad, Stack


def demo_rows():
    with open(os.path.join(SHARED, "data", "demo_sst2_sentence", "demo.tsv"), encoding="utf-8") as f:
        r = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(r)
        return [(s, int(label)) for s, label in r]


@pytest.mark.parametrize("fixed", [False, True])
def test_hf_collator_batches(fixed):
    name = "bert_seq_bs4_maxlen128_torch" if fixed else "bert_seq_bs4_torch"
    ref = tokalign.load(golden("pipeline", name + ".npy"))
    tok = tokalign.AutoTokenizer.from_pretrained("bert-base-uncased")
    pad = "max_length" if fixed else False
    feats = []
    for s, label in demo_rows():
        e = dict(tok(s, max_length=128, truncation=True, padding=pad))
        e["label"] = label
        feats.append(e)
    collate = tokalign.DataCollatorWithPadding(tok, return_tensors="np")
    for b in range(5):
        batch = collate(feats[4 * b:4 * b + 4])
        assert list(batch) == ["input_ids", "token_type_ids", "attention_mask", "labels"]
        for k in ("input_ids", "token_type_ids"):
            assert np.array_equal(batch[k], ref["dataloader_%d_%s" % (b, k)]), (b, k)
        assert batch["labels"].tolist() == ref["dataloader_%d_labels" % b].ravel().tolist()
        assert batch.input_ids.dtype == np.int64


@pytest.mark.parametrize("fixed", [False, True])
def test_paddlenlp_batches(fixed):
    name = "bert_seq_bs4_maxlen128_paddle" if fixed else "bert_seq_bs4_paddle"
    ref = tokalign.load(golden("pipeline", name + ".npy"))
    tok = tokalign.paddlenlp.AutoTokenizer.from_pretrained("bert-base-uncased")
    items = []
    for s, label in demo_rows():
        e = tok(s, max_seq_len=128, pad_to_max_seq_len=fixed)
        assert list(e) == ["input_ids", "token_type_ids"]  # no attention_mask by default
        e["labels"] = [label]
        items.append(e)
    batchify = Dict({"input_ids": Pad(axis=0, pad_val=tok.pad_token_id),
                     "token_type_ids": Pad(axis=0, pad_val=tok.pad_token_type_id),
                     "labels": Stack(dtype="int64")})
    for b in range(5):
        ids, tt, labels = batchify(items[4 * b:4 * b + 4])
        assert np.array_equal(ids, ref["dataloader_%d_input_ids" % b])
        assert np.array_equal(tt, ref["dataloader_%d_token_type_ids" % b])
        assert np.array_equal(labels, ref["dataloader_%d_labels" % b])
    for i in range(5):
        assert items[i]["input_ids"] == ref["dataset_%d_input_ids" % i].tolist()


def test_pad_options():
    p = Pad(pad_val=-1, ret_length=True, pad_right=False)
    arr, lens = p([[1, 2, 3], [4], [5, 6]])
    assert arr.tolist() == [[1, 2, 3], [-1, -1, 4], [-1, 5, 6]] and lens.dtype == np.int32
    assert lens.tolist() == [3, 1, 2]


def test_collator_pad_to_multiple_and_errors():
    tok = tokalign.AutoTokenizer.from_pretrained("bert-base-uncased")
    feats = [dict(tok(s)) for s in ["a b c", "a"]]
    batch = tokalign.DataCollatorWithPadding(tok, pad_to_multiple_of=8)(feats)
    assert batch["input_ids"].shape == (2, 8)
    spm = tokalign.AutoTokenizer.from_pretrained(os.path.join(SHARED, "data", "spm", "bpe320_republic.model"))
    with pytest.raises(ValueError, match="Asking to pad but the tokenizer does not have a padding token"):
        tokalign.DataCollatorWithPadding(spm)([dict(spm(s)) for s in ["a b", "a"]])


def test_paddlenlp_call_options():
    tok = tokalign.paddlenlp.AutoTokenizer.from_pretrained("bert-base-uncased")
    e = tok("hello world", max_seq_len=6, pad_to_max_seq_len=True, return_attention_mask=True, return_length=True,
            return_position_ids=True, return_special_tokens_mask=True)
    assert list(e) == ["input_ids", "token_type_ids", "special_tokens_mask", "seq_len", "attention_mask",
                       "position_ids"]
    assert e["input_ids"] == [101, 7592, 2088, 102, 0, 0] and e["attention_mask"] == [1, 1, 1, 1, 0, 0]
    assert e["seq_len"] == 4 and e["special_tokens_mask"] == [1, 0, 0, 1, 1, 1]
    batch = tok(["a b c d e", "x"], max_seq_len=4)
    assert isinstance(batch, list) and batch[0]["input_ids"] == [101, 1037, 1038, 102]
    # PaddleNLP 2.0/2.1's __call__ truncates longest_first whatever truncation_strategy says
    assert tok("a b c d e", max_seq_len=4, truncation_strategy="do_not_truncate")["input_ids"] == [101, 1037, 1038, 102]


def test_missing_pad_token_is_transformers_text():
    # transformers 4.9.1's exact ValueError, raised by the package's own check (tokenizer
    # call) and by the library (collator); both come from the library's one copy.
    want = ("Asking to pad but the tokenizer does not have a padding token. Please select a token to use "
            "as `pad_token` `(tokenizer.pad_token = tokenizer.eos_token e.g.)` or add a new pad token via "
            "`tokenizer.add_special_tokens({'pad_token': '[PAD]'})`.")
    spm = tokalign.AutoTokenizer.from_pretrained(os.path.join(SHARED, "data", "spm", "bpe320_republic.model"))
    with pytest.raises(ValueError) as raised:
        spm(["a b", "a"], padding=True)
    assert str(raised.value) == want
    with pytest.raises(ValueError) as raised:
        tokalign.DataCollatorWithPadding(spm)([dict(spm(s)) for s in ["a b", "a"]])
    assert str(raised.value) == want
