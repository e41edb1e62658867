/* Encoding for any tokenizer family: special-token templates, truncation
 * with overflow (transformers 4.9.1 or tokenizers semantics), padding and
 * offsets, all written into a caller's arena. Uses the public tokenizer API,
 * plus tka_tokenize_as for the offsets of slow mode. */
#include "tokalign/encode.h"

#include <stdlib.h>
#include <string.h>

#include "core/cacheline.h"
#include "core/ref_messages.h"
#include "tokenize/backend.h"
#include "core/try.h"

struct tka_encoder {
    const tka_tokenizer *tok;
    tka_encode_options o;
    bool wordpiece; /* [CLS]/[SEP] template and token_type_ids */
    bool fast;      /* tokenizers (Rust) truncation and overflow */
    bool json;      /* tokenizer.json: the backend encodes */
    int32_t cls, sep, pad;
    unsigned flags;
    tka_tokens a, b;   /* reused token arrays */
    tka_tokens fa, fb; /* slow mode with offsets: the fast segmentation of A and B */
};

void tka_encode_options_init(tka_encode_options *o)
{
    memset(o, 0, sizeof *o);
    o->max_length = -1;
    o->truncation = TKA_TRUNCATE_NONE;
    o->padding = TKA_PAD_NONE;
    o->padding_side = TKA_PAD_RIGHT;
    o->pad_id = -1;
    o->pad_type_id = 0;
    o->add_special_tokens = true;
}

void tka_encode_options_apply_hf_defaults(tka_encode_options *o)
{
    /* COMPAT: _get_padding_truncation_strategies: "Truncation was not
     * explicitly activated but max_length is provided a specific value ...
     * Defaulting to 'longest_first' truncation strategy." */
    if (o->max_length >= 0 && o->truncation == TKA_TRUNCATE_NONE && o->padding == TKA_PAD_NONE)
        o->truncation = TKA_TRUNCATE_LONGEST_FIRST;
}

bool tka_encode_options_apply_file_padding(const tka_tokenizer *tok, tka_encode_options *o)
{
    if (o->padding != TKA_PAD_NONE || !tok->backend->file_padding)
        return false;
    tok->backend->file_padding(tok->model, o);
    return o->padding != TKA_PAD_NONE;
}

tka_status tka_encoder_new(const tka_tokenizer *tok, const tka_encode_options *options,
                           tka_encoder **out, tka_error *err)
{
    *out = NULL;
    const tka_encode_options *o = options;
    if (o->max_length < -1 || o->stride < 0 || o->pad_to_multiple_of < 0 ||
        o->max_length > INT32_MAX || o->stride > INT32_MAX || o->pad_to_multiple_of > INT32_MAX)
        return tka_error_set(err, TKA_ERR_ARGUMENT,
                             "max_length, stride and pad_to_multiple_of must be in [0, 2^31)");
    /* COMPAT: HF's ReformerTokenizer declares no pad token, whatever pad_id
     * the .model file carries, so a SentencePiece tokenizer pads only with an
     * explicitly configured pad id; WordPiece pads with its [PAD]. */
    int32_t pad = o->pad_id >= 0 ? o->pad_id
                  : tka_tokenizer_get_kind(tok) != TKA_TOKENIZER_SENTENCEPIECE
                      ? tka_tokenizer_special_id(tok, TKA_SPECIAL_PAD)
                      : -1;
    if (o->padding != TKA_PAD_NONE && pad < 0)
        return tka_error_set_ref(err, TKA_REF_NO_PAD_TOKEN, "ValueError: ");
    if (o->padding == TKA_PAD_MAX_LENGTH && o->max_length < 0)
        return tka_error_set(err, TKA_ERR_ARGUMENT,
                             "padding to max_length needs a max_length (tokalign does not guess "
                             "the model's model_max_length)");
    if (o->truncation != TKA_TRUNCATE_NONE && o->padding != TKA_PAD_NONE &&
        o->pad_to_multiple_of > 0 && o->max_length >= 0 &&
        o->max_length % o->pad_to_multiple_of != 0)
        return tka_error_set(err, TKA_ERR_REFERENCE,
                             "ValueError: Truncation and padding are both activated but truncation "
                             "length (%lld) is not a multiple of pad_to_multiple_of (%lld).",
                             (long long)o->max_length, (long long)o->pad_to_multiple_of);
    tka_encoder *e = tka_calloc_cache_lines(sizeof *e); /* encoders are per thread */
    if (!e)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory creating an encoder");
    e->tok = tok;
    e->o = *o;
    /* After the checks: they are transformers' (Python) errors, the file's padding is
     * the Rust tokenizer's own. */
    if (tka_encode_options_apply_file_padding(tok, &e->o))
        pad = e->o.pad_id;
    e->wordpiece = tka_tokenizer_get_kind(tok) == TKA_TOKENIZER_WORDPIECE;
    e->json = tka_tokenizer_get_kind(tok) == TKA_TOKENIZER_JSON;
    /* SentencePiece has a single reference (libsentencepiece + the slow
     * ReformerTokenizer), whatever the compat setting. */
    e->fast = e->wordpiece && tka_tokenizer_get_compat(tok) == TKA_COMPAT_FAST;
    e->cls = tka_tokenizer_special_id(tok, TKA_SPECIAL_CLS);
    e->sep = tka_tokenizer_special_id(tok, TKA_SPECIAL_SEP);
    e->pad = pad;
    if (e->wordpiece && o->add_special_tokens && (e->cls < 0 || e->sep < 0)) {
        free(e);
        return tka_error_set(err, TKA_ERR_ARGUMENT, "the tokenizer has no [CLS] / [SEP] token");
    }
    if (o->word_ids && !e->fast && !e->json) {
        free(e);
        return tka_error_set(err, TKA_ERR_UNSUPPORTED,
                             "word ids are those of the Rust (fast) tokenizers: open a BERT "
                             "vocabulary with compat fast, or a tokenizer.json");
    }
    e->flags = (o->offsets ? TKA_TOKENS_OFFSETS : 0u) | (o->strings ? TKA_TOKENS_STRINGS : 0u) |
               (o->word_ids ? TKA_TOKENS_WORDS : 0u);
    *out = e;
    return TKA_OK;
}

