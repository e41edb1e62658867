/* PCRE2 (UTF, UCP, JIT) for the regexes a tokenizer.json defines, with the rewrites that
 * make PCRE2 agree with Oniguruma on them. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "tokenize/tj_regex.h"

#include <pcre2.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "core/grow.h"
#include "core/try.h"
#include "core/utf8.h"
#include "tokalign/text.h"
#include "tokenize/rust_unicode8.h"
#include "tokenize/tj_json.h"

/* The pre-tokenizer patterns every byte-level file uses, recognised byte for byte. */
typedef enum { SCAN_NONE, SCAN_GPT2, SCAN_LLAMA3, SCAN_QWEN } scan_kind;

typedef struct {
    pcre2_code *code;
    bool jit; /* JIT-compiled (pcre2_jit_compile can fail: then the interpreter runs) */
} compiled;

/* The pattern with its \p{..} classes widened (see "Unicode version gap"), compiled on the
 * first text with a non-ASCII byte: the widening adds no ASCII character, and finding the
 * gap costs milliseconds that opening a tokenizer should not pay. */
typedef struct {
    pthread_mutex_t mu;
    compiled code;
    _Atomic(const compiled *) ready; /* &code once compiled */
    char *pattern;
    size_t len;
} widened;

struct tj_regex {
    compiled plain; /* translated, classes as PCRE2 has them */
    widened *wide;  /* NULL when no class of the pattern can be widened */
    scan_kind scan;
};

struct tj_regex_work {
    pcre2_match_data *md;
};

/* COMPAT: Oniguruma's \s is Unicode White_Space; PCRE2's (UCP) is Z + \t\n\v\f\r, which
 * misses U+0085 and has U+180E in older tables. Spelled out so both agree. */
#define WS_SET \
    "\\t\\n\\x{0B}\\f\\r \\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}"

/* ------------------------------------------------------------ Unicode version gap
 * COMPAT: the Oniguruma of npm tokenizers 0.23.2 (onig 6.5.3) has Unicode 16.0 tables
 * (its \p{L} takes letters new in 16.0, none of 17.0); Debian 12's PCRE2 10.42 has 14.0,
 * so \p{L} misses CJK Extension H (U+31350...) and every other character assigned in 15.0.
 * utf8proc here is 15.0: the code points utf8proc assigns and PCRE2 calls unassigned
 * (\p{Cn}) are found once per process, on the first non-ASCII text, by running PCRE2 itself
 * over all of utf8proc's assigned characters (~23 M instructions); the characters new in
 * Unicode 15.1 and 16.0 come with their 16.0 category from the generated table of
 * rust_unicode8.h (rust16_ranges). Each \p{..} category class of a pattern gets those whose
 * category it names. Nothing is written by hand; tests/unit/test_tj_regex.c checks that
 * PCRE2 and utf8proc differ nowhere else (no re-categorised character, which a widening
 * could not express). */

typedef struct {
    uint32_t lo, hi;  /* a run of consecutive code points ... */
    uint8_t category; /* ... of one utf8proc category, all \p{Cn} to PCRE2 */
} unicode_gap;

static struct {
    unicode_gap *runs;
    size_t n;
    tka_status status;
} gaps;
static pthread_once_t gaps_once = PTHREAD_ONCE_INIT;

static tka_status gaps_add(uint32_t cp, int category, size_t *cap)
{
    unicode_gap *last = gaps.n ? &gaps.runs[gaps.n - 1] : NULL;
    if (last && last->hi + 1 == cp && last->category == category) {
        last->hi = cp;
        return TKA_OK;
    }
    if (!tka_grow_array((void **)&gaps.runs, cap, gaps.n + 1, sizeof *gaps.runs, 64) ||
        !gaps.runs) /* (never null after a true return; the analyzer cannot see into it) */
        return TKA_ERR_NOMEM;
    gaps.runs[gaps.n++] = (unicode_gap){cp, cp, (uint8_t)category};
    return TKA_OK;
}

static int gap_order(const void *a, const void *b)
{
    uint32_t x = ((const unicode_gap *)a)->lo, y = ((const unicode_gap *)b)->lo;
    return (x > y) - (x < y);
}

