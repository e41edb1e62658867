#!/usr/bin/env bash
# CLI test of reading hostile dumps (issue 12, reading side): each input is
# crafted here by tests/tools/hostile_dumps.py; every run is bounded in time
# (killed after a deadline) and in memory (peak RSS of that child from
# wait4, plus RLIMIT_AS in release builds), and the bounds are asserted.
set -u
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"
"$TKA_PYTHON" - "$TOKALIGN" "$TKA_SOURCE/tests/tools" "$tmp" <<'PY'
import os, resource, signal, subprocess, sys, threading, time
tokalign, tools, tmp = sys.argv[1:4]
sys.path.insert(0, tools)
import hostile_dumps as H

with open(tokalign, "rb") as f:
    asan = b"__asan_init" in f.read()  # gcc links libasan: the binary imports this
env = dict(os.environ)
if asan:
    # ASan reserves terabytes of address space (RLIMIT_AS cannot apply) and
    # keeps freed memory in quarantine: cap that, and bound peak RSS only.
    env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=16:malloc_context_size=5"
    print("ASan build: RLIMIT_AS not applied (ASan needs a huge address space); peak RSS is bounded instead")
slow = 6 if asan else 1
checked = matched = 0


def check(name, ok, detail=""):
    global checked, matched
    checked += 1
    if ok:
        matched += 1
    else:
        print("FAIL: %s %s" % (name, detail), file=sys.stderr)


def run(args, rss_mb, seconds, as_mb=None, stdout=subprocess.DEVNULL, read_bytes=None):
    """Runs tokalign under /usr/bin/time (its peak RSS, without this Python's
    pages counted); returns (status, stderr text, peak RSS MiB, seconds,
    stdout bytes read). status is the exit code, or -SIGNAL. Killed (and
    reported) past `seconds`."""
    as_mb = as_mb or max(256, 4 * rss_mb)
    def limit():
        if not asan:
            resource.setrlimit(resource.RLIMIT_AS, (as_mb << 20, as_mb << 20))
    err_path, rss_path = os.path.join(tmp, "stderr.txt"), os.path.join(tmp, "rss.txt")
    with open(err_path, "wb") as err:
        start = time.monotonic()
        p = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", rss_path, tokalign] + args,
                             stdout=subprocess.PIPE if read_bytes else stdout, stderr=err, env=env,
                             preexec_fn=limit, start_new_session=True)
        got = b""
        if read_bytes:
            got = p.stdout.read(read_bytes)
            p.stdout.close()  # the reader goes away: the writer must stop
        try:
            code = p.wait(timeout=seconds * slow)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            code = p.wait()
            check("time bound %s" % args, False, "killed after %ss" % (seconds * slow))
        elapsed = time.monotonic() - start
    if code > 128:  # GNU time: 128 + the signal that ended the command
        code = 128 - code
    with open(rss_path) as f:
        rss = int(f.read().split()[-1]) / 1024
    bound = rss_mb * (3 if asan else 1) + (40 if asan else 0)
    check("memory bound %s" % args[:2], rss <= bound, "peak RSS %.1f MiB > %.0f MiB" % (rss, bound))
    with open(err_path, "rb") as f:
        text = f.read().decode("utf-8", "backslashreplace")
    text = "\n".join(l for l in text.split("\n") if not l.startswith("Command "))  # time's own line
    return code, text, rss, elapsed, got


def write(name, blob):
    path = os.path.join(tmp, name)
    with open(path, "wb") as f:
        f.write(blob)
    return path


figures = []

