/* Finding tokenizer files the way from_pretrained does: an explicit path, or
 * a model name looked up in local caches and a mirror directory. Nothing is
 * downloaded here. */
#ifndef TOKALIGN_RESOLVE_H
#define TOKALIGN_RESOLVE_H

#include <stdbool.h>
#include <stddef.h>

#include "tokalign/status.h"
#include "tokalign/text.h"
#include "tokalign/tokenizer.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A model name tokalign knows: its defaults and the SHA-256 of its file. */
typedef struct tka_known_model {
    const char *name; /* as passed to from_pretrained */
    tka_tokenizer_kind kind;
    int do_lower_case;           /* WordPiece default; -1 for SentencePiece */
    const char *file_name;       /* vocab.txt / spiece.model */
    const char *sha256;          /* expected file hash (lower-case hex) */
    const char *mirror_path;     /* path inside a mirror directory */
    const char *hub_repo;        /* HuggingFace hub repository, or NULL when the file is
                                     not on the hub (PaddleNLP names, mirror-only models) */
    const char *shares_vocab_of; /* NULL, or the model whose file is identical */
    const char *model_type;      /* config.json's model_type when it selects the tokenizer's
                                     behaviour ("reformer"), else NULL */
} tka_known_model;

/* The table of known names, in a stable order: static and immutable
 * (thread-safe, never freed). */
TKA_API const tka_known_model *tka_known_models(size_t *count);
/* The entry for `name`, or NULL. */
TKA_API const tka_known_model *tka_known_model_find(const char *name);
/* The first entry whose file has this hash, or NULL. */
TKA_API const tka_known_model *tka_known_model_by_sha256(const char *sha256_hex);

/* Ownership and threads: the caller's, freed with tka_resolved_free; one
 * thread at a time. Resolving reads the environment (thread-safe as long as
 * no thread changes it meanwhile). */
typedef struct tka_resolved {
    tka_tokenizer_kind kind;
    char *file;                   /* the vocab.txt / .model file (malloc'd) */
    char *config_dir;             /* directory that may hold tokenizer_config.json and
                          special_tokens_map.json, or NULL (malloc'd) */
    char *origin;                 /* "path", "hf-cache", "paddlenlp-cache", "tokalign-cache" or
                          "mirror" (malloc'd) */
    const tka_known_model *known; /* by name, else by hash; may be NULL */
    char sha256[65];
    bool reformer; /* a Reformer model (a directory whose config.json says "model_type":
                          "reformer", or a known Reformer name): tokenize as
                          ReformerTokenizer.from_pretrained does, with </s> and <unk> never
                          split. A bare .model file is plain SentencePiece. */
} tka_resolved;

TKA_API void tka_resolved_free(tka_resolved *resolved);

/* The mirror directory in effect: `mirror_dir` if non-NULL, else
 * $TOKALIGN_MIRROR, else "../shared/data" when that directory exists, else
 * NULL. The returned string is static or `mirror_dir` itself. */
TKA_API const char *tka_mirror_dir(const char *mirror_dir);

/* Where `tokalign fetch` stores downloads: $TOKALIGN_CACHE, else
 * $XDG_CACHE_HOME/tokalign, else ~/.cache/tokalign (malloc'd; NULL without
 * HOME). A model NAME lives in <cache>/NAME/. */
TKA_API char *tka_fetch_cache_dir(void);

/* Resolves `spec`. Search order for a name: the HuggingFace hub cache
 * ($HF_HUB_CACHE, $HUGGINGFACE_HUB_CACHE, $HF_HOME/hub, ~/.cache/huggingface/hub:
 * models--ORG--NAME/snapshots/REV/ with REV from refs/main, else the newest),
 * the PaddleNLP cache ($PPNLP_HOME/models/NAME or ~/.paddlenlp/models/NAME),
 * tokalign's own download cache, then the mirror. A known name whose file hash differs from the expected one
 * appends a warning naming both hashes to `warnings` (may be NULL). */
TKA_API tka_status tka_resolve(const char *spec, const char *mirror_dir, tka_resolved *out,
                               tka_buf *warnings, tka_error *err);

#ifdef __cplusplus
}
#endif
#endif