/* Private use and surrogates never change category (Unicode's stability policy): only the
 * other assigned characters are shown to PCRE2. */
static void gaps_compute(void)
{
    gaps.status = TKA_ERR_NOMEM;
    uint8_t *text = malloc((size_t)4 * 0x110000);
    int code_err = 0;
    PCRE2_SIZE at = 0;
    pcre2_code *cn = pcre2_compile((PCRE2_SPTR) "\\p{Cn}+", PCRE2_ZERO_TERMINATED,
                                   PCRE2_UTF | PCRE2_UCP, &code_err, &at, NULL);
    pcre2_match_data *md = cn ? pcre2_match_data_create_from_pattern(cn, NULL) : NULL;
    if (!text || !md)
        goto done;
    size_t len = 0;
    /* Planes 4-13 hold no character in utf8proc's Unicode 15.0 and planes 15-16 are private
     * use: skipped (three quarters of the property lookups). If a later utf8proc assigned
     * one there, tests/unit/test_tj_regex.c's every-code-point check would fail. */
    for (uint32_t cp = 0; cp < 0xF0000; cp = cp == 0x3FFFF ? 0xE0000 : cp + 1) {
        /* utf8proc_get_property: utf8proc_category's wrapper costs 2 of the ~5 ms */
        int c = utf8proc_get_property((utf8proc_int32_t)cp)->category;
        if (c != UTF8PROC_CATEGORY_CN && c != UTF8PROC_CATEGORY_CS && c != UTF8PROC_CATEGORY_CO)
            len += tka_utf8_encode((int32_t)cp, text + len);
    }
    pcre2_jit_compile(cn, PCRE2_JIT_COMPLETE);
    size_t cap = 0;
    tka_status st = TKA_OK;
    for (size_t pos = 0; st == TKA_OK;) {
        int rc = pcre2_match(cn, text, len, pos, PCRE2_NO_UTF_CHECK, md, NULL);
        if (rc == PCRE2_ERROR_NOMATCH)
            break;
        if (rc < 0) {
            st = TKA_ERR_LIMIT;
            break;
        }
        const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        for (size_t i = ov[0]; i < ov[1] && st == TKA_OK;) {
            int32_t cp = tka_utf8_decode(text, &i);
            st = gaps_add((uint32_t)cp, utf8proc_category(cp), &cap);
        }
        pos = ov[1];
    }
    /* utf8proc's unassigned that Unicode 16.0 assigns (PCRE2's too: it is older), then all
     * the runs in code point order, as append_gaps merges neighbours */
    size_t n16 = 0;
    const rust16_range *new16 = rust16_new_ranges(&n16);
    for (size_t k = 0; k < n16 && st == TKA_OK; k++) {
        st = gaps_add((uint32_t)new16[k].first, new16[k].category, &cap);
        if (st == TKA_OK)
            gaps.runs[gaps.n - 1].hi = (uint32_t)new16[k].last;
    }
    if (st == TKA_OK)
        qsort(gaps.runs, gaps.n, sizeof *gaps.runs, gap_order);
    gaps.status = st;
done:
    pcre2_match_data_free(md);
    pcre2_code_free(cn);
    free(text);
}

/* The utf8proc categories a \p{name} of Oniguruma's names: one letter (L, M, N, P, S, Z)
 * or two (Lu ... Co), L& / LC; letter case, spaces, '_' and '-' ignored as both engines do.
 * 0 for any other name (scripts, C, Cn...: passed to PCRE2 unchanged). */
