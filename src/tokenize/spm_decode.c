/* Ids to text as libsentencepiece 0.1.97's DecodeIds does it. */
#include <string.h>

#include "tokenize/spm_encode.h"
#include "core/try.h"

#define SPACE_SYMBOL "\xe2\x96\x81"

/* ProcessBytePieces: each well-formed character of the byte run as is, each
 * ill-formed byte as U+FFFD (libsentencepiece's DecodeUTF8 rules). */
static tka_status flush_bytes(tka_buf *out, const tka_buf *bytes)
{
    const char *b = bytes->data;
    for (size_t off = 0; off < bytes->len;) {
        size_t cl = spm_utf8_valid_len(b + off, bytes->len - off);
        TKA_TRY(cl ? tka_buf_append(out, b + off, cl) : tka_buf_append(out, "\xEF\xBF\xBD", 3));
        off += cl ? cl : 1;
    }
    return TKA_OK;
}

/* DecodeSentencePiece for one non-byte piece; *bos_ws_seen tells whether a
 * leading U+2581 was consumed and must be the only one. */
static tka_status decode_piece(const spm_model *m, spm_bytes piece, int32_t id, bool is_bos_ws,
                               bool *bos_ws_seen, tka_buf *out)
{
    const spm_proto_piece *p = &m->pieces[id];
    *bos_ws_seen = false;
    if (p->type == SPM_PIECE_CONTROL)
        return TKA_OK;
    if (p->type == SPM_PIECE_UNKNOWN) {
        if (p->text.len == piece.len && memcmp(p->text.data, piece.data, piece.len) == 0)
            return tka_buf_append(out, m->unk_surface.data, m->unk_surface.len);
        return tka_buf_append(out, piece.data, piece.len);
    }
    const char *s = piece.data;
    size_t len = piece.len;
    const spm_normalizer *nz = &m->normalizer;
    /* COMPAT: the leading U+2581 is dropped at the start of the text only
     * when the model adds a dummy prefix or removes extra whitespace; with
     * remove_extra_whitespaces every leading one goes (until some text is
     * produced), otherwise just the first. */
    if (is_bos_ws && (nz->add_dummy_prefix || nz->remove_extra_whitespaces) && len >= 3 &&
        memcmp(s, SPACE_SYMBOL, 3) == 0) {
        s += 3;
        len -= 3;
        *bos_ws_seen = !nz->remove_extra_whitespaces;
    }
    size_t run = 0;
    for (size_t i = 0; i < len;) {
        if (len - i >= 3 && memcmp(s + i, SPACE_SYMBOL, 3) == 0) {
            TKA_TRY(tka_buf_append(out, s + run, i - run));
            TKA_TRY(tka_buf_append_char(out, ' '));
            i += 3;
            run = i;
        } else {
            i++;
        }
    }
    return tka_buf_append(out, s + run, len - run);
}

tka_status spm_decode_ids(const spm_model *m, const int32_t *ids, size_t n, tka_buf *out,
                          tka_error *err)
{
    if (m->has_denormalizer)
        return tka_error_set(err, TKA_ERR_UNSUPPORTED,
                             "%s: decoding with a denormalizer_spec is not supported", m->path);
    for (size_t i = 0; i < n; i++)
        if (ids[i] < 0 || ids[i] >= m->n_pieces)
            return tka_error_set(err, TKA_ERR_ARGUMENT,
                                 "id %d at position %zu is out of range (the vocabulary has %d "
                                 "pieces)",
                                 ids[i], i, m->n_pieces);
    size_t start = out->len;
    tka_buf bytes = {0};
    tka_status st = TKA_OK;
    bool is_bos_ws = true, bos_ws_seen = false;
    for (size_t i = 0; i < n && st == TKA_OK; i++) {
        /* DecodeIds goes through IdToPiece then PieceToId, so a piece whose
         * text is also a reserved piece decodes as the reserved one. */
        spm_bytes piece = m->pieces[ids[i]].text;
        int32_t id = spm_piece_to_id(m, piece.data, piece.len);
        if (m->pieces[id].type == SPM_PIECE_BYTE) {
            st = tka_buf_append_char(&bytes, (char)m->byte_of[id]);
            continue;
        }
        if (bytes.len) {
            st = flush_bytes(out, &bytes);
            bytes.len = 0;
            if (st != TKA_OK)
                break;
        }
        if (bos_ws_seen || out->len != start)
            is_bos_ws = false;
        st = decode_piece(m, piece, id, is_bos_ws, &bos_ws_seen, out);
    }
    if (st == TKA_OK && bytes.len)
        st = flush_bytes(out, &bytes);
    tka_buf_free(&bytes);
    if (st != TKA_OK)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory decoding %zu ids", n);
    return TKA_OK;
}
