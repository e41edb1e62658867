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

#include <stdlib.h>
#include <string.h>

enum { WIRE_VARINT = 0, WIRE_FIXED64 = 1, WIRE_LEN = 2, WIRE_SGROUP = 3, WIRE_EGROUP = 4,
       WIRE_FIXED32 = 5 };

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
    uint64_t n;
    tka_status st = pb_varint(r, &n, what);
    if (st != TKA_OK)
        return st;
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
    uint64_t v;
    tka_status st = pb_varint(r, &v, what);
    if (st != TKA_OK)
        return st;
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
    case WIRE_VARINT:
        return pb_varint(r, &v, what);
    case WIRE_FIXED64:
        if (r->end - r->pos < 8)
            return pb_fail(r, r->pos, what, "truncated 64-bit value");
        r->pos += 8;
        return TKA_OK;
    case WIRE_LEN:
        return pb_length(r, &s, &n, what);
    case WIRE_FIXED32:
        return pb_fixed32(r, &v32, what);
    case WIRE_SGROUP:
        if (depth >= PB_MAX_DEPTH)
            return pb_fail(r, tag->at, what, "groups nested too deeply");
        for (;;) {
            if (r->pos >= r->end)
                return pb_fail(r, tag->at, what, "unterminated group");
            pb_tag inner;
            tka_status st = pb_read_tag(r, &inner, what);
            if (st != TKA_OK)
                return st;
            if (inner.wire == WIRE_EGROUP) {
                if (inner.field != tag->field)
                    return pb_fail(r, inner.at, what, "mismatched end of group");
                return TKA_OK;
            }
            st = pb_skip(r, &inner, what, depth + 1);
            if (st != TKA_OK)
                return st;
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
    uint32_t bits;
    tka_status st = pb_fixed32(r, &bits, what);
    if (st == TKA_OK)
        memcpy(out, &bits, sizeof *out);
    return st;
}

static tka_status parse_piece(pb_reader *r, spm_proto_piece *p)
{
    static const char what[] = "ModelProto.pieces";
    while (r->pos < r->end) {
        pb_tag t;
        tka_status st = pb_read_tag(r, &t, what);
        if (st != TKA_OK)
            return st;
        int32_t type = p->type;
        switch (t.field) {
        case 1:
            st = read_string(r, &t, &p->text, "SentencePiece.piece");
            break;
        case 2:
            st = read_float(r, &t, &p->score, "SentencePiece.score");
            break;
        case 3:
            st = read_enum(r, &t, SPM_PIECE_NORMAL, SPM_PIECE_BYTE, &type, "SentencePiece.type");
            p->type = (uint8_t)type;
            break;
        default:
            st = pb_skip(r, &t, what, 0);
        }
        if (st != TKA_OK)
            return st;
    }
    return TKA_OK;
}

static tka_status parse_trainer(pb_reader *r, spm_proto_trainer *ts)
{
    static const char what[] = "ModelProto.trainer_spec";
    while (r->pos < r->end) {
        pb_tag t;
        tka_status st = pb_read_tag(r, &t, what);
        if (st != TKA_OK)
            return st;
        switch (t.field) {
        case 3:
            st = read_enum(r, &t, SPM_MODEL_UNIGRAM, SPM_MODEL_CHAR, &ts->model_type,
                           "TrainerSpec.model_type");
            break;
        case 4:
            st = read_int32(r, &t, &ts->vocab_size, "TrainerSpec.vocab_size");
            break;
        case 24:
            st = read_bool(r, &t, &ts->treat_whitespace_as_suffix,
                           "TrainerSpec.treat_whitespace_as_suffix");
            break;
        case 25:
            st = read_bool(r, &t, &ts->split_digits, "TrainerSpec.split_digits");
            break;
        case 26:
            st = read_bool(r, &t, &ts->allow_whitespace_only_pieces,
                           "TrainerSpec.allow_whitespace_only_pieces");
            break;
        case 35:
            st = read_bool(r, &t, &ts->byte_fallback, "TrainerSpec.byte_fallback");
            break;
        case 40:
            st = read_int32(r, &t, &ts->unk_id, "TrainerSpec.unk_id");
            break;
        case 41:
            st = read_int32(r, &t, &ts->bos_id, "TrainerSpec.bos_id");
            break;
        case 42:
            st = read_int32(r, &t, &ts->eos_id, "TrainerSpec.eos_id");
            break;
        case 43:
            st = read_int32(r, &t, &ts->pad_id, "TrainerSpec.pad_id");
            break;
        case 44:
            st = read_string(r, &t, &ts->unk_surface, "TrainerSpec.unk_surface");
            break;
        case 45:
            st = read_string(r, &t, &ts->unk_piece, "TrainerSpec.unk_piece");
            break;
        case 46:
            st = read_string(r, &t, &ts->bos_piece, "TrainerSpec.bos_piece");
            break;
        case 47:
            st = read_string(r, &t, &ts->eos_piece, "TrainerSpec.eos_piece");
            break;
        case 48:
            st = read_string(r, &t, &ts->pad_piece, "TrainerSpec.pad_piece");
            break;
        default:
            st = pb_skip(r, &t, what, 0);
        }
        if (st != TKA_OK)
            return st;
    }
    return TKA_OK;
}

