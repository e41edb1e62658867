/* tokenizer.json as a backend of the generic tka_tokenizer handle: tokenize, encode,
 * decode and vocabulary queries over a compiled tj_tokenizer. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "tokenize/backend.h"
#include "tokenize/tj_added.h"
#include "tokenize/tj_model.h"
#include "tokenize/tj_tokenizer.h"

const tj_model *tj_tokenizer_model(const tj_tokenizer *t);
const tj_added *tj_tokenizer_added(const tj_tokenizer *t);

/* An encoding buffer; the handle is shared by threads, so buffers are pooled (no
 * thread-local storage that would outlive its thread). */
typedef struct enc_node {
    struct enc_node *next;
    tj_enc e;
    tj_ovf ovf;
} enc_node;

typedef struct tjb {
    tj_tokenizer *t;
    int32_t special[TKA_SPECIAL_COUNT];
    pthread_mutex_t mu;
    enc_node *pool;
} tjb;

static void b_free(void *m)
{
    tjb *b = m;
    while (b->pool) {
        enc_node *n = b->pool->next;
        tj_enc_free(&b->pool->e);
        tj_ovf_free(&b->pool->ovf);
        free(b->pool);
        b->pool = n;
    }
    pthread_mutex_destroy(&b->mu);
    tj_tokenizer_free(b->t);
    free(b);
}

static enc_node *enc_get(const tjb *cb)
{
    tjb *b = (tjb *)cb;
    pthread_mutex_lock(&b->mu);
    enc_node *n = b->pool;
    if (n)
        b->pool = n->next;
    pthread_mutex_unlock(&b->mu);
    return n ? n : calloc(1, sizeof *n);
}

static void enc_put(const tjb *cb, enc_node *n)
{
    tjb *b = (tjb *)cb;
    pthread_mutex_lock(&b->mu);
    n->next = b->pool;
    b->pool = n;
    pthread_mutex_unlock(&b->mu);
}

static tka_status b_tokenize(const void *m, const char *text, size_t len, unsigned flags,
                             tka_tokens *out, tka_error *err)
{
    const tjb *b = m;
    enc_node *node = enc_get(b);
    if (!node)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory tokenizing");
    tj_enc *e = &node->e;
    /* Rust's encode(text, add_special_tokens=False): no special tokens, offsets trimmed as
     * the post-processor trims them. */
    tka_status st =
        tj_tokenizer_encode(b->t, text, len, NULL, 0, false, -1, TKA_TRUNCATE_NONE, e, err);
    if (st == TKA_OK && (st = tka_tokens_reserve(out, e->n, flags)) != TKA_OK)
        tka_error_set(err, st, "out of memory tokenizing");
    for (size_t i = 0; i < e->n && st == TKA_OK; i++)
        if ((st = tka_tokens_push(out, flags, e->ids[i], e->s[i], e->e[i], e->tok[i],
                                  e->tok_len[i])) != TKA_OK)
            tka_error_set(err, st, "out of memory tokenizing");
    enc_put(b, node);
    return st;
}

static size_t b_vocab_size(const void *m)
{
    const tjb *b = m;
    /* Rust's get_vocab_size(with_added_tokens = true): model vocabulary plus the added
     * tokens it does not hold. */
    const tj_model *model = tj_tokenizer_model(b->t);
    const tj_added *a = tj_tokenizer_added(b->t);
    size_t n = tj_model_vocab_size(model);
    for (size_t i = 0; i < a->n; i++) {
        size_t l;
        if (!tj_model_id_to_token(model, a->v[i].id, &l))
            n++;
    }
    return n;
}

static const char *b_id_to_token(const void *m, int32_t id, size_t *len)
{
    const tjb *b = m;
    const tj_added_token *x = tj_added_by_id(tj_tokenizer_added(b->t), id);
    if (x) {
        *len = x->len;
        return x->content;
    }
    return tj_model_id_to_token(tj_tokenizer_model(b->t), id, len);
}

static int32_t b_token_to_id(const void *m, const char *tok, size_t len)
{
    const tjb *b = m;
    const tj_added_token *x = tj_added_by_content(tj_tokenizer_added(b->t), tok, len);
    return x ? x->id : tj_model_token_to_id(tj_tokenizer_model(b->t), tok, len);
}

