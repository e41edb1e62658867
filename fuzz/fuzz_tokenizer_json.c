/* libFuzzer target: the tokenizer.json reader on malformed and hostile JSON. Whatever the
 * input, loading ends in TKA_OK or an error with a message (never a crash or hang); a file
 * that loads is used: two texts encoded (single and pair, with special tokens), decoded. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tokenize/tj_tokenizer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t je;
    json_t *root = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return 0;
    tj_tokenizer *t = NULL;
    tka_error err = {0};
    tka_status st = tj_tokenizer_from_json(root, "fuzz.json", &t, &err);
    json_decref(root);
    if (st != TKA_OK) {
        if (err.message[0] == '\0')
            abort(); /* every error names what is wrong */
        return 0;
    }
    static const char a[] = "Hello  world! <s>[CLS] caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac 12345 'll";
    static const char b[] = " \xe2\x96\x81x\tY ";
    tj_enc e = {0};
    tka_buf out = {0};
    if (tj_tokenizer_encode(t, a, strlen(a), b, strlen(b), true, -1, TKA_TRUNCATE_NONE, &e, &err) ==
        TKA_OK) {
        for (size_t i = 0; i < e.n; i++)
            if (e.s[i] > e.e[i])
                abort();
        tj_tokenizer_decode(t, e.ids, e.n, false, &out, &err);
        out.len = 0;
        tj_tokenizer_decode(t, e.ids, e.n, true, &out, &err);
    }
    tj_enc_free(&e);
    tka_buf_free(&out);
    tj_tokenizer_free(t);
    return 0;
}
