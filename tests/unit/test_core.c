/* Unit tests of the core module: arena, buffers, UTF-8, line reader, SHA-256, JSON output. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/sha256.h"
#include "core/utf8.h"
#include "tokalign/arena.h"
#include "core/json_write.h"
#include "core/lines.h"
#include "tokalign/status.h"
#include "tokalign/text.h"

Test(arena, alignment_and_large_blocks)
{
    tka_arena *a = tka_arena_new(128);
    cr_assert_not_null(a);
    char *c = tka_arena_alloc(a, 3, 1);
    int64_t *v = tka_arena_alloc(a, 5 * sizeof *v, _Alignof(int64_t));
    cr_assert_not_null(c);
    cr_assert_not_null(v);
    cr_assert_eq((uintptr_t)v % _Alignof(int64_t), 0);
    for (int i = 0; i < 5; i++)
        v[i] = i;
    char *big = tka_arena_alloc(a, 10000, 16); /* larger than a block */
    cr_assert_not_null(big);
    memset(big, 7, 10000);
    char *after = tka_arena_alloc(a, 8, 1); /* still served from the small block */
    cr_assert_not_null(after);
    cr_assert_eq(v[4], 4);
    cr_assert_eq(tka_arena_used(a), 3 + 40 + 10000 + 8);
    tka_arena_reset(a);
    cr_assert_eq(tka_arena_used(a), 0);
    char *s = tka_arena_strndup(a, "hello", 3);
    cr_assert_str_eq(s, "hel");
    int *z = tka_arena_calloc(a, 4, sizeof(int));
    cr_assert(z[0] == 0 && z[3] == 0);
    cr_assert_null(tka_arena_calloc(a, SIZE_MAX / 2, 4)); /* overflow refused */
    cr_assert_null(tka_arena_alloc(a, 8, 3));             /* alignment must be a power of two */
    tka_arena_free(a);
    tka_arena_free(NULL);
}

Test(buffer, append_and_printf)
{
    tka_buf b = {0};
    cr_assert_eq(tka_buf_append_str(&b, "ab"), TKA_OK);
    cr_assert_eq(tka_buf_append_char(&b, 'c'), TKA_OK);
    cr_assert_eq(tka_buf_printf(&b, "-%d-%s", 42, "x"), TKA_OK);
    cr_assert_str_eq(b.data, "abc-42-x");
    cr_assert_eq(b.len, 8);
    tka_buf_free(&b);
    cr_assert_null(b.data);
}

Test(status, messages_and_prefix)
{
    tka_error e;
    tka_error_clear(&e);
    cr_assert_eq(e.status, TKA_OK);
    cr_assert_eq(tka_error_set(&e, TKA_ERR_FORMAT, "line %d, column %d: bad", 3, 7),
                 TKA_ERR_FORMAT);
    tka_error_prefix(&e, "%s: ", "data.tsv");
    cr_assert_str_eq(e.message, "data.tsv: line 3, column 7: bad");
    cr_assert_eq(e.status, TKA_ERR_FORMAT);
    cr_assert_str_eq(tka_status_name(TKA_ERR_UTF8), "invalid UTF-8");
    cr_assert_eq(tka_error_set(NULL, TKA_ERR_IO, "ignored"), TKA_ERR_IO);
}

/* Expected outputs from CPython 3.11: bytes.decode("utf-8", "replace"). */
static void check_replace(const char *in, size_t len, const char *expected)
{
    tka_buf b = {0};
    cr_assert_eq(tka_utf8_append_replacing(&b, in, len), TKA_OK);
    cr_assert_eq(b.len, strlen(expected), "length for input of %zu bytes", len);
    cr_assert(memcmp(b.data, expected, b.len) == 0);
    tka_buf_free(&b);
}

#define FFFD "\xEF\xBF\xBD"

Test(utf8, validation_matches_python_strict_decoder)
{
    size_t bad;
    cr_assert(tka_utf8_valid("plain ascii text that is long enough", 36, &bad));
    cr_assert_eq(bad, 36);
    cr_assert(tka_utf8_valid("caf\xC3\xA9 \xE4\xB8\xAD \xF0\x9F\x98\x80", 14, NULL));
    cr_assert(tka_utf8_valid("\xEF\xBF\xBF\xF4\x8F\xBF\xBF", 7, NULL)); /* U+FFFF, U+10FFFF */
    cr_assert_not(tka_utf8_valid("abc\xED\xA0\x80", 6, &bad));          /* surrogate */
    cr_assert_eq(bad, 3);
    cr_assert_not(tka_utf8_valid("\xC0\xAF", 2, &bad)); /* overlong */
    cr_assert_eq(bad, 0);
    cr_assert_not(tka_utf8_valid("0123456789\xF4\x90\x80\x80", 14, &bad)); /* > U+10FFFF */
    cr_assert_eq(bad, 10);
    cr_assert_not(tka_utf8_valid("ab\xE2\x82", 4, &bad)); /* truncated */
    cr_assert_eq(bad, 2);
    cr_assert(tka_utf8_valid("", 0, &bad));
    cr_assert(tka_utf8_valid("a\0b", 3, NULL)); /* NUL is a character */
}