# 1. .npz: 20000 directory entries pointing at one 1 MB member (before:
#    one copy per entry, 20 GB), by the same name or by different names;
#    a member whose declared size runs over the next member.
p = write("same.npz", H.npz_shared(20000, 1 << 20, True))
code, err, rss, sec, _ = run(["show", p], rss_mb=24, seconds=10)
figures.append("npz 20000 entries on one member (%d KB): %.1f MiB, %.2f s" % (os.path.getsize(p) >> 10, rss, sec))
check("npz shared member refused", code == 3 and "same.npz: byte 0: member 'a.npy' overlaps member 'a.npy' (overlapped ZIP entries" in err, err)
p = write("names.npz", H.npz_shared(20000, 1 << 20, False))
code, err, rss, sec, _ = run(["diff", p, p], rss_mb=24, seconds=10)
check("npz directory/header names differ", code == 3 and "member 'a0.npy': the local header names 'a.npy'" in err, err)
p = write("overlap.npz", H.npz_overlap(1000))
code, err, *_ = run(["show", p], rss_mb=24, seconds=10)
check("npz overlapping members", code == 3 and "byte 167: member 'b.npy' overlaps member 'a.npy'" in err, err)
# member names are escaped when printed (ESC, BEL, invalid UTF-8, a bidi override)
evil = b"\x1b[31mred\x07\xff\xe2\x80\xae.npy"
data = H.npy_header("|u1", (4,)) + bytes(4)
p = write("evil.npz", H.npz([(b"x.npy", data)], [(evil, 0)]))
code, err, *_ = run(["show", p], rss_mb=24, seconds=10)
check("npz name escaped", code == 3 and "'\\x1b[31mred\\x07\\xff\\xe2\\x80\\xae.npy'" in err
      and not any(c in err for c in "\x1b\x07\u202e"), repr(err))
# an ordinary archive (tokalign's numpy.savez bytes) still reads
small = write("small.npy", H.memo_shared(3, 64))
code, err, *_ = run(["show", small, "--to", "npz", "-o", os.path.join(tmp, "ok.npz")], rss_mb=24, seconds=10)
code2, err2, *_ = run(["show", os.path.join(tmp, "ok.npz"), "-o", os.path.join(tmp, "ok.json")], rss_mb=24, seconds=10)
check("ordinary npz reads", code == 0 and code2 == 0 and
      open(os.path.join(tmp, "ok.json")).read().count('"dtype":"float64"') == 3, err + err2)

# 2. a reprod_log dict of 200 arrays sharing one memoised 1 MB BINBYTES
#    (before: 200 copies; numpy shares the bytes)
code, err, *_ = run(["show", small, "-o", os.path.join(tmp, "small.json")], rss_mb=24, seconds=10)
want = '{"file":"small.npy","entries":[' + ",".join(
    '{"key":"k%d","dtype":"float64","shape":[8],"data":[%s]}' % (i, ",".join(["0.0"] * 8)) for i in range(3)) + "]}\n"
check("memo-shared arrays read", code == 0 and open(os.path.join(tmp, "small.json")).read() == want)
p = write("memo.npy", H.memo_shared(200, 1 << 20))
code, err, rss, sec, _ = run(["show", p], rss_mb=24, seconds=30)
figures.append("show: 200 arrays sharing one 1 MiB BINBYTES (%d KB file, 105 MB of JSON): %.1f MiB, %.2f s" % (os.path.getsize(p) >> 10, rss, sec))
check("memo-shared show", code == 0, err)
with open(os.path.join(tmp, "diff.log"), "wb") as log:
    code, err, rss, sec, _ = run(["diff", p, p], rss_mb=24, seconds=30, stdout=log)
figures.append("diff of that file with itself: %.1f MiB, %.2f s" % (rss, sec))
log = open(os.path.join(tmp, "diff.log")).read()
check("memo-shared diff", code == 0 and log.count("check passed: True") == 200 and log.endswith("diff check passed\n"), err + log[-300:])
# the same with every value 1.5: each of the 200 keys differs by 1.5 (the
# result computed once for the shared arrays, reported per key)
q = write("memo-ones.npy", H.memo_shared(200, 1 << 20, value=1.5))
with open(os.path.join(tmp, "diff.log"), "wb") as log:
    code, err, rss, sec, _ = run(["diff", p, q], rss_mb=24, seconds=30, stdout=log)
log = open(os.path.join(tmp, "diff.log")).read()
check("memo-shared diff of different values", code == 1 and
      log.count("mean diff: check passed: False, value: 1.5\n") == 200 and "k199: \n" in log
      and "k199: 131072 of 131072 elements differ; first at [0]: 0.0 (first) vs 1.5 (second)" in err, (code, err[-400:], log[-400:]))
p = write("memo-fortran.npy", H.memo_shared(40, 1 << 20, fortran_shapes=True))
code, err, *_ = run(["show", p], rss_mb=24, seconds=30)
check("one bytes object in many layouts is bounded", code == 3 and "different layouts" in err and "key 'k" in err, err)

