"""transformers 4.9.1's call conventions around the goldens: key order,
shapes and dtypes of return_tensors, strategy defaults, warnings, errors."""
import logging

import numpy as np
import pytest

import tokalign


@pytest.fixture(scope="module")
def tok():
    return tokalign.AutoTokenizer.from_pretrained("bert-base-uncased")


def test_single_and_batch_shapes(tok):
    e = tok("hello world")
    assert e == {"input_ids": [101, 7592, 2088, 102], "token_type_ids": [0, 0, 0, 0], "attention_mask": [1, 1, 1, 1]}
    assert e.input_ids == e["input_ids"]  # attribute access
    n = tok("hello world", return_tensors="np")
    assert n["input_ids"].shape == (1, 4) and n["input_ids"].dtype == np.int64  # prepend_batch_axis
    b = tok(["hello world", "a"], padding=True, return_tensors="np")
    assert b["input_ids"].tolist() == [[101, 7592, 2088, 102], [101, 1037, 102, 0]]
    assert b["attention_mask"].tolist() == [[1, 1, 1, 1], [1, 1, 1, 0]]
    empty = tok(["", ""], add_special_tokens=False, padding=True, return_tensors="np")
    assert empty["input_ids"].shape == (2, 0) and empty["input_ids"].dtype == np.float64  # np.asarray([[], []])
    pt = tok(["hello world", "a"], padding=True, return_tensors="pt")
    assert pt["input_ids"].tolist() == b["input_ids"].tolist() and str(pt["input_ids"].dtype) == "torch.int64"


def test_key_order(tok):
    e = tok("a b c", "d e", max_length=5, truncation=True, return_overflowing_tokens=True,
            return_special_tokens_mask=True)
    assert list(e) == ["overflowing_tokens", "num_truncated_tokens", "input_ids", "token_type_ids",
                       "special_tokens_mask", "attention_mask"]
    # 4.9.1 batches: length is measured before pad() adds the attention mask (oracle/hf_extra.json)
    assert list(tok(["a"], return_length=True)) == ["input_ids", "token_type_ids", "length", "attention_mask"]
    assert list(tok("a", return_length=True)) == ["input_ids", "token_type_ids", "attention_mask", "length"]
    assert list(tok("a", return_token_type_ids=False, return_attention_mask=False)) == ["input_ids"]


def test_ragged_numpy_refused(tok):
    with pytest.raises(ValueError, match="Unable to create tensor, you should probably activate truncation"):
        tok(["a b c", "a"], return_tensors="np")


def test_max_length_alone_truncates_and_warns(tok, caplog):
    t = tokalign.AutoTokenizer.from_pretrained("bert-base-uncased")
    with caplog.at_level(logging.WARNING, logger="tokalign"):
        e = t("one two three four five", max_length=4)
        t("one two three four five", max_length=4)
    assert e["input_ids"] == [101, 2028, 2048, 102]
    msgs = [r.getMessage() for r in caplog.records]
    assert len(msgs) == 1 and msgs[0].startswith("Truncation was not explicitly activated but `max_length`")


def test_defaults_from_model_max_length(tok):
    long = "word " * 600
    assert len(tok(long, truncation=True)["input_ids"]) == 512
    assert len(tok("a", padding="max_length")["input_ids"]) == 512
    with pytest.raises(ValueError, match="is not a valid PaddingStrategy"):
        tok("a", padding="shortest")
    with pytest.raises(ValueError, match=r"truncation length \(10\) is not a multiple of pad_to_multiple_of \(4\)"):
        tok("a", padding=True, truncation=True, max_length=10, pad_to_multiple_of=4)
    assert len(tok("a b c", padding=True, pad_to_multiple_of=8)["input_ids"]) == 8


def test_too_long_warning(caplog):
    t = tokalign.AutoTokenizer.from_pretrained("bert-base-uncased")
    with caplog.at_level(logging.WARNING, logger="tokalign"):
        t("word " * 600)
    assert "Token indices sequence length is longer than the specified maximum sequence length for this model " \
           "(602 > 512)" in caplog.text


def test_batch_errors(tok):
    with pytest.raises(TypeError, match="`text_pair` must be a list or tuple"):
        tok(["a"], "b")
    with pytest.raises(ValueError, match="batch length of `text`: 2 does not match batch length of `text_pair`: 1"):
        tok(["a", "b"], ["c"])
    with pytest.raises(ValueError, match="that includes input_ids, but you provided \\[\\]"):
        tok([])
    with pytest.raises(NotImplementedError, match="return_offset_mapping is not available when using Python"):
        tok("a", return_offsets_mapping=True)


def test_pairs_as_tuples_equal_two_lists(tok):
    a = tok([("a b", "c"), ("d", "e f g")], padding=True)
    b = tok(["a b", "d"], ["c", "e f g"], padding=True)
    assert a == b and a["token_type_ids"][1] == [0, 0, 0, 1, 1, 1, 1]


def test_vocabulary_calls(tok):
    assert tok.vocab_size == len(tok) == 30522 and tok.pad_token_id == 0
    assert tok.tokenize("Unflinchingly bleak") == ["un", "##fl", "##in", "##ching", "##ly", "bleak"]
    assert tok.convert_tokens_to_ids(["[CLS]", "bleak", "notaword"]) == [101, 21657, 100]
    assert tok.convert_ids_to_tokens([101, 21657, 102], skip_special_tokens=True) == ["bleak"]
    assert tok.decode([101, 7592, 1010, 2088, 999, 102]) == "[CLS] hello, world! [SEP]"
    assert tok.batch_decode([[101, 7592, 102]], skip_special_tokens=True) == ["hello"]
    assert tok.encode("hello", "world") == [101, 7592, 102, 2088, 102]


def test_fast_compat_offsets():
    f = tokalign.AutoTokenizer.from_pretrained("bert-base-uncased", compat="fast")
    e = f("hello world", return_offsets_mapping=True)
    assert e["offset_mapping"] == [(0, 0), (0, 5), (6, 11), (0, 0)]
    assert list(e) == ["input_ids", "token_type_ids", "attention_mask", "offset_mapping"]


def test_threads_do_not_change_output():
    texts = ["sentence number %d with some words" % i * (i % 7 + 1) for i in range(3000)]
    one = tokalign.AutoTokenizer.from_pretrained("bert-base-uncased", num_threads=1)
    four = tokalign.AutoTokenizer.from_pretrained("bert-base-uncased", num_threads=4)
    a = one(texts, padding=True, truncation=True, max_length=64, return_tensors="np")
    b = four(texts, padding=True, truncation=True, max_length=64, return_tensors="np")
    assert all(np.array_equal(a[k], b[k]) for k in a)


def test_bad_utf8_surrogates_raise(tok):
    with pytest.raises(UnicodeEncodeError):
        tok(["fine", "bad \ud800"])