static tka_status parse_normalizer(pb_reader *r, spm_proto_normalizer *ns, const char *what)
{
    ns->present = true;
    while (r->pos < r->end) {
        pb_tag t;
        tka_status st = pb_read_tag(r, &t, what);
        if (st != TKA_OK)
            return st;
        switch (t.field) {
        case 1:
            st = read_string(r, &t, &ns->name, "NormalizerSpec.name");
            break;
        case 2:
            st = read_string(r, &t, &ns->precompiled_charsmap,
                             "NormalizerSpec.precompiled_charsmap");
            break;
        case 3:
            st = read_bool(r, &t, &ns->add_dummy_prefix, "NormalizerSpec.add_dummy_prefix");
            break;
        case 4:
            st = read_bool(r, &t, &ns->remove_extra_whitespaces,
                           "NormalizerSpec.remove_extra_whitespaces");
            break;
        case 5:
            st = read_bool(r, &t, &ns->escape_whitespaces, "NormalizerSpec.escape_whitespaces");
            break;
        case 6:
            st = read_string(r, &t, &ns->normalization_rule_tsv,
                             "NormalizerSpec.normalization_rule_tsv");
            break;
        default:
            st = pb_skip(r, &t, what, 0);
        }
        if (st != TKA_OK)
            return st;
    }
    return TKA_OK;
}

static tka_status parse_sample(pb_reader *r, spm_proto_sample *s)
{
    static const char what[] = "SelfTestData.samples";
    while (r->pos < r->end) {
        pb_tag t;
        tka_status st = pb_read_tag(r, &t, what);
        if (st != TKA_OK)
            return st;
        if (t.field == 1)
            st = read_string(r, &t, &s->input, "SelfTestData.Sample.input");
        else if (t.field == 2)
            st = read_string(r, &t, &s->expected, "SelfTestData.Sample.expected");
        else
            st = pb_skip(r, &t, what, 0);
        if (st != TKA_OK)
            return st;
    }
    return TKA_OK;
}

static tka_status grow(void **items, size_t *cap, size_t count, size_t elem, const pb_reader *r)
{
    if (count < *cap)
        return TKA_OK;
    size_t n = *cap ? *cap * 2 : 64;
    if (n > SIZE_MAX / elem)
        return tka_error_set(r->err, TKA_ERR_NOMEM, "%s: out of memory reading the model",
                             r->path);
    void *p = realloc(*items, n * elem);
    if (!p)
        return tka_error_set(r->err, TKA_ERR_NOMEM, "%s: out of memory reading the model",
                             r->path);
    *items = p;
    *cap = n;
    return TKA_OK;
}

static tka_status parse_self_test(pb_reader *r, spm_proto *m)
{
    static const char what[] = "ModelProto.self_test_data";
    while (r->pos < r->end) {
        pb_tag t;
        tka_status st = pb_read_tag(r, &t, what);
        if (st != TKA_OK)
            return st;
        if (t.field != 1 || t.wire != WIRE_LEN) {
            st = pb_skip(r, &t, what, 0);
        } else {
            size_t s, n;
            st = pb_length(r, &s, &n, what);
            if (st == TKA_OK)
                st = grow((void **)&m->samples, &m->cap_samples, m->n_samples,
                          sizeof *m->samples, r);
            if (st == TKA_OK) {
                spm_proto_sample *sample = &m->samples[m->n_samples++];
                memset(sample, 0, sizeof *sample);
                pb_reader sub = pb_sub(r, s, n);
                st = parse_sample(&sub, sample);
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
        tka_status st = pb_read_tag(r, &t, what);
        if (st != TKA_OK)
            return st;
        if (t.wire != WIRE_LEN || t.field < 1 || t.field > 5) {
            st = pb_skip(r, &t, what, 0);
            if (st != TKA_OK)
                return st;
            continue;
        }
        size_t s, n;
        st = pb_length(r, &s, &n, what);
        if (st != TKA_OK)
            return st;
        pb_reader sub = pb_sub(r, s, n);
        switch (t.field) {
        case 1:
            st = grow((void **)&m->pieces, &m->cap_pieces, m->n_pieces, sizeof *m->pieces, r);
            if (st == TKA_OK) {
                spm_proto_piece *p = &m->pieces[m->n_pieces++];
                p->text = (spm_bytes){"", 0};
                p->score = 0.0f;
                p->type = SPM_PIECE_NORMAL;
                st = parse_piece(&sub, p);
            }
            break;
        case 2:
            st = parse_trainer(&sub, &m->trainer);
            break;
        case 3:
            st = parse_normalizer(&sub, &m->normalizer, "ModelProto.normalizer_spec");
            break;
        case 4:
            st = parse_self_test(&sub, m);
            break;
        case 5:
            st = parse_normalizer(&sub, &m->denormalizer, "ModelProto.denormalizer_spec");
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
