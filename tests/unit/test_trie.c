/* Unit tests of the double-array trie (src/tokenize/trie.c) against a naive list of keys:
 * exact lookup, longest match, common-prefix search, duplicates, the empty key, any bytes. */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "tokenize/trie.h"

/* The naive reference: the value of the last key equal to s[0..len), or -1. */
static int32_t naive_find(const tka_trie_key *keys, size_t n, const char *s, size_t len)
{
    for (size_t i = n; i-- > 0;)
        if (keys[i].len == len && (len == 0 || memcmp(keys[i].data, s, len) == 0))
            return keys[i].value;
    return -1;
}

/* Every node's children stay inside the array, so walks need no bounds check. */
static void check_shape(const tka_trie *t)
{
    cr_assert_not_null(t->nodes);
    cr_assert_eq(t->nodes[0].check, -2, "the root is node 0");
    for (size_t i = 0; i < t->size; i++)
        if (t->nodes[i].check != -1)
            cr_assert_lt((size_t)t->nodes[i].base + 255, t->size, "node %zu's children", i);
}

/* Every lookup the tokenizers make, on s[0..len), against the naive list. */
static void check_probe(const tka_trie *t, const tka_trie_key *keys, size_t n, const char *s,
                        size_t len)
{
    cr_assert_eq(tka_trie_find(t, s, len), naive_find(keys, n, s, len), "find \"%.*s\" (%zu)",
                 (int)len, s, len);
    /* longest non-empty key that is a prefix, and every such key (common-prefix search) */
    int32_t want = -1;
    size_t want_len = 0;
    int32_t node = TKA_TRIE_ROOT;
    for (size_t k = 1; k <= len; k++) {
        int32_t v = naive_find(keys, n, s, k);
        if (v >= 0)
            want = v, want_len = k;
        if (node >= 0)
            node = tka_trie_child(t, node, (uint8_t)s[k - 1]);
        int32_t got = node >= 0 ? tka_trie_value(t, node) : -1;
        cr_assert_eq(got, v, "prefix %zu of \"%.*s\"", k, (int)len, s);
        cr_assert_eq(node >= 0 ? node : -1, tka_trie_walk(t, TKA_TRIE_ROOT, s, k));
    }
    size_t match = 99;
    cr_assert_eq(tka_trie_longest(t, TKA_TRIE_ROOT, s, len, &match), want);
    cr_assert_eq(match, want_len);
}

Test(trie, exact_lookup_and_last_wins)
{
    tka_trie_key keys[] = {{"b", 1, 10},   {"abc", 3, 11}, {"ab", 2, 12},          {"", 0, 13},
                           {"abd", 3, 14}, {"ab", 2, 15},  {"\xe4\xb8\xad", 3, 16}};
    tka_trie t;
    tka_error err;
    cr_assert_eq(tka_trie_build(&t, keys, 7, TKA_TRIE_DUPS_LAST, "token", &err), TKA_OK);
    check_shape(&t);
    cr_assert_eq(tka_trie_find(&t, "b", 1), 10);
    cr_assert_eq(tka_trie_find(&t, "abc", 3), 11);
    cr_assert_eq(tka_trie_find(&t, "ab", 2), 15, "a repeated key keeps the last value");
    cr_assert_eq(tka_trie_find(&t, "", 0), 13, "the empty key is the root");
    cr_assert_eq(tka_trie_find(&t, "abd", 3), 14);
    cr_assert_eq(tka_trie_find(&t, "\xe4\xb8\xad", 3), 16);
    cr_assert_eq(tka_trie_find(&t, "a", 1), -1);
    cr_assert_eq(tka_trie_find(&t, "abcd", 4), -1);
    cr_assert_eq(tka_trie_find(&t, "c", 1), -1);
    size_t match;
    cr_assert_eq(tka_trie_longest(&t, TKA_TRIE_ROOT, "abcz", 4, &match), 11);
    cr_assert_eq(match, 3);
    cr_assert_eq(tka_trie_longest(&t, TKA_TRIE_ROOT, "abz", 3, &match), 15);
    cr_assert_eq(match, 2);
    cr_assert_eq(tka_trie_longest(&t, TKA_TRIE_ROOT, "zz", 2, &match), -1,
                 "the empty key is not a match");
    cr_assert_eq(match, 0);
    int32_t a = tka_trie_walk(&t, TKA_TRIE_ROOT, "a", 1);
    cr_assert_geq(a, 0);
    cr_assert_eq(tka_trie_longest(&t, a, "bdx", 3, &match), 14, "a walk resumed from a node");
    cr_assert_eq(match, 2);
    tka_trie_free(&t);
    tka_trie_free(&t); /* idempotent */
    tka_trie_free(NULL);
    cr_assert_eq(tka_trie_find(&t, "b", 1), -1, "a freed trie finds nothing");
}

