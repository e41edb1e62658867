"""AutoTokenizer with transformers 4.9.1's call semantics over the C encoder.

The C library (tka_encoder) does tokenization, special tokens, truncation and
padding exactly as transformers 4.9.1 does; this module only reproduces the
argument handling of PreTrainedTokenizerBase.__call__ (strategy defaults,
warnings, errors, key order, BatchEncoding and tensor conversion).  Batches are
encoded in one C call on tokalign's threads and come back as flat int64 numpy
arrays; return_tensors="np" with uniform lengths reshapes them without a copy.
"""
import collections
import logging
import os
import warnings

import numpy as np

from . import _tokalign

logger = logging.getLogger("tokalign")

VERY_LARGE_INTEGER = int(1e30)
LARGE_INTEGER = int(1e20)

# model_max_length of the names transformers 4.9.1 knows
# (max_model_input_sizes); any other file or directory gets VERY_LARGE_INTEGER.
_MAX_INPUT_SIZES = {
    "bert-base-uncased": 512,
    "bert-base-cased": 512,
    "bert-base-chinese": 512,
    "hfl/chinese-bert-wwm": 512,
    "hfl/chinese-bert-wwm-ext": 512,
    "google/reformer-crime-and-punishment": 524288,
}

_PADDINGS = ("longest", "max_length", "do_not_pad")
_TRUNCATIONS = ("only_first", "only_second", "longest_first", "do_not_truncate")

# transformers' missing-pad-token ValueError: the library's text (src/core/ref_messages.h).
_PAD_ERROR = _tokalign.HF_NO_PAD_TOKEN


def _default_threads():
    return max(1, min(os.cpu_count() or 1, 16))


class TokenSpan(collections.namedtuple("TokenSpan", ["start", "end"])):
    """transformers' TokenSpan: [start, end) of the tokens of a word."""


class Encoding:
    """One row of a fast-compat batch, as tokenizers.Encoding shows it
    (ids, type_ids, tokens, offsets, attention_mask, special_tokens_mask,
    word_ids, overflowing, sequence_ids, n_sequences), built from the batch
    arrays on access."""

    def __init__(self, tokenizer, fields, n_sequences, overflowing=()):
        self._tokenizer = tokenizer
        self._fields = fields
        self.n_sequences = n_sequences
        self.overflowing = list(overflowing)

    ids = property(lambda s: list(s._fields["input_ids"]))
    type_ids = property(lambda s: list(s._fields["token_type_ids"]))
    attention_mask = property(lambda s: list(s._fields["attention_mask"]))
    special_tokens_mask = property(lambda s: list(s._fields["special_tokens_mask"]))
    offsets = property(lambda s: [tuple(p) for p in s._fields["offset_mapping"]])
    # the Rust Encoding's words: the pre-tokenizer split of each token, None for the
    # special tokens the post-processor adds and for padding (C: -1)
    word_ids = property(lambda s: [None if w < 0 else w for w in s._fields["word_ids"]])
    words = word_ids

    def token_to_word(self, token_index):
        # COMPAT: Encoding::token_to_word: None past the end and for specials / padding
        w = self._fields["word_ids"]
        return w[token_index] if 0 <= token_index < len(w) and w[token_index] >= 0 else None

    def word_to_tokens(self, word_index, sequence_index=0):
        """COMPAT: Encoding::word_to_tokens: within the tokens of the sequence
        (all tokens when it has none), up to the first token of a later word, the
        span of those of word_index; None when there are none."""
        seq = self.sequence_ids
        idx = [i for i, q in enumerate(seq) if q == sequence_index]
        lo, hi = (idx[0], idx[-1] + 1) if idx else (0, len(seq))
        start = end = None
        for i in range(lo, hi):
            w = self._fields["word_ids"][i]
            if w > word_index:  # take_while(w <= Some(word)): None (-1) passes
                break
            if w == word_index:
                start = i if start is None else start
                end = i + 1
        return None if start is None else (start, end)

    @property
    def tokens(self):
        return self._tokenizer.convert_ids_to_tokens(self.ids)

    @property
    def sequence_ids(self):
        # COMPAT: tokenizers' sequence_ids: None for specials and padding, else
        # the sequence (BERT's post-processor types B 1)
        return [None if s else t for t, s in zip(self.type_ids, self.special_tokens_mask)]

    def __len__(self):
        return len(self._fields["input_ids"])

    def __repr__(self):
        return "Encoding(num_tokens={}, attributes=[ids, type_ids, tokens, offsets, attention_mask, " \
               "special_tokens_mask, overflowing])".format(len(self))


