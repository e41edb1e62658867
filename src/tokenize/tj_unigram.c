/* tokenizer.json Unigram model: Viterbi over the vocabulary trie as Rust's
 * Unigram::encode_optimized, consecutive unknowns fused, byte fallback. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "tokenize/tj_model_impl.h"

#define UNK_PENALTY 10.0

tka_status tj_unigram_load(tj_model *m, const json_t *j, const char *path, tka_error *err)
{
    tj_unigram *u = &m->u.uni;
    const json_t *vocab = json_object_get(j, "vocab");
    if (!json_is_array(vocab))
        return tka_error_set(err, TKA_ERR_FORMAT,
                             "%s: model.vocab: Unigram needs a list of [piece, score]", path);
    tka_status st = tj_json_opt_bool(j, "byte_fallback", path, false, &u->byte_fallback, err);
    if (st)
        return st;
    size_t n = json_array_size(vocab);
    const json_t *unk = json_object_get(j, "unk_id");
    u->unk_id = -1;
    if (unk && !json_is_null(unk)) {
        if (!json_is_integer(unk) || json_integer_value(unk) < 0)
            return tka_error_set(err, TKA_ERR_FORMAT, "%s: model.unk_id: expected an id or null",
                                 path);
        if (n == 0)
            return tka_error_set(err, TKA_ERR_FORMAT,
                                 "%s: model.vocab: the vocabulary is empty but at least <unk> "
                                 "is needed",
                                 path);
        if ((size_t)json_integer_value(unk) >= n)
            return tka_error_set(err, TKA_ERR_FORMAT,
                                 "%s: model.unk_id: %lld is not below the vocabulary size %zu",
                                 path, (long long)json_integer_value(unk), n);
        u->unk_id = (int32_t)json_integer_value(unk);
    }
    if (n >= (size_t)INT32_MAX)
        return tka_error_set(err, TKA_ERR_LIMIT, "%s: model.vocab: too many pieces", path);
    const char **toks = malloc((n ? n : 1) * sizeof *toks);
    uint32_t *lens = malloc((n ? n : 1) * sizeof *lens);
    int32_t *ids = malloc((n ? n : 1) * sizeof *ids);
    u->score = malloc((n ? n : 1) * sizeof *u->score);
    if (!toks || !lens || !ids || !u->score) {
        st = tka_error_set(err, TKA_ERR_NOMEM, "out of memory reading %s", path);
        goto done;
    }
    u->min_score = INFINITY;
    for (size_t i = 0; i < n; i++) {
        const json_t *e = json_array_get(vocab, i);
        const json_t *p = json_array_get(e, 0), *s = json_array_get(e, 1);
        if (!json_is_array(e) || json_array_size(e) != 2 || !json_is_string(p) ||
            !json_is_number(s)) {
            st = tka_error_set(err, TKA_ERR_FORMAT, "%s: model.vocab[%zu]: expected [piece, score]",
                               path, i);
            goto done;
        }
        if (json_string_length(p) >= UINT32_MAX) {
            st = tka_error_set(err, TKA_ERR_LIMIT, "%s: model.vocab[%zu]: piece too long", path, i);
            goto done;
        }
        toks[i] = json_string_value(p);
        lens[i] = (uint32_t)json_string_length(p);
        ids[i] = (int32_t)i;
        u->score[i] = json_number_value(s);
        if (u->score[i] < u->min_score)
            u->min_score = u->score[i];
    }
    /* COMPAT: token_to_ids is filled in list order, so a piece listed twice maps to its last
     * id; the trie (last key wins) gives the same. */
    if ((st = tj_vocab_build(&m->vocab, toks, lens, ids, n, err))) {
        tka_error_prefix(err, "%s: model.vocab: ", path);
        goto done;
    }
    for (int c = 0; c < 256; c++) {
        char code[8];
        snprintf(code, sizeof code, "<0x%02X>", c);
        u->byte_id[c] = tj_vocab_find(&m->vocab, code, 6);
    }
done:
    free(toks);
    free(lens);
    free(ids);
    return st;
}

void tj_unigram_free(tj_unigram *u)
{
    free(u->score);
}

typedef struct best_node {
    double score;  /* best path score ending here */
    int32_t start; /* start of its last piece, -1 while unreached */
    int32_t id;
} best_node;

typedef struct span {
    uint32_t start, end;
    int32_t id;
} span;

