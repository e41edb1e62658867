/* The WordPiece family: opening a vocab.txt with the settings from_pretrained
 * would use (tokenizer_config.json, special_tokens_map.json, known names),
 * and the backend vtable. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "core/io.h"
#include "core/json_error.h"
#include "tokenize/backend.h"
#include "tokenize/bert_model.h"
#include "tokenize/bert_normalize.h"

/* HF's SPECIAL_TOKENS_ATTRIBUTES order for BERT (no bos/eos). */
enum { SP_UNK, SP_SEP, SP_PAD, SP_CLS, SP_MASK, SP_NAMED };
static const char *const special_keys[SP_NAMED] = {"unk_token", "sep_token", "pad_token",
                                                   "cls_token", "mask_token"};
static const char *const special_defaults[SP_NAMED] = {"[UNK]", "[SEP]", "[PAD]", "[CLS]",
                                                       "[MASK]"};

static tka_status token_value(const json_t *v, const char *path, const char *key, char **out,
                              bool *none, tka_error *err);

typedef struct settings {
    int lower;         /* -1 unset */
    int strip_accents; /* -1 unset (None) */
    int chinese_chars; /* -1 unset */
    char *named[SP_NAMED];
    bool none[SP_NAMED]; /* explicitly null: the tokenizer has no such token */
    char **additional;
    size_t n_additional;
    char **never_split;
    size_t n_never_split;
} settings;

static void settings_free(settings *s)
{
    for (int i = 0; i < SP_NAMED; i++)
        free(s->named[i]);
    for (size_t i = 0; i < s->n_additional; i++)
        free(s->additional[i]);
    free(s->additional);
    for (size_t i = 0; i < s->n_never_split; i++)
        free(s->never_split[i]);
    free(s->never_split);
}

/* A list of tokens (JSON array of strings / AddedToken objects) into
 * *list / *n, replacing what was there. */
static tka_status token_list(const json_t *arr, const char *path, const char *key, char ***list,
                             size_t *n, tka_error *err)
{
    for (size_t i = 0; i < *n; i++)
        free((*list)[i]);
    free(*list);
    *list = NULL;
    *n = 0;
    if (json_is_null(arr))
        return TKA_OK;
    if (!json_is_array(arr))
        return tka_error_set(err, TKA_ERR_FORMAT, "%s: \"%s\" must be a list", path, key);
    *list = calloc(json_array_size(arr) + 1, sizeof **list);
    if (!*list)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory reading %s", path);
    tka_status st = TKA_OK;
    for (size_t i = 0; i < json_array_size(arr) && st == TKA_OK; i++) {
        st = token_value(json_array_get(arr, i), path, key, &(*list)[*n], NULL, err);
        if (st == TKA_OK && (*list)[*n])
            (*n)++;
    }
    return st;
}

/* A special token value: a string, or an AddedToken object {"content": ...}. */
static tka_status token_value(const json_t *v, const char *path, const char *key, char **out,
                              bool *none, tka_error *err)
{
    if (json_is_object(v))
        v = json_object_get(v, "content");
    if (json_is_null(v)) {
        if (none) {
            *none = true; /* explicitly no such token */
            free(*out);
            *out = NULL;
        }
        return TKA_OK;
    }
    if (!json_is_string(v))
        return tka_error_set(err, TKA_ERR_FORMAT,
                             "%s: \"%s\" must be a string or {\"content\": ...}", path, key);
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (n == 0 || memchr(s, '\0', n) || !tka_utf8_valid(s, n, NULL))
        return tka_error_set(err, TKA_ERR_FORMAT, "%s: \"%s\" must be a non-empty token", path,
                             key);
    char *copy = strndup(s, n);
    if (!copy)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory reading %s", path);
    free(*out);
    *out = copy;
    if (none)
        *none = false;
    return TKA_OK;
}

static tka_status flag_value(const json_t *root, const char *path, const char *key, int *out,
                             bool allow_null, tka_error *err)
{
    const json_t *v = json_object_get(root, key);
    if (!v)
        return TKA_OK;
    if (json_is_null(v) && allow_null) {
        *out = -1;
        return TKA_OK;
    }
    if (!json_is_boolean(v))
        return tka_error_set(err, TKA_ERR_FORMAT, "%s: \"%s\" must be true or false%s", path, key,
                             allow_null ? " or null" : "");
    *out = json_is_true(v);
    return TKA_OK;
}