static uint32_t category_mask(const char *name, size_t len)
{
    static const char names[][3] = {"Cn", "Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Me", "Nd",
                                    "Nl", "No", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Sm",
                                    "Sc", "Sk", "So", "Zs", "Zl", "Zp", "Cc", "Cf", "Cs", "Co"};
    char k[3] = {0};
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (c == ' ' || c == '_' || c == '-')
            continue;
        if (n == 2)
            return 0;
        k[n++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    /* C and Cn hold PCRE2's unassigned: matching utf8proc would narrow them, not widen */
    if (n == 0 || (k[0] == 'c' && (n == 1 || k[1] == 'n')))
        return 0;
    if (n == 2 && (k[1] == '&' || (k[0] == 'l' && k[1] == 'c')))
        return k[0] == 'l' ? 1u << UTF8PROC_CATEGORY_LU | 1u << UTF8PROC_CATEGORY_LL |
                                 1u << UTF8PROC_CATEGORY_LT
                           : 0;
    uint32_t mask = 0;
    for (unsigned i = 0; i < sizeof names / sizeof *names; i++)
        if (names[i][0] + 32 == k[0] && (n == 1 || names[i][1] == k[1]))
            mask |= 1u << i;
    return mask;
}

/* Appends the gap code points of the categories in `mask` as class items: \x{A}-\x{B}. */
static tka_status append_gaps(tka_buf *out, uint32_t mask)
{
    tka_status st = TKA_OK;
    for (size_t i = 0; i < gaps.n && st == TKA_OK; i++) {
        if (!(mask >> gaps.runs[i].category & 1))
            continue;
        uint32_t lo = gaps.runs[i].lo, hi = gaps.runs[i].hi;
        while (i + 1 < gaps.n && gaps.runs[i + 1].lo == hi + 1 &&
               (mask >> gaps.runs[i + 1].category & 1))
            hi = gaps.runs[++i].hi;
        char item[32];
        int n = lo == hi ? snprintf(item, sizeof item, "\\x{%X}", lo)
                         : snprintf(item, sizeof item, "\\x{%X}-\\x{%X}", lo, hi);
        st = tka_buf_append(out, item, (size_t)n);
    }
    return st;
}

/* A \p{name}, \P{name}, \p{^name} or \pX escape that starts at p[i]. */
typedef struct {
    size_t name, name_len, end; /* name within p, end just past the escape */
    bool negated;
    uint32_t mask; /* category_mask of the name */
} property_escape;

static bool parse_property(const char *p, size_t i, size_t len, property_escape *e)
{
    *e = (property_escape){.name = i + 2, .name_len = 1, .end = i + 3, .negated = p[i + 1] == 'P'};
    if (e->name >= len)
        return false;
    if (p[e->name] == '{') {
        const char *close = memchr(p + e->name, '}', len - e->name);
        if (!close)
            return false;
        e->name++;
        e->end = (size_t)(close - p) + 1;
        e->name_len = e->end - 1 - e->name;
        if (e->name_len > 0 && p[e->name] == '^') {
            e->negated = !e->negated;
            e->name++;
            e->name_len--;
        }
    }
    e->mask = category_mask(p + e->name, e->name_len);
    return e->mask != 0;
}

/* Writes the escape's class widened with the gap code points of its categories: [\p{L}...]
 * outside a class, \p{L}... inside one, [^\p{L}...] for a negation outside one. */
static tka_status write_widened(const char *p, const property_escape *e, bool in_class,
                                tka_buf *out)
{
    tka_status st = tka_buf_append_str(out, in_class ? "" : e->negated ? "[^" : "[");
    if (st == TKA_OK)
        st = tka_buf_append_str(out, "\\p{");
    if (st == TKA_OK)
        st = tka_buf_append(out, p + e->name, e->name_len);
    if (st == TKA_OK)
        st = tka_buf_append_str(out, "}");
    if (st == TKA_OK)
        st = append_gaps(out, e->mask);
    if (st == TKA_OK && !in_class)
        st = tka_buf_append_str(out, "]");
    return st;
}

/* COMPAT: Oniguruma's \w (Unicode) is Unicode's word class: Alphabetic (letters, Nl,
 * Other_Alphabetic such as the circled letters U+24B6...), marks, Nd and Pc; PCRE2 10.42's
 * (UCP) is \p{L}, \p{N} and '_', without marks (U+0300, U+0E31), with No (U+00B2). \w,
 * \W and \b, \B (word boundaries, on \w) are spelled out with PCRE2's Alphabetic
 * property, which the Unicode-gap widening extends with the new L and Nl characters.
 * Oniguruma answers code points below 256 from its Latin-1 ctype table, which also makes
 * the superscripts and fractions U+00B2, U+00B3, U+00B9, U+00BC-U+00BE (No) word chars:
 * found by the oracle over every assigned code point, the only ones. */
static const char *const word_categories[] = {"Alphabetic", "M", "Nd", "Pc"};

/* The items of Oniguruma's \w for a class, widened with `widen`. */
static tka_status write_word_items(bool widen, tka_buf *out)
{
    tka_status st = TKA_OK;
    for (size_t k = 0; k < sizeof word_categories / sizeof *word_categories && st == TKA_OK; k++) {
        st = tka_buf_append_str(out, "\\p{");
        if (st == TKA_OK)
            st = tka_buf_append_str(out, word_categories[k]);
        if (st == TKA_OK)
            st = tka_buf_append_str(out, "}");
        uint32_t mask = k == 0 ? category_mask("L", 1) | 1u << UTF8PROC_CATEGORY_NL
                               : category_mask(word_categories[k], strlen(word_categories[k]));
        if (st == TKA_OK && widen)
            st = append_gaps(out, mask);
    }
    if (st == TKA_OK)
        st = tka_buf_append_str(out, "\\x{B2}\\x{B3}\\x{B9}\\x{BC}-\\x{BE}");
    return st;
}

/* \w (in a class: its items), \W outside one, \b or \B outside one: (?<=w)(?!w)|(?<!w)(?=w)
 * and its opposite. */
static tka_status write_word(char which, bool in_class, bool widen, tka_buf *out)
{
    if (in_class)
        return write_word_items(widen, out);
    tka_buf w = {0};
    tka_status st = tka_buf_append_str(&w, which == 'W' ? "[^" : "[");
    if (st == TKA_OK)
        st = write_word_items(widen, &w);
    if (st == TKA_OK)
        st = tka_buf_append_str(&w, "]");
    if (st == TKA_OK && (which == 'w' || which == 'W'))
        st = tka_buf_append(out, w.data, w.len);
    else if (st == TKA_OK) {
        /* \b: after a word char and not before one, or the reverse; \B: both or neither */
        bool b = which == 'b';
        const char *const parts[] = {"(?:(?<=", b ? ")(?!" : ")(?=", ")|(?<!", b ? ")(?=" : ")(?!",
                                     "))"};
        size_t n = sizeof parts / sizeof *parts;
        for (size_t k = 0; k < n && st == TKA_OK; k++) {
            st = tka_buf_append_str(out, parts[k]);
            if (st == TKA_OK && k + 1 < n)
                st = tka_buf_append(out, w.data, w.len);
        }
    }
    tka_buf_free(&w);
    return st;
}

/* Rewrites an Oniguruma pattern for PCRE2. With `widen` (gaps computed), widens the \p{..}
 * classes; without, sets *widenable when some class could be widened. A negated class
 * inside [...] is left as written: the union [x\P{L}] has no PCRE2 10.42 spelling (see
 * docs/tokenizer_json.md). */
static tka_status translate(const char *p, size_t len, bool widen, bool *widenable, tka_buf *out)
{
    tka_status st = TKA_OK;
    int in_class = 0;
    for (size_t i = 0; i < len && st == TKA_OK; i++) {
        char c = p[i];
        if (c == '\\' && i + 1 < len) {
            char n = p[i + 1];
            property_escape e;
            if (n == 's')
                st = tka_buf_append_str(out, in_class ? WS_SET : "[" WS_SET "]");
            else if (n == 'S' && !in_class)
                st = tka_buf_append_str(out, "[^" WS_SET "]");
            else if (n == 'w' || (!in_class && (n == 'W' || n == 'b' || n == 'B'))) {
                *widenable = true;
                st = write_word(n, in_class, widen, out);
            } else if (n == 'd' || (n == 'D' && !in_class)) {
                /* \d is \p{Nd} in both (UCP), widened like it */
                property_escape d = {
                    .name_len = 2, .negated = n == 'D', .mask = 1u << UTF8PROC_CATEGORY_ND};
                *widenable = true;
                st = widen ? write_widened("Nd", &d, in_class, out) : tka_buf_append(out, p + i, 2);
            } else if (n == 'h' || (n == 'H' && !in_class))
                /* COMPAT: Oniguruma's \h is a hex digit (PCRE2's: horizontal space) */
                st = tka_buf_append_str(out, in_class   ? "0-9a-fA-F"
                                             : n == 'h' ? "[0-9a-fA-F]"
                                                        : "[^0-9a-fA-F]");
            else if ((n == 'p' || n == 'P') && parse_property(p, i, len, &e) &&
                     !(e.negated && in_class)) {
                *widenable = true;
                st = widen ? write_widened(p, &e, in_class, out)
                           : tka_buf_append(out, p + i, e.end - i);
                i = e.end - 1;
                continue;
            } else
                st = tka_buf_append(out, p + i, 2);
            i++;
            continue;
        }
        if (c == '[' && !in_class)
            in_class = 1;
        else if (c == '[' && in_class && i + 1 < len && p[i + 1] == ':')
            ; /* POSIX class inside a class */
        else if (c == ']' && in_class) {
            /* a ']' right after '[' or '[^' is literal */
            size_t b = i;
            while (b > 0 && p[b - 1] == '^')
                b--;
            if (!(b > 0 && p[b - 1] == '[' && (b < 2 || p[b - 2] != '\\')))
                in_class = 0;
        }
        st = tka_buf_append_char(out, c);
    }
    return st;
}

/* ------------------------------------------------------------ ASCII scanners
 * GPT-2's, llama3's and qwen's pre-tokenizer patterns hand-compiled for ASCII text: PCRE2's
 * JIT spends ~80 instructions a byte on them, these a few. Used only when the pattern is
 * one of these strings byte for byte and the whole text is ASCII (non-ASCII text goes to
 * PCRE2); tests/unit/test_tj_regex.c and fuzz/fuzz_tj_regex.c compare them with PCRE2.
 * On ASCII the classes are: \s (the WS_SET above) = \t \n \v \f \r and space,
 * \p{L} = A-Z a-z, \p{N} = 0-9, and everything else "other". */

const char tj_gpt2_pattern[] =
    "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
static const char llama3_pattern[] =
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| "
    "?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
static const char qwen_pattern[] =
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| "
    "?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

enum { C_O, C_L, C_N, C_W }; /* other, letter, digit, white space */

static const uint8_t cls[128] = {
    ['\t'] = C_W, ['\n'] = C_W, ['\v'] = C_W, ['\f'] = C_W, ['\r'] = C_W, [' '] = C_W,
    ['0'] = C_N,  ['1'] = C_N,  ['2'] = C_N,  ['3'] = C_N,  ['4'] = C_N,  ['5'] = C_N,
    ['6'] = C_N,  ['7'] = C_N,  ['8'] = C_N,  ['9'] = C_N,
#define L2(a, b) [a] = C_L, [b] = C_L
    L2('A', 'a'), L2('B', 'b'), L2('C', 'c'), L2('D', 'd'), L2('E', 'e'), L2('F', 'f'),
    L2('G', 'g'), L2('H', 'h'), L2('I', 'i'), L2('J', 'j'), L2('K', 'k'), L2('L', 'l'),
    L2('M', 'm'), L2('N', 'n'), L2('O', 'o'), L2('P', 'p'), L2('Q', 'q'), L2('R', 'r'),
    L2('S', 's'), L2('T', 't'), L2('U', 'u'), L2('V', 'v'), L2('W', 'w'), L2('X', 'x'),
    L2('Y', 'y'), L2('Z', 'z'),
#undef L2
};

static bool all_ascii(const char *s, size_t len)
{
    uint64_t acc = 0;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        acc |= w;
    }
    for (; i < len; i++)
        acc |= (uint8_t)s[i];
    return !(acc & 0x8080808080808080ull);
}

