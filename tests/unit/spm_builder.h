/* Test helper: writes SentencePiece ModelProto bytes (protobuf wire format)
 * for hand-made models, a tiny Darts-clone charsmap, and a check of an
 * encoding piece by piece. Header-only so each
 * test_spm_*.c stays one Criterion executable. */
#ifndef TKA_TEST_SPM_BUILDER_H
#define TKA_TEST_SPM_BUILDER_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "tokalign/text.h"
#include "tokenize/spm_encode.h"
#include "tokenize/spm_model.h"

static inline void pbw_varint(tka_buf *b, uint64_t v)
{
    do {
        unsigned char c = v & 0x7f;
        v >>= 7;
        if (v)
            c |= 0x80;
        tka_buf_append(b, &c, 1);
    } while (v);
}

static inline void pbw_tag(tka_buf *b, uint32_t field, uint32_t wire)
{
    pbw_varint(b, (uint64_t)field << 3 | wire);
}

static inline void pbw_bytes(tka_buf *b, uint32_t field, const void *data, size_t len)
{
    pbw_tag(b, field, 2);
    pbw_varint(b, len);
    tka_buf_append(b, data, len);
}

static inline void pbw_str(tka_buf *b, uint32_t field, const char *s)
{
    pbw_bytes(b, field, s, strlen(s));
}

static inline void pbw_int(tka_buf *b, uint32_t field, int64_t v)
{
    pbw_tag(b, field, 0);
    pbw_varint(b, (uint64_t)v);
}

static inline void pbw_float(tka_buf *b, uint32_t field, float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    pbw_tag(b, field, 5);
    unsigned char c[4] = {(unsigned char)u, (unsigned char)(u >> 8), (unsigned char)(u >> 16),
                          (unsigned char)(u >> 24)};
    tka_buf_append(b, c, 4);
}

/* Appends a ModelProto.pieces entry. type 0 leaves the field out (NORMAL). */
static inline void pbw_piece(tka_buf *model, const char *text, float score, int type)
{
    tka_buf p = {0};
    pbw_str(&p, 1, text);
    pbw_float(&p, 2, score);
    if (type)
        pbw_int(&p, 3, type);
    pbw_bytes(model, 1, p.data, p.len);
    tka_buf_free(&p);
}

/* A sub-message under construction: fill `body`, then pbw_end(). */
static inline void pbw_end(tka_buf *model, uint32_t field, tka_buf *body)
{
    pbw_bytes(model, field, body->data ? body->data : "", body->len);
    tka_buf_free(body);
}

/* The three pieces most models start with: <unk>, <s>, </s>. */
static inline void pbw_specials(tka_buf *m)
{
    pbw_piece(m, "<unk>", 0, 2);
    pbw_piece(m, "<s>", 0, 3);
    pbw_piece(m, "</s>", 0, 3);
}

/* trainer_spec with model_type and byte_fallback. */
static inline void pbw_trainer(tka_buf *m, int model_type, int byte_fallback)
{
    tka_buf t = {0};
    pbw_int(&t, 3, model_type);
    if (byte_fallback)
        pbw_int(&t, 35, 1);
    pbw_end(m, 2, &t);
}

/* ---- a minimal Darts-clone double array for charsmap tests ----
 * Unit layout as darts.h: label in bits 0-7 (bit 31 for value units),
 * has_leaf bit 8, offset in bits 10-31 (bit 9 selects a << 8 scale). */
typedef struct darts_rule {
    const char *from, *to;
} darts_rule;

/* Builds a charsmap blob (4-byte trie size, units, replacement pool) for a
 * handful of rules: every node gets its own 256-unit block, its value unit at
 * the block start and its children at block + byte. */
