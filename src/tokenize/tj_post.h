/* tokenizer.json "post_processor" section: BertProcessing, RobertaProcessing, ByteLevel,
 * TemplateProcessing and Sequence over encodings of one or two sequences. */
#ifndef TKA_TJ_POST_H
#define TKA_TJ_POST_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "tokenize/tj_json.h"

/* An encoding under construction (Rust's Encoding without overflow). Token
 * strings point at storage that outlives the call (vocabulary, added tokens, arena). */
typedef struct tj_enc {
    size_t n, cap;
    int32_t *ids, *type_ids, *special;
    uint32_t *s, *e; /* code-point offsets */
    const char **tok;
    uint32_t *tok_len;
    /* Rust's Encoding::words (-1: None); tj_enc_push stamps `word` on each token it adds. */
    int32_t *words;
    int32_t word;
    /* The encoder's scratch that some token strings point into (kept with the encoding
     * until the next encode into it or tj_enc_free; set by tj_tokenizer_encode). */
    /* A piece of Rust's Encoding::overflowing: its type ids stay those of the model
     * (0 for the text, 1 for the pair) where a processor sets only the main encoding's
     * (TemplateProcessing's Sequence pieces, RobertaProcessing without special tokens). */
    bool overflow;
    void *owner;
    const void *owner_of;
    void (*owner_free)(void *owner);
} tj_enc;

tka_status tj_enc_reserve(tj_enc *e, size_t extra);
tka_status tj_enc_push(tj_enc *e, int32_t id, int32_t type_id, int32_t special, uint32_t s,
                       uint32_t end, const char *tok, uint32_t tok_len);
void tj_enc_free(tj_enc *e);

typedef struct tj_post tj_post;

tka_status tj_post_from_json(const json_t *j, const tj_where *w, tj_post **out, tka_error *err);
void tj_post_free(tj_post *p);
/* Number of special tokens added for one sequence or a pair (Rust's added_tokens). */
size_t tj_post_added(const tj_post *p, bool pair);
/* Processes a (and b, may be NULL) into out (cleared first). p may be NULL (no processor). */
tka_status tj_post_process(const tj_post *p, tj_enc *a, tj_enc *b, bool add_special, tj_enc *out);

#endif