Test(trie, duplicates_rejected)
{
    tka_trie_key keys[] = {{"ab", 2, 0}, {"a", 1, 1}, {"abc", 3, 2}, {"ab", 2, 3}, {"b", 1, 4}};
    tka_trie t;
    tka_error err;
    cr_assert_eq(tka_trie_build(&t, keys, 5, TKA_TRIE_DUPS_ERROR, "piece", &err), TKA_ERR_FORMAT);
    cr_assert_str_eq(err.message, "piece \"ab\" is defined twice");
    cr_assert_null(t.nodes, "nothing is left behind");
    tka_trie_free(&t);
    /* the empty key twice, and a duplicate among binary keys */
    tka_trie_key empty[] = {{"", 0, 0}, {"x", 1, 1}, {"", 0, 2}};
    cr_assert_eq(tka_trie_build(&t, empty, 3, TKA_TRIE_DUPS_ERROR, "piece", &err), TKA_ERR_FORMAT);
    cr_assert_str_eq(err.message, "piece \"\" is defined twice");
    tka_trie_key bin[] = {{"\x00\xff", 2, 0}, {"\x00", 1, 1}, {"\x00\xff", 2, 2}};
    cr_assert_eq(tka_trie_build(&t, bin, 3, TKA_TRIE_DUPS_ERROR, "piece", &err), TKA_ERR_FORMAT);
    /* distinct keys that are prefixes of one another are not duplicates */
    tka_trie_key ok[] = {{"a", 1, 0}, {"ab", 2, 1}, {"abc", 3, 2}, {"", 0, 3}};
    cr_assert_eq(tka_trie_build(&t, ok, 4, TKA_TRIE_DUPS_ERROR, "piece", &err), TKA_OK);
    for (size_t i = 0; i < 4; i++)
        cr_assert_eq(tka_trie_find(&t, ok[i].data, ok[i].len), ok[i].value);
    tka_trie_free(&t);
}

Test(trie, empty_sets_and_bad_values)
{
    tka_trie t;
    tka_error err;
    cr_assert_eq(tka_trie_build(&t, NULL, 0, TKA_TRIE_DUPS_ERROR, "piece", &err), TKA_OK);
    check_shape(&t);
    cr_assert_eq(tka_trie_find(&t, "", 0), -1);
    cr_assert_eq(tka_trie_find(&t, "\0", 1), -1);
    for (int c = 0; c < 256; c++)
        cr_assert_eq(tka_trie_child(&t, TKA_TRIE_ROOT, (uint8_t)c), -1);
    tka_trie_free(&t);
    tka_trie_key only_empty[] = {{"", 0, 7}};
    cr_assert_eq(tka_trie_build(&t, only_empty, 1, TKA_TRIE_DUPS_ERROR, "piece", &err), TKA_OK);
    cr_assert_eq(tka_trie_find(&t, "", 0), 7);
    cr_assert_eq(tka_trie_find(&t, "a", 1), -1);
    tka_trie_free(&t);
    tka_trie_key neg[] = {{"a", 1, 0}, {"b", 1, -1}};
    cr_assert_eq(tka_trie_build(&t, neg, 2, TKA_TRIE_DUPS_LAST, "token", &err), TKA_ERR_ARGUMENT);
    cr_assert_null(t.nodes);
}

Test(trie, every_byte_value)
{
    /* one-byte keys 0x00..0xFF, two-byte keys c 0xFF and 0x80 c: the full sibling range */
    static char store[3][256][2];
    tka_trie_key keys[3 * 256];
    size_t n = 0;
    for (int c = 0; c < 256; c++) {
        store[0][c][0] = (char)c;
        keys[n++] = (tka_trie_key){store[0][c], 1, (int32_t)n};
        store[1][c][0] = (char)c, store[1][c][1] = (char)0xff;
        keys[n++] = (tka_trie_key){store[1][c], 2, (int32_t)n};
        store[2][c][0] = (char)0x80, store[2][c][1] = (char)c;
        if (c != 0xff) /* 0x80 0xFF is already listed */
            keys[n++] = (tka_trie_key){store[2][c], 2, (int32_t)n};
    }
    tka_trie t;
    tka_error err;
    cr_assert_eq(tka_trie_build(&t, keys, n, TKA_TRIE_DUPS_ERROR, "piece", &err), TKA_OK, "%s",
                 err.message);
    check_shape(&t);
    for (size_t i = 0; i < n; i++)
        check_probe(&t, keys, n, keys[i].data, keys[i].len);
    check_probe(&t, keys, n, "\xff\xff\xff", 3);
    check_probe(&t, keys, n, "\x80\x80\x80", 3);
    tka_trie_free(&t);
}

