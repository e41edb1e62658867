/* Model inputs from text: special tokens, pairs, truncation, overflow,
 * padding and offsets as HuggingFace's tokenizer(text, text_pair, ...) gives
 * them, and decoding of ids back to text. Generic over tokenizer families:
 *   WordPiece:     [CLS] A [SEP] (B [SEP]), token_type_ids 0 / 1;
 *   SentencePiece: ReformerTokenizer (transformers 4.9.1): no special tokens,
 *                  a pair is A + B, no token_type_ids, no pad token unless
 *                  one is configured.
 * With TKA_COMPAT_SLOW (the default) truncation and overflow follow
 * transformers 4.9.1's prepare_for_model / truncate_sequences; with
 * TKA_COMPAT_FAST they follow tokenizers (Rust) as reached through the npm
 * binding tokenizers@0.23.2, errors included. Outputs are arrays in a
 * caller-owned arena; nothing is allocated per token. */
#ifndef TOKALIGN_ENCODE_H
#define TOKALIGN_ENCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tokalign/arena.h"
#include "tokalign/status.h"
#include "tokalign/text.h"
#include "tokalign/tokenizer.h"
#include "tokalign/types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum tka_truncation {
    TKA_TRUNCATE_NONE = 0,
    TKA_TRUNCATE_LONGEST_FIRST,
    TKA_TRUNCATE_ONLY_FIRST,
    TKA_TRUNCATE_ONLY_SECOND
} tka_truncation;

typedef struct tka_encode_options {
    int64_t max_length;        /* -1: none */
    tka_truncation truncation; /* applied only with max_length >= 0 */
    int64_t stride;            /* overflow overlap, >= 0 */
    tka_padding padding;
    int64_t pad_to_multiple_of; /* 0: off */
    tka_padding_side padding_side;
    int32_t pad_id;          /* -1: WordPiece's [PAD]; SentencePiece (ReformerTokenizer): none,
                                   whatever the model file declares */
    int32_t pad_type_id;     /* token_type_ids value of padding (HF: 0) */
    bool add_special_tokens; /* true */
    bool offsets;            /* fill offset_starts / offset_ends (see tka_encoding) */
    bool strings;            /* keep token strings (tka_encoding_token) */
    bool overflow;           /* report what truncation removed (see tka_encoding) */
    bool type_ids;           /* SentencePiece: token_type_ids too, as transformers' base
                                   create_token_type_ids_from_sequences gives them for
                                   return_token_type_ids=True: A 0, B 1 (all 0 without
                                   special tokens); WordPiece and tokenizer.json always
                                   have them */
    bool word_ids;           /* fill word_ids (see tka_encoding); fast-compat WordPiece and
                                   tokenizer.json only (TKA_ERR_UNSUPPORTED otherwise) */
} tka_encode_options;

/* max_length -1, no truncation, stride 0, no padding, right side, the
 * tokenizer's pad token, pad type id 0, special tokens on, no extras. */
TKA_API void tka_encode_options_init(tka_encode_options *options);

/* HF's argument defaults: with only max_length given (truncation none,
 * padding none), truncation becomes longest_first ("Truncation was not
 * explicitly activated but max_length is provided..."). Call before
 * tka_encoder_new when mirroring tokenizer(..., max_length=N). */
TKA_API void tka_encode_options_apply_hf_defaults(tka_encode_options *options);

/* A tokenizer.json whose "padding" section is BatchLongest, with options that set no
 * padding: sets padding longest with the file's pad id, pad type id, side and
 * pad_to_multiple_of (so tka_encoder_pad pads a batch as the Rust encode_batch does) and
 * returns true; otherwise leaves options as they are. tka_encoder_new applies it itself. */
TKA_API bool tka_encode_options_apply_file_padding(const tka_tokenizer *tok,
                                                   tka_encode_options *options);

/* Ownership and threads: the arrays live in the arena passed to the call
 * that filled the encoding (nothing to free on its own); one thread at a
 * time. */
