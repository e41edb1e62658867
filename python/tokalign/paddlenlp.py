"""PaddleNLP 2.0/2.1's tokenizer call and paddlenlp.data's Pad / Stack /
Dict / Tuple. The tokens come from tokalign's C encoder (the same as
transformers' slow tokenizers, one call per batch, no special tokens); the
call's own rules (truncation, overflow, windows, padding, special tokens
placed as the encoder places them) are applied here to those id lists."""
import numpy as np

from ._hf import PreTrainedTokenizer as _HFTokenizer

__all__ = ["AutoTokenizer", "Pad", "Stack", "Dict", "Tuple"]

_INVALID_INPUT = "Input is not valid. Should be a string, a list/tuple of strings or a list/tuple of integers."


class _Template:
    """Where a tokenizer puts its special tokens around one or two sequences
    (PaddleNLP's build_inputs_with_special_tokens, its token type ids and
    special tokens mask), read off the C encoder's own output for a probe
    text, so the tokens are the library's and not a second copy here."""

    def __init__(self, tok):
        probe = "a"
        plain = tok.encode_batch([probe], None, add_special_tokens=False, token_type_ids=False,
                                 attention_mask=False, special_tokens_mask=False)["input_ids"].tolist()
        one = tok.encode_batch([probe], None, token_type_ids=True, attention_mask=False,
                               special_tokens_mask=False)
        two = tok.encode_batch([probe], [probe], token_type_ids=True, attention_mask=False,
                               special_tokens_mask=False)
        n = len(plain)
        ids1, tt1 = one["input_ids"].tolist(), one["token_type_ids"].tolist()
        ids2, tt2 = two["input_ids"].tolist(), two["token_type_ids"].tolist()
        # single: P + A + S; pair: P + A + M + B + S2, P and S found from the single probe
        at = next((i for i in range(len(ids1) - n + 1) if ids1[i:i + n] == plain), None)
        if not n or at is None or ids2[:at + n] != ids1[:at + n]:
            raise NotImplementedError("tokalign.paddlenlp: this tokenizer's special tokens are not a "
                                      "prefix / separator / suffix around its sequences")
        self.prefix, self.suffix = ids1[:at], ids1[at + n:]
        self.prefix_tt, self.suffix_tt, self.a_tt = tt1[:at], tt1[at + n:], tt1[at]
        rest, rest_tt = ids2[at + n:], tt2[at + n:]
        b_at = next((i for i in range(len(rest) - n, -1, -1) if rest[i:i + n] == plain), None)
        if b_at is None:
            raise NotImplementedError("tokalign.paddlenlp: pair template not found")
        self.mid, self.mid_tt = rest[:b_at], rest_tt[:b_at]
        self.pair_suffix, self.pair_suffix_tt = rest[b_at + n:], rest_tt[b_at + n:]
        self.b_tt = rest_tt[b_at]
        self.n_single = len(self.prefix) + len(self.suffix)
        self.n_pair = len(self.prefix) + len(self.mid) + len(self.pair_suffix)

    def build(self, ids, pair_ids):
        """input_ids, token_type_ids and special_tokens_mask of ids (+ pair_ids)."""
        if pair_ids is None:
            seq = self.prefix + ids + self.suffix
            tt = self.prefix_tt + [self.a_tt] * len(ids) + self.suffix_tt
            stm = [1] * len(self.prefix) + [0] * len(ids) + [1] * len(self.suffix)
        else:
            seq = self.prefix + ids + self.mid + pair_ids + self.pair_suffix
            tt = (self.prefix_tt + [self.a_tt] * len(ids) + self.mid_tt + [self.b_tt] * len(pair_ids) +
                  self.pair_suffix_tt)
            stm = ([1] * len(self.prefix) + [0] * len(ids) + [1] * len(self.mid) + [0] * len(pair_ids) +
                   [1] * len(self.pair_suffix))
        return seq, tt, stm

    def offsets(self, offs, pair_offs):
        """build_offset_mapping_with_special_tokens: (0, 0) for each special token."""
        z = (0, 0)
        if pair_offs is None:
            return [z] * len(self.prefix) + offs + [z] * len(self.suffix)
        return [z] * len(self.prefix) + offs + [z] * len(self.mid) + pair_offs + [z] * len(self.pair_suffix)