static inline size_t run_of(const uint8_t *s, size_t len, size_t e, int k)
{
    while (e < len && cls[s[e]] == k)
        e++;
    return e;
}

/* After a white-space run [p, e) that no earlier alternative took: \s+(?!\S) gives up
 * the last char before a non-space, unless that leaves nothing; then \s+ takes it. */
static inline size_t space_tail(size_t p, size_t e, size_t len)
{
    return e == len || e - 1 == p ? e : e - 1;
}

/* 's|'t|'re|'ve|'m|'ll|'d, ASCII case folded when `fold`: the end, or 0. */
static inline size_t contraction(const uint8_t *s, size_t len, size_t p, bool fold)
{
    if (p + 1 >= len)
        return 0;
    uint8_t a = s[p + 1] | (fold ? 0x20 : 0);
    if (a == 's' || a == 't' || a == 'm' || a == 'd')
        return p + 2;
    if (p + 2 >= len)
        return 0;
    uint8_t b = s[p + 2] | (fold ? 0x20 : 0);
    if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l'))
        return p + 3;
    return 0;
}

/* 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+ at p. */
static size_t scan_gpt2(const uint8_t *s, size_t len, size_t p)
{
    size_t e;
    if (s[p] == '\'' && (e = contraction(s, len, p, false)))
        return e;
    size_t q = s[p] == ' ' && p + 1 < len && cls[s[p + 1]] != C_W ? p + 1 : p;
    int k = cls[s[q]];
    if (k != C_W)
        return run_of(s, len, q + 1, k);
    return space_tail(p, run_of(s, len, p + 1, C_W), len);
}

