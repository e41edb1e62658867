"""The Python package's throughput, one run, one text (bench/python/run.sh):
  bert   : tokalign batch encoding to padded int64 numpy arrays vs the CLI's
           `encode --output-format ids` (timed by run.sh), ids compared;
  spm    : tokalign vs Debian python3-sentencepiece encode(list_of_lines),
           single thread both, ids compared row for row;
  dask   : tokalign.dask over a distributed.LocalCluster with 2 worker
           processes vs 1, and vs the same work in-process (overhead).
Usage: bench.py bert CORPUS VOCAB CLI_IDS THREADS | spm CORPUS MODEL... | dask CORPUS VOCAB OUT
"""
import os
import sys
import time

import numpy as np

import tokalign

BATCH = 1024


def read_lines(path):
    with open(path, encoding="utf-8", newline="") as f:
        text = f.read()
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def best_of(runs, fn):
    """(best wall seconds, CPU seconds of that run, result)."""
    best, out = None, None
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        out = fn()
        t, c = time.perf_counter() - t, time.process_time() - c
        if best is None or t < best[0]:
            best = (t, c)
    return best[0], best[1], out


def encode_padded(tok, lines, add_special_tokens=True, keep=True):
    """Batches of BATCH lines -> padded (B, L) int64 arrays, as a data loader
    makes them; keep=False drops each batch after use, as a training loop does."""
    out = []
    for i in range(0, len(lines), BATCH):
        b = tok(lines[i:i + BATCH], add_special_tokens=add_special_tokens, padding=True, return_tensors="np")
        if keep:
            out.append(b)
    return out


def timed_fresh(runs, make_lines, fn):
    """best_of over runs, each on freshly read str objects (so every run pays
    for the UTF-8 view of its strings, as a first pass does)."""
    best = None
    for _ in range(runs):
        lines = make_lines()
        t, c, _ = best_of(1, lambda: fn(lines))
        if best is None or t < best[0]:
            best = (t, c)
    return best


def rows(batches):
    for b in batches:
        ids, mask = b["input_ids"], b["attention_mask"]
        lens = mask.sum(axis=1)
        for r in range(ids.shape[0]):
            yield ids[r, :lens[r]]


def bench_bert(corpus, vocab, cli_ids, threads):
    runs = int(os.environ.get("RUNS", "3"))
    nbytes = os.path.getsize(corpus)
    tok = tokalign.AutoTokenizer.from_pretrained(vocab, num_threads=int(threads))
    t_read, c_read, _ = best_of(1, lambda: read_lines(corpus))
    t, c = timed_fresh(runs, lambda: read_lines(corpus), lambda lines: encode_padded(tok, lines, keep=False))
    batches = encode_padded(tok, read_lines(corpus))  # untimed, for the comparison below
    # wall and CPU seconds of encoding a list of str in memory, then of reading the file into one
    print("python_%s %.3f %.3f %.3f %.3f" % (threads, t, c, t_read, c_read))
    if cli_ids != "-":
        with open(cli_ids) as f:
            for i, (got, line) in enumerate(zip(rows(batches), f)):
                if " ".join(map(str, got.tolist())) != line.rstrip("\n"):
                    sys.exit("ERROR: line %d differs from the CLI's ids" % (i + 1))
        print("ids identical to the CLI's for every line", file=sys.stderr)


def bench_spm(corpus, models):
    import sentencepiece as spm

    runs = int(os.environ.get("RUNS", "3"))
    lines = read_lines(corpus)
    nbytes = sum(len(x.encode()) for x in lines)
    for model in models:
        sp = spm.SentencePieceProcessor(model_file=model)
        t_sp, c_sp = timed_fresh(runs, lambda: read_lines(corpus), lambda fresh: sp.encode(fresh, num_threads=1))
        ref = sp.encode(lines, num_threads=1)
        tok = tokalign.AutoTokenizer.from_pretrained(model, num_threads=1)
        tok.pad_token = tok.unk_token
        t_tk, c_tk = timed_fresh(runs, lambda: read_lines(corpus),
                                 lambda fresh: encode_padded(tok, fresh, add_special_tokens=False, keep=False))
        batches = encode_padded(tok, lines, add_special_tokens=False)
        for i, (got, want) in enumerate(zip(rows(batches), ref)):
            if got.tolist() != want:
                sys.exit("ERROR: %s line %d: ids differ from sentencepiece" % (model, i + 1))
        print("%-30s sentencepiece %6.2f MB/s  tokalign %6.2f MB/s  %.2fx wall, %.2fx CPU  (ids identical, %d lines)"
              % (os.path.basename(model.rstrip("/")), nbytes / 1e6 / t_sp, nbytes / 1e6 / t_tk, t_sp / t_tk,
                 c_sp / c_tk, len(lines)))


