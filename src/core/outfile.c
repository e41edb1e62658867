/* Output files: exclusive temporaries renamed into place, devices written in place, a signal-safe registry of temporaries. */
#define _GNU_SOURCE /* mkostemp, O_CLOEXEC */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/sha256.h"
#include "core/io.h"

struct tka_outfile {
    FILE *f;
    char *path; /* where the output ends up (a link's target when path was a link) */
    char *tmp;  /* temporary file, NULL when writing in place */
    int slot;   /* registry slot of tmp, -1 when none */
    bool is_stdout, committed;
    tka_sha256 sha;
};

/* The registry of temporaries a signal handler removes. Slots hold the
 * outfile's own tmp string; they are cleared before it is freed. A handler
 * running on another thread while a slot is cleared may still unlink a name
 * that was just renamed away, which is harmless (ENOENT). */
#define REGISTRY_SLOTS 64
static _Atomic(const char *) registry[REGISTRY_SLOTS];

static int registry_add(const char *tmp)
{
    for (int i = 0; i < REGISTRY_SLOTS; i++) {
        const char *expected = NULL;
        if (atomic_compare_exchange_strong(&registry[i], &expected, tmp))
            return i;
    }
    return -1;
}

static void registry_remove(int slot)
{
    if (slot >= 0)
        atomic_store(&registry[slot], NULL);
}

void tka_outfile_remove_temps(void)
{
    for (int i = 0; i < REGISTRY_SLOTS; i++) {
        const char *p = atomic_exchange(&registry[i], NULL);
        if (p)
            unlink(p); /* async-signal-safe */
    }
}

/* Frees o and reports "PATH: WHAT: strerror(errnum)". */
static tka_status fail(tka_outfile *o, tka_error *err, tka_status st, const char *what,
                       const char *path, int errnum)
{
    tka_outfile_free(o);
    return tka_error_set(err, st, "%s: %s: %s", path, what, strerror(errnum));
}

tka_status tka_outfile_open(const char *path, tka_outfile **out, tka_error *err)
{
    *out = NULL;
    tka_outfile *o = calloc(1, sizeof *o);
    if (!o)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
    o->slot = -1;
    tka_sha256_init(&o->sha);
    if (strcmp(path, "-") == 0) {
        o->f = stdout;
        o->is_stdout = true;
        *out = o;
        return TKA_OK;
    }
    struct stat lst, st;
    bool exists = lstat(path, &lst) == 0;
    if (!exists && errno != ENOENT)
        return fail(o, err, TKA_ERR_IO, "cannot create", path, errno);
    if (exists && S_ISLNK(lst.st_mode)) {
        if (stat(path, &st) != 0)
            return fail(o, err, TKA_ERR_IO, "a symbolic link whose target cannot be used", path,
                        errno);
    } else {
        st = lst;
    }
    if (exists && S_ISDIR(st.st_mode)) {
        tka_outfile_free(o);
        return tka_error_is_directory(err, path, "a file");
    }
    if (exists && (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))) {
        /* Never replaced: written in place, like a shell redirection. */
        o->path = strdup(path);
        int fd = o->path ? open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC) : -1;
        if (fd < 0 || !(o->f = fdopen(fd, "wb"))) {
            int e = o->path ? errno : ENOMEM;
            if (fd >= 0)
                close(fd);
            return fail(o, err, TKA_ERR_IO, "cannot open for writing", path, e);
        }
        *out = o;
        return TKA_OK;
    }
    if (exists && !S_ISREG(st.st_mode)) {
        tka_outfile_free(o);
        return tka_error_set(err, TKA_ERR_IO,
                             "%s: not a regular file, device or pipe; refusing to replace it",
                             path);
    }
    if (exists && S_ISLNK(lst.st_mode)) {
        o->path = realpath(path, NULL); /* replace the link's target, keep the link */
        if (!o->path)
            return fail(o, err, TKA_ERR_IO, "cannot resolve the symbolic link", path, errno);
    } else {
        o->path = strdup(path);
        if (!o->path)
            return fail(o, err, TKA_ERR_NOMEM, "cannot create", path, ENOMEM);
    }
    size_t n = strlen(o->path);
    o->tmp = malloc(n + sizeof ".tmp.XXXXXX");
    if (!o->tmp)
        return fail(o, err, TKA_ERR_NOMEM, "cannot create", path, ENOMEM);
    memcpy(o->tmp, o->path, n);
    memcpy(o->tmp + n, ".tmp.XXXXXX", sizeof ".tmp.XXXXXX");
    /* mkostemp: O_CREAT|O_EXCL with a random suffix, so a link planted at
     * any name is never followed (the call fails and retries another). */
    int fd = mkostemp(o->tmp, O_CLOEXEC);
    if (fd < 0) {
        free(o->tmp);
        o->tmp = NULL;
        return fail(o, err, TKA_ERR_IO, "cannot create a temporary file beside it", path, errno);
    }
    o->slot = registry_add(o->tmp);
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) != 0 || !(o->f = fdopen(fd, "wb"))) {
        int e = errno;
        close(fd);
        return fail(o, err, TKA_ERR_IO, "cannot create", path, e);
    }
    *out = o;
    return TKA_OK;
}