def _longest_first_kept(n_ids, n_pair, n_remove):
    """How many tokens of each sequence PaddleNLP 2.0/2.1's truncate_sequences
    ('longest_first') keeps: one token at a time from the first sequence
    while it is the longer, else from the second (popping an empty second
    sequence removes nothing)."""
    if n_pair is None:
        if n_remove > n_ids:
            # COMPAT: its `[ids[-1]] + overflowing_tokens` on an emptied first sequence
            raise IndexError("list index out of range")
        return n_ids - n_remove, None
    from_a = min(n_remove, max(0, n_ids - n_pair))
    from_b = min(n_remove, max(0, n_pair - n_ids))
    rest = n_remove - from_a - from_b
    a, b = n_ids - from_a, n_pair - from_b  # equal now when rest > 0: b, a, b, a, ...
    return max(0, a - rest // 2), max(0, b - (rest + 1) // 2)


def _put_sequence(d, built, return_token_type_ids, return_special_tokens_mask, return_length):
    """encode's keys for one built sequence (input_ids, then the asked ones, in its order);
    returns the ids."""
    seq, tt, stm = built
    d["input_ids"] = seq
    if return_token_type_ids:
        d["token_type_ids"] = tt
    if return_special_tokens_mask:
        d["special_tokens_mask"] = stm
    if return_length:
        d["seq_len"] = len(seq)
    return seq


class PretrainedTokenizer:
    """tokenizer(text, text_pair=None, max_seq_len=None, ...) as PaddleNLP
    2.0/2.1's PretrainedTokenizer.__call__ (tokenizer_utils.py): a dict for
    one text, a list of dicts for a batch; input_ids and token_type_ids by
    default, attention_mask only when asked."""

    padding_side = "right"
    pad_token_type_id = 0

    def __init__(self, name_or_path, **kwargs):
        self._hf = _HFTokenizer(name_or_path, **kwargs)
        self._template = None

    def __getattr__(self, name):
        return getattr(self._hf, name)

    def __len__(self):
        return len(self._hf)

    def __call__(self, text, text_pair=None, max_seq_len=None, stride=0, is_split_into_words=False,
                 pad_to_max_seq_len=False, truncation_strategy="longest_first", return_position_ids=False,
                 return_token_type_ids=True, return_attention_mask=False, return_length=False,
                 return_overflowing_tokens=False, return_special_tokens_mask=False):
        # COMPAT: 2.0/2.1's __call__ hands encode / batch_encode truncation_strategy="longest_first"
        # whatever it was given, and encode takes no stride (only batch_encode's windows use it)
        del truncation_strategy
        if self._template is None:
            self._template = _Template(self._hf._tok)
        batched = bool((not is_split_into_words and isinstance(text, (list, tuple))) or
                       (is_split_into_words and isinstance(text, (list, tuple)) and text and
                        isinstance(text[0], (list, tuple))))
        if batched:
            items = list(zip(text, text_pair)) if text_pair is not None else list(text)
            examples = []
            for item in items:
                if not isinstance(item, (list, tuple)):
                    examples.append((item, None))
                elif is_split_into_words and not isinstance(item[0], (list, tuple)):  # IndexError on []
                    examples.append((item, None))
                else:
                    first, second = item
                    examples.append((first, second))
        else:
            examples = [(text, text_pair)]
        windows = batched and stride > 0
        strings = []
        for first, second in examples:
            for t in (first, second):
                if isinstance(t, str):
                    strings.append(t)
        want_offsets = windows and any(second is not None for _, second in examples)
        ids_of, offs_of = self._encode_strings(strings, want_offsets)

        def input_ids(t):
            # PretrainedTokenizer.encode's get_input_ids
            if isinstance(t, str):
                return ids_of[t]
            if isinstance(t, (list, tuple)) and len(t) > 0 and isinstance(t[0], str):
                return self._hf.convert_tokens_to_ids(list(t))
            if isinstance(t, (list, tuple)) and len(t) > 0 and isinstance(t[0], int):
                return list(t)
            raise ValueError(_INVALID_INPUT)

        opts = dict(max_seq_len=max_seq_len, pad_to_max_seq_len=pad_to_max_seq_len,
                    return_position_ids=return_position_ids, return_token_type_ids=return_token_type_ids,
                    return_attention_mask=return_attention_mask, return_length=return_length,
                    return_special_tokens_mask=return_special_tokens_mask)
        if not batched:
            first, second = examples[0]
            return self._encode(input_ids(first), None if second is None else input_ids(second),
                                return_overflowing_tokens=return_overflowing_tokens, **opts)
        out = []
        for example_id, (first, second) in enumerate(examples):
            first_ids = input_ids(first)
            second_ids = input_ids(second) if second is not None else None
            if windows and second_ids is not None:
                out.extend(self._windows(example_id, first, second, first_ids, second_ids, stride, offs_of,
                                         **opts))
            else:
                # COMPAT: batch_encode hands encode the ids, whose get_input_ids refuses an empty list
                if not first_ids or (second_ids is not None and not second_ids):
                    raise ValueError(_INVALID_INPUT)
                out.append(self._encode(first_ids, second_ids, return_overflowing_tokens=return_overflowing_tokens,
                                        **opts))
        return out

    def _encode_strings(self, strings, offsets):
        """Each distinct string's token ids (and char offsets), no special
        tokens, untruncated: one call of the C encoder for the batch."""
        uniq = list(dict.fromkeys(strings))
        if not uniq:
            return {}, {}
        r = self._hf._tok.encode_batch(uniq, None, add_special_tokens=False, offsets=offsets,
                                       token_type_ids=False, attention_mask=False, special_tokens_mask=False,
                                       num_threads=self._hf.num_threads)
        bounds = np.concatenate(([0], np.cumsum(r["lengths"]))).tolist()
        flat = r["input_ids"].tolist()
        ids_of = {t: flat[bounds[i]:bounds[i + 1]] for i, t in enumerate(uniq)}
        offs_of = {}
        if offsets:
            pairs = [tuple(p) for p in r["offset_mapping"].tolist()]
            offs_of = {t: pairs[bounds[i]:bounds[i + 1]] for i, t in enumerate(uniq)}
        return ids_of, offs_of

    def _pad_value(self):
        pid = self._hf.pad_token_id
        if pid is None:
            raise ValueError("tokalign.paddlenlp: padding needs a pad token")
        return pid

    def _encode(self, ids, pair_ids, max_seq_len, pad_to_max_seq_len, return_position_ids, return_token_type_ids,
                return_attention_mask, return_length, return_overflowing_tokens, return_special_tokens_mask):
        """PretrainedTokenizer.encode of 2.0/2.1 on token ids."""
        tpl = self._template
        d = {}
        n_special = tpl.n_single if pair_ids is None else tpl.n_pair
        total = len(ids) + (len(pair_ids) if pair_ids is not None else 0) + n_special
        if max_seq_len and total > max_seq_len:
            kept, kept_pair = _longest_first_kept(len(ids), None if pair_ids is None else len(pair_ids),
                                                  total - max_seq_len)
            if return_overflowing_tokens:
                # COMPAT: only the first sequence's tokens, in order, without a stride
                d["overflowing_tokens"] = ids[kept:]
                d["num_truncated_tokens"] = total - max_seq_len
            ids = ids[:kept]
            if pair_ids is not None:
                pair_ids = pair_ids[:kept_pair]
        seq = _put_sequence(d, tpl.build(ids, pair_ids), return_token_type_ids, return_special_tokens_mask,
                            return_length)
        if max_seq_len is not None and len(seq) > max_seq_len:
            raise AssertionError()  # COMPAT: encode's `assert ... len(input_ids) <= max_seq_len`
        self._pad(d, len(seq), max_seq_len, pad_to_max_seq_len, return_attention_mask, offsets=False)
        if return_position_ids:
            d["position_ids"] = list(range(len(d["input_ids"])))
        return d

    def _pad(self, d, length, max_seq_len, pad_to_max_seq_len, return_attention_mask, offsets):
        """encode's padding: up to max_seq_len on padding_side; attention_mask
        only when asked (a new key, after the others)."""
        diff = max_seq_len - length if pad_to_max_seq_len and max_seq_len and length < max_seq_len else 0
        if not diff:
            if return_attention_mask:
                d["attention_mask"] = [1] * length
            return
        pad = {"input_ids": [self._pad_value()], "token_type_ids": [self.pad_token_type_id],
               "special_tokens_mask": [1], "offset_mapping": [(0, 0)]}
        right = self.padding_side == "right"
        if return_attention_mask:
            d["attention_mask"] = [1] * length + [0] * diff if right else [0] * diff + [1] * length
        for key in ("token_type_ids", "special_tokens_mask", "input_ids", "offset_mapping"):
            if key in d and (offsets or key != "offset_mapping"):
                d[key] = d[key] + pad[key] * diff if right else pad[key] * diff + d[key]

    def _windows(self, example_id, first, second, first_ids, second_ids, stride, offs_of, max_seq_len,
                 pad_to_max_seq_len, return_position_ids, return_token_type_ids, return_attention_mask,
                 return_length, return_special_tokens_mask):
        """batch_encode's windows of 2.0/2.1 (stride > 0, a pair): the first
        sequence whole, the second cut into windows of at most max_seq_len -
        len(first) - specials tokens, window starts `stride` tokens apart (not
        HF's overlap); char offsets and overflow_to_sample per window."""
        tpl = self._template
        max_len_for_pair = max_seq_len - len(first_ids) - tpl.n_pair  # TypeError without max_seq_len
        if not isinstance(first, str) or not isinstance(second, str):
            # COMPAT: get_offset_mapping tokenizes the text given; a word list fails there
            raise ValueError("Unsupported string type: {}".format(type(first if not isinstance(first, str)
                                                                       else second)))
        if max_len_for_pair == 0 and second_ids:
            raise ValueError("tokalign.paddlenlp: no room for the second text beside the first "
                             "(max_seq_len - len(first) - special tokens is 0; PaddleNLP loops forever)")
        mapping, pair_mapping_all = offs_of[first], offs_of[second]
        out = []
        offset = 0
        while offset < len(second_ids):
            length = min(len(second_ids) - offset, max_len_for_pair)
            pair_ids = second_ids[offset:offset + length]
            d = {}
            seq = _put_sequence(d, tpl.build(first_ids, pair_ids), return_token_type_ids,
                                return_special_tokens_mask, return_length)
            if len(seq) > max_seq_len:
                raise AssertionError()  # COMPAT: batch_encode's length assert
            d["offset_mapping"] = tpl.offsets(mapping, pair_mapping_all[offset:offset + length])
            self._pad(d, len(seq), max_seq_len, pad_to_max_seq_len, return_attention_mask, offsets=True)
            if return_position_ids:
                d["position_ids"] = list(range(len(d["input_ids"])))
            d["overflow_to_sample"] = example_id
            out.append(d)
            if offset + length == len(second_ids):
                break
            offset += min(length, stride)
        return out


class AutoTokenizer:
    @classmethod
    def from_pretrained(cls, name_or_path, **kwargs):
        return PretrainedTokenizer(name_or_path, **kwargs)


class Stack:
    """paddlenlp.data.Stack(axis=0, dtype=None)."""

    def __init__(self, axis=0, dtype=None):
        self._axis, self._dtype = axis, dtype

    def __call__(self, data):
        data = np.stack(data, axis=self._axis)
        return data.astype(self._dtype) if self._dtype else data


class Pad:
    """paddlenlp.data.Pad(pad_val=0, axis=0, ret_length=None, dtype=None, pad_right=True)."""

    def __init__(self, pad_val=0, axis=0, ret_length=None, dtype=None, pad_right=True):
        self._pad_val, self._axis, self._ret_length = pad_val, axis, ret_length
        self._dtype, self._pad_right = dtype, pad_right

    def __call__(self, data):
        arrs = [np.asarray(ele) for ele in data]
        original_length = [ele.shape[self._axis] for ele in arrs]
        max_size = max(original_length)
        ret_shape = list(arrs[0].shape)
        ret_shape[self._axis] = max_size
        ret_shape = (len(arrs),) + tuple(ret_shape)
        ret = np.full(shape=ret_shape, fill_value=self._pad_val,
                      dtype=arrs[0].dtype if self._dtype is None else self._dtype)
        for i, arr in enumerate(arrs):
            if arr.shape[self._axis] == max_size:
                ret[i] = arr
            else:
                slices = [slice(None) for _ in range(arr.ndim)]
                if self._pad_right:
                    slices[self._axis] = slice(0, arr.shape[self._axis])
                else:
                    slices[self._axis] = slice(max_size - arr.shape[self._axis], max_size)
                if slices[self._axis].start != slices[self._axis].stop:
                    slices = [slice(i, i + 1)] + slices
                    ret[tuple(slices)] = arr
        if self._ret_length:
            return ret, np.asarray(original_length, dtype="int32" if self._ret_length is True else self._ret_length)
        return ret


class Tuple:
    """paddlenlp.data.Tuple(fn, *args): one function per field of a sample tuple."""

    def __init__(self, fn, *args):
        self._fn = list(fn) if isinstance(fn, (list, tuple)) else [fn] + list(args)

    def __call__(self, data):
        ret = []
        for i, fn in enumerate(self._fn):
            result = fn([ele[i] for ele in data])
            if isinstance(result, (tuple, list)):
                ret.extend(result)
            else:
                ret.append(result)
        return tuple(ret)


class Dict:
    """paddlenlp.data.Dict({key: fn}): one function per key of a sample dict."""

    def __init__(self, fn):
        assert isinstance(fn, dict), "Input pattern not understood. The input of Dict must be a dict with key of input column name and value of collate_fn"
        self._fn = fn

    def __call__(self, data):
        ret = []
        for key, fn in self._fn.items():
            result = fn([ele[key] for ele in data])
            if isinstance(result, (tuple, list)):
                ret.extend(result)
            else:
                ret.append(result)
        return tuple(ret)
