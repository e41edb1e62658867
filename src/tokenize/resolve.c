/* Resolves a --tokenizer argument to a file: path, hub cache, PaddleNLP cache, mirror. */
#include "tokalign/resolve.h"

#include <dirent.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/sha256.h"
#include "core/io.h"
#include "core/json_error.h"
#include "tokenize/backend.h"

void tka_resolved_free(tka_resolved *r)
{
    if (!r)
        return;
    free(r->file);
    free(r->config_dir);
    free(r->origin);
    memset(r, 0, sizeof *r);
}

static int ends_with(const char *s, const char *suffix)
{
    size_t ls = strlen(s), lx = strlen(suffix);
    return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

const char *tka_mirror_dir(const char *mirror_dir)
{
    if (mirror_dir)
        return mirror_dir;
    const char *env = getenv("TOKALIGN_MIRROR");
    if (env && *env)
        return env;
    if (tka_is_dir("../shared/data"))
        return "../shared/data";
    return NULL;
}

/* A SentencePiece ModelProto starts with field 1 (pieces, length-delimited):
 * byte 0x0A, a varint length, then the SentencePiece message whose first
 * field is again 0x0A (the piece string). Text vocabularies never do. */
static int looks_like_spm_model(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    unsigned char head[8];
    size_t n = fread(head, 1, sizeof head, f);
    fclose(f);
    if (n < 3 || head[0] != 0x0A)
        return 0;
    size_t i = 1;
    while (i < n && (head[i] & 0x80))
        i++;
    return i + 1 < n && head[i + 1] == 0x0A;
}

/* Picks the tokenizer file inside a directory: vocab.txt (WordPiece), else
 * spiece.model / sentencepiece.bpe.model / the only *.model (SentencePiece),
 * else PaddleNLP's NAME-vocab.txt. Returns a malloc'd path or NULL. */
static char *file_in_dir(const char *dir, tka_tokenizer_kind *kind)
{
    static const char *wordpiece_names[] = {"vocab.txt"};
    static const char *spm_names[] = {"spiece.model", "sentencepiece.bpe.model", "tokenizer.model"};
    for (size_t i = 0; i < sizeof wordpiece_names / sizeof *wordpiece_names; i++) {
        char *p = tka_path_join(dir, wordpiece_names[i]);
        if (p && tka_is_file(p)) {
            *kind = TKA_TOKENIZER_WORDPIECE;
            return p;
        }
        free(p);
    }
    for (size_t i = 0; i < sizeof spm_names / sizeof *spm_names; i++) {
        char *p = tka_path_join(dir, spm_names[i]);
        if (p && tka_is_file(p)) {
            *kind = TKA_TOKENIZER_SENTENCEPIECE;
            return p;
        }
        free(p);
    }
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    char *found = NULL;
    int matches = 0;
    tka_tokenizer_kind found_kind = TKA_TOKENIZER_WORDPIECE;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        tka_tokenizer_kind k;
        if (ends_with(e->d_name, ".model"))
            k = TKA_TOKENIZER_SENTENCEPIECE;
        else if (ends_with(e->d_name, "-vocab.txt"))
            k = TKA_TOKENIZER_WORDPIECE;
        else
            continue;
        char *p = tka_path_join(dir, e->d_name);
        if (!p || !tka_is_file(p)) {
            free(p);
            continue;
        }
        matches++;
        if (!found) {
            found = p;
            found_kind = k;
        } else {
            free(p);
        }
    }
    closedir(d);
    if (matches != 1) { /* ambiguous or nothing: do not guess */
        free(found);
        return NULL;
    }
    *kind = found_kind;
    return found;
}

/* The hub cache root, per huggingface_hub's environment rules. */
static char *hub_cache_root(void)
{
    const char *v = getenv("HF_HUB_CACHE");
    if (!v || !*v)
        v = getenv("HUGGINGFACE_HUB_CACHE");
    if (v && *v)
        return strdup(v);
    const char *home = getenv("HF_HOME");
    if (home && *home)
        return tka_path_join(home, "hub");
    home = getenv("HOME");
    if (!home || !*home)
        return NULL;
    return tka_path_join(home, ".cache/huggingface/hub");
}

/* models--ORG--NAME/snapshots/REV for the revision refs/main points to, or
 * the most recently modified snapshot when refs/main is absent. */
