/* libFuzzer target for the BERT normalizer and tokenizer (and encode /
 * decode on top): any bytes must give a clean error or tokens that satisfy
 * the invariants, and the ASCII fast path must agree with the generic path.
 * Needs the mirror (TOKALIGN_MIRROR or ../shared/data) for the vocabularies.
 * Input: byte 0 picks the tokenizer and options, the rest is the text (a
 * 0xFF byte, if any, separates text and text_pair). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tokalign/arena.h"
#include "tokalign/encode.h"
#include "tokalign/tokenizer.h"
#include "tokenize/backend.h"
#include "tokenize/bert_model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { N_TOK = 4 };
static tka_tokenizer *toks[N_TOK];
static tka_tokens ta, tb;
static tka_arena *arena;

static void open_all(void)
{
    static const struct {
        const char *name;
        tka_compat compat;
    } spec[N_TOK] = {{"bert-base-uncased", TKA_COMPAT_SLOW},
                     {"bert-base-uncased", TKA_COMPAT_FAST},
                     {"bert-base-cased", TKA_COMPAT_SLOW},
                     {"bert-base-chinese", TKA_COMPAT_FAST}};
    for (int i = 0; i < N_TOK; i++) {
        tka_tokenizer_options o;
        tka_tokenizer_options_init(&o);
        o.compat = spec[i].compat;
        tka_error err;
        if (tka_tokenizer_open(spec[i].name, &o, &toks[i], &err) != TKA_OK) {
            fprintf(stderr, "fuzz_bert: %s (set TOKALIGN_MIRROR to the shared data dir)\n",
                    err.message);
            abort();
        }
    }
    arena = tka_arena_new(0);
}

static void check_tokens(const tka_tokenizer *tok, const tka_tokens *t, size_t ncp)
{
    size_t vocab = tka_tokenizer_vocab_size(tok);
    for (size_t i = 0; i < t->count; i++) {
        if (t->ids[i] < 0 || (size_t)t->ids[i] >= vocab)
            abort();
        if (t->starts[i] > t->ends[i] || t->ends[i] > ncp)
            abort();
        if (i && t->starts[i] < t->starts[i - 1])
            abort(); /* tokens come in input order */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!toks[0])
        open_all();
    if (size == 0)
        return 0;
    uint8_t sel = data[0];
    tka_tokenizer *tok = toks[sel % N_TOK];
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    const char *pair = NULL;
    size_t pair_len = 0;
    const uint8_t *sep = memchr(text, 0xFF, len);
    if (sep && (sel & 0x80)) {
        pair = (const char *)sep + 1;
        pair_len = len - (size_t)(pair - text);
        len = (size_t)((const char *)sep - text);
    }
    unsigned flags = TKA_TOKENS_OFFSETS | TKA_TOKENS_STRINGS;
    tka_error err;
    tka_status st = tka_tokenize(tok, text, len, flags, &ta, &err);
    if (st == TKA_ERR_UTF8) {
        if (tka_utf8_valid(text, len, NULL))
            abort();
        return 0;
    }
    if (st != TKA_OK)
        abort();
    check_tokens(tok, &ta, tka_utf8_count(text, len));
    /* the fast path must agree with the generic path */
    const bert_model *m = tok->model;
    tka_tokens_clear(&tb);
    if (bert_tokenize_generic(m, text, len, flags, &tb, NULL) != TKA_OK || tb.count != ta.count)
        abort();
    for (size_t i = 0; i < ta.count; i++)
        if (ta.ids[i] != tb.ids[i] || ta.starts[i] != tb.starts[i] || ta.ends[i] != tb.ends[i] ||
            ta.text_len[i] != tb.text_len[i] ||
            memcmp(ta.text + ta.text_start[i], tb.text + tb.text_start[i], ta.text_len[i]) != 0)
            abort();
    /* encode with options from the selector byte */
    if (pair && !tka_utf8_valid(pair, pair_len, NULL))
        pair = NULL;
    tka_encode_options o;
    tka_encode_options_init(&o);
    o.offsets = true;
    o.strings = (sel & 0x08) != 0;
    o.overflow = true;
    if (sel & 0x10) {
        o.max_length = (sel >> 2) & 0x0F;
        o.truncation = (tka_truncation)(1 + (sel >> 5) % 3);
        o.stride = sel & 0x01;
    }
    if (sel & 0x40) {
        o.padding = o.max_length >= 0 ? TKA_PAD_MAX_LENGTH : TKA_PAD_LONGEST;
        o.padding_side = (sel & 0x04) ? TKA_PAD_LEFT : TKA_PAD_RIGHT;
        o.truncation = TKA_TRUNCATE_NONE;
    }
    tka_arena_reset(arena);
    tka_encoding e;
    st = tka_encode(tok, &o, text, len, pair, pair_len, arena, &e, &err);
    if (st != TKA_OK && st != TKA_ERR_REFERENCE && st != TKA_ERR_ARGUMENT)
        abort();
    if (st == TKA_OK) {
        for (size_t i = 0; i < e.length; i++)
            if (e.attention_mask[i] > 1 || e.special_tokens_mask[i] > 1)
                abort();
        tka_buf out = {0};
        tka_decode_options d;
        tka_decode_options_init(&d);
        d.skip_special_tokens = sel & 1;
        if (tka_decode(tok, e.input_ids, e.length, &d, &out, &err) != TKA_OK)
            abort();
        if (out.len && !tka_utf8_valid(out.data, out.len, NULL))
            abort();
        tka_buf_free(&out);
    }
    return 0;
}
