"""Where a Dask worker's encode CPU goes (README, Python, Dask): the same
encode_batch of one partition, three calls in a row, in this process (main
thread, then another thread) and inside a 1-worker LocalCluster; CPU time and
minor page faults of the calling thread (getrusage(RUSAGE_THREAD)).
  dask_memory.py PARTITION.txt                 # the worker with Dask's environment
  dask_memory.py PARTITION.txt 268435456 33554432
      # the worker with MALLOC_TRIM_THRESHOLD_ / MALLOC_MMAP_THRESHOLD_ set so
  MALLOC_TRIM_THRESHOLD_=65536 dask_memory.py PARTITION.txt   # in-process as in a worker
Needs PYTHONPATH=build/python and TOKALIGN_MIRROR (bert-base-uncased)."""
import os
import resource
import sys
import threading
import time


def probe(path, calls=3):
    import tokalign.dask as tdask

    tok = tdask._tokenizer("bert-base-uncased", {"num_threads": 1})
    with open(path, encoding="utf-8") as f:  # as db.read_text(...).map(strip) gives them
        texts = [x[:-1] if x.endswith("\n") else x for x in f]
    runs = []
    for _ in range(calls):
        r0, c0 = resource.getrusage(resource.RUSAGE_THREAD), time.thread_time()
        # (the result is kept until the next call, as a loop over partitions
        # keeps its shard: whether glibc then reuses the pages in-process
        # depends on such heap layout; dropped at once, it reuses none)
        kept = tok._tok.encode_batch(texts, None, num_threads=1, token_type_ids=False, attention_mask=False,
                              special_tokens_mask=False)
        c1, r1 = time.thread_time(), resource.getrusage(resource.RUSAGE_THREAD)
        runs.append((c1 - c0, r1.ru_minflt - r0.ru_minflt))
    del kept
    return {"runs": runs, "lines": len(texts), "env": {k: os.environ.get(k) for k in
                                                       ("MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_THRESHOLD_")}}


def show(label, res):
    print("%-26s %d lines, %s: %s" % (label, res["lines"], res["env"], ", ".join(
        "%.3f s CPU / %d faults" % run for run in res["runs"])))


def main():
    path = sys.argv[1]
    show("in-process, main thread", probe(path))
    box = {}
    t = threading.Thread(target=lambda: box.setdefault("r", probe(path)))
    t.start()
    t.join()
    show("in-process, other thread", box["r"])
    import dask
    from distributed import Client, LocalCluster

    cfg = {}
    if len(sys.argv) > 3:
        cfg = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": sys.argv[2],
               "distributed.nanny.pre-spawn-environ.MALLOC_MMAP_THRESHOLD_": sys.argv[3]}
    with dask.config.set(cfg):
        cluster = LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address=":0", silence_logs=40)
        client = Client(cluster)
        show("LocalCluster worker", client.submit(probe, os.path.abspath(path), pure=False).result())
        client.close()
        cluster.close()


if __name__ == "__main__":
    main()