static char *hub_snapshot_dir(const char *name)
{
    char *root = hub_cache_root();
    if (!root)
        return NULL;
    tka_buf repo = {0};
    tka_buf_append_str(&repo, "models--");
    for (const char *c = name; *c; c++) {
        if (*c == '/')
            tka_buf_append_str(&repo, "--");
        else
            tka_buf_append_char(&repo, *c);
    }
    char *repo_dir = repo.data ? tka_path_join(root, repo.data) : NULL;
    free(root);
    tka_buf_free(&repo);
    if (!repo_dir || !tka_is_dir(repo_dir)) {
        free(repo_dir);
        return NULL;
    }
    char *snapshots = tka_path_join(repo_dir, "snapshots");
    char *ref_path = tka_path_join(repo_dir, "refs/main");
    free(repo_dir);
    char *result = NULL;
    tka_buf ref = {0};
    if (snapshots && ref_path && tka_read_file(ref_path, 256, &ref, NULL) == TKA_OK) {
        while (ref.len && (ref.data[ref.len - 1] == '\n' || ref.data[ref.len - 1] == '\r'))
            ref.data[--ref.len] = '\0';
        if (ref.len && !strchr(ref.data, '/')) {
            char *candidate = tka_path_join(snapshots, ref.data);
            if (candidate && tka_is_dir(candidate))
                result = candidate;
            else
                free(candidate);
        }
    }
    tka_buf_free(&ref);
    free(ref_path);
    if (!result && snapshots) {
        DIR *d = opendir(snapshots);
        time_t best = 0;
        struct dirent *e;
        while (d && (e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.')
                continue;
            char *candidate = tka_path_join(snapshots, e->d_name);
            struct stat st;
            if (candidate && stat(candidate, &st) == 0 && S_ISDIR(st.st_mode) &&
                (!result || st.st_mtime > best)) {
                free(result);
                result = candidate;
                best = st.st_mtime;
            } else {
                free(candidate);
            }
        }
        if (d)
            closedir(d);
    }
    free(snapshots);
    return result;
}

static char *paddlenlp_dir(const char *name)
{
    const char *home = getenv("PPNLP_HOME");
    char *models;
    if (home && *home) {
        models = tka_path_join(home, "models");
    } else {
        home = getenv("HOME");
        if (!home || !*home)
            return NULL;
        models = tka_path_join(home, ".paddlenlp/models");
    }
    char *dir = models ? tka_path_join(models, name) : NULL;
    free(models);
    if (dir && tka_is_dir(dir))
        return dir;
    free(dir);
    return NULL;
}

char *tka_fetch_cache_dir(void)
{
    const char *v = getenv("TOKALIGN_CACHE");
    if (v && *v)
        return strdup(v);
    v = getenv("XDG_CACHE_HOME");
    if (v && *v)
        return tka_path_join(v, "tokalign");
    v = getenv("HOME");
    if (!v || !*v)
        return NULL;
    return tka_path_join(v, ".cache/tokalign");
}

static char *fetch_cache_model_dir(const char *name)
{
    char *root = tka_fetch_cache_dir();
    char *dir = root ? tka_path_join(root, name) : NULL;
    free(root);
    if (dir && tka_is_dir(dir))
        return dir;
    free(dir);
    return NULL;
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

static tka_status hash_file(const char *path, char hex[65], tka_error *err)
{
    tka_buf data = {0};
    tka_status st = tka_read_file(path, 0, &data, err);
    if (st == TKA_OK)
        tka_sha256_hex(data.data, data.len, hex);
    tka_buf_free(&data);
    return st;
}

/* A model name is MODEL or ORG/MODEL, each part letters, digits, '-', '_'
 * and '.', neither "." nor ".." (the hub's repo-id rules, roughly): a name
 * is joined to cache and mirror directories and must stay inside them. */
static bool valid_model_name(const char *name)
{
    int parts = 1;
    size_t part_len = 0;
    const char *part = name;
    for (const char *c = name;; c++) {
        if (*c == '/' || *c == '\0') {
            if (part_len == 0 || (part_len == 1 && part[0] == '.') ||
                (part_len == 2 && part[0] == '.' && part[1] == '.'))
                return false;
            if (!*c)
                return true;
            if (++parts > 2)
                return false;
            part = c + 1;
            part_len = 0;
            continue;
        }
        bool ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                  (*c >= '0' && *c <= '9') || *c == '-' || *c == '_' || *c == '.';
        if (!ok)
            return false;
        part_len++;
    }
}

/* The file fetch stored for a known name, unless its SHA-256 is not the
 * expected one: such a file is never used (a warning says so). */
static bool cached_file_matches(const char *file, const tka_known_model *known, tka_buf *warnings)
{
    char hex[65];
    if (!known || hash_file(file, hex, NULL) != TKA_OK)
        return known == NULL;
    if (strcmp(hex, known->sha256) == 0)
        return true;
    if (warnings)
        tka_buf_printf(warnings,
                       "warning: ignoring %s from tokalign's download cache: SHA-256 %s, expected "
                       "%s for %s (delete it and run `tokalign fetch %s`)\n",
                       file, hex, known->sha256, known->name, known->name);
    return false;
}

static tka_status finish(tka_resolved *out, char *file, char *config_dir, const char *origin,
                         tka_tokenizer_kind kind, const tka_known_model *by_name, tka_buf *warnings,
                         tka_error *err)
{
    out->file = file;
    out->config_dir = config_dir;
    out->origin = strdup(origin);
    out->kind = kind;
    if (!out->origin) {
        tka_resolved_free(out);
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory resolving a tokenizer");
    }
    tka_status st = hash_file(file, out->sha256, err);
    if (st != TKA_OK) {
        tka_resolved_free(out);
        return st;
    }
    out->known = by_name ? by_name : tka_known_model_by_sha256(out->sha256);
    if (by_name && strcmp(by_name->sha256, out->sha256) != 0 && warnings)
        tka_buf_printf(warnings,
                       "warning: %s: SHA-256 %s differs from the expected %s for %s; "
                       "ids may not match the reference\n",
                       file, out->sha256, by_name->sha256, by_name->name);
    return TKA_OK;
}

static bool known_reformer(const tka_known_model *known)
{
    return known && known->model_type && strcmp(known->model_type, "reformer") == 0;
}

/* A model directory is a Reformer model when its config.json says so
 * ("model_type": "reformer", what AutoTokenizer reads to pick
 * ReformerTokenizer). No config.json: not one. A config.json that is not
 * JSON is an error naming its line and column. */
static tka_status dir_is_reformer(const char *dir, bool *reformer, tka_error *err)
{
    *reformer = false;
    char *path = tka_path_join(dir, "config.json");
    if (!path)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory resolving a tokenizer");
    tka_status st = TKA_OK;
    if (tka_is_file(path)) {
        json_error_t je;
        json_t *config = json_load_file(path, JSON_DECODE_ANY, &je);
        if (!config) {
            st = tka_json_error(err, path, &je, NULL);
        } else {
            const char *type = json_string_value(json_object_get(config, "model_type"));
            *reformer = type && strcmp(type, "reformer") == 0;
            json_decref(config);
        }
    }
    free(path);
    return st;
}

/* finish() for a model directory: also decides whether it is a Reformer. */
static tka_status finish_dir(tka_resolved *out, char *file, char *dir, const char *origin,
                             tka_tokenizer_kind kind, const tka_known_model *by_name,
                             tka_buf *warnings, tka_error *err)
{
    bool reformer = false;
    tka_status st =
        kind == TKA_TOKENIZER_SENTENCEPIECE && dir ? dir_is_reformer(dir, &reformer, err) : TKA_OK;
    if (st != TKA_OK) {
        free(file);
        free(dir);
        return st;
    }
    st = finish(out, file, dir, origin, kind, by_name, warnings, err);
    if (st == TKA_OK)
        out->reformer =
            kind == TKA_TOKENIZER_SENTENCEPIECE && (reformer || known_reformer(by_name));
    return st;
}

char *tka_resolve_name_dir(const char *spec, const char *mirror_dir)
{
    if (!spec || !*spec || tka_is_file(spec) || tka_is_dir(spec) || spec[0] == '/' ||
        spec[0] == '.' || strstr(spec, ".."))
        return NULL;
    char *dir = hub_snapshot_dir(spec);
    if (!dir)
        dir = paddlenlp_dir(spec);
    if (!dir)
        dir = fetch_cache_model_dir(spec);
    if (dir)
        return dir;
    const char *mirror = tka_mirror_dir(mirror_dir);
    char *tokenizers = mirror ? tka_path_join(mirror, "tokenizers") : NULL;
    dir = tokenizers ? tka_path_join(tokenizers, spec) : NULL;
    free(tokenizers);
    if (dir && tka_is_dir(dir))
        return dir;
    free(dir);
    return NULL;
}

tka_status tka_resolve(const char *spec, const char *mirror_dir, tka_resolved *out,
                       tka_buf *warnings, tka_error *err)
{
    memset(out, 0, sizeof *out);
    if (!spec || !*spec)
        return tka_error_set(err, TKA_ERR_ARGUMENT, "no tokenizer given");

    /* 1. An explicit file or directory. */
    if (tka_is_file(spec)) {
        char *file = strdup(spec);
        char *dir = dir_of(spec);
        tka_tokenizer_kind kind = ends_with(spec, ".model") || looks_like_spm_model(spec)
                                      ? TKA_TOKENIZER_SENTENCEPIECE
                                      : TKA_TOKENIZER_WORDPIECE;
        if (!file || !dir) {
            free(file);
            free(dir);
            return tka_error_set(err, TKA_ERR_NOMEM, "out of memory resolving a tokenizer");
        }
        return finish(out, file, dir, "path", kind, NULL, warnings, err);
    }
    if (tka_is_dir(spec)) {
        tka_tokenizer_kind kind;
        char *file = file_in_dir(spec, &kind);
        if (!file)
            return tka_error_set(err, TKA_ERR_NOT_FOUND,
                                 "%s: directory holds no vocab.txt, spiece.model or single *.model",
                                 spec);
        return finish_dir(out, file, strdup(spec), "path", kind, NULL, warnings, err);
    }
    if (strchr(spec, '/') && (spec[0] == '/' || spec[0] == '.'))
        return tka_error_set(err, TKA_ERR_NOT_FOUND, "%s: no such file or directory", spec);
    if (!valid_model_name(spec))
        return tka_error_set(err, TKA_ERR_ARGUMENT,
                             "tokenizer '%s': no such file or directory, and not a model name "
                             "(MODEL or ORG/MODEL: letters, digits, '-', '_', '.'; no '..')",
                             spec);

    /* 2. A model name: hub cache, PaddleNLP cache, mirror. */
    const tka_known_model *known_name = tka_known_model_find(spec);
    char *dir = hub_snapshot_dir(spec);
    const char *origin = "hf-cache";
    if (!dir) {
        dir = paddlenlp_dir(spec);
        origin = "paddlenlp-cache";
    }
    if (!dir) {
        dir = fetch_cache_model_dir(spec);
        origin = "tokalign-cache";
    }
    if (dir) {
        tka_tokenizer_kind kind;
        char *file = file_in_dir(dir, &kind);
        if (file && (strcmp(origin, "tokalign-cache") != 0 ||
                     cached_file_matches(file, known_name, warnings)))
            return finish_dir(out, file, dir, origin, kind, known_name, warnings, err);
        free(file);
        free(dir);
    }
    const char *mirror = tka_mirror_dir(mirror_dir);
    if (mirror) {
        if (known_name) {
            char *file = tka_path_join(mirror, known_name->mirror_path);
            if (file && tka_is_file(file)) {
                tka_status st =
                    finish(out, file, NULL, "mirror", known_name->kind, known_name, warnings, err);
                out->reformer = st == TKA_OK && known_reformer(known_name);
                return st;
            }
            free(file);
        } else {
            /* Unknown names may still sit in the mirror's layout. */
            tka_buf rel = {0};
            tka_buf_printf(&rel, "vocab/%s/vocab.txt", spec);
            char *file = rel.data ? tka_path_join(mirror, rel.data) : NULL;
            tka_buf_free(&rel);
            if (file && tka_is_file(file))
                return finish(out, file, dir_of(file), "mirror", TKA_TOKENIZER_WORDPIECE, NULL,
                              warnings, err);
            free(file);
            tka_buf_printf(&rel, "spm/%s.model", spec);
            file = rel.data ? tka_path_join(mirror, rel.data) : NULL;
            tka_buf_free(&rel);
            if (file && tka_is_file(file))
                return finish(out, file, NULL, "mirror", TKA_TOKENIZER_SENTENCEPIECE, NULL,
                              warnings, err);
            free(file);
        }
    }
    return tka_error_set(
        err, TKA_ERR_NOT_FOUND,
        "tokenizer '%s' not found: not a file or directory, not in the HuggingFace "
        "hub cache, the PaddleNLP cache, tokalign's download cache or %s%s; set "
        "TOKALIGN_MIRROR, pass a path, or run `tokalign fetch %s`",
        spec, mirror ? "the mirror " : "a mirror (none is set)", mirror ? mirror : "", spec);
}