/* Reads one of the JSON files from_pretrained honours; a missing file is
 * not an error. */
static tka_status read_config(const char *dir, const char *name, settings *s, tka_error *err)
{
    char *path = tka_path_join(dir, name);
    if (!path)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory reading %s", name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        free(path);
        return TKA_OK;
    }
    fclose(f);
    json_error_t jerr;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    tka_status st = TKA_OK;
    if (!root) {
        st = tka_json_error(err, path, &jerr, NULL);
    } else if (!json_is_object(root)) {
        st = tka_error_set(err, TKA_ERR_FORMAT, "%s: expected a JSON object", path);
    } else {
        if (strcmp(name, "tokenizer_config.json") == 0) {
            st = flag_value(root, path, "do_lower_case", &s->lower, false, err);
            if (st == TKA_OK)
                st = flag_value(root, path, "strip_accents", &s->strip_accents, true, err);
            if (st == TKA_OK)
                st =
                    flag_value(root, path, "tokenize_chinese_chars", &s->chinese_chars, false, err);
            int basic = 1;
            if (st == TKA_OK)
                st = flag_value(root, path, "do_basic_tokenize", &basic, false, err);
            if (st == TKA_OK && !basic)
                st = tka_error_set(err, TKA_ERR_UNSUPPORTED,
                                   "%s: \"do_basic_tokenize\": false (WordPiece without "
                                   "BasicTokenizer) is not supported",
                                   path);
        }
        for (int i = 0; i < SP_NAMED && st == TKA_OK; i++) {
            json_t *v = json_object_get(root, special_keys[i]);
            if (v)
                st = token_value(v, path, special_keys[i], &s->named[i], &s->none[i], err);
        }
        json_t *add = json_object_get(root, "additional_special_tokens");
        if (st == TKA_OK && add)
            st = token_list(add, path, "additional_special_tokens", &s->additional,
                            &s->n_additional, err);
        json_t *ns = json_object_get(root, "never_split");
        if (st == TKA_OK && ns && strcmp(name, "tokenizer_config.json") == 0)
            st = token_list(ns, path, "never_split", &s->never_split, &s->n_never_split, err);
    }
    json_decref(root);
    free(path);
    return st;
}

/* Compiles the special tokens as PreTrainedTokenizer.tokenize's regex
 * alternation: each token escaped (here every code point as \x{...}), joined
 * with "|" in all_special_tokens order, matched in UTF mode. */
static tka_status compile_special_regex(bert_model *m, tka_error *err)
{
    tka_buf pattern = {0};
    tka_status st = TKA_OK;
    for (size_t i = 0; st == TKA_OK && i < m->n_specials; i++) {
        if (i)
            st = tka_buf_append_char(&pattern, '|');
        const uint8_t *t = (const uint8_t *)m->specials[i].text;
        for (size_t k = 0; st == TKA_OK && k < m->specials[i].len;)
            st = tka_buf_printf(&pattern, "\\x{%x}", (unsigned)tka_utf8_decode(t, &k));
    }
    if (st != TKA_OK) {
        tka_buf_free(&pattern);
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory opening a tokenizer");
    }
    int code;
    PCRE2_SIZE at;
    m->special_re =
        pcre2_compile((PCRE2_SPTR)pattern.data, pattern.len, PCRE2_UTF, &code, &at, NULL);
    tka_buf_free(&pattern);
    if (!m->special_re) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(code, msg, sizeof msg);
        return tka_error_set(err, TKA_ERR_ARGUMENT,
                             "special tokens: cannot compile their regex: %s", (const char *)msg);
    }
    pcre2_jit_compile(m->special_re, PCRE2_JIT_COMPLETE); /* optional speed-up */
    return TKA_OK;
}

/* ------------------------------------------------------------ vtable */

static void model_free(void *p)
{
    bert_model *m = p;
    if (!m)
        return;
    tka_vocab_free(&m->vocab);
    for (size_t i = 0; i < m->n_specials; i++)
        free(m->specials[i].text);
    free(m->specials);
    free(m->no_split_order);
    pcre2_code_free(m->special_re);
    for (size_t i = 0; i < m->n_never_split; i++)
        free(m->never_split[i].text);
    free(m->never_split);
    free(m);
}

