"""Builds hostile dump inputs at test time (nothing large is committed):
.npz archives whose directory shares or overlaps members, reprod_log pickles
whose arrays share one memoised bytes object, .npy files of empty arrays
with huge axes. numpy is not needed: the pickles are written by Python's
pickler through stand-in numpy globals with the same names.

    python3 hostile_dumps.py KIND OUT [ARGS...]   (see main())
    python3 hostile_dumps.py seeds DIR            (small fuzz_npy seeds)
"""
import pickle
import struct
import sys
import types
import zlib


def npy_header(descr, shape, fortran=False):
    """numpy's .npy v1.0 header (padded so the data starts at a multiple of 64)."""
    shape_text = "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"
    text = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (
        descr, "True" if fortran else "False", shape_text)
    pad = 64 - (10 + len(text) + 1) % 64
    text += " " * pad + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text.encode("ascii")


def _stand_in_numpy():
    """Modules named like numpy's, so pickle writes numpy's global names."""
    if "numpy.core.multiarray" in sys.modules and hasattr(sys.modules["numpy"], "_hostile"):
        return sys.modules["numpy"]
    np = types.ModuleType("numpy")
    core = types.ModuleType("numpy.core")
    ma = types.ModuleType("numpy.core.multiarray")

    class ndarray:  # only pickled by name
        pass

    class dtype:
        def __init__(self, typestr, order, flags=0):
            self.args = (typestr, False, True)
            self.state = (3, order, None, None, None, -1, -1, flags)

        def __reduce__(self):
            return (dtype, self.args, self.state)

    def _reconstruct(*args):
        raise RuntimeError("stand-in")

    for obj, mod, name in ((ndarray, "numpy", "ndarray"), (dtype, "numpy", "dtype"),
                           (_reconstruct, "numpy.core.multiarray", "_reconstruct")):
        obj.__module__, obj.__qualname__, obj.__name__ = mod, name, name
    np.ndarray, np.dtype, np._hostile = ndarray, dtype, True
    ma._reconstruct = _reconstruct
    np.core, core.multiarray = core, ma
    sys.modules.update({"numpy": np, "numpy.core": core, "numpy.core.multiarray": ma})
    return np


class _Array:
    """Pickles as numpy pickles an ndarray: _reconstruct(...) + BUILD(state)."""

    def __init__(self, shape, dt, data, fortran=False):
        self.state = (1, tuple(shape), dt, fortran, data)

    def __reduce__(self):
        np = _stand_in_numpy()
        return (sys.modules["numpy.core.multiarray"]._reconstruct, (np.ndarray, (0,), b"b"),
                self.state)


def reprod_dict(items):
    """A reprod_log .npy (np.save of a dict) holding `items` (key -> _Array)."""
    np = _stand_in_numpy()
    outer = _Array((), np.dtype("O8", "|", 63), [dict(items)])
    return npy_header("|O", ()) + pickle.dumps(outer, protocol=3)


def memo_shared(n_arrays, nbytes, fortran_shapes=False, value=0.0):
    """n_arrays float64 arrays all holding ONE memoised bytes object of
    nbytes (every element `value`)."""
    np = _stand_in_numpy()
    data = struct.pack("<d", value) * (nbytes // 8)
    f8 = np.dtype("f8", "<")
    n = nbytes // 8
    items = {}
    for i in range(n_arrays):
        if fortran_shapes:  # a different Fortran-order shape per array: a copy each
            divisors = [d for d in range(2, n) if n % d == 0]
            rows = divisors[i % len(divisors)]
            items["k%d" % i] = _Array((rows, n // rows), f8, data, fortran=True)
        else:
            items["k%d" % i] = _Array((n,), f8, data)
    return reprod_dict(items)


def _local(name, data):
    return struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 0, 0, 0x21, zlib.crc32(data),
                       len(data), len(data), len(name), 0) + name


def _central(name, data, offset):
    return struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 0x314, 20, 0, 0, 0, 0x21,
                       zlib.crc32(data), len(data), len(data), len(name), 0, 0, 0, 0,
                       0x01800000, offset) + name


def _end(n, cd_size, cd_off):
    return struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, n, n, cd_size, cd_off, 0)