static int32_t b_special_id(const void *m, tka_special which)
{
    return ((const tjb *)m)->special[which];
}

static tka_status b_decode(const void *m, const int32_t *ids, size_t n, bool skip, tka_buf *out,
                           tka_error *err)
{
    return tj_tokenizer_decode(((const tjb *)m)->t, ids, n, skip, out, err);
}

static tka_status b_tokens_to_string(const void *m, const int32_t *ids, size_t n, tka_buf *out,
                                     tka_error *err)
{
    return b_decode(m, ids, n, false, out, err);
}

static tka_status encode_with(const tjb *b, enc_node *node, const tka_encode_options *o,
                              const char *text, size_t len, const char *pair, size_t pair_len,
                              const tka_word_input *words, tka_arena *arena, tka_encoding *out,
                              tka_error *err);

static tka_status b_encode(const void *m, const tka_encode_options *o, const char *text, size_t len,
                           const char *pair, size_t pair_len, tka_arena *arena, tka_encoding *out,
                           tka_error *err)
{
    const tjb *b = m;
    enc_node *node = enc_get(b);
    if (!node)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory encoding");
    tka_status st = encode_with(b, node, o, text, len, pair, pair_len, NULL, arena, out, err);
    enc_put(b, node);
    return st;
}

static tka_status b_encode_words(const void *m, const tka_encode_options *o,
                                 const tka_word_input *in, tka_arena *arena, tka_encoding *out,
                                 tka_error *err)
{
    const tjb *b = m;
    enc_node *node = enc_get(b);
    if (!node)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory encoding");
    tka_status st = encode_with(b, node, o, NULL, 0, NULL, 0, in, arena, out, err);
    enc_put(b, node);
    return st;
}

static tka_status convert(const tjb *b, const tj_enc *ebuf, const tka_encode_options *o,
                          tka_arena *arena, tka_encoding *out, tka_error *err);

/* words: pre-tokenized input (text and pair unused), or NULL. */
static tka_status encode_with(const tjb *b, enc_node *node, const tka_encode_options *o,
                              const char *text, size_t len, const char *pair, size_t pair_len,
                              const tka_word_input *words, tka_arena *arena, tka_encoding *out,
                              tka_error *err)
{
    /* The file's truncation / padding sections apply when the caller sets none (as the
     * Rust tokenizer built from the file would). */
    const tj_file_options *fo = tj_tokenizer_file_options(b->t);
    int64_t max_length = o->max_length;
    tka_truncation how = o->truncation;
    size_t stride = (size_t)o->stride;
    bool left = false;
    if (how == TKA_TRUNCATE_NONE && max_length < 0 && fo->truncation) {
        max_length = fo->max_length;
        how = fo->strategy;
        left = fo->trunc_left;
        stride = (size_t)fo->stride;
    }
    /* a caller that reads no offsets, strings, overflow or word ids gets the ids-only
     * encoding */
    tka_status st =
        words ? tj_tokenizer_encode_words(b->t, words, o->add_special_tokens, max_length, how, left,
                                          stride, &node->e, o->overflow ? &node->ovf : NULL, err)
        : !o->offsets && !o->strings && !o->overflow && !o->word_ids
            ? tj_tokenizer_encode_ids(b->t, text, len, pair, pair_len, o->add_special_tokens,
                                      max_length, how, left, stride, &node->e, err)
            : tj_tokenizer_encode_ovf(b->t, text, len, pair, pair_len, o->add_special_tokens,
                                      max_length, how, left, stride, &node->e,
                                      o->overflow ? &node->ovf : NULL, err);
    if (st != TKA_OK || (st = convert(b, &node->e, o, arena, out, err)) != TKA_OK || !o->overflow)
        return st;
    /* COMPAT: the Rust overflow encodings, padded as the main one (Encoding::pad recurses). */
    out->n_overflowing = node->ovf.n;
    out->overflowing =
        tka_arena_alloc(arena, (node->ovf.n ? node->ovf.n : 1) * sizeof(tka_encoding), 8);
    if (!out->overflowing)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory encoding");
    for (size_t k = 0; k < node->ovf.n && st == TKA_OK; k++)
        st = convert(b, &node->ovf.v[k], o, arena, &out->overflowing[k], err);
    return st;
}

