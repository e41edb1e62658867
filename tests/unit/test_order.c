/* Unit tests of the batch-order reader behind `pipeline --order`: the JSON and .npy that
 * `tokalign order` writes, a user's list of lists, and the errors for malformed files. */
#include <criterion/criterion.h>
#include <string.h>

#include "tokalign/dump.h"
#include "tokalign/pipeline.h"

static void expect_batches(const tka_order *o, size_t n, const int64_t *const *want,
                           const size_t *lens)
{
    cr_assert_eq(o->num_batches, n);
    size_t longest = 0;
    for (size_t b = 0; b < n; b++) {
        cr_assert_eq(o->starts[b + 1] - o->starts[b], lens[b], "batch %zu", b);
        for (size_t k = 0; k < lens[b]; k++)
            cr_assert_eq(o->rows[o->starts[b] + k], want[b][k], "batch %zu, position %zu", b, k);
        if (lens[b] > longest)
            longest = lens[b];
    }
    cr_assert_eq(o->max_batch, longest);
}

static tka_status parse(const char *text, size_t batch_size, tka_order *o, tka_error *err)
{
    return tka_order_parse(text, strlen(text), "o.json", batch_size, o, err);
}

static void expect_error(const char *text, tka_status status, const char *fragment)
{
    tka_order o;
    tka_error err;
    tka_error_clear(&err);
    tka_status st = parse(text, 4, &o, &err);
    cr_assert_eq(st, status, "%s: status %d (%s)", text, (int)st, err.message);
    cr_assert(strstr(err.message, fragment), "%s: message '%s' lacks '%s'", text, err.message,
              fragment);
    cr_assert_null(o.rows);
    tka_order_free(&o);
}

Test(order, tokalign_order_json)
{
    const char *text = "{\n \"tokalign_order\": 1,\n \"flavor\": \"torch\",\n \"n\": 6,\n"
                       " \"batch_size\": 4,\n \"batches\": [\n  [5, 0, 3, 1],\n  [4, 2]\n ]\n}\n";
    tka_order o;
    tka_error err;
    cr_assert_eq(parse(text, 0, &o, &err), TKA_OK, "%s", err.message);
    static const int64_t b0[] = {5, 0, 3, 1}, b1[] = {4, 2};
    const int64_t *const want[] = {b0, b1};
    expect_batches(&o, 2, want, (const size_t[]){4, 2});
    tka_order_free(&o);
}

Test(order, own_list_ragged_and_repeated)
{
    tka_order o;
    tka_error err;
    cr_assert_eq(parse("[[31, 0], [5], [5, 7, 9]]", 4, &o, &err), TKA_OK, "%s", err.message);
    static const int64_t b0[] = {31, 0}, b1[] = {5}, b2[] = {5, 7, 9};
    const int64_t *const want[] = {b0, b1, b2};
    expect_batches(&o, 3, want, (const size_t[]){2, 1, 3});
    tka_order_free(&o);
    tka_order_free(&o); /* freeing twice (zeroed) and NULL are fine */
    tka_order_free(NULL);
}

static void npy_of(tka_dtype dtype, unsigned ndim, const int64_t *shape, const void *data,
                   tka_buf *out)
{
    tka_array a = {.dtype = dtype, .ndim = ndim, .data = (void *)data};
    for (unsigned i = 0; i < ndim; i++)
        a.shape[i] = shape[i];
    tka_error err;
    cr_assert_eq(tka_npy_encode_array(&a, out, &err), TKA_OK, "%s", err.message);
}

Test(order, npy_1d_cut_by_batch_size)
{
    static const int64_t idx[] = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0};
    tka_buf npy = {0};
    npy_of(TKA_DTYPE_INT64, 1, (const int64_t[]){10}, idx, &npy);
    tka_order o;
    tka_error err;
    cr_assert_eq(tka_order_parse(npy.data, npy.len, "o.npy", 4, &o, &err), TKA_OK, "%s",
                 err.message);
    const int64_t *const want[] = {idx, idx + 4, idx + 8};
    expect_batches(&o, 3, want, (const size_t[]){4, 4, 2});
    tka_order_free(&o);
    /* a 1-D order cannot be cut without a batch size */
    tka_error_clear(&err);
    cr_assert_eq(tka_order_parse(npy.data, npy.len, "o.npy", 0, &o, &err), TKA_ERR_ARGUMENT);
    cr_assert(strstr(err.message, "o.npy: a 1-D order needs the batch size"), "%s", err.message);
    tka_buf_free(&npy);
}

Test(order, npy_2d_int32_one_batch_per_row)
{
    static const int32_t idx[] = {1, 2, 3, 4, 5, 6};
    tka_buf npy = {0};
    npy_of(TKA_DTYPE_INT32, 2, (const int64_t[]){2, 3}, idx, &npy);
    tka_order o;
    tka_error err;
    cr_assert_eq(tka_order_parse(npy.data, npy.len, "o.npy", 4, &o, &err), TKA_OK, "%s",
                 err.message);
    static const int64_t b0[] = {1, 2, 3}, b1[] = {4, 5, 6};
    const int64_t *const want[] = {b0, b1};
    expect_batches(&o, 2, want, (const size_t[]){3, 3});
    tka_order_free(&o);
    tka_buf_free(&npy);
}