static tka_status model_tokenize(const void *model, const char *text, size_t len, unsigned flags,
                                 tka_tokens *out, tka_error *err)
{
    return bert_tokenize(model, text, len, flags, out, err);
}

static tka_status model_tokenize_as(const void *model, tka_compat compat, const char *text,
                                    size_t len, unsigned flags, tka_tokens *out, tka_error *err)
{
    return bert_tokenize_as(model, compat, text, len, flags, out, err);
}

static size_t model_vocab_size(const void *model)
{
    const bert_model *m = model;
    return m->vocab.n_ids + m->n_added;
}

static const char *model_id_to_token(const void *model, int32_t id, size_t *len)
{
    return bert_id_to_token(model, id, len);
}

static int32_t model_token_to_id(const void *model, const char *token, size_t len)
{
    const bert_model *m = model;
    int32_t id = tka_vocab_find(&m->vocab, token, len);
    if (id >= 0)
        return id;
    for (size_t i = 0; i < m->n_specials; i++)
        if (m->specials[i].len == len && memcmp(m->specials[i].text, token, len) == 0)
            return m->specials[i].id;
    return -1;
}

static int32_t model_special_id(const void *model, tka_special which)
{
    const bert_model *m = model;
    return m->special_ids[which];
}

static bool is_space_cp(int32_t cp)
{
    return bert_produced_class(cp, TKA_COMPAT_SLOW) == BERT_SPACE; /* Python's isspace() */
}

/* COMPAT: BertTokenizer.convert_tokens_to_string:
 * " ".join(tokens).replace(" ##", "").strip(). Ids without a string map to
 * the unknown token, as _convert_id_to_token does. */
static tka_status model_tokens_to_string(const void *model, const int32_t *ids, size_t n,
                                         tka_buf *out, tka_error *err)
{
    const bert_model *m = model;
    tka_buf joined = {0};
    tka_status st = TKA_OK;
    for (size_t i = 0; i < n && st == TKA_OK; i++) {
        size_t len;
        const char *s = bert_id_to_token(m, ids[i], &len);
        if (!s)
            s = bert_id_to_token(m, m->unk_id, &len);
        if (i)
            st = tka_buf_append_char(&joined, ' ');
        if (st == TKA_OK)
            st = tka_buf_append(&joined, s, len);
    }
    /* replace(" ##", "") scans left to right without overlaps; strip()
     * then removes Python whitespace at both ends. */
    size_t w = 0;
    for (size_t r = 0; st == TKA_OK && r < joined.len;) {
        if (r + 3 <= joined.len && memcmp(joined.data + r, " ##", 3) == 0) {
            r += 3;
            continue;
        }
        joined.data[w++] = joined.data[r++];
    }
    size_t start = 0, end = w;
    const uint8_t *u = (const uint8_t *)joined.data;
    while (st == TKA_OK && start < end) {
        size_t i = start;
        int32_t cp = tka_utf8_decode(u, &i);
        if (!is_space_cp(cp))
            break;
        start = i;
    }
    while (st == TKA_OK && end > start) {
        size_t i = end - 1;
        while (i > start && (u[i] & 0xC0) == 0x80)
            i--;
        size_t j = i;
        int32_t cp = tka_utf8_decode(u, &j);
        if (!is_space_cp(cp))
            break;
        end = i;
    }
    if (st == TKA_OK && end > start)
        st = tka_buf_append(out, joined.data + start, end - start);
    tka_buf_free(&joined);
    if (st != TKA_OK)
        return tka_error_set(err, st, "out of memory decoding");
    return TKA_OK;
}

static const tka_backend wordpiece_backend = {
    "wordpiece",
    model_free,
    model_tokenize,
    model_vocab_size,
    model_id_to_token,
    model_token_to_id,
    model_special_id,
    model_tokens_to_string,
    model_tokenize_as,
    NULL,
    NULL,
    NULL,
    NULL,
};

/* ------------------------------------------------------------ opening */

static _Thread_local const char *cmp_base;

static int compare_specials(const void *a, const void *b)
{
    const bert_special *v = (const bert_special *)cmp_base;
    const bert_special *x = &v[*(const size_t *)a], *y = &v[*(const size_t *)b];
    size_t n = x->len < y->len ? x->len : y->len;
    int r = memcmp(x->text, y->text, n);
    if (r)
        return r;
    return x->len < y->len ? -1 : x->len > y->len;
}