typedef struct tka_encoding {
    size_t length;
    int32_t *input_ids;
    int32_t *token_type_ids; /* NULL for SentencePiece (not a model input there)
                                     unless options.type_ids */
    int32_t *attention_mask;
    int32_t *special_tokens_mask;
    /* With options.offsets: code-point [start, end) in the text (B's tokens:
     * in text_pair); specials and padding (0, 0).
     * COMPAT: HF's slow BertTokenizer has no offsets (return_offsets_mapping
     * raises NotImplementedError); the only ones HF defines are
     * BertTokenizerFast's offset_mapping. So with TKA_COMPAT_SLOW a
     * WordPiece encoding carries the offsets the fast tokenizer gives for
     * the same call (same texts and options, its own truncation) whenever
     * that call yields the same input ids (token for token, from the same
     * sequence), even where the two segment the text differently
     * (U+2B81F U+2B820 U+2B821: [UNK] [UNK] at [1,2) [2,3) slow, [0,1)
     * [1,3) fast; the fast ones are reported); otherwise (other ids, or the
     * fast tokenizer raises) the offsets of the slow segmentation. Only
     * encodings with offsets pay for the second tokenization. tka_tokenize's
     * offsets are always its own segmentation's. */
    uint32_t *offset_starts;
    uint32_t *offset_ends;
    /* options.overflow, slow: transformers 4.9.1's flat overflowing_tokens
     * (longest_first: in removal order, i.e. reversed, the first removal
     * widened by the stride) and num_truncated_tokens = total length minus
     * max_length (negative when nothing was removed). */
    int32_t *overflowing_tokens;
    size_t n_overflowing_tokens;
    int64_t num_truncated_tokens;
    /* options.overflow, fast: the Rust overflow encodings, specials included. */
    struct tka_encoding *overflowing;
    size_t n_overflowing;
    /* with options.strings: token i's text is token_text + text_start[i];
     * the pad token's text (for later padding) is at pad_text_start */
    const char *token_text;
    uint32_t *text_start, *text_len;
    uint32_t pad_text_start, pad_text_len;
    /* With options.word_ids: the Rust tokenizer's Encoding word ids (what transformers'
     * BatchEncoding.word_ids() returns): the index of the pre-tokenizer split a token
     * comes from within its own sequence (text and text_pair both count from 0), a split
     * being a pre-token of the normalized text or an added token met in it; -1 (None)
     * for the special tokens the post-processor adds and for padding. Overflow
     * encodings keep the indices of their tokens. */
    int32_t *word_ids;
} tka_encoding;

/* Ownership and threads: owned by the caller of tka_encoder_new, freed with
 * tka_encoder_free; the tokenizer must outlive it. One thread at a time: use
 * one encoder per thread (they may share the tokenizer). */
typedef struct tka_encoder tka_encoder;

/* Checks the options against the tokenizer as HF does before encoding:
 * padding without a pad token fails with HF's ValueError message
 * (TKA_ERR_REFERENCE), as does truncation with a max_length that is not a
 * multiple of pad_to_multiple_of; padding to max_length needs max_length. */
TKA_API tka_status tka_encoder_new(const tka_tokenizer *tok, const tka_encode_options *options,
                                   tka_encoder **out, tka_error *err);
TKA_API void tka_encoder_free(tka_encoder *encoder);

/* One text (pair NULL) or pair, as tokenizer(text, text_pair, ...) for a
 * single example: padding LONGEST pads to its own length (then to the
 * multiple). Errors: TKA_ERR_UTF8 (message names which text and the byte
 * offset), TKA_ERR_REFERENCE where the reference raises (fast compat:
 * impossible truncation). `out` lives in `arena`. */
TKA_API tka_status tka_encoder_encode(tka_encoder *encoder, const char *text, size_t len,
                                      const char *pair, size_t pair_len, tka_arena *arena,
                                      tka_encoding *out, tka_error *err);

