/* A tokenizer.json compiled to its stages (added tokens, normalizer, pre-tokenizer, model,
 * post-processor, decoder) and run as Rust's TokenizerImpl::encode / decode. */
#ifndef TKA_TJ_TOKENIZER_H
#define TKA_TJ_TOKENIZER_H

#include <jansson.h>
#include <stdbool.h>

#include "tokalign/encode.h"
#include "tokenize/backend.h"
#include "tokenize/tj_post.h"

typedef struct tj_tokenizer tj_tokenizer;

/* From a parsed tokenizer.json (root object); `path` names the file in errors. */
tka_status tj_tokenizer_from_json(const json_t *root, const char *path, tj_tokenizer **out,
                                  tka_error *err);
/* The same with a BPE model's vocab and merges read by tj_bulk_scan (root holds {} and []). */
struct tj_bulk;
tka_status tj_tokenizer_from_json_bulk(const json_t *root, const char *path, struct tj_bulk *bulk,
                                       tj_tokenizer **out, tka_error *err);
/* A tokenizer.json in memory: its bulk sections through tj_bulk_scan when it can, the rest
 * (or the whole, and every malformed file) through jansson. */
tka_status tj_tokenizer_from_buffer(const char *buf, size_t n, const char *path, tj_tokenizer **out,
                                    tka_error *err);
/* Reads the file (size-bounded) then tj_tokenizer_from_buffer. */
tka_status tj_tokenizer_load(const char *path, tj_tokenizer **out, tka_error *err);
/* A GPT-2 style directory (vocab.json + merges.txt) built as HF builds its tokenizer.json. */
tka_status tj_tokenizer_load_gpt2(const char *vocab_json, const char *merges_txt,
                                  tj_tokenizer **out, tka_error *err);
void tj_tokenizer_free(tj_tokenizer *t);

/* Encodes text (and pair) into `out` as Rust's encode_char_offsets + post_process. `out`
 * keeps the scratch its token strings point into until the next encode into it or
 * tj_enc_free; the tokenizer may be used by several threads, each with its own `out`
 * (free an `out` before the tokenizer it was used with). */
tka_status tj_tokenizer_encode(const tj_tokenizer *t, const char *text, size_t len,
                               const char *pair, size_t pair_len, bool add_special,
                               int64_t max_length, tka_truncation truncation, tj_enc *out,
                               tka_error *err);
/* The same with truncation from the left (the file's "direction": "Left"). */
tka_status tj_tokenizer_encode_dir(const tj_tokenizer *t, const char *text, size_t len,
                                   const char *pair, size_t pair_len, bool add_special,
                                   int64_t max_length, tka_truncation truncation, bool left,
                                   tj_enc *out, tka_error *err);
/* The overflow encodings of one encode (Rust's Encoding::overflowing), in Rust's order;
 * the buffers are reused from call to call, token strings point where the main
 * encoding's do. */
typedef struct tj_ovf {
    tj_enc *v;
    size_t n, cap;
} tj_ovf;
void tj_ovf_free(tj_ovf *o);
/* tj_tokenizer_encode_dir with the truncation stride, and the overflow encodings into
 * `ovf` when non-NULL. A stride not below the truncated length is an error (the Rust
 * tokenizer panics there). */
tka_status tj_tokenizer_encode_ovf(const tj_tokenizer *t, const char *text, size_t len,
                                   const char *pair, size_t pair_len, bool add_special,
                                   int64_t max_length, tka_truncation truncation, bool left,
                                   size_t stride, tj_enc *out, tj_ovf *ovf, tka_error *err);
/* tj_tokenizer_encode_ovf for pre-tokenized words (tka_encoder_encode_words). */
tka_status tj_tokenizer_encode_words(const tj_tokenizer *t, const tka_word_input *in,
                                     bool add_special, int64_t max_length,
                                     tka_truncation truncation, bool left, size_t stride,
                                     tj_enc *out, tj_ovf *ovf, tka_error *err);
/* The file's own "truncation" and "padding" sections (defaults when the caller sets none). */
/* tj_tokenizer_encode_ovf without overflow for a caller that reads only ids, type ids,
 * special and attention marks: `out` gets offsets 0 and no token strings (tok NULL, length
 * 0), and byte-level pipelines skip the aligned string (the ids are the same). */
tka_status tj_tokenizer_encode_ids(const tj_tokenizer *t, const char *text, size_t len,
                                   const char *pair, size_t pair_len, bool add_special,
                                   int64_t max_length, tka_truncation truncation, bool left,
                                   size_t stride, tj_enc *out, tka_error *err);

typedef struct tj_file_options {
    bool truncation;
    int64_t max_length, stride;
    tka_truncation strategy;
    bool trunc_left;
    bool padding;
    int64_t pad_fixed; /* -1: BatchLongest */
    int64_t pad_to_multiple_of;
    bool pad_left;
    int32_t pad_id, pad_type_id;
} tj_file_options;
const tj_file_options *tj_tokenizer_file_options(const tj_tokenizer *t);

tka_status tj_tokenizer_decode(const tj_tokenizer *t, const int32_t *ids, size_t n, bool skip,
                               tka_buf *out, tka_error *err);

#endif