/* One encoding as the caller's tka_encoding, with the file's Fixed padding. */
static tka_status convert(const tjb *b, const tj_enc *ebuf, const tka_encode_options *o,
                          tka_arena *arena, tka_encoding *out, tka_error *err)
{
    const void *m = b;
    const tj_file_options *fo = tj_tokenizer_file_options(b->t);
    size_t n = ebuf->n, bytes = 0;
    size_t target = n; /* the file's padding (the caller's is done by the encoder) */
    bool file_pad = o->padding == TKA_PAD_NONE && fo->padding;
    if (file_pad) {
        if (fo->pad_fixed >= 0 && (size_t)fo->pad_fixed > target)
            target = (size_t)fo->pad_fixed;
        size_t mult = (size_t)fo->pad_to_multiple_of;
        if (mult > 0 && target % mult)
            target = (target / mult + 1) * mult;
    }
    memset(out, 0, sizeof *out);
    out->length = n;
#define ARR(f, T)                                                                     \
    do {                                                                              \
        if (!(out->f = tka_arena_alloc(arena, (target ? target : 1) * sizeof(T), 8))) \
            return tka_error_set(err, TKA_ERR_NOMEM, "out of memory encoding");       \
    } while (0)
    ARR(input_ids, int32_t);
    ARR(token_type_ids, int32_t);
    ARR(attention_mask, int32_t);
    ARR(special_tokens_mask, int32_t);
    if (o->offsets) {
        ARR(offset_starts, uint32_t);
        ARR(offset_ends, uint32_t);
    }
    if (o->strings) {
        ARR(text_start, uint32_t);
        ARR(text_len, uint32_t);
    }
    if (o->word_ids)
        ARR(word_ids, int32_t);
#undef ARR
    for (size_t i = 0; i < n; i++)
        bytes += ebuf->tok_len[i];
    size_t pad_len = 0;
    int32_t pad_id = file_pad ? fo->pad_id : b->special[TKA_SPECIAL_PAD];
    const char *pad = pad_id >= 0 ? b_id_to_token(m, pad_id, &pad_len) : NULL;
    if (!pad)
        pad_len = 0;
    char *txt = NULL;
    if (o->strings && !(txt = tka_arena_alloc(arena, bytes + pad_len + 1, 1)))
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory encoding");
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        out->input_ids[i] = ebuf->ids[i];
        out->token_type_ids[i] = ebuf->type_ids[i];
        out->attention_mask[i] = 1;
        out->special_tokens_mask[i] = ebuf->special[i];
        if (o->offsets) {
            out->offset_starts[i] = ebuf->s[i];
            out->offset_ends[i] = ebuf->e[i];
        }
        if (o->word_ids)
            out->word_ids[i] = ebuf->words[i];
        if (txt) {
            memcpy(txt + at, ebuf->tok[i], ebuf->tok_len[i]);
            out->text_start[i] = (uint32_t)at;
            out->text_len[i] = ebuf->tok_len[i];
            at += ebuf->tok_len[i];
        }
    }
    if (file_pad && target > n) {
        /* COMPAT: Encoding::pad: ids pad_id, type ids pad_type_id, attention 0, special 1,
         * offsets (0, 0), the pad token's text; on the left side everything shifts. */
        size_t d = target - n, at0 = fo->pad_left ? 0 : n;
        if (fo->pad_left) {
            memmove(out->input_ids + d, out->input_ids, n * sizeof(int32_t));
            memmove(out->token_type_ids + d, out->token_type_ids, n * sizeof(int32_t));
            memmove(out->attention_mask + d, out->attention_mask, n * sizeof(int32_t));
            memmove(out->special_tokens_mask + d, out->special_tokens_mask, n * sizeof(int32_t));
            if (o->offsets) {
                memmove(out->offset_starts + d, out->offset_starts, n * sizeof(uint32_t));
                memmove(out->offset_ends + d, out->offset_ends, n * sizeof(uint32_t));
            }
            if (txt) {
                memmove(out->text_start + d, out->text_start, n * sizeof(uint32_t));
                memmove(out->text_len + d, out->text_len, n * sizeof(uint32_t));
            }
            if (o->word_ids)
                memmove(out->word_ids + d, out->word_ids, n * sizeof(int32_t));
        }
        for (size_t i = at0; i < at0 + d; i++) {
            out->input_ids[i] = fo->pad_id;
            out->token_type_ids[i] = fo->pad_type_id;
            out->attention_mask[i] = 0;
            out->special_tokens_mask[i] = 1;
            if (o->offsets)
                out->offset_starts[i] = out->offset_ends[i] = 0;
            if (o->word_ids)
                out->word_ids[i] = -1;
            if (txt) {
                out->text_start[i] = (uint32_t)at;
                out->text_len[i] = (uint32_t)pad_len;
            }
        }
        out->length = target;
    }
    if (txt) {
        if (pad_len)
            memcpy(txt + at, pad, pad_len);
        out->token_text = txt;
        out->pad_text_start = (uint32_t)at;
        out->pad_text_len = (uint32_t)pad_len;
    }
    return TKA_OK;
}

