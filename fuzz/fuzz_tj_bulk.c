/* libFuzzer target: tj_bulk_scan (the scanner of a BPE tokenizer.json's vocab and merges)
 * against jansson (JSON_REJECT_DUPLICATES). Whenever the scan accepts a buffer, jansson
 * must accept the spliced copy exactly when it accepts the buffer, and then read it as the
 * same document with {} and [] in place of the sections; the scanned vocab (in order) and
 * merges must equal jansson's values and every token must find its id in the built
 * vocabulary. Any difference aborts. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tokenize/tj_bulk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same(const json_t *j, tj_bulk_str s)
{
    if (!json_is_string(j) || json_string_length(j) != s.len ||
        memcmp(json_string_value(j), s.s, s.len) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tj_bulk b;
    bool scanned = tj_bulk_scan((const char *)data, size, &b);
    json_error_t je;
    json_t *root = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &je);
    if (!scanned) {
        json_decref(root);
        return 0;
    }
    size_t n = 0;
    char *spliced = tj_bulk_splice((const char *)data, size, &b, &n);
    if (!spliced)
        abort();
    json_t *rest = json_loadb(spliced, n, JSON_REJECT_DUPLICATES, &je);
    free(spliced);
    if (!root != !rest)
        abort(); /* the rest of the file judged differently */
    if (!root) {
        tj_bulk_free(&b);
        return 0;
    }
    json_t *model = json_object_get(root, "model");
    json_t *vocab = json_object_get(model, "vocab"), *merges = json_object_get(model, "merges");
    const char *type = json_string_value(json_object_get(model, "type"));
    if (!type || strcmp(type, "BPE") || !json_is_object(vocab) || !json_is_array(merges) ||
        json_object_size(vocab) != b.n_vocab || json_array_size(merges) != b.n_merges)
        abort();
    size_t i = 0;
    for (void *it = json_object_iter(vocab); it; it = json_object_iter_next(vocab, it), i++) {
        json_t *v = json_object_iter_value(it);
        if (json_object_iter_key_len(it) != b.vocab_len[i] ||
            memcmp(json_object_iter_key(it), b.vocab_tok[i], b.vocab_len[i]) != 0 ||
            !json_is_integer(v) || json_integer_value(v) != b.vocab_id[i] ||
            tj_vocab_find(&b.vocab, b.vocab_tok[i], b.vocab_len[i]) != b.vocab_id[i])
            abort();
    }
    for (i = 0; i < b.n_merges; i++) {
        json_t *e = json_array_get(merges, i);
        if (!b.merge_pairs) {
            same(e, b.merges[i]);
            continue;
        }
        if (!json_is_array(e) || json_array_size(e) != 2)
            abort();
        same(json_array_get(e, 0), b.merges[2 * i]);
        same(json_array_get(e, 1), b.merges[2 * i + 1]);
    }
    json_object_set_new(model, "vocab", json_object());
    json_object_set_new(model, "merges", json_array());
    if (!json_equal(root, rest))
        abort();
    json_decref(rest);
    json_decref(root);
    tj_bulk_free(&b);
    return 0;
}
