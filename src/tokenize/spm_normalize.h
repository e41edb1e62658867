/* SentencePiece normalization: the precompiled character map (a Darts
 * double-array trie plus a pool of NUL-terminated replacements, longest match
 * wins), user-defined symbols kept verbatim, whitespace handling and the
 * U+2581 escape — libsentencepiece's Normalizer::Normalize. */
#ifndef TKA_SPM_NORMALIZE_H
#define TKA_SPM_NORMALIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tokalign/status.h"
#include "tokenize/spm_proto.h"
#include "tokenize/trie.h"

/* The precompiled charsmap, decoded and validated. */
typedef struct spm_charsmap {
    uint32_t *units; /* Darts-clone units, copied out of the file (aligned) */
    size_t n_units;
    const char *pool; /* replacement strings, each ending with NUL */
    size_t pool_len;
    /* Bit cp (U+0000..U+FFFF) set when cp starts no rule: the trie walk along its UTF-8
     * bytes leaves the trie inside the char without passing a rule, so the char is copied
     * as is whatever follows it, under the longest match (SentencePiece) as under the
     * shortest (the Rust tokenizer's Precompiled). */
    uint64_t *plain;
    /* Bit b (an ASCII byte) set when b alone is a rule (a one-byte rule: the same under
     * the longest and the shortest match). */
    uint64_t one_byte_rule[2];
} spm_charsmap;

/* Whether cp starts no rule (cp < 0x10000; a char above is never known plain). */
static inline bool spm_charsmap_plain(const spm_charsmap *cm, uint32_t cp)
{
    return cp < 0x10000 && (cm->plain[cp >> 6] >> (cp & 63) & 1);
}

/* Whether the ASCII byte b (< 0x80) is a rule by itself. */
static inline bool spm_charsmap_one_byte_rule(const spm_charsmap *cm, uint8_t b)
{
    return cm->one_byte_rule[b >> 6] >> (b & 63) & 1;
}

/* Decodes the blob of NormalizerSpec.precompiled_charsmap: a 4-byte
 * little-endian trie size, the trie units, then the replacement pool.
 * `what` names the model file in errors. */
tka_status spm_charsmap_init(spm_charsmap *cm, spm_bytes blob, const char *what, tka_error *err);
void spm_charsmap_free(spm_charsmap *cm);

/* Longest charsmap rule matching a prefix of s[0..len): returns the matched
 * length (0 when none) and sets *value to the replacement's pool offset. */
size_t spm_charsmap_longest(const spm_charsmap *cm, const char *s, size_t len, uint32_t *value);
/* The shortest rule instead (the first result of Darts' common prefix search, which the
 * Rust tokenizer's Precompiled normalizer takes). */
size_t spm_charsmap_shortest(const spm_charsmap *cm, const char *s, size_t len, uint32_t *value);

typedef struct spm_normalizer {
    spm_charsmap charsmap;
    bool has_charsmap;
    tka_trie user; /* user-defined symbols (value 0); empty when none */
    bool has_user;
    uint8_t user_first[32]; /* bitmap of the first bytes of user-defined symbols */
    bool add_dummy_prefix, remove_extra_whitespaces, escape_whitespaces;
    bool treat_whitespace_as_suffix;
    /* ASCII fast path, derived from the charsmap at init: for byte b, the
     * one-byte rewrite (repl) and the set of ASCII bytes that may extend a
     * longer match after b (ext). A byte whose next byte is outside ext is
     * normalized with the table alone. */
    const char *ascii_repl[128];
    uint8_t ascii_repl_len[128];
    uint64_t ascii_ext[128][2];
    /* The non-ASCII fast path is the charsmap's plain table (every char is plain
     * without a charsmap). */
    const char *path; /* for error messages */
} spm_normalizer;

/* Builds the normalizer of `spec` (treat_whitespace_as_suffix comes from the
 * trainer spec). user[0..n_user) are the USER_DEFINED pieces. */
tka_status spm_normalizer_init(spm_normalizer *n, const spm_proto_normalizer *spec,
                               bool treat_whitespace_as_suffix, const spm_bytes *user,
                               size_t n_user, const char *path, tka_error *err);
void spm_normalizer_free(spm_normalizer *n);

/* Length of the longest user-defined symbol prefixing s[0..len) (len > 0),
 * or 0 (libsentencepiece's PrefixMatcher). */
size_t spm_user_prefix(const spm_normalizer *n, const char *s, size_t len);

/* Normalized text, reusable across calls. map[i] is the byte offset in the
 * input that normalized byte i comes from, map[len] the end (libsentencepiece's
 * norm_to_orig); filled only when asked for, and empty when len is 0. */
typedef struct spm_normalized {
    char *text;
    size_t len, cap;
    uint32_t *map;
    size_t map_cap;
    /* false while text/map still point at caller-provided (stack) storage */
    bool text_heap, map_heap;
} spm_normalized;

/* Starts with caller storage (may be NULL/0); growth moves to the heap. */
void spm_normalized_init(spm_normalized *out, char *text, size_t text_cap, uint32_t *map,
                         size_t map_cap);
void spm_normalized_free(spm_normalized *out);

/* Normalizes in[0..len). Input that is not valid UTF-8 is handled as
 * libsentencepiece does (each bad byte becomes U+FFFD). */
tka_status spm_normalize(const spm_normalizer *n, const char *in, size_t len, bool want_map,
                         spm_normalized *out, tka_error *err);

/* libsentencepiece's string_util::DecodeUTF8 length rule: the byte length of
 * a well-formed character at s (1..4), or 0 for an ill-formed sequence. */
size_t spm_utf8_valid_len(const char *s, size_t len);

/* libsentencepiece's OneCharLen: the length implied by the lead byte alone. */
static inline size_t spm_one_char_len(const char *s)
{
    static const uint8_t table[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4};
    return table[(unsigned char)*s >> 4];
}

#endif
