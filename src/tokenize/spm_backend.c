/* The SentencePiece family behind tka_tokenizer: opening a .model (with
 * libsentencepiece's self-test), the backend vtable and the tka_spm_*
 * inspection API. */
#include <stdlib.h>
#include <string.h>

#include "tokalign/spm.h"
#include "tokenize/backend.h"
#include "tokenize/spm_encode.h"
#include "core/try.h"

static void spm_free(void *model)
{
    spm_model_free(model);
}

static tka_status spm_tokenize(const void *model, const char *text, size_t len, unsigned flags,
                               tka_tokens *out, tka_error *err)
{
    return spm_encode(model, text, len, flags, out, err);
}

static size_t spm_vocab_size(const void *model)
{
    return (size_t)((const spm_model *)model)->n_pieces;
}

static const char *spm_id_to_token(const void *model, int32_t id, size_t *len)
{
    const spm_model *m = model;
    if (id < 0 || id >= m->n_pieces)
        return NULL;
    if (len)
        *len = m->pieces[id].text.len;
    return m->pieces[id].text.data;
}

static int32_t spm_token_to_id(const void *model, const char *token, size_t len)
{
    const spm_model *m = model;
    int32_t id = tka_trie_find(&m->reserved_trie, token, len);
    return id >= 0 ? id : tka_trie_find(&m->pieces_trie, token, len);
}

static int32_t spm_special_id(const void *model, tka_special which)
{
    const spm_model *m = model;
    return (int)which >= 0 && (int)which < 8 ? m->special[which] : -1;
}

static tka_status spm_tokens_to_string(const void *model, const int32_t *ids, size_t n,
                                       tka_buf *out, tka_error *err)
{
    return spm_decode_ids(model, ids, n, out, err);
}

static const tka_backend spm_backend = {
    "sentencepiece",
    spm_free,
    spm_tokenize,
    spm_vocab_size,
    spm_id_to_token,
    spm_token_to_id,
    spm_special_id,
    spm_tokens_to_string,
    NULL,
    NULL,
    NULL,
    NULL,
    NULL,
};

/* unigram::Model::VerifyOutputsEquivalent's score of a space-joined
 * segmentation. */
static float unigram_score(const spm_model *m, const char *s, size_t len)
{
    float total = 0.0f;
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && s[i] != ' ')
            continue;
        int32_t id = spm_piece_to_id(m, s + start, i - start);
        if (id == m->unk_id)
            total += m->unk_score;
        else if (m->pieces[id].type == SPM_PIECE_USER_DEFINED)
            total = (float)((double)total + ((double)((float)(i - start) * m->max_score) - 0.1));
        else
            total += m->pieces[id].score;
        start = i + 1;
    }
    return total;
}

/* SentencePieceProcessor::Load runs the model's self_test_data and refuses
 * the model when a sample segments differently (for Unigram: with a
 * different score). */
static tka_status self_test(const spm_model *m, tka_error *err)
{
    const spm_proto *pr = &m->proto;
    tka_tokens toks = {0};
    tka_buf joined = {0};
    tka_status st = TKA_OK;
    for (size_t i = 0; i < pr->n_samples && st == TKA_OK; i++) {
        const spm_proto_sample *s = &pr->samples[i];
        tka_tokens_clear(&toks);
        joined.len = 0;
        st = spm_encode(m, s->input.data, s->input.len, TKA_TOKENS_STRINGS, &toks, err);
        for (size_t k = 0; st == TKA_OK && k < toks.count; k++) {
            if (k)
                st = tka_buf_append_char(&joined, ' ');
            if (st == TKA_OK)
                st = tka_buf_append(&joined, toks.text + toks.text_start[k], toks.text_len[k]);
        }
        if (st != TKA_OK)
            break;
        bool same = joined.len == s->expected.len &&
                    (joined.len == 0 || memcmp(joined.data, s->expected.data, joined.len) == 0);
        if (!same && m->type == SPM_MODEL_UNIGRAM) {
            float a = unigram_score(m, s->expected.data, s->expected.len);
            float b = unigram_score(m, joined.data ? joined.data : "", joined.len);
            same = !(a - b > 1e-7f || b - a > 1e-7f);
        }
        if (!same)
            st = tka_error_set(err, TKA_ERR_FORMAT,
                               "%s: the model's self-test sample %zu segments as \"%.*s\" where "
                               "the model expects \"%.*s\"",
                               m->path, i + 1, (int)(joined.len < 200 ? joined.len : 200),
                               joined.data ? joined.data : "",
                               (int)(s->expected.len < 200 ? s->expected.len : 200),
                               s->expected.data);
    }
    tka_tokens_free(&toks);
    tka_buf_free(&joined);
    return st;
}

