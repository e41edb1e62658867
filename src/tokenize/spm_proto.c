/* Bounds-checked protobuf wire-format reader for SentencePiece's ModelProto.
 *
 * Hand-written rather than generated (protobuf-c) because only ~30 fields
 * matter, the library stays free of a code generator and a runtime, and every
 * error can name the file, the field path and the byte offset. The reader
 * follows protobuf's proto2 parsing rules where they change the result:
 * unknown fields and fields with an unexpected wire type are skipped, a
 * repeated occurrence of a scalar field overrides the earlier one, repeated
 * occurrences of a message field merge, and an enum value outside the enum is
 * ignored (kept as an unknown field by protobuf, so the field keeps its
 * previous value). */
#include "tokenize/spm_proto.h"
#include "core/grow.h"
#include "core/try.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

enum {
    WIRE_VARINT = 0,
    WIRE_FIXED64 = 1,
    WIRE_LEN = 2,
    WIRE_SGROUP = 3,
    WIRE_EGROUP = 4,
    WIRE_FIXED32 = 5
};

/* protobuf's own recursion limit for nested messages and groups. */
#define PB_MAX_DEPTH 100

typedef struct pb_reader {
    const uint8_t *base; /* start of the file: offsets in messages are absolute */
    size_t pos, end;
    const char *path;
    tka_error *err;
} pb_reader;

static tka_status pb_fail(const pb_reader *r, size_t at, const char *what, const char *problem)
{
    return tka_error_set(r->err, TKA_ERR_FORMAT,
                         "%s: corrupt SentencePiece model: %s at byte offset %zu: %s", r->path,
                         what, at, problem);
}

static tka_status pb_varint(pb_reader *r, uint64_t *out, const char *what)
{
    size_t start = r->pos;
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 70; shift += 7) {
        if (r->pos >= r->end)
            return pb_fail(r, start, what, "truncated varint");
        uint8_t b = r->base[r->pos++];
        /* Like protobuf, bits beyond the 64th in a 10-byte varint are dropped. */
        if (shift < 64)
            v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *out = v;
            return TKA_OK;
        }
    }
    return pb_fail(r, start, what, "varint longer than 10 bytes");
}

static tka_status pb_fixed32(pb_reader *r, uint32_t *out, const char *what)
{
    if (r->end - r->pos < 4)
        return pb_fail(r, r->pos, what, "truncated 32-bit value");
    const uint8_t *p = r->base + r->pos;
    *out = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    r->pos += 4;
    return TKA_OK;
}

/* Reads a length prefix and checks the payload lies inside the message. */
static tka_status pb_length(pb_reader *r, size_t *start, size_t *len, const char *what)
{
    size_t at = r->pos;
    uint64_t n = 0; /* set by pb_varint on success; initialised for GCC -O3 */
    TKA_TRY(pb_varint(r, &n, what));
    if (n > r->end - r->pos)
        return pb_fail(r, at, what, "length runs past the end of the enclosing message");
    *start = r->pos;
    *len = (size_t)n;
    r->pos += (size_t)n;
    return TKA_OK;
}

typedef struct pb_tag {
    uint32_t field, wire;
    size_t at;
} pb_tag;

static tka_status pb_read_tag(pb_reader *r, pb_tag *tag, const char *what)
{
    tag->at = r->pos;
    uint64_t v = 0; /* as in pb_length */
    TKA_TRY(pb_varint(r, &v, what));
    if (v > UINT32_MAX || (v >> 3) == 0)
        return pb_fail(r, tag->at, what, "invalid field tag");
    tag->field = (uint32_t)(v >> 3);
    tag->wire = (uint32_t)(v & 7);
    if (tag->wire > WIRE_FIXED32)
        return pb_fail(r, tag->at, what, "invalid wire type");
    return TKA_OK;
}

/* Skips one field whose tag was just read (an unknown field). */
static tka_status pb_skip(pb_reader *r, const pb_tag *tag, const char *what, int depth)
{
    uint64_t v;
    uint32_t v32;
    size_t s, n;
    switch (tag->wire) {
    case WIRE_VARINT: return pb_varint(r, &v, what);
    case WIRE_FIXED64:
        if (r->end - r->pos < 8)
            return pb_fail(r, r->pos, what, "truncated 64-bit value");
        r->pos += 8;
        return TKA_OK;
    case WIRE_LEN: return pb_length(r, &s, &n, what);
    case WIRE_FIXED32: return pb_fixed32(r, &v32, what);
    case WIRE_SGROUP:
        if (depth >= PB_MAX_DEPTH)
            return pb_fail(r, tag->at, what, "groups nested too deeply");
        for (;;) {
            if (r->pos >= r->end)
                return pb_fail(r, tag->at, what, "unterminated group");
            pb_tag inner;
            TKA_TRY(pb_read_tag(r, &inner, what));
            if (inner.wire == WIRE_EGROUP) {
                if (inner.field != tag->field)
                    return pb_fail(r, inner.at, what, "mismatched end of group");
                return TKA_OK;
            }
            TKA_TRY(pb_skip(r, &inner, what, depth + 1));
        }
    default: /* WIRE_EGROUP without a start */
        return pb_fail(r, tag->at, what, "end of group without a start");
    }
}

