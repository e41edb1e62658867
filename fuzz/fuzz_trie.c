/* libFuzzer target: the double-array trie (src/tokenize/trie.c) on arbitrary key sets.
 * Byte 0 picks the duplicate rule; then each key is a length byte and that many bytes. Any
 * input builds (or, with duplicates refused, fails cleanly) and every lookup agrees with a
 * naive scan of the keys: exact find and longest match of every key, of every key's prefix
 * and of the key extended by the next key's bytes (abort on any difference). */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tokenize/trie.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_KEYS 512

static int32_t naive_find(const tka_trie_key *keys, size_t n, const char *s, size_t len)
{
    for (size_t i = n; i-- > 0;)
        if (keys[i].len == len && (len == 0 || memcmp(keys[i].data, s, len) == 0))
            return keys[i].value;
    return -1;
}

static void probe(const tka_trie *t, const tka_trie_key *keys, size_t n, const char *s, size_t len)
{
    if (tka_trie_find(t, s, len) != naive_find(keys, n, s, len))
        abort();
    int32_t want = -1;
    size_t want_len = 0;
    for (size_t k = 1; k <= len; k++) {
        int32_t v = naive_find(keys, n, s, k);
        if (v >= 0)
            want = v, want_len = k;
    }
    size_t match;
    if (tka_trie_longest(t, TKA_TRIE_ROOT, s, len, &match) != want || match != want_len)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    tka_trie_dups dups = data[0] & 1 ? TKA_TRIE_DUPS_LAST : TKA_TRIE_DUPS_ERROR;
    static tka_trie_key keys[MAX_KEYS];
    size_t n = 0;
    bool dup = false;
    for (size_t at = 1; at < size && n < MAX_KEYS;) {
        size_t len = data[at++];
        if (len > size - at)
            len = size - at;
        keys[n] = (tka_trie_key){(const char *)data + at, len, (int32_t)n};
        dup = dup || naive_find(keys, n, keys[n].data, len) >= 0;
        n++;
        at += len;
    }
    tka_trie t;
    tka_error err;
    tka_status st = tka_trie_build(&t, keys, n, dups, "key", &err);
    if (dups == TKA_TRIE_DUPS_ERROR && dup) {
        if (st != TKA_ERR_FORMAT || t.nodes || !strstr(err.message, "is defined twice"))
            abort();
        return 0;
    }
    if (st != TKA_OK)
        abort();
    for (size_t i = 0; i < t.size; i++)
        if (t.nodes[i].check != -1 && (size_t)t.nodes[i].base + 255 >= t.size)
            abort();
    char buf[512];
    for (size_t i = 0; i < n; i++) {
        probe(&t, keys, n, keys[i].data, keys[i].len);
        size_t a = keys[i].len, b = keys[(i + 1) % n].len;
        memcpy(buf, keys[i].data, a);
        memcpy(buf + a, keys[(i + 1) % n].data, b);
        probe(&t, keys, n, buf, a + b);
    }
    tka_trie_free(&t);
    return 0;
}