/* Reference for the randomized test: Unicode Table 3-7 read literally,
 * one sequence at a time (decode, then reject overlongs, surrogates and
 * values above U+10FFFF). Returns len when s is valid, else the offset of
 * the first ill-formed sequence. */
static size_t reference_bad_offset(const uint8_t *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        uint8_t b = s[i];
        if (b < 0x80) {
            i++;
            continue;
        }
        size_t need;
        uint32_t cp, min;
        if ((b & 0xE0) == 0xC0) {
            need = 2, cp = b & 0x1Fu, min = 0x80;
        } else if ((b & 0xF0) == 0xE0) {
            need = 3, cp = b & 0x0Fu, min = 0x800;
        } else if ((b & 0xF8) == 0xF0) {
            need = 4, cp = b & 0x07u, min = 0x10000;
        } else {
            return i;
        }
        if (len - i < need)
            return i;
        for (size_t k = 1; k < need; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return i;
            cp = (cp << 6) | (s[i + k] & 0x3Fu);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return i;
        i += need;
    }
    return len;
}

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static uint32_t rnd(uint32_t n) /* xorshift64*, uniform enough for test data */
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545F4914F6CDD1Du) >> 32) % n;
}

/* Bytes at the edges of the UTF-8 ranges, where a validator goes wrong. */
static const uint8_t edge_bytes[] = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF,
                                     0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE,
                                     0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xF8, 0xFE, 0xFF};

static uint8_t random_byte(void)
{
    return rnd(2) ? edge_bytes[rnd(sizeof edge_bytes)] : (uint8_t)rnd(256);
}

/* Appends the UTF-8 of a random code point, often near a range boundary;
 * surrogates (not encodable in valid UTF-8) are written as such, so they
 * must be rejected. */
static size_t random_char(uint8_t *out)
{
    static const uint32_t edges[] = {0x7F,    0x80,    0x7FF,   0x800,   0xFFF,    0x1000,
                                     0xD7FF,  0xD800,  0xDFFF,  0xE000,  0xFFFD,   0xFFFF,
                                     0x10000, 0x3FFFF, 0x40000, 0xFFFFF, 0x100000, 0x10FFFF};
    uint32_t cp;
    switch (rnd(5)) {
    case 0: cp = rnd(0x80); break;
    case 1: cp = edges[rnd(sizeof edges / sizeof *edges)]; break;
    case 2: cp = 0x3040 + rnd(0x6000); break; /* kana and CJK: 3 bytes */
    case 3: cp = 0x80 + rnd(0x780); break;
    default: cp = rnd(0x110000); break;
    }
    return tka_utf8_encode((int32_t)cp, out); /* surrogates too: the encoder does not check */
}