/* A sub-reader over the payload of a length-delimited field. */
static pb_reader pb_sub(const pb_reader *r, size_t start, size_t len)
{
    pb_reader sub = *r;
    sub.pos = start;
    sub.end = start + len;
    return sub;
}

static spm_bytes pb_bytes(const pb_reader *r, size_t start, size_t len)
{
    spm_bytes b = {(const char *)r->base + start, len};
    return b;
}

/* Field readers: each returns TKA_OK after consuming the value, or after
 * skipping it when the wire type does not match (protobuf's rule). */
static tka_status read_string(pb_reader *r, const pb_tag *t, spm_bytes *out, const char *what)
{
    if (t->wire != WIRE_LEN)
        return pb_skip(r, t, what, 0);
    size_t s, n;
    tka_status st = pb_length(r, &s, &n, what);
    if (st == TKA_OK)
        *out = pb_bytes(r, s, n);
    return st;
}

static tka_status read_bool(pb_reader *r, const pb_tag *t, bool *out, const char *what)
{
    if (t->wire != WIRE_VARINT)
        return pb_skip(r, t, what, 0);
    uint64_t v;
    tka_status st = pb_varint(r, &v, what);
    if (st == TKA_OK)
        *out = v != 0;
    return st;
}

static tka_status read_int32(pb_reader *r, const pb_tag *t, int32_t *out, const char *what)
{
    if (t->wire != WIRE_VARINT)
        return pb_skip(r, t, what, 0);
    uint64_t v;
    tka_status st = pb_varint(r, &v, what);
    if (st == TKA_OK) /* int32 keeps the low 32 bits (negatives are sign-extended varints) */
        *out = (int32_t)(uint32_t)(v & 0xffffffffu);
    return st;
}

static tka_status read_enum(pb_reader *r, const pb_tag *t, int32_t lo, int32_t hi, int32_t *out,
                            const char *what)
{
    int32_t v = *out;
    tka_status st = read_int32(r, t, &v, what);
    if (st == TKA_OK && v >= lo && v <= hi)
        *out = v;
    return st;
}

static tka_status read_float(pb_reader *r, const pb_tag *t, float *out, const char *what)
{
    if (t->wire != WIRE_FIXED32)
        return pb_skip(r, t, what, 0);
    uint32_t bits = 0; /* as in pb_length */
    tka_status st = pb_fixed32(r, &bits, what);
    if (st == TKA_OK)
        memcpy(out, &bits, sizeof *out);
    return st;
}

/* The scalar fields of a message: number, how to read it, where it goes. */
typedef enum field_kind { F_STRING, F_BOOL, F_INT32, F_ENUM, F_ENUM8, F_FLOAT } field_kind;

typedef struct field_spec {
    uint32_t number;
    field_kind kind;
    size_t offset;  /* in the message struct */
    int32_t lo, hi; /* F_ENUM, F_ENUM8: the values the enum defines */
    const char *name;
} field_spec;

#define FIELD(num, kind, type, member, name)          \
    {                                                 \
        num, kind, offsetof(type, member), 0, 0, name \
    }
#define ENUM_FIELD(num, kind, type, member, lo, hi, name) \
    {                                                     \
        num, kind, offsetof(type, member), lo, hi, name   \
    }

/* Reads a message made of scalar fields into `msg`; unknown fields are skipped. */
static tka_status parse_scalars(pb_reader *r, void *msg, const field_spec *fields, size_t n_fields,
                                const char *what)
{
    while (r->pos < r->end) {
        pb_tag t;
        TKA_TRY(pb_read_tag(r, &t, what));
        tka_status st;
        const field_spec *f = NULL;
        for (size_t i = 0; i < n_fields && !f; i++)
            if (fields[i].number == t.field)
                f = &fields[i];
        if (!f)
            st = pb_skip(r, &t, what, 0);
        else {
            void *at = (char *)msg + f->offset;
            switch (f->kind) {
            case F_STRING: st = read_string(r, &t, at, f->name); break;
            case F_BOOL: st = read_bool(r, &t, at, f->name); break;
            case F_INT32: st = read_int32(r, &t, at, f->name); break;
            case F_ENUM: st = read_enum(r, &t, f->lo, f->hi, at, f->name); break;
            case F_ENUM8: {
                int32_t v = *(uint8_t *)at;
                st = read_enum(r, &t, f->lo, f->hi, &v, f->name);
                *(uint8_t *)at = (uint8_t)v;
                break;
            }
            case F_FLOAT: st = read_float(r, &t, at, f->name); break;
            }
        }
        if (st != TKA_OK)
            return st;
    }
    return TKA_OK;
}