void tka_encoder_free(tka_encoder *e)
{
    if (!e)
        return;
    tka_tokens_free(&e->a);
    tka_tokens_free(&e->b);
    tka_tokens_free(&e->fa);
    tka_tokens_free(&e->fb);
    free(e);
}

/* ------------------------------------------------------------ assembly */

typedef struct range {
    size_t s, e;
} range;

/* Token strings of one encode call: A's text, B's text, then the special
 * and pad strings, copied once into the arena and shared by the main and
 * overflow encodings. */
typedef struct blob {
    const char *text;
    size_t b_base;        /* where B's token text starts */
    size_t cls, sep, pad; /* offsets of the special strings */
    uint32_t cls_n, sep_n, pad_n;
} blob;

static void *arena_array(tka_arena *arena, size_t n, size_t elem)
{
    return tka_arena_alloc(arena, (n ? n : 1) * elem, 8);
}

static tka_status make_blob(tka_encoder *enc, bool pair, tka_arena *arena, blob *bl)
{
    memset(bl, 0, sizeof *bl);
    if (!enc->o.strings)
        return TKA_OK;
    size_t cls_n = 0, sep_n = 0, pad_n = 0;
    const char *cls = enc->cls >= 0 ? tka_tokenizer_id_to_token(enc->tok, enc->cls, &cls_n) : NULL;
    const char *sep = enc->sep >= 0 ? tka_tokenizer_id_to_token(enc->tok, enc->sep, &sep_n) : NULL;
    const char *pad = enc->pad >= 0 ? tka_tokenizer_id_to_token(enc->tok, enc->pad, &pad_n) : NULL;
    if (!cls)
        cls_n = 0;
    if (!sep)
        sep_n = 0;
    if (!pad)
        pad_n = 0;
    size_t na = enc->a.text_used, nb = pair ? enc->b.text_used : 0;
    char *t = tka_arena_alloc(arena, na + nb + cls_n + sep_n + pad_n + 1, 1);
    if (!t)
        return TKA_ERR_NOMEM;
    size_t p = 0;
    if (na)
        memcpy(t, enc->a.text, na);
    p += na;
    bl->b_base = p;
    if (nb)
        memcpy(t + p, enc->b.text, nb);
    p += nb;
    bl->cls = p;
    if (cls_n)
        memcpy(t + p, cls, cls_n);
    p += cls_n;
    bl->sep = p;
    if (sep_n)
        memcpy(t + p, sep, sep_n);
    p += sep_n;
    bl->pad = p;
    if (pad_n)
        memcpy(t + p, pad, pad_n);
    bl->cls_n = (uint32_t)cls_n;
    bl->sep_n = (uint32_t)sep_n;
    bl->pad_n = (uint32_t)pad_n;
    bl->text = t;
    return TKA_OK;
}

static tka_status alloc_encoding(const tka_encoder *enc, tka_encoding *e, size_t n,
                                 tka_arena *arena)
{
    e->length = n;
    e->input_ids = arena_array(arena, n, sizeof(int32_t));
    e->attention_mask = arena_array(arena, n, sizeof(int32_t));
    e->special_tokens_mask = arena_array(arena, n, sizeof(int32_t));
    if (!e->input_ids || !e->attention_mask || !e->special_tokens_mask)
        return TKA_ERR_NOMEM;
    if ((enc->wordpiece || enc->json || enc->o.type_ids) &&
        !(e->token_type_ids = arena_array(arena, n, sizeof(int32_t))))
        return TKA_ERR_NOMEM;
    if (enc->o.offsets && (!(e->offset_starts = arena_array(arena, n, sizeof(uint32_t))) ||
                           !(e->offset_ends = arena_array(arena, n, sizeof(uint32_t)))))
        return TKA_ERR_NOMEM;
    if (enc->o.strings && (!(e->text_start = arena_array(arena, n, sizeof(uint32_t))) ||
                           !(e->text_len = arena_array(arena, n, sizeof(uint32_t)))))
        return TKA_ERR_NOMEM;
    if (enc->o.word_ids && !(e->word_ids = arena_array(arena, n, sizeof(int32_t))))
        return TKA_ERR_NOMEM;
    return TKA_OK;
}

