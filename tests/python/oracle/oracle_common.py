"""What the gen_*.py scripts of this folder share: their command line, the JSON they print,
and, for those that ask HuggingFace's Rust tokenizer (npm tokenizers through node), the
models, the rows of the shared tokenizer_json goldens and one run of a node oracle."""
import argparse, json, os, subprocess, sys, tempfile

# The tokenizer.json files of the shared data the Rust-tokenizer oracles cover.
MODELS = ["bert-base-uncased-fast", "gpt2", "llama2", "llama3", "qwen3", "t5-style-unigram"]


def arguments(*required, **optional):
    """The script's options: --NAME (a string) for each of `required` (e.g. "shared",
    "hf-src"), and --NAME with that default (and its type) for each of `optional`."""
    ap = argparse.ArgumentParser()
    for name in required:
        ap.add_argument("--" + name, required=True)
    for name, default in optional.items():
        ap.add_argument("--" + name.replace("_", "-"), type=type(default), default=default)
    return ap.parse_args()


def print_json(obj, **dump_options):
    """The script's output: obj as json.dump writes it with dump_options, then a newline."""
    json.dump(obj, sys.stdout, **dump_options)
    sys.stdout.write("\n")


def golden_rows(shared, model, name):
    """The rows of the shared golden <model>.<name>.jsonl (tokenizer_json)."""
    with open(os.path.join(shared, "golden", "tokenizer_json", "%s.%s.jsonl" % (model, name)), encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def run_node(script, tokenizer_json, rows):
    """`node script tokenizer_json in.jsonl out.jsonl` on rows: its rows, one per row given."""
    with tempfile.TemporaryDirectory() as d:
        inp, outp = os.path.join(d, "in.jsonl"), os.path.join(d, "out.jsonl")
        with open(inp, "w", encoding="utf-8") as f:
            for r in rows:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
        subprocess.run(["node", script, tokenizer_json, inp, outp], check=True)
        with open(outp, encoding="utf-8") as f:
            got = [json.loads(line) for line in f]
    assert len(got) == len(rows)
    return got
