/* libFuzzer target: a tokenizer.json "model" and "decoder" plus words. The input is a JSON
 * object {"model": ..., "decoder": ...}, a newline, then words one per line. Loading must
 * succeed or fail with an error, never crash; a model that loads tokenizes every valid UTF-8
 * word into ids it knows with offsets inside the word, and the decoder (when it loads) decodes
 * the tokens. Seeds: fuzz/seeds/fuzz_tj_model/ (small hand-built models). */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tokalign/text.h"
#include "tokenize/tj_decoder.h"
#include "tokenize/tj_model.h"

static void check(int ok)
{
    if (!ok)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    const char *nl = memchr(text, '\n', size);
    size_t head = nl ? (size_t)(nl - text) : size;
    json_error_t je;
    json_t *root = json_loadb(text, head, 0, &je);
    if (!root)
        return 0;
    tj_model *m = NULL;
    tj_decoder *d = NULL;
    tka_error err = {0};
    tka_status st = tj_model_from_json(json_object_get(root, "model"), "fuzz.json", &m, &err);
    check(st == TKA_OK ? m != NULL : m == NULL && err.message[0] != 0);
    st = tj_decoder_from_json(json_object_get(root, "decoder"), "fuzz.json", &d, &err);
    check(st == TKA_OK ? d != NULL : d == NULL && err.message[0] != 0);
    if (m) {
        tj_work *w = tj_work_new();
        tj_pieces p = {0};
        tka_buf out = {0};
        const char *toks[256];
        size_t lens[256];
        size_t at = nl ? head + 1 : size;
        /* each word twice: the second pass may come from BPE's word cache */
        for (int round = 0; round < 2; round++) {
            for (size_t pos = at; pos < size;) {
                const char *e = memchr(text + pos, '\n', size - pos);
                size_t len = e ? (size_t)(e - (text + pos)) : size - pos;
                const char *word = text + pos;
                pos += len + 1;
                if (!tka_utf8_valid(word, len, NULL))
                    continue;
                p.count = 0;
                st = tj_model_tokenize(m, w, word, len, &p, &err);
                check(st == TKA_OK || st == TKA_ERR_REFERENCE);
                if (st != TKA_OK)
                    continue;
                size_t n = 0;
                for (size_t i = 0; i < p.count; i++) {
                    size_t tl;
                    const char *tok = tj_model_id_to_token(m, p.items[i].id, &tl);
                    check(tok != NULL);
                    check(p.items[i].start <= p.items[i].end && p.items[i].end <= len);
                    if (n < 256)
                        toks[n] = tok, lens[n++] = tl;
                }
                if (d) {
                    out.len = 0;
                    st = tj_decoder_decode(d, toks, lens, n, &out, &err);
                    check(st == TKA_OK || st == TKA_ERR_REFERENCE);
                }
            }
        }
        tka_buf_free(&out);
        tj_pieces_free(&p);
        tj_work_free(w);
    }
    tj_decoder_free(d);
    tj_model_free(m);
    json_decref(root);
    return 0;
}
