/* Reference error texts that more than one module reproduces word for word
 * (transformers / tokenizers): one definition each, so the copies cannot
 * drift apart. Internal to the library. */
#ifndef TOKALIGN_CORE_REF_MESSAGES_H
#define TOKALIGN_CORE_REF_MESSAGES_H

#include "tokalign/status.h"

/* COMPAT: transformers 4.9.1 PreTrainedTokenizerBase (ValueError), raised by
 * tokenizer(..., padding=...) (encode.c) and tokenizer.pad (collate.c); the
 * text of TKA_REF_NO_PAD_TOKEN (tka_ref_message, which the Python package
 * raises too). Set it with tka_error_set_ref. */
#define TKA_HF_NO_PAD_TOKEN                                                                        \
    "Asking to pad but the tokenizer does not have a padding token. Please select a token to use " \
    "as `pad_token` `(tokenizer.pad_token = tokenizer.eos_token e.g.)` or add a new pad token "    \
    "via `tokenizer.add_special_tokens({'pad_token': '[PAD]'})`."

/* COMPAT: tokenizers' TruncationError messages (Rust), for the only_first /
 * only_second strategies of encode.c and of tokenizer.json (tj_tokenizer.c). */
#define TKA_HF_TRUNCATION_NO_SECOND "Truncation error: Second sequence not provided"
#define TKA_HF_TRUNCATION_TOO_SHORT \
    "Truncation error: Sequence to truncate too short to respect the provided max_length"

/* tokenizers' Encoding::truncate asserts stride < max_len (a panic, no
 * message of its own); printf arguments: stride, max_len (size_t). */
#define TKA_RUST_STRIDE_PANIC \
    "stride (%zu) must be smaller than the truncated length (%zu): the Rust tokenizer panics here"

/* Sets the reference error `ref`: status TKA_ERR_REFERENCE, err->ref, and
 * the message `prefix` (e.g. "ValueError: ") + tka_ref_message(ref). Accepts
 * err == NULL; returns TKA_ERR_REFERENCE. */
tka_status tka_error_set_ref(tka_error *err, tka_ref_error ref, const char *prefix);
#ifdef __clang_analyzer__
/* As for tka_error_set (status.h): the analyzer sees one file at a time. */
#define tka_error_set_ref(err, ref, prefix) \
    (tka_error_set_ref((err), (ref), (prefix)), TKA_ERR_REFERENCE)
#endif

#endif
