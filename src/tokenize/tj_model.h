/* tokenizer.json "model" section: BPE, WordPiece, Unigram, WordLevel. */
#ifndef TKA_TOKENIZE_TJ_MODEL_H
#define TKA_TOKENIZE_TJ_MODEL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "tokalign/status.h"

typedef struct tj_model tj_model;

/* One token produced for a word: id and [start, end) BYTE offsets within the word. */
typedef struct tj_piece {
    int32_t id;
    uint32_t start, end;
} tj_piece;
/* Reused across calls; zero-initialise once; tj_pieces_free releases. */
typedef struct tj_pieces {
    tj_piece *items;
    size_t count, capacity;
} tj_pieces;
void tj_pieces_free(tj_pieces *p);

/* Per-thread scratch space for tokenization (merge queues, lattices...). A model is
 * immutable after loading and may be shared by threads; each thread has its own tj_work. */
typedef struct tj_work tj_work;
tj_work *tj_work_new(void);
void tj_work_free(tj_work *w); /* accepts NULL */

/* Builds the model from the "model" object of a tokenizer.json. `path` only names the file in
 * messages (e.g. "tokenizer.json: model.merges[12]: ..."). Non-null dropout -> TKA_ERR_UNSUPPORTED. */
tka_status tj_model_from_json(const json_t *j, const char *path, tj_model **out, tka_error *err);
/* The same for a BPE model whose vocab and merges were read by tj_bulk_scan (j holds them as
 * {} and []); takes bulk's vocabulary. */
struct tj_bulk;
tka_status tj_model_from_json_bulk(const json_t *j, const char *path, struct tj_bulk *bulk,
                                   tj_model **out, tka_error *err);
void tj_model_free(tj_model *m); /* accepts NULL */

/* Appends to `out` the tokens of one pre-token (`word`: normalized UTF-8 bytes). Does not clear `out`. */
tka_status tj_model_tokenize(const tj_model *m, tj_work *w, const char *word, size_t len,
                             tj_pieces *out, tka_error *err);

size_t tj_model_vocab_size(const tj_model *m); /* as Rust Model::get_vocab_size */
const char *tj_model_id_to_token(const tj_model *m, int32_t id, size_t *len); /* NULL if none */
int32_t tj_model_token_to_id(const tj_model *m, const char *tok, size_t len); /* -1 if none */

/* The model's "type" as the file spells it ("BPE", "WordPiece", "Unigram", "WordLevel"). */
const char *tj_model_type(const tj_model *m);

#endif
