"""tokalign for Python: HuggingFace / PaddleNLP tokenizers, samplers, collators
and reprod_log dumps reproduced bit-exactly by tokalign's C library.

    import tokalign
    tok = tokalign.AutoTokenizer.from_pretrained("bert-base-uncased")
    batch = tok(["a sentence", "another one"], padding=True, return_tensors="np")
"""
import collections
import os
import tempfile

import numpy as np

from . import _tokalign
from ._hf import AutoTokenizer, BatchEncoding, DataCollatorWithPadding, PreTrainedTokenizer

Error = _tokalign.Error
__version__ = _tokalign.version()

__all__ = ["AutoTokenizer", "BatchEncoding", "BatchOrder", "DataCollatorWithPadding", "Error",
           "PreTrainedTokenizer", "dask", "load", "paddlenlp", "pipeline", "reprod_log", "save"]


def load(path):
    """Any dump (reprod_log .npy, plain .npy, .npz, JSON mirror) as an ordered
    dict key -> numpy array. Pickles are interpreted, never executed."""
    _, items, _ = _tokalign.load(os.fspath(path))
    return collections.OrderedDict(items)


def _items(data):
    """(key, array) pairs; an array object seen before under another key is
    passed as that key's index, so it is written shared, as pickle does."""
    seen = {}
    out = []
    for i, (k, v) in enumerate(data.items()):
        if id(v) in seen and isinstance(v, np.ndarray):
            out.append((k, seen[id(v)]))
            continue
        if not isinstance(v, np.ndarray):
            raise TypeError("{}: tokalign writes numpy arrays only, got {}".format(k, type(v)))
        seen[id(v)] = i
        out.append((k, v))
    return out


def save(path, data, format="auto"):
    """Writes an ordered dict of arrays: .npy = numpy.save(path, dict) bytes,
    .npz = numpy.savez, .json = tokalign's JSON mirror (by extension)."""
    _tokalign.dump_write(_items(data), os.fspath(path), format)


def pipeline(data, tokenizer, flavor="torch", dump_path=None, **options):
    """The CLI's `tokalign pipeline` as a function.

    data: the TSV; tokenizer: name, directory or file; flavor "torch"/"paddle".
    Options (as the CLI's flags): sampler ("sequential", "random",
    "distributed"), seed, shuffle, rank, world_size, epoch, drop_last,
    batch_size, max_length, pad_id, pad_token, pad_to_multiple_of,
    num_batches (0: all), dataset_items, fields, text_field, pair_field,
    label_field (False: none), mode ("pandas"/"glue"), errors, compat,
    do_lower_case, threads, two_pass, mirror, sidecar, sidecar_entries.
    An option not given keeps the library's default, as in the CLI (so with
    dump_path the sidecar NAME.json is written unless sidecar=False).
    Returns the ordered dict of arrays; with dump_path it is also written there
    (.npy/.npz/.json by extension).
    """
    opts = dict(options)
    opts.update(data=os.fspath(data), tokenizer=os.fspath(tokenizer), flavor=flavor)
    if dump_path is not None:
        opts["dump_path"] = os.fspath(dump_path)
        _tokalign.pipeline(opts)
        return load(dump_path)
    with tempfile.TemporaryDirectory(prefix="tokalign-") as tmp:
        opts["dump_path"] = os.path.join(tmp, "pipeline.npy")
        opts["sidecar"] = False
        _tokalign.pipeline(opts)
        return load(opts["dump_path"])


class BatchOrder:
    """The batches of torch's DataLoader over RandomSampler / DistributedSampler
    (or SequentialSampler), or Paddle's BatchSampler / DistributedBatchSampler,
    as lists of indices: usable as batch_sampler= in either DataLoader.

    flavor "torch"/"paddle"; sampler "sequential"/"random"/"distributed".
    seed: torch.manual_seed / np.random.seed before the loader (random), or
    DistributedSampler(seed=) (torch distributed). epoch: the pass (random:
    passes over the same sampler; distributed: set_epoch). Iterating a random
    sampler, or a shuffled Paddle DistributedBatchSampler, advances the epoch
    as the reference's generator state does; torch's DistributedSampler only
    changes with set_epoch().
    """

    def __init__(self, flavor, sampler, n, batch_size, seed=None, epoch=0, rank=0, world_size=1, shuffle=None,
                 drop_last=False, generator_seed=None, shard_drop_last=False, torch_version="2"):
        self.flavor, self.sampler = flavor, sampler
        self.n, self.batch_size = int(n), int(batch_size)
        self.seed, self.epoch = seed, int(epoch)
        self.rank, self.world_size = int(rank), int(world_size)
        self.shuffle, self.drop_last = shuffle, bool(drop_last)
        self.generator_seed, self.shard_drop_last = generator_seed, bool(shard_drop_last)
        self.torch_version = str(torch_version)
        self._batches(self.epoch)  # validate now, with the reference's errors

    def _batches(self, epoch):
        idx, bs, nb = _tokalign.batch_order(
            self.flavor, self.sampler, self.n, self.batch_size, seed=self.seed, epoch=epoch, rank=self.rank,
            world_size=self.world_size, shuffle=self.shuffle, drop_last=self.drop_last,
            generator_seed=self.generator_seed, shard_drop_last=self.shard_drop_last,
            torch_version=self.torch_version)
        return idx, bs, nb

    def _advances(self):
        if self.sampler == "random":
            return True
        if self.sampler == "distributed" and self.flavor == "paddle":
            return bool(self.shuffle)
        return False

    def set_epoch(self, epoch):
        self.epoch = int(epoch)

    def __len__(self):
        return self._batches(self.epoch)[2]

    def batches(self, epoch=None):
        """The batches of one pass, without advancing."""
        idx, bs, nb = self._batches(self.epoch if epoch is None else epoch)
        lst = idx.tolist()
        return [lst[i * bs:(i + 1) * bs] for i in range(nb)]

    def __iter__(self):
        batches = self.batches()
        if self._advances():
            self.epoch += 1
        return iter(batches)


# Submodules last: reprod_log uses load() and _items() above. tokalign.dask
# imports Dask only when called.
from . import dask, paddlenlp, reprod_log  # noqa: E402