# 3. empty arrays with huge axes
p = write("empty.npy", H.npy_header("<f8", (30 * 10**6, 1, 0)))
code, err, rss, sec, _ = run(["show", p], rss_mb=24, seconds=30)
figures.append("show of an empty (3*10**7, 1, 0) array (150 MB of JSON): %.1f MiB, %.2f s" % (rss, sec))
check("huge empty array streamed", code == 0, err)
# the same through -o: streamed into the atomic output file, not built in memory
code, err, rss, sec, _ = run(["show", p, "-o", os.path.join(tmp, "empty.json")], rss_mb=24, seconds=30)
figures.append("show -o FILE of the same array: %.1f MiB, %.2f s" % (rss, sec))
check("huge empty array streamed to -o FILE", code == 0 and os.path.getsize(os.path.join(tmp, "empty.json")) > 150 * 10**6, err)
os.unlink(os.path.join(tmp, "empty.json"))
p = write("empty-small.npy", H.npy_header("<f8", (1000, 1, 0)))
run(["show", p, "-o", os.path.join(tmp, "es.json")], rss_mb=24, seconds=10)
check("empty array JSON exact", open(os.path.join(tmp, "es.json")).read() ==
      '{"file":"empty-small.npy","entries":[{"key":"empty-small","dtype":"float64","shape":[1000,1,0],"data":['
      + ",".join(["[[]]"] * 1000) + "]}]}\n")
p = write("billion.npy", H.npy_header("<f8", (10**9, 1, 0)))
code, err, rss, sec, got = run(["show", p], rss_mb=24, seconds=10, stdout=None, read_bytes=1 << 16)
head = b'{"file":"billion.npy","entries":[{"key":"billion","dtype":"float64","shape":[1000000000,1,0],"data":['
check("billion-row empty array: first 64 KiB, then stops when the reader goes",
      len(got) == 1 << 16 and got.startswith(head) and (b"[[]]," * 20000).startswith(got[len(head):])
      and code in (-signal.SIGPIPE, 3), (code, err))
for shape, ok in (((2**60, 0), False), ((0, 2**60), False), ((2**59, 0), True), ((2**60, 2**3, 0), False)):
    p = write("huge.npy", H.npy_header("<f8", shape))
    code, err, rss, sec, got = run(["show", p], rss_mb=24, seconds=10, stdout=None, read_bytes=1 << 12)
    if ok:
        check("numpy accepts %s" % (shape,), code in (-signal.SIGPIPE, 3) and got.startswith(b'{"file"'), err)
    else:
        check("numpy refuses %s" % (shape,), code == 3 and "huge.npy: byte 60: .npy header: shape too large" in err
              and "array is too big" in err, err)

# 16. messages
p = write("six.npy", b"\x93NUMPY")
code, err, *_ = run(["show", p], rss_mb=24, seconds=10)
check("6-byte file", code == 3 and err == "tokalign show: error: %s: byte 6: truncated after the \\x93NUMPY magic "
      "(the version and header length need bytes 6 to 9)\n" % p, err)

# 7. a dump rewritten and truncated while show and diff read it (before:
#    SIGBUS through mmap): never a signal, else a message naming the file
big = H.npy_header("<f8", (1 << 20,)) + bytes(8 << 20)
p = write("moving.npy", big)
stop = False
def churn():
    while not stop:
        with open(p, "r+b") as f:
            f.truncate(len(big) // 3)
        with open(p, "r+b") as f:
            f.seek(0)
            f.write(big)
t = threading.Thread(target=churn)
t.start()
codes = []
try:
    for i in range(30):
        code, err, *_ = run(["show" if i % 2 else "diff", p] + ([] if i % 2 else [p]) + ["--to", "npy", "-o", os.devnull] * (i % 2),
                            rss_mb=48, seconds=30)
        codes.append(code)
        check("no crash while the file changes (%d)" % i, code >= 0 and (code == 0 or "moving.npy" in err), (code, err[-200:]))
finally:
    stop = True
    t.join()
figures.append("30 reads of a file truncated and rewritten meanwhile: exit codes %s" % sorted(set(codes)))

for f in figures:
    print(f)
print("checked %d, matched %d" % (checked, matched))
sys.exit(0 if checked == matched else 1)
PY
