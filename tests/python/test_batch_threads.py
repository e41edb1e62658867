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
