/* The one packer of an encoding's sequences into a row of stored values, with
 * the one fill rule for a field the encoding lacks. */
#ifndef TKA_PIPELINE_PACK_H
#define TKA_PIPELINE_PACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tokalign/collate.h"

/* The value of every position of a field the encoding lacks.
 * COMPAT: HF's PreTrainedTokenizerBase._pad adds a missing attention_mask as
 * [1] * len(input_ids) (every token is attended); a missing token_type_ids is
 * create_token_type_ids_from_sequences' len(ids) * [0] and a missing
 * special_tokens_mask is 0 for tokens that are not specials (a SentencePiece
 * model without special tokens). Today tokalign's encoder always fills
 * attention_mask and special_tokens_mask, and token_type_ids is missing only
 * for SentencePiece, where the pipeline refuses that field; the rule keeps a
 * new backend honest. */
static inline int32_t pack_fill_value(tka_seq_field field)
{
    return field == TKA_FIELD_ATTENTION_MASK ? 1 : 0;
}

/* Writes the present fields of one encoding, each `length` values (a NULL
 * field is filled by pack_fill_value), one after the other from `dst`;
 * returns the number of values written. */
static inline size_t pack_fields(int32_t *dst, const bool present[TKA_FIELD_SEQ_COUNT],
                                 const int32_t *const src[TKA_FIELD_SEQ_COUNT], size_t length)
{
    int32_t *start = dst;
    for (int f = 0; f < TKA_FIELD_SEQ_COUNT; f++) {
        if (!present[f])
            continue;
        if (src[f] && length) /* an empty encoding may have no buffer to copy from */
            memcpy(dst, src[f], length * sizeof *dst);
        else
            for (size_t i = 0; i < length; i++)
                dst[i] = pack_fill_value((tka_seq_field)f);
        dst += length;
    }
    return (size_t)(dst - start);
}

#endif
