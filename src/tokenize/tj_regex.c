/* PCRE2 (UTF, UCP, JIT) for the regexes a tokenizer.json defines, with the rewrites that
 * make PCRE2 agree with Oniguruma on them. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "tokenize/tj_regex.h"

#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "tokalign/text.h"

struct tj_regex {
    pcre2_code *code;
    bool jit; /* JIT-compiled (pcre2_jit_compile can fail: then the interpreter runs) */
};

struct tj_regex_work {
    pcre2_match_data *md;
};

/* COMPAT: Oniguruma's \s is Unicode White_Space; PCRE2's (UCP) is Z + \t\n\v\f\r, which
 * misses U+0085 and has U+180E in older tables. Spelled out so both agree. */
#define WS_SET "\\t\\n\\x{0B}\\f\\r \\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}"

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
    size_t jit_size = 0;
    re->jit = pcre2_pattern_info(code, PCRE2_INFO_JITSIZE, &jit_size) == 0 && jit_size > 0;
    *out = re;
    return TKA_OK;
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

tka_status tj_regex_find(const tj_regex *re, tj_regex_work *w, const char *s, size_t len,
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
                     : pcre2_match(re->code, (PCRE2_SPTR)s, len, pos,
                                   flags | PCRE2_NO_UTF_CHECK, w->md, NULL);
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
