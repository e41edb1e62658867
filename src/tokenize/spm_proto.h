/* The SentencePiece ModelProto as read from a .model file: a bounds-checked
 * protobuf wire-format reader for the fields encoding and decoding need. */
#ifndef TKA_SPM_PROTO_H
#define TKA_SPM_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tokalign/status.h"

/* Piece types, numbered as in sentencepiece_model.proto. */
typedef enum spm_piece_type {
    SPM_PIECE_NORMAL = 1,
    SPM_PIECE_UNKNOWN = 2,
    SPM_PIECE_CONTROL = 3,
    SPM_PIECE_USER_DEFINED = 4,
    SPM_PIECE_UNUSED = 5,
    SPM_PIECE_BYTE = 6
} spm_piece_type;

/* TrainerSpec.ModelType. */
typedef enum spm_model_type {
    SPM_MODEL_UNIGRAM = 1,
    SPM_MODEL_BPE = 2,
    SPM_MODEL_WORD = 3,
    SPM_MODEL_CHAR = 4
} spm_model_type;

/* A byte range inside the model file (no copy, not NUL-terminated). */
typedef struct spm_bytes {
    const char *data;
    size_t len;
} spm_bytes;

typedef struct spm_proto_piece {
    spm_bytes text;
    float score;
    uint8_t type; /* spm_piece_type */
} spm_proto_piece;

typedef struct spm_proto_normalizer {
    bool present;
    spm_bytes name, precompiled_charsmap, normalization_rule_tsv;
    bool add_dummy_prefix, remove_extra_whitespaces, escape_whitespaces;
} spm_proto_normalizer;

typedef struct spm_proto_trainer {
    int32_t model_type; /* spm_model_type; other values are kept to be reported */
    int32_t vocab_size;
    bool treat_whitespace_as_suffix, byte_fallback, split_digits, allow_whitespace_only_pieces;
    int32_t unk_id, bos_id, eos_id, pad_id;
    spm_bytes unk_piece, bos_piece, eos_piece, pad_piece, unk_surface;
} spm_proto_trainer;

typedef struct spm_proto_sample {
    spm_bytes input, expected;
} spm_proto_sample;

typedef struct spm_proto {
    spm_proto_piece *pieces;
    size_t n_pieces, cap_pieces;
    spm_proto_trainer trainer;
    spm_proto_normalizer normalizer, denormalizer;
    spm_proto_sample *samples; /* self_test_data */
    size_t n_samples, cap_samples;
} spm_proto;

/* Parses data[0..len) (the bytes of `path`, kept alive by the caller while
 * *out is used). Every field absent from the file takes the default of
 * sentencepiece_model.proto. Errors name `path`, the field and the byte
 * offset. */
tka_status spm_proto_parse(const char *data, size_t len, const char *path, spm_proto *out,
                           tka_error *err);

/* Accepts NULL and a zeroed struct. */
void spm_proto_free(spm_proto *proto);

#endif
