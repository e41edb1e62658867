/* Whole-file reading with error messages that name the file. */
#ifndef TOKALIGN_IO_H
#define TOKALIGN_IO_H

#include <stddef.h>

#include "tokalign/status.h"
#include "tokalign/text.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Reads the file at `path` into `out` (replacing its content). Files larger
 * than max_bytes (0 = no limit) are refused with TKA_ERR_LIMIT. "-" is not
 * special here. Errors name the path. */
tka_status tka_read_file(const char *path, size_t max_bytes, tka_buf *out, tka_error *err);

/* Writes len bytes to `path` atomically enough for CLI use (temp + rename in
 * the same directory). */
tka_status tka_write_file(const char *path, const void *data, size_t len, tka_error *err);

/* "dir/name" (one slash between them); malloc'd, NULL when out of memory. */
char *tka_path_join(const char *dir, const char *name);

/* mkdir -p: creates `path` and its missing parents (0755). */
tka_status tka_make_dirs(const char *path, tka_error *err);
/* The same for the directory part of a file path (nothing for "file"). */
tka_status tka_make_parent_dirs(const char *file_path, tka_error *err);

/* True when `path` names an existing regular file / directory. */
int tka_is_file(const char *path);
int tka_is_dir(const char *path);

#ifdef __cplusplus
}
#endif
#endif
