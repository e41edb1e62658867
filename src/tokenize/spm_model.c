/* Building a SentencePiece model from its ModelProto: libsentencepiece's
 * load-time checks (InitializePieces), piece lookup tables, the normalizer
 * and the Unigram scores. */
#include "tokenize/spm_model.h"

#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "core/io.h"
#include "tokalign/tokenizer.h"
#include "core/try.h"

/* Models are read whole; protobuf itself refuses messages over 2 GiB. */
#define SPM_MAX_MODEL_BYTES ((size_t)2 << 30)

void *spm_scratch_get(spm_scratch *s, size_t bytes)
{
    if (bytes <= s->cap)
        return s->mem;
    size_t cap;
    if (!tka_grow_capacity(s->cap, bytes, 1, 4096, &cap))
        return NULL;
    void *p = malloc(cap); /* the content is not kept: no realloc */
    if (!p)
        return NULL;
    if (s->heap)
        free(s->mem);
    s->mem = p;
    s->cap = cap;
    s->heap = true;
    return p;
}

void spm_scratch_release(spm_scratch *s)
{
    if (s->heap)
        free(s->mem);
    s->mem = NULL;
    s->cap = 0;
    s->heap = false;
}

/* ByteToPiece/PieceToByte: exactly "<0x" two upper-case hex digits ">". */
static int piece_to_byte(spm_bytes p)
{
    if (p.len != 6 || memcmp(p.data, "<0x", 3) != 0 || p.data[5] != '>')
        return -1;
    int v = 0;
    for (int i = 3; i < 5; i++) {
        char c = p.data[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

int32_t spm_piece_to_id(const spm_model *m, const char *s, size_t len)
{
    int32_t id = tka_trie_find(&m->reserved_trie, s, len);
    if (id >= 0)
        return id;
    id = tka_trie_find(&m->pieces_trie, s, len);
    return id >= 0 ? id : m->unk_id;
}

static tka_status bad_model(tka_error *err, const spm_model *m, int32_t id, spm_bytes piece,
                            const char *problem)
{
    size_t n = piece.len < 64 ? piece.len : 64;
    return tka_error_set(err, TKA_ERR_FORMAT,
                         "%s: invalid SentencePiece model: piece %d (\"%.*s\") %s", m->path, id,
                         (int)n, piece.data, problem);
}

static bool has_nul(spm_bytes b)
{
    return memchr(b.data, '\0', b.len) != NULL;
}

/* ModelInterface::InitializePieces and the tables derived from it. */
static tka_status init_pieces(spm_model *m, tka_error *err)
{
    const spm_proto *pr = &m->proto;
    size_t n = pr->n_pieces;
    tka_status st = TKA_OK;
    tka_trie_key *normal = malloc((n ? n : 1) * sizeof *normal);
    tka_trie_key *reserved = malloc((n ? n : 1) * sizeof *reserved);
    spm_bytes *user = malloc((n ? n : 1) * sizeof *user);
    size_t n_normal = 0, n_reserved = 0, n_user = 0;
    bool byte_found[256] = {false};
    m->byte_of = malloc((n ? n : 1) * sizeof *m->byte_of);
    m->out_id = malloc((n ? n : 1) * sizeof *m->out_id);
    if (!normal || !reserved || !user || !m->byte_of || !m->out_id) {
        st = tka_error_set(err, TKA_ERR_NOMEM, "%s: out of memory loading the model", m->path);
        goto done;
    }
    m->unk_id = -1;
    for (int i = 0; i < 256; i++)
        m->byte_id[i] = -1;
    for (size_t i = 0; i < n; i++) {
        const spm_proto_piece *p = &pr->pieces[i];
        int32_t id = (int32_t)i;
        m->byte_of[i] = -1;
        if (p->text.len == 0) {
            st = bad_model(err, m, id, p->text, "is empty");
            goto done;
        }
        bool is_normal = p->type == SPM_PIECE_NORMAL || p->type == SPM_PIECE_USER_DEFINED ||
                         p->type == SPM_PIECE_UNUSED;
        /* COMPAT: libsentencepiece indexes Unigram pieces and user-defined
         * symbols in Darts tries built from C strings, so it truncates a
         * piece at a NUL byte; such models are refused rather than guessed. */
        if (has_nul(p->text) &&
            (p->type == SPM_PIECE_USER_DEFINED || (is_normal && m->type == SPM_MODEL_UNIGRAM))) {
            tka_error_set(err, TKA_ERR_UNSUPPORTED,
                          "%s: piece %d contains a NUL byte, which libsentencepiece truncates",
                          m->path, id);
            st = TKA_ERR_UNSUPPORTED;
            goto done;
        }
        if (is_normal)
            normal[n_normal++] = (tka_trie_key){p->text.data, p->text.len, id};
        else
            reserved[n_reserved++] = (tka_trie_key){p->text.data, p->text.len, id};
        if (p->type == SPM_PIECE_USER_DEFINED)
            user[n_user++] = p->text;
        if (p->type == SPM_PIECE_UNKNOWN) {
            if (m->unk_id >= 0) {
                st = bad_model(err, m, id, p->text, "is a second UNKNOWN piece");
                goto done;
            }
            m->unk_id = id;
        }
        if (p->type == SPM_PIECE_BYTE) {
            if (!m->byte_fallback) {
                st = bad_model(err, m, id, p->text, "is a BYTE piece but byte_fallback is off");
                goto done;
            }
            int b = piece_to_byte(p->text);
            if (b < 0) {
                st = bad_model(err, m, id, p->text, "is a BYTE piece that is not <0xXX>");
                goto done;
            }
            byte_found[b] = true;
            m->byte_of[i] = b;
        }
    }
    if (m->unk_id < 0) {
        st = tka_error_set(err, TKA_ERR_FORMAT,
                           "%s: invalid SentencePiece model: no piece has type UNKNOWN", m->path);
        goto done;
    }
    if (m->byte_fallback)
        for (int b = 0; b < 256; b++)
            if (!byte_found[b]) {
                st = tka_error_set(err, TKA_ERR_FORMAT,
                                   "%s: invalid SentencePiece model: byte_fallback is on but the "
                                   "piece <0x%02X> is missing",
                                   m->path, b);
                goto done;
            }
    if (m->type == SPM_MODEL_UNIGRAM && n_normal == 0) {
        st = tka_error_set(err, TKA_ERR_FORMAT,
                           "%s: invalid SentencePiece model: no NORMAL, USER_DEFINED or UNUSED "
                           "piece",
                           m->path);
        goto done;
    }
    st = tka_trie_build(&m->pieces_trie, normal, n_normal, TKA_TRIE_DUPS_ERROR, "piece", err);
    if (st == TKA_OK)
        st = tka_trie_build(&m->reserved_trie, reserved, n_reserved, TKA_TRIE_DUPS_ERROR, "piece",
                            err);
    if (st != TKA_OK) {
        tka_error_prefix(err, "%s: invalid SentencePiece model: ", m->path);
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        const spm_proto_piece *p = &pr->pieces[i];
        int32_t r = tka_trie_find(&m->reserved_trie, p->text.data, p->text.len);
        m->out_id[i] = r >= 0 ? r : (int32_t)i;
        if (m->byte_of[i] >= 0)
            m->byte_id[m->byte_of[i]] = (int32_t)i;
        if (p->type == SPM_PIECE_UNUSED)
            m->has_unused = true;
    }
    st = spm_normalizer_init(&m->normalizer, &pr->normalizer,
                             pr->trainer.treat_whitespace_as_suffix, user, n_user, m->path, err);
done:
    free(normal);
    free(reserved);
    free(user);
    return st;
}

/* unigram::Model's score bookkeeping. */
static tka_status init_unigram(spm_model *m, tka_error *err)
{
    /* COMPAT: min starts at FLT_MAX and max at FLT_MIN (the smallest positive
     * float, not the lowest), over NORMAL pieces only, with std::min/max. */
    float lo = FLT_MAX, hi = FLT_MIN;
    for (int32_t i = 0; i < m->n_pieces; i++) {
        if (m->pieces[i].type != SPM_PIECE_NORMAL)
            continue;
        float s = m->pieces[i].score;
        lo = s < lo ? s : lo;
        hi = hi < s ? s : hi;
    }
    m->min_score = lo;
    m->max_score = hi;
    m->unk_score = lo - 10.0f; /* kUnkPenalty */
    m->lattice_score = malloc((m->n_pieces ? (size_t)m->n_pieces : 1) * sizeof *m->lattice_score);
    if (!m->lattice_score)
        return tka_error_set(err, TKA_ERR_NOMEM, "%s: out of memory", m->path);
    for (int32_t i = 0; i < m->n_pieces; i++) {
        const spm_proto_piece *p = &m->pieces[i];
        if (p->type == SPM_PIECE_USER_DEFINED)
            /* COMPAT: EncodeOptimized gives a user-defined piece
             * length * max_score - 0.1, the product in float and the
             * subtraction in double. */
            m->lattice_score[i] = (double)((float)p->text.len * hi) - 0.1;
        else
            m->lattice_score[i] = (double)p->score;
    }
    return TKA_OK;
}

/* SentencePieceProcessor::unk_id()/bos_id()/...: the id of the trainer
 * spec's piece name when that piece has the expected type, else -1. */
static int32_t typed_piece_id(const spm_model *m, spm_bytes name, spm_piece_type type)
{
    int32_t id = spm_piece_to_id(m, name.data, name.len);
    return m->pieces[id].type == type ? id : -1;
}

static int32_t named_piece_id(const spm_model *m, const char *name)
{
    size_t len = strlen(name);
    int32_t id = tka_trie_find(&m->reserved_trie, name, len);
    return id >= 0 ? id : tka_trie_find(&m->pieces_trie, name, len);
}

static void init_specials(spm_model *m)
{
    const spm_proto_trainer *ts = &m->proto.trainer;
    for (int i = 0; i < 8; i++)
        m->special[i] = -1;
    m->special[TKA_SPECIAL_UNK] = typed_piece_id(m, ts->unk_piece, SPM_PIECE_UNKNOWN);
    m->special[TKA_SPECIAL_BOS] = typed_piece_id(m, ts->bos_piece, SPM_PIECE_CONTROL);
    m->special[TKA_SPECIAL_EOS] = typed_piece_id(m, ts->eos_piece, SPM_PIECE_CONTROL);
    m->special[TKA_SPECIAL_PAD] = typed_piece_id(m, ts->pad_piece, SPM_PIECE_CONTROL);
    m->special[TKA_SPECIAL_CLS] = named_piece_id(m, "[CLS]");
    m->special[TKA_SPECIAL_SEP] = named_piece_id(m, "[SEP]");
    m->special[TKA_SPECIAL_MASK] = named_piece_id(m, "[MASK]");
}

static tka_status build(spm_model *m, tka_error *err)
{
    TKA_TRY(spm_proto_parse(m->file.data, m->file.len, m->path, &m->proto, err));
    const spm_proto_trainer *ts = &m->proto.trainer;
    m->type = (spm_model_type)ts->model_type;
    if (m->proto.n_pieces > (size_t)INT32_MAX - 1)
        return tka_error_set(err, TKA_ERR_LIMIT, "%s: too many pieces", m->path);
    m->n_pieces = (int32_t)m->proto.n_pieces;
    m->pieces = m->proto.pieces;
    m->byte_fallback = ts->byte_fallback;
    m->unk_surface = ts->unk_surface;
    m->has_denormalizer =
        m->proto.denormalizer.present && m->proto.denormalizer.precompiled_charsmap.len > 0;
    tka_status st = init_pieces(m, err);
    if (st == TKA_OK && m->type == SPM_MODEL_UNIGRAM)
        st = init_unigram(m, err);
    if (st == TKA_OK)
        init_specials(m);
    return st;
}

tka_status spm_model_load_bytes(const char *data, size_t len, const char *name, spm_model **out,
                                tka_error *err)
{
    *out = NULL;
    spm_model *m = calloc(1, sizeof *m);
    if (!m || !(m->path = strdup(name)) || tka_buf_append(&m->file, data, len) != TKA_OK) {
        spm_model_free(m);
        return tka_error_set(err, TKA_ERR_NOMEM, "%s: out of memory loading the model", name);
    }
    tka_status st = build(m, err);
    if (st != TKA_OK) {
        spm_model_free(m);
        return st;
    }
    *out = m;
    return TKA_OK;
}

tka_status spm_model_load(const char *path, spm_model **out, tka_error *err)
{
    *out = NULL;
    spm_model *m = calloc(1, sizeof *m);
    if (!m || !(m->path = strdup(path))) {
        spm_model_free(m);
        return tka_error_set(err, TKA_ERR_NOMEM, "%s: out of memory loading the model", path);
    }
    tka_status st = tka_read_file(path, SPM_MAX_MODEL_BYTES, &m->file, err);
    if (st == TKA_OK)
        st = build(m, err);
    if (st != TKA_OK) {
        spm_model_free(m);
        return st;
    }
    *out = m;
    return TKA_OK;
}

void spm_model_free(spm_model *m)
{
    if (!m)
        return;
    spm_normalizer_free(&m->normalizer);
    tka_trie_free(&m->pieces_trie);
    tka_trie_free(&m->reserved_trie);
    free(m->byte_of);
    free(m->out_id);
    free(m->lattice_score);
    spm_proto_free(&m->proto);
    tka_buf_free(&m->file);
    free(m->path);
    free(m);
}
