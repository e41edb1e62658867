/* tokenizer.json WordPiece and WordLevel models: greedy longest match over the vocabulary
 * trie, and whole-word lookup. */
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "tokalign/text.h"
#include "tokenize/tj_model_impl.h"

static tka_status required_string(const json_t *j, const char *key, const char *path,
                                  const char *model, char **out, size_t *len, tka_error *err)
{
    const json_t *v = json_object_get(j, key);
    if (!json_is_string(v))
        return tka_error_set(err, TKA_ERR_FORMAT, "%s: model.%s: %s needs a string here", path, key,
                             model);
    return tj_json_opt_string(j, key, path, out, len, err);
}

tka_status tj_wordpiece_load(tj_model *m, const json_t *j, const char *path, tka_error *err)
{
    tj_wordpiece *wp = &m->u.wp;
    tka_status st;
    if ((st = required_string(j, "unk_token", path, "WordPiece", &wp->unk_token, &wp->unk_len,
                              err)) ||
        (st = required_string(j, "continuing_subword_prefix", path, "WordPiece", &wp->prefix,
                              &wp->prefix_len, err)))
        return st;
    const json_t *mx = json_object_get(j, "max_input_chars_per_word");
    if (!json_is_integer(mx) || json_integer_value(mx) < 0)
        return tka_error_set(err, TKA_ERR_FORMAT,
                             "%s: model.max_input_chars_per_word: expected a count", path);
    wp->max_chars = (size_t)json_integer_value(mx);
    if ((st = tj_vocab_from_object(&m->vocab, json_object_get(j, "vocab"), path, "model.vocab",
                                   err)))
        return st;
    wp->prefix_node = tka_trie_walk(&m->vocab.trie, TKA_TRIE_ROOT, wp->prefix, wp->prefix_len);
    return TKA_OK;
}

void tj_wordpiece_free(tj_wordpiece *wp)
{
    free(wp->unk_token);
    free(wp->prefix);
}

static tka_status one_token(tj_pieces *out, int32_t id, size_t len, tka_error *err)
{
    tka_status st = tj_pieces_reserve(out, 1, err);
    if (st == TKA_OK)
        out->items[out->count++] = (tj_piece){id, 0, (uint32_t)len};
    return st;
}

static tka_status unk(const tj_model *m, const char *tok, size_t tok_len, size_t len,
                      tj_pieces *out, tka_error *err)
{
    int32_t id = tj_vocab_find(&m->vocab, tok, tok_len);
    if (id < 0)
        return tka_error_set(err, TKA_ERR_REFERENCE,
                             "unk_token \"%.64s\" is not in the vocabulary (the Rust tokenizer "
                             "raises MissingUnkToken)",
                             tok);
    return one_token(out, id, len, err);
}

tka_status tj_wordpiece_tokenize(const tj_model *m, tj_work *w, const char *word, size_t len,
                                 tj_pieces *out, tka_error *err)
{
    (void)w;
    const tj_wordpiece *wp = &m->u.wp;
    const tka_trie *d = &m->vocab.trie;
    /* COMPAT: Rust counts chars (code points) against max_input_chars_per_word. */
    if (tka_utf8_count(word, len) > wp->max_chars)
        return unk(m, wp->unk_token, wp->unk_len, len, out, err);
    size_t first = out->count;
    for (size_t start = 0; start < len;) {
        /* The longest vocabulary token (with the prefix after the first piece) matching the
         * word from `start`: Rust shortens the candidate one char at a time from the end, so
         * the first hit is the longest; a trie walk finds the same one in one pass. */
        int32_t node = start == 0 ? TKA_TRIE_ROOT : wp->prefix_node;
        size_t match = 0;
        int32_t best =
            node >= 0 ? tka_trie_longest(d, node, word + start, len - start, &match) : -1;
        size_t best_end = start + match;
        if (best < 0) {
            out->count = first;
            return unk(m, wp->unk_token, wp->unk_len, len, out, err);
        }
        tka_status st = tj_pieces_reserve(out, 1, err);
        if (st)
            return st;
        out->items[out->count++] = (tj_piece){best, (uint32_t)start, (uint32_t)best_end};
        start = best_end;
    }
    return TKA_OK;
}

tka_status tj_wordlevel_load(tj_model *m, const json_t *j, const char *path, tka_error *err)
{
    tj_wordlevel *wl = &m->u.wl;
    tka_status st =
        required_string(j, "unk_token", path, "WordLevel", &wl->unk_token, &wl->unk_len, err);
    if (st)
        return st;
    return tj_vocab_from_object(&m->vocab, json_object_get(j, "vocab"), path, "model.vocab", err);
}

void tj_wordlevel_free(tj_wordlevel *wl)
{
    free(wl->unk_token);
}

tka_status tj_wordlevel_tokenize(const tj_model *m, const char *word, size_t len, tj_pieces *out,
                                 tka_error *err)
{
    int32_t id = tj_vocab_find(&m->vocab, word, len);
    if (id >= 0)
        return one_token(out, id, len, err);
    return unk(m, m->u.wl.unk_token, m->u.wl.unk_len, len, out, err);
}