def npz(members, directory):
    """members: [(name, data)] written in order; directory: [(name, member index)]."""
    out, offsets = b"", []
    for name, data in members:
        offsets.append(len(out))
        out += _local(name, data) + data
    cd = b"".join(_central(name, members[i][1], offsets[i]) for name, i in directory)
    return out + cd + _end(len(directory), len(cd), len(out))


def npz_shared(n_entries, member_bytes, same_name):
    """One stored member and n_entries directory entries pointing at it."""
    data = npy_header("|u1", (member_bytes,)) + bytes(member_bytes)
    names = [b"a.npy" if same_name else b"a%d.npy" % i for i in range(n_entries)]
    return npz([(b"a.npy", data)], [(n, 0) for n in names])


def npz_overlap(member_bytes):
    """Two members; the first's directory entry claims bytes of the second."""
    b = npy_header("|u1", (member_bytes,)) + bytes(member_bytes)
    a_short = npy_header("|u1", (4,)) + bytes(4)
    out = npz([(b"a.npy", a_short), (b"b.npy", b)], [(b"a.npy", 0), (b"b.npy", 1)])
    # grow a's declared size (directory and local header) over b's header
    grown = len(a_short) + 40
    cd_off = struct.unpack("<I", out[-6:-2])[0]
    out = bytearray(out)
    struct.pack_into("<II", out, 18, grown, grown)
    struct.pack_into("<II", out, cd_off + 20, grown, grown)
    return bytes(out)


def seeds(directory):
    """Small instances of every input above, for fuzz/seeds/fuzz_npy."""
    import os
    small = {
        "hostile-npz-same-name": npz_shared(40, 16, True),
        "hostile-npz-names": npz_shared(40, 16, False),
        "hostile-npz-overlap": npz_overlap(64),
        "hostile-npz-two-ok": npz([(b"a.npy", npy_header("<i8", (2,)) + bytes(16)),
                                   (b"b.npy", npy_header("|u1", (3,)) + b"xyz")],
                                  [(b"a.npy", 0), (b"b.npy", 1)]),
        "hostile-npz-escape": npz([(b"x.npy", npy_header("|u1", (1,)) + b"\0")],
                                  [(b"\x1b[1m\xff.npy", 0)]),
        "hostile-memo": memo_shared(8, 64),
        "hostile-memo-fortran": memo_shared(12, 256, fortran_shapes=True),
        "hostile-empty-huge": npy_header("<f8", (10**9, 1, 0)),
        "hostile-empty-2p60": npy_header("<f8", (2**60, 0)),
        "hostile-empty-u1-2p60": npy_header("|u1", (2**60, 0)),
        "hostile-magic-only": b"\x93NUMPY",
    }
    for name, blob in small.items():
        with open(os.path.join(directory, name), "wb") as f:
            f.write(blob)


def main():
    if sys.argv[1] == "seeds":
        return seeds(sys.argv[2])
    kind, path, args = sys.argv[1], sys.argv[2], [int(a) for a in sys.argv[3:]]
    if kind == "memo":
        blob = memo_shared(args[0], args[1])
    elif kind == "memo-fortran":
        blob = memo_shared(args[0], args[1], fortran_shapes=True)
    elif kind == "npz-same-name":
        blob = npz_shared(args[0], args[1], True)
    elif kind == "npz-names":
        blob = npz_shared(args[0], args[1], False)
    elif kind == "npz-overlap":
        blob = npz_overlap(args[0])
    elif kind == "empty":
        blob = npy_header("<f8", tuple(args))
    elif kind == "empty-u1":
        blob = npy_header("|u1", tuple(args))
    else:
        sys.exit("unknown kind " + kind)
    with open(path, "wb") as f:
        f.write(blob)


if __name__ == "__main__":
    main()
