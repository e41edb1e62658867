/* Unit tests of the dump containers: dict semantics, half floats, the
 * reprod_log writer (numpy's bytes, batching, streaming), plain .npy
 * headers, .npz and JSON mirrors, and errors on corrupt input. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tokalign/dump.h"
#include "core/io.h"

static tka_array arr(tka_dtype dt, unsigned ndim, const int64_t *shape, const void *data)
{
    tka_array a = {.dtype = dt, .ndim = ndim, .data = (void *)data};
    if (ndim)
        memcpy(a.shape, shape, ndim * sizeof *shape);
    return a;
}

Test(dtype, names_and_sizes)
{
    tka_dtype t;
    cr_assert_str_eq(tka_dtype_name(TKA_DTYPE_BOOL), "bool");
    cr_assert_str_eq(tka_dtype_name(TKA_DTYPE_FLOAT16), "float16");
    cr_assert_eq(tka_dtype_size(TKA_DTYPE_UINT64), 8);
    cr_assert(tka_dtype_from_name("uint16", &t) && t == TKA_DTYPE_UINT16);
    cr_assert(!tka_dtype_from_name("int128", &t));
}

Test(half, exhaustive_round_trip_and_rounding)
{
    for (uint32_t h = 0; h < 0x10000u; h++) {
        float f = tka_half_to_float((uint16_t)h);
        if (isnan(f))
            cr_assert(isnan(tka_half_to_float(tka_float_to_half(f))));
        else
            cr_assert_eq(tka_float_to_half(f), h, "half 0x%04x", h);
    }
    cr_assert_eq(tka_double_to_half(1.0 + ldexp(1, -11)), 0x3c00); /* tie -> even */
    cr_assert_eq(tka_double_to_half(1.0 + 3 * ldexp(1, -11)), 0x3c02);
    cr_assert_eq(tka_double_to_half(65519.99), 0x7bff);
    cr_assert_eq(tka_double_to_half(65520.0), 0x7c00);
    cr_assert_eq(tka_double_to_half(ldexp(1, -25)), 0x0000); /* tie -> even (zero) */
    cr_assert_eq(tka_double_to_half(ldexp(1.5, -25)), 0x0001);
    cr_assert_eq(tka_double_to_half(-0.0), 0x8000);
    cr_assert_eq(tka_double_to_half(0.1), 0x2e66);
}

Test(dict, replace_keeps_position_remove_and_share)
{
    tka_dict *d = tka_dict_new();
    tka_error err;
    int64_t v1 = 1, v2 = 2, v3 = 3;
    tka_array a = arr(TKA_DTYPE_INT64, 0, NULL, &v1);
    cr_assert_eq(tka_dict_add(d, "a", &a, &err), TKA_OK);
    a.data = &v2;
    cr_assert_eq(tka_dict_add(d, "b", &a, &err), TKA_OK);
    a.data = &v3;
    cr_assert_eq(tka_dict_add(d, "a", &a, &err), TKA_OK); /* replaced, stays first */
    cr_assert_eq(tka_dict_size(d), 2);
    cr_assert_str_eq(tka_dict_key(d, 0), "a");
    cr_assert_eq(*(int64_t *)tka_dict_get(d, "a")->data, 3);
    cr_assert_null(tka_dict_get(d, "zz"));
    cr_assert_eq(tka_dict_add_shared(d, "c", "b", &err), TKA_OK);
    /* a key that does not exist is a real not-found, not the end of anything */
    cr_assert_eq(tka_dict_add_shared(d, "x", "zz", &err), TKA_ERR_NOT_FOUND);
    cr_assert_str_eq(err.message, "no key 'zz' to share");
    cr_assert_eq(tka_dict_at(d, 2)->data, tka_dict_at(d, 1)->data);
    cr_assert(tka_dict_remove(d, "a"));
    cr_assert(!tka_dict_remove(d, "a"));
    cr_assert_str_eq(tka_dict_key(d, 0), "b");
    cr_assert_eq(tka_dict_find(d, "c"), 1);
    cr_assert_eq(tka_dict_add(d, "bad\xff", &a, &err), TKA_ERR_UTF8);
    int64_t neg[] = {-1};
    tka_array bad = arr(TKA_DTYPE_INT64, 1, neg, &v1);
    cr_assert_eq(tka_dict_add(d, "n", &bad, &err), TKA_ERR_ARGUMENT);
    void *p;
    int64_t shape[] = {2, 3};
    cr_assert_eq(tka_dict_put(d, "z", TKA_DTYPE_FLOAT32, 2, shape, &p, &err), TKA_OK);
    cr_assert_eq(((float *)p)[5], 0.0f);
    cr_assert_eq(tka_dict_set_meta(d, "{\"x\": [1, 2.5, \"é\"]}", &err), TKA_OK);
    cr_assert_str_eq(tka_dict_meta(d), "{\"x\":[1,2.5,\"é\"]}");
    cr_assert_eq(tka_dict_set_meta(d, "[1]", &err), TKA_ERR_ARGUMENT);
    tka_dict_clear(d);
    cr_assert_eq(tka_dict_size(d), 0);
    tka_dict_free(d);
    tka_dict_free(NULL);
}

