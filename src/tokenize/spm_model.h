/* A loaded SentencePiece model (the state libsentencepiece's
 * SentencePieceProcessor, ModelInterface and Normalizer hold), shared by the
 * spm_*.c files. */
#ifndef TKA_SPM_MODEL_H
#define TKA_SPM_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tokalign/status.h"
#include "tokalign/text.h"
#include "tokenize/spm_normalize.h"
#include "tokenize/spm_proto.h"
#include "tokenize/trie.h"

typedef struct spm_model {
    char *path;
    tka_buf file; /* the .model bytes; every spm_bytes points in here */
    spm_proto proto;
    spm_model_type type;
    int32_t n_pieces;
    const spm_proto_piece *pieces; /* proto.pieces */
    int32_t unk_id;                /* the UNKNOWN piece */
    bool byte_fallback;
    int32_t byte_id[256]; /* ids of <0x00>..<0xFF> when byte_fallback */
    int32_t *byte_of;     /* per id: the byte of a BYTE piece, else -1 */
    /* libsentencepiece keeps two maps: pieces_ (NORMAL, USER_DEFINED, UNUSED)
     * and reserved_id_map_ (UNKNOWN, CONTROL, BYTE); PieceToId asks the
     * reserved one first. */
    tka_trie pieces_trie; /* pieces_: text -> id */
    tka_trie reserved_trie;
    int32_t *out_id; /* per pieces_ id: PieceToId of its text (the reserved id wins) */
    spm_normalizer normalizer;
    /* Unigram */
    float min_score, max_score, unk_score;
    double *lattice_score; /* per id: the score a lattice node of this piece gets */
    /* BPE: UNUSED pieces are resegmented; only then is rev_merge kept. */
    bool has_unused;
    bool has_denormalizer;
    spm_bytes unk_surface;
    int32_t special[8]; /* indexed by tka_special */
} spm_model;

/* One piece of a segmentation: normalized[start, start + len) with its id. */
typedef struct spm_result {
    uint32_t start, len;
    int32_t id;
} spm_result;

/* Per-call scratch memory: starts in a caller's (stack) buffer and moves to
 * the heap only for long inputs, so short lines allocate nothing. */
typedef struct spm_scratch {
    void *mem;
    size_t cap;
    bool heap;
} spm_scratch;

/* At least `bytes` bytes, 8-aligned; the previous content is not kept. */
void *spm_scratch_get(spm_scratch *s, size_t bytes);
void spm_scratch_release(spm_scratch *s);

/* Loads and validates `path` (libsentencepiece's load-time checks). */
tka_status spm_model_load(const char *path, spm_model **out, tka_error *err);
/* Builds from bytes already in memory (copied); `name` is used in errors. */
tka_status spm_model_load_bytes(const char *data, size_t len, const char *name, spm_model **out,
                                tka_error *err);
void spm_model_free(spm_model *m);

/* libsentencepiece's PieceToId: reserved pieces first, then pieces_, else
 * the unknown id. */
int32_t spm_piece_to_id(const spm_model *m, const char *s, size_t len);

/* Segmentations of normalized text[0..len): *results (at most len entries)
 * lives in the scratch memory, which also holds the working state. */
tka_status spm_bpe_encode(const spm_model *m, const char *text, size_t len, spm_scratch *scratch,
                          spm_result **results, size_t *n_results, tka_error *err);
tka_status spm_unigram_encode(const spm_model *m, const char *text, size_t len,
                              spm_scratch *scratch, spm_result **results, size_t *n_results,
                              tka_error *err);
tka_status spm_char_encode(const spm_model *m, const char *text, size_t len, spm_scratch *scratch,
                           spm_result **results, size_t *n_results, tka_error *err);
tka_status spm_word_encode(const spm_model *m, const char *text, size_t len, spm_scratch *scratch,
                           spm_result **results, size_t *n_results, tka_error *err);

#endif
