/* SentencePiece-specific inspection of an open tokenizer: model settings,
 * piece types and scores, and the normalizer on its own. */
#ifndef TOKALIGN_SPM_H
#define TOKALIGN_SPM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tokalign/status.h"
#include "tokalign/text.h"
#include "tokalign/tokenizer.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tka_spm_info {
    const char *model_type; /* "UNIGRAM", "BPE", "WORD", "CHAR" */
    size_t piece_count;
    bool byte_fallback;
    bool add_dummy_prefix, remove_extra_whitespaces, escape_whitespaces;
    bool treat_whitespace_as_suffix;
    size_t charsmap_bytes;    /* size of the precompiled charsmap, 0 for identity */
    size_t self_test_samples; /* samples verified when the model was opened */
} tka_spm_info;

/* TKA_ERR_ARGUMENT when tok is not a SentencePiece tokenizer. */
TKA_API tka_status tka_spm_get_info(const tka_tokenizer *tok, tka_spm_info *info);

/* Piece types, numbered as in sentencepiece_model.proto. */
typedef enum tka_spm_piece_type {
    TKA_SPM_PIECE_NONE = 0, /* id out of range, or not a SentencePiece tokenizer */
    TKA_SPM_PIECE_NORMAL = 1,
    TKA_SPM_PIECE_UNKNOWN = 2,
    TKA_SPM_PIECE_CONTROL = 3,
    TKA_SPM_PIECE_USER_DEFINED = 4,
    TKA_SPM_PIECE_UNUSED = 5,
    TKA_SPM_PIECE_BYTE = 6
} tka_spm_piece_type;

TKA_API tka_spm_piece_type tka_spm_get_piece_type(const tka_tokenizer *tok, int32_t id);

/* The piece's score (0 for an invalid id). */
TKA_API float tka_spm_get_piece_score(const tka_tokenizer *tok, int32_t id);

/* The normalized form of text[0..len) that the model segments (U+2581 for
 * spaces, dummy prefix added), replacing the content of `out`. */
TKA_API tka_status tka_spm_normalize(const tka_tokenizer *tok, const char *text, size_t len,
                                     tka_buf *out, tka_error *err);

#ifdef __cplusplus
}
#endif
#endif