/* numpy.save({"input_ids": arange(28).reshape(4, 7), "loss": float32(0.25)}) */
Test(reprod, writes_numpys_example_bytes)
{
    const char *shared = getenv("TKA_SHARED");
    cr_assert_not_null(shared);
    char path[4096];
    snprintf(path, sizeof path, "%s/golden/reprod_log/example_2key.npy", shared);
    tka_buf want = {0}, got = {0};
    tka_error err;
    cr_assert_eq(tka_read_file(path, 0, &want, &err), TKA_OK);
    int64_t ids[28];
    for (int i = 0; i < 28; i++)
        ids[i] = i;
    float loss = 0.25f;
    int64_t shape[] = {4, 7};
    tka_dict *d = tka_dict_new();
    tka_array a = arr(TKA_DTYPE_INT64, 2, shape, ids);
    cr_assert_eq(tka_dict_add(d, "input_ids", &a, &err), TKA_OK);
    a = arr(TKA_DTYPE_FLOAT32, 0, NULL, &loss);
    cr_assert_eq(tka_dict_add(d, "loss", &a, &err), TKA_OK);
    cr_assert_eq(tka_reprod_encode(d, &got, &err), TKA_OK);
    cr_assert_eq(got.len, 695);
    cr_assert_eq(memcmp(got.data, want.data, want.len), 0);
    /* the streaming file writer produces the same bytes */
    const char *tmp = getenv("TMPDIR");
    char tmpl[4096];
    snprintf(tmpl, sizeof tmpl, "%s/tka_npy_XXXXXX", tmp && *tmp ? tmp : "/tmp");
    char *dir = mkdtemp(tmpl);
    cr_assert_not_null(dir);
    char out[4200];
    cr_assert_lt(strlen(dir), 4000);
    snprintf(out, sizeof out, "%s/s.npy", dir);
    tka_reprod_writer *w;
    cr_assert_eq(tka_reprod_writer_open(out, &w, &err), TKA_OK);
    cr_assert_eq(tka_reprod_writer_add(w, "input_ids", tka_dict_at(d, 0), &err), TKA_OK);
    cr_assert_eq(tka_reprod_writer_add(w, "loss", tka_dict_at(d, 1), &err), TKA_OK);
    cr_assert_eq(tka_reprod_writer_add(w, "loss", tka_dict_at(d, 1), &err), TKA_ERR_ARGUMENT);
    cr_assert(strstr(err.message, "already written"), "%s", err.message);
    /* the refused key wrote nothing: the file is still numpy's */
    cr_assert_eq(tka_reprod_writer_close(w, &err), TKA_OK);
    tka_reprod_writer_free(w);
    tka_buf file = {0};
    cr_assert_eq(tka_read_file(out, 0, &file, &err), TKA_OK);
    cr_assert_eq(file.len, want.len);
    cr_assert_eq(memcmp(file.data, want.data, want.len), 0);
    remove(out);
    rmdir(dir);
    tka_buf_free(&file);
    tka_buf_free(&want);
    tka_buf_free(&got);
    tka_dict_free(d);
}

static size_t count_setitems_groups(const tka_buf *b)
{
    /* the tail after the last item: ... 'u' 'a' 't' BINPUT/LONG_BINPUT 'b' '.' */
    size_t n = 0;
    for (size_t i = 0; i + 1 < b->len; i++)
        if (b->data[i] == 'u' && (b->data[i + 1] == '(' || b->data[i + 1] == 'a'))
            n++;
    return n;
}

