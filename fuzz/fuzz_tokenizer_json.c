/* libFuzzer target: the tokenizer.json reader on malformed and hostile JSON. Whatever the
 * input, loading ends in TKA_OK or an error with a message (never a crash or hang); a file
 * that loads is used: two texts encoded (single and pair, with special tokens), decoded.
 * The reader (tj_tokenizer_from_buffer, which scans a BPE model's vocab and merges itself)
 * must give what jansson + tj_tokenizer_from_json give: the same status and message, the
 * same vocabulary size and the same ids. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_error.h"
#include "tokenize/tj_model.h"
#include "tokenize/tj_tokenizer.h"

const tj_model *tj_tokenizer_model(const tj_tokenizer *t); /* tj_tokenizer.c */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tj_tokenizer *t = NULL, *ref = NULL;
    tka_error err = {0}, ref_err = {0};
    tka_status st = tj_tokenizer_from_buffer((const char *)data, size, "fuzz.json", &t, &err);
    json_error_t je;
    json_t *root = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &je);
    tka_status ref_st = root ? tj_tokenizer_from_json(root, "fuzz.json", &ref, &ref_err)
                             : tka_json_error(&ref_err, "fuzz.json", &je, NULL);
    json_decref(root);
    if (st != ref_st || strcmp(err.message, ref_err.message) != 0)
        abort();
    if (st != TKA_OK) {
        if (err.message[0] == '\0')
            abort(); /* every error names what is wrong */
        return 0;
    }
    static const char a[] = "Hello  world! <s>[CLS] caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac 12345 'll";
    static const char b[] = " \xe2\x96\x81x\tY ";
    tj_enc e = {0}, f = {0};
    tka_buf out = {0};
    st = tj_tokenizer_encode(t, a, strlen(a), b, strlen(b), true, -1, TKA_TRUNCATE_NONE, &e, &err);
    ref_st = tj_tokenizer_encode(ref, a, strlen(a), b, strlen(b), true, -1, TKA_TRUNCATE_NONE, &f,
                                 &ref_err);
    if (st != ref_st ||
        tj_model_vocab_size(tj_tokenizer_model(t)) != tj_model_vocab_size(tj_tokenizer_model(ref)))
        abort();
    if (st == TKA_OK && (e.n != f.n || (e.n && memcmp(e.ids, f.ids, e.n * sizeof *e.ids) != 0)))
        abort();
    if (st == TKA_OK) {
        for (size_t i = 0; i < e.n; i++)
            if (e.s[i] > e.e[i])
                abort();
        tj_tokenizer_decode(t, e.ids, e.n, false, &out, &err);
        out.len = 0;
        tj_tokenizer_decode(t, e.ids, e.n, true, &out, &err);
    }
    tj_enc_free(&e);
    tj_enc_free(&f);
    tka_buf_free(&out);
    tj_tokenizer_free(t);
    tj_tokenizer_free(ref);
    return 0;
}