typedef struct writer {
    tka_encoding *e;
    size_t i;
} writer;

static void put(writer *w, int32_t id, int32_t type, int32_t special, uint32_t s, uint32_t end,
                size_t text_at, uint32_t text_n, int32_t word)
{
    tka_encoding *e = w->e;
    size_t i = w->i++;
    e->input_ids[i] = id;
    if (e->token_type_ids)
        e->token_type_ids[i] = type;
    e->attention_mask[i] = 1;
    e->special_tokens_mask[i] = special;
    if (e->offset_starts) {
        e->offset_starts[i] = s;
        e->offset_ends[i] = end;
    }
    if (e->text_start) {
        e->text_start[i] = (uint32_t)text_at;
        e->text_len[i] = text_n;
    }
    if (e->word_ids)
        e->word_ids[i] = word;
}

static void put_tokens(writer *w, const tka_tokens *t, range r, int32_t type, size_t text_base)
{
    for (size_t k = r.s; k < r.e; k++)
        put(w, t->ids[k], type, 0, t->starts ? t->starts[k] : 0, t->ends ? t->ends[k] : 0,
            t->text_start ? text_base + t->text_start[k] : 0, t->text_len ? t->text_len[k] : 0,
            w->e->word_ids ? (int32_t)t->words[k] : -1);
}

/* [CLS] A [SEP] (B [SEP]) for WordPiece with special tokens, A (B)
 * otherwise; pair_type is B's token type without special tokens (slow 0,
 * fast 1). COMPAT: prepare_for_model types B 1 whenever add_special_tokens
 * (create_token_type_ids_from_sequences), also for SentencePiece, which
 * adds no token. */
static tka_status assemble(const tka_encoder *enc, const blob *bl, range a, const range *b,
                           int32_t pair_type, tka_arena *arena, tka_encoding *e)
{
    bool specials = enc->wordpiece && enc->o.add_special_tokens;
    size_t n = (a.e - a.s) + (b ? b->e - b->s : 0) + (specials ? (b ? 3 : 2) : 0);
    memset(e, 0, sizeof *e);
    TKA_TRY(alloc_encoding(enc, e, n, arena));
    e->token_text = bl->text;
    e->pad_text_start = (uint32_t)bl->pad;
    e->pad_text_len = bl->pad_n;
    writer w = {e, 0};
    if (specials)
        put(&w, enc->cls, 0, 1, 0, 0, bl->cls, bl->cls_n, -1);
    put_tokens(&w, &enc->a, a, 0, 0);
    if (specials)
        put(&w, enc->sep, 0, 1, 0, 0, bl->sep, bl->sep_n, -1);
    if (b) {
        put_tokens(&w, &enc->b, *b, enc->o.add_special_tokens ? 1 : pair_type, bl->b_base);
        if (specials)
            put(&w, enc->sep, 1, 1, 0, 0, bl->sep, bl->sep_n, -1);
    }
    return TKA_OK;
}

/* ------------------------------------------------------------ padding */

static tka_status pad_to(const tka_encoder *enc, tka_encoding *e, size_t target, tka_arena *arena)
{
    if (e->length >= target)
        return TKA_OK;
    tka_encoding p = *e;
    TKA_TRY(alloc_encoding(enc, &p, target, arena));
    if (!e->token_type_ids)
        p.token_type_ids = NULL;
    size_t n = e->length, diff = target - n;
    size_t at = enc->o.padding_side == TKA_PAD_LEFT ? diff : 0;
    size_t pad_at = enc->o.padding_side == TKA_PAD_LEFT ? 0 : n;
    memcpy(p.input_ids + at, e->input_ids, n * sizeof(int32_t));
    memcpy(p.attention_mask + at, e->attention_mask, n * sizeof(int32_t));
    memcpy(p.special_tokens_mask + at, e->special_tokens_mask, n * sizeof(int32_t));
    if (p.token_type_ids)
        memcpy(p.token_type_ids + at, e->token_type_ids, n * sizeof(int32_t));
    if (p.offset_starts) {
        memcpy(p.offset_starts + at, e->offset_starts, n * sizeof(uint32_t));
        memcpy(p.offset_ends + at, e->offset_ends, n * sizeof(uint32_t));
    }
    if (p.text_start) {
        memcpy(p.text_start + at, e->text_start, n * sizeof(uint32_t));
        memcpy(p.text_len + at, e->text_len, n * sizeof(uint32_t));
    }
    if (!e->word_ids)
        p.word_ids = NULL;
    if (p.word_ids)
        memcpy(p.word_ids + at, e->word_ids, n * sizeof(int32_t));
    /* COMPAT: _pad: input_ids += [pad_token_id], token_type_ids +=
     * [pad_token_type_id], special_tokens_mask += [1], attention_mask += [0];
     * the Rust side pads offsets with (0, 0). */
    for (size_t k = pad_at; k < pad_at + diff; k++) {
        p.input_ids[k] = enc->pad;
        p.attention_mask[k] = 0;
        p.special_tokens_mask[k] = 1;
        if (p.token_type_ids)
            p.token_type_ids[k] = enc->o.pad_type_id;
        if (p.offset_starts)
            p.offset_starts[k] = p.offset_ends[k] = 0;
        if (p.text_start) {
            p.text_start[k] = e->pad_text_start;
            p.text_len[k] = e->pad_text_len;
        }
        if (p.word_ids)
            p.word_ids[k] = -1;
    }
    *e = p;
    return TKA_OK;
}

