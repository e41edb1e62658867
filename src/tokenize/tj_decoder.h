/* tokenizer.json "decoder" section: ByteLevel, WordPiece, Metaspace, BPEDecoder, ByteFallback,
 * Fuse, Strip, Replace, CTC, Sequence (a chain over the list of token strings, as Rust's
 * Decoder::decode_chain, then concatenated). */
#ifndef TKA_TOKENIZE_TJ_DECODER_H
#define TKA_TOKENIZE_TJ_DECODER_H

#include <jansson.h>
#include <stddef.h>

#include "tokalign/status.h"
#include "tokalign/text.h"

typedef struct tj_decoder tj_decoder;
/* `j` (the "decoder" object) may be NULL or json null: then tokens are joined with " " (Rust's
 * default). */
tka_status tj_decoder_from_json(const json_t *j, const char *path, tj_decoder **out,
                                tka_error *err);
void tj_decoder_free(tj_decoder *d); /* accepts NULL */
tka_status tj_decoder_decode(const tj_decoder *d, const char *const *tokens, const size_t *lens,
                             size_t n, tka_buf *out, tka_error *err); /* appends to out */

#endif