class BatchEncoding(collections.UserDict):
    """transformers 4.9.1's BatchEncoding: a UserDict (not a dict) with
    attribute access to its keys; `encodings` (fast compat) are the rows as
    Encoding objects, reachable by integer index."""

    def __init__(self, data=None, encoding=None, tensor_type=None, prepend_batch_axis=False, n_sequences=None):
        super().__init__(data)
        if isinstance(encoding, Encoding):
            encoding = [encoding]
        self._encodings = encoding
        if n_sequences is None and encoding is not None and len(encoding):
            n_sequences = encoding[0].n_sequences
        self._n_sequences = n_sequences
        self.convert_to_tensors(tensor_type=tensor_type, prepend_batch_axis=prepend_batch_axis)

    @property
    def n_sequences(self):
        return self._n_sequences

    @property
    def is_fast(self):
        return self._encodings is not None

    @property
    def encodings(self):
        return self._encodings

    def __getitem__(self, item):
        if isinstance(item, str):
            return self.data[item]
        elif self._encodings is not None:
            return self._encodings[item]
        else:
            raise KeyError(
                "Indexing with integers (to access backend Encoding for a given batch index) "
                "is not available when using Python based tokenizers")

    def __getattr__(self, item):
        if item in ("data", "_encodings", "_n_sequences"):  # not yet set (copy, unpickling)
            raise AttributeError(item)
        try:
            return self.data[item]
        except KeyError:
            raise AttributeError from None

    def __getstate__(self):
        return {"data": self.data, "encodings": self._encodings}

    def __setstate__(self, state):
        self._encodings = None
        self._n_sequences = None
        if "data" in state:
            self.data = state["data"]
        if "encodings" in state:
            self._encodings = state["encodings"]

    def keys(self):
        return self.data.keys()

    def values(self):
        return self.data.values()

    def items(self):
        return self.data.items()

    def tokens(self, batch_index=0):
        if not self._encodings:
            raise ValueError("tokens() is not available when using Python-based tokenizers")
        return self._encodings[batch_index].tokens

    def sequence_ids(self, batch_index=0):
        if not self._encodings:
            raise ValueError("sequence_ids() is not available when using Python-based tokenizers")
        return self._encodings[batch_index].sequence_ids

    def words(self, batch_index=0):
        if not self._encodings:
            raise ValueError("words() is not available when using Python-based tokenizers")
        warnings.warn(
            "`BatchEncoding.words()` property is deprecated and should be replaced with the identical, "
            "but more self-explanatory `BatchEncoding.word_ids()` property.",
            FutureWarning,
        )
        return self.word_ids(batch_index)

    def word_ids(self, batch_index=0):
        if not self._encodings:
            raise ValueError("word_ids() is not available when using Python-based tokenizers")
        return self._encodings[batch_index].word_ids

    def _batch_and_index(self, batch_or_index, index):
        """4.9.1's (batch_or_x_index, x_index) arguments as (batch index, index)."""
        if index is not None:
            batch_index = batch_or_index
        else:
            batch_index, index = 0, batch_or_index
        # COMPAT: 4.9.1 reads self._batch_size / self._seq_len, which BatchEncoding does
        # not have: a negative index raises AttributeError (from __getattr__)
        if batch_index < 0:
            batch_index = self._batch_size + batch_index
        if index < 0:
            index = self._seq_len + index
        return batch_index, index

    def token_to_word(self, batch_or_token_index, token_index=None):
        if not self._encodings:
            raise ValueError("token_to_word() is not available when using Python based tokenizers")
        batch_index, token_index = self._batch_and_index(batch_or_token_index, token_index)
        return self._encodings[batch_index].token_to_word(token_index)

    def word_to_tokens(self, batch_or_word_index, word_index=None, sequence_index=0):
        if not self._encodings:
            raise ValueError("word_to_tokens() is not available when using Python based tokenizers")
        batch_index, word_index = self._batch_and_index(batch_or_word_index, word_index)
        span = self._encodings[batch_index].word_to_tokens(word_index, sequence_index)
        return TokenSpan(*span) if span is not None else None

    def convert_to_tensors(self, tensor_type=None, prepend_batch_axis=False):
        if tensor_type is None:
            return self
        if tensor_type == "np":
            as_tensor, is_tensor = np.asarray, lambda x: isinstance(x, np.ndarray)
        elif tensor_type == "pt":
            import torch

            as_tensor, is_tensor = torch.tensor, torch.is_tensor
        else:
            raise ValueError(
                "Unable to convert output to tensors format {}, tokalign supports 'np' and 'pt'".format(tensor_type))
        for key, value in self.items():
            try:
                if prepend_batch_axis:
                    value = [value]
                if not is_tensor(value):
                    self[key] = as_tensor(value)
            except Exception:
                if key == "overflowing_tokens":
                    raise ValueError(
                        "Unable to create tensor returning overflowing tokens of different lengths. "
                        "Please see if a fast version of this tokenizer is available to have this feature available."
                    ) from None
                raise ValueError(
                    "Unable to create tensor, you should probably activate truncation and/or padding "
                    "with 'padding=True' 'truncation=True' to have batched tensors with the same length."
                ) from None
        return self

    def to(self, device):
        """BatchEncoding.to of 4.9.1: v.to(device) on every value (torch tensors)."""
        import torch

        if isinstance(device, (str, int)) or isinstance(device, torch.device):
            self.data = {k: v.to(device=device) for k, v in self.data.items()}
        else:
            logger.warning(f"Attempting to cast a BatchEncoding to type {str(device)}. This is not supported.")
        return self


