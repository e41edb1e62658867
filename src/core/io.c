/* File reading and writing for inputs (vocabularies, models, dumps) and outputs. */
#include "core/io.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

tka_status(tka_error_is_directory)(tka_error *err, const char *path, const char *expected)
{
    return tka_error_set(err, TKA_ERR_IO, "%s: is a directory, expected %s", path, expected);
}

tka_status tka_read_file(const char *path, size_t max_bytes, tka_buf *out, tka_error *err)
{
    out->len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return tka_error_set(err, TKA_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        return tka_error_is_directory(err, path, "a file");
    }
    char chunk[1 << 16];
    for (;;) {
        size_t n = fread(chunk, 1, sizeof chunk, f);
        if (n == 0)
            break;
        if (max_bytes && out->len + n > max_bytes) {
            fclose(f);
            return tka_error_set(err, TKA_ERR_LIMIT, "%s: larger than the %zu-byte limit", path,
                                 max_bytes);
        }
        if (tka_buf_append(out, chunk, n) != TKA_OK) {
            fclose(f);
            return tka_error_set(err, TKA_ERR_NOMEM, "%s: out of memory while reading", path);
        }
    }
    int failed = ferror(f);
    int saved = errno;
    fclose(f);
    if (failed)
        return tka_error_set(err, TKA_ERR_IO, "%s: read error: %s", path, strerror(saved));
    if (tka_buf_reserve(out, 0) != TKA_OK) /* keep the NUL terminator even when empty */
        return tka_error_set(err, TKA_ERR_NOMEM, "%s: out of memory while reading", path);
    out->data[out->len] = '\0';
    return TKA_OK;
}

int tka_is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int tka_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

char *tka_path_join(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    char *p = malloc(a + b + 2);
    if (!p)
        return NULL;
    snprintf(p, a + b + 2, "%s%s%s", dir, a && dir[a - 1] != '/' ? "/" : "", name);
    return p;
}

tka_status tka_make_dirs(const char *path, tka_error *err)
{
    char *copy = strdup(path);
    if (!copy)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
    tka_status st = TKA_OK;
    for (char *p = copy + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char c = *p;
        *p = '\0';
        if (mkdir(copy, 0755) != 0 && errno != EEXIST) {
            st = tka_error_set(err, TKA_ERR_IO, "%s: cannot create: %s", copy, strerror(errno));
            break;
        }
        *p = c;
        if (!c)
            break;
    }
    free(copy);
    return st;
}

tka_status tka_make_parent_dirs(const char *file_path, tka_error *err)
{
    const char *slash = strrchr(file_path, '/');
    if (!slash || slash == file_path)
        return TKA_OK;
    char *dir = strndup(file_path, (size_t)(slash - file_path));
    if (!dir)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
    tka_status st = tka_make_dirs(dir, err);
    free(dir);
    return st;
}