Test(reprod, batches_of_1000_like_cpython)
{
    size_t sizes[] = {0, 1, 2, 999, 1000, 1001, 2000};
    size_t groups[] = {0, 0, 1, 1, 2, 2, 3}; /* 1000 -> a full batch then an empty one */
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        tka_dict *d = tka_dict_new();
        tka_error err;
        for (size_t i = 0; i < sizes[s]; i++) {
            char key[32];
            snprintf(key, sizeof key, "k%zu", i);
            int64_t v = (int64_t)i * 1000003; /* data bytes never look like 'u(' */
            tka_array a = arr(TKA_DTYPE_INT64, 0, NULL, &v);
            (void)v;
            cr_assert_eq(tka_dict_add(d, key, &a, &err), TKA_OK);
        }
        tka_buf b = {0};
        cr_assert_eq(tka_reprod_encode(d, &b, &err), TKA_OK);
        cr_assert_geq(count_setitems_groups(&b), groups[s], "%zu keys", sizes[s]);
        tka_dict *back;
        cr_assert_eq(tka_dump_parse(b.data, b.len, "t.npy", TKA_FORMAT_AUTO, &back, NULL, &err),
                     TKA_OK, "%zu keys: %s", sizes[s], err.message);
        cr_assert_eq(tka_dict_size(back), sizes[s]);
        if (sizes[s])
            cr_assert_eq(*(int64_t *)tka_dict_at(back, sizes[s] - 1)->data,
                         (int64_t)(sizes[s] - 1) * 1000003);
        tka_dict_free(back);
        tka_buf_free(&b);
        tka_dict_free(d);
    }
}

Test(reprod, every_truncation_and_flip_is_refused_or_read)
{
    const char *shared = getenv("TKA_SHARED");
    char path[4096];
    snprintf(path, sizeof path, "%s/golden/reprod_log/example_2key.npy", shared);
    tka_buf f = {0};
    tka_error err;
    cr_assert_eq(tka_read_file(path, 0, &f, &err), TKA_OK);
    for (size_t n = 0; n < f.len; n++) {
        tka_dict *d = NULL;
        cr_assert_neq(tka_dump_parse(f.data, n, "x.npy", TKA_FORMAT_NPY, &d, NULL, &err), TKA_OK,
                      "truncated at %zu accepted", n);
        cr_assert_null(d);
        cr_assert(strncmp(err.message, "x.npy: ", 7) == 0, "%s", err.message);
    }
    for (size_t i = 0; i < f.len; i++)
        for (int bit = 0; bit < 8; bit += 3) {
            f.data[i] ^= (char)(1 << bit);
            tka_dict *d = NULL;
            tka_status st = tka_dump_parse(f.data, f.len, "x.npy", TKA_FORMAT_NPY, &d, NULL, &err);
            cr_assert(st == TKA_OK || strncmp(err.message, "x.npy: ", 7) == 0);
            tka_dict_free(d);
            f.data[i] ^= (char)(1 << bit);
        }
    tka_buf_free(&f);
}