Test(utf8, validation_equals_reference_on_random_and_mutated_bytes)
{
    enum { CAP = 256, ROUNDS = 300000 };
    uint8_t buf[CAP];
    size_t n_valid = 0, n_invalid = 0;
    for (int round = 0; round < ROUNDS; round++) {
        size_t n = 0;
        switch (round % 4) {
        case 0: /* random bytes */
            for (size_t k = rnd(48); k > 0; k--)
                buf[n++] = random_byte();
            break;
        case 1: /* ASCII runs around the 8- and 16-byte blocks, one odd spot */
        case 2:
            for (size_t k = rnd(70); k > 0; k--)
                buf[n++] = (uint8_t)(' ' + rnd(95));
            n += random_char(buf + n);
            for (size_t k = rnd(40); k > 0; k--)
                buf[n++] = (uint8_t)(' ' + rnd(95));
            break;
        default: /* text of random characters */
            for (size_t k = rnd(30); k > 0; k--)
                n += random_char(buf + n);
            break;
        }
        /* mutations: overwrite, delete, insert, truncate */
        for (size_t k = rnd(4); k > 0 && n > 0; k--) {
            size_t at = rnd((uint32_t)n);
            switch (rnd(4)) {
            case 0: buf[at] = random_byte(); break;
            case 1: memmove(buf + at, buf + at + 1, n - at - 1), n--; break;
            case 2:
                memmove(buf + at + 1, buf + at, n - at), n++;
                buf[at] = random_byte();
                break;
            default: n = at; break;
            }
        }
        cr_assert_leq(n, (size_t)CAP);
        /* an exact-size copy: a read past the end shows under ASan */
        uint8_t *copy = malloc(n ? n : 1);
        cr_assert_not_null(copy);
        if (n)
            memcpy(copy, buf, n);
        size_t want = reference_bad_offset(copy, n), bad = (size_t)-1;
        bool ok = tka_utf8_valid((const char *)copy, n, &bad);
        if (ok != (want == n) || bad != want) {
            char hex[3 * CAP + 1];
            for (size_t k = 0; k < n; k++)
                snprintf(hex + 3 * k, 4, "%02X ", copy[k]);
            hex[3 * n] = '\0';
            cr_assert_fail("round %d: got %d at %zu, reference %d at %zu: %s", round, ok, bad,
                           want == n, want, hex);
        }
        cr_assert_eq(tka_utf8_valid((const char *)copy, n, NULL), ok);
        /* the counting variant: same verdict and offset, and the code points
         * before that offset (lead bytes of the well-formed prefix) */
        size_t chars = (size_t)-1, bad2 = (size_t)-1, want_chars = 0;
        for (size_t k = 0; k < want; k++)
            want_chars += (copy[k] & 0xC0) != 0x80;
        cr_assert_eq(tka_utf8_valid_count((const char *)copy, n, &bad2, &chars), ok);
        cr_assert_eq(bad2, want, "round %d: count variant's offset", round);
        cr_assert_eq(chars, want_chars, "round %d: %zu code points, reference %zu", round, chars,
                     want_chars);
        n_valid += ok;
        n_invalid += !ok;
        free(copy);
    }
    /* both outcomes well represented, or the test proves little */
    cr_assert_gt(n_valid, ROUNDS / 5);
    cr_assert_gt(n_invalid, ROUNDS / 5);
}

Test(utf8, replacement_uses_maximal_subparts)
{
    check_replace("a\xE2\x82"
                  "b",
                  4, "a" FFFD "b");
    check_replace("\xED\xA0\x80", 3, FFFD FFFD FFFD);
    check_replace("\xF0\x90\x80", 3, FFFD);
    check_replace("\xC0\xAF", 2, FFFD FFFD);
    check_replace("\xF5\x80", 2, FFFD FFFD);
    check_replace("\xE0\x80\x80", 3, FFFD FFFD FFFD);
    check_replace("\xF4\x90\x80\x80", 4, FFFD FFFD FFFD FFFD);
    check_replace("ok \xC3\xA9", 5, "ok \xC3\xA9");
    check_replace("\xE2\x82\n", 3, FFFD "\n");
    cr_assert_eq(tka_utf8_count("a\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x98\x80", 10), 4);
}

static void read_all_lines(const char *data, size_t len, const char **expected, size_t n)
{
    FILE *f = fmemopen((void *)data, len, "rb");
    cr_assert_not_null(f);
    tka_line_reader *r = tka_line_reader_new(f);
    const char *line;
    size_t line_len;
    tka_error err;
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(tka_line_reader_next(r, &line, &line_len, &err), TKA_OK, "line %zu", i);
        cr_assert_eq(line_len, strlen(expected[i]), "line %zu length", i);
        cr_assert(memcmp(line, expected[i], line_len) == 0, "line %zu content", i);
        cr_assert_eq(tka_line_reader_line_number(r), i + 1);
    }
    /* End of input is TKA_END, not an error: err is left as it was, and the
     * end stays the end. */
    err.status = TKA_ERR_ARGUMENT;
    err.message[0] = '\0';
    cr_assert_eq(tka_line_reader_next(r, &line, &line_len, &err), TKA_END);
    cr_assert_eq(tka_line_reader_next(r, &line, &line_len, &err), TKA_END);
    cr_assert_eq(err.status, TKA_ERR_ARGUMENT);
    cr_assert_str_empty(err.message);
    tka_line_reader_free(r);
    fclose(f);
}

/* Expected splits from Python: open(path, newline=None).read().split("\n")
 * minus the empty string after a final terminator. */
