/* Unit tests of the dump readers under hostile input: a file truncated
 * between fstat and read (deterministic, through the reader's test hook),
 * pickled arrays sharing one bytes object, the streamed JSON, numpy's shape
 * rule and the escaping of names in messages. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dump/dump_internal.h"
#include "tokalign/dump.h"
#include "core/io.h"

static off_t cut_to;

static void truncate_now(int fd, const char *path)
{
    (void)path;
    cr_assert_eq(ftruncate(fd, cut_to), -1); /* read-only descriptor: the test truncates by name */
    cr_assert_eq(truncate(path, cut_to), 0);
}

static char *temp_dump(const tka_dict *d, tka_buf *bytes)
{
    tka_error err;
    cr_assert_eq(tka_reprod_encode(d, bytes, &err), TKA_OK);
    const char *tmp = getenv("TMPDIR");
    char *path = malloc(4096);
    cr_assert_not_null(path);
    snprintf(path, 4096, "%s/tka_hostileXXXXXX", tmp && *tmp ? tmp : "/tmp");
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    cr_assert_eq(write(fd, bytes->data, bytes->len), (ssize_t)bytes->len);
    close(fd);
    return path;
}

Test(read, truncated_between_stat_and_read)
{
    tka_dict *d = tka_dict_new();
    tka_error err;
    int64_t shape[1] = {100000};
    cr_assert_eq(tka_dict_put(d, "x", TKA_DTYPE_INT64, 1, shape, NULL, &err), TKA_OK);
    tka_buf bytes = {0};
    char *path = temp_dump(d, &bytes);
    cut_to = 4096;
    dump_test_after_stat = truncate_now;
    tka_dict *got = NULL;
    tka_status st = tka_dump_read(path, TKA_FORMAT_AUTO, &got, NULL, &err);
    dump_test_after_stat = NULL;
    cr_assert_eq(st, TKA_ERR_IO);
    cr_assert_null(got);
    char want[256];
    snprintf(want, sizeof want,
             "%s: byte 4096: file truncated while being read (it had %zu bytes when opened)", path,
             bytes.len);
    cr_assert_str_eq(err.message, want);
    /* untouched, the same file reads */
    cr_assert_eq(truncate(path, 0), 0);
    FILE *f = fopen(path, "wb");
    cr_assert_eq(fwrite(bytes.data, 1, bytes.len, f), bytes.len);
    fclose(f);
    cr_assert_eq(tka_dump_read(path, TKA_FORMAT_AUTO, &got, NULL, &err), TKA_OK, "%s", err.message);
    cr_assert_eq(tka_dict_size(got), 1);
    tka_dict_free(got);
    unlink(path);
    free(path);
    tka_buf_free(&bytes);
    tka_dict_free(d);
}

/* A protocol-3 reprod_log pickle by hand: keys a, b, c whose arrays hold
 * the same memoised BINBYTES (memo 4), as a crafted file would. */
static void put(tka_buf *b, const char *s, size_t n)
{
    cr_assert_eq(tka_buf_append(b, s, n), TKA_OK);
}
#define PUT(b, lit) put(b, lit, sizeof lit - 1)

static void array_ref(tka_buf *b, bool first)
{
    /* _reconstruct(ndarray, (0,), b'b') with the globals memoised as 0, 1 and b'b' as 2 */
    PUT(b, "h\x00h\x01K\x00\x85h\x02\x87R");
    PUT(b, "(K\x01K\x04\x85h\x03\x89"); /* (1, (4,), dtype (memo 3), False, */
    if (first)
        PUT(b, "B\x20\x00\x00\x00"
               "\x01\x00\x00\x00\x00\x00\x00\x00"
               "\x02\x00\x00\x00\x00\x00\x00\x00"
               "\x03\x00\x00\x00\x00\x00\x00\x00"
               "\x04\x00\x00\x00\x00\x00\x00\x00"
               "q\x04");
    else
        PUT(b, "h\x04");
    PUT(b, "tb"); /* ) BUILD */
}

