"""Differential test: `tokalign read` against the real pandas.read_csv(sep="\\t")
(and csv.reader(quotechar=None) for --mode glue) on generated tricky TSVs.

Every column name, dtype, index value and cell must be identical; where pandas
raises, tokalign must fail and quote pandas' message. Needs python3-pandas
(Debian); skips with a clear message when it is missing and TKA_REQUIRE_PANDAS
is not set. Usage: test_tsv_pandas.py [CASES [SEED]] (env: TOKALIGN).
"""
import csv
import io
import json
import math
import os
import random
import subprocess
import sys
import tempfile

try:
    import numpy as np
    import pandas as pd
except ImportError:  # pragma: no cover - depends on the machine
    print("FAIL: python3-pandas is missing: run scripts/bootstrap.sh (apt-get install python3-pandas)")
    sys.exit(1)

TOKALIGN = os.environ["TOKALIGN"]

TOKENS = [
    "a", "b c", "word", " ", "  ", "\t", '"', '""', '"x"', '"a\tb"', '"line\nbreak"',
    "1", "0", "-1", "+1", " 1", "1 ", "01", "1.5", "1e3", ".5", "1.", "-0", "1e", "1e+",
    "nan", "NaN", "NA", "null", "NULL", "n/a", "#N/A", "None", "", "True", "false", "TRUE", "tRuE",
    "inf", "-inf", "Infinity", "+inf", "99999999999999999999", "18446744073709551615",
    "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
    "\x00", "a\x00b", "NA\x00x", "\u00e9t\u00e9", "\u4e2d\u6587", "\ufeff", "#", "\\", "1_0", "0x1",
    "e5", "1e400", "1e-400", "12345678901234567.5", "0.1", "3.14159265358979323846", "123456789012345678901234",
    "5e-324", "2.2250738585072014e-308", "1.7976931348623157e308", " 2.5 ", "\x0b3", "4\x0c",
]
ENDS = ["\n"] * 8 + ["\r\n", "\r", ""]
HEADERS = ["sentence\tlabel", "s\tl", "a\tb\tc", "x", "\tlabel", "x\tx\tx", '"q"\tl', "s \t l",
           "a\ta.1\ta", "\t", "sentence\tlabel\t"]


def random_number(rng):
    """Decimal text that exercises pandas' precise_xstrtod (17-digit cut, exponents)."""
    digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(0, 24)))
    text = rng.choice(["", "-", "+", " "]) + digits
    if rng.random() < 0.6:
        text += "." + "".join(rng.choice("0123456789") for _ in range(rng.randint(0, 24)))
    if rng.random() < 0.4:
        text += rng.choice("eE") + rng.choice(["", "-", "+"]) + str(rng.randint(0, 330))
    return text


def token(rng):
    return random_number(rng) if rng.random() < 0.15 else rng.choice(TOKENS)


def make_case(rng):
    parts = [rng.choice(HEADERS) if rng.random() < 0.9 else token(rng)]
    parts.append(rng.choice(ENDS[:9]))
    for _ in range(rng.randint(0, 7)):
        if rng.random() < 0.1:
            parts.append(rng.choice(["", " ", "   "]))  # blank / space-only lines
        else:
            nf = rng.choice([1, 2, 2, 2, 2, 3])
            parts.append("\t".join(token(rng) for _ in range(nf)))
        parts.append(rng.choice(ENDS))
    text = "".join(parts)
    data = text.encode("utf-8")
    if rng.random() < 0.02:
        data = data[: rng.randint(0, len(data))]  # may cut a UTF-8 sequence
    if rng.random() < 0.02:
        data += b"\xff"
    return data


def jsonable(v):
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, (float, np.floating)):
        f = float(v)
        return {"nan": True} if math.isnan(f) else f
    if isinstance(v, tuple):
        return [jsonable(x) for x in v]
    return v


def same(a, b):
    """Cell equality: type-strict (1 != 1.0 != True), NaN == NaN."""
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def pandas_read(path):
    try:
        df = pd.read_csv(path, sep="\t")
    except Exception as e:  # noqa: BLE001 - the reference's error is the expectation
        return {"error": "%s: %s" % (type(e).__name__, str(e).rstrip("\n"))}
    idx = df.index
    return {
        "columns": [str(c) for c in df.columns],
        "dtypes": [str(df[c].dtype) for c in df.columns] if df.columns.is_unique else None,
        "index_is_default_range": isinstance(idx, pd.RangeIndex) and idx.start == 0 and idx.step == 1,
        "index": [jsonable(x) for x in idx.tolist()],
        "rows": [[jsonable(v) for v in row] for row in df.itertuples(index=False, name=None)],
    }