/* (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,D}|
 *  ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+ at p (D = 3 llama3, 1 qwen). */
static size_t scan_llama3(const uint8_t *s, size_t len, size_t p, size_t digits)
{
    size_t e;
    uint8_t c = s[p];
    int k = cls[c];
    if (c == '\'' && (e = contraction(s, len, p, true)))
        return e;
    if (k == C_L)
        return run_of(s, len, p + 1, C_L);
    if (c != '\r' && c != '\n' && k != C_N && p + 1 < len && cls[s[p + 1]] == C_L)
        return run_of(s, len, p + 2, C_L);
    if (k == C_N) {
        for (e = p + 1; e < len && e < p + digits && cls[s[e]] == C_N;)
            e++;
        return e;
    }
    size_t q = c == ' ' && p + 1 < len && cls[s[p + 1]] == C_O ? p + 1 : p;
    if (cls[s[q]] == C_O) {
        e = run_of(s, len, q + 1, C_O);
        while (e < len && (s[e] == '\r' || s[e] == '\n'))
            e++;
        return e;
    }
    /* white space: \s*[\r\n]+ ends after the run's last \r or \n */
    e = run_of(s, len, p + 1, C_W);
    for (size_t i = e; i-- > p;)
        if (s[i] == '\r' || s[i] == '\n')
            return i + 1;
    return space_tail(p, e, len);
}

