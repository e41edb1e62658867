/* Text to pieces: normalize, segment with the model, then shape the result
 * as SentencePieceProcessor::PopulateSentencePieceText does (runs of unknown
 * pieces merged, byte fallback, offsets into the original text). */
#include <string.h>

#include "tokenize/backend.h"
#include "tokenize/spm_encode.h"
#include "core/try.h"

/* One result per byte of the text, in the scratch. */
static tka_status results_room(spm_scratch *scratch, size_t len, spm_result **results,
                               tka_error *err)
{
    if (len > SIZE_MAX / sizeof(spm_result) ||
        !(*results = spm_scratch_get(scratch, len * sizeof(spm_result))))
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory encoding %zu bytes", len);
    return TKA_OK;
}

tka_status spm_char_encode(const spm_model *m, const char *text, size_t len, spm_scratch *scratch,
                           spm_result **results, size_t *n_results, tka_error *err)
{
    *n_results = 0;
    if (len == 0)
        return TKA_OK;
    TKA_TRY(results_room(scratch, len, results, err));
    size_t n = 0;
    for (size_t pos = 0; pos < len;) {
        size_t mb = spm_user_prefix(&m->normalizer, text + pos, len - pos);
        if (!mb) {
            mb = spm_one_char_len(text + pos);
            if (mb > len - pos)
                mb = len - pos;
        }
        (*results)[n++] =
            (spm_result){(uint32_t)pos, (uint32_t)mb, spm_piece_to_id(m, text + pos, mb)};
        pos += mb;
    }
    *n_results = n;
    return TKA_OK;
}

/* word::Model::Encode: the normalized text split before every U+2581, each
 * word looked up whole.
 * COMPAT: 0.1.97 calls SplitIntoWords with its default arguments, so
 * treat_whitespace_as_suffix and allow_whitespace_only_pieces do not change
 * how a WORD model splits (checked against python3-sentencepiece). */
tka_status spm_word_encode(const spm_model *m, const char *text, size_t len, spm_scratch *scratch,
                           spm_result **results, size_t *n_results, tka_error *err)
{
    *n_results = 0;
    if (len == 0)
        return TKA_OK;
    TKA_TRY(results_room(scratch, len, results, err));
    spm_result *r = *results;
    size_t n = 0;
    for (size_t pos = 0; pos < len;) {
        size_t mb = spm_one_char_len(text + pos);
        if (mb > len - pos)
            mb = len - pos;
        if (pos == 0 || (mb == 3 && memcmp(text + pos, "\xe2\x96\x81", 3) == 0))
            r[n++] = (spm_result){(uint32_t)pos, 0, 0};
        r[n - 1].len += (uint32_t)mb;
        pos += mb;
    }
    for (size_t i = 0; i < n; i++)
        r[i].id = spm_piece_to_id(m, text + r[i].start, r[i].len);
    *n_results = n;
    return TKA_OK;
}

/* Code-point offsets of increasing byte offsets into the original text. */
typedef struct cp_cursor {
    const unsigned char *text;
    size_t byte, cp;
} cp_cursor;

static uint32_t cp_at(cp_cursor *c, size_t byte)
{
    if (byte < c->byte) {
        c->byte = 0;
        c->cp = 0;
    }
    for (; c->byte < byte; c->byte++)
        c->cp += (c->text[c->byte] & 0xc0) != 0x80;
    return (uint32_t)c->cp;
}

static const char hex_upper[] = "0123456789ABCDEF";