def bench_dask(corpus, vocab, out):
    """The corpus split into PARTITIONS files that the workers read themselves
    (db.read_text, as a real corpus job does), encoded to shards by 1 and by 2
    worker processes, against the same per-partition work done in-process."""
    import dask.bag as db
    from distributed import Client, LocalCluster, get_task_stream

    import tokalign.dask as tdask

    parts = int(os.environ.get("PARTITIONS", "8"))
    runs = int(os.environ.get("RUNS", "3"))
    lines = read_lines(corpus)
    nbytes = os.path.getsize(corpus)
    src = os.path.join(out, "dask_parts")
    os.makedirs(src, exist_ok=True)
    files = []
    step = (len(lines) + parts - 1) // parts
    for p in range(parts):
        files.append(os.path.join(src, "part-%02d.txt" % p))
        with open(files[-1], "w", encoding="utf-8", newline="") as f:
            f.write("".join(x + "\n" for x in lines[p * step:(p + 1) * step]))
    del lines

    def in_process():
        d = os.path.join(out, "dask0")
        os.makedirs(d, exist_ok=True)
        for i, path in enumerate(files):
            tdask._encode_partition(read_lines(path), i, vocab, {"num_threads": 1}, d, {})

    t_local, c_local, _ = best_of(runs, in_process)
    print("in-process, 1 thread, the same %d partitions read, encoded and written as shards: %.2f s, %.1f MB/s"
          % (parts, t_local, nbytes / 1e6 / t_local))
    results = {}
    for workers in (1, 2):
        t0 = time.perf_counter()
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address=":0", silence_logs=40)
        client = Client(cluster)
        t_start = time.perf_counter() - t0
        bag = db.read_text(files).map(lambda x: x[:-1] if x.endswith("\n") else x)
        best = None
        for _ in range(runs):
            # CPU seconds of every process (load-independent, unlike wall):
            # the workers (all threads: tasks, event loop, serialization), the
            # scheduler, this client
            w0, s0, c0 = client.run(time.process_time), client.run_on_scheduler(time.process_time), time.process_time()
            with get_task_stream(client) as ts:
                t = time.perf_counter()
                index = tdask.encode_to_shards(bag, vocab, os.path.join(out, "dask%d" % workers), num_threads=1)
                t = time.perf_counter() - t
            w1, s1, c1 = client.run(time.process_time), client.run_on_scheduler(time.process_time), time.process_time()
            cpu = {"workers": sum(w1[k] - w0[k] for k in w1), "scheduler": s1 - s0, "client": c1 - c0}
            if best is None or t < best[0]:
                best = (t, index, ts.data, cpu)
        t, index, stream, cpu = best
        results[workers] = (t, cpu)
        # Where the workers' wall time went (Dask's task stream): each task
        # reads its files and runs tokalign's partition function (fused, so
        # texts never travel); transfer = data moved between processes
        # (serialization + network); the rest of workers x wall is scheduling,
        # idle time and the start-up of the graph.
        compute = transfer = 0.0
        for task in stream:
            for ss in task["startstops"]:
                d = ss["stop"] - ss["start"]
                if ss["action"] == "compute":
                    compute += d
                elif ss["action"] == "transfer":
                    transfer += d
        other = workers * t - compute - transfer
        opens = {}
        for pid, n in index["workers"]:
            opens[pid] = max(opens.get(pid, 0), n)
        print("dask, %d worker process(es): cluster start %.2f s (not counted); %d partitions to shards: %.2f s wall, "
              "%.1f MB/s" % (workers, t_start, parts, t, nbytes / 1e6 / t))
        print("   wall, summed over workers (%d x %.2f s = %.2f s): reading the files into a list %.2f s | encode "
              "%.2f s | shard writing %.2f s | tokenizer open %.2f s | rest of the tasks %.2f s | transfer "
              "(serialization) %.2f s | scheduling + idle %.2f s (%.0f%%)"
              % (workers, t, workers * t, index["list_seconds"], index["encode_seconds"], index["write_seconds"],
                 index["open_seconds"], compute - index["task_seconds"] +
                 (index["task_seconds"] - index["list_seconds"] - index["encode_seconds"] - index["write_seconds"]
                  - index["open_seconds"]),
                 transfer, other, 100 * other / (workers * t)))
        print("   CPU: worker processes %.2f s (encode %.2f s, Dask + reading + writing %.2f s), scheduler %.2f s, "
              "client %.2f s" % (cpu["workers"], index["encode_cpu_seconds"],
                                 cpu["workers"] - index["encode_cpu_seconds"], cpu["scheduler"], cpu["client"]))
        print("   tokenizer opens per worker process (cache kept across runs): %s"
              % ", ".join(str(n) for n in opens.values()))
        client.close()
        cluster.close()
    a, oa = tdask.load_shards(os.path.join(out, "dask1"))
    b, ob = tdask.load_shards(os.path.join(out, "dask2"))
    assert np.array_equal(a, b) and np.array_equal(oa, ob)
    (t1, cpu1), (t2, cpu2) = results[1], results[2]
    print("ids identical (1 and 2 workers); 2 workers / 1 worker: %.2fx wall; Dask overhead, 1 worker against "
          "in-process: %+.0f%% wall (%.2f s), CPU of all processes %.2f s against %.2f s in-process"
          % (t1 / t2, 100 * (t1 / t_local - 1), t1 - t_local, sum(cpu1.values()), c_local))


if __name__ == "__main__":
    what = sys.argv[1]
    if what == "bert":
        bench_bert(*sys.argv[2:6])
    elif what == "spm":
        bench_spm(sys.argv[2], sys.argv[3:])
    elif what == "dask":
        bench_dask(*sys.argv[2:5])
    else:
        sys.exit(__doc__)