static tka_status scan_find(const tj_regex *re, const char *text, size_t len, int yes,
                            tj_matches *m)
{
    const uint8_t *s = (const uint8_t *)text;
    tka_status st = TKA_OK;
    for (size_t p = 0, e; p < len && st == TKA_OK; p = e) {
        e = re->scan == SCAN_GPT2     ? scan_gpt2(s, len, p)
            : re->scan == SCAN_LLAMA3 ? scan_llama3(s, len, p, 3)
                                      : scan_llama3(s, len, p, 1);
        st = tj_matches_push(m, (uint32_t)p, (uint32_t)e, yes);
    }
    return st;
}

static scan_kind scan_of(const char *p, size_t len, bool literal)
{
    static const struct {
        const char *p;
        size_t len;
        scan_kind k;
    } known[] = {{tj_gpt2_pattern, sizeof tj_gpt2_pattern - 1, SCAN_GPT2},
                 {llama3_pattern, sizeof llama3_pattern - 1, SCAN_LLAMA3},
                 {qwen_pattern, sizeof qwen_pattern - 1, SCAN_QWEN}};
    for (size_t i = 0; !literal && i < sizeof known / sizeof *known; i++)
        if (len == known[i].len && !memcmp(p, known[i].p, len))
            return known[i].k;
    return SCAN_NONE;
}

