"""examples/python/check_step2.py (the README's step-2 check written with
tokalign) writes the goldens' dumps byte for byte and reports a pass."""
import os
import subprocess
import sys

from conftest import HERE, SHARED, golden


def test_check_step2_example(tmp_path):
    script = os.path.join(HERE, "..", "..", "examples", "python", "check_step2.py")
    tsv = os.path.join(SHARED, "data", "demo_sst2_sentence", "demo.tsv")
    r = subprocess.run([sys.executable, script, tsv, str(tmp_path)], capture_output=True, text=True, check=True)
    lines = r.stdout.splitlines()
    assert len(lines) == 31 * 2 + 2 and lines[-2].endswith("root INFO: diff check passed")
    for side in ("torch", "paddle"):
        ours = (tmp_path / ("data_%s.npy" % side)).read_bytes()
        assert ours == open(golden("pipeline", "bert_seq_bs4_%s.npy" % side), "rb").read()
    assert (tmp_path / "data_diff.log").read_text().splitlines() == lines[:-1]