/* Pre-tokenized input: words[0..n) (and pair_words[0..pair_n) when pair_words is not
 * NULL), as a fast tokenizer encodes them for transformers' is_split_into_words=True.
 * COMPAT: Rust's encode_single_sequence(PreTokenized): each word goes alone through the
 * added tokens, normalizer, pre-tokenizer and model -- with truncation on, each word's model
 * stops once it holds max_length tokens -- and its tokens get the word's position as word
 * id and offsets within the word; then truncation, special tokens and padding as for a
 * text. Fast-compat WordPiece and tokenizer.json only (TKA_ERR_UNSUPPORTED otherwise). */
TKA_API tka_status tka_encoder_encode_words(tka_encoder *encoder, const char *const *words,
                                            const size_t *lens, size_t n,
                                            const char *const *pair_words, const size_t *pair_lens,
                                            size_t pair_n, tka_arena *arena, tka_encoding *out,
                                            tka_error *err);

/* Pads encodings of one batch the way tokenizer(batch, padding=...) does:
 * to the longest of the n encodings (or to max_length), rounded up to
 * pad_to_multiple_of; longer ones are left as they are. Uses the encoder's
 * padding options; encodings already padded by tka_encoder_encode give the
 * same result as unpadded ones. */
TKA_API tka_status tka_encoder_pad(const tka_encoder *encoder, tka_encoding *encodings, size_t n,
                                   tka_arena *arena, tka_error *err);

/* The same in parts, for a batch padded on several threads: the length
 * tka_encoder_pad gives the n encodings of the whole batch (0 without
 * padding), then tka_encoder_pad_to on each part, with that width and the
 * part's own arena (one per thread), pads it exactly as tka_encoder_pad
 * pads the batch. */
TKA_API size_t tka_encoder_pad_width(const tka_encoder *encoder, const tka_encoding *encodings,
                                     size_t n);
TKA_API tka_status tka_encoder_pad_to(const tka_encoder *encoder, tka_encoding *encodings, size_t n,
                                      size_t width, tka_arena *arena, tka_error *err);

/* One-shot convenience: tka_encoder_new + encode + free. */
TKA_API tka_status tka_encode(const tka_tokenizer *tok, const tka_encode_options *options,
                              const char *text, size_t len, const char *pair, size_t pair_len,
                              tka_arena *arena, tka_encoding *out, tka_error *err);

/* Token i of an encoding as a string: the kept token text, else the
 * vocabulary string of its id. NULL for an id without one. */
TKA_API const char *tka_encoding_token(const tka_tokenizer *tok, const tka_encoding *e, size_t i,
                                       size_t *len);

/* ------------------------------------------------------------ decode */

typedef struct tka_decode_options {
    bool skip_special_tokens;          /* false */
    bool clean_up_tokenization_spaces; /* true (transformers 4.9.1 default) */
} tka_decode_options;

TKA_API void tka_decode_options_init(tka_decode_options *options);

/* tokenizer.decode(ids) of transformers 4.9.1: ids -> tokens (unknown ids
 * give the unknown token, as the slow tokenizers do), special tokens
 * dropped on request, the model's tokens -> text (WordPiece: join with
 * spaces and merge "##"; SentencePiece: decode_pieces), then
 * clean_up_tokenization. Appends to `out`. */
TKA_API tka_status tka_decode(const tka_tokenizer *tok, const int32_t *ids, size_t n,
                              const tka_decode_options *options, tka_buf *out, tka_error *err);

/* PreTrainedTokenizerBase.clean_up_tokenization on s[0..len): " ." -> ".",
 * " ?", " !", " ,", " ' " -> "'", " n't", " 'm", " 's", " 've", " 're",
 * applied in that order. Appends to `out`. */
TKA_API tka_status tka_clean_up_tokenization(const char *s, size_t len, tka_buf *out);

#ifdef __cplusplus
}
#endif
#endif