Test(npy, plain_header_and_round_trip)
{
    int32_t v[6] = {1, -2, 3, -4, 5, -6};
    int64_t shape[] = {2, 3};
    tka_array a = arr(TKA_DTYPE_INT32, 2, shape, v);
    a.layout = TKA_ARRAY_FORTRAN | TKA_ARRAY_BIG_ENDIAN;
    tka_buf b = {0};
    tka_error err;
    cr_assert_eq(tka_npy_encode_array(&a, &b, &err), TKA_OK);
    const char *hdr =
        "\x93NUMPY\x01\x00\x76\x00{'descr': '>i4', 'fortran_order': True, 'shape': (2, 3), }";
    cr_assert_eq(memcmp(b.data, hdr, strlen(hdr)), 0);
    cr_assert_eq(b.len, 128 + 24);
    /* Fortran order, big-endian: 1, -4, -2, 5, 3, -6 */
    cr_assert_eq((unsigned char)b.data[128 + 3], 1);
    cr_assert_eq((unsigned char)b.data[128 + 4], 0xff);
    cr_assert_eq((unsigned char)b.data[128 + 7], 0xfc);
    tka_dict *d;
    cr_assert_eq(tka_dump_parse(b.data, b.len, "dir/arr.npy", TKA_FORMAT_AUTO, &d, NULL, &err),
                 TKA_OK);
    cr_assert_str_eq(tka_dict_key(d, 0), "arr");
    cr_assert_eq(memcmp(tka_dict_at(d, 0)->data, v, sizeof v), 0);
    tka_dict_free(d);
    /* header variants other writers produce */
    const char *variants[] = {
        "{\"shape\": (3,), \"descr\": \"<u2\", \"fortran_order\": False}",
        "{'descr':'<u2','fortran_order':False,'shape':(3L,)}",
    };
    for (size_t i = 0; i < 2; i++) {
        tka_buf f = {0};
        size_t hl = strlen(variants[i]) + 1;
        tka_buf_append(&f, "\x93NUMPY\x02\x00", 8);
        unsigned char len4[4] = {(unsigned char)hl, (unsigned char)(hl >> 8), 0, 0};
        tka_buf_append(&f, len4, 4);
        tka_buf_append_str(&f, variants[i]);
        tka_buf_append(&f, "\n\x01\x00\x02\x00\x03\x00", 7);
        cr_assert_eq(tka_dump_parse(f.data, f.len, "v.npy", TKA_FORMAT_NPY, &d, NULL, &err), TKA_OK,
                     "%s", err.message);
        cr_assert_eq(((uint16_t *)tka_dict_at(d, 0)->data)[2], 3);
        tka_dict_free(d);
        tka_buf_free(&f);
    }
    const char *bad[] = {
        "{'descr': '<i4', 'shape': (3,)}",
        "{'descr': [('a', '<i4')], 'fortran_order': False, 'shape': (3,)}",
        "{'descr': '<c16', 'fortran_order': False, 'shape': (3,)}",
        "{'descr': '<i4', 'fortran_order': False, 'shape': (-3,)}",
        "{'descr': '<i4', 'fortran_order': False, 'shape': (3,), 'x': 1}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        tka_buf f = {0};
        size_t hl = strlen(bad[i]) + 1;
        tka_buf_append(&f, "\x93NUMPY\x01\x00", 8);
        unsigned char len2[2] = {(unsigned char)hl, (unsigned char)(hl >> 8)};
        tka_buf_append(&f, len2, 2);
        tka_buf_append_str(&f, bad[i]);
        tka_buf_append(&f,
                       "\n"
                       "000000000000",
                       13);
        cr_assert_neq(tka_dump_parse(f.data, f.len, "b.npy", TKA_FORMAT_NPY, &d, NULL, &err),
                      TKA_OK, "accepted %s", bad[i]);
        cr_assert(strncmp(err.message, "b.npy: ", 7) == 0, "%s", err.message);
        tka_buf_free(&f);
    }
    tka_buf_free(&b);
}

Test(npz, round_trip_and_corruption)
{
    tka_dict *d = tka_dict_new();
    tka_error err;
    double x[] = {0.5, -1.25};
    int64_t shape[] = {2};
    tka_array a = arr(TKA_DTYPE_FLOAT64, 1, shape, x);
    cr_assert_eq(tka_dict_add(d, "x", &a, &err), TKA_OK);
    cr_assert_eq(tka_dict_add(d, "ключ", &a, &err), TKA_OK);
    tka_buf z = {0};
    cr_assert_eq(tka_npz_encode(d, &z, &err), TKA_OK);
    tka_dict *back;
    cr_assert_eq(tka_dump_parse(z.data, z.len, "z.npz", TKA_FORMAT_AUTO, &back, NULL, &err), TKA_OK,
                 "%s", err.message);
    cr_assert_eq(tka_dict_size(back), 2);
    cr_assert_str_eq(tka_dict_key(back, 1), "ключ");
    cr_assert_eq(((double *)tka_dict_at(back, 1)->data)[1], -1.25);
    tka_dict_free(back);
    z.data[100] ^= 1; /* inside the first member's data: CRC mismatch */
    cr_assert_eq(tka_dump_parse(z.data, z.len, "z.npz", TKA_FORMAT_AUTO, &back, NULL, &err),
                 TKA_ERR_FORMAT);
    cr_assert(strstr(err.message, "CRC-32 mismatch"), "%s", err.message);
    z.data[100] ^= 1;
    z.data[8] = 8; /* deflate in the local header is not what the central directory says, */
    size_t cd = z.len - 22 - (46 + 5) - (46 + 12);
    z.data[cd + 10] = 8; /* ... so mark it in the central directory too */
    cr_assert_eq(tka_dump_parse(z.data, z.len, "z.npz", TKA_FORMAT_AUTO, &back, NULL, &err),
                 TKA_ERR_UNSUPPORTED);
    cr_assert(strstr(err.message, "compression method 8"), "%s", err.message);
    for (size_t n = 0; n < z.len; n++)
        cr_assert_neq(tka_dump_parse(z.data, n, "z.npz", TKA_FORMAT_NPZ, &back, NULL, &err),
                      TKA_OK);
    tka_buf_free(&z);
    tka_dict_free(d);
}

