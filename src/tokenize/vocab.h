/* WordPiece vocabulary: vocab.txt read as HuggingFace's load_vocab reads it,
 * with a trie for whole tokens and one for "##" continuation pieces. */
#ifndef TKA_TOKENIZE_VOCAB_H
#define TKA_TOKENIZE_VOCAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tokalign/status.h"
#include "tokalign/text.h"
#include "tokenize/trie.h"

typedef struct tka_vocab {
    char *text;          /* every line, NUL-terminated, back to back */
    uint32_t *start;     /* per id (= 0-based line index): offset into text */
    uint32_t *len;       /* per id: byte length */
    uint8_t *shadowed;   /* per id: 1 when a later line repeats this token */
    size_t n_ids;        /* lines in the file */
    size_t n_unique;     /* distinct tokens: HF's vocab_size = len(vocab) */
    size_t n_duplicates; /* lines whose token appeared on an earlier line */
    size_t n_empty;      /* empty lines */
    tka_trie whole;      /* token -> id (last line wins, like dict assignment) */
    tka_trie cont;       /* "##" pieces without the prefix -> id */
} tka_vocab;

/* Reads `path`: strict UTF-8 (an error names the line and byte offset),
 * lines split like Python's text-mode readlines() ("\n", "\r\n", "\r"; not
 * U+2028 or U+0085), each line one token, its 0-based line index its id.
 * Duplicate and empty lines are kept as HF keeps them and reported in
 * `warnings` (may be NULL). */
tka_status tka_vocab_load(tka_vocab *vocab, const char *path, tka_buf *warnings, tka_error *err);
void tka_vocab_free(tka_vocab *vocab);

static inline int32_t tka_vocab_find(const tka_vocab *v, const char *token, size_t len)
{
    return tka_trie_find(&v->whole, token, len);
}

#endif
