/* Internal contract between the generic tokenizer handle and its two model
 * families (WordPiece in bert_*.c / wordpiece.c, SentencePiece in spm_*.c). */
#ifndef TKA_TOKENIZE_BACKEND_H
#define TKA_TOKENIZE_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "tokalign/encode.h"
#include "tokalign/resolve.h"
#include "tokalign/text.h"
#include "tokalign/tokenizer.h"

/* Pre-tokenized words of one encode call (tka_encoder_encode_words); pair_words NULL: no
 * pair. */
typedef struct tka_word_input {
    const char *const *words;
    const size_t *lens;
    size_t n;
    const char *const *pair_words;
    const size_t *pair_lens;
    size_t pair_n;
} tka_word_input;

typedef struct tka_backend {
    const char *name;
    void (*free)(void *model);
    /* Appends the tokens of valid UTF-8 text (no special tokens) to `out`,
     * honouring the TKA_TOKENS_* flags; `out` was cleared by the caller. */
    tka_status (*tokenize)(const void *model, const char *text, size_t len, unsigned flags,
                           tka_tokens *out, tka_error *err);
    size_t (*vocab_size)(const void *model);
    const char *(*id_to_token)(const void *model, int32_t id, size_t *len);
    int32_t (*token_to_id)(const void *model, const char *token, size_t len);
    int32_t (*special_id)(const void *model, tka_special which);
    /* The model's tokens → text step of decode (HF convert_tokens_to_string):
     * WordPiece joins with spaces and merges "##"; SentencePiece concatenates
     * pieces and turns U+2581 into spaces. Special tokens were already
     * filtered by the caller when asked to. */
    tka_status (*tokens_to_string)(const void *model, const int32_t *ids, size_t n, tka_buf *out,
                                   tka_error *err);
    /* `tokenize` under the rules of another compat mode; NULL for a family
     * with a single reference (SentencePiece). */
    tka_status (*tokenize_as)(const void *model, tka_compat compat, const char *text, size_t len,
                              unsigned flags, tka_tokens *out, tka_error *err);
    /* tokenizer.json only (NULL otherwise): the whole encode (special tokens from the
     * file's post-processor, type ids, truncation) into `out` in `arena`, before padding;
     * and decode as the Rust tokenizer (its decoder, no clean-up step). */
    tka_status (*encode)(const void *model, const tka_encode_options *o, const char *text,
                         size_t len, const char *pair, size_t pair_len, tka_arena *arena,
                         tka_encoding *out, tka_error *err);
    tka_status (*decode)(const void *model, const int32_t *ids, size_t n, bool skip_special,
                         tka_buf *out, tka_error *err);
    /* tokenizer.json only (may be NULL): the padding the file asks for where the caller
     * sets none and it is a batch padding (BatchLongest); Fixed is applied by encode. */
    void (*file_padding)(const void *model, tka_encode_options *o);
    /* tokenizer.json only (NULL otherwise): `encode` of pre-tokenized words
     * (tka_encoder_encode_words). */
    tka_status (*encode_words)(const void *model, const tka_encode_options *o,
                               const tka_word_input *in, tka_arena *arena, tka_encoding *out,
                               tka_error *err);
} tka_backend;

/* Each family's constructor. `files` says which file to read and where a
 * tokenizer_config.json may be; warnings are appended one per line. */
tka_status tka_wordpiece_open(const tka_resolved *files, const tka_tokenizer_options *options,
                              const tka_backend **backend, void **model, tka_buf *warnings,
                              tka_error *err);
tka_status tka_sentencepiece_open(const tka_resolved *files, const tka_tokenizer_options *options,
                                  const tka_backend **backend, void **model, tka_buf *warnings,
                                  tka_error *err);

/* tokenizer.json (tj_backend.c): `path` is the file, or a directory's vocab.json whose
 * merges.txt sits beside it (GPT-2 layout) when gpt2_merges is non-NULL. */
