/* PCRE2 (UTF, UCP, JIT) for the regexes a tokenizer.json defines, with the rewrites that
 * make PCRE2 agree with Oniguruma on them. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "tokenize/tj_regex.h"

#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "tokalign/text.h"
#include "tokenize/tj_json.h"

/* The pre-tokenizer patterns every byte-level file uses, recognised byte for byte. */
typedef enum { SCAN_NONE, SCAN_GPT2, SCAN_LLAMA3, SCAN_QWEN } scan_kind;

struct tj_regex {
    pcre2_code *code;
    bool jit; /* JIT-compiled (pcre2_jit_compile can fail: then the interpreter runs) */
    scan_kind scan;
};

struct tj_regex_work {
    pcre2_match_data *md;
};

/* COMPAT: Oniguruma's \s is Unicode White_Space; PCRE2's (UCP) is Z + \t\n\v\f\r, which
 * misses U+0085 and has U+180E in older tables. Spelled out so both agree. */
#define WS_SET \
    "\\t\\n\\x{0B}\\f\\r \\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}"

static tka_status translate(const char *p, size_t len, tka_buf *out)
{
    tka_status st = TKA_OK;
    int in_class = 0;
    for (size_t i = 0; i < len && st == TKA_OK; i++) {
        char c = p[i];
        if (c == '\\' && i + 1 < len) {
            char n = p[i + 1];
            if (n == 's')
                st = tka_buf_append_str(out, in_class ? WS_SET : "[" WS_SET "]");
            else if (n == 'S' && !in_class)
                st = tka_buf_append_str(out, "[^" WS_SET "]");
            else
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

tka_status tj_regex_new(const char *pattern, size_t len, bool literal, const char *where,
                        tj_regex **out, tka_error *err)
{
    *out = NULL;
    tka_buf buf = {0};
    tka_status st = literal ? tka_buf_append(&buf, pattern, len) : translate(pattern, len, &buf);
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
    tj_regex *re = calloc(1, sizeof *re);
    if (!re) {
        pcre2_code_free(code);
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory compiling a regex");
    }
    re->code = code;
    re->scan = scan_of(pattern, len, literal);
    size_t jit_size = 0;
    re->jit = pcre2_pattern_info(code, PCRE2_INFO_JITSIZE, &jit_size) == 0 && jit_size > 0;
    *out = re;
    return TKA_OK;
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
    pcre2_code_free(re->code);
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
    size_t prev = 0, pos = 0;
    uint32_t flags = 0;
    tka_status st = TKA_OK;
    while (pos <= len && st == TKA_OK) {
        /* pcre2_jit_match skips pcre2_match's checks (6% of a gpt2 encode); it takes no
         * PCRE2_ANCHORED, so the step after an empty match goes through pcre2_match */
        int rc = re->jit && flags == 0
                     ? pcre2_jit_match(re->code, (PCRE2_SPTR)s, len, pos, 0, w->md, NULL)
                     : pcre2_match(re->code, (PCRE2_SPTR)s, len, pos, flags | PCRE2_NO_UTF_CHECK,
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
