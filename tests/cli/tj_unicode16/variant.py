"""Writes gpt2's tokenizer.json with its pre-tokenizer replaced, then ByteLevel without its
regex (bytes to the vocabulary's alphabet): OUT_DIR/whitespace.json with Whitespace (the
Rust `regex` crate's \\w+|[^\\w\\s]+), OUT_DIR/digits.json with Digits (individual digits:
Rust's char::is_numeric).
usage: variant.py GPT2_TOKENIZER_JSON OUT_DIR"""
import json
import sys

VARIANTS = {"whitespace": {"type": "Whitespace"},
            "digits": {"type": "Digits", "individual_digits": True}}
tj = json.load(open(sys.argv[1], encoding="utf-8"))
for name, pre in VARIANTS.items():
    tj["pre_tokenizer"] = {"type": "Sequence", "pretokenizers": [
        pre,
        {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True,
         "use_regex": False}]}
    with open("%s/%s.json" % (sys.argv[2], name), "w", encoding="utf-8") as f:
        json.dump(tj, f)
