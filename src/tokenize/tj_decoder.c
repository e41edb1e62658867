/* tokenizer.json decoders: each a step over the list of token strings (Rust's decode_chain),
 * the final list concatenated. */
#include <stdlib.h>
#include <string.h>

#include "tokenize/tj_decoder.h"

struct tj_decoder {
    int kind;
};

tka_status tj_decoder_from_json(const json_t *j, const char *path, tj_decoder **out,
                                tka_error *err)
{
    *out = NULL;
    if (j && !json_is_null(j))
        return tka_error_set(err, TKA_ERR_UNSUPPORTED, "%s: decoder: not implemented yet",
                             path ? path : "tokenizer.json");
    *out = calloc(1, sizeof **out);
    return *out ? TKA_OK : tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
}

void tj_decoder_free(tj_decoder *d)
{
    free(d);
}

tka_status tj_decoder_decode(const tj_decoder *d, const char *const *tokens, const size_t *lens,
                             size_t n, tka_buf *out, tka_error *err)
{
    (void)d;
    for (size_t i = 0; i < n; i++)
        if ((i && tka_buf_append_char(out, ' ')) || tka_buf_append(out, tokens[i], lens[i]))
            return tka_error_set(err, TKA_ERR_NOMEM, "out of memory decoding");
    return TKA_OK;
}
