"""Interop of the dump stage with real numpy (Debian python3-numpy):
numpy reads every dump tokalign writes and gets the same arrays (and the same
bytes numpy itself writes); tokalign reads numpy's .npy/.npz and prints them
exactly as Python's json prints them; `tokalign diff` agrees with numpy's
arithmetic (promotion, broadcasting, mean, float repr) on random cases."""
import io
import json
import os
import pickle
import shutil
import re
import subprocess
import sys
import tempfile
import warnings

import numpy as np

TOKALIGN = os.environ["TOKALIGN"]
SHARED = os.environ["TKA_SHARED"]
sys.path.insert(0, os.path.join(SHARED, "oracle", "pipeline"))
from gen_reprod_log import report_lines  # noqa: E402  (the reference diff/report model)

warnings.simplefilter("ignore")
rng = np.random.RandomState(1234)
TMP = tempfile.mkdtemp(prefix="tka_interop_")
checked = {"npy bytes": 0, "json": 0, "npz bytes": 0, "plain npy": 0, "numpy loads ours": 0,
           "float repr": 0, "diff": 0}
failures = []


def run(*args, ok_codes=(0,)):
    p = subprocess.run([TOKALIGN, *args], capture_output=True)
    if p.returncode not in ok_codes:
        raise AssertionError("%s -> %d: %s" % (args, p.returncode, p.stderr.decode()))
    return p


def fail(what):
    failures.append(what)
    if len(failures) <= 15:
        print("FAIL:", what[:2000])


DTYPES = [np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32,
          np.uint64, np.float16, np.float32, np.float64]


def random_array(dt, shape):
    dt = np.dtype(dt)
    n = int(np.prod(shape)) if shape else 1
    if dt.kind == "b":
        a = rng.rand(n) < 0.5
    elif dt.kind in "iu":
        info = np.iinfo(dt)
        a = rng.randint(-2**62, 2**62, size=n, dtype=np.int64)
        a = (a.astype(np.uint64) if dt.kind == "u" else a).astype(dt)
        if n > 2:
            a[0], a[1] = info.min, info.max
    else:
        a = (rng.randn(n) * 10.0 ** rng.randint(-8, 8, size=n)).astype(dt)
        if n > 3:
            a[0], a[1], a[2] = np.nan, np.inf, -0.0
    return a.reshape(shape)


def random_shape():
    nd = rng.choice([0, 1, 1, 2, 2, 3, 5])
    return tuple(int(x) for x in rng.randint(0, 5, size=nd)) if rng.rand() < 0.2 else \
        tuple(int(x) for x in rng.randint(1, 6, size=nd))


