/* The SentencePiece encode pipeline behind the backend's tokenize. */
#ifndef TKA_SPM_ENCODE_H
#define TKA_SPM_ENCODE_H

#include <stddef.h>

#include "tokalign/tokenizer.h"
#include "tokenize/spm_model.h"

/* Appends the pieces of text[0..len) to `out` as sp.encode would produce
 * them: ids, with TKA_TOKENS_STRINGS the piece strings, with
 * TKA_TOKENS_OFFSETS code-point [begin, end) of each piece's surface in the
 * original text (libsentencepiece's begin/end). */
tka_status spm_encode(const spm_model *m, const char *text, size_t len, unsigned flags,
                      tka_tokens *out, tka_error *err);

/* DecodeIds: ids to text (U+2581 to space, the leading space of the first
 * piece dropped, control pieces invisible, unknown as unk_surface, byte
 * pieces reassembled). Appends to `out`. */
tka_status spm_decode_ids(const spm_model *m, const int32_t *ids, size_t n, tka_buf *out,
                          tka_error *err);

#endif
