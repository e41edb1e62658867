"""tokalign.dask on a real distributed.LocalCluster (2 worker processes on
127.0.0.1): shards give, row for row, the ids of one process, and each worker
process opened the tokenizer once."""
import os

import numpy as np
import pytest

import tokalign
import tokalign.dask as tdask
from conftest import SHARED

import dask  # noqa: E402,F401  (Debian python3-dask, required)
import dask.bag as db  # noqa: E402
import dask.dataframe as dd  # noqa: E402
import pandas as pd  # noqa: E402
from distributed import Client, LocalCluster  # noqa: E402


def corpus(n=3000):
    with open(os.path.join(SHARED, "data", "corpora", "botchan.txt"), encoding="utf-8") as f:
        lines = [line.rstrip("\n") for line in f]
    return lines[:n]


@pytest.fixture(scope="module")
def client():
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                           dashboard_address=None)
    c = Client(cluster)
    yield c
    c.close()
    cluster.close()


def check(out_dir, texts, tok, max_length=None):
    ids, offsets = tdask.load_shards(out_dir)
    kw = dict(max_length=max_length, truncation=True) if max_length else {}
    want = tok(texts, **kw)["input_ids"]
    assert len(offsets) == len(texts) + 1
    for i, w in enumerate(want):
        assert ids[offsets[i]:offsets[i + 1]].tolist() == w, i


def test_bag_row_for_row(client, tmp_path):
    texts = corpus()
    tok = tokalign.AutoTokenizer.from_pretrained("bert-base-uncased")
    bag = db.from_sequence(texts, npartitions=7)
    index = tdask.encode_to_shards(bag, "bert-base-uncased", str(tmp_path / "bag"))
    assert index["rows"] == len(texts) and len(index["shards"]) == 7
    assert [s["row_start"] for s in index["shards"]][0] == 0
    assert all(a["row_end"] == b["row_start"] for a, b in zip(index["shards"], index["shards"][1:]))
    pids = {pid for pid, _ in index["workers"]}
    assert os.getpid() not in pids  # the work ran in the worker processes
    assert all(opens == 1 for _, opens in index["workers"])  # one open per process, not per task
    check(str(tmp_path / "bag"), texts, tok)


def test_dataframe_column_with_truncation(client, tmp_path):
    texts = corpus(1200)
    df = dd.from_pandas(pd.DataFrame({"id": range(len(texts)), "text": texts}), npartitions=4)
    tdask.encode_to_shards(df, "bert-base-uncased", str(tmp_path / "df"), column="text", max_length=16)
    tok = tokalign.AutoTokenizer.from_pretrained("bert-base-uncased")
    check(str(tmp_path / "df"), texts, tok, max_length=16)


def test_sentencepiece_bag(client, tmp_path):
    texts = corpus(800)
    model = os.path.join(SHARED, "data", "spm", "bpe320_republic.model")
    tdask.encode_to_shards(db.from_sequence(texts, npartitions=3), model, str(tmp_path / "spm"))
    check(str(tmp_path / "spm"), texts, tokalign.AutoTokenizer.from_pretrained(model))
