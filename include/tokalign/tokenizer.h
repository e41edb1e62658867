/* Tokenizers: one opaque handle for BERT WordPiece and SentencePiece models.
 *
 * A tokenizer is opened from a file, a directory or a known model name (see
 * resolve.h), and turns one text into token ids without special tokens.
 * Special tokens, pairs, truncation and padding live in encode.h. */
#ifndef TOKALIGN_TOKENIZER_H
#define TOKALIGN_TOKENIZER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tokalign/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Ownership and threads: owned by the caller of tka_tokenizer_open, freed
 * with tka_tokenizer_free; immutable once opened, so one tokenizer may be
 * used by any number of threads at once. Strings it returns live as long as it. */
typedef struct tka_tokenizer tka_tokenizer;

typedef enum tka_tokenizer_kind {
    TKA_TOKENIZER_WORDPIECE = 1,     /* HuggingFace BertTokenizer */
    TKA_TOKENIZER_SENTENCEPIECE = 2, /* libsentencepiece (ReformerTokenizer, T5, ALBERT, ...) */
    TKA_TOKENIZER_JSON = 3           /* a HuggingFace tokenizer.json (Rust tokenizers) */
} tka_tokenizer_kind;

/* Which reference a BERT tokenizer follows where HuggingFace's slow (Python)
 * and fast (Rust) tokenizers disagree. */
typedef enum tka_compat {
    TKA_COMPAT_SLOW = 0, /* transformers' BertTokenizer: what the reference pipelines use */
    TKA_COMPAT_FAST = 1  /* tokenizers' Rust BertTokenizerFast */
} tka_compat;

typedef struct tka_tokenizer_options {
    tka_compat compat;
    int do_lower_case;      /* -1: from tokenizer_config.json / the known name; 0/1 override */
    const char *mirror_dir; /* NULL: $TOKALIGN_MIRROR, else ../shared/data when it exists */
} tka_tokenizer_options;

/* Defaults: slow compat, do_lower_case from the configuration, default mirror. */
TKA_API void tka_tokenizer_options_init(tka_tokenizer_options *options);

/* Opens `spec`: a vocab.txt, .model or tokenizer.json file, a directory holding one, or a
 * model name resolved like from_pretrained (resolve.h). options may be NULL.
 * A directory with both a slow file (vocab.txt, *.model) and tokenizer.json opens the slow
 * one unless options->compat is TKA_COMPAT_FAST.
 * A Reformer model (a directory whose config.json has "model_type":
 * "reformer", or the name google/reformer-crime-and-punishment) tokenizes as
 * ReformerTokenizer.from_pretrained of transformers 4.9.1 does: "</s>" and
 * "<unk>" are never split (tka_tokenizer_no_split_tokens). A bare .model file
 * is plain SentencePiece, as ReformerTokenizer(vocab_file) and sp.encode. */
TKA_API tka_status tka_tokenizer_open(const char *spec, const tka_tokenizer_options *options,
                                      tka_tokenizer **out, tka_error *err);

/* Accepts NULL. */
TKA_API void tka_tokenizer_free(tka_tokenizer *tok);

TKA_API tka_tokenizer_kind tka_tokenizer_get_kind(const tka_tokenizer *tok);

/* The compat mode the tokenizer was opened with (encode.h follows it for
 * truncation and overflow). */
TKA_API tka_compat tka_tokenizer_get_compat(const tka_tokenizer *tok);

/* Path of the vocabulary / model file actually loaded. */
TKA_API const char *tka_tokenizer_source(const tka_tokenizer *tok);

/* Warnings gathered while opening (e.g. a SHA-256 mismatch for a known
 * name), one per line; "" when there are none. */
TKA_API const char *tka_tokenizer_warnings(const tka_tokenizer *tok);

TKA_API size_t tka_tokenizer_vocab_size(const tka_tokenizer *tok);

/* The vocabulary string of `id`, or NULL when id is out of range. */
TKA_API const char *tka_tokenizer_id_to_token(const tka_tokenizer *tok, int32_t id, size_t *len);

/* The id of a vocabulary string, or -1 when absent. */
TKA_API int32_t tka_tokenizer_token_to_id(const tka_tokenizer *tok, const char *token, size_t len);

typedef enum tka_special {
    TKA_SPECIAL_UNK = 0,
    TKA_SPECIAL_CLS,
    TKA_SPECIAL_SEP,
    TKA_SPECIAL_PAD,
    TKA_SPECIAL_MASK,
    TKA_SPECIAL_BOS,
    TKA_SPECIAL_EOS,
    TKA_SPECIAL_COUNT
} tka_special;

/* Id of a special token, or -1 when the tokenizer has none (e.g. Reformer's
 * pad token). */
TKA_API int32_t tka_tokenizer_special_id(const tka_tokenizer *tok, tka_special which);

/* The tokens tka_tokenize never splits, as transformers' unique_no_split_tokens:
 * the text is cut at each, the whitespace on both sides of each is stripped
 * (Python's str.strip), and each remaining piece is tokenized alone; a text
 * that is only whitespace gives no tokens. Returns the count (0 for every
 * tokenizer but a Reformer model); *tokens (may be NULL) gets the strings. */
TKA_API size_t tka_tokenizer_no_split_tokens(const tka_tokenizer *tok, const char *const **tokens);

/* Token sequence produced by tka_tokenize: parallel arrays, reused across
 * calls (zero-initialise once, free with tka_tokens_free).
 * Ownership and threads: the caller's; one thread at a time (one per thread). */
typedef struct tka_tokens {
    size_t count;
    int32_t *ids;
    /* With TKA_TOKENS_OFFSETS: [start, end) of each token as code-point
     * offsets into the input text (HuggingFace offset_mapping convention). */
    uint32_t *starts, *ends;
    /* With TKA_TOKENS_STRINGS: token i's text is text + text_start[i], of
     * text_len[i] bytes — the vocabulary string, or for SentencePiece pieces
     * outside the vocabulary the surface piece that libsentencepiece reports. */
    uint32_t *text_start, *text_len;
    char *text;
    size_t text_used, text_cap;
    size_t capacity;
    /* With TKA_TOKENS_WORDS (WordPiece only): words[i] is the index of the pre-tokenizer
     * word token i comes from, counted from 0 over the whole text -- a special token met
     * in the text is a word of its own (the Rust tokenizer's Encoding word ids);
     * n_words is the number of words so far. */
    uint32_t *words;
    uint32_t n_words;
} tka_tokens;

enum { TKA_TOKENS_OFFSETS = 1u << 0, TKA_TOKENS_STRINGS = 1u << 1, TKA_TOKENS_WORDS = 1u << 2 };

TKA_API void tka_tokens_free(tka_tokens *tokens);
/* Sets count to 0 and keeps the storage. */
TKA_API void tka_tokens_clear(tka_tokens *tokens);

/* Tokenizes text[0..len) (must be valid UTF-8; TKA_ERR_UTF8 otherwise)
 * without special tokens, replacing the content of *out. `flags` is a mask
 * of TKA_TOKENS_*; arrays not requested are left untouched. */
TKA_API tka_status tka_tokenize(const tka_tokenizer *tok, const char *text, size_t len,
                                unsigned flags, tka_tokens *out, tka_error *err);

#ifdef __cplusplus
}
#endif
#endif