static tka_status compile(const char *pattern, size_t len, bool literal, bool widen,
                          bool *widenable, const char *where, compiled *out, tka_error *err)
{
    tka_buf buf = {0};
    tka_status st = literal ? tka_buf_append(&buf, pattern, len)
                            : translate(pattern, len, widen, widenable, &buf);
    if (st != TKA_OK) {
        tka_buf_free(&buf);
        return tka_error_set(err, st, "out of memory compiling a regex");
    }
    int code_err = 0;
    PCRE2_SIZE at = 0;
    uint32_t opts = PCRE2_UTF | PCRE2_NO_UTF_CHECK | (literal ? PCRE2_LITERAL : PCRE2_UCP);
    pcre2_code *code =
        pcre2_compile((PCRE2_SPTR)(buf.data ? buf.data : ""), buf.len, opts, &code_err, &at, NULL);
    tka_buf_free(&buf);
    if (!code) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(code_err, msg, sizeof msg);
        return tka_error_set(err, TKA_ERR_UNSUPPORTED,
                             "%s: regex /%.*s/ is not supported by PCRE2: %s (at offset %zu)",
                             where, (int)(len > 200 ? 200 : len), pattern, (const char *)msg,
                             (size_t)at);
    }
    pcre2_jit_compile(code, PCRE2_JIT_COMPLETE); /* falls back to the interpreter on failure */
    size_t jit_size = 0;
    out->code = code;
    out->jit = pcre2_pattern_info(code, PCRE2_INFO_JITSIZE, &jit_size) == 0 && jit_size > 0;
    return TKA_OK;
}

tka_status tj_regex_new(const char *pattern, size_t len, bool literal, const char *where,
                        tj_regex **out, tka_error *err)
{
    *out = NULL;
    tj_regex *re = calloc(1, sizeof *re);
    if (!re)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory compiling a regex");
    bool widenable = false;
    tka_status st = compile(pattern, len, literal, false, &widenable, where, &re->plain, err);
    if (st == TKA_OK && widenable) {
        re->wide = calloc(1, sizeof *re->wide);
        char *copy = malloc(len + 1);
        if (re->wide && copy) {
            memcpy(copy, pattern, len);
            re->wide->pattern = copy;
            re->wide->len = len;
            pthread_mutex_init(&re->wide->mu, NULL);
        } else {
            free(copy);
            free(re->wide);
            re->wide = NULL;
            st = tka_error_set(err, TKA_ERR_NOMEM, "out of memory compiling a regex");
        }
    }
    if (st != TKA_OK) {
        tj_regex_free(re);
        return st;
    }
    re->scan = scan_of(pattern, len, literal);
    *out = re;
    return TKA_OK;
}

/* The code to run on s[0..len): the widened pattern once compiled, the plain one until a
 * text with a non-ASCII byte needs the widening. */
static tka_status code_for(const tj_regex *re, const char *s, size_t len, const compiled **out,
                           tka_error *err)
{
    *out = &re->plain;
    widened *w = re->wide;
    if (!w)
        return TKA_OK;
    const compiled *ready = atomic_load_explicit(&w->ready, memory_order_acquire);
    if (ready || all_ascii(s, len)) {
        *out = ready ? ready : &re->plain;
        return TKA_OK;
    }
    tka_status st = TKA_OK;
    pthread_mutex_lock(&w->mu);
    if (!atomic_load_explicit(&w->ready, memory_order_relaxed)) {
        pthread_once(&gaps_once, gaps_compute);
        st = gaps.status != TKA_OK
                 ? tka_error_set(err, gaps.status,
                                 "out of memory comparing PCRE2's and utf8proc's Unicode tables")
                 : compile(w->pattern, w->len, false, true, &(bool){false}, "a regex", &w->code,
                           err);
        if (st == TKA_OK)
            atomic_store_explicit(&w->ready, &w->code, memory_order_release);
    }
    pthread_mutex_unlock(&w->mu);
    *out = atomic_load_explicit(&w->ready, memory_order_acquire);
    return st;
}

