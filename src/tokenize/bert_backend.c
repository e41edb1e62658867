/* Placeholder until the WordPiece family lands (issue 2). */
#include "tokenize/backend.h"

tka_status tka_wordpiece_open(const tka_resolved *files, const tka_tokenizer_options *options,
                              const tka_backend **backend, void **model, tka_buf *warnings,
                              tka_error *err)
{
    return tka_error_set(err, TKA_ERR_UNSUPPORTED, "%s: WordPiece tokenizers are not built yet",
                         files->file);
}
