/* BERT character rules from utf8proc properties (no hand-written tables; Rust's
 * Unicode 8.0 differences come from the generated rust_unicode8_table.h). */
#include "tokenize/bert_normalize.h"

#include <utf8proc.h>

#include "tokenize/rust_unicode8.h"

/* COMPAT: transformers' BasicTokenizer._is_chinese_char ranges. The Rust
 * BertNormalizer (tokenizers) starts the Extension C-F range at U+2B920
 * instead of U+2B820, so U+2B820..U+2B91F are only isolated in slow mode. */
static bool is_cjk(int32_t cp, tka_compat compat)
{
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0x20000 && cp <= 0x2A6DF) || (cp >= 0x2A700 && cp <= 0x2B73F) ||
           (cp >= 0x2B740 && cp <= 0x2B81F) ||
           (cp >= (compat == TKA_COMPAT_FAST ? 0x2B920 : 0x2B820) && cp <= 0x2CEAF) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}

/* COMPAT: _is_punctuation counts every non-alphanumeric ASCII character
 * (e.g. "$", "^", "`") as punctuation, not only category P (Rust's
 * is_bert_punc: is_ascii_punctuation too). */
static bool is_ascii_punct(int32_t cp)
{
    return (cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) ||
           (cp >= 123 && cp <= 126);
}

static bool is_punct(int32_t cp, const utf8proc_property_t *p)
{
    if (is_ascii_punct(cp))
        return true;
    switch (p->category) {
    case UTF8PROC_CATEGORY_PC:
    case UTF8PROC_CATEGORY_PD:
    case UTF8PROC_CATEGORY_PS:
    case UTF8PROC_CATEGORY_PE:
    case UTF8PROC_CATEGORY_PI:
    case UTF8PROC_CATEGORY_PF:
    case UTF8PROC_CATEGORY_PO: return true;
    default: return false;
    }
}

/* Python's str.isspace(): category Zs or bidirectional class B, S or WS. */
static bool py_isspace(const utf8proc_property_t *p)
{
    return p->category == UTF8PROC_CATEGORY_ZS || p->bidi_class == UTF8PROC_BIDI_CLASS_B ||
           p->bidi_class == UTF8PROC_BIDI_CLASS_S || p->bidi_class == UTF8PROC_BIDI_CLASS_WS;
}

/* Slow: clean_text turns Zs into " " and str.split() then also splits at
 * U+2028/U+2029 (isspace); fast: char::is_whitespace, the same set once
 * control characters are gone. */
static bool is_space(const utf8proc_property_t *p)
{
    return py_isspace(p) || p->category == UTF8PROC_CATEGORY_ZL ||
           p->category == UTF8PROC_CATEGORY_ZP;
}

/* The Rust rules: its is_control (is_other) and is_punctuation see Unicode
 * 8.0 (rust_unicode8.h). */
static int fast_class(int32_t cp, const utf8proc_property_t *p, bool chinese_chars)
{
    /* COMPAT: is_other is Cc, Cf, Co in 8.0: Cn stays, so does every
     * character assigned since */
    if (rust8_is(cp, p->category, RUST8_OTHER))
        return BERT_DROP;
    if (is_space(p))
        return BERT_SPACE;
    if (chinese_chars && is_cjk(cp, TKA_COMPAT_FAST))
        return BERT_CJK;
    if (is_ascii_punct(cp) || rust8_is(cp, p->category, RUST8_PUNCT))
        return BERT_PUNCT;
    return BERT_WORD;
}

int bert_char_class(int32_t cp, tka_compat compat, bool chinese_chars)
{
    if (cp == 0 || cp == 0xFFFD)
        return BERT_DROP;
    if (cp == '\t' || cp == '\n' || cp == '\r')
        return BERT_SPACE;
    const utf8proc_property_t *p = utf8proc_get_property(cp);
    if (compat == TKA_COMPAT_FAST)
        return fast_class(cp, p, chinese_chars);
    switch (p->category) {
    case UTF8PROC_CATEGORY_CC:
    case UTF8PROC_CATEGORY_CF:
    case UTF8PROC_CATEGORY_CS:
    case UTF8PROC_CATEGORY_CO:
    /* COMPAT: Python's _is_control drops every category starting with "C",
     * unassigned code points and noncharacters included. */
    case UTF8PROC_CATEGORY_CN: return BERT_DROP;
    default: break;
    }
    if (is_space(p))
        return BERT_SPACE;
    if (chinese_chars && is_cjk(cp, compat))
        return BERT_CJK;
    if (is_punct(cp, p))
        return BERT_PUNCT;
    return BERT_WORD;
}

int bert_produced_class(int32_t cp, tka_compat compat)
{
    const utf8proc_property_t *p = utf8proc_get_property(cp);
    if (is_space(p))
        return BERT_SPACE;
    if (compat == TKA_COMPAT_FAST ? is_ascii_punct(cp) || rust8_is(cp, p->category, RUST8_PUNCT)
                                  : is_punct(cp, p))
        return BERT_PUNCT;
    return BERT_WORD;
}

int bert_lower(int32_t cp, int32_t out[4])
{
    utf8proc_int32_t lower = utf8proc_tolower(cp);
    if (lower != cp) {
        /* utf8proc exposes simple case mappings only. Python and Rust use
         * the full mapping, whose only unconditional multi-code-point
         * lower-case entry (U+0130 -> "i" U+0307) is also the full case
         * folding of that character; detect it as "the full case folding
         * starts with the simple lower-case mapping and is longer". Checked
         * against Python 3.11 over every assigned code point. */
        utf8proc_int32_t fold[4];
        int last = 0;
        utf8proc_ssize_t n = utf8proc_decompose_char(cp, fold, 4, UTF8PROC_CASEFOLD, &last);
        if (n > 1 && n <= 4 && fold[0] == lower) {
            for (utf8proc_ssize_t i = 0; i < n; i++)
                out[i] = fold[i];
            return (int)n;
        }
    }
    out[0] = lower;
    return 1;
}

int bert_decompose(int32_t cp, int32_t *out, int cap)
{
    int last = 0;
    utf8proc_ssize_t n = utf8proc_decompose_char(cp, out, cap, UTF8PROC_DECOMPOSE, &last);
    if (n < 0 || n > cap)
        return -1;
    return (int)n;
}

int bert_combining_class(int32_t cp)
{
    return utf8proc_get_property(cp)->combining_class;
}

bool bert_is_mn(int32_t cp, tka_compat compat)
{
    if (compat == TKA_COMPAT_FAST) /* COMPAT: is_mark_nonspacing, Unicode 8.0 */
        return rust8_is(cp, utf8proc_get_property(cp)->category, RUST8_MN);
    return utf8proc_get_property(cp)->category == UTF8PROC_CATEGORY_MN;
}