static inline void darts_charsmap(tka_buf *blob, const darts_rule *rules, size_t n)
{
    enum { MAX_NODES = 64, N = (MAX_NODES + 2) * 256 };
    uint32_t *u = calloc(N, sizeof *u);
    tka_buf pool = {0};
    uint32_t pool_at[MAX_NODES];
    for (size_t i = 0; i < n; i++) {
        pool_at[i] = (uint32_t)pool.len;
        tka_buf_append(&pool, rules[i].to, strlen(rules[i].to) + 1);
    }
    struct node {
        char key[8];
        size_t klen;
        uint32_t id;
    } nodes[MAX_NODES];
    memset(nodes, 0, sizeof nodes);
    size_t n_nodes = 1; /* the root, unit 0 */
    uint32_t next_block = 256;
    for (size_t k = 0; k < n_nodes; k++) {
        uint32_t block = next_block;
        next_block += 256;
        u[nodes[k].id] |= (nodes[k].id ^ block) << 10; /* offset: id ^ offset = block */
        for (size_t i = 0; i < n; i++) {
            size_t len = strlen(rules[i].from);
            if (len < nodes[k].klen || memcmp(rules[i].from, nodes[k].key, nodes[k].klen) != 0)
                continue;
            if (len == nodes[k].klen) {
                u[nodes[k].id] |= 1u << 8; /* has_leaf */
                u[block] = pool_at[i] | 0x80000000u;
                continue;
            }
            unsigned char c = (unsigned char)rules[i].from[nodes[k].klen];
            uint32_t id = block ^ c;
            if (u[id] & 0xff)
                continue; /* child already made */
            u[id] = c;
            memcpy(nodes[n_nodes].key, nodes[k].key, nodes[k].klen);
            nodes[n_nodes].key[nodes[k].klen] = (char)c;
            nodes[n_nodes].klen = nodes[k].klen + 1;
            nodes[n_nodes].id = id;
            n_nodes++;
        }
    }
    uint32_t size = next_block * 4;
    unsigned char hdr[4] = {(unsigned char)size, (unsigned char)(size >> 8),
                            (unsigned char)(size >> 16), (unsigned char)(size >> 24)};
    tka_buf_append(blob, hdr, 4);
    for (uint32_t i = 0; i < next_block; i++) {
        unsigned char c[4] = {(unsigned char)u[i], (unsigned char)(u[i] >> 8),
                              (unsigned char)(u[i] >> 16), (unsigned char)(u[i] >> 24)};
        tka_buf_append(blob, c, 4);
    }
    tka_buf_append(blob, pool.data, pool.len);
    tka_buf_free(&pool);
    free(u);
}

/* ---- checking an encoding ---- */

/* One expected piece: text, id and code-point [begin, end). */
typedef struct want_piece {
    const char *piece;
    int32_t id;
    uint32_t begin, end;
} want_piece;

/* Encodes text with strings and offsets and checks every piece against want. */
static inline void expect_encoding(const spm_model *m, const char *text, const want_piece *want,
                                   size_t n)
{
    tka_tokens t = {0};
    tka_error err;
    cr_assert_eq(
        spm_encode(m, text, strlen(text), TKA_TOKENS_STRINGS | TKA_TOKENS_OFFSETS, &t, &err),
        TKA_OK, "%s", err.message);
    cr_assert_eq(t.count, n, "\"%s\": %zu pieces, want %zu", text, t.count, n);
    for (size_t i = 0; i < n; i++) {
        cr_expect_eq(t.ids[i], want[i].id, "\"%s\" piece %zu id", text, i);
        cr_expect(t.text_len[i] == strlen(want[i].piece) &&
                      memcmp(t.text + t.text_start[i], want[i].piece, t.text_len[i]) == 0,
                  "\"%s\" piece %zu is \"%.*s\", want \"%s\"", text, i, (int)t.text_len[i],
                  t.text + t.text_start[i], want[i].piece);
        cr_expect(t.starts[i] == want[i].begin && t.ends[i] == want[i].end,
                  "\"%s\" piece %zu at [%u, %u), want [%u, %u)", text, i, t.starts[i], t.ends[i],
                  want[i].begin, want[i].end);
    }
    tka_tokens_free(&t);
}

#define EXPECT(m, text, ...)                                      \
    do {                                                          \
        const want_piece w_[] = {__VA_ARGS__};                    \
        expect_encoding((m), (text), w_, sizeof w_ / sizeof *w_); \
    } while (0)

#endif
