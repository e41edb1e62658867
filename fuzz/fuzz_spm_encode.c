/* libFuzzer target: SentencePiece encoding of arbitrary text. The first byte
 * picks a model (the shared ones found through $TKA_SHARED or ../shared, plus
 * hand-made BPE/Unigram models with ties, UNUSED, USER_DEFINED, CONTROL and
 * byte pieces and a custom charsmap); the rest is the text. Checked: no
 * crash; ill-formed UTF-8 refused by tka_tokenize; pieces concatenate to the
 * normalized text; offsets ordered and in range; the fast normalizer paths
 * equal the full trie walk; decode of the ids works. Seeds: fuzz/spm_seeds.py. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tests/unit/spm_builder.h"
#include "tokalign/tokenizer.h"
#include "tokenize/spm_encode.h"
#include "tokenize/spm_model.h"

#define WS "\xe2\x96\x81"
#define MAX_MODELS 8

static spm_model *models[MAX_MODELS];
static spm_normalizer slow[MAX_MODELS]; /* same spec, fast paths off */
static size_t n_models;

static void check(int ok)
{
    if (!ok)
        abort();
}

static void add(spm_model *m)
{
    tka_error err;
    const spm_proto *p = &m->proto;
    spm_bytes user[64];
    size_t n_user = 0;
    for (int32_t i = 0; i < m->n_pieces && n_user < 64; i++)
        if (m->pieces[i].type == SPM_PIECE_USER_DEFINED)
            user[n_user++] = m->pieces[i].text;
    check(spm_normalizer_init(&slow[n_models], &p->normalizer,
                              p->trainer.treat_whitespace_as_suffix, user, n_user, m->path,
                              &err) == TKA_OK);
    for (int b = 0; b < 128; b++)
        slow[n_models].ascii_ext[b][0] = slow[n_models].ascii_ext[b][1] = ~(uint64_t)0;
    if (slow[n_models].charsmap.plain) /* without a charsmap every char is plain */
        memset(slow[n_models].charsmap.plain, 0, 65536 / 8);
    models[n_models++] = m;
}

static void add_bytes(tka_buf *b, const char *name)
{
    spm_model *m;
    tka_error err;
    check(spm_model_load_bytes(b->data, b->len, name, &m, &err) == TKA_OK);
    tka_buf_free(b);
    add(m);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *shared = getenv("TKA_SHARED") ? getenv("TKA_SHARED") : "../shared";
    static const char *const names[] = {"bpe320_republic", "sentencepiece_test_model",
                                        "sentencepiece_test_ja_model", "cluecorpussmall_spm"};
    for (size_t i = 0; i < 4; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/data/spm/%s.model", shared, names[i]);
        spm_model *m;
        tka_error err;
        if (spm_model_load(path, &m, &err) == TKA_OK)
            add(m);
    }
    /* BPE: ties, a frozen user symbol, UNUSED, a CONTROL twin of a NORMAL piece */
    tka_buf b = {0};
    pbw_specials(&b);
    const char *bpe[] = {WS, "a", "b", "c", "ab", "ba", "bc", "abc", "ax", "x", "cb", "d", "aa"};
    const float bpe_score[] = {-1, -2, -2, -2, -1, -1, -0.5f, -0.7f, 5, -2, -3, -1, -1};
    for (size_t i = 0; i < sizeof bpe / sizeof *bpe; i++)
        pbw_piece(&b, bpe[i], bpe_score[i], 0);
    pbw_piece(&b, "xy", 0, 4);
    pbw_piece(&b, "cc", -0.1f, 5);
    pbw_piece(&b, "ccc", -0.05f, 5);
    pbw_piece(&b, WS "d", -1, 3);
    pbw_piece(&b, WS "d", -1, 0);
    pbw_trainer(&b, 2, 0);
    add_bytes(&b, "fuzz-bpe");
    /* Unigram with byte fallback and a custom charsmap */
    pbw_specials(&b);
    for (int i = 0; i < 256; i++) {
        char name[8];
        snprintf(name, sizeof name, "<0x%02X>", i);
        pbw_piece(&b, name, 0, 6);
    }
    const char *uni[] = {WS, "a", "aa", "b", "ab", "c", "x", "y", WS "x", "X", "A", "[abc]"};
    const float uni_score[] = {-2, -1, -2, -3, -2.5f, -4, -1, -1, -0.5f, -2, -2, -1};
    for (size_t i = 0; i < sizeof uni / sizeof *uni; i++)
        pbw_piece(&b, uni[i], uni_score[i], 0);
    pbw_piece(&b, "abc", 0, 5);
    pbw_piece(&b, "xy", -50, 4);
    pbw_trainer(&b, 1, 1);
    static const darts_rule rules[] = {{"a", "b"},      {"ab", "X"},    {"c", ""},
                                       {"d", " "},      {"e", "  e  "}, {"\xef\xbd\xb1", "A"},
                                       {"abc", "[abc]"}};
    tka_buf cm = {0}, ns = {0};
    darts_charsmap(&cm, rules, sizeof rules / sizeof *rules);
    pbw_bytes(&ns, 2, cm.data, cm.len);
    pbw_end(&b, 3, &ns);
    tka_buf_free(&cm);
    add_bytes(&b, "fuzz-unigram");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t which = data[0] % n_models;
    const spm_model *m = models[which];
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    tka_error err;

    /* The normalizer takes any bytes; fast and slow paths must agree. */
    spm_normalized a, b;
    spm_normalized_init(&a, NULL, 0, NULL, 0);
    spm_normalized_init(&b, NULL, 0, NULL, 0);
    tka_status sa = spm_normalize(&m->normalizer, text, len, true, &a, &err);
    tka_status sb = spm_normalize(&slow[which], text, len, true, &b, &err);
    check(sa == TKA_OK && sb == TKA_OK);
    check(a.len == b.len && (a.len == 0 || memcmp(a.text, b.text, a.len) == 0));
    check(a.len == 0 || memcmp(a.map, b.map, (a.len + 1) * sizeof *a.map) == 0);

    tka_tokens t = {0};
    tka_status st = spm_encode(m, text, len, TKA_TOKENS_STRINGS | TKA_TOKENS_OFFSETS, &t, &err);
    check(st == TKA_OK);
    size_t cps = 0;
    for (size_t i = 0; i < len; i++)
        cps += ((unsigned char)text[i] & 0xc0) != 0x80;
    size_t joined = 0;
    for (size_t i = 0; i < t.count; i++) {
        check(t.ids[i] >= 0 && t.ids[i] < m->n_pieces);
        check(t.starts[i] <= t.ends[i] && t.ends[i] <= cps);
        check(i == 0 || t.starts[i] == t.ends[i - 1]); /* pieces tile the text */
        if (!m->byte_fallback) {
            check(joined + t.text_len[i] <= a.len);
            check(memcmp(a.text + joined, t.text + t.text_start[i], t.text_len[i]) == 0);
        }
        joined += t.text_len[i];
    }
    /* every normalized byte is covered, unless the text hit a CONTROL piece
     * (then nothing is returned, as libsentencepiece does) */
    if (!m->byte_fallback)
        check(joined == a.len || t.count == 0);
    tka_buf out = {0};
    check(spm_decode_ids(m, t.ids, t.count, &out, &err) == TKA_OK);
    tka_buf_free(&out);
    tka_tokens_free(&t);
    spm_normalized_free(&a);
    spm_normalized_free(&b);
    return 0;
}
