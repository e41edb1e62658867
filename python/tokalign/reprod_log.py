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


def _raise_diff_error(r):
    """Prints what compare_info printed, then raises its exception."""
    (_, printed, message), _status = r
    sys.stdout.write(printed)
    cls = {"AssertionError": AssertionError, "ValueError": ValueError, "TypeError": TypeError,
           "NotImplementedError": NotImplementedError}
    name, _, text = message.partition(": ")
    raise cls.get(name, RuntimeError)(text if name in cls else message)


class ReprodDiffHelper:
    """compare_info / report of reprod_log 1.0.1; explain() gives, beyond
    reprod_log, why each differing key differs (as data)."""

    def __init__(self):
        self.diff_dict = None
        self._pair = None
        self._tree = None

    def load_info(self, path):
        assert os.path.exists(path)
        return dict(load(path))

    def compare_info(self, info1, info2):
        assert isinstance(info1, dict) and isinstance(info2, dict)
        self._pair = (info1, info2)
        self._tree = None
        if any(isinstance(v, dict) for v in list(info1.values()) + list(info2.values())):
            self._compare_nested(info1, info2)
            return
        r = _tokalign.diff(_items(info1), _items(info2))
        if len(r) == 2:  # compare_info raised: ((\"error\", stdout, message), status)
            _raise_diff_error(r)
        printed, keys, _, _ = r
        sys.stdout.write(printed)
        self.diff_dict = {k["key"]: {"mean": k["mean"], "max": k["max"], "min": k["min"]} for k in keys}
        self._keys = keys

    # ------------------------------------------------------- nested dicts
    def _compare_nested(self, info1, info2):
        """reprod_log 1.0.1's check_data (top level only) and its recursive
        compute_diff; each array pair is compared by the C diff."""
        for k in info1:  # COMPAT: check_data's messages do not name the key
            assert k in info2, "k in data1 but not found in data2"
        for k in info2:
            assert k in info1, "k in data2 but not found in data1"
        self._keys = []
        self._texts = {}
        self.diff_dict = self._tree = self._compute(info1, info2, ())

    def _compute(self, d1, d2, path):
        out = {}
        for k in d1:
            assert k in d2
            a, b = d1[k], d2[k]
            assert type(a) == type(b)
            if isinstance(a, dict):
                out[k] = self._compute(a, b, path + (k,))
            elif isinstance(a, np.ndarray):
                r = _tokalign.diff(_items({k: a}), _items({k: b}))
                if len(r) == 2:
                    _raise_diff_error(r)
                printed, (key,), _, _ = r
                sys.stdout.write(printed)
                out[k] = {"mean": key["mean"], "max": key["max"], "min": key["min"]}
                self._texts[path + (k,)] = key
                self._keys.append(dict(key, key=".".join(str(p) for p in path + (k,))))
            else:
                raise NotImplementedError
        return out

    def _nested_lines(self, diff_dict, methods, threshold, path=(), level=0):
        """check_print_diff of reprod_log 1.0.1: (lines, passed)."""
        lines, all_passed = [], True
        cur = "\t" * level
        for k, v in diff_dict.items():
            if "mean" in v and "min" in v and "max" in v and len(v) == 3:
                lines.append("{}{}: ".format(cur, k))
                sub_passed = True
                texts = self._texts.get(path + (k,))
                for m in methods:
                    if v[m] > threshold:
                        sub_passed = False
                    lines.append("{}{} diff: check passed: {}, value: {}".format(
                        cur + "\t", m, sub_passed, texts[m + "_text"] if texts else v[m]))
                    all_passed = all_passed and sub_passed
            else:
                lines.append("{}{}".format(cur, k))
                sub, ok = self._nested_lines(v, methods, threshold, path + (k,), level + 1)
                lines += sub
                all_passed = all_passed and ok
        return lines, all_passed

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
        if self._tree is not None:
            methods = _method_text(diff_method).split(",")
            lines, passed = self._nested_lines(self._tree, methods, diff_threshold)
            messages = "".join(line + "\n" for line in lines + ["diff check passed" if passed else "diff check failed"])
        else:
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