tka_status spm_encode(const spm_model *m, const char *text, size_t len, unsigned flags,
                      tka_tokens *out, tka_error *err)
{
    /* Short lines are handled entirely in stack memory. */
    _Alignas(8) char scratch_seed[24576];
    char norm_seed[2048];
    uint32_t map_seed[2048];
    bool want_map = (flags & TKA_TOKENS_OFFSETS) != 0;
    spm_normalized norm;
    spm_normalized_init(&norm, norm_seed, sizeof norm_seed, want_map ? map_seed : NULL,
                        want_map ? sizeof map_seed / sizeof *map_seed : 0);
    spm_scratch scratch = {scratch_seed, sizeof scratch_seed, false};
    spm_result *res = NULL;
    size_t n_res = 0;

    tka_status st = spm_normalize(&m->normalizer, text, len, want_map, &norm, err);
    if (st == TKA_OK && norm.len > (size_t)INT32_MAX - 1)
        st = tka_error_set(err, TKA_ERR_LIMIT,
                           "normalized text of %zu bytes exceeds the 2 GiB limit", norm.len);
    if (st == TKA_OK) {
        switch (m->type) {
        case SPM_MODEL_BPE:
            st = spm_bpe_encode(m, norm.text, norm.len, &scratch, &res, &n_res, err);
            break;
        case SPM_MODEL_CHAR:
            st = spm_char_encode(m, norm.text, norm.len, &scratch, &res, &n_res, err);
            break;
        case SPM_MODEL_WORD:
            st = spm_word_encode(m, norm.text, norm.len, &scratch, &res, &n_res, err);
            break;
        default:
            st = spm_unigram_encode(m, norm.text, norm.len, &scratch, &res, &n_res, err);
            break;
        }
    }
    if (st != TKA_OK)
        goto done;

    size_t extra = n_res + (m->byte_fallback ? norm.len : 0);
    if (tka_tokens_reserve(out, extra, flags) != TKA_OK) {
        st = tka_error_set(err, TKA_ERR_NOMEM, "out of memory storing %zu tokens", extra);
        goto done;
    }
    size_t first_token = out->count, first_text = out->text_used;
    cp_cursor cur = {(const unsigned char *)text, 0, 0};
    size_t consumed = 0;
    bool prev_unk = false;
    for (size_t i = 0; i < n_res; i++) {
        const spm_result *r = &res[i];
        const char *w = norm.text + r->start;
        uint8_t type = m->pieces[r->id].type;
        bool is_unk = type == SPM_PIECE_UNKNOWN;
        if (type == SPM_PIECE_CONTROL) {
            /* COMPAT: PopulateSentencePieceText gives a control piece no
             * surface, so its bytes are never consumed and the call fails
             * ("all normalized characters are not consumed"); sp.encode then
             * returns an empty list for the whole text. Only a BPE model whose
             * CONTROL piece spells a mergeable text gets here. */
            out->count = first_token;
            out->text_used = first_text;
            st = TKA_OK;
            goto done;
        }
        uint32_t begin = 0, end = 0;
        if (want_map) {
            begin = cp_at(&cur, norm.map[consumed]);
            end = cp_at(&cur, norm.map[consumed + r->len]);
        }
        if (is_unk && m->byte_fallback) {
            /* One <0xXX> piece per byte; only the last carries the surface. */
            for (uint32_t k = 0; k < r->len; k++) {
                unsigned char b = (unsigned char)w[k];
                char piece[6] = {'<', '0', 'x', hex_upper[b >> 4], hex_upper[b & 15], '>'};
                bool last = k + 1 == r->len;
                st =
                    tka_tokens_push(out, flags, m->byte_id[b], begin, last ? end : begin, piece, 6);
                if (st != TKA_OK)
                    goto nomem;
            }
        } else if (prev_unk && is_unk) {
            /* Runs of unknown pieces become one piece. */
            size_t last = out->count - 1;
            if (flags & TKA_TOKENS_OFFSETS)
                out->ends[last] = end;
            if (flags & TKA_TOKENS_STRINGS) {
                if (tka_tokens_reserve_text(out, r->len) != TKA_OK)
                    goto nomem;
                memcpy(out->text + out->text_used, w, r->len);
                out->text_used += r->len;
                out->text_len[last] += r->len;
            }
        } else {
            TKA_TRY_GOTO(st, tka_tokens_push(out, flags, r->id, begin, end, w, r->len), nomem);
        }
        consumed += r->len;
        prev_unk = is_unk;
    }
    st = TKA_OK;
    goto done;
nomem:
    st = tka_error_set(err, TKA_ERR_NOMEM, "out of memory storing tokens");
done:
    spm_scratch_release(&scratch);
    spm_normalized_free(&norm);
    return st;
}