Test(lines, python_universal_newlines)
{
    const char *a[] = {"one", "two", "three"};
    read_all_lines("one\ntwo\r\nthree", 14, a, 3);
    const char *b[] = {"x", "", "y", ""};
    read_all_lines("x\r\ry\n\n", 6, b, 4);
    const char *c[] = {"a", "b"};
    read_all_lines("a\r\nb\r\n", 6, c, 2);
    const char *d[] = {""};
    read_all_lines("\r\n", 2, d, 1);
    read_all_lines("", 0, NULL, 0);
    const char *e[] = {"a\0b", "\xE2\x80\xA8u2028 stays"}; /* U+2028 is not a newline here */
    FILE *f = fmemopen((void *)"a\0b\n\xE2\x80\xA8u2028 stays", 18, "rb");
    tka_line_reader *r = tka_line_reader_new(f);
    const char *line;
    size_t len;
    cr_assert_eq(tka_line_reader_next(r, &line, &len, NULL), TKA_OK);
    cr_assert_eq(len, 3);
    cr_assert(memcmp(line, e[0], 3) == 0);
    cr_assert_eq(tka_line_reader_next(r, &line, &len, NULL), TKA_OK);
    cr_assert_eq(len, 14);
    cr_assert_eq(tka_line_reader_line_offset(r), 4);
    tka_line_reader_free(r);
    fclose(f);
}

Test(lines, crlf_split_across_read_chunks)
{
    /* A "\r" that ends one read chunk and a "\n" that starts the next must
     * still form a single line ending. */
    size_t n = (1 << 16) * 3;
    char *data = malloc(n);
    memset(data, 'x', n);
    data[(1 << 17) - 1] = '\r';
    data[1 << 17] = '\n';
    FILE *f = fmemopen(data, n, "rb");
    tka_line_reader *r = tka_line_reader_new(f);
    const char *line;
    size_t len;
    cr_assert_eq(tka_line_reader_next(r, &line, &len, NULL), TKA_OK);
    cr_assert_eq(len, (1u << 17) - 1);
    cr_assert_eq(tka_line_reader_next(r, &line, &len, NULL), TKA_OK);
    cr_assert_eq(len, n - (1u << 17) - 1);
    cr_assert_eq(tka_line_reader_line_offset(r), (1u << 17) + 1);
    cr_assert_eq(tka_line_reader_next(r, &line, &len, NULL), TKA_END);
    tka_line_reader_free(r);
    fclose(f);
    free(data);
}

Test(lines, read_error_is_not_the_end)
{
    /* A stream that cannot be read (write-only) fails with TKA_ERR_IO: an
     * error must never look like an empty input. */
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    FILE *f = fdopen(fds[1], "w");
    cr_assert_not_null(f);
    tka_line_reader *r = tka_line_reader_new(f);
    const char *line;
    size_t len;
    tka_error err;
    cr_assert_eq(tka_line_reader_next(r, &line, &len, &err), TKA_ERR_IO);
    cr_assert_eq(err.status, TKA_ERR_IO);
    cr_assert(strstr(err.message, "read error") != NULL, "%s", err.message);
    cr_assert_eq(tka_line_reader_next(r, &line, &len, NULL), TKA_ERR_IO);
    tka_line_reader_free(r);
    fclose(f);
    close(fds[0]);
}

Test(sha256, nist_vectors)
{
    char hex[65];
    tka_sha256_hex("abc", 3, hex);
    cr_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    tka_sha256_hex("", 0, hex);
    cr_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const char *two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    tka_sha256_hex(two_blocks, strlen(two_blocks), hex);
    cr_assert_str_eq(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    /* one million 'a', fed in uneven pieces */
    tka_sha256 ctx;
    tka_sha256_init(&ctx);
    char chunk[997];
    memset(chunk, 'a', sizeof chunk);
    size_t left = 1000000;
    while (left) {
        size_t take = left < sizeof chunk ? left : sizeof chunk;
        tka_sha256_update(&ctx, chunk, take);
        left -= take;
    }
    uint8_t d[32];
    tka_sha256_final(&ctx, d);
    cr_assert_eq(d[0], 0xcd);
    cr_assert_eq(d[1], 0xc7);
    cr_assert_eq(d[31], 0xd0);
}

Test(json_write, python_json_dumps_escaping)
{
    tka_buf b = {0};
    cr_assert_eq(tka_json_append_string(&b, "a\"b\\c\n\t\x01\x7f\xC3\xA9", 11), TKA_OK);
    cr_assert_str_eq(b.data, "\"a\\\"b\\\\c\\n\\t\\u0001\x7f\xC3\xA9\"");
    b.len = 0;
    int32_t ids[] = {101, -1, 2147483647};
    cr_assert_eq(tka_json_append_int32_array(&b, ids, 3), TKA_OK);
    cr_assert_str_eq(b.data, "[101, -1, 2147483647]");
    b.len = 0;
    tka_json_append_int(&b, INT64_MIN);
    cr_assert_str_eq(b.data, "-9223372036854775808");
    tka_buf_free(&b);
}
