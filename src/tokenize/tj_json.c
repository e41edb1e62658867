/* jansson helpers with file + JSON path errors for the tokenizer.json reader. */
#include "tokenize/tj_json.h"

#include <stdio.h>
#include <string.h>

#include "core/utf8.h"
#include "tokalign/text.h"

tj_where tj_at_key(const tj_where *w, const char *key)
{
    tj_where r = {w->file, {0}};
    char tmp[sizeof r.path + 64];
    snprintf(tmp, sizeof tmp, "%s%s%.40s", w->path, w->path[0] ? "." : "", key);
    memcpy(r.path, tmp, sizeof r.path - 1); /* deep paths are cut, never overflowed */
    return r;
}

tj_where tj_at_index(const tj_where *w, size_t i)
{
    tj_where r = {w->file, {0}};
    char tmp[sizeof r.path + 64];
    snprintf(tmp, sizeof tmp, "%s[%zu]", w->path, i);
    memcpy(r.path, tmp, sizeof r.path - 1);
    return r;
}

tka_status tj_bad(tka_error *err, const tj_where *w, const char *what)
{
    return tka_error_set(err, TKA_ERR_FORMAT, "%s: %s: %s", w->file, w->path[0] ? w->path : "(top)",
                         what);
}

tka_status tj_unsupported(tka_error *err, const tj_where *w, const char *type)
{
    return tka_error_set(err, TKA_ERR_UNSUPPORTED, "%s: %s: unsupported type \"%.60s\"", w->file,
                         w->path, type);
}

tka_status tj_get_string(const json_t *o, const char *key, const tj_where *w, const char **s,
                         size_t *len, tka_error *err)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_string(v)) {
        tj_where k = tj_at_key(w, key);
        return tj_bad(err, &k, v ? "expected a string" : "missing (a string is required)");
    }
    *s = json_string_value(v);
    if (len)
        *len = json_string_length(v);
    return TKA_OK;
}

tka_status tj_get_char(const json_t *o, const char *key, const tj_where *w, uint32_t *cp,
                       tka_error *err)
{
    const char *s;
    size_t len, bad, k = 0;
    tka_status st = tj_get_string(o, key, w, &s, &len, err);
    if (st != TKA_OK)
        return st;
    if (len == 0 || len > 4 || !tka_utf8_valid(s, len, &bad) ||
        tka_utf8_seq_len((uint8_t)s[0]) != len) {
        tj_where k_w = tj_at_key(w, key);
        return tj_bad(err, &k_w, "expected a single character");
    }
    *cp = (uint32_t)tka_utf8_decode((const uint8_t *)s, &k);
    return TKA_OK;
}

static tka_status bool_value(const json_t *j, const char *key, const tj_where *w, bool *v,
                             tka_error *err)
{
    if (!json_is_boolean(j)) {
        tj_where k = tj_at_key(w, key);
        return tj_bad(err, &k,
                      j ? "expected true or false" : "missing (true or false is required)");
    }
    *v = json_is_true(j);
    return TKA_OK;
}

tka_status tj_get_bool(const json_t *o, const char *key, const tj_where *w, bool *v, tka_error *err)
{
    json_t *j = json_object_get(o, key);
    if (!j || json_is_null(j))
        return TKA_OK;
    return bool_value(j, key, w, v, err);
}

tka_status tj_require_bool(const json_t *o, const char *key, const tj_where *w, bool *v,
                           tka_error *err)
{
    return bool_value(json_object_get(o, key), key, w, v, err);
}

tka_status tj_get_type(const json_t *o, const tj_where *w, const char **type, tka_error *err)
{
    if (!json_is_object(o))
        return tj_bad(err, w, "expected an object");
    return tj_get_string(o, "type", w, type, NULL, err);
}
