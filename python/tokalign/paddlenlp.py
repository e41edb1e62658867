"""PaddleNLP 2.x's tokenizer call and paddlenlp.data's Pad / Stack / Dict /
Tuple, over tokalign's C encoder (the tokenization is the same as
transformers' slow tokenizers; only the call and its outputs differ)."""
import numpy as np

from ._hf import PreTrainedTokenizer as _HFTokenizer

__all__ = ["AutoTokenizer", "Pad", "Stack", "Dict", "Tuple"]

_STRATEGIES = ("longest_first", "only_first", "only_second", "do_not_truncate")


class PretrainedTokenizer:
    """tokenizer(text, text_pair=None, max_seq_len=None, ...) as PaddleNLP 2.x:
    a dict for one text, a list of dicts for a batch; input_ids and
    token_type_ids by default, attention_mask only when asked."""

    padding_side = "right"

    def __init__(self, name_or_path, **kwargs):
        self._hf = _HFTokenizer(name_or_path, **kwargs)

    def __getattr__(self, name):
        return getattr(self._hf, name)

    def __len__(self):
        return len(self._hf)

    def __call__(self, text, text_pair=None, max_seq_len=None, stride=0, is_split_into_words=False,
                 pad_to_max_seq_len=False, truncation_strategy="longest_first", return_position_ids=False,
                 return_token_type_ids=True, return_attention_mask=False, return_length=False,
                 return_overflowing_tokens=False, return_special_tokens_mask=False):
        if is_split_into_words:
            raise NotImplementedError("tokalign: is_split_into_words is not supported")
        if truncation_strategy not in _STRATEGIES:
            raise ValueError("{!r} is not a valid truncation_strategy".format(truncation_strategy))
        if return_overflowing_tokens or stride:
            raise NotImplementedError("tokalign.paddlenlp: overflow / stride are not bound yet")
        batched = isinstance(text, (list, tuple))
        texts = list(text) if batched else [text]
        if text_pair is not None:
            pairs = list(text_pair) if batched else [text_pair]
        else:
            pairs = None
        trunc = truncation_strategy if max_seq_len else "do_not_truncate"
        # (do_not_truncate: the C encoder leaves the text whole; the check below raises as PaddleNLP does)
        pad = "max_length" if pad_to_max_seq_len and max_seq_len else "do_not_pad"
        pid = self._hf.pad_token_id
        if pad != "do_not_pad" and pid is None:
            raise ValueError("tokalign.paddlenlp: padding needs a pad token")
        r = self._hf._tok.encode_batch(
            texts, pairs, add_special_tokens=True, max_length=int(max_seq_len) if max_seq_len else -1,
            truncation=trunc, padding=pad, pad_id=-1 if pid is None else pid,
            padding_side=self.padding_side, num_threads=self._hf.num_threads)
        lengths = r["lengths"].tolist()
        if trunc == "do_not_truncate" and max_seq_len and lengths and max(lengths) > max_seq_len:
            # COMPAT: PaddleNLP 2.x truncate_sequences for 'do_not_truncate'
            raise ValueError("Input sequence are too long for max_length. Please select a truncation strategy.")
        bounds = np.concatenate(([0], np.cumsum(r["lengths"]))).tolist()
        cols = {k: r[k].tolist() for k in ("input_ids", "token_type_ids", "attention_mask", "special_tokens_mask")
                if k in r}
        if "token_type_ids" not in cols:
            cols["token_type_ids"] = [0] * bounds[-1]
        out = []
        for i in range(len(texts)):
            s, e = bounds[i], bounds[i + 1]
            d = {"input_ids": cols["input_ids"][s:e]}
            if return_token_type_ids:
                d["token_type_ids"] = cols["token_type_ids"][s:e]
            if return_special_tokens_mask:
                d["special_tokens_mask"] = cols["special_tokens_mask"][s:e]
            if return_length:
                d["seq_len"] = sum(cols["attention_mask"][s:e])
            if return_attention_mask:
                d["attention_mask"] = cols["attention_mask"][s:e]
            if return_position_ids:
                d["position_ids"] = list(range(lengths[i]))
            out.append(d)
        return out if batched else out[0]


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