static const field_spec piece_fields[] = {
    FIELD(1, F_STRING, spm_proto_piece, text, "SentencePiece.piece"),
    FIELD(2, F_FLOAT, spm_proto_piece, score, "SentencePiece.score"),
    ENUM_FIELD(3, F_ENUM8, spm_proto_piece, type, SPM_PIECE_NORMAL, SPM_PIECE_BYTE,
               "SentencePiece.type"),
};

static const field_spec trainer_fields[] = {
    ENUM_FIELD(3, F_ENUM, spm_proto_trainer, model_type, SPM_MODEL_UNIGRAM, SPM_MODEL_CHAR,
               "TrainerSpec.model_type"),
    FIELD(4, F_INT32, spm_proto_trainer, vocab_size, "TrainerSpec.vocab_size"),
    FIELD(24, F_BOOL, spm_proto_trainer, treat_whitespace_as_suffix,
          "TrainerSpec.treat_whitespace_as_suffix"),
    FIELD(25, F_BOOL, spm_proto_trainer, split_digits, "TrainerSpec.split_digits"),
    FIELD(26, F_BOOL, spm_proto_trainer, allow_whitespace_only_pieces,
          "TrainerSpec.allow_whitespace_only_pieces"),
    FIELD(35, F_BOOL, spm_proto_trainer, byte_fallback, "TrainerSpec.byte_fallback"),
    FIELD(40, F_INT32, spm_proto_trainer, unk_id, "TrainerSpec.unk_id"),
    FIELD(41, F_INT32, spm_proto_trainer, bos_id, "TrainerSpec.bos_id"),
    FIELD(42, F_INT32, spm_proto_trainer, eos_id, "TrainerSpec.eos_id"),
    FIELD(43, F_INT32, spm_proto_trainer, pad_id, "TrainerSpec.pad_id"),
    FIELD(44, F_STRING, spm_proto_trainer, unk_surface, "TrainerSpec.unk_surface"),
    FIELD(45, F_STRING, spm_proto_trainer, unk_piece, "TrainerSpec.unk_piece"),
    FIELD(46, F_STRING, spm_proto_trainer, bos_piece, "TrainerSpec.bos_piece"),
    FIELD(47, F_STRING, spm_proto_trainer, eos_piece, "TrainerSpec.eos_piece"),
    FIELD(48, F_STRING, spm_proto_trainer, pad_piece, "TrainerSpec.pad_piece"),
};

static const field_spec normalizer_fields[] = {
    FIELD(1, F_STRING, spm_proto_normalizer, name, "NormalizerSpec.name"),
    FIELD(2, F_STRING, spm_proto_normalizer, precompiled_charsmap,
          "NormalizerSpec.precompiled_charsmap"),
    FIELD(3, F_BOOL, spm_proto_normalizer, add_dummy_prefix, "NormalizerSpec.add_dummy_prefix"),
    FIELD(4, F_BOOL, spm_proto_normalizer, remove_extra_whitespaces,
          "NormalizerSpec.remove_extra_whitespaces"),
    FIELD(5, F_BOOL, spm_proto_normalizer, escape_whitespaces, "NormalizerSpec.escape_whitespaces"),
    FIELD(6, F_STRING, spm_proto_normalizer, normalization_rule_tsv,
          "NormalizerSpec.normalization_rule_tsv"),
};

static const field_spec sample_fields[] = {
    FIELD(1, F_STRING, spm_proto_sample, input, "SelfTestData.Sample.input"),
    FIELD(2, F_STRING, spm_proto_sample, expected, "SelfTestData.Sample.expected"),
};

#define N_FIELDS(a) (sizeof(a) / sizeof *(a))

static tka_status grow(void **items, size_t *cap, size_t count, size_t elem, const pb_reader *r)
{
    if (!tka_grow_array(items, cap, count + 1, elem, 64))
        return tka_error_set(r->err, TKA_ERR_NOMEM, "%s: out of memory reading the model", r->path);
    return TKA_OK;
}