static size_t round_up(const tka_encoder *enc, size_t target)
{
    size_t m = (size_t)enc->o.pad_to_multiple_of;
    if (m > 0 && target % m != 0)
        target = (target / m + 1) * m;
    return target;
}

/* Pads e (and, for the Rust side, its overflow encodings) to target. */
static tka_status pad_all(const tka_encoder *enc, tka_encoding *e, size_t target, tka_arena *arena)
{
    tka_status st = TKA_OK;
    for (size_t k = 0; k < e->n_overflowing && st == TKA_OK; k++)
        st = pad_all(enc, &e->overflowing[k], target, arena);
    if (st != TKA_OK)
        return st;
    return pad_to(enc, e, target, arena);
}

/* The padding the options ask for (none, longest = this encoding's length, max_length),
 * rounded up to pad_to_multiple_of; a failure is out of memory, set in err. */
static tka_status pad_as_asked(const tka_encoder *enc, tka_encoding *out, tka_arena *arena,
                               tka_error *err)
{
    const tka_encode_options *o = &enc->o;
    if (o->padding == TKA_PAD_NONE)
        return TKA_OK;
    size_t target = o->padding == TKA_PAD_MAX_LENGTH ? (size_t)o->max_length : out->length;
    tka_status st = pad_all(enc, out, round_up(enc, target), arena);
    return st == TKA_OK ? TKA_OK : tka_error_set(err, st, "out of memory encoding");
}

/* ------------------------------------------------------------ truncation */

typedef struct seqstate {
    range main;
    range *ovf;
    size_t n_ovf, cap_ovf;
} seqstate;

/* COMPAT: tokenizers' Encoding::truncate (right direction): windows of
 * max_len tokens every max_len - stride, the first stays, the others
 * become the overflow list, which replaces any previous one; a max_len
 * not below the length changes nothing. */
static tka_status window(seqstate *x, size_t max_len, size_t stride, tka_arena *arena,
                         tka_error *err)
{
    size_t len = x->main.e - x->main.s;
    if (max_len >= len)
        return TKA_OK;
    if (max_len == 0) {
        x->ovf = tka_arena_alloc(arena, sizeof *x->ovf, 8);
        if (!x->ovf)
            return TKA_ERR_NOMEM;
        x->ovf[0] = x->main;
        x->n_ovf = 1;
        x->main.e = x->main.s;
        return TKA_OK;
    }
    if (stride >= max_len)
        return tka_error_set(err, TKA_ERR_ARGUMENT, TKA_RUST_STRIDE_PANIC, stride, max_len);
    size_t step = max_len - stride;
    size_t parts = 0;
    for (size_t start = 0;; start += step) {
        parts++;
        if (start + max_len >= len)
            break;
    }
    range *r = tka_arena_alloc(arena, parts * sizeof *r, 8);
    if (!r)
        return TKA_ERR_NOMEM;
    size_t k = 0;
    for (size_t start = 0;; start += step) {
        size_t stop = start + max_len < len ? start + max_len : len;
        r[k++] = (range){x->main.s + start, x->main.s + stop};
        if (stop == len)
            break;
    }
    x->main = r[0];
    x->ovf = r + 1;
    x->n_ovf = k - 1;
    return TKA_OK;
}

/* Index of the first token at or after `ml` that starts a word (a
 * WordPiece continuation starts with "##"), or n. */
static size_t word_cut(const tka_encoder *enc, const tka_tokens *t, size_t n, size_t ml)
{
    for (size_t i = ml; i < n; i++) {
        size_t len = 0;
        const char *s = tka_tokenizer_id_to_token(enc->tok, t->ids[i], &len);
        if (!s || len < 2 || s[0] != '#' || s[1] != '#')
            return i;
    }
    return n;
}

/* COMPAT: tokenizers' truncate_encodings LongestFirst for a pair: the
 * shorter keeps min(its length, max/2 rounded), the longer the rest; an odd
 * budget goes to the longer one. Shared by the BERT fast mode and
 * tokenizer.json (backend.h). */
void tka_rust_longest_first_pair(size_t la, size_t lb, size_t max, size_t *na, size_t *nb)
{
    bool swap = la > lb;
    size_t n1 = swap ? lb : la, n2;
    if (n1 > max)
        n2 = n1;
    else
        n2 = n1 > max - n1 ? n1 : max - n1;
    if (n1 + n2 > max) {
        n1 = max / 2;
        n2 = n1 + max % 2;
    }
    *na = swap ? n2 : n1;
    *nb = swap ? n1 : n2;
}

