"""Step-2 data check of a BERT port (the test_data.py + check_step2.py of the
PaddlePaddle reproduction guide) with tokalign in place of transformers,
PaddleNLP and reprod_log. torch stays (its DataLoader runs the torch side);
Paddle is not needed: its batches come from tokalign.BatchOrder("paddle", ...).

    PYTHONPATH=build/python python3 examples/python/check_step2.py [demo.tsv] [out_dir]
"""
import os
import sys

import numpy as np
import pandas as pd
import torch
from torch.utils.data import DataLoader

import tokalign
from tokalign.paddlenlp import Dict, Pad, Stack
from tokalign.reprod_log import ReprodDiffHelper, ReprodLogger

here = os.path.dirname(os.path.abspath(__file__))
tsv = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.environ.get("TOKALIGN_MIRROR", os.path.join(here, "..", "..", "..", "shared", "data")),
    "demo_sst2_sentence", "demo.tsv")
out = sys.argv[2] if len(sys.argv) > 2 else "out/check_step2"
frame = pd.read_csv(tsv, sep="\t")
sentences, labels = frame["sentence"].tolist(), frame["label"].tolist()


def torch_side(logger):
    """transformers: BertTokenizer + DataCollatorWithPadding in a torch DataLoader."""
    tok = tokalign.AutoTokenizer.from_pretrained("bert-base-uncased")
    items = []
    for s, y in zip(sentences, labels):
        e = dict(tok(s, max_length=128, truncation=True))
        e["labels"] = y
        items.append(e)
    loader = DataLoader(items, batch_sampler=tokalign.BatchOrder("torch", "sequential", len(items), 4),
                        collate_fn=tokalign.DataCollatorWithPadding(tok, return_tensors="pt"))
    logger.add("length", np.array(len(items)))
    for idx in range(5):
        for k in ("input_ids", "token_type_ids", "labels"):
            logger.add(f"dataset_{idx}_{k}", np.array(items[idx][k]).reshape(-1))
    for idx, batch in enumerate(loader):
        if idx >= 5:
            break
        for k in ("input_ids", "token_type_ids", "labels"):
            logger.add(f"dataloader_{idx}_{k}", batch[k].numpy().reshape(len(batch[k]), -1))


def paddle_side(logger):
    """PaddleNLP: BertTokenizer + Dict(Pad, Pad, Stack) over a paddle.io.BatchSampler."""
    tok = tokalign.paddlenlp.AutoTokenizer.from_pretrained("bert-base-uncased")
    items = []
    for s, y in zip(sentences, labels):
        e = tok(s, max_seq_len=128)
        e["labels"] = [y]
        items.append(e)
    batchify = Dict({"input_ids": Pad(axis=0, pad_val=tok.pad_token_id),
                     "token_type_ids": Pad(axis=0, pad_val=tok.pad_token_type_id),
                     "labels": Stack(dtype="int64")})
    logger.add("length", np.array(len(items)))
    for idx in range(5):
        for k in ("input_ids", "token_type_ids", "labels"):
            logger.add(f"dataset_{idx}_{k}", np.array(items[idx][k]))
    for idx, rows in enumerate(tokalign.BatchOrder("paddle", "sequential", len(items), 4)):
        if idx >= 5:
            break
        for k, v in zip(("input_ids", "token_type_ids", "labels"), batchify([items[i] for i in rows])):
            logger.add(f"dataloader_{idx}_{k}", v)


logger_torch, logger_paddle = ReprodLogger(), ReprodLogger()
torch_side(logger_torch)
paddle_side(logger_paddle)
logger_torch.save(os.path.join(out, "data_torch.npy"))
logger_paddle.save(os.path.join(out, "data_paddle.npy"))

diff_helper = ReprodDiffHelper()
info1 = diff_helper.load_info(os.path.join(out, "data_paddle.npy"))
info2 = diff_helper.load_info(os.path.join(out, "data_torch.npy"))
diff_helper.compare_info(info1, info2)
diff_helper.report(path=os.path.join(out, "data_diff.log"))
print("torch version:", torch.__version__, "| tokalign", tokalign.__version__)
