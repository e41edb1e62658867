/* Loads vocab.txt with the line and duplicate semantics of HF's load_vocab. */
#include "tokenize/vocab.h"

#include <stdlib.h>
#include <string.h>

#include "core/io.h"

/* Large enough for any real vocabulary (bert-base-chinese is 110 KB) while
 * refusing to load a mistaken multi-gigabyte file into memory. */
#define VOCAB_MAX_BYTES ((size_t)1 << 30)
#define WARN_EXAMPLES 3

void tka_vocab_free(tka_vocab *v)
{
    if (!v)
        return;
    free(v->text);
    free(v->start);
    free(v->len);
    free(v->shadowed);
    tka_trie_free(&v->whole);
    tka_trie_free(&v->cont);
    memset(v, 0, sizeof *v);
}

static tka_status nomem(tka_vocab *v, const char *path, tka_error *err)
{
    tka_vocab_free(v);
    return tka_error_set(err, TKA_ERR_NOMEM, "%s: out of memory reading the vocabulary", path);
}

tka_status tka_vocab_load(tka_vocab *v, const char *path, tka_buf *warnings, tka_error *err)
{
    memset(v, 0, sizeof *v);
    tka_buf raw = {0};
    tka_status st = tka_read_file(path, VOCAB_MAX_BYTES, &raw, err);
    if (st != TKA_OK) {
        tka_buf_free(&raw);
        return st;
    }
    size_t bad;
    if (!tka_utf8_valid(raw.data, raw.len, &bad)) {
        size_t line = 1;
        for (size_t i = 0; i < bad; i++)
            if (raw.data[i] == '\n' ||
                (raw.data[i] == '\r' && (i + 1 >= raw.len || raw.data[i + 1] != '\n')))
                line++;
        tka_buf_free(&raw);
        return tka_error_set(err, TKA_ERR_UTF8,
                             "%s: line %zu (byte offset %zu in the file): invalid UTF-8; not a "
                             "vocab.txt? (HF's load_vocab would raise UnicodeDecodeError)",
                             path, line, bad);
    }
    if (raw.len > UINT32_MAX - 1) {
        tka_buf_free(&raw);
        return tka_error_set(err, TKA_ERR_LIMIT, "%s: vocabulary larger than 4 GiB", path);
    }
    /* Count lines: Python's universal newlines end a line at "\n", "\r\n"
     * or "\r"; a last line without terminator still counts; rstrip("\n")
     * then removes only the translated terminator. */
    size_t lines = 0;
    for (size_t i = 0; i < raw.len; i++) {
        char c = raw.data[i];
        if (c == '\n' || c == '\r') {
            lines++;
            if (c == '\r' && i + 1 < raw.len && raw.data[i + 1] == '\n')
                i++;
        } else if (i + 1 == raw.len) {
            lines++;
        }
    }
    v->text = malloc(raw.len + lines + 1);
    v->start = malloc((lines ? lines : 1) * sizeof *v->start);
    v->len = malloc((lines ? lines : 1) * sizeof *v->len);
    v->shadowed = calloc(lines ? lines : 1, 1);
    if (!v->text || !v->start || !v->len || !v->shadowed) {
        tka_buf_free(&raw);
        return nomem(v, path, err);
    }
    size_t out = 0, id = 0, line_start = 0;
    for (size_t i = 0; i <= raw.len; i++) {
        bool end = i == raw.len;
        char c = end ? 0 : raw.data[i];
        if (!end && c != '\n' && c != '\r')
            continue;
        if (end && line_start == raw.len)
            break; /* the file ended with a terminator */
        size_t n = i - line_start;
        memcpy(v->text + out, raw.data + line_start, n);
        v->start[id] = (uint32_t)out;
        v->len[id] = (uint32_t)n;
        v->text[out + n] = '\0';
        out += n + 1;
        id++;
        if (c == '\r' && i + 1 < raw.len && raw.data[i + 1] == '\n')
            i++;
        line_start = i + 1;
    }
    tka_buf_free(&raw);
    v->n_ids = id;
    if (v->n_ids > (size_t)INT32_MAX) {
        tka_vocab_free(v);
        return tka_error_set(err, TKA_ERR_LIMIT, "%s: more than 2^31 lines", path);
    }

    /* Trie of whole tokens; duplicates resolve to the last line. */
    tka_trie_key *keys = malloc((id ? id : 1) * sizeof *keys);
    if (!keys)
        return nomem(v, path, err);
    for (size_t i = 0; i < id; i++)
        keys[i] = (tka_trie_key){v->text + v->start[i], v->len[i], (int32_t)i};
    st = tka_trie_build(&v->whole, keys, id, TKA_TRIE_DUPS_LAST, "vocabulary", err);
    size_t nc = 0;
    if (st == TKA_OK) {
        for (size_t i = 0; i < id; i++) {
            const char *t = v->text + v->start[i];
            if (v->len[i] > 2 && t[0] == '#' && t[1] == '#')
                keys[nc++] = (tka_trie_key){t + 2, v->len[i] - 2, (int32_t)i};
        }
        st = tka_trie_build(&v->cont, keys, nc, TKA_TRIE_DUPS_LAST, "vocabulary", err);
    }
    free(keys);
    if (st != TKA_OK) {
        tka_error_prefix(err, "%s: ", path);
        tka_vocab_free(v);
        return st;
    }

    /* Duplicates and empty lines: HF keeps the later id for token->id and
     * maps the earlier id to the unknown token on the way back. */
    size_t shown = 0;
    for (size_t i = 0; i < id; i++) {
        if (v->len[i] == 0)
            v->n_empty++;
        int32_t last = tka_vocab_find(v, v->text + v->start[i], v->len[i]);
        if (last != (int32_t)i) {
            v->shadowed[i] = 1;
            v->n_duplicates++;
            if (warnings && shown++ < WARN_EXAMPLES)
                tka_buf_printf(warnings,
                               "warning: %s: line %zu repeats the token of line %d; like HF's "
                               "load_vocab the token maps to id %d and id %zu decodes as the "
                               "unknown token\n",
                               path, i + 1, last + 1, last, i);
        }
    }
    v->n_unique = id - v->n_duplicates;
    if (warnings && v->n_duplicates > WARN_EXAMPLES)
        tka_buf_printf(warnings, "warning: %s: %zu duplicate lines in all\n", path,
                       v->n_duplicates);
    if (warnings && v->n_empty)
        tka_buf_printf(warnings,
                       "warning: %s: %zu empty line(s); each keeps its id (the empty token) as "
                       "HF's load_vocab does\n",
                       path, v->n_empty);
    return TKA_OK;
}
