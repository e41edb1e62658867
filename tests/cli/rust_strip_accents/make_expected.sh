#!/usr/bin/env bash
# Regenerates expected.tsv: the Rust tokenizer (npm tokenizers@0.23.2 through
# ../shared/oracle/tokenizer_json/tj_oracle.js) on "a" + c + "b", special tokens added, with
# the variant of bert-base-uncased-fast that variant.py writes (NFD + StripAccents,
# Punctuation). The code points c: every mark for Rust's StripAccents
# (unicode-normalization-alignments: General Category M of Unicode 9.0) or for utf8proc,
# every code point of src/tokenize/rust_unicode8_table.h, utf8proc's P, Z, Cc and Cf, every
# code point NFD changes (Hangul syllables: a sample), and samples of Co and Cn.
# Not run by the suite (it needs node and npm; the code point set needs the table and the
# libutf8proc the library links):
#   npm install --no-save --prefix build/npm-oracle tokenizers@0.23.2
#   NODE_PATH=build/npm-oracle/node_modules bash tests/cli/rust_strip_accents/make_expected.sh [SHARED]
# SHARED: the shared directory (default ../shared beside the source tree).
# shellcheck source=tests/cli/oracle_lib.sh
. "$(dirname "$0")/../oracle_lib.sh"
python3 "$here/variant.py" "$shared/data/tokenizers/bert-base-uncased-fast/tokenizer.json" \
  "$tmp/variant.json"
python3 - "$src/src/tokenize/rust_unicode8_table.h" "$tmp/rows.jsonl" <<'PY'
import ctypes, ctypes.util, json, re, sys
CATEGORIES = ("Cn Lu Ll Lt Lm Lo Mn Mc Me Nd Nl No Pc Pd Ps Pe Pi Pf Po "
              "Sm Sc Sk So Zs Zl Zp Cc Cf Cs Co").split()
lib = ctypes.CDLL(ctypes.util.find_library("utf8proc"))
lib.utf8proc_category.restype = ctypes.c_int
lib.utf8proc_NFD.restype = ctypes.c_void_p
lib.utf8proc_NFD.argtypes = [ctypes.c_char_p]
libc = ctypes.CDLL(ctypes.util.find_library("c"))
libc.free.argtypes = [ctypes.c_void_p]

def nfd_changes(cp):
    raw = chr(cp).encode()
    p = lib.utf8proc_NFD(raw)
    out = ctypes.string_at(p)
    libc.free(p)
    return out != raw

# the 8.0 / 9.0 ranges only (the header also lists the 16.0 ones after them)
table = open(sys.argv[1], encoding="utf-8").read().split("rust8_ranges[]")[1].split("};")[0]
cps = set()
for a, b, _ in re.findall(r"\{0x([0-9A-F]+), 0x([0-9A-F]+), ([^}]*)\}", table):
    cps.update(range(int(a, 16), int(b, 16) + 1))
n_co = n_cn = 0
for cp in range(0x110000):
    if 0xD800 <= cp <= 0xDFFF:
        continue
    cat = CATEGORIES[lib.utf8proc_category(cp)]
    if 0xAC00 <= cp <= 0xD7A3:  # Hangul syllables (NFD: jamo, no marks): a sample
        if (cp - 0xAC00) % 256 == 0:
            cps.add(cp)
    elif cat[0] in "MPZ" or cat in ("Cc", "Cf") or nfd_changes(cp):
        cps.add(cp)
    elif cat == "Co" and n_co % 512 == 0:
        cps.add(cp)
    elif cat == "Cn" and n_cn % 1024 == 0:
        cps.add(cp)
    n_co += cat == "Co"
    n_cn += cat == "Cn"
with open(sys.argv[2], "w", encoding="utf-8") as f:
    for cp in sorted(cps):
        f.write(json.dumps({"text": "a" + chr(cp) + "b", "add_special_tokens": True}) + "\n")
PY
node "$shared/oracle/tokenizer_json/tj_oracle.js" "$tmp/variant.json" "$tmp/rows.jsonl" "$tmp/out.jsonl"
python3 - "$tmp/rows.jsonl" "$tmp/out.jsonl" "$version" > "$here/expected.tsv" <<'PY'
import json, sys
print("# made by tests/cli/rust_strip_accents/make_expected.sh: npm tokenizers@%s, "
      "variant.py's NFD + StripAccents variant of bert-base-uncased-fast, \"a\" + c + \"b\" "
      "with special tokens; code point, ids, offsets (code points)" % sys.argv[3])
for r, o in zip(open(sys.argv[1], encoding="utf-8"), open(sys.argv[2], encoding="utf-8")):
    o = json.loads(o)
    print("%04X\t%s\t%s" % (ord(json.loads(r)["text"][1]), " ".join(map(str, o["ids"])),
                            " ".join("%d,%d" % tuple(x) for x in o["offsets"])))
PY
echo "wrote $(grep -vc '^#' "$here/expected.tsv") rows to $here/expected.tsv"