tka_status tj_regex_from_json(const json_t *o, const char *key, const tj_where *w, tj_regex **out,
                              tka_error *err)
{
    json_t *p = json_object_get(o, key);
    tj_where pw = tj_at_key(w, key);
    json_t *lit = json_object_get(p, "String"), *rx = json_object_get(p, "Regex");
    if (!json_is_object(p) || json_object_size(p) != 1 ||
        !(json_is_string(lit) || json_is_string(rx)))
        return tj_bad(err, &pw, "expected {\"String\": ...} or {\"Regex\": ...}");
    json_t *v = lit ? lit : rx;
    char where[300];
    snprintf(where, sizeof where, "%s: %s", pw.file, pw.path);
    return tj_regex_new(json_string_value(v), json_string_length(v), lit != NULL, where, out, err);
}

void tj_regex_free(tj_regex *re)
{
    if (!re)
        return;
    pcre2_code_free(re->plain.code);
    if (re->wide) {
        pthread_mutex_destroy(&re->wide->mu);
        pcre2_code_free(re->wide->code.code);
        free(re->wide->pattern);
        free(re->wide);
    }
    free(re);
}

tj_regex_work *tj_regex_work_new(void)
{
    tj_regex_work *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->md = pcre2_match_data_create(16, NULL);
    if (!w->md) {
        free(w);
        return NULL;
    }
    return w;
}

void tj_regex_work_free(tj_regex_work *w)
{
    if (!w)
        return;
    pcre2_match_data_free(w->md);
    free(w);
}

bool tj_regex_has_scanner(const tj_regex *re)
{
    return re->scan != SCAN_NONE;
}

tka_status tj_regex_find(const tj_regex *re, tj_regex_work *w, const char *s, size_t len,
                         bool invert, tj_matches *m, tka_error *err)
{
    /* every char starts a match of these patterns: no gaps */
    if (re->scan != SCAN_NONE && len > 0 && all_ascii(s, len))
        return scan_find(re, s, len, invert ? 0 : 1, m);
    return tj_regex_find_pcre2(re, w, s, len, invert, m, err);
}

tka_status tj_regex_find_pcre2(const tj_regex *re, tj_regex_work *w, const char *s, size_t len,
                               bool invert, tj_matches *m, tka_error *err)
{
    int yes = invert ? 0 : 1;
    if (len == 0)
        return tj_matches_push(m, 0, 0, !yes);
    const compiled *c = NULL;
    TKA_TRY(code_for(re, s, len, &c, err));
    size_t prev = 0, pos = 0;
    uint32_t flags = 0;
    tka_status st = TKA_OK;
    while (pos <= len && st == TKA_OK) {
        /* pcre2_jit_match skips pcre2_match's checks (6% of a gpt2 encode); it takes no
         * PCRE2_ANCHORED, so the step after an empty match goes through pcre2_match */
        int rc = c->jit && flags == 0
                     ? pcre2_jit_match(c->code, (PCRE2_SPTR)s, len, pos, 0, w->md, NULL)
                     : pcre2_match(c->code, (PCRE2_SPTR)s, len, pos, flags | PCRE2_NO_UTF_CHECK,
                                   w->md, NULL);
        if (rc == PCRE2_ERROR_NOMATCH) {
            if (flags == 0)
                break;
            /* no non-empty match at pos after an empty one: step one char */
            flags = 0;
            pos++;
            while (pos < len && ((unsigned char)s[pos] & 0xC0) == 0x80)
                pos++;
            continue;
        }
        if (rc < 0) {
            PCRE2_UCHAR msg[256];
            pcre2_get_error_message(rc, msg, sizeof msg);
            return tka_error_set(err, TKA_ERR_LIMIT, "regex match failed: %s", (const char *)msg);
        }
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(w->md);
        size_t ms = ov[0], me = ov[1];
        if (prev != ms)
            st = tj_matches_push(m, (uint32_t)prev, (uint32_t)ms, !yes);
        if (st == TKA_OK)
            st = tj_matches_push(m, (uint32_t)ms, (uint32_t)me, yes);
        prev = me;
        pos = me;
        flags = ms == me ? PCRE2_NOTEMPTY_ATSTART | PCRE2_ANCHORED : 0;
        if (ms == me && me >= len)
            break;
    }
    if (st == TKA_OK && prev != len)
        st = tj_matches_push(m, (uint32_t)prev, (uint32_t)len, !yes);
    return st;
}