def glue_read(path):
    try:
        with open(path, "r", encoding="utf-8-sig") as f:
            return {"rows": list(csv.reader(f, delimiter="\t", quotechar=None))}
    except Exception as e:  # noqa: BLE001
        return {"error": "%s: %s" % (type(e).__name__, e)}


def run_tokalign(path, mode):
    p = subprocess.run([TOKALIGN, "read", path, "--mode", mode, "--text-field", "#0",
                        "--label-field", "", "--chunks", "pandas"],
                       capture_output=True)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def compare_pandas(path, data):
    want = pandas_read(path)
    rc, out, err = run_tokalign(path, "pandas")
    if "error" in want:
        if rc == 0:
            return "pandas raised %r, tokalign succeeded" % want["error"]
        text = want["error"]
        if "refuses instead of guessing" in err:
            return "REFUSED"  # pandas re-reads earlier input there and fails; tokalign refuses
        if text.startswith("UnicodeDecodeError"):
            return None if "UnicodeDecodeError" in err else "want UnicodeDecodeError, got %r" % err
        return None if text in err else "want error %r, got %r" % (text, err)
    if rc != 0:
        if "refuses instead of guessing" in err:
            return "REFUSED"
        return "pandas read it, tokalign failed: %r" % err
    got = json.loads(out)
    if got["columns"] != want["columns"]:
        return "columns %r != %r" % (got["columns"], want["columns"])
    if want["dtypes"] is not None and got["dtypes"] != want["dtypes"]:
        return "dtypes %r != %r" % (got["dtypes"], want["dtypes"])
    if got["index_is_default_range"] != want["index_is_default_range"]:
        return "implicit index differs"
    if not same(got["index"], want["index"]):
        return "index %r != %r" % (got["index"], want["index"])
    if not same(got["rows"], want["rows"]):
        return "rows %r != %r" % (got["rows"], want["rows"])
    return None


def compare_glue(path):
    want = glue_read(path)
    rc, out, err = run_tokalign(path, "glue")
    if "error" in want:
        if want["error"].startswith("UnicodeDecodeError"):
            return None if rc != 0 and "UnicodeDecodeError" in err else "want UnicodeDecodeError"
        return None if rc != 0 else "csv raised %r, tokalign succeeded" % want["error"]
    rows = want["rows"]
    if not rows:
        return None if rc != 0 else "empty file: tokalign should refuse"
    if rc != 0:
        # tokalign refuses rows the GLUE processor would index out of range
        short = any(len(r) < 1 for r in rows[1:])
        return None if short and "IndexError" in err else "GLUE: tokalign failed: %r" % err
    got = json.loads(out)
    # column names are C strings: a NUL byte in a header field ends the name
    if got["columns"] != [c.split("\x00")[0] for c in rows[0]]:
        return "GLUE header %r != %r" % (got["columns"], rows[0])
    for g, w in zip(got["rows"], rows[1:]):
        w = w + [{"nan": True}] * (len(g) - len(w))  # fields beyond the row shown as NaN
        if g != w[: len(g)]:
            return "GLUE row %r != %r" % (g, w)
    return None if len(got["rows"]) == len(rows) - 1 else "GLUE row count"


def main():
    cases = int(sys.argv[1]) if len(sys.argv) > 1 else 150
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 20240601
    rng = random.Random(seed)
    checked = matched = refused = 0
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(cases):
            data = make_case(rng)
            path = os.path.join(tmp, "case%d.tsv" % i)
            with open(path, "wb") as f:
                f.write(data)
            for mode, problem in (("pandas", compare_pandas(path, data)), ("glue", compare_glue(path))):
                checked += 1
                if problem == "REFUSED":
                    refused += 1
                    matched += 1
                elif problem is None:
                    matched += 1
                elif len(failures) < 10:
                    failures.append((mode, data, problem))
    for mode, data, problem in failures:
        print("MISMATCH (%s) %r: %s" % (mode, data, problem[:600]))
    print("tsv vs pandas %s / csv.reader: checked %d, matched %d (refused, lone-CR space lines: %d)"
          % (pd.__version__, checked, matched, refused))
    sys.exit(0 if checked == matched and checked > 0 else 1)


if __name__ == "__main__":
    main()