def mirror(name, d):
    """What the goldens' JSON mirror of dict d looks like (Python's json)."""
    return (json.dumps({"file": name, "entries": [
        {"key": k, "dtype": v.dtype.name, "shape": list(v.shape), "data": v.tolist()}
        for k, v in d.items()]}, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


def random_dict(nkeys):
    d = {}
    keys = ["a", "b", "<", "é", "", "input_ids", "ключ", "dataloader_%d_input_ids"]
    for i in range(nkeys):
        k = keys[i] if i < len(keys) and rng.rand() < 0.5 else "k%d_%d" % (i, rng.randint(1000))
        dt = DTYPES[rng.randint(len(DTYPES))]
        a = random_array(dt, random_shape())
        r = rng.rand()
        if r < 0.1 and a.dtype.itemsize > 1:
            a = a.astype(a.dtype.newbyteorder(">"))
        elif r < 0.2 and a.ndim >= 2:
            a = np.asfortranarray(a)
        d[k] = a
    if nkeys > 2 and rng.rand() < 0.2:
        d["shared"] = d[next(iter(d))]      # the same object under a second key
    return d


def check_container(i, d):
    path = os.path.join(TMP, "d%d.npy" % i)
    np.save(path, d)
    theirs = open(path, "rb").read()
    # tokalign reads numpy's file and prints the mirror Python would print
    got = run("show", path).stdout
    want = mirror("d%d.npy" % i, d)
    checked["json"] += 1
    if got != want:
        fail("show d%d.npy: %r\n!=\n%r" % (i, got[:600], want[:600]))
    # ... re-writes numpy's bytes exactly
    out = os.path.join(TMP, "o%d.npy" % i)
    run("show", path, "--to", "npy", "-o", out)
    checked["npy bytes"] += 1
    if open(out, "rb").read() != theirs:
        fail("d%d.npy: re-written bytes differ" % i)
    # ... and numpy loads ours to the same arrays
    # (numpy itself loads a pickled big-endian array back in native order,
    # so the reference is numpy's reading of its own file)
    back = np.load(out, allow_pickle=True).tolist()
    ref = np.load(path, allow_pickle=True).tolist()
    checked["numpy loads ours"] += 1
    bad = [k for k in d if k not in back or back[k].dtype.str != ref[k].dtype.str or
           back[k].shape != d[k].shape or back[k].tobytes() != ref[k].tobytes() or
           not np.array_equal(back[k], d[k], equal_nan=d[k].dtype.kind == "f")]
    if list(back) != list(d) or bad:
        fail("numpy reads o%d.npy differently: keys %r" % (i, bad))
    # npz: tokalign writes numpy.savez's bytes and reads numpy's archive
    npz = os.path.join(TMP, "z%d.npz" % i)
    np.savez(npz, **d)
    out = os.path.join(TMP, "o%d.npz" % i)
    run("show", path, "--to", "npz", "-o", out)
    checked["npz bytes"] += 1
    if open(out, "rb").read() != open(npz, "rb").read():
        fail("z%d.npz: bytes differ from numpy.savez" % i)
    got = run("show", npz).stdout
    checked["json"] += 1
    if got != mirror("z%d.npz" % i, d):
        fail("show z%d.npz differs" % i)


def check_protocols(i, d):
    """Pickles as other numpy versions write them: protocol 2 (old numpy:
    bytes via _codecs.encode), protocol 4 (numpy 2: FRAME, MEMOIZE,
    STACK_GLOBAL), the numpy._core module name; protocol 5 is refused."""
    obj = np.empty((), dtype=object)
    obj[()] = d
    header = b"\x93NUMPY\x01\x00\x76\x00" + \
        b"{'descr': '|O', 'fortran_order': False, 'shape': (), }".ljust(117) + b"\n"
    for proto in (2, 4, 5):
        payload = pickle.dumps(obj, protocol=proto)
        if proto == 4 and i % 2:
            payload = payload.replace(b"\x8c\x15numpy.core.multiarray", b"\x8c\x16numpy._core.multiarray")
        path = os.path.join(TMP, "proto%d_%d.npy" % (proto, i))
        open(path, "wb").write(header + payload)
        p = subprocess.run([TOKALIGN, "show", path], capture_output=True)
        checked["json"] += 1
        if proto == 5:
            if p.returncode != 3 or b"is not allowed" not in p.stderr:
                fail("protocol 5 pickle not refused clearly: %r" % p.stderr)
        elif p.returncode != 0 or p.stdout != mirror("proto%d_%d.npy" % (proto, i), d):
            fail("protocol %d pickle read differently: %r" % (proto, p.stderr))


def check_crafted():
    """Pickles numpy never writes but a file may hold: a key set twice (the
    dict keeps the first position and the last value) and an array object
    referenced again after its key was replaced; a key that is not UTF-8."""
    A, B = np.arange(3), np.arange(4) * 10
    buf = io.BytesIO()
    np.save(buf, {"k": A, "z": B, "j": A})
    raw = buf.getvalue()
    dup = raw.replace(b"X\x01\x00\x00\x00z", b"X\x01\x00\x00\x00k")
    path = os.path.join(TMP, "dup.npy")
    open(path, "wb").write(dup)
    want = np.load(path, allow_pickle=True).item()
    checked["json"] += 1
    got = run("show", path).stdout
    if got != mirror("dup.npy", want):
        fail("duplicate-key pickle read differently from numpy: %r vs %r" % (got, want))
    bad = raw.replace(b"X\x01\x00\x00\x00z", b"X\x01\x00\x00\x00\xff")
    path = os.path.join(TMP, "badkey.npy")
    open(path, "wb").write(bad)
    p = subprocess.run([TOKALIGN, "show", path], capture_output=True)
    checked["json"] += 1
    if p.returncode != 3 or b"not valid UTF-8" not in p.stderr:
        fail("non-UTF-8 key not refused: %r" % p.stderr)


def check_plain(i):
    a = random_array(DTYPES[i % len(DTYPES)], random_shape())
    if i % 3 == 0 and a.ndim >= 2:
        a = np.asfortranarray(a)
    if i % 4 == 1 and a.dtype.itemsize > 1:
        a = a.astype(a.dtype.newbyteorder(">"))
    path = os.path.join(TMP, "p%d.npy" % i)
    np.save(path, a)
    out = os.path.join(TMP, "q%d.npy" % i)
    run("show", path, "--to", "array", "-o", out)
    checked["plain npy"] += 1
    if open(out, "rb").read() != open(path, "rb").read():
        fail("plain p%d.npy (%s %s): re-written bytes differ" % (i, a.dtype.str, a.shape))


def check_from_json(i):
    """A mirror written here (by Python) -> tokalign .npy -> numpy: same dict, numpy's bytes."""
    d = {k: v for k, v in random_dict(4).items() if v.dtype.byteorder != ">" and
         not (v.ndim >= 2 and v.flags.f_contiguous and not v.flags.c_contiguous)}
    d.pop("shared", None)
    src = os.path.join(TMP, "j%d.json" % i)
    open(src, "wb").write(mirror("j%d.npy" % i, d))
    out = os.path.join(TMP, "j%d.npy" % i)
    run("show", src, "--to", "npy", "-o", out)
    buf = io.BytesIO()
    np.save(buf, d)
    checked["numpy loads ours"] += 1
    if open(out, "rb").read() != buf.getvalue():
        fail("j%d.json -> npy differs from numpy.save" % i)


def check_float_repr():
    vals = [0.0, -0.0, 1.0, 0.1, 1 / 3, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308,
            1e16, 1e15, 9999999999999998.0, 1e-4, 1e-5, 0.0001234, 123456789012345680.0,
            2.980232238769531e-07, 1.30385160446167e-07, 0.33387675881385803, float("nan"),
            float("inf"), float("-inf")]
    vals += [2.0 ** e for e in range(-1074, 1024)]
    vals += [-(2.0 ** e) * 3 for e in range(-1000, 1000, 7)]
    vals += list(np.frombuffer(rng.bytes(8 * 20000), dtype=np.float64))
    vals += [float(x) for x in np.frombuffer(rng.bytes(4 * 5000), dtype=np.float32)]
    vals += [float(x) for x in np.frombuffer(rng.bytes(2 * 3000), dtype=np.float16)]
    vals += [float(x) for x in rng.rand(3000).astype(np.float32)]
    vals += list(10.0 ** rng.uniform(-30, 30, 3000))
    arr = np.array(vals, dtype=np.float64)
    path = os.path.join(TMP, "floats.npy")
    np.save(path, {"x": arr})
    got = json.loads(run("show", path).stdout)["entries"][0]["data"]  # parse to split items
    raw = run("show", path).stdout.decode()
    body = raw[raw.index('"data":[') + 8:raw.rindex("]}]}")]
    want = json.dumps(arr.tolist())[1:-1].split(", ")
    items = body.split(",")
    checked["float repr"] += len(want)
    bad = [(w, g) for w, g in zip(want, items) if w != g]
    if len(items) != len(want) or bad or len(got) != len(want):
        fail("float repr: %d of %d differ, e.g. %s" % (len(bad), len(want), bad[:5]))


def diff_case(i, a, b, method, thr):
    pa, pb = os.path.join(TMP, "x%d_1.npy" % i), os.path.join(TMP, "x%d_2.npy" % i)
    np.save(pa, a)
    np.save(pb, b)
    try:
        lines, stdout = report_lines(a, b, method, thr)
        expect = ("ok", lines, stdout)
    except Exception as e:  # noqa: BLE001
        expect = ("raise", "%s: %s" % (type(e).__name__, e))
    m = method if isinstance(method, str) else ",".join(method)
    p = subprocess.run([TOKALIGN, "diff", pa, pb, "--method", m, "--threshold", repr(thr)],
                       capture_output=True)
    out = p.stdout.decode().split("\n")
    checked["diff"] += 1
    if expect[0] == "raise":
        if p.returncode != 3 or expect[1] not in p.stderr.decode():
            fail("diff case %d: expected %r, got rc %d %r" % (i, expect[1], p.returncode, p.stderr))
        return
    prefix = re.compile(r"^\[\d{4}/\d\d/\d\d \d\d:\d\d:\d\d\] root INFO: ")
    n_out = len(expect[2])
    got_stdout = out[:n_out]
    got_log = [prefix.sub("", l, count=1) for l in out[n_out:-1]]
    prefixed = all(prefix.match(l) for l in out[n_out:-1])
    rc = 0 if lines[-1] == "diff check passed" else 1
    if got_stdout != expect[2] or got_log != expect[1] or not prefixed or p.returncode != rc or out[-1] != "":
        fail("diff case %d (%s vs %s, %s): expected %r got %r rc %d" % (
            i, {k: (v.dtype.str, v.shape) for k, v in a.items()},
            {k: (v.dtype.str, v.shape) for k, v in b.items()}, method, expect[1], got_log, p.returncode))


def check_diffs():
    i = 0
    # value-based casts of a 0-d operand into a float32 / float16 computation
    fixed = [(np.array(0.1), np.array([0.5, 1e4], np.float16)),
             (np.array(0.1, np.float32), np.array([0.5, 3.0], np.float16)),
             (np.array(65000.0), np.array([4e-6, 9013.47], np.float32)),
             (np.array(-70000.0), np.array([1.5, 2.5], np.float32)),
             (np.array(200), np.array([0.5, 3.0], np.float16)),
             (np.array(2**40), np.array([0.5, 3.0], np.float32)),
             (np.array(1e-8), np.array([0.1, 0.2], np.float32))]
    for a, b in fixed:
        i += 1
        diff_case(i, {"x": a, "y": b}, {"x": b, "y": a}, "all", 1e-6)
    scalars = [0, 1, 5, 127, 128, 200, 255, 256, 40000, 70000, -1, -128, -129, -40000, 2**31,
               2**40, -2**40, 0.5, 64999.0, 65000.0, 70000.0, 3.5e38, 1e300, -1.5, 1e-7]
    for _ in range(250):
        i += 1
        da, db = DTYPES[rng.randint(12)], DTYPES[rng.randint(12)]
        kind = rng.randint(6)
        if kind == 0:      # 0-d against n-d: numpy 1.x value-based promotion
            v = scalars[rng.randint(len(scalars))]
            with np.errstate(all="ignore"):
                a = np.array(v).astype(da)
            b = random_array(db, (int(rng.randint(1, 5)),)) if rng.rand() < 0.8 else random_array(db, ())
            if rng.rand() < 0.5:
                a, b = b, a
        elif kind == 1:    # same shape, small diffs
            shp = random_shape()
            a = random_array(da, shp)
            b = a.astype(db) if rng.rand() < 0.5 else random_array(db, shp)
        elif kind == 2:    # broadcasting / errors
            a = random_array(da, (int(rng.randint(1, 4)), 1))
            b = random_array(db, (int(rng.randint(1, 4)),))
        elif kind == 3:    # transpose fallback (large: numpy sums the C-ordered result)
            r, c = (2, 3) if rng.rand() < 0.5 else (150, 130)
            a = random_array(da, (r, c))
            b = random_array(db, (c, r))
            if rng.rand() < 0.5:
                b = (a.T + rng.rand(c, r)).astype(db) if da != np.bool_ and db != np.bool_ else b
        elif kind == 4:    # large: numpy's chunked pairwise mean
            n = int(rng.choice([7, 8, 9, 127, 128, 129, 1000, 8191, 8192, 8193, 20000, 70001]))
            a = random_array(da, (n,))
            b = random_array(db, (n,))
            if da in (np.float16, np.float32, np.float64):
                a = np.abs(a)
                a[~np.isfinite(a)] = 1.0
            if db in (np.float16, np.float32, np.float64):
                b = np.abs(b)
                b[~np.isfinite(b)] = 0.5
        else:              # integer wrap-around extremes
            a = np.array([np.iinfo(np.int8).min, 3, 0], dtype=np.int8)
            b = np.array([0, 5, 1], dtype=DTYPES[rng.randint(1, 9)])
        method = ["mean", "max", "min", "all", ["mean", "min"]][rng.randint(5)]
        thr = [1e-6, 0.5, 0.0, 1e-3][rng.randint(4)]
        diff_case(i, {"x": a, "y": b}, {"x": b, "y": a}, method, thr)


def main():
    for i in range(100):
        check_container(i, random_dict(int(rng.choice([0, 1, 2, 3, 6, 12]))))
    # dtype object identity: two '>i4' arrays with separate dtype objects are
    # pickled with two dtypes, two sharing one object with one
    be = np.dtype(">i4")
    check_container(102, {"a": np.arange(3).astype(">i4"), "b": np.arange(4).astype(">i4"),
                          "c": np.arange(2).astype(be), "d": np.arange(5).astype(be),
                          "e": np.arange(2, dtype=np.int32)})
    check_container(100, {"k%d" % j: np.arange(j % 3, dtype=np.int64) for j in range(1000)})
    check_container(101, {"k%d" % j: np.array(j) for j in range(1001)})
    for i in range(40):
        check_plain(i)
    check_crafted()
    for i in range(12):
        check_protocols(i, {k: v for k, v in random_dict(4).items() if k != "shared"})
    for i in range(20):
        check_from_json(i)
    check_float_repr()
    check_diffs()
    for k, v in checked.items():
        print("checked %s: %d" % (k, v))
    total = sum(checked.values())
    print("%s interop: checked %d, matched %d" % ("FAIL" if failures else "PASS", total,
                                                  total - len(failures)))
    if failures:
        print("inputs kept in", TMP)
        return 1
    shutil.rmtree(TMP, ignore_errors=True)
    return 0 if total else 1


if __name__ == "__main__":
    sys.exit(main())
