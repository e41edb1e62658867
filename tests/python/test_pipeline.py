"""tokalign.pipeline against every pipeline golden, byte for byte, and
tokalign.load / tokalign.save round trips."""
import os

import numpy as np
import pytest

import tokalign
from conftest import SHARED, golden

# name, tokenizer, flavor, sampler, batch size, batches logged (0 = all), seed, world, rank, pad id
CONFIGS = [
    ("bert_seq_bs4_torch", "bert-base-uncased", "torch", "sequential", 4, 5, None, 1, 0, -1),
    ("bert_seq_bs4_paddle", "bert-base-uncased", "paddle", "sequential", 4, 5, None, 1, 0, -1),
    ("bert_random42_bs4_torch", "bert-base-uncased", "torch", "random", 4, 0, 42, 1, 0, -1),
    ("bert_pdshuffle42_bs4_paddle", "bert-base-uncased", "paddle", "random", 4, 0, 42, 1, 0, -1),
    ("bert_dist2r0_bs4_torch", "bert-base-uncased", "torch", "distributed", 4, 0, None, 2, 0, -1),
    ("bert_dist2r1_bs4_torch", "bert-base-uncased", "torch", "distributed", 4, 0, None, 2, 1, -1),
    ("bert_pddist2r0_bs4_paddle", "bert-base-uncased", "paddle", "distributed", 4, 0, None, 2, 0, -1),
    ("bert_pddist2r1_bs4_paddle", "bert-base-uncased", "paddle", "distributed", 4, 0, None, 2, 1, -1),
    ("reformer_seq_bs4_torch", "bpe320_republic", "torch", "sequential", 4, 5, None, 1, 0, 2),
    ("reformer_seq_bs4_paddle", "bpe320_republic", "paddle", "sequential", 4, 5, None, 1, 0, 2),
    ("reformer_seq_bs1_torch", "bpe320_republic", "torch", "sequential", 1, 5, None, 1, 0, 2),
    ("reformer_seq_bs1_paddle", "bpe320_republic", "paddle", "sequential", 1, 5, None, 1, 0, 2),
]

TSV = os.path.join(SHARED, "data", "demo_sst2_sentence", "demo.tsv")


@pytest.mark.parametrize("cfg", CONFIGS, ids=[c[0] for c in CONFIGS])
@pytest.mark.parametrize("threads", [1, 2])
def test_pipeline_golden_bytes(cfg, threads, tmp_path):
    name, tok, flavor, sampler, bs, nb, seed, world, rank, pad_id = cfg
    opts = dict(sampler=sampler, batch_size=bs, num_batches=nb, pad_id=pad_id, threads=threads)
    if seed is not None:
        opts["seed"] = seed
    if sampler == "distributed":
        opts.update(world_size=world, rank=rank, shuffle=True)
    out = tmp_path / (name + ".npy")
    data = tokalign.pipeline(TSV, tok, flavor, dump_path=out, **opts)
    want = open(golden("pipeline", name + ".npy"), "rb").read()
    assert out.read_bytes() == want
    # the returned dict is the golden's, key for key (np.load would need a pickle)
    ref = tokalign.load(golden("pipeline", name + ".npy"))
    assert list(data) == list(ref)
    for k in ref:
        assert data[k].dtype == ref[k].dtype and np.array_equal(data[k], ref[k]), k
    # without dump_path: the same dict, nothing left behind
    again = tokalign.pipeline(TSV, tok, flavor, **opts)
    assert list(again) == list(ref) and all(np.array_equal(again[k], ref[k]) for k in ref)
    # and save() of it writes the golden's bytes again
    tokalign.save(tmp_path / "resaved.npy", again)
    assert (tmp_path / "resaved.npy").read_bytes() == want


def test_pipeline_errors_name_the_file(tmp_path):
    bad = tmp_path / "bad.tsv"
    bad.write_bytes(b"sentence\tlabel\nabc\xff\t1\n")
    with pytest.raises(tokalign.Error) as ei:
        tokalign.pipeline(bad, "bert-base-uncased")
    assert "bad.tsv" in str(ei.value)


def test_load_json_mirror_equals_npy():
    a = tokalign.load(golden("pipeline", "bert_seq_bs4_torch.npy"))
    b = tokalign.load(golden("pipeline", "bert_seq_bs4_torch.json"))
    assert list(a) == list(b) and all(np.array_equal(a[k], b[k]) for k in a)


def test_load_refuses_code_in_pickles(tmp_path):
    import pickle

    class Evil:
        def __reduce__(self):
            return (os.system, ("echo pwned > %s" % (tmp_path / "pwned"),))

    p = tmp_path / "evil.npy"
    np.save(p, np.array({"k": Evil()}, dtype=object), allow_pickle=True)
    with pytest.raises(tokalign.Error):
        tokalign.load(p)
    assert not (tmp_path / "pwned").exists()
    del pickle