Test(order, npy_refusals)
{
    tka_order o;
    tka_error err;
    tka_buf npy = {0};
    static const double reals[] = {1.0, 2.0};
    npy_of(TKA_DTYPE_FLOAT64, 1, (const int64_t[]){2}, reals, &npy);
    cr_assert_eq(tka_order_parse(npy.data, npy.len, "o.npy", 4, &o, &err), TKA_ERR_FORMAT);
    cr_assert(
        strstr(err.message, "o.npy: expected a 1-D (or 2-D: one batch per row) integer array"),
        "%s", err.message);
    npy.len = 0;
    static const int64_t neg[] = {0, 1, 2, 3, 4, -5};
    npy_of(TKA_DTYPE_INT64, 1, (const int64_t[]){6}, neg, &npy);
    cr_assert_eq(tka_order_parse(npy.data, npy.len, "o.npy", 4, &o, &err), TKA_ERR_FORMAT);
    cr_assert(strstr(err.message,
                     "o.npy: batch 1, position 1: expected a row index (an integer >= 0), "
                     "got a negative integer"),
              "%s", err.message);
    npy.len = 0;
    static const uint64_t huge[] = {UINT64_MAX};
    npy_of(TKA_DTYPE_UINT64, 1, (const int64_t[]){1}, huge, &npy);
    cr_assert_eq(tka_order_parse(npy.data, npy.len, "o.npy", 4, &o, &err), TKA_ERR_FORMAT);
    cr_assert(strstr(err.message, "got a value beyond int64"), "%s", err.message);
    npy.len = 0;
    npy_of(TKA_DTYPE_INT64, 1, (const int64_t[]){0}, neg, &npy);
    cr_assert_eq(tka_order_parse(npy.data, npy.len, "o.npy", 4, &o, &err), TKA_ERR_FORMAT);
    cr_assert(strstr(err.message, "o.npy: the order holds no batches"), "%s", err.message);
    /* a truncated .npy is the npy reader's error, naming the file */
    npy.len = 20;
    cr_assert_neq(tka_order_parse(npy.data, npy.len, "o.npy", 4, &o, &err), TKA_OK);
    cr_assert(strstr(err.message, "o.npy"), "%s", err.message);
    tka_buf_free(&npy);
}

Test(order, json_refusals)
{
    expect_error("[[0, 1],\n [2,, 3]]", TKA_ERR_FORMAT, "o.json: line 2, column 5:");
    expect_error("", TKA_ERR_FORMAT, "o.json: line 1, column 0:");
    expect_error("7", TKA_ERR_FORMAT, "o.json: line 1, column 1:");
    expect_error(
        "[[0, \"1\"]]", TKA_ERR_FORMAT,
        "o.json: batch 0, position 1: expected a row index (an integer >= 0), got a string");
    expect_error(
        "[[0], [1, -2]]", TKA_ERR_FORMAT,
        "o.json: batch 1, position 1: expected a row index (an integer >= 0), got a negative integer");
    expect_error(
        "[[0], [1.0]]", TKA_ERR_FORMAT,
        "o.json: batch 1, position 0: expected a row index (an integer >= 0), got a real number");
    expect_error(
        "[[0], [[1]]]", TKA_ERR_FORMAT,
        "o.json: batch 1, position 0: expected a row index (an integer >= 0), got another JSON value");
    expect_error("[[0], 1]", TKA_ERR_FORMAT,
                 "o.json: batch 1: expected a list of row indices, got a scalar");
    expect_error("[[0], []]", TKA_ERR_FORMAT, "o.json: batch 1 is empty");
    expect_error("[]", TKA_ERR_FORMAT, "o.json: the order holds no batches");
    expect_error("{\"tokalign_order\": 1}", TKA_ERR_FORMAT,
                 "o.json: the JSON object has no \"batches\" list");
    expect_error("{\"batches\": {\"0\": [1]}}", TKA_ERR_FORMAT, "has no \"batches\" list");
}

Test(order, rows_checked_against_the_dataset)
{
    tka_order o;
    tka_error err;
    cr_assert_eq(parse("[[0, 1], [2, 3, 32]]", 4, &o, &err), TKA_OK);
    cr_assert_eq(tka_order_check_rows(&o, 33, "o.json", &err), TKA_OK);
    cr_assert_eq(tka_order_check_rows(&o, 32, "o.json", &err), TKA_ERR_ARGUMENT);
    cr_assert_str_eq(err.message,
                     "o.json: batch 1, position 2: row 32 is out of range (the dataset "
                     "has 32 rows: 0..31)");
    tka_order_free(&o);
}

Test(order, read_names_a_missing_file)
{
    tka_order o;
    tka_error err;
    cr_assert_neq(tka_order_read("no/such/order.json", 4, &o, &err), TKA_OK);
    cr_assert(strstr(err.message, "no/such/order.json"), "%s", err.message);
}