class _Encodings:
    """The Encoding of each row of an encode_batch result, made on access
    (nothing per row is built unless asked for)."""

    def __init__(self, tokenizer, r, has_pair):
        self._tokenizer, self._r, self._n_seq = tokenizer, r, 2 if has_pair else 1
        self._bounds = np.concatenate(([0], np.cumsum(r["lengths"]))).tolist()
        sample = r.get("overflow_to_sample_mapping")
        self._sample = None if sample is None else sample.tolist()

    def __len__(self):
        return len(self._bounds) - 1

    def _one(self, i):
        s, e = self._bounds[i], self._bounds[i + 1]
        fields = {k: v[s:e].tolist() for k, v in self._r.items()
                  if k in ("input_ids", "token_type_ids", "attention_mask", "special_tokens_mask", "offset_mapping",
                           "word_ids")}
        return Encoding(self._tokenizer, fields, self._n_seq)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError("list index out of range")
        enc = self._one(i)
        sm = self._sample
        if sm is not None and (i == 0 or sm[i - 1] != sm[i]):  # a text's own row carries its overflow rows
            k = i + 1
            while k < len(self) and sm[k] == sm[i]:
                enc.overflowing.append(self._one(k))
                k += 1
        return enc

    def __iter__(self):
        return (self[i] for i in range(len(self)))


def _strategy(value, names, cls):
    if value not in names:
        raise ValueError("{!r} is not a valid {}".format(value, cls))
    return value