/* The directory a model name stands for, searched as tka_resolve searches names (hub
 * cache, PaddleNLP cache, tokalign's download cache), then the mirror's tokenizers/NAME;
 * NULL when spec is a path or no such directory exists. malloc'd. */
char *tka_resolve_name_dir(const char *spec, const char *mirror_dir);

tka_status tka_tokenizer_json_open(const char *path, const char *gpt2_merges,
                                   const tka_backend **backend, void **model, tka_error *err);

#define TKA_MAX_NO_SPLIT 2

/* The handle behind tka_tokenizer. */
struct tka_tokenizer {
    const tka_backend *backend;
    void *model;
    tka_tokenizer_kind kind;
    tka_compat compat;
    char *source;
    tka_buf warnings;
    /* transformers' unique_no_split_tokens (sorted, as _add_tokens keeps
     * them): none, or "</s>" "<unk>" for a Reformer model (no_split.c). */
    size_t n_no_split;
    const char *no_split[TKA_MAX_NO_SPLIT];
    int32_t no_split_id[TKA_MAX_NO_SPLIT];
};

/* Sets up a Reformer model's never-split tokens (no_split.c). */
void tka_no_split_init_reformer(tka_tokenizer *tok);

/* tka_tokenize for a tokenizer with never-split tokens: PreTrainedTokenizer.tokenize
 * of transformers 4.9.1 (no_split.c). `out` was cleared by the caller. */
tka_status tka_tokenize_no_split(const tka_tokenizer *tok, const char *text, size_t len,
                                 unsigned flags, tka_tokens *out, tka_error *err);

/* tka_tokenize as if the tokenizer had been opened with `compat`. The
 * encoder's slow-mode offsets need the fast segmentation (encode.c).
 * TKA_ERR_UNSUPPORTED for a family without compat modes. */
tka_status tka_tokenize_as(const tka_tokenizer *tok, tka_compat compat, const char *text,
                           size_t len, unsigned flags, tka_tokens *out, tka_error *err);

/* The lengths a pair keeps under the Rust tokenizer's LongestFirst
 * truncation to `max` tokens (encode.c). */
void tka_rust_longest_first_pair(size_t la, size_t lb, size_t max, size_t *na, size_t *nb);

/* Growth helpers for backends filling a tka_tokens. */
/* Makes room for `extra` more tokens in every requested array. */
tka_status tka_tokens_reserve(tka_tokens *tokens, size_t extra, unsigned flags);
/* Makes room for `extra` more bytes of token text. */
tka_status tka_tokens_reserve_text(tka_tokens *tokens, size_t extra);

/* Appends one token; requires prior reserve for the arrays in `flags`
 * (text is copied only with TKA_TOKENS_STRINGS and grows on demand). */
static inline tka_status tka_tokens_push(tka_tokens *t, unsigned flags, int32_t id, uint32_t start,
                                         uint32_t end, const char *text, size_t text_len)
{
    size_t i = t->count;
    t->ids[i] = id;
    if (flags & TKA_TOKENS_OFFSETS) {
        t->starts[i] = start;
        t->ends[i] = end;
    }
    if (flags & TKA_TOKENS_WORDS)
        t->words[i] = t->n_words; /* the word ends with tka_tokens_end_word */
    if (flags & TKA_TOKENS_STRINGS) {
        if (t->text_cap - t->text_used < text_len) {
            tka_status st = tka_tokens_reserve_text(t, text_len);
            if (st != TKA_OK)
                return st;
        }
        for (size_t k = 0; k < text_len; k++)
            t->text[t->text_used + k] = text[k];
        t->text_start[i] = (uint32_t)t->text_used;
        t->text_len[i] = (uint32_t)text_len;
        t->text_used += text_len;
    }
    t->count = i + 1;
    return TKA_OK;
}

/* Closes the current word (TKA_TOKENS_WORDS): the next token starts the next one. */
static inline void tka_tokens_end_word(tka_tokens *t, unsigned flags)
{
    if (flags & TKA_TOKENS_WORDS)
        t->n_words++;
}

#endif
