/* The generic tokenizer handle: resolution, dispatch to a model family, and
 * the reusable token arrays. */
#include <dirent.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "core/io.h"
#include "tokenize/backend.h"
#include "core/try.h"

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Where `spec` is a tokenizer.json route: the file itself; a directory with tokenizer.json
 * and no slow file (vocab.txt, *.model), or with both under TKA_COMPAT_FAST; or a GPT-2
 * style directory (vocab.json + merges.txt). Sets *path (and *merges for GPT-2), malloc'd;
 * both NULL when spec is not one (the slow families and names resolve as before). */
static tka_status json_route(const char *spec, tka_compat compat, char **path, char **merges)
{
    *path = *merges = NULL;
    if (tka_is_file(spec)) {
        if (ends_with(spec, ".json") && !ends_with(spec, "vocab.json"))
            *path = strdup(spec);
        return TKA_OK;
    }
    if (!tka_is_dir(spec))
        return TKA_OK;
    char *tj = tka_path_join(spec, "tokenizer.json");
    char *vocab_txt = tka_path_join(spec, "vocab.txt");
    char *vj = tka_path_join(spec, "vocab.json"), *mt = tka_path_join(spec, "merges.txt");
    if (!tj || !vocab_txt || !vj || !mt) {
        free(tj);
        free(vocab_txt);
        free(vj);
        free(mt);
        return TKA_ERR_NOMEM;
    }
    bool slow = tka_is_file(vocab_txt);
    DIR *d = opendir(spec);
    struct dirent *e;
    while (d && !slow && (e = readdir(d)) != NULL)
        slow = ends_with(e->d_name, ".model") || ends_with(e->d_name, "-vocab.txt");
    if (d)
        closedir(d);
    if (tka_is_file(tj) && (!slow || compat == TKA_COMPAT_FAST)) {
        *path = tj;
        tj = NULL;
    } else if (!slow && tka_is_file(vj) && tka_is_file(mt)) {
        *path = vj;
        *merges = mt;
        vj = mt = NULL;
    }
    free(tj);
    free(vocab_txt);
    free(vj);
    free(mt);
    return TKA_OK;
}

void tka_tokenizer_options_init(tka_tokenizer_options *options)
{
    options->compat = TKA_COMPAT_SLOW;
    options->do_lower_case = -1;
    options->mirror_dir = NULL;
}

tka_status tka_tokenizer_open(const char *spec, const tka_tokenizer_options *options,
                              tka_tokenizer **out, tka_error *err)
{
    *out = NULL;
    tka_tokenizer_options defaults;
    if (!options) {
        tka_tokenizer_options_init(&defaults);
        options = &defaults;
    }
    tka_tokenizer *tok = calloc(1, sizeof *tok);
    if (!tok)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory opening a tokenizer");
    char *json_path, *merges;
    tka_status st = json_route(spec, options->compat, &json_path, &merges);
    if (st == TKA_OK && !json_path) {
        /* A model name whose directory (hub cache snapshot, caches, the mirror's
         * tokenizers/NAME) routes to a tokenizer.json by the same rule as a directory. */
        char *dir = tka_resolve_name_dir(spec, options->mirror_dir);
        if (dir)
            st = json_route(dir, options->compat, &json_path, &merges);
        free(dir);
    }
    if (st != TKA_OK) {
        tka_tokenizer_free(tok);
        return tka_error_set(err, st, "out of memory opening a tokenizer");
    }
    if (json_path) {
        tok->kind = TKA_TOKENIZER_JSON;
        tok->compat = TKA_COMPAT_FAST;
        tok->source = json_path;
        st = tka_tokenizer_json_open(json_path, merges, &tok->backend, &tok->model, err);
        free(merges);
        if (st != TKA_OK) {
            tka_tokenizer_free(tok);
            return st;
        }
        *out = tok;
        return TKA_OK;
    }
    tka_resolved files;
    st = tka_resolve(spec, options->mirror_dir, &files, &tok->warnings, err);
    if (st != TKA_OK) {
        tka_tokenizer_free(tok);
        return st;
    }
    tok->kind = files.kind;
    tok->compat = options->compat;
    tok->source = strdup(files.file);
    if (!tok->source)
        st = tka_error_set(err, TKA_ERR_NOMEM, "out of memory opening a tokenizer");
    else if (files.kind == TKA_TOKENIZER_WORDPIECE)
        st = tka_wordpiece_open(&files, options, &tok->backend, &tok->model, &tok->warnings, err);
    else
        st = tka_sentencepiece_open(&files, options, &tok->backend, &tok->model, &tok->warnings,
                                    err);
    if (st == TKA_OK && files.reformer)
        tka_no_split_init_reformer(tok);
    tka_resolved_free(&files);
    if (st != TKA_OK) {
        tka_tokenizer_free(tok);
        return st;
    }
    *out = tok;
    return TKA_OK;
}

void tka_tokenizer_free(tka_tokenizer *tok)
{
    if (!tok)
        return;
    if (tok->backend && tok->model)
        tok->backend->free(tok->model);
    free(tok->source);
    tka_buf_free(&tok->warnings);
    free(tok);
}

tka_tokenizer_kind tka_tokenizer_get_kind(const tka_tokenizer *tok)
{
    return tok->kind;
}

tka_compat tka_tokenizer_get_compat(const tka_tokenizer *tok)
{
    return tok->compat;
}

const char *tka_tokenizer_source(const tka_tokenizer *tok)
{
    return tok->source;
}

const char *tka_tokenizer_warnings(const tka_tokenizer *tok)
{
    return tok->warnings.data ? tok->warnings.data : "";
}