static tka_status add_special(bert_model *m, const char *text, tka_error *err)
{
    size_t len = strlen(text);
    for (size_t i = 0; i < m->n_specials; i++)
        if (m->specials[i].len == len && memcmp(m->specials[i].text, text, len) == 0)
            return TKA_OK;
    bert_special *v = realloc(m->specials, (m->n_specials + 1) * sizeof *v);
    if (!v)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory opening a tokenizer");
    m->specials = v;
    char *copy = strdup(text);
    if (!copy)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory opening a tokenizer");
    v[m->n_specials++] = (bert_special){copy, len, -1};
    return TKA_OK;
}

static tka_status build_specials(bert_model *m, const settings *s, const char *vocab_path,
                                 tka_buf *warnings, tka_error *err)
{
    const char *names[SP_NAMED];
    for (int i = 0; i < SP_NAMED; i++)
        names[i] = s->none[i] ? NULL : s->named[i] ? s->named[i] : special_defaults[i];
    tka_status st = TKA_OK;
    for (int i = 0; i < SP_NAMED && st == TKA_OK; i++)
        if (names[i])
            st = add_special(m, names[i], err);
    for (size_t i = 0; i < s->n_additional && st == TKA_OK; i++)
        st = add_special(m, s->additional[i], err);
    if (st != TKA_OK)
        return st;
    /* The tokens the encoder cannot do without must be real vocabulary
     * entries: HF would silently give them new ids past the vocabulary,
     * which no pretrained embedding has. */
    static const int required[] = {SP_UNK, SP_CLS, SP_SEP};
    for (size_t k = 0; k < sizeof required / sizeof *required; k++) {
        const char *name = names[required[k]];
        if (!name)
            return tka_error_set(err, TKA_ERR_FORMAT,
                                 "%s: %s is null in the tokenizer configuration; a BERT "
                                 "tokenizer needs it",
                                 vocab_path, special_keys[required[k]]);
        if (tka_vocab_find(&m->vocab, name, strlen(name)) < 0)
            return tka_error_set(err, TKA_ERR_FORMAT,
                                 "%s: the vocabulary has no %s \"%s\"; is this a BERT vocab.txt? "
                                 "(if the token is spelled differently, set %s in "
                                 "special_tokens_map.json)",
                                 vocab_path, special_keys[required[k]], name,
                                 special_keys[required[k]]);
    }
    /* COMPAT: sanitize_special_tokens() -> _add_tokens(): a special token
     * missing from the vocabulary gets id len(tokenizer) (vocab_size plus
     * the tokens added so far), in all_special_tokens order. */
    for (size_t i = 0; i < m->n_specials; i++) {
        bert_special *sp = &m->specials[i];
        sp->id = tka_vocab_find(&m->vocab, sp->text, sp->len);
        if (sp->id < 0) {
            sp->id = (int32_t)(m->vocab.n_unique + m->n_added++);
            if (warnings)
                tka_buf_printf(warnings,
                               "warning: %s: special token \"%s\" is not in the vocabulary; like "
                               "HF it gets the new id %d%s\n",
                               vocab_path, sp->text, sp->id,
                               (size_t)sp->id < m->vocab.n_ids
                                   ? " (which, as in HF, is also the id of a vocabulary line: "
                                     "the file has duplicate lines)"
                                   : "");
        }
    }
    for (int i = 0; i < TKA_SPECIAL_COUNT; i++)
        m->special_ids[i] = -1;
    static const struct {
        int named;
        tka_special which;
    } map[] = {{SP_UNK, TKA_SPECIAL_UNK},
               {SP_SEP, TKA_SPECIAL_SEP},
               {SP_PAD, TKA_SPECIAL_PAD},
               {SP_CLS, TKA_SPECIAL_CLS},
               {SP_MASK, TKA_SPECIAL_MASK}};
    for (size_t k = 0; k < sizeof map / sizeof *map; k++) {
        const char *name = names[map[k].named];
        for (size_t i = 0; name && i < m->n_specials; i++)
            if (strcmp(m->specials[i].text, name) == 0)
                m->special_ids[map[k].which] = m->specials[i].id;
    }
    m->unk_id = m->special_ids[TKA_SPECIAL_UNK];
    m->no_split_order = malloc(m->n_specials * sizeof *m->no_split_order);
    if (!m->no_split_order)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory opening a tokenizer");
    for (size_t i = 0; i < m->n_specials; i++)
        m->no_split_order[i] = i;
    cmp_base = (const char *)m->specials;
    qsort(m->no_split_order, m->n_specials, sizeof *m->no_split_order, compare_specials);
    cmp_base = NULL;
    for (size_t i = 0; i < m->n_specials; i++) {
        uint8_t b = (uint8_t)m->specials[i].text[0];
        m->special_first[b] = 1;
        m->whole_first[b] = 1;
        if (b >= 0x80 || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z'))
            m->specials_need_lowered_text = true;
    }
    if (m->n_specials && compile_special_regex(m, err) != TKA_OK)
        return err->status;
    /* never_split of tokenizer_config.json (BertTokenizer(never_split=...)) */
    if (s->n_never_split) {
        m->never_split = calloc(s->n_never_split, sizeof *m->never_split);
        if (!m->never_split)
            return tka_error_set(err, TKA_ERR_NOMEM, "out of memory opening a tokenizer");
        for (size_t i = 0; i < s->n_never_split; i++) {
            bert_special *ns = &m->never_split[m->n_never_split];
            ns->text = strdup(s->never_split[i]);
            if (!ns->text)
                return tka_error_set(err, TKA_ERR_NOMEM, "out of memory opening a tokenizer");
            ns->len = strlen(ns->text);
            /* COMPAT: _tokenize appends the token itself, convert_tokens_to_ids
             * then falls back to the unknown token */
            ns->id = tka_vocab_find(&m->vocab, ns->text, ns->len);
            if (ns->id < 0)
                ns->id = m->unk_id;
            m->whole_first[(uint8_t)ns->text[0]] = 1;
            m->n_never_split++;
        }
    }
    return TKA_OK;
}

tka_status tka_wordpiece_open(const tka_resolved *files, const tka_tokenizer_options *options,
                              const tka_backend **backend, void **model, tka_buf *warnings,
                              tka_error *err)
{
    *backend = NULL;
    *model = NULL;
    bert_model *m = calloc(1, sizeof *m);
    if (!m)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory opening a tokenizer");
    settings s = {-1, -1, -1, {NULL}, {false}, NULL, 0, NULL, 0};
    tka_status st = tka_vocab_load(&m->vocab, files->file, warnings, err);
    /* from_pretrained: tokenizer_config.json gives the init arguments,
     * special_tokens_map.json then overrides the special tokens. */
    if (st == TKA_OK && files->config_dir)
        st = read_config(files->config_dir, "tokenizer_config.json", &s, err);
    if (st == TKA_OK && files->config_dir)
        st = read_config(files->config_dir, "special_tokens_map.json", &s, err);
    if (st == TKA_OK) {
        int lower = s.lower;
        if (options->do_lower_case >= 0)
            lower = options->do_lower_case;
        else if (lower < 0)
            lower = files->known && files->known->do_lower_case >= 0
                        ? files->known->do_lower_case
                        : 1; /* BertTokenizer's default */
        m->lower = lower;
        m->strip_accents = s.strip_accents < 0 ? m->lower : s.strip_accents;
        m->chinese_chars = s.chinese_chars != 0;
        m->compat = options->compat;
        m->max_chars = 100;
        st = build_specials(m, &s, files->file, warnings, err);
    }
    settings_free(&s);
    if (st != TKA_OK) {
        model_free(m);
        return st;
    }
    for (int b = 0; b < 128; b++) {
        int cls = bert_char_class(b, m->compat, m->chinese_chars);
        m->ascii_class[b] = m->whole_first[b]   ? ASCII_SLOW
                            : cls == BERT_WORD  ? ASCII_WORD
                            : cls == BERT_SPACE ? ASCII_SPACE
                            : cls == BERT_PUNCT ? ASCII_PUNCT
                                                : ASCII_SLOW;
        m->ascii_lower[b] = (uint8_t)(m->lower && b >= 'A' && b <= 'Z' ? b + 32 : b);
    }
    *backend = &wordpiece_backend;
    *model = m;
    return TKA_OK;
}
