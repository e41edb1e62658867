"""Writes the gpt2 tokenizer.json with its pre-tokenizer replaced by a Split on each pattern
Oniguruma spells differently from PCRE2 (then ByteLevel without its regex), and the rows:
"a" c "b" for every code point below 256 and every one utf8proc puts in a category where
Oniguruma's \\w and PCRE2's differ (M, Nd, Nl, No, Pc, So, Cf).
usage: variants.py GPT2_TOKENIZER_JSON OUT_DIR  ->  OUT_DIR/{NAME.json, rows.jsonl}"""
import ctypes
import ctypes.util
import json
import sys

PATTERNS = {"w": r"\w+", "W": r"\W+", "b": r"\b", "h": r"\h+", "d": r"\d+"}
# utf8proc_category_t: Mn Mc Me = 6-8, Nd Nl No = 9-11, Pc = 12, So = 22, Cf = 27
CATEGORIES = {6, 7, 8, 9, 10, 11, 12, 22, 27}

tj = json.load(open(sys.argv[1], encoding="utf-8"))
for name, pattern in PATTERNS.items():
    tj["pre_tokenizer"] = {"type": "Sequence", "pretokenizers": [
        {"type": "Split", "pattern": {"Regex": pattern}, "behavior": "Isolated", "invert": False},
        {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False}]}
    with open("%s/%s.json" % (sys.argv[2], name), "w", encoding="utf-8") as f:
        json.dump(tj, f)
u = ctypes.CDLL(ctypes.util.find_library("utf8proc"))
with open(sys.argv[2] + "/rows.jsonl", "w", encoding="utf-8") as f:
    for cp in range(0x110000):
        if 0xD800 <= cp < 0xE000 or not (cp < 0x100 or u.utf8proc_category(cp) in CATEGORIES):
            continue
        f.write(json.dumps({"text": "a" + chr(cp) + "b", "pair": None, "add_special_tokens": False}) + "\n")