static const char missing_unk[] = "an unknown character with no unk_id (the Rust tokenizer "
                                  "raises MissingUnkId)";

/* Appends the pieces of one final string word[start, end) whose lattice id was `id`
 * (fused is true for a run of unknowns): Model::tokenize looks the string up again. */
static tka_status emit(const tj_model *m, const char *word, uint32_t start, uint32_t end,
                       int32_t id, bool fused, tj_pieces *out, tka_error *err)
{
    const tj_unigram *u = &m->u.uni;
    if (fused)
        id = tj_vocab_find(&m->vocab, word + start, end - start);
    tka_status st;
    if (id < 0 && u->byte_fallback) {
        bool all = true;
        for (uint32_t k = start; k < end && all; k++)
            all = u->byte_id[(uint8_t)word[k]] >= 0;
        if (all) {
            if ((st = tj_pieces_reserve(out, end - start, err)))
                return st;
            /* COMPAT: every byte token carries the offsets of the whole string. */
            for (uint32_t k = start; k < end; k++)
                out->items[out->count++] = (tj_piece){u->byte_id[(uint8_t)word[k]], start, end};
            return TKA_OK;
        }
    }
    if (id < 0)
        id = u->unk_id;
    if (id < 0)
        return tka_error_set(err, TKA_ERR_REFERENCE, "%s", missing_unk);
    if ((st = tj_pieces_reserve(out, 1, err)))
        return st;
    out->items[out->count++] = (tj_piece){id, start, end};
    return TKA_OK;
}

tka_status tj_unigram_tokenize(const tj_model *m, tj_work *w, const char *word, size_t len,
                               tj_pieces *out, tka_error *err)
{
    const tj_unigram *u = &m->u.uni;
    const tka_trie *d = &m->vocab.trie;
    if (len == 0)
        return TKA_OK;
    tj_cache_slot *slot;
    uint64_t h = 0;
    tka_status cst;
    if (tj_cache_find(m, w, word, len, out, &slot, &h, &cst, err))
        return cst;
    size_t first = out->count;
    best_node *best = tj_work_get(w, 0, (len + 1) * sizeof *best);
    span *spans = tj_work_get(w, 1, len * sizeof *spans);
    if (!best || !spans)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory for a word of %zu bytes", len);
    for (size_t i = 0; i <= len; i++)
        best[i] = (best_node){0.0, -1, 0};
    const double unk_score = u->min_score - UNK_PENALTY;
    const uint8_t *s = (const uint8_t *)word;
    for (size_t at = 0; at < len;) {
        size_t mblen = tka_utf8_seq_len(s[at]);
        if (mblen > len - at)
            mblen = len - at;
        double here = best[at].score;
        bool single = false;
        int32_t node = 0;
        for (size_t k = at; k < len; k++) {
            node = tka_trie_child(d, node, s[k]);
            if (node < 0)
                break;
            int32_t id = tka_trie_value(d, node);
            if (id < 0)
                continue;
            best_node *t = &best[k + 1];
            double cand = u->score[id] + here;
            if (t->start < 0 || cand > t->score)
                *t = (best_node){cand, (int32_t)at, id};
            if (k + 1 - at == mblen)
                single = true;
        }
        if (!single) {
            best_node *t = &best[at + mblen];
            double cand = unk_score + here;
            if (t->start < 0 || cand > t->score) {
                if (u->unk_id < 0)
                    return tka_error_set(err, TKA_ERR_REFERENCE, "%s", missing_unk);
                *t = (best_node){cand, (int32_t)at, u->unk_id};
            }
        }
        at += mblen;
    }
    /* Backtrack, then emit left to right, fusing runs of unk_id. */
    size_t n = 0;
    for (size_t end = len; end > 0;) {
        const best_node *b = &best[end];
        spans[n++] = (span){(uint32_t)b->start, (uint32_t)end, b->id};
        end = (size_t)b->start;
    }
    for (size_t i = n; i > 0;) {
        span sp = spans[--i];
        bool fused = u->unk_id >= 0 && sp.id == u->unk_id;
        if (fused)
            while (i > 0 && spans[i - 1].id == u->unk_id)
                sp.end = spans[--i].end;
        tka_status st = emit(m, word, sp.start, sp.end, sp.id, fused, out, err);
        if (st)
            return st;
    }
    tj_cache_store(slot, h, word, len, out, first);
    return TKA_OK;
}