/* COMPAT: a file's BatchLongest padding: Rust's encode_batch pads every encoding of the
 * batch to the longest (then to pad_to_multiple_of) with the file's pad id, type id, side. */
static void b_file_padding(const void *m, tka_encode_options *o)
{
    const tj_file_options *fo = tj_tokenizer_file_options(((const tjb *)m)->t);
    if (o->padding != TKA_PAD_NONE || !fo->padding || fo->pad_fixed >= 0)
        return;
    o->padding = TKA_PAD_LONGEST;
    o->pad_id = fo->pad_id;
    o->pad_type_id = fo->pad_type_id;
    o->padding_side = fo->pad_left ? TKA_PAD_LEFT : TKA_PAD_RIGHT;
    o->pad_to_multiple_of = fo->pad_to_multiple_of;
}

static const tka_backend tj_backend = {
    .name = "tokenizer.json",
    .free = b_free,
    .tokenize = b_tokenize,
    .vocab_size = b_vocab_size,
    .id_to_token = b_id_to_token,
    .token_to_id = b_token_to_id,
    .special_id = b_special_id,
    .tokens_to_string = b_tokens_to_string,
    .tokenize_as = NULL,
    .encode = b_encode,
    .decode = b_decode,
    .file_padding = b_file_padding,
    .encode_words = b_encode_words,
};

tka_status tka_tokenizer_json_open(const char *path, const char *gpt2_merges,
                                   const tka_backend **backend, void **model, tka_error *err)
{
    tjb *b = calloc(1, sizeof *b);
    if (!b)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory opening a tokenizer");
    pthread_mutex_init(&b->mu, NULL);
    tka_status st = gpt2_merges ? tj_tokenizer_load_gpt2(path, gpt2_merges, &b->t, err)
                                : tj_tokenizer_load(path, &b->t, err);
    if (st != TKA_OK) {
        pthread_mutex_destroy(&b->mu);
        free(b);
        return st;
    }
    /* Special tokens by their usual spellings (the file does not name roles). */
    static const char *names[TKA_SPECIAL_COUNT][4] = {
        {"[UNK]", "<unk>", "<|endoftext|>", NULL},
        {"[CLS]", "<s>", "<|begin_of_text|>", NULL},
        {"[SEP]", "</s>", "<|end_of_text|>", NULL},
        {"[PAD]", "<pad>", NULL, NULL},
        {"[MASK]", "<mask>", NULL, NULL},
        {"<s>", "<|begin_of_text|>", NULL, NULL},
        {"</s>", "<|end_of_text|>", "<|endoftext|>", NULL}};
    for (int k = 0; k < TKA_SPECIAL_COUNT; k++) {
        b->special[k] = -1;
        for (int q = 0; q < 4 && names[k][q] && b->special[k] < 0; q++)
            b->special[k] = b_token_to_id(b, names[k][q], strlen(names[k][q]));
    }
    const tj_file_options *fo = tj_tokenizer_file_options(b->t);
    if (fo->padding)
        b->special[TKA_SPECIAL_PAD] = fo->pad_id;
    *backend = &tj_backend;
    *model = b;
    return TKA_OK;
}