class PreTrainedTokenizer:
    """A tokenizer opened by tokalign, called like transformers 4.9.1's."""

    padding_side = "right"

    def __init__(self, name_or_path, compat="slow", do_lower_case=None, mirror=None, num_threads=None,
                 model_max_length=None):
        lower = -1 if do_lower_case is None else int(bool(do_lower_case))
        self._tok = _tokalign.Tokenizer(str(name_or_path), compat, lower, mirror)
        info = self._tok.info()
        self.name_or_path = str(name_or_path)
        self.compat = info["compat"]
        self.kind = info["kind"]
        self.source = info["source"]
        self.num_threads = num_threads or _default_threads()
        base = os.path.basename(str(name_or_path).rstrip("/"))
        if model_max_length is None:
            model_max_length = _MAX_INPUT_SIZES.get(str(name_or_path), VERY_LARGE_INTEGER)
            if base == "reformer-crime-and-punishment":
                model_max_length = 524288
        self.model_max_length = model_max_length
        self._vocab_size = info["vocab_size"]
        self._unk_id = info["special_ids"]["unk"]
        if self.kind == "wordpiece":
            self.model_input_names = ["input_ids", "token_type_ids", "attention_mask"]
            self._specials = {"unk_token": "[UNK]", "sep_token": "[SEP]", "pad_token": "[PAD]",
                              "cls_token": "[CLS]", "mask_token": "[MASK]"}
        elif self.kind == "json":
            # PreTrainedTokenizerFast over a tokenizer.json: the base class's input names; the
            # special tokens are those the file declares (its added special tokens the library
            # recognises as unk/cls/sep/pad/mask/bos/eos)
            self.model_input_names = ["input_ids", "token_type_ids", "attention_mask"]
            self._specials = {}
            for role, i in info["special_ids"].items():
                token = self._tok.id_to_token(i) if i >= 0 else None
                if token is not None:
                    self._specials[role + "_token"] = token
        else:
            # ReformerTokenizer: eos and unk only; no pad token unless one is set
            self.model_input_names = ["input_ids", "attention_mask"]
            self._specials = {"eos_token": "</s>", "unk_token": "<unk>"}
        self.deprecation_warnings = {}
        self.verbose = True

    # ----------------------------------------------------------- vocabulary
    @property
    def vocab_size(self):
        return self._vocab_size

    def __len__(self):
        return self._vocab_size

    def __repr__(self):
        return "PreTrainedTokenizer(name_or_path='{}', vocab_size={}, model_max_len={}, kind='{}', compat='{}')".format(
            self.name_or_path, self.vocab_size, self.model_max_length, self.kind, self.compat)

    def _special(self, name):
        return self._specials.get(name)

    def _set_special(self, name, value):
        if value is None:
            self._specials.pop(name, None)
        else:
            self._specials[name] = str(value)

    def _special_id(self, name):
        tok = self._specials.get(name)
        return None if tok is None else self.convert_tokens_to_ids(tok)

    unk_token = property(lambda s: s._special("unk_token"), lambda s, v: s._set_special("unk_token", v))
    sep_token = property(lambda s: s._special("sep_token"), lambda s, v: s._set_special("sep_token", v))
    pad_token = property(lambda s: s._special("pad_token"), lambda s, v: s._set_special("pad_token", v))
    cls_token = property(lambda s: s._special("cls_token"), lambda s, v: s._set_special("cls_token", v))
    mask_token = property(lambda s: s._special("mask_token"), lambda s, v: s._set_special("mask_token", v))
    bos_token = property(lambda s: s._special("bos_token"), lambda s, v: s._set_special("bos_token", v))
    eos_token = property(lambda s: s._special("eos_token"), lambda s, v: s._set_special("eos_token", v))
    unk_token_id = property(lambda s: s._special_id("unk_token"))
    sep_token_id = property(lambda s: s._special_id("sep_token"))
    pad_token_id = property(lambda s: s._special_id("pad_token"))
    cls_token_id = property(lambda s: s._special_id("cls_token"))
    mask_token_id = property(lambda s: s._special_id("mask_token"))
    bos_token_id = property(lambda s: s._special_id("bos_token"))
    eos_token_id = property(lambda s: s._special_id("eos_token"))
    pad_token_type_id = 0

    @property
    def all_special_tokens(self):
        order = ("bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token")
        out = []
        for name in order:
            t = self._specials.get(name)
            if t is not None and t not in out:
                out.append(t)
        return out

    @property
    def all_special_ids(self):
        return self.convert_tokens_to_ids(self.all_special_tokens)

    def get_vocab(self):
        return {self._tok.id_to_token(i): i for i in range(self.vocab_size)}

    def tokenize(self, text, **kwargs):
        return self._tok.tokenize(text)[1]

    def _token_id(self, token):
        i = self._tok.token_to_id(token)
        if i >= 0:
            return i
        if self.kind == "sentencepiece":  # sp.piece_to_id: the model's unk id
            return self._unk_id if self._unk_id >= 0 else None
        unk = self._specials.get("unk_token")
        return None if unk is None else self._tok.token_to_id(unk)

    def convert_tokens_to_ids(self, tokens):
        if tokens is None:
            return None
        if isinstance(tokens, str):
            return self._token_id(tokens)
        return [self._token_id(t) for t in tokens]

    def convert_ids_to_tokens(self, ids, skip_special_tokens=False):
        if isinstance(ids, (int, np.integer)):
            t = self._tok.id_to_token(int(ids))
            return self.unk_token if t is None and self.kind == "wordpiece" else t
        special = set(self.all_special_ids) if skip_special_tokens else ()
        out = []
        for i in ids:
            i = int(i)
            if i in special:
                continue
            t = self._tok.id_to_token(i)
            out.append(self.unk_token if t is None and self.kind == "wordpiece" else t)
        return out

    def convert_tokens_to_string(self, tokens):
        if self.kind == "wordpiece":
            return " ".join(tokens).replace(" ##", "").strip()
        return self.decode(self.convert_tokens_to_ids(tokens), clean_up_tokenization_spaces=False)

    def decode(self, token_ids, skip_special_tokens=False, clean_up_tokenization_spaces=True, **kwargs):
        if isinstance(token_ids, (int, np.integer)):
            token_ids = [int(token_ids)]
        if hasattr(token_ids, "tolist"):
            token_ids = token_ids.tolist()
        return self._tok.decode(token_ids, skip_special_tokens, clean_up_tokenization_spaces)

    def batch_decode(self, sequences, skip_special_tokens=False, clean_up_tokenization_spaces=True, **kwargs):
        return [self.decode(s, skip_special_tokens, clean_up_tokenization_spaces) for s in sequences]

    # --------------------------------------------------------- HF arguments
    def _warn_once(self, key, message):
        if not self.deprecation_warnings.get(key, False):
            logger.warning(message)
        self.deprecation_warnings[key] = True

    def _get_padding_truncation_strategies(self, padding=False, truncation=False, max_length=None,
                                           pad_to_multiple_of=None, verbose=True):
        # COMPAT: transformers 4.9.1 _get_padding_truncation_strategies
        if max_length is not None and padding is False and truncation is False:
            if verbose:
                self._warn_once(
                    "Truncation-not-explicitly-activated",
                    "Truncation was not explicitly activated but `max_length` is provided a specific value, "
                    "please use `truncation=True` to explicitly truncate examples to max length. "
                    "Defaulting to 'longest_first' truncation strategy. "
                    "If you encode pairs of sequences (GLUE-style) with the tokenizer you can select this strategy "
                    "more precisely by providing a specific strategy to `truncation`.")
            truncation = "longest_first"
        if padding is not False:
            padding_strategy = "longest" if padding is True else _strategy(padding, _PADDINGS, "PaddingStrategy")
        else:
            padding_strategy = "do_not_pad"
        if truncation is not False:
            truncation_strategy = ("longest_first" if truncation is True
                                   else _strategy(truncation, _TRUNCATIONS, "TruncationStrategy"))
        else:
            truncation_strategy = "do_not_truncate"
        if max_length is None:
            if padding_strategy == "max_length":
                if self.model_max_length > LARGE_INTEGER:
                    if verbose:
                        self._warn_once(
                            "Asking-to-pad-to-max_length",
                            "Asking to pad to max_length but no maximum length is provided and the model has no "
                            "predefined maximum length. Default to no padding.")
                    padding_strategy = "do_not_pad"
                else:
                    max_length = self.model_max_length
            if truncation_strategy != "do_not_truncate":
                if self.model_max_length > LARGE_INTEGER:
                    if verbose:
                        self._warn_once(
                            "Asking-to-truncate-to-max_length",
                            "Asking to truncate to max_length but no maximum length is provided and the model has "
                            "no predefined maximum length. Default to no truncation.")
                    truncation_strategy = "do_not_truncate"
                else:
                    max_length = self.model_max_length
        if padding_strategy != "do_not_pad" and (not self.pad_token or self.pad_token_id < 0):
            raise ValueError(_PAD_ERROR)
        if (truncation_strategy != "do_not_truncate" and padding_strategy != "do_not_pad"
                and pad_to_multiple_of is not None and max_length is not None
                and (max_length % pad_to_multiple_of != 0)):
            raise ValueError(
                f"Truncation and padding are both activated but "
                f"truncation length ({max_length}) is not a multiple of pad_to_multiple_of ({pad_to_multiple_of}).")
        return padding_strategy, truncation_strategy, max_length

    # ----------------------------------------------------------------- call
    def _join_words(self, text, text_pair):
        """is_split_into_words of the slow tokenizers: 4.9.1 encodes the
        concatenated tokenize(word) of every word. COMPAT: for BertTokenizer
        and ReformerTokenizer that equals tokenizing the words joined by one
        space (BERT splits on whitespace before anything else; SentencePiece
        pieces never span a space), checked against 4.9.1 on 6 992 word lists
        (tests/python/oracle/gen_split_words.py), the only differences being
        code points unassigned in Python's Unicode 14, as in the goldens."""
        if self.kind not in ("wordpiece", "sentencepiece"):
            raise NotImplementedError("tokalign: is_split_into_words is bound for BERT, SentencePiece and "
                                      "tokenizer.json tokenizers only")

        def join(x):
            if isinstance(x, str):
                return x
            if isinstance(x, (list, tuple)) and len(x) > 0 and isinstance(x[0], str):
                return " ".join(x)
            if isinstance(x, (list, tuple)) and len(x) > 0 and isinstance(x[0], int):
                raise NotImplementedError("tokalign: lists of ids as input are not supported")
            raise ValueError(f"Input {x} is not valid. Should be a string or a list/tuple of strings when "
                             "`is_split_into_words=True`.")

        # COMPAT: with is_split_into_words only a list of lists is a batch
        if isinstance(text, (list, tuple)) and text and isinstance(text[0], (list, tuple)):
            if text_pair is not None and not isinstance(text_pair, str) and len(text) != len(text_pair):
                raise ValueError(f"batch length of `text`: {len(text)} does not match batch length of "
                                 f"`text_pair`: {len(text_pair)}.")
            pairs = text_pair if text_pair is None or isinstance(text_pair, str) else [join(t) for t in text_pair]
            return [join(t) for t in text], pairs
        return join(text), None if text_pair is None else join(text_pair)

    def __call__(self, text, text_pair=None, add_special_tokens=True, padding=False, truncation=False,
                 max_length=None, stride=0, is_split_into_words=False, pad_to_multiple_of=None,
                 return_tensors=None, return_token_type_ids=None, return_attention_mask=None,
                 return_overflowing_tokens=False, return_special_tokens_mask=False,
                 return_offsets_mapping=False, return_length=False, verbose=True, **kwargs):
        ok = isinstance(text, str) or (isinstance(text, (list, tuple)) and (
            len(text) == 0 or isinstance(text[0], str) or (
                isinstance(text[0], (list, tuple)) and (len(text[0]) == 0 or isinstance(text[0][0], str)))))
        assert ok, ("text input must of type `str` (single example), `List[str]` (batch or single pretokenized "
                    "example) or `List[List[str]]` (batch of pretokenized examples).")
        assert text_pair is None or isinstance(text_pair, str) or (isinstance(text_pair, (list, tuple)) and (
            len(text_pair) == 0 or isinstance(text_pair[0], str) or (
                isinstance(text_pair[0], (list, tuple)) and (len(text_pair[0]) == 0 or isinstance(text_pair[0][0], str))))), (
            "text input must of type `str` (single example), `List[str]` (batch or single pretokenized "
            "example) or `List[List[str]]` (batch of pretokenized examples).")
        if is_split_into_words and self.compat == "fast":
            return self._call_words(text, text_pair, add_special_tokens=add_special_tokens, padding=padding,
                                    truncation=truncation, max_length=max_length, stride=stride,
                                    pad_to_multiple_of=pad_to_multiple_of, return_tensors=return_tensors,
                                    return_token_type_ids=return_token_type_ids,
                                    return_attention_mask=return_attention_mask,
                                    return_overflowing_tokens=return_overflowing_tokens,
                                    return_special_tokens_mask=return_special_tokens_mask,
                                    return_offsets_mapping=return_offsets_mapping, return_length=return_length,
                                    verbose=verbose)
        if is_split_into_words:
            text, text_pair = self._join_words(text, text_pair)
        args = dict(add_special_tokens=add_special_tokens, padding=padding, truncation=truncation,
                    max_length=max_length, stride=stride, pad_to_multiple_of=pad_to_multiple_of,
                    return_tensors=return_tensors, return_token_type_ids=return_token_type_ids,
                    return_attention_mask=return_attention_mask,
                    return_overflowing_tokens=return_overflowing_tokens,
                    return_special_tokens_mask=return_special_tokens_mask,
                    return_offsets_mapping=return_offsets_mapping, return_length=return_length,
                    verbose=verbose)
        if isinstance(text, (list, tuple)):
            if isinstance(text_pair, str):
                raise TypeError("when tokenizing batches of text, `text_pair` must be a list or tuple with the same "
                                "length as `text`.")
            if text_pair is not None and len(text) != len(text_pair):
                raise ValueError(f"batch length of `text`: {len(text)} does not match batch length of "
                                 f"`text_pair`: {len(text_pair)}.")
            if text_pair is not None:
                return self._encode(text, text_pair, batched=True, **args)
            if len(text) == 0 or isinstance(text[0], str):
                # the fast path: the list goes to C as it is (C checks every item is a str)
                return self._encode(text, None, batched=True, **args)
            return self.batch_encode_plus(text, **args)
        return self.encode_plus(text, text_pair, **args)

    def _call_words(self, text, text_pair, **args):
        """is_split_into_words=True of PreTrainedTokenizerFast (4.9.1): the words go to
        the Rust tokenizer as a pre-tokenized sequence (encode_batch(..., is_pretokenized=
        True)); each word is encoded alone, its tokens get its position as word id and
        offsets within the word (tka_encoder_encode_words)."""
        def words(x):
            if not all(isinstance(w, str) for w in x):
                raise TypeError("tokalign: is_split_into_words takes lists of str")
            return list(x)

        if isinstance(text, (list, tuple)) and text and isinstance(text[0], (list, tuple)):
            if text_pair is not None and len(text) != len(text_pair):
                raise ValueError(f"batch length of `text`: {len(text)} does not match batch length of "
                                 f"`text_pair`: {len(text_pair)}.")
            pairs = None if text_pair is None else [words(p) for p in text_pair]
            return self._encode([words(t) for t in text], pairs, batched=True, split_words=True, **args)
        if isinstance(text, str) or (text_pair is not None and isinstance(text_pair, str)):
            raise TypeError("tokalign: with is_split_into_words a text is a list of words")
        # COMPAT: _encode_plus: `[(text, text_pair)] if text_pair else [text]`: an empty pair is none
        return self._encode([words(text)], [words(text_pair)] if text_pair else None, batched=False,
                            split_words=True, **args)

    def encode(self, text, text_pair=None, add_special_tokens=True, padding=False, truncation=False,
               max_length=None, stride=0, return_tensors=None, **kwargs):
        return self.encode_plus(text, text_pair, add_special_tokens=add_special_tokens, padding=padding,
                                truncation=truncation, max_length=max_length, stride=stride,
                                return_tensors=return_tensors, **kwargs)["input_ids"]

    def encode_plus(self, text, text_pair=None, **kwargs):
        return self._encode([text], None if text_pair is None else [text_pair], batched=False, **kwargs)

    def batch_encode_plus(self, batch_text_or_text_pairs, **kwargs):
        texts, pairs = [], []
        for x in batch_text_or_text_pairs:
            if isinstance(x, (list, tuple)):
                a, b = x
            else:
                a, b = x, None
            texts.append(a)
            pairs.append(b)
        if all(b is None for b in pairs):
            pairs = None
        return self._encode(texts, pairs, batched=True, **kwargs)

    def _encode(self, texts, pairs, batched, add_special_tokens=True, padding=False, truncation=False, max_length=None,
                stride=0, pad_to_multiple_of=None, return_tensors=None, return_token_type_ids=None,
                return_attention_mask=None, return_overflowing_tokens=False, return_special_tokens_mask=False,
                return_offsets_mapping=False, return_length=False, verbose=True, split_words=False, **kwargs):
        padding_strategy, truncation_strategy, max_length = self._get_padding_truncation_strategies(
            padding, truncation, max_length, pad_to_multiple_of, verbose)
        fast = self.compat == "fast"
        if return_offsets_mapping and not fast:
            # COMPAT: transformers 4.9.1's slow tokenizers refuse offsets
            raise NotImplementedError(
                "return_offset_mapping is not available when using Python tokenizers."
                "To use this feature, change your tokenizer to one deriving from "
                "transformers.PreTrainedTokenizerFast."
                "More information on available tokenizers at "
                "https://github.com/huggingface/transformers/pull/2674")
        if return_token_type_ids and not add_special_tokens and not fast:
            # COMPAT: prepare_for_model of the slow tokenizers
            raise ValueError(
                "Asking to return token_type_ids while setting add_special_tokens to False "
                "results in an undefined behavior. Please set add_special_tokens to True or "
                "set return_token_type_ids to None.")
        if return_overflowing_tokens and max_length is None and not fast:
            # COMPAT: total_len - max_length in prepare_for_model
            raise TypeError("unsupported operand type(s) for -: 'int' and 'NoneType'")
        if return_token_type_ids is None:
            return_token_type_ids = "token_type_ids" in self.model_input_names
        if return_attention_mask is None:
            return_attention_mask = "attention_mask" in self.model_input_names
        has_pair = pairs is not None
        if has_pair and any(b is None for b in pairs):
            # mixed singles and pairs: encode row by row (rare)
            parts = [self._encode([a], None if b is None else [b], batched=False, add_special_tokens=add_special_tokens,
                                  truncation=truncation_strategy if truncation_strategy != "do_not_truncate" else False,
                                  max_length=max_length, stride=stride,
                                  return_token_type_ids=return_token_type_ids, return_attention_mask=False,
                                  return_overflowing_tokens=return_overflowing_tokens,
                                  return_special_tokens_mask=return_special_tokens_mask, verbose=verbose)
                     for a, b in zip(texts, pairs)]
            merged = {}
            for p in parts:
                for k, v in p.items():
                    merged.setdefault(k, []).append(v)
            return self.pad(merged, padding=padding_strategy, max_length=max_length,
                            pad_to_multiple_of=pad_to_multiple_of, return_attention_mask=return_attention_mask,
                            return_tensors=return_tensors, verbose=verbose)
        if batched and not len(texts):
            raise ValueError("You should supply an encoding or a list of encodings to this method"
                             f"that includes {self.model_input_names[0]}, but you provided []")
        pad_id = self.pad_token_id if self.pad_token is not None else -1
        r = self._tok.encode_batch(
            texts, pairs if has_pair else None, add_special_tokens=bool(add_special_tokens),
            max_length=-1 if max_length is None else int(max_length),
            truncation=truncation_strategy, stride=int(stride), padding=padding_strategy,
            pad_to_multiple_of=int(pad_to_multiple_of or 0), padding_side=self.padding_side,
            pad_id=-1 if pad_id is None else int(pad_id), offsets=bool(return_offsets_mapping) or fast,
            overflow=bool(return_overflowing_tokens), num_threads=self.num_threads,
            # fast: every field, for the Encoding of each row
            token_type_ids=bool(return_token_type_ids) or fast,
            attention_mask=bool(return_attention_mask) or fast or bool(return_length),
            special_tokens_mask=bool(return_special_tokens_mask) or fast, word_ids=fast, words=split_words)
        lengths = r["lengths"]
        if verbose and max_length is None and r["max_row_length"] > self.model_max_length:
            # COMPAT: _eventual_warn_about_too_long_sequence
            self._warn_once(
                "sequence-length-is-longer-than-the-specified-maximum",
                "Token indices sequence length is longer than the specified maximum sequence length "
                "for this model ({} > {}). Running this sequence through the model will result in "
                "indexing errors".format(r["max_row_length"], self.model_max_length))
        # fast: a text's overflow encodings are rows of their own after it
        # (PreTrainedTokenizerFast._batch_encode_plus), kept batched even for
        # one text
        rows_out = fast and return_overflowing_tokens
        if rows_out:
            batched = True
        keys = []
        if return_overflowing_tokens and not fast:
            keys += ["overflowing_tokens", "num_truncated_tokens"]
        keys.append("input_ids")
        if return_token_type_ids:
            keys.append("token_type_ids")
        if fast:
            if return_attention_mask:
                keys.append("attention_mask")
            if return_special_tokens_mask:
                keys.append("special_tokens_mask")
            if return_offsets_mapping:
                keys.append("offset_mapping")
        else:
            if return_special_tokens_mask:
                keys.append("special_tokens_mask")
            if return_length and batched:
                # COMPAT: _batch_prepare_for_model measures before self.pad adds
                # the attention mask (and the padding)
                keys.append("length")
            if return_attention_mask:
                keys.append("attention_mask")
        out = BatchEncoding()
        n = len(lengths)
        uniform = r["uniform"]
        bounds = None  # row starts in the flat arrays, made when a key needs them
        for key in keys:
            if bounds is None and (key == "length" or return_tensors != "np" or not uniform):
                bounds = np.concatenate(([0], np.cumsum(lengths)))
            if key == "length":
                cs = np.concatenate(([0], np.cumsum(r["attention_mask"])))
                out[key] = (cs[bounds[1:]] - cs[bounds[:-1]]).tolist()
                continue
            if key == "overflowing_tokens":
                ol = r["overflow_lengths"]
                ob = np.concatenate(([0], np.cumsum(ol)))
                flat = r["overflowing_tokens"].tolist()
                val = [flat[ob[i]:ob[i + 1]] for i in range(n)]
            elif key == "num_truncated_tokens":
                val = r["num_truncated_tokens"].tolist()
            else:
                flat = r[key]
                if return_tensors == "np" and uniform:
                    width = int(lengths[0])
                    shape = (n, width) if key != "offset_mapping" else (n, width, 2)
                    val = flat.reshape(shape)
                    if width == 0:
                        val = val.astype(np.float64)  # COMPAT: np.asarray([[]]) is float64
                    if not batched:
                        out[key] = val
                        continue
                    out[key] = val
                    continue
                if uniform:
                    width = int(lengths[0])
                    rows = flat.reshape((n, width) if key != "offset_mapping" else (n, width, 2)).tolist()
                else:
                    lst = flat.tolist()
                    rows = [lst[bounds[i]:bounds[i + 1]] for i in range(n)]
                if key == "offset_mapping":
                    rows = [[tuple(p) for p in row] for row in rows]
                val = rows
            out[key] = val if batched else val[0]
        if return_length and "length" not in out:
            out["length"] = lengths.tolist() if batched else int(lengths[0])
        if rows_out:
            out["overflow_to_sample_mapping"] = r["overflow_to_sample_mapping"].tolist()
        if fast:
            out._encodings = _Encodings(self, r, has_pair)
            out._n_sequences = 2 if has_pair else 1
        if return_tensors is not None:
            done = {k for k, v in out.items() if isinstance(v, np.ndarray)} if return_tensors == "np" else set()
            rest = BatchEncoding((k, v) for k, v in out.items() if k not in done)
            rest.convert_to_tensors(return_tensors, prepend_batch_axis=not batched and not rows_out)
            for k in list(out.keys()):
                if k in rest:
                    out[k] = rest[k]
        return out

    # ------------------------------------------------------------------ pad
    def pad(self, encoded_inputs, padding=True, max_length=None, pad_to_multiple_of=None,
            return_attention_mask=None, return_tensors=None, verbose=True):
        """PreTrainedTokenizerBase.pad of transformers 4.9.1 (numpy inside)."""
        if isinstance(encoded_inputs, (list, tuple)) and len(encoded_inputs) and isinstance(encoded_inputs[0], dict):
            encoded_inputs = {key: [example[key] for example in encoded_inputs] for key in encoded_inputs[0].keys()}
        if self.model_input_names[0] not in encoded_inputs:
            raise ValueError(
                "You should supply an encoding or a list of encodings to this method"
                f"that includes {self.model_input_names[0]}, but you provided {list(encoded_inputs.keys())}")
        required_input = encoded_inputs[self.model_input_names[0]]
        if not len(required_input):
            if return_attention_mask:
                encoded_inputs["attention_mask"] = []
            return encoded_inputs

        def to_py(v):
            return v.tolist() if hasattr(v, "tolist") else v

        encoded_inputs = {k: to_py(v) if not isinstance(v, list) else [to_py(x) for x in v]
                          for k, v in encoded_inputs.items()}
        required_input = encoded_inputs[self.model_input_names[0]]
        padding_strategy, _, max_length = self._get_padding_truncation_strategies(
            padding=padding, max_length=max_length, verbose=verbose)
        if required_input and not isinstance(required_input[0], (list, tuple)):
            out = self._pad(encoded_inputs, max_length, padding_strategy, pad_to_multiple_of, return_attention_mask)
            return BatchEncoding(out).convert_to_tensors(return_tensors)
        batch_size = len(required_input)
        assert all(len(v) == batch_size for v in encoded_inputs.values()), (
            "Some items in the output dictionary have a different batch size than others.")
        if padding_strategy == "longest":
            max_length = max(len(inputs) for inputs in required_input)
            padding_strategy = "max_length"
        batch_outputs = {}
        for i in range(batch_size):
            inputs = {k: v[i] for k, v in encoded_inputs.items()}
            outputs = self._pad(inputs, max_length, padding_strategy, pad_to_multiple_of, return_attention_mask)
            for key, value in outputs.items():
                batch_outputs.setdefault(key, []).append(value)
        return BatchEncoding(batch_outputs).convert_to_tensors(return_tensors)

    def _pad(self, encoded_inputs, max_length, padding_strategy, pad_to_multiple_of, return_attention_mask):
        if return_attention_mask is None:
            return_attention_mask = "attention_mask" in self.model_input_names
        required_input = encoded_inputs[self.model_input_names[0]]
        if padding_strategy == "longest":
            max_length = len(required_input)
        if max_length is not None and pad_to_multiple_of is not None and (max_length % pad_to_multiple_of != 0):
            max_length = ((max_length // pad_to_multiple_of) + 1) * pad_to_multiple_of
        needs = padding_strategy != "do_not_pad" and len(required_input) != max_length
        if needs:
            diff = max_length - len(required_input)
            pid = self.pad_token_id
            if self.padding_side == "right":
                if return_attention_mask:
                    encoded_inputs["attention_mask"] = [1] * len(required_input) + [0] * diff
                if "token_type_ids" in encoded_inputs:
                    encoded_inputs["token_type_ids"] = encoded_inputs["token_type_ids"] + [self.pad_token_type_id] * diff
                if "special_tokens_mask" in encoded_inputs:
                    encoded_inputs["special_tokens_mask"] = encoded_inputs["special_tokens_mask"] + [1] * diff
                encoded_inputs[self.model_input_names[0]] = required_input + [pid] * diff
            else:
                if return_attention_mask:
                    encoded_inputs["attention_mask"] = [0] * diff + [1] * len(required_input)
                if "token_type_ids" in encoded_inputs:
                    encoded_inputs["token_type_ids"] = [self.pad_token_type_id] * diff + encoded_inputs["token_type_ids"]
                if "special_tokens_mask" in encoded_inputs:
                    encoded_inputs["special_tokens_mask"] = [1] * diff + encoded_inputs["special_tokens_mask"]
                encoded_inputs[self.model_input_names[0]] = [pid] * diff + required_input
        elif return_attention_mask and "attention_mask" not in encoded_inputs:
            encoded_inputs["attention_mask"] = [1] * len(required_input)
        return encoded_inputs


class AutoTokenizer:
    """tokalign.AutoTokenizer.from_pretrained(name_or_path, compat="slow")."""

    def __init__(self):
        raise EnvironmentError("AutoTokenizer is designed to be instantiated using "
                               "`AutoTokenizer.from_pretrained(pretrained_model_name_or_path)`")

    @classmethod
    def from_pretrained(cls, name_or_path, compat="slow", do_lower_case=None, mirror=None, num_threads=None,
                        model_max_length=None, **kwargs):
        return PreTrainedTokenizer(name_or_path, compat=compat, do_lower_case=do_lower_case, mirror=mirror,
                                   num_threads=num_threads, model_max_length=model_max_length)


class DataCollatorWithPadding:
    """transformers 4.9.1 DataCollatorWithPadding (return_tensors selectable)."""

    def __init__(self, tokenizer, padding=True, max_length=None, pad_to_multiple_of=None, return_tensors="np"):
        self.tokenizer = tokenizer
        self.padding = padding
        self.max_length = max_length
        self.pad_to_multiple_of = pad_to_multiple_of
        self.return_tensors = return_tensors

    def __call__(self, features):
        batch = self.tokenizer.pad(features, padding=self.padding, max_length=self.max_length,
                                   pad_to_multiple_of=self.pad_to_multiple_of, return_tensors=self.return_tensors)
        if "label" in batch:
            batch["labels"] = batch["label"]
            del batch["label"]
        if "label_ids" in batch:
            batch["labels"] = batch["label_ids"]
            del batch["label_ids"]
        return batch