/* With dtype_as_b, the value of key b is the i8 dtype object itself (memo 3). */
static void memo_pickle(tka_buf *b, bool dtype_as_b)
{
    const char *hdr = "{'descr': '|O', 'fortran_order': False, 'shape': (), }";
    size_t hl = strlen(hdr) + 1, pad = 64 - (10 + hl) % 64;
    PUT(b, "\x93NUMPY\x01\x00");
    unsigned char len[2] = {(unsigned char)(hl + pad), 0};
    put(b, (const char *)len, 2);
    put(b, hdr, strlen(hdr));
    for (size_t i = 0; i < pad; i++)
        PUT(b, " ");
    PUT(b, "\n");
    PUT(b, "\x80\x03"
           "cnumpy.core.multiarray\n_reconstruct\nq\x00"
           "cnumpy\nndarray\nq\x01"
           "K\x00\x85"
           "C\x01"
           "bq\x02"
           "\x87R");
    /* outer state: (1, (), dtype('O8'), False, [ {...} ]) */
    PUT(b, "(K\x01)cnumpy\ndtype\nq\x05X\x02\x00\x00\x00O8\x89\x88\x87R"
           "(K\x03X\x01\x00\x00\x00|NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK?tb\x89]}(");
    PUT(b, "X\x01\x00\x00\x00"
           "a");
    /* the first array also defines the i8 dtype as memo 3 */
    PUT(b, "h\x00h\x01K\x00\x85h\x02\x87R(K\x01K\x04\x85h\x05X\x02\x00\x00\x00i8\x89\x88\x87R"
           "q\x03(K\x03X\x01\x00\x00\x00<NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb\x89"
           "B\x20\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x02\x00\x00\x00\x00\x00\x00\x00"
           "\x03\x00\x00\x00\x00\x00\x00\x00\x04\x00\x00\x00\x00\x00\x00\x00q\x04tb");
    PUT(b, "X\x01\x00\x00\x00"
           "b");
    if (dtype_as_b)
        PUT(b, "h\x03");
    else
        array_ref(b, false);
    PUT(b, "X\x01\x00\x00\x00"
           "c");
    array_ref(b, false);
    PUT(b, "ua"
           "tb.");
}

Test(pickle, memoised_bytes_are_shared_not_copied)
{
    tka_buf b = {0};
    memo_pickle(&b, false);
    tka_dict *d = NULL;
    tka_error err;
    cr_assert_eq(tka_dump_parse(b.data, b.len, "memo.npy", TKA_FORMAT_AUTO, &d, NULL, &err), TKA_OK,
                 "%s", err.message);
    cr_assert_eq(tka_dict_size(d), 3);
    const tka_array *x = tka_dict_at(d, 0), *y = tka_dict_at(d, 1), *z = tka_dict_at(d, 2);
    cr_assert_eq(((const int64_t *)x->data)[3], 4);
    cr_assert_eq(x->data, y->data, "one native copy for the shared bytes");
    cr_assert_eq(x->data, z->data);
    /* distinct array objects still: not the same object id */
    cr_assert_neq(dump_dict_object_id(d, 0), dump_dict_object_id(d, 1));
    tka_dict_free(d);
    tka_buf_free(&b);
}

/* The dtype object carries a dtype id in its tag, which the reader must not
 * take for the index of an array met under an earlier key. */
Test(pickle, dtype_value_is_not_an_earlier_array)
{
    tka_buf b = {0};
    memo_pickle(&b, true);
    tka_dict *d = NULL;
    tka_error err;
    cr_assert_eq(tka_dump_parse(b.data, b.len, "memo.npy", TKA_FORMAT_AUTO, &d, NULL, &err),
                 TKA_ERR_UNSUPPORTED);
    cr_assert_null(d);
    cr_assert(strstr(err.message, "memo.npy: byte ") == err.message, "%s", err.message);
    cr_assert(strstr(err.message, ": key 'b': value is not a numpy array"), "%s", err.message);
    tka_buf_free(&b);
}

static tka_status count_pieces(void *ctx, const void *data, size_t len, tka_error *err)
{
    (void)data;
    (void)err;
    size_t *c = ctx;
    c[0]++;
    c[1] += len;
    if (len > c[2])
        c[2] = len;
    return TKA_OK;
}