/* xorshift64*: the same key sets on every run */
static uint64_t rng_state = 0x9e3779b97f4a7c15u;
static uint32_t rnd(uint32_t bound)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 2685821657736338717u) >> 33) % bound;
}

/* A random string over an alphabet of `alpha` bytes (low ASCII, or high bytes 0x80-0xFF so
 * multi-byte UTF-8 lead and continuation bytes occur). */
static size_t random_string(char *out, size_t max_len, uint32_t alpha, bool high)
{
    size_t len = rnd((uint32_t)max_len + 1);
    for (size_t i = 0; i < len; i++)
        out[i] = (char)(high ? 0x80 + rnd(alpha) * (128 / alpha) : 'a' + rnd(alpha));
    return len;
}

Test(trie, random_sets_against_a_naive_map)
{
    enum { MAX_KEYS = 300, MAX_LEN = 12 };
    static char store[MAX_KEYS][MAX_LEN];
    static tka_trie_key keys[MAX_KEYS];
    for (int round = 0; round < 120; round++) {
        size_t n = rnd(MAX_KEYS + 1);
        uint32_t alpha = 2 + rnd(round % 3 == 0 ? 3 : 60); /* small: long shared prefixes */
        bool high = round % 2;
        tka_trie_dups dups = round % 4 < 2 ? TKA_TRIE_DUPS_LAST : TKA_TRIE_DUPS_ERROR;
        for (size_t i = 0; i < n; i++) {
            size_t len = random_string(store[i], MAX_LEN, alpha, high);
            keys[i] = (tka_trie_key){store[i], len, (int32_t)rnd(1000000)};
        }
        bool has_dup = false;
        for (size_t i = 0; i < n && !has_dup; i++)
            for (size_t j = i + 1; j < n && !has_dup; j++)
                has_dup = keys[i].len == keys[j].len &&
                          memcmp(keys[i].data, keys[j].data, keys[i].len) == 0;
        tka_trie t;
        tka_error err;
        tka_status st = tka_trie_build(&t, keys, n, dups, "key", &err);
        if (dups == TKA_TRIE_DUPS_ERROR && has_dup) {
            cr_assert_eq(st, TKA_ERR_FORMAT, "round %d", round);
            cr_assert_null(t.nodes);
            continue;
        }
        cr_assert_eq(st, TKA_OK, "round %d: %s", round, err.message);
        check_shape(&t);
        for (size_t i = 0; i < n; i++) {
            check_probe(&t, keys, n, keys[i].data, keys[i].len);
            char probe[2 * MAX_LEN];
            memcpy(probe, keys[i].data, keys[i].len); /* a key extended by random bytes */
            size_t extra = random_string(probe + keys[i].len, MAX_LEN, alpha, high);
            check_probe(&t, keys, n, probe, keys[i].len + extra);
        }
        for (int k = 0; k < 50; k++) {
            char probe[MAX_LEN];
            size_t len = random_string(probe, MAX_LEN, alpha, high);
            check_probe(&t, keys, n, probe, len);
        }
        tka_trie_free(&t);
    }
}

Test(trie, large_vocabulary)
{
    /* 400k distinct keys (a tokenizer.json vocabulary is at most a few 100k): every one found,
     * with a density that keeps the array within a small factor of the node count */
    enum { N = 400000 };
    char *store = malloc((size_t)N * 16);
    tka_trie_key *keys = malloc(N * sizeof *keys);
    cr_assert(store && keys);
    size_t nodes_upper = 1; /* total key bytes + the root bounds the node count */
    for (size_t i = 0; i < N; i++) {
        /* the index in base 37 (distinct), then random bytes of any value */
        char *s = store + i * 16;
        size_t len = 0;
        for (size_t v = i; v; v /= 37)
            s[len++] = (char)(0x40 + v % 37);
        size_t extra = rnd(6);
        s[len++] = (char)0xff; /* keeps "index" + "extra" distinct from a longer index */
        for (size_t k = 0; k < extra; k++)
            s[len++] = (char)rnd(256);
        keys[i] = (tka_trie_key){s, len, (int32_t)(N - i)};
        nodes_upper += len;
    }
    tka_trie t;
    tka_error err;
    cr_assert_eq(tka_trie_build(&t, keys, N, TKA_TRIE_DUPS_ERROR, "token", &err), TKA_OK, "%s",
                 err.message);
    check_shape(&t);
    cr_assert_lt(t.size, 2 * nodes_upper + 512, "size %zu for at most %zu nodes", t.size,
                 nodes_upper);
    for (size_t i = 0; i < N; i++)
        cr_assert_eq(tka_trie_find(&t, keys[i].data, keys[i].len), (int32_t)(N - i));
    cr_assert_eq(tka_trie_find(&t, "\x41", 1), -1);
    tka_trie_free(&t);
    free(keys);
    free(store);
}
