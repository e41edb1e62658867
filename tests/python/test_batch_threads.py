"""encode_batch on tokalign's ordered pool (tokalign/pool.h): any num_threads
gives the same arrays, a failing row in the middle raises the reference's
error with any thread count, and the tokenizer works on afterwards."""
import numpy as np
import pytest

import tokalign


def batch(n, bad=()):
    texts = ["word " * (i % 5 + 1) + "number %d" % i for i in range(n)]
    pairs = ["other words here"] * n
    for i in bad:  # fast compat: only_second cannot shorten "x" enough -> Rust's error
        texts[i], pairs[i] = "long " * 40, "x"
    return texts, pairs


@pytest.mark.parametrize("threads", [2, 3, 8])
def test_threads_give_the_one_thread_arrays(threads):
    t = tokalign.AutoTokenizer.from_pretrained("bert-base-uncased", compat="fast")
    texts, pairs = batch(5000)
    one = t._tok.encode_batch(texts, pairs, max_length=16, truncation="only_second", num_threads=1)
    many = t._tok.encode_batch(texts, pairs, max_length=16, truncation="only_second",
                               num_threads=threads)
    assert list(one) == list(many)
    assert all(np.array_equal(one[k], many[k]) for k in one)
    assert one["lengths"].sum() == len(one["input_ids"]) and len(one["lengths"]) == 5000


@pytest.mark.parametrize("threads", [1, 2, 4])
def test_a_bad_row_in_the_middle_raises_and_the_tokenizer_goes_on(threads):
    t = tokalign.AutoTokenizer.from_pretrained("bert-base-uncased", compat="fast")
    texts, pairs = batch(5000, bad=(3100, 4700))
    with pytest.raises(ValueError, match="^Truncation error: Sequence to truncate too short to "
                                         "respect the provided max_length$"):
        t._tok.encode_batch(texts, pairs, max_length=16, truncation="only_second",
                            num_threads=threads)
    good_texts, good_pairs = batch(300)
    r = t._tok.encode_batch(good_texts, good_pairs, max_length=16, truncation="only_second",
                            num_threads=threads)
    assert len(r["lengths"]) == 300


@pytest.mark.parametrize("threads", [2, 3])
@pytest.mark.parametrize("side,multiple", [("right", 0), ("left", 8)])
def test_padding_and_overflow_rows_written_by_the_threads(threads, side, multiple):
    # padding and the writing into numpy run per block on the pool: every
    # block padded to the whole batch's width, overflow rows after their text
    t = tokalign.AutoTokenizer.from_pretrained("bert-base-uncased", compat="fast")
    texts, pairs = batch(3000)
    texts[1500] = "a much longer text than the others " * 3
    kw = dict(max_length=24, truncation="longest_first", stride=2, overflow=True, padding="longest",
              padding_side=side, pad_to_multiple_of=multiple, offsets=True)
    one = t._tok.encode_batch(texts, pairs, num_threads=1, **kw)
    many = t._tok.encode_batch(texts, pairs, num_threads=threads, **kw)
    assert list(one) == list(many)
    for k in one:
        assert np.array_equal(one[k], many[k]), k
    width = 24  # the longest row, already a multiple of 8
    assert (one["lengths"] == width).all() and one["uniform"] and one["max_row_length"] == width
    assert len(one["lengths"]) > 3000  # overflow rows
    ids = one["input_ids"].reshape(-1, width)
    pad_col = 0 if side == "left" else -1
    assert (ids[:, pad_col] == 0).any() and (ids[one["attention_mask"].reshape(-1, width)[:, pad_col] == 0, pad_col] == 0).all()


def test_uneven_rows_summary():
    t = tokalign.AutoTokenizer.from_pretrained("bert-base-uncased")
    r = t._tok.encode_batch(["a", "a b c", "a b"], num_threads=2)
    assert r["lengths"].tolist() == [3, 5, 4] and not r["uniform"] and r["max_row_length"] == 5
    r = t._tok.encode_batch([], num_threads=2)
    assert len(r["lengths"]) == 0 and not r["uniform"] and r["max_row_length"] == 0


def test_kept_encoders_follow_the_options_and_sizes_of_each_call():
    # a tokenizer keeps its encoders and arenas between calls (remade when the
    # options change, an arena refitted after a large call): each call gives
    # what a fresh tokenizer gives for that call alone
    kept = tokalign.AutoTokenizer.from_pretrained("bert-base-uncased", num_threads=2)
    texts, pairs = batch(6000)
    calls = [(texts, pairs, dict(max_length=16, truncation="only_second", padding="longest")),
             (texts[:70], None, dict(padding="longest")),
             (texts[:3], None, dict(add_special_tokens=False)),
             (texts, None, dict(max_length=8, truncation="longest_first", padding="max_length")),
             (texts[:700], pairs[:700], dict(padding="longest", pad_to_multiple_of=8)),
             (texts[:1], None, dict())]
    arrays = compared = 0
    for threads in (2, 1, 3, 2):
        for t, p, kw in calls:
            got = kept._tok.encode_batch(t, p, num_threads=threads, **kw)
            fresh = tokalign.AutoTokenizer.from_pretrained("bert-base-uncased")
            want = fresh._tok.encode_batch(t, p, num_threads=1, **kw)
            assert list(got) == list(want)
            for k in want:
                assert np.array_equal(got[k], want[k]), k
                arrays += 1
            compared += 1
    print("calls compared: %d, values: %d" % (compared, arrays))
    assert compared == 4 * len(calls)


def test_concurrent_calls_from_python_threads():
    # one call uses the tokenizer's kept pool, a concurrent one gets its own
    import threading

    t = tokalign.AutoTokenizer.from_pretrained("bert-base-uncased", num_threads=2)
    texts, pairs = batch(4000)
    want = t._tok.encode_batch(texts, pairs, num_threads=1)
    got, errors = [], []

    def run():
        try:
            for _ in range(3):
                got.append(t._tok.encode_batch(texts, pairs, num_threads=2))
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors and len(got) == 9
    for r in got:
        assert all(np.array_equal(want[k], r[k]) for k in want)


def test_a_forked_child_encodes_on_threads_of_its_own():
    # the kept pool's threads are not in a forked child (torch DataLoader
    # workers): the child must still encode, on a pool it starts itself
    import os

    t = tokalign.AutoTokenizer.from_pretrained("bert-base-uncased", num_threads=2)
    texts, pairs = batch(2000)
    want = t._tok.encode_batch(texts, pairs, num_threads=2)
    pid = os.fork()
    if pid == 0:  # child
        code = 1
        try:
            r = t._tok.encode_batch(texts, pairs, num_threads=2)
            r2 = t._tok.encode_batch(texts, pairs, num_threads=2)
            code = 0 if all(np.array_equal(want[k], r[k]) and np.array_equal(want[k], r2[k]) for k in want) else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    r = t._tok.encode_batch(texts, pairs, num_threads=2)
    assert all(np.array_equal(want[k], r[k]) for k in want)
