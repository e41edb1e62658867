/* libFuzzer target: arbitrary bytes as a SentencePiece .model. Loading must
 * succeed or fail with a format error naming the file, never crash; a model
 * that loads is then used to encode a few texts (and its own self-test
 * inputs) and to decode ids, and the results are checked for consistency.
 * Seeds: fuzz/spm_seeds.py. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tokalign/tokenizer.h"
#include "tokenize/spm_encode.h"
#include "tokenize/spm_model.h"

static void check(int ok)
{
    if (!ok)
        abort();
}

static void encode(const spm_model *m, const char *text, size_t len)
{
    tka_tokens t = {0};
    tka_error err;
    tka_status st = spm_encode(m, text, len, TKA_TOKENS_STRINGS | TKA_TOKENS_OFFSETS, &t, &err);
    /* A corrupt charsmap rule is reported, anything else must work. */
    check(st == TKA_OK || st == TKA_ERR_FORMAT);
    if (st == TKA_OK) {
        size_t cps = 0;
        for (size_t i = 0; i < len; i++)
            cps += ((unsigned char)text[i] & 0xc0) != 0x80;
        for (size_t i = 0; i < t.count; i++) {
            check(t.ids[i] >= 0 && t.ids[i] < m->n_pieces);
            check(t.starts[i] <= t.ends[i] && t.ends[i] <= cps);
            check(i == 0 || t.starts[i] >= t.starts[i - 1]);
        }
        tka_buf out = {0};
        st = spm_decode_ids(m, t.ids, t.count, &out, &err);
        check(st == TKA_OK || st == TKA_ERR_UNSUPPORTED);
        tka_buf_free(&out);
    }
    tka_tokens_free(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    spm_model *m = NULL;
    tka_error err;
    tka_status st = spm_model_load_bytes((const char *)data, size, "fuzz.model", &m, &err);
    if (st != TKA_OK) {
        check(m == NULL);
        check(st == TKA_ERR_FORMAT || st == TKA_ERR_UNSUPPORTED || st == TKA_ERR_LIMIT);
        check(strstr(err.message, "fuzz.model") != NULL);
        return 0;
    }
    static const char *const texts[] = {"",
                                        " ",
                                        "Hello  world!",
                                        "  a\tb  ",
                                        "\xe3\x81\x82\xe3\x81\x84 \xef\xbd\xb1\xef\xbe\x9e",
                                        "abcabc xyxy <s> [MASK] \xe2\x96\x81",
                                        "e\xcc\x81 \xe2\x91\xa0 \xf0\x9f\x98\x80",
                                        "\x01\x7f\xc2\x85 \xe2\x80\x8b"};
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
        encode(m, texts[i], strlen(texts[i]));
    /* the model's own self-test inputs: arbitrary bytes reach the normalizer */
    for (size_t i = 0; i < m->proto.n_samples && i < 4; i++)
        encode(m, m->proto.samples[i].input.data, m->proto.samples[i].input.len);
    /* decode every id once, in small groups */
    tka_buf out = {0};
    for (int32_t id = 0; id < m->n_pieces && id < 4096; id += 3) {
        int32_t ids[3] = {id, (id + 1) % m->n_pieces, (id + 2) % m->n_pieces};
        out.len = 0;
        st = spm_decode_ids(m, ids, 3, &out, &err);
        check(st == TKA_OK || st == TKA_ERR_UNSUPPORTED);
    }
    tka_buf_free(&out);
    spm_model_free(m);
    return 0;
}