FILE *tka_outfile_stream(tka_outfile *o)
{
    return o->f;
}

const char *tka_outfile_path(const tka_outfile *o)
{
    return o->is_stdout ? "<stdout>" : o->path;
}

tka_status tka_outfile_write(tka_outfile *o, const void *data, size_t len, tka_error *err)
{
    tka_sha256_update(&o->sha, data, len);
    if (len && fwrite(data, 1, len, o->f) != len)
        return tka_error_set(err, TKA_ERR_IO, "%s: write error: %s", tka_outfile_path(o),
                             strerror(errno));
    return TKA_OK;
}

void tka_outfile_sha256(const tka_outfile *o, char hex[65])
{
    tka_sha256 copy = o->sha;
    uint8_t d[32];
    tka_sha256_final(&copy, d);
    for (size_t i = 0; i < 32; i++) {
        hex[2 * i] = "0123456789abcdef"[d[i] >> 4];
        hex[2 * i + 1] = "0123456789abcdef"[d[i] & 15];
    }
    hex[64] = '\0';
}

tka_status tka_outfile_commit(tka_outfile *o, tka_error *err)
{
    if (o->committed || !o->f)
        return tka_error_set(err, TKA_ERR_ARGUMENT, "%s: output already committed",
                             tka_outfile_path(o));
    const char *name = tka_outfile_path(o);
    if (o->is_stdout) {
        o->committed = true;
        if (fflush(stdout) != 0 || ferror(stdout))
            return tka_error_set(err, TKA_ERR_IO, "%s: write error: %s", name, strerror(errno));
        return TKA_OK;
    }
    int failed = fflush(o->f) != 0 || ferror(o->f);
    int e = errno;
    /* fsync: the rename must not reach the disk before the data does. */
    if (!failed && o->tmp && fsync(fileno(o->f)) != 0) {
        failed = 1;
        e = errno;
    }
    if (fclose(o->f) != 0 && !failed) {
        failed = 1;
        e = errno;
    }
    o->f = NULL;
    if (failed)
        return tka_error_set(err, TKA_ERR_IO, "%s: write error: %s", name, strerror(e));
    if (o->tmp) {
        if (rename(o->tmp, o->path) != 0)
            return tka_error_set(err, TKA_ERR_IO, "%s: cannot replace: %s", name, strerror(errno));
        registry_remove(o->slot);
        o->slot = -1;
        free(o->tmp);
        o->tmp = NULL;
    }
    o->committed = true;
    return TKA_OK;
}

void tka_outfile_free(tka_outfile *o)
{
    if (!o)
        return;
    if (o->f && !o->is_stdout)
        fclose(o->f);
    if (o->tmp) {
        registry_remove(o->slot);
        unlink(o->tmp);
        free(o->tmp);
    }
    free(o->path);
    free(o);
}

tka_status tka_check_not_input(const char *output, const char *input, tka_error *err)
{
    if (!output || !input || strcmp(output, "-") == 0 || strcmp(input, "-") == 0)
        return TKA_OK;
    struct stat a, b;
    if (stat(output, &a) == 0 && S_ISREG(a.st_mode) && stat(input, &b) == 0 &&
        a.st_dev == b.st_dev && a.st_ino == b.st_ino)
        return tka_error_set(err, TKA_ERR_ARGUMENT,
                             "%s: the output is the input file %s; refusing to overwrite it",
                             output, input);
    return TKA_OK;
}

tka_status tka_write_file(const char *path, const void *data, size_t len, tka_error *err)
{
    tka_outfile *o;
    tka_status st = tka_outfile_open(path, &o, err);
    if (st == TKA_OK)
        st = tka_outfile_write(o, data, len, err);
    if (st == TKA_OK)
        st = tka_outfile_commit(o, err);
    tka_outfile_free(o);
    return st;
}