tka_status tka_sentencepiece_open(const tka_resolved *files, const tka_tokenizer_options *options,
                                  const tka_backend **backend, void **model, tka_buf *warnings,
                                  tka_error *err)
{
    (void)options;
    (void)warnings;
    spm_model *m;
    TKA_TRY(spm_model_load(files->file, &m, err));
    tka_status st = self_test(m, err);
    if (st != TKA_OK) {
        spm_model_free(m);
        return st;
    }
    *backend = &spm_backend;
    *model = m;
    return TKA_OK;
}

/* ---- tka_spm_* inspection ---- */

static const spm_model *model_of(const tka_tokenizer *tok)
{
    return tok && tok->kind == TKA_TOKENIZER_SENTENCEPIECE ? tok->model : NULL;
}

tka_status tka_spm_get_info(const tka_tokenizer *tok, tka_spm_info *info)
{
    const spm_model *m = model_of(tok);
    if (!m)
        return TKA_ERR_ARGUMENT;
    static const char *const names[] = {"UNIGRAM", "BPE", "WORD", "CHAR"};
    memset(info, 0, sizeof *info);
    info->model_type = m->type >= 1 && m->type <= 4 ? names[m->type - 1] : "UNKNOWN";
    info->piece_count = (size_t)m->n_pieces;
    info->byte_fallback = m->byte_fallback;
    info->add_dummy_prefix = m->normalizer.add_dummy_prefix;
    info->remove_extra_whitespaces = m->normalizer.remove_extra_whitespaces;
    info->escape_whitespaces = m->normalizer.escape_whitespaces;
    info->treat_whitespace_as_suffix = m->normalizer.treat_whitespace_as_suffix;
    info->charsmap_bytes = m->proto.normalizer.precompiled_charsmap.len;
    info->self_test_samples = m->proto.n_samples;
    return TKA_OK;
}

tka_spm_piece_type tka_spm_get_piece_type(const tka_tokenizer *tok, int32_t id)
{
    const spm_model *m = model_of(tok);
    if (!m || id < 0 || id >= m->n_pieces)
        return TKA_SPM_PIECE_NONE;
    return (tka_spm_piece_type)m->pieces[id].type;
}

float tka_spm_get_piece_score(const tka_tokenizer *tok, int32_t id)
{
    const spm_model *m = model_of(tok);
    if (!m || id < 0 || id >= m->n_pieces)
        return 0.0f;
    return m->pieces[id].score;
}

tka_status tka_spm_normalize(const tka_tokenizer *tok, const char *text, size_t len, tka_buf *out,
                             tka_error *err)
{
    const spm_model *m = model_of(tok);
    if (!m)
        return tka_error_set(err, TKA_ERR_ARGUMENT, "not a SentencePiece tokenizer");
    spm_normalized norm;
    spm_normalized_init(&norm, NULL, 0, NULL, 0);
    tka_status st = spm_normalize(&m->normalizer, text, len, false, &norm, err);
    if (st == TKA_OK) {
        out->len = 0;
        st = tka_buf_append(out, norm.text ? norm.text : "", norm.len);
        if (st != TKA_OK)
            st = tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
    }
    spm_normalized_free(&norm);
    return st;
}