/* ta / tb: the token arrays of A and B (the encoder's own, or in slow mode
 * the fast segmentation used for offsets). */
/* cut: the early exit of a text's sequences (pre-tokenized words were cut word by word). */
static tka_status fast_truncate(const tka_encoder *enc, const tka_tokens *ta, const tka_tokens *tb,
                                seqstate *a, seqstate *b, bool pair, bool cut, tka_arena *arena,
                                tka_error *err)
{
    const tka_encode_options *o = &enc->o;
    size_t ml = (size_t)o->max_length, stride = (size_t)o->stride;
    size_t added = enc->wordpiece && o->add_special_tokens ? (pair ? 3 : 2) : 0;
    /* COMPAT: with truncation on, the Rust tokenizer (tokenizers@0.23.2
     * through npm) stops producing a sequence's words once it holds at
     * least max_length tokens, so the cut falls at the first word start at
     * or after max_length; only then is the sequence windowed at
     * max_length minus the special tokens. The tokens past the cut are in
     * no overflow (seen in every fast_overflowing row of the goldens). */
    if (cut)
        a->main.e = word_cut(enc, ta, a->main.e, ml);
    if (cut && pair)
        b->main.e = word_cut(enc, tb, b->main.e, ml);
    if (ml < added)
        return tka_error_set(err, TKA_ERR_ARGUMENT,
                             "max_length %zu is smaller than the %zu special tokens", ml, added);
    size_t max = ml - added;
    if (max == 0) {
        TKA_TRY(window(a, 0, stride, arena, err));
        return pair ? window(b, 0, stride, arena, err) : TKA_OK;
    }
    size_t la = a->main.e - a->main.s, lb = pair ? b->main.e - b->main.s : 0;
    size_t total = la + lb;
    if (total <= max)
        return TKA_OK;
    size_t to_remove = total - max;
    switch (o->truncation) {
    case TKA_TRUNCATE_LONGEST_FIRST:
        if (pair) {
            size_t n1, n2;
            tka_rust_longest_first_pair(la, lb, max, &n1, &n2);
            TKA_TRY(window(a, n1, stride, arena, err));
            return window(b, n2, stride, arena, err);
        }
        return window(a, total - to_remove, stride, arena, err);
    case TKA_TRUNCATE_ONLY_FIRST:
    case TKA_TRUNCATE_ONLY_SECOND: {
        seqstate *t = o->truncation == TKA_TRUNCATE_ONLY_FIRST ? a : (pair ? b : NULL);
        if (!t)
            return tka_error_set(err, TKA_ERR_REFERENCE, TKA_HF_TRUNCATION_NO_SECOND);
        size_t tl = t->main.e - t->main.s;
        if (tl <= to_remove)
            return tka_error_set(err, TKA_ERR_REFERENCE, TKA_HF_TRUNCATION_TOO_SHORT);
        return window(t, tl - to_remove, stride, arena, err);
    }
    default: return TKA_OK;
    }
}

/* COMPAT: transformers 4.9.1 truncate_sequences, with the overflow list it
 * builds (longest_first: removal order; the first removal takes a window
 * of stride + 1 tokens). Impossible only_first / only_second requests
 * leave both sequences untouched (4.9.1 only logs an error). */
static tka_status slow_truncate(const tka_encoder *enc, size_t *ka, size_t *kb, bool pair,
                                size_t to_remove, tka_arena *arena, int32_t **ovf, size_t *nov)
{
    const int32_t *a = enc->a.ids, *b = enc->b.ids;
    size_t stride = (size_t)enc->o.stride;
    *nov = 0;
    switch (enc->o.truncation) {
    case TKA_TRUNCATE_LONGEST_FIRST: {
        int32_t *v = arena_array(arena, to_remove + stride + 1, sizeof *v);
        if (!v)
            return TKA_ERR_NOMEM;
        for (size_t r = 0; r < to_remove; r++) {
            bool first = !pair || *ka > *kb;
            size_t *k = first ? ka : kb;
            const int32_t *ids = first ? a : b;
            size_t w = *nov == 0 ? (*k < stride + 1 ? *k : stride + 1) : (*k ? 1 : 0);
            for (size_t j = *k - w; j < *k; j++)
                v[(*nov)++] = ids[j];
            if (*k)
                (*k)--;
        }
        *ovf = v;
        return TKA_OK;
    }
    case TKA_TRUNCATE_ONLY_FIRST:
    case TKA_TRUNCATE_ONLY_SECOND: {
        bool first = enc->o.truncation == TKA_TRUNCATE_ONLY_FIRST;
        if (!first && !pair)
            return TKA_OK;
        size_t *k = first ? ka : kb;
        const int32_t *ids = first ? a : b;
        if (*k <= to_remove)
            return TKA_OK; /* logger.error(...) in 4.9.1, nothing truncated */
        size_t w = stride + to_remove < *k ? stride + to_remove : *k;
        int32_t *v = arena_array(arena, w, sizeof *v);
        if (!v)
            return TKA_ERR_NOMEM;
        memcpy(v, ids + (*k - w), w * sizeof *v);
        *ovf = v;
        *nov = w;
        *k -= to_remove;
        return TKA_OK;
    }
    default: return TKA_OK;
    }
}

