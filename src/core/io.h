/* Whole-file reading and safe output files, with error messages that name the file. */
#ifndef TOKALIGN_IO_H
#define TOKALIGN_IO_H

#include <stddef.h>
#include <stdio.h>

#include "tokalign/status.h"
#include "tokalign/text.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Reads the file at `path` into `out` (replacing its content). Files larger
 * than max_bytes (0 = no limit) are refused with TKA_ERR_LIMIT. "-" is not
 * special here. Errors name the path. */
tka_status tka_read_file(const char *path, size_t max_bytes, tka_buf *out, tka_error *err);

/* The one refusal of a directory where a file is wanted: sets "PATH: is a
 * directory, expected EXPECTED" (e.g. "a file"), returns TKA_ERR_IO. */
tka_status tka_error_is_directory(tka_error *err, const char *path, const char *expected);
#ifdef __clang_analyzer__
/* As for tka_error_set (status.h): the analyzer sees one file at a time. */
#define tka_error_is_directory(err, path, expected) \
    (tka_error_is_directory((err), (path), (expected)), TKA_ERR_IO)
#endif

/* ------------------------------------------------------------- outputs
 * Every file tokalign writes goes through a tka_outfile (docs/robustness.md,
 * "Writing outputs"):
 * - a regular file (or a path that does not exist yet) is written to a
 *   temporary file created exclusively (O_CREAT|O_EXCL, random name, never
 *   following a link planted there) in the target's directory, flushed,
 *   fsync'ed and renamed over the target on commit; a symbolic link to a
 *   regular file is followed (the link stays, its target is replaced);
 * - an existing character device, FIFO or socket (/dev/null, a named pipe,
 *   /dev/stdout) is never replaced: it is opened and written in place;
 * - anything else (a directory, a dangling link) is refused;
 * - "-" is standard output (commit flushes it and checks for errors).
 * Until commit, the temporary file is listed in a process-wide registry
 * that tka_outfile_remove_temps (async-signal-safe) empties. */
typedef struct tka_outfile tka_outfile;

tka_status tka_outfile_open(const char *path, tka_outfile **out, tka_error *err);
/* The stream to write to (stdio buffering); its errors are caught on commit. */
FILE *tka_outfile_stream(tka_outfile *o);
/* fwrite with the error named; the bytes also feed the file's SHA-256. */
tka_status tka_outfile_write(tka_outfile *o, const void *data, size_t len, tka_error *err);
/* Lower-case hex SHA-256 of the bytes given to tka_outfile_write so far. */
void tka_outfile_sha256(const tka_outfile *o, char hex[65]);
/* The path the output is committed to (after following a link). */
const char *tka_outfile_path(const tka_outfile *o);
/* Flushes, checks every error (write, fflush, fsync, fclose), renames into
 * place. The outfile must still be freed. On failure nothing is replaced. */
tka_status tka_outfile_commit(tka_outfile *o, tka_error *err);
/* Accepts NULL; an uncommitted file's temporary is removed (the target is
 * untouched). */
void tka_outfile_free(tka_outfile *o);
/* Unlinks every temporary file still open; only async-signal-safe calls,
 * for a SIGINT/SIGTERM handler (the CLI installs one). */
void tka_outfile_remove_temps(void);

/* Refuses (TKA_ERR_ARGUMENT, naming both) when `output` and `input` name the
 * same existing regular file (same st_dev and st_ino); "-" and NULL never
 * match, nor do devices and pipes (reading and writing /dev/null is fine). */
tka_status tka_check_not_input(const char *output, const char *input, tka_error *err);

/* Writes len bytes to `path` through a tka_outfile. */
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
