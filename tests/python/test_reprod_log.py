"""tokalign.reprod_log against numpy.save (byte for byte) and against
reprod_log 1.0.1's recorded diff reports (shared/golden/reprod_log)."""
import json
import os
import re

import numpy as np
import pytest

import tokalign
from conftest import SHARED, golden
from tokalign.reprod_log import ReprodDiffHelper, ReprodLogger

PREFIX = re.compile(r"^\[\d{4}/\d\d/\d\d \d\d:\d\d:\d\d\] root INFO: ")


def arrays():
    rng = np.random.RandomState(0)
    big = np.arange(6, dtype=">i4").reshape(2, 3)
    shared = np.arange(5)
    return [
        ("length", np.array(32)),
        ("ids", np.arange(12, dtype=np.int64).reshape(3, 4)),
        ("i32", np.arange(7, dtype=np.int32)),
        ("f32", rng.rand(4, 5).astype(np.float32)),
        ("f16", rng.rand(3).astype(np.float16)),
        ("f64", rng.rand(2, 2, 2)),
        ("u8", np.array([0, 255, 7], dtype=np.uint8)),
        ("flag", np.array([True, False])),
        ("fortran", np.asfortranarray(rng.rand(3, 4))),
        ("big_endian", big),
        ("view", np.arange(20)[::3]),
        ("empty", np.zeros((0, 4), dtype=np.int64)),
        ("shared_a", shared),
        ("shared_b", shared),
        ("zero_d_f", np.array(1.5)),
    ]


def test_save_is_numpy_save(tmp_path):
    logger = ReprodLogger()
    for k, v in arrays():
        logger.add(k, v)
    logger.add("ids", np.arange(4))  # re-adding keeps the key's position
    logger.save(str(tmp_path / "sub" / "ours"))  # numpy.save appends .npy, dirs are created
    np.save(tmp_path / "ref.npy", logger.data, allow_pickle=True)
    assert (tmp_path / "sub" / "ours.npy").read_bytes() == (tmp_path / "ref.npy").read_bytes()
    back = tokalign.load(tmp_path / "sub" / "ours.npy")
    assert list(back) == list(logger.data)
    for k, v in logger.data.items():
        assert back[k].dtype == v.dtype and back[k].shape == v.shape and np.array_equal(back[k], v), k


@pytest.mark.parametrize("key,value", arrays(), ids=[k for k, _ in arrays()])
def test_each_dtype_alone(tmp_path, key, value):
    logger = ReprodLogger()
    logger.add(key, value)
    logger.save(str(tmp_path / "a.npy"))
    np.save(tmp_path / "b.npy", {key: value}, allow_pickle=True)
    assert (tmp_path / "a.npy").read_bytes() == (tmp_path / "b.npy").read_bytes()


def test_add_refuses_scalars_and_remove_prints(capsys):
    logger = ReprodLogger()
    with pytest.raises(AssertionError, match="val must be np.ndarray"):
        logger.add("x", np.float32(1))
    logger.add("x", np.zeros(2))
    logger.remove("y")
    assert capsys.readouterr().out == "y is not in dict_keys(['x'])\n"


def _cases():
    return json.load(open(golden("reprod_log", "diff_cases.json")))["cases"]


@pytest.mark.parametrize("case", _cases(), ids=[c["case"] for c in _cases()])
def test_diff_cases(case, tmp_path, capsys):
    helper = ReprodDiffHelper()
    a = helper.load_info(golden("reprod_log", case["info1"]))
    b = helper.load_info(golden("reprod_log", case["info2"]))
    for run in case["runs"]:
        if "raises" in run:
            with pytest.raises(getattr(__builtins__, run["raises"], None) or eval(run["raises"])) as ei:
                helper.compare_info(a, b)
            assert str(ei.value) == run["message"]
            continue
        capsys.readouterr()
        helper.compare_info(a, b)
        printed = capsys.readouterr().out
        assert printed.splitlines() == run["stdout_before_log"]
        path = tmp_path / "out" / "diff.txt"
        helper.report(diff_method=run["diff_method"], diff_threshold=run["diff_threshold"], path=str(path))
        lines = path.read_text().split("\n")
        assert lines[-1] == ""
        assert all(PREFIX.match(line) for line in lines[:-1])
        assert [PREFIX.sub("", line) for line in lines[:-1]] == run["log_messages"]
        assert capsys.readouterr().out == path.read_text()


def test_step2_report_is_the_samples():
    """Both pipeline goldens compared: reprod_log's real Step2 diff log, line for line."""
    helper = ReprodDiffHelper()
    helper.compare_info(helper.load_info(golden("pipeline", "bert_seq_bs4_paddle.npy")),
                        helper.load_info(golden("pipeline", "bert_seq_bs4_torch.npy")))
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        helper.report(path=os.path.join(d, "diff.txt"))
        ours = [PREFIX.sub("", x) for x in open(os.path.join(d, "diff.txt")).read().split("\n")]
    want = [PREFIX.sub("", x) for x in
            open(os.path.join(SHARED, "data", "reprod_log_samples", "Step2_data_diff_log.txt")).read().split("\n")]
    assert ours == want
    assert helper.passed


def test_explain_says_why(tmp_path):
    a = {"dataloader_0_input_ids": np.array([[101, 2009, 102]])}
    b = {"dataloader_0_input_ids": np.array([[101, 2010, 102]])}
    helper = ReprodDiffHelper()
    helper.compare_info(a, b)
    why = helper.explain()["dataloader_0_input_ids"]
    assert why.startswith("dataloader_0_input_ids: ") and "2009" in why and "2010" in why
    assert helper.diff_dict["dataloader_0_input_ids"]["max"] == 1
    # without sidecars the row is taken to be the same one: a tokenization difference
    assert helper.causes() == {"dataloader_0_input_ids": "tokenization"}
    assert "likely cause: the same row" in why


def _nested_cases():
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "oracle", "reprod_nested.json")) as f:
        return json.load(f)["cases"]


def _dec(d):
    return {k: np.array(v["values"], dtype=v["dtype"]).reshape(v["shape"]) if "dtype" in v else _dec(v)
            for k, v in d.items()}


@pytest.mark.parametrize("case", _nested_cases(), ids=[c["case"] for c in _nested_cases()])
def test_nested_dicts_as_reprod_log(case, tmp_path, capsys):
    """compare_info / report on dicts of dicts, against reprod_log 1.0.1's own output
    (oracle/gen_reprod_nested.py)."""
    helper = ReprodDiffHelper()
    a, b = _dec(case["info1"]), _dec(case["info2"])
    if "error" in case:
        with pytest.raises({"AssertionError": AssertionError, "NotImplementedError": NotImplementedError}[
                case["error"]["type"]]) as ei:
            helper.compare_info(a, b)
        assert str(ei.value) == case["error"]["message"]
        assert capsys.readouterr().out == case["error"]["stdout"]
        return
    helper.compare_info(a, b)
    assert capsys.readouterr().out == case["stdout"]
    for run in case["runs"]:
        path = tmp_path / "diff.txt"
        helper.report(diff_method=run["diff_method"], diff_threshold=run["diff_threshold"], path=str(path))
        lines = path.read_text().split("\n")
        assert [PREFIX.sub("", line) for line in lines[:-1]] == run["log_messages"]
        assert capsys.readouterr().out == path.read_text()
