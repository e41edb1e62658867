#!/usr/bin/env bash
# Regenerates expected.tsv.gz (gzip of a 4.9 MB TSV): the Rust tokenizer (npm
# tokenizers@0.23.2, whose Oniguruma has Unicode 16.0 tables) on every code point c that
# utf8proc assigns (Unicode 15.0) and PCRE2 calls unassigned (\p{Cn}, Unicode 14.0 in
# PCRE2 10.42) in three texts each ("a" c "b", "x " c c "1", c "'s " c "\n") through the
# gpt2, llama3 and qwen3 tokenizer.json files, without special tokens: ids and offsets
# (../shared/oracle/tokenizer_json/tj_oracle.js) and word ids
# (tests/python/oracle/word_ids_oracle.js). The code points come from the utf8proc and
# PCRE2 libraries themselves (ctypes). Not run by the suite (it needs node and npm):
#   (cd "$(mktemp -d)" && npm install --no-save tokenizers@0.23.2 && pwd)  # -> DIR
#   NODE_PATH=DIR/node_modules bash tests/cli/tj_unicode15/make_expected.sh [SHARED]
# SHARED: the shared directory (default ../shared beside the source tree).
# shellcheck source=tests/cli/oracle_lib.sh
. "$(dirname "$0")/../oracle_lib.sh"
/usr/bin/python3 - "$tmp/rows.jsonl" <<'PY'
import ctypes, ctypes.util, json, sys
u = ctypes.CDLL(ctypes.util.find_library("utf8proc"))
u.utf8proc_category.restype = ctypes.c_int
u.utf8proc_unicode_version.restype = ctypes.c_char_p
p = ctypes.CDLL(ctypes.util.find_library("pcre2-8"))
p.pcre2_compile_8.restype = p.pcre2_match_data_create_8.restype = ctypes.c_void_p
p.pcre2_compile_8.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint32,
                              ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_size_t), ctypes.c_void_p]
p.pcre2_match_data_create_8.argtypes = [ctypes.c_uint32, ctypes.c_void_p]
p.pcre2_match_8.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_size_t,
                            ctypes.c_uint32, ctypes.c_void_p, ctypes.c_void_p]
PCRE2_UTF, PCRE2_ANCHORED = 0x00080000, 0x80000000
err, at = ctypes.c_int(), ctypes.c_size_t()
cn = p.pcre2_compile_8(rb"\p{Cn}", 6, PCRE2_UTF | PCRE2_ANCHORED, ctypes.byref(err), ctypes.byref(at), None)
md = p.pcre2_match_data_create_8(1, None)
ver = ctypes.create_string_buffer(24)
p.pcre2_config_8(10, ver)  # PCRE2_CONFIG_UNICODE_VERSION
cps = []
for cp in range(0x110000):
    if 0xD800 <= cp < 0xE000 or u.utf8proc_category(cp) in (0, 28, 29):  # Cn, Cs, Co
        continue
    b = chr(cp).encode()
    if p.pcre2_match_8(cn, b, len(b), 0, 0, md, None) > 0:
        cps.append(cp)
print("utf8proc Unicode %s, PCRE2 Unicode %s: %d code points assigned only in utf8proc"
      % (u.utf8proc_unicode_version().decode(), ver.value.decode(), len(cps)), file=sys.stderr)
with open(sys.argv[1], "w", encoding="utf-8") as f:
    for cp in cps:
        c = chr(cp)
        for ctx in ("a" + c + "b", "x " + c + c + "1", c + "'s " + c + "\n"):
            f.write(json.dumps({"text": ctx, "pair": None, "add_special_tokens": False}) + "\n")
PY
unicode_rows_expected gpt2 llama3 qwen3