static tka_status parse_self_test(pb_reader *r, spm_proto *m)
{
    static const char what[] = "ModelProto.self_test_data";
    while (r->pos < r->end) {
        pb_tag t;
        TKA_TRY(pb_read_tag(r, &t, what));
        tka_status st;
        if (t.field != 1 || t.wire != WIRE_LEN) {
            st = pb_skip(r, &t, what, 0);
        } else {
            size_t s, n;
            st = pb_length(r, &s, &n, what);
            if (st == TKA_OK)
                st = grow((void **)&m->samples, &m->cap_samples, m->n_samples, sizeof *m->samples,
                          r);
            if (st == TKA_OK) {
                spm_proto_sample *sample = &m->samples[m->n_samples++];
                memset(sample, 0, sizeof *sample);
                pb_reader sub = pb_sub(r, s, n);
                st = parse_scalars(&sub, sample, sample_fields, N_FIELDS(sample_fields),
                                   "SelfTestData.samples");
            }
        }
        if (st != TKA_OK)
            return st;
    }
    return TKA_OK;
}

static void set_defaults(spm_proto *m)
{
    static const char unk_surface[] = " \xE2\x81\x87 ";
    spm_proto_trainer *ts = &m->trainer;
    ts->model_type = SPM_MODEL_UNIGRAM;
    ts->vocab_size = 8000;
    ts->unk_id = 0;
    ts->bos_id = 1;
    ts->eos_id = 2;
    ts->pad_id = -1;
    ts->unk_piece = (spm_bytes){"<unk>", 5};
    ts->bos_piece = (spm_bytes){"<s>", 3};
    ts->eos_piece = (spm_bytes){"</s>", 4};
    ts->pad_piece = (spm_bytes){"<pad>", 5};
    ts->unk_surface = (spm_bytes){unk_surface, sizeof unk_surface - 1};
    spm_proto_normalizer *specs[2] = {&m->normalizer, &m->denormalizer};
    for (int i = 0; i < 2; i++) {
        specs[i]->add_dummy_prefix = true;
        specs[i]->remove_extra_whitespaces = true;
        specs[i]->escape_whitespaces = true;
    }
}

static tka_status parse_model(pb_reader *r, spm_proto *m)
{
    static const char what[] = "ModelProto";
    while (r->pos < r->end) {
        pb_tag t;
        TKA_TRY(pb_read_tag(r, &t, what));
        if (t.wire != WIRE_LEN || t.field < 1 || t.field > 5) {
            TKA_TRY(pb_skip(r, &t, what, 0));
            continue;
        }
        size_t s, n;
        TKA_TRY(pb_length(r, &s, &n, what));
        tka_status st;
        pb_reader sub = pb_sub(r, s, n);
        switch (t.field) {
        case 1:
            st = grow((void **)&m->pieces, &m->cap_pieces, m->n_pieces, sizeof *m->pieces, r);
            if (st == TKA_OK) {
                spm_proto_piece *p = &m->pieces[m->n_pieces++];
                p->text = (spm_bytes){"", 0};
                p->score = 0.0f;
                p->type = SPM_PIECE_NORMAL;
                st = parse_scalars(&sub, p, piece_fields, N_FIELDS(piece_fields),
                                   "ModelProto.pieces");
            }
            break;
        case 2:
            st = parse_scalars(&sub, &m->trainer, trainer_fields, N_FIELDS(trainer_fields),
                               "ModelProto.trainer_spec");
            break;
        case 3:
            m->normalizer.present = true;
            st = parse_scalars(&sub, &m->normalizer, normalizer_fields, N_FIELDS(normalizer_fields),
                               "ModelProto.normalizer_spec");
            break;
        case 4: st = parse_self_test(&sub, m); break;
        case 5:
            m->denormalizer.present = true;
            st = parse_scalars(&sub, &m->denormalizer, normalizer_fields,
                               N_FIELDS(normalizer_fields), "ModelProto.denormalizer_spec");
            break;
        }
        if (st != TKA_OK)
            return st;
    }
    return TKA_OK;
}

tka_status spm_proto_parse(const char *data, size_t len, const char *path, spm_proto *out,
                           tka_error *err)
{
    memset(out, 0, sizeof *out);
    set_defaults(out);
    pb_reader r = {(const uint8_t *)data, 0, len, path, err};
    tka_status st = parse_model(&r, out);
    if (st != TKA_OK)
        spm_proto_free(out);
    return st;
}

void spm_proto_free(spm_proto *proto)
{
    if (!proto)
        return;
    free(proto->pieces);
    free(proto->samples);
    proto->pieces = NULL;
    proto->samples = NULL;
    proto->n_pieces = proto->cap_pieces = proto->n_samples = proto->cap_samples = 0;
}