/* ------------------------------------------------------------ offsets */

/* COMPAT: HF's slow tokenizers have no offsets at all (return_offsets_mapping
 * raises NotImplementedError for Python tokenizers); the only offsets HF
 * defines for BERT are BertTokenizerFast's offset_mapping. So slow mode
 * reports the offsets the fast tokenizer gives for the same call whenever
 * that call yields the same input ids (same tokens, same truncation), and
 * the slow segmentation's offsets otherwise. The two can differ with equal
 * ids: in U+2B81F U+2B820 U+2B821, Python drops U+2B81F (Cn) and isolates
 * the other two as CJK, while Rust keeps U+2B81F as CJK and, its range
 * starting at U+2B920, keeps U+2B820 U+2B821 as one word: [UNK] [UNK] both
 * ways, at [1,2) [2,3) slow and [0,1) [1,3) fast. The slow tokens A[0..ka)
 * and B[0..kb) are kept; their offsets are replaced when the fast
 * encoding keeps the same number of tokens of each sequence with the same
 * ids. Only called when offsets are requested. */
static tka_status adopt_fast_offsets(tka_encoder *enc, const char *text, size_t len,
                                     const char *pair, size_t pair_len, size_t ka, size_t kb,
                                     tka_arena *arena)
{
    bool has_pair = pair != NULL;
    tka_status st =
        tka_tokenize_as(enc->tok, TKA_COMPAT_FAST, text, len, TKA_TOKENS_OFFSETS, &enc->fa, NULL);
    if (st == TKA_OK && has_pair)
        st = tka_tokenize_as(enc->tok, TKA_COMPAT_FAST, pair, pair_len, TKA_TOKENS_OFFSETS,
                             &enc->fb, NULL);
    if (st != TKA_OK)
        return st == TKA_ERR_NOMEM ? st : TKA_OK;
    if (!has_pair)
        tka_tokens_clear(&enc->fb);
    seqstate a = {{0, enc->fa.count}, NULL, 0, 0}, b = {{0, enc->fb.count}, NULL, 0, 0};
    const tka_encode_options *o = &enc->o;
    if (o->truncation != TKA_TRUNCATE_NONE && o->max_length >= 0) {
        st = fast_truncate(enc, &enc->fa, &enc->fb, &a, &b, has_pair, true, arena, NULL);
        if (st != TKA_OK) /* the fast tokenizer raises: it has no offsets to give */
            return st == TKA_ERR_NOMEM ? st : TKA_OK;
    }
    if (a.main.e - a.main.s != ka || b.main.e - b.main.s != kb)
        return TKA_OK;
    if ((ka && memcmp(enc->fa.ids + a.main.s, enc->a.ids, ka * sizeof(int32_t)) != 0) ||
        (kb && memcmp(enc->fb.ids + b.main.s, enc->b.ids, kb * sizeof(int32_t)) != 0))
        return TKA_OK;
    if (ka) {
        memcpy(enc->a.starts, enc->fa.starts + a.main.s, ka * sizeof(uint32_t));
        memcpy(enc->a.ends, enc->fa.ends + a.main.s, ka * sizeof(uint32_t));
    }
    if (kb) {
        memcpy(enc->b.starts, enc->fb.starts + b.main.s, kb * sizeof(uint32_t));
        memcpy(enc->b.ends, enc->fb.ends + b.main.s, kb * sizeof(uint32_t));
    }
    return TKA_OK;
}

/* ------------------------------------------------------------ encode */

/* The Rust side once A (and B) are tokenized into enc->a / enc->b: truncation (cut: the
 * early exit of a text's sequences), overflow, special tokens, padding. */
static tka_status encode_fast(tka_encoder *enc, const blob *bl, bool has_pair, bool cut,
                              tka_arena *arena, tka_encoding *out, tka_error *err)
{
    const tka_encode_options *o = &enc->o;
    size_t la = enc->a.count, lb = has_pair ? enc->b.count : 0;
    bool truncating = o->truncation != TKA_TRUNCATE_NONE && o->max_length >= 0;
    tka_status st;
    seqstate a = {{0, la}, NULL, 0, 0}, b = {{0, lb}, NULL, 0, 0};
    if (truncating &&
        (st = fast_truncate(enc, &enc->a, &enc->b, &a, &b, has_pair, cut, arena, err)) != TKA_OK)
        return st == TKA_ERR_NOMEM ? tka_error_set(err, st, "out of memory encoding") : st;
    st = assemble(enc, bl, a.main, has_pair ? &b.main : NULL, 1, arena, out);
    if (st == TKA_OK && o->overflow) {
        /* COMPAT: Encoding::merge_with order: each overflow of A with B,
         * then with each overflow of B; then A with each overflow of B. */
        size_t n = has_pair ? a.n_ovf * (1 + b.n_ovf) + b.n_ovf : a.n_ovf;
        out->overflowing = arena_array(arena, n, sizeof *out->overflowing);
        if (!out->overflowing)
            st = TKA_ERR_NOMEM;
        size_t k = 0;
        for (size_t i = 0; i < a.n_ovf && st == TKA_OK; i++) {
            st = assemble(enc, bl, a.ovf[i], has_pair ? &b.main : NULL, 1, arena,
                          &out->overflowing[k++]);
            for (size_t j = 0; has_pair && j < b.n_ovf && st == TKA_OK; j++)
                st = assemble(enc, bl, a.ovf[i], &b.ovf[j], 1, arena, &out->overflowing[k++]);
        }
        for (size_t j = 0; has_pair && j < b.n_ovf && st == TKA_OK; j++)
            st = assemble(enc, bl, a.main, &b.ovf[j], 1, arena, &out->overflowing[k++]);
        out->n_overflowing = k;
    }
    if (st != TKA_OK)
        return tka_error_set(err, st, "out of memory encoding");
    return pad_as_asked(enc, out, arena, err);
}

