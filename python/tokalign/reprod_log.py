"""reprod_log 1.0.1's ReprodLogger and ReprodDiffHelper over tokalign's C dump
and diff code: save() writes the bytes numpy.save writes, load_info() never
executes a pickle, report() prints reprod_log's lines byte for byte."""
import os
import sys
import time

import numpy as np

from . import _tokalign
from . import _items, load

# COMPAT: reprod_log 1.0.1 ReprodLogger.add's assertion text
_ADD_MESSAGE = '''val must be np.ndarray, you can convert it by follow code:
                1. Torch GPU: torch_tensor.cpu().detach().numpy()
                2. Torch CPU: torch_tensor.detach().numpy()
                3. Paddle: paddle_tensor.numpy()'''


class ReprodLogger:
    def __init__(self):
        self._data = dict()

    @property
    def data(self):
        return self._data

    def add(self, key, val):
        assert isinstance(val, np.ndarray), _ADD_MESSAGE
        self._data[key] = val

    def remove(self, key):
        if key in self._data:
            self._data.pop(key)
        else:
            print("{} is not in {}".format(key, self._data.keys()))

    def clear(self):
        self._data = dict()

    def save(self, path):
        folder = os.path.dirname(path)
        if len(folder) >= 1:
            os.makedirs(folder, exist_ok=True)
        path = os.fspath(path)
        if not path.endswith(".npy"):  # COMPAT: numpy.save appends .npy
            path += ".npy"
        data = _tokalign.reprod_bytes(_items(self._data))
        with open(path, "wb") as f:
            f.write(data)


_METHODS = ("min", "max", "mean")


def _method_text(diff_method):
    if diff_method == "all":
        return "min,max,mean"
    if isinstance(diff_method, str):
        assert diff_method in _METHODS
        return diff_method
    assert isinstance(diff_method, (list, tuple)) and all(m in _METHODS for m in diff_method)
    return ",".join(diff_method)


class ReprodDiffHelper:
    """compare_info / report of reprod_log 1.0.1; explain() gives, beyond
    reprod_log, why each differing key differs (as data)."""

    def __init__(self):
        self.diff_dict = None
        self._pair = None

    def load_info(self, path):
        assert os.path.exists(path)
        return dict(load(path))

    def compare_info(self, info1, info2):
        assert isinstance(info1, dict) and isinstance(info2, dict)
        for v in list(info1.values()) + list(info2.values()):
            if isinstance(v, dict):
                raise NotImplementedError("tokalign: nested dicts in compare_info are not supported")
        self._pair = (info1, info2)
        r = _tokalign.diff(_items(info1), _items(info2))
        if len(r) == 2:  # compare_info raised: ((\"error\", stdout, message), status)
            (_, printed, message), _status = r
            sys.stdout.write(printed)
            cls = {"AssertionError": AssertionError, "ValueError": ValueError, "TypeError": TypeError,
                   "NotImplementedError": NotImplementedError}
            name, _, text = message.partition(": ")
            raise cls.get(name, RuntimeError)(text if name in cls else message)
        printed, keys, _, _ = r
        sys.stdout.write(printed)
        self.diff_dict = {k["key"]: {"mean": k["mean"], "max": k["max"], "min": k["min"]} for k in keys}
        self._keys = keys

    def explain(self):
        """key -> lines telling why it differs (empty for equal keys)."""
        return {k["key"]: k["explain"] for k in self._keys}

    def causes(self):
        """key -> the likely cause as data: "none" (equal), "missing", "other_row",
        "tokenization", "truncation", "padding", "dtype", "shape" or "values"
        (tka_diff_cause_name)."""
        return {k["key"]: k["cause"] for k in self._keys}

    def report(self, diff_method="mean", diff_threshold=1e-6, path="./diff.txt"):
        assert self._pair is not None, "call compare_info first"
        printed, keys, messages, passed = _tokalign.diff(
            _items(self._pair[0]), _items(self._pair[1]), _method_text(diff_method), float(diff_threshold))
        prefix = _tokalign.report_prefix(int(time.time()))
        text = "".join(prefix + line + "\n" for line in messages.split("\n")[:-1])
        folder = os.path.dirname(path)
        if folder:
            os.makedirs(folder, exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        sys.stdout.write(text)
        sys.stdout.flush()
        self.passed = passed
        return None
