"""Expected values of the nested-dict cases of tests/python/test_reprod_log.py, produced by
reprod_log 1.0.1 itself (ReprodDiffHelper.compare_info + report) — nothing written by hand.

    /usr/bin/python3 gen_reprod_nested.py --reprod-src <dir holding reprod_log/ (1.0.1)> > reprod_nested.json

reprod_log imports paddle at module level but uses it only in functions these cases never
call, so an empty stand-in module is registered. Each case: the two dicts (arrays as
dtype/shape/values), then per report run the log messages (without the time prefix) and
what compare_info printed, or the exception it raised.
"""
import contextlib, io, logging, os, sys, tempfile, types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from oracle_common import arguments, print_json  # noqa: E402

import numpy as np


def arr(a):
    return {"dtype": str(a.dtype), "shape": list(a.shape), "values": a.ravel().tolist()}


def enc(d):
    return {k: enc(v) if isinstance(v, dict) else arr(v) for k, v in d.items()}


CASES = [
    ("nested_equal", {"a": np.arange(4, dtype=np.int64), "sub": {"x": np.ones(3, np.float32), "y": np.zeros((2, 2))}},
     {"a": np.arange(4, dtype=np.int64), "sub": {"x": np.ones(3, np.float32), "y": np.zeros((2, 2))}}),
    ("nested_differs_two_levels", {"logits": np.array([0.5, 0.25], np.float32),
                                   "grads": {"w": np.array([1.0, 2.0, 3.0]), "deep": {"b": np.array([1, 2, 3])}}},
     {"logits": np.array([0.5, 0.25], np.float32),
      "grads": {"w": np.array([1.0, 2.5, 3.0]), "deep": {"b": np.array([1, 2, 4])}}}),
    ("nested_transposed", {"m": {"t": np.arange(6, dtype=np.float64).reshape(2, 3)}},
     {"m": {"t": np.arange(6, dtype=np.float64).reshape(3, 2).T.copy().T.copy()}}),
    ("nested_extra_key_in_second_ignored", {"s": {"a": np.zeros(2)}}, {"s": {"a": np.zeros(2), "b": np.ones(2)}}),
    ("nested_missing_key", {"s": {"a": np.zeros(2), "b": np.ones(2)}}, {"s": {"a": np.zeros(2)}}),
    ("nested_type_mismatch", {"s": {"a": np.zeros(2)}}, {"s": np.zeros(2)}),
    ("top_level_missing_key", {"s": {"a": np.zeros(2)}, "t": np.zeros(1)}, {"s": {"a": np.zeros(2)}}),
]
RUNS = [("mean", 1e-6), ("all", 1e-6), (["max", "min"], 0.4)]


def main():
    a = arguments("reprod-src")
    sys.modules["paddle"] = types.ModuleType("paddle")
    sys.modules["paddle"].Tensor = object
    sys.modules["paddle"].nn = types.SimpleNamespace(Layer=object)
    sys.path.insert(0, a.reprod_src)
    from reprod_log import ReprodDiffHelper
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, d1, d2 in CASES:
            case = {"case": name, "info1": enc(d1), "info2": enc(d2), "runs": []}
            helper = ReprodDiffHelper()
            buf = io.StringIO()
            try:
                with contextlib.redirect_stdout(buf):
                    helper.compare_info(d1, d2)
            except Exception as e:
                case["error"] = {"type": type(e).__name__, "message": str(e), "stdout": buf.getvalue()}
                out.append(case)
                continue
            case["stdout"] = buf.getvalue()
            for method, threshold in RUNS:
                logging.getLogger("root").handlers.clear()
                path = os.path.join(tmp, "diff.txt")
                with contextlib.redirect_stdout(io.StringIO()):
                    helper.report(diff_method=method, diff_threshold=threshold, path=path)
                with open(path) as f:
                    msgs = [line.split(" root INFO: ", 1)[1] for line in f.read().split("\n")[:-1]]
                case["runs"].append({"diff_method": method, "diff_threshold": threshold, "log_messages": msgs})
            out.append(case)
    print_json({"note": "made by gen_reprod_nested.py with reprod_log 1.0.1", "cases": out}, indent=1)


if __name__ == "__main__":
    main()