static tka_status tokenize_one(tka_encoder *enc, const char *text, size_t len, tka_tokens *t,
                               const char *which, tka_error *err)
{
    tka_status st = tka_tokenize(enc->tok, text, len, enc->flags, t, err);
    if (st != TKA_OK)
        tka_error_prefix(err, "%s: ", which);
    return st;
}

tka_status tka_encoder_encode(tka_encoder *enc, const char *text, size_t len, const char *pair,
                              size_t pair_len, tka_arena *arena, tka_encoding *out, tka_error *err)
{
    memset(out, 0, sizeof *out);
    bool has_pair = pair != NULL;
    const tka_backend *be = enc->tok->backend;
    if (be->encode) {
        /* tokenizer.json: the file's post-processor places special tokens and type ids;
         * padding is shared below. */
        tka_status st =
            be->encode(enc->tok->model, &enc->o, text, len, pair, pair_len, arena, out, err);
        return st == TKA_OK ? pad_as_asked(enc, out, arena, err) : st;
    }
    tka_status st = tokenize_one(enc, text, len, &enc->a, "text", err);
    if (st == TKA_OK && has_pair)
        st = tokenize_one(enc, pair, pair_len, &enc->b, "text_pair", err);
    if (st != TKA_OK)
        return st;
    if (!has_pair)
        tka_tokens_clear(&enc->b);
    const tka_encode_options *o = &enc->o;
    blob bl;
    if ((st = make_blob(enc, has_pair, arena, &bl)) != TKA_OK)
        return tka_error_set(err, st, "out of memory encoding");
    size_t la = enc->a.count, lb = enc->b.count;
    bool truncating = o->truncation != TKA_TRUNCATE_NONE && o->max_length >= 0;

    if (enc->fast)
        return encode_fast(enc, &bl, has_pair, true, arena, out, err);
    size_t nspec = enc->wordpiece && o->add_special_tokens ? (has_pair ? 3 : 2) : 0;
    size_t total = la + lb + nspec;
    size_t ka = la, kb = lb;
    int32_t *ovf = NULL;
    size_t nov = 0;
    /* COMPAT: `if ... max_length and total_len > max_length`: a
     * max_length of 0 is falsy and truncates nothing. */
    if (truncating && o->max_length > 0 && total > (size_t)o->max_length)
        st = slow_truncate(enc, &ka, &kb, has_pair, total - (size_t)o->max_length, arena, &ovf,
                           &nov);
    if (st == TKA_OK && o->offsets && enc->wordpiece)
        st = adopt_fast_offsets(enc, text, len, pair, pair_len, ka, kb, arena);
    if (st == TKA_OK) {
        range ra = {0, ka}, rb = {0, kb};
        st = assemble(enc, &bl, ra, has_pair ? &rb : NULL, 0, arena, out);
    }
    if (st == TKA_OK && o->overflow && o->max_length >= 0) {
        out->overflowing_tokens = ovf ? ovf : arena_array(arena, 0, sizeof *ovf);
        out->n_overflowing_tokens = nov;
        out->num_truncated_tokens = (int64_t)total - o->max_length;
        if (!out->overflowing_tokens)
            st = TKA_ERR_NOMEM;
    }
    if (st != TKA_OK)
        return tka_error_set(err, st, "out of memory encoding");
    return pad_as_asked(enc, out, arena, err);
}

/* Words one by one into t (tka_encoder_encode_words), each word's tokens carrying its
 * position as word id; with truncation, each word stops at its first pre-token that starts
 * at or after max_length tokens (COMPAT: tokenize_with_limit runs per word). */
