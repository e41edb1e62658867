"""Tokenizing a corpus on Dask: one task per partition of a bag or dataframe
of texts, the tokenizer opened once per worker process (a per-process cache
keyed by name/path and options; only those strings travel with the tasks),
ids written as numpy shards plus an index of their row ranges.

    import dask.bag as db, tokalign.dask
    bag = db.read_text("corpus-*.txt").map(str.rstrip)
    index = tokalign.dask.encode_to_shards(bag, "bert-base-uncased", "out/")
    ids, offsets = tokalign.dask.load_shards("out/")   # row i: ids[offsets[i]:offsets[i+1]]

Shard files: part-NNNNN.ids.npy (int32, the rows' ids back to back) and
part-NNNNN.offsets.npy (int64, rows + 1 offsets into it); index.json lists
every shard with its global [row_start, row_end) and token count.
"""
import json
import os
import threading
import time

import numpy as np

_cache = {}
_cache_lock = threading.Lock()
_opens = {"count": 0}


def _tokenizer(spec, options):
    """The worker process's tokenizer for (spec, options), opened on first use."""
    from ._hf import PreTrainedTokenizer

    key = (spec, tuple(sorted(options.items())))
    with _cache_lock:
        tok = _cache.get(key)
        if tok is None:
            tok = PreTrainedTokenizer(spec, **options)
            _cache[key] = tok
            _opens["count"] += 1
        return tok


def _encode_partition(texts, part, spec, options, out_dir, encode):
    t_open = time.perf_counter()
    tok = _tokenizer(spec, options)
    t_list = time.perf_counter()
    open_seconds = t_list - t_open
    # (a bag partition may be a lazy iterator: this is where the file is read)
    texts = [t for t in (texts.tolist() if hasattr(texts, "tolist") else list(texts))]
    t0, c0 = time.perf_counter(), time.thread_time()
    list_seconds = t0 - t_list
    if texts:
        r = tok._tok.encode_batch(texts, None, add_special_tokens=encode.get("add_special_tokens", True),
                                  max_length=encode.get("max_length", -1),
                                  truncation=encode.get("truncation", "do_not_truncate"),
                                  num_threads=tok.num_threads, token_type_ids=False,
                                  attention_mask=False, special_tokens_mask=False)
        ids = r["input_ids"].astype(np.int32)
        offsets = np.concatenate(([0], np.cumsum(r["lengths"]))).astype(np.int64)
    else:
        ids = np.zeros(0, np.int32)
        offsets = np.zeros(1, np.int64)
    t1, c1 = time.perf_counter(), time.thread_time()
    base = os.path.join(out_dir, "part-%05d" % part)
    np.save(base + ".ids.npy", ids)
    np.save(base + ".offsets.npy", offsets)
    return {"part": part, "rows": len(texts), "tokens": int(ids.size), "pid": os.getpid(),
            "opens_in_process": _opens["count"], "open_seconds": open_seconds, "list_seconds": list_seconds,
            "encode_seconds": t1 - t0,
            "encode_cpu_seconds": c1 - c0, "write_seconds": time.perf_counter() - t1,
            "task_seconds": time.perf_counter() - t_open}


def _encode_bag_partition(texts, part, spec, options, out_dir, encode):
    """map_partitions form: `part` is the one-element partition of db.range."""
    return [_encode_partition(texts, list(part)[0], spec, options, out_dir, encode)]


def _as_bag(collection, column):
    """A bag of str, one partition per partition of the collection."""
    if hasattr(collection, "columns"):  # dataframe
        if column is None:
            raise ValueError("column= is required for a dataframe")
        collection = collection[column]
    if hasattr(collection, "to_bag"):  # series
        return collection.to_bag()
    if hasattr(collection, "map_partitions") and hasattr(collection, "npartitions"):
        return collection
    raise TypeError("expected a dask bag, dataframe or series")


def encode_to_shards(collection, tokenizer, out_dir, column=None, max_length=None, truncation=None,
                     add_special_tokens=True, compat="slow", num_threads=1, mirror=None, client=None):
    """Encodes every text of a Dask bag / series (or dataframe column) and
    writes one shard per partition into out_dir; returns the index dict
    (also written as out_dir/index.json). Uses `client` if given, else
    Dask's current scheduler (a distributed.Client once one is created)."""

    os.makedirs(out_dir, exist_ok=True)
    options = {"compat": compat, "num_threads": num_threads}
    if mirror is not None:
        options["mirror"] = mirror
    encode = {"add_special_tokens": bool(add_special_tokens)}
    if max_length is not None:
        encode["max_length"] = int(max_length)
        encode["truncation"] = truncation or "longest_first"
    import dask.bag as db

    spec = os.fspath(tokenizer)
    out_abs = os.path.abspath(out_dir)
    bag = _as_bag(collection, column)
    n = bag.npartitions
    # One task per partition that reads and encodes (map_partitions fuses
    # with the reading), so a partition's texts never travel between workers.
    stats = bag.map_partitions(_encode_bag_partition, db.range(n, npartitions=n), spec, options, out_abs, encode)
    if client is not None:
        results = client.gather(client.compute(stats))
    else:
        results = stats.compute()
    results = sorted(results, key=lambda r: r["part"])
    shards, row = [], 0
    for r in results:
        shards.append({"ids": "part-%05d.ids.npy" % r["part"], "offsets": "part-%05d.offsets.npy" % r["part"],
                       "row_start": row, "row_end": row + r["rows"], "tokens": r["tokens"]})
        row += r["rows"]
    index = {"tokenizer": spec, "rows": row, "tokens": sum(r["tokens"] for r in results), "shards": shards,
             "encode_seconds": sum(r["encode_seconds"] for r in results),
             "encode_cpu_seconds": sum(r["encode_cpu_seconds"] for r in results),
             "write_seconds": sum(r["write_seconds"] for r in results),
             "open_seconds": sum(r["open_seconds"] for r in results),
             "task_seconds": sum(r["task_seconds"] for r in results),
             "list_seconds": sum(r["list_seconds"] for r in results),
             "workers": sorted({(r["pid"], r["opens_in_process"]) for r in results})}
    with open(os.path.join(out_dir, "index.json"), "w") as f:
        json.dump(index, f, indent=1)
    return index


def load_shards(out_dir):
    """(ids int32, offsets int64) of all shards in row order."""
    with open(os.path.join(out_dir, "index.json")) as f:
        index = json.load(f)
    ids, offsets, base = [], [np.zeros(1, np.int64)], 0
    for s in index["shards"]:
        i = np.load(os.path.join(out_dir, s["ids"]))
        o = np.load(os.path.join(out_dir, s["offsets"]))
        ids.append(i)
        offsets.append(o[1:] + base)
        base += i.size
    return (np.concatenate(ids) if ids else np.zeros(0, np.int32)), np.concatenate(offsets)
