/* Unit tests of tka_outfile: nothing replaced before commit, exclusive temporaries, devices in place, the signal registry, same-file refusal, the SHA-256 of what was written. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/sha256.h"
#include "core/io.h"

static char dir[64];

static void make_dir(void)
{
    strcpy(dir, "tka_outfile_XXXXXX"); /* scratch in the working directory */
    cr_assert_not_null(mkdtemp(dir));
}

static void remove_dir(void)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[600];
    while (d && (e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            unlink(path);
        }
    if (d)
        closedir(d);
    rmdir(dir);
}

TestSuite(outfile, .init = make_dir, .fini = remove_dir);

static size_t entries(void)
{
    size_t n = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)))
        n += e->d_name[0] != '.';
    if (d)
        closedir(d);
    return n;
}

static char *slurp(const char *path)
{
    tka_buf b = {0};
    if (tka_read_file(path, 0, &b, NULL) != TKA_OK)
        return NULL;
    return b.data;
}

Test(outfile, replaced_only_on_commit)
{
    char path[128];
    snprintf(path, sizeof path, "%s/out.txt", dir);
    cr_assert_eq(tka_write_file(path, "old\n", 4, NULL), TKA_OK);
    tka_outfile *o;
    tka_error err;
    cr_assert_eq(tka_outfile_open(path, &o, &err), TKA_OK);
    cr_assert_eq(tka_outfile_write(o, "new\n", 4, &err), TKA_OK);
    fputs("more\n", tka_outfile_stream(o));
    char *before = slurp(path);
    cr_assert_str_eq(before, "old\n"); /* not yet */
    free(before);
    cr_assert_eq(entries(), 2); /* out.txt and its temporary */
    char hex[65], want[65];
    tka_outfile_sha256(o, hex);
    tka_sha256_hex("new\n", 4, want); /* what went through tka_outfile_write */
    cr_assert_str_eq(hex, want);
    cr_assert_eq(tka_outfile_commit(o, &err), TKA_OK);
    tka_outfile_free(o);
    char *after = slurp(path);
    cr_assert_str_eq(after, "new\nmore\n");
    free(after);
    cr_assert_eq(entries(), 1);
}

Test(outfile, dropped_without_commit)
{
    char path[128];
    snprintf(path, sizeof path, "%s/out.txt", dir);
    cr_assert_eq(tka_write_file(path, "old\n", 4, NULL), TKA_OK);
    tka_outfile *o;
    cr_assert_eq(tka_outfile_open(path, &o, NULL), TKA_OK);
    cr_assert_eq(tka_outfile_write(o, "partial", 7, NULL), TKA_OK);
    tka_outfile_free(o);
    char *s = slurp(path);
    cr_assert_str_eq(s, "old\n");
    free(s);
    cr_assert_eq(entries(), 1);
}

Test(outfile, registry_removes_temporaries)
{
    char a[128], b[128];
    snprintf(a, sizeof a, "%s/a.npy", dir);
    snprintf(b, sizeof b, "%s/b.npy", dir);
    tka_outfile *oa, *ob;
    cr_assert_eq(tka_outfile_open(a, &oa, NULL), TKA_OK);
    cr_assert_eq(tka_outfile_open(b, &ob, NULL), TKA_OK);
    cr_assert_eq(entries(), 2);
    tka_outfile_remove_temps(); /* what the signal handler calls */
    cr_assert_eq(entries(), 0);
    tka_outfile_free(oa);
    tka_outfile_free(ob);
}

Test(outfile, never_follows_links_and_keeps_devices)
{
    char path[128], victim[128], link[160];
    snprintf(path, sizeof path, "%s/out.npy", dir);
    snprintf(victim, sizeof victim, "%s/victim", dir);
    cr_assert_eq(tka_write_file(victim, "keep", 4, NULL), TKA_OK);
    /* links at many would-be temporary names: none is followed */
    char *target = realpath(victim, NULL); /* links resolve from their own directory */
    cr_assert_not_null(target);
    for (int i = 0; i < 50; i++) {
        snprintf(link, sizeof link, "%s.tmp.%d", path, (int)getpid() + i);
        cr_assert_eq(symlink(target, link), 0);
    }
    free(target);
    cr_assert_eq(tka_write_file(path, "data", 4, NULL), TKA_OK);
    char *v = slurp(victim);
    cr_assert_str_eq(v, "keep");
    free(v);
    /* a FIFO is written in place, never replaced (a reader is open) */
    char fifo[128];
    snprintf(fifo, sizeof fifo, "%s/fifo", dir);
    cr_assert_eq(mkfifo(fifo, 0600), 0);
    int rd = open(fifo, O_RDONLY | O_NONBLOCK);
    cr_assert_geq(rd, 0);
    cr_assert_eq(tka_write_file(fifo, "through", 7, NULL), TKA_OK);
    char got[16] = {0};
    cr_assert_eq(read(rd, got, sizeof got - 1), 7);
    cr_assert_str_eq(got, "through");
    close(rd);
    struct stat st;
    cr_assert_eq(lstat(fifo, &st), 0);
    cr_assert(S_ISFIFO(st.st_mode));
    /* a directory is refused */
    tka_error err;
    cr_assert_eq(tka_write_file(dir, "x", 1, &err), TKA_ERR_IO);
    cr_assert(strstr(err.message, "is a directory") != NULL, "%s", err.message);
}

Test(outfile, same_file_refused)
{
    char a[128], b[128], c[128];
    snprintf(a, sizeof a, "%s/a.tsv", dir);
    snprintf(b, sizeof b, "%s/b.tsv", dir);
    snprintf(c, sizeof c, "%s/c.tsv", dir);
    cr_assert_eq(tka_write_file(a, "x", 1, NULL), TKA_OK);
    cr_assert_eq(link(a, b), 0);
    tka_error err;
    cr_assert_eq(tka_check_not_input(b, a, &err), TKA_ERR_ARGUMENT);
    cr_assert(strstr(err.message, "refusing") != NULL);
    cr_assert_eq(tka_check_not_input(c, a, NULL), TKA_OK); /* does not exist yet */
    cr_assert_eq(tka_check_not_input("-", a, NULL), TKA_OK);
    char fifo[128];
    snprintf(fifo, sizeof fifo, "%s/fifo", dir);
    cr_assert_eq(mkfifo(fifo, 0600), 0);
    cr_assert_eq(tka_check_not_input(fifo, fifo, NULL), TKA_OK); /* not a regular file */
}