Test(json, mirror_round_trip_and_errors)
{
    const char *text =
        "{\"file\":\"m.npy\",\"meta\":{\"a\":1},\"entries\":["
        "{\"key\":\"f\",\"dtype\":\"float32\",\"shape\":[3],\"data\":[NaN,-Infinity,0.1]},"
        "{\"key\":\"u\",\"dtype\":\"uint64\",\"shape\":[1],\"data\":[18446744073709551615]},"
        "{\"key\":\"h\",\"dtype\":\"float16\",\"shape\":[],\"data\":0.0999755859375},"
        "{\"key\":\"b\",\"dtype\":\"bool\",\"shape\":[2,0],\"data\":[[],[]]}]}\n";
    tka_dict *d;
    tka_error err;
    cr_assert_eq(tka_dump_parse(text, strlen(text), "m.json", TKA_FORMAT_AUTO, &d, NULL, &err),
                 TKA_OK, "%s", err.message);
    cr_assert(isnan(((float *)tka_dict_at(d, 0)->data)[0]));
    cr_assert_eq(((float *)tka_dict_at(d, 0)->data)[2], 0.1f);
    cr_assert_eq(*(uint64_t *)tka_dict_at(d, 1)->data, UINT64_MAX);
    cr_assert_eq(*(uint16_t *)tka_dict_at(d, 2)->data, 0x2e66);
    tka_buf out = {0};
    cr_assert_eq(tka_json_encode(d, "m.npy", &out, &err), TKA_OK);
    cr_assert_str_eq(
        out.data,
        "{\"file\":\"m.npy\",\"meta\":{\"a\":1},\"entries\":["
        "{\"key\":\"f\",\"dtype\":\"float32\",\"shape\":[3],\"data\":[NaN,-Infinity,0.10000000149011612]},"
        "{\"key\":\"u\",\"dtype\":\"uint64\",\"shape\":[1],\"data\":[18446744073709551615]},"
        "{\"key\":\"h\",\"dtype\":\"float16\",\"shape\":[],\"data\":0.0999755859375},"
        "{\"key\":\"b\",\"dtype\":\"bool\",\"shape\":[2,0],\"data\":[[],[]]}]}\n");
    tka_buf_free(&out);
    tka_dict_free(d);
    struct {
        const char *text, *message;
    } bad[] = {
        {"{\"entries\":[{\"key\":\"k\",\"dtype\":\"int8\",\"shape\":[2],\"data\":[1,300]}]}",
         "e.json: entry 0 ('k'): data[1]: integer out of range for int8"},
        {"{\"entries\":[{\"key\":\"k\",\"dtype\":\"int64\",\"shape\":[2,2],\"data\":[[1,2],[3]]}]}",
         "e.json: entry 0 ('k'): data[1]: expected a list of length 2"},
        {"{\"entries\":[{\"key\":\"k\",\"dtype\":\"complex64\",\"shape\":[],\"data\":1}]}",
         "e.json: entry 0 ('k'): unknown dtype complex64"},
        {"{\"entries\":[{\"key\":\"k\",\"dtype\":\"uint8\",\"shape\":[1],\"data\":[-1]}]}",
         "e.json: entry 0 ('k'): data[0]: integer out of range for uint8"},
        {"{\"entries\": 3}", "e.json: not a dump mirror (no \"entries\" list)"},
        /* found by fuzzing: a huge shape must not be allocated before the data is checked */
        {"{\"entries\":[{\"key\":\"\",\"dtype\":\"int16\",\"shape\":[4444444444444,7],\"data\":[]}]}",
         "e.json: entry 0 (''): the shape holds more elements than the data can"},
        {"{\"entries\": [", "e.json: line 1, column 13: "},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        cr_assert_neq(tka_dump_parse(bad[i].text, strlen(bad[i].text), "e.json", TKA_FORMAT_JSON,
                                     &d, NULL, &err),
                      TKA_OK);
        cr_assert(strncmp(err.message, bad[i].message, strlen(bad[i].message)) == 0, "got: %s",
                  err.message);
    }
    /* found by fuzzing: a long integer at the very end of an unterminated buffer */
    const char tail[] = "{\"entries\":[]} 12345678901234567890123";
    char *exact = malloc(sizeof tail - 1);
    memcpy(exact, tail, sizeof tail - 1);
    cr_assert_neq(tka_dump_parse(exact, sizeof tail - 1, "e.json", TKA_FORMAT_JSON, &d, NULL, &err),
                  TKA_OK);
    free(exact);
}