size_t tka_tokenizer_vocab_size(const tka_tokenizer *tok)
{
    return tok->backend->vocab_size(tok->model);
}

const char *tka_tokenizer_id_to_token(const tka_tokenizer *tok, int32_t id, size_t *len)
{
    return tok->backend->id_to_token(tok->model, id, len);
}

int32_t tka_tokenizer_token_to_id(const tka_tokenizer *tok, const char *token, size_t len)
{
    return tok->backend->token_to_id(tok->model, token, len);
}

int32_t tka_tokenizer_special_id(const tka_tokenizer *tok, tka_special which)
{
    if ((int)which < 0 || which >= TKA_SPECIAL_COUNT)
        return -1;
    return tok->backend->special_id(tok->model, which);
}

static tka_status check_text(const char *text, size_t len, tka_error *err)
{
    size_t bad;
    if (!tka_utf8_valid(text, len, &bad))
        return tka_error_set(err, TKA_ERR_UTF8, "invalid UTF-8 at byte offset %zu", bad);
    if (len > UINT32_MAX)
        return tka_error_set(err, TKA_ERR_LIMIT, "text of %zu bytes exceeds the 4 GiB limit", len);
    return TKA_OK;
}

tka_status tka_tokenize(const tka_tokenizer *tok, const char *text, size_t len, unsigned flags,
                        tka_tokens *out, tka_error *err)
{
    tka_tokens_clear(out);
    TKA_TRY(check_text(text, len, err));
    if ((flags & TKA_TOKENS_WORDS) && tok->kind != TKA_TOKENIZER_WORDPIECE)
        return tka_error_set(err, TKA_ERR_UNSUPPORTED,
                             "word indices (TKA_TOKENS_WORDS) are defined for WordPiece only");
    if (tok->n_no_split)
        return tka_tokenize_no_split(tok, text, len, flags, out, err);
    return tok->backend->tokenize(tok->model, text, len, flags, out, err);
}

size_t tka_tokenizer_no_split_tokens(const tka_tokenizer *tok, const char *const **tokens)
{
    if (tokens)
        *tokens = tok->no_split;
    return tok->n_no_split;
}

tka_status tka_tokenize_as(const tka_tokenizer *tok, tka_compat compat, const char *text,
                           size_t len, unsigned flags, tka_tokens *out, tka_error *err)
{
    tka_tokens_clear(out);
    if (!tok->backend->tokenize_as)
        return tka_error_set(err, TKA_ERR_UNSUPPORTED, "%s tokenizers have no compat modes",
                             tok->backend->name);
    TKA_TRY(check_text(text, len, err));
    return tok->backend->tokenize_as(tok->model, compat, text, len, flags, out, err);
}

void tka_tokens_free(tka_tokens *t)
{
    if (!t)
        return;
    free(t->ids);
    free(t->starts);
    free(t->ends);
    free(t->text_start);
    free(t->text_len);
    free(t->text);
    free(t->words);
    memset(t, 0, sizeof *t);
}

void tka_tokens_clear(tka_tokens *t)
{
    t->count = 0;
    t->text_used = 0;
    t->n_words = 0;
}

tka_status tka_tokens_reserve(tka_tokens *t, size_t extra, unsigned flags)
{
    if (extra > SIZE_MAX / 8 - t->count)
        return TKA_ERR_NOMEM;
    size_t need = t->count + extra;
    /* Arrays requested for the first time must cover the current count too. */
    int have_offsets = t->starts != NULL, have_strings = t->text_start != NULL,
        have_words = t->words != NULL;
    if (need <= t->capacity && (!(flags & TKA_TOKENS_OFFSETS) || have_offsets) &&
        (!(flags & TKA_TOKENS_STRINGS) || have_strings) &&
        (!(flags & TKA_TOKENS_WORDS) || have_words))
        return TKA_OK;
    size_t cap;
    if (!tka_grow_capacity(t->capacity, need, sizeof *t->starts, 64, &cap) ||
        !tka_resize_array((void **)&t->ids, cap, sizeof *t->ids))
        return TKA_ERR_NOMEM;
    if ((flags & TKA_TOKENS_OFFSETS) || have_offsets) {
        if (!tka_resize_array((void **)&t->starts, cap, sizeof *t->starts) ||
            !tka_resize_array((void **)&t->ends, cap, sizeof *t->ends))
            return TKA_ERR_NOMEM;
    }
    if ((flags & TKA_TOKENS_STRINGS) || have_strings) {
        if (!tka_resize_array((void **)&t->text_start, cap, sizeof *t->text_start) ||
            !tka_resize_array((void **)&t->text_len, cap, sizeof *t->text_len))
            return TKA_ERR_NOMEM;
    }
    if (((flags & TKA_TOKENS_WORDS) || have_words) &&
        !tka_resize_array((void **)&t->words, cap, sizeof *t->words))
        return TKA_ERR_NOMEM;
    t->capacity = cap;
    return TKA_OK;
}

tka_status tka_tokens_reserve_text(tka_tokens *t, size_t extra)
{
    if (extra > SIZE_MAX / 2 - t->text_used)
        return TKA_ERR_NOMEM;
    size_t need = t->text_used + extra;
    if (need <= t->text_cap)
        return TKA_OK;
    size_t cap = t->text_cap ? t->text_cap : 1024;
    while (cap < need)
        cap *= 2;
    if (!tka_resize_array((void **)&t->text, cap, 1))
        return TKA_ERR_NOMEM;
    t->text_cap = cap;
    return TKA_OK;
}