Test(json, stream_equals_buffer_and_stays_small)
{
    tka_dict *d = tka_dict_new();
    tka_error err;
    int64_t empty[3] = {200000, 1, 0}, small[2] = {2, 3};
    int64_t *v;
    cr_assert_eq(tka_dict_put(d, "e", TKA_DTYPE_FLOAT64, 3, empty, NULL, &err), TKA_OK);
    cr_assert_eq(tka_dict_put(d, "s", TKA_DTYPE_INT64, 2, small, (void **)&v, &err), TKA_OK);
    for (int i = 0; i < 6; i++)
        v[i] = i - 3;
    tka_buf whole = {0};
    cr_assert_eq(tka_json_encode(d, "f.npy", &whole, &err), TKA_OK);
    size_t c[3] = {0};
    cr_assert_eq(tka_json_encode_stream(d, "f.npy", count_pieces, c, &err), TKA_OK);
    cr_assert_eq(c[1], whole.len);
    cr_assert_gt(c[0], 10, "streamed in pieces");
    cr_assert_lt(c[2], 80u << 10, "no piece much beyond 64 KiB");
    const char *tail =
        "[[]],[[]]]},{\"key\":\"s\",\"dtype\":\"int64\",\"shape\":[2,3],\"data\":[[-3,-2,-1],[0,1,2]]}]}\n";
    cr_assert_str_eq(whole.data + whole.len - strlen(tail), tail);
    tka_buf_free(&whole);
    tka_dict_free(d);
}

static tka_status refuse_write(void *ctx, const void *data, size_t len, tka_error *err)
{
    (void)ctx;
    (void)data;
    (void)len;
    return tka_error_set(err, TKA_ERR_IO, "sink: disk full");
}

Test(json, stream_stops_at_a_write_error)
{
    tka_dict *d = tka_dict_new();
    tka_error err;
    int64_t empty[3] = {1000000, 1, 0};
    cr_assert_eq(tka_dict_put(d, "e", TKA_DTYPE_FLOAT64, 3, empty, NULL, &err), TKA_OK);
    cr_assert_eq(tka_json_encode_stream(d, NULL, refuse_write, NULL, &err), TKA_ERR_IO);
    cr_assert_str_eq(err.message, "sink: disk full");
    tka_dict_free(d);
}

Test(shape, numpy_intp_rule)
{
    size_t n;
    int64_t a[2] = {INT64_C(1) << 60, 0}, b[2] = {0, INT64_C(1) << 60}, c[3] = {1000000000, 1, 0};
    cr_assert(!dump_checked_count(a, 2, 8, &n), "8 * 2**60 overflows intp");
    cr_assert(!dump_checked_count(b, 2, 8, &n), "numpy counts past the zero axis");
    cr_assert(dump_checked_count(a, 2, 1, &n) && n == 0, "2**60 one-byte items fit intp");
    cr_assert(dump_checked_count(c, 3, 8, &n) && n == 0);
    int64_t d[1] = {INT64_C(1) << 59};
    cr_assert(!dump_checked_count(d, 1, 16, &n), "2**63 bytes is one past PTRDIFF_MAX");
    int64_t e[1] = {(INT64_C(1) << 59) - 1};
    cr_assert(dump_checked_count(e, 1, 16, &n));
}

Test(messages, shown_names_are_escaped)
{
    char out[64];
    dump_shown("a\x1b[0m\a\xff'\\\xc3\xa9\xe2\x80\xae\xc2\x85z", 17, out, sizeof out);
    cr_assert_str_eq(out, "a\\x1b[0m\\x07\\xff'\\\\\xc3\xa9\\xe2\\x80\\xae\\xc2\\x85z");
    char small[12];
    dump_shown("abcdefghijklmnop", 16, small, sizeof small);
    cr_assert_str_eq(small, "abcdefgh...");
    char six[8];
    tka_dict *dict = NULL;
    tka_error err;
    memcpy(six, "\x93NUMPY", 6);
    cr_assert_eq(tka_dump_parse(six, 6, "six.npy", TKA_FORMAT_AUTO, &dict, NULL, &err),
                 TKA_ERR_FORMAT);
    cr_assert_str_eq(err.message,
                     "six.npy: byte 6: truncated after the \\x93NUMPY magic (the version "
                     "and header length need bytes 6 to 9)");
}