static tka_status tokenize_words(tka_encoder *enc, const char *const *w, const size_t *l, size_t n,
                                 tka_tokens *t, const char *which, tka_error *err)
{
    const tka_encode_options *o = &enc->o;
    unsigned flags = enc->flags | TKA_TOKENS_WORDS;
    size_t limit =
        o->truncation != TKA_TRUNCATE_NONE && o->max_length >= 0 ? (size_t)o->max_length : SIZE_MAX;
    tka_tokens_clear(t);
    tka_tokens *x = &enc->fa;
    for (size_t i = 0; i < n; i++) {
        tka_status st = tka_tokenize(enc->tok, w[i], l[i], flags, x, err);
        if (st != TKA_OK) {
            tka_error_prefix(err, "%s word %zu: ", which, i);
            return st;
        }
        size_t keep = x->count;
        for (size_t k = limit > 1 ? limit : 1; k < x->count && limit != SIZE_MAX; k++)
            if (x->words[k] != x->words[k - 1]) {
                keep = k;
                break;
            }
        if ((st = tka_tokens_reserve(t, keep, flags)) != TKA_OK)
            return tka_error_set(err, st, "out of memory encoding");
        t->n_words = (uint32_t)i;
        for (size_t k = 0; k < keep && st == TKA_OK; k++) {
            /* token strings only with TKA_TOKENS_STRINGS (then x->text holds them) */
            bool txt = x->text != NULL && x->text_start != NULL;
            st = tka_tokens_push(t, flags, x->ids[k], x->starts ? x->starts[k] : 0,
                                 x->ends ? x->ends[k] : 0, txt ? x->text + x->text_start[k] : "",
                                 txt ? x->text_len[k] : 0);
        }
        if (st != TKA_OK)
            return tka_error_set(err, st, "out of memory encoding");
    }
    return TKA_OK;
}

tka_status tka_encoder_encode_words(tka_encoder *enc, const char *const *words, const size_t *lens,
                                    size_t n, const char *const *pair_words,
                                    const size_t *pair_lens, size_t pair_n, tka_arena *arena,
                                    tka_encoding *out, tka_error *err)
{
    memset(out, 0, sizeof *out);
    bool has_pair = pair_words != NULL;
    const tka_backend *be = enc->tok->backend;
    if (enc->json && be->encode_words) {
        tka_word_input in = {words, lens, n, pair_words, pair_lens, pair_n};
        tka_status st = be->encode_words(enc->tok->model, &enc->o, &in, arena, out, err);
        return st == TKA_OK ? pad_as_asked(enc, out, arena, err) : st;
    }
    if (!enc->fast)
        return tka_error_set(err, TKA_ERR_UNSUPPORTED,
                             "pre-tokenized words are encoded as the Rust (fast) tokenizers do: "
                             "open a BERT vocabulary with compat fast, or a tokenizer.json");
    TKA_TRY(tokenize_words(enc, words, lens, n, &enc->a, "text", err));
    if (has_pair)
        TKA_TRY(tokenize_words(enc, pair_words, pair_lens, pair_n, &enc->b, "text_pair", err));
    else
        tka_tokens_clear(&enc->b);
    blob bl;
    tka_status st = make_blob(enc, has_pair, arena, &bl);
    if (st != TKA_OK)
        return tka_error_set(err, st, "out of memory encoding");
    return encode_fast(enc, &bl, has_pair, false, arena, out, err);
}

size_t tka_encoder_pad_width(const tka_encoder *enc, const tka_encoding *v, size_t n)
{
    if (enc->o.padding == TKA_PAD_NONE || n == 0)
        return 0;
    size_t target = 0;
    if (enc->o.padding == TKA_PAD_MAX_LENGTH)
        target = (size_t)enc->o.max_length;
    else
        for (size_t i = 0; i < n; i++)
            if (v[i].length > target)
                target = v[i].length;
    return round_up(enc, target);
}

tka_status tka_encoder_pad_to(const tka_encoder *enc, tka_encoding *v, size_t n, size_t width,
                              tka_arena *arena, tka_error *err)
{
    if (enc->o.padding == TKA_PAD_NONE)
        return TKA_OK;
    for (size_t i = 0; i < n; i++) {
        tka_status st = pad_all(enc, &v[i], width, arena);
        if (st != TKA_OK)
            return tka_error_set(err, st, "out of memory padding");
    }
    return TKA_OK;
}

tka_status tka_encoder_pad(const tka_encoder *enc, tka_encoding *v, size_t n, tka_arena *arena,
                           tka_error *err)
{
    return tka_encoder_pad_to(enc, v, n, tka_encoder_pad_width(enc, v, n), arena, err);
}

tka_status tka_encode(const tka_tokenizer *tok, const tka_encode_options *options, const char *text,
                      size_t len, const char *pair, size_t pair_len, tka_arena *arena,
                      tka_encoding *out, tka_error *err)
{
    tka_encoder *enc;
    TKA_TRY(tka_encoder_new(tok, options, &enc, err));
    tka_status st = tka_encoder_encode(enc, text, len, pair, pair_len, arena, out, err);
    tka_encoder_free(enc);
    return st;
}

const char *tka_encoding_token(const tka_tokenizer *tok, const tka_encoding *e, size_t i,
                               size_t *len)
{
    if (i >= e->length)
        return NULL;
    if (e->text_start && e->token_text) {
        *len = e->text_len[i];
        return e->token_text + e->text_start[i];
    }
    return tka_tokenizer_id_to_token(tok, e->input_ids[i], len);
}
